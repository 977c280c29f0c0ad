"""The mock's state and the two operations' business rules, behind one lock.

`MockService` owns users, credits, tasks, the song-to-persona claims, the rate limiter,
the fault plan and the request log. The ASGI layer only parses and renders; every
decision about what a request means is made here, under a lock held for microseconds,
which is what makes "50 concurrent creations of one song yield one persona" hold.
"""

from __future__ import annotations

import collections
import hmac
import random
import string
import threading
from collections.abc import Iterable
from typing import Any, NamedTuple

import attrs
import orjson

from . import fixtures
from .callbacks import CallbackDispatcher
from .clock import Clock, ManualClock, SystemClock
from .config import MockConfig
from .errors import (
    ApiError,
    insufficient_quota,
    invalid_request,
    invalid_task_id,
    permission_denied,
    task_not_found,
)
from .faults import FaultPlan
from .fixtures import FixtureSong, FixtureTask
from .music import MusicRequest, credits_for, song_titles
from .ratelimit import RateLimiter
from .tasks import TASK_ID_PATTERN, PersonaTask, Task, model_version
from .validation import PersonaRequest

__all__ = ["MockService", "RequestRecord", "User", "fresh_tail"]

_ID_ALPHABET = string.ascii_lowercase + string.digits
#: Every two-character string of the id alphabet: an id's 8 characters are four look-ups
#: into this table by the base-1296 digits of one 64-bit draw (`random.choices` drew eight
#: floats, a tenth of a creation's own work). 2**64 is not a multiple of 36**8; the bias that
#: leaves is below one part in a million.
_ID_PAIRS = tuple(a + b for a in _ID_ALPHABET for b in _ID_ALPHABET)
#: 36**8: the four base-1296 digits an id uses are those of the draw modulo this (taking it
#: first leaves the digit arithmetic on an integer of one machine word).
_ID_SPACE = 1296**4
_FAILURE_CODES = ("generation_failed_no_content", "service_error", "generation_timeout")
#: The claim of a song whose completed persona task retention has forgotten: the song stays
#: taken, but its slot no longer holds (and keeps alive) that task's id. One shared object.
FORGOTTEN_HOLDER = "<forgotten persona task>"


@attrs.define
class User:
    user_id: str
    api_key: str
    credits: float


class RequestRecord(NamedTuple):
    """One line of the request log (never the API key: only the user it resolved to).

    A named tuple rather than a frozen attrs class: one is built for every request, and a
    tuple is about four times cheaper to make (0.3 against 1.25 µs), immutable all the same.
    """

    time: float
    method: str
    path: str
    status: int
    user_id: str | None
    fault: str | None
    duration_ms: float

    def to_json(self) -> dict[str, Any]:
        entry = self._asdict()
        entry["duration_ms"] = round(self.duration_ms, 3)  # rounded when read, not per request
        return entry


def _not_a_song(source: Task, result_id: str) -> ApiError:
    """The 400 for a result id that is not one of its source task's songs."""
    return invalid_request(
        f"model_params.result_id {result_id} is not a song of source task {source.task_id}",
        "model_params.result_id",
    )


def _task_from_fixture(owner: str, fixture: FixtureTask) -> Task:
    songs = fixture.songs
    return Task(
        task_id=fixture.task_id,
        owner=owner,
        model=fixture.model,
        created=float(fixture.created),
        fixed_status=fixture.status,
        fixed_progress=fixture.progress,
        songs=songs,
        claims=[None] * len(songs) if songs else None,
        legacy_result_list=fixture.legacy_result_list,
        error_code=fixture.error_code,
        error_message=fixture.error_message,
        persona_id=fixture.persona_id,
        source_result_id=fixture.source_result_id,
    )


def _created_body(task: Task, now: float, credits: float) -> dict[str, Any]:
    """The creation response of a new task (both operations answer alike)."""
    seen = task.view(now)
    return {
        "created": int(task.created),
        "id": task.task_id,
        "model": task.model,
        "object": "audio.generation.task",
        "progress": seen.progress,
        "status": seen.status,
        "task_info": {"can_cancel": False, "estimated_time": seen.estimated_time},
        "type": "audio",
        "usage": {
            "billing_rule": "per_call",
            "credits_reserved": credits,
            "user_group": "default",
        },
    }


def fresh_tail(task: Task, credits_json: bytes) -> bytes:
    """What follows `{"created":<seconds>,"id":"<task id>` in the creation answer of a new
    persona task, as orjson writes `_created_body` (at the task's `created`).

    The same for every persona task a service makes under one config and fate (their
    status at creation follows from the config's duration and pending share alone, and a
    fate of failure matters only for a task with no duration), so a service builds it once
    per config and fate and a creation's answer is its two varying fields and these bytes.
    `credits_json`: the reserved credits as orjson encodes them.
    """
    seen = task.view(task.created)
    return b"".join(
        (
            b'","model":"%s","object":"audio.generation.task","progress":%d,"status":"%s",'
            b'"task_info":{"can_cancel":false,"estimated_time":%d},'
            % (task.model.encode(), seen.progress, seen.status.encode(), seen.estimated_time),
            b'"type":"audio","usage":{"billing_rule":"per_call","credits_reserved":',
            credits_json,
            b',"user_group":"default"}}',
        )
    )


def _claim_fixture_song(fixed: dict[str, Task], persona: Task) -> None:
    """A fixture persona task takes its song (found among its owner's music tasks)."""
    for source in fixed.values():
        if source.owner != persona.owner or source.claims is None:
            continue
        for index, song in enumerate(source.songs):
            if song.result_id == persona.source_result_id:
                source.claims[index] = persona.task_id
                persona.source_task_id, persona.source_index = source.task_id, index
                return


class MockService:
    """State and rules of one mock instance."""

    def __init__(self, config: MockConfig | None = None, *, clock: Clock | None = None) -> None:
        self.config = config or MockConfig()
        self.clock: Clock = clock if clock is not None else SystemClock()
        self._lock = threading.Lock()
        self._offset = 0.0
        self.callbacks = CallbackDispatcher(
            self.now,
            self._terminal_body,
            timeout=self.config.callback_timeout,
            retry_delays=self.config.callback_retry_delays,
            manual_clock=isinstance(self.clock, ManualClock),
            remote=self.config.callback_remote,
        )
        self.reset()

    # --- state ------------------------------------------------------------------------

    def reset(self) -> None:
        """Back to the fixtures: users, credits, tasks, claims, limits, faults and log.

        The new state is built aside and swapped in under the lock, one whole container at
        a time, so a request running meanwhile sees the old fixtures or the new ones (both
        complete), never an empty key list or task table.
        """
        config = self.config
        users: dict[str, User] = {}
        keys: list[tuple[bytes, str]] = []
        fixed: dict[str, Task] = {}
        for fixture_user in fixtures.USERS:
            credits = fixture_user.credits
            users[fixture_user.user_id] = User(
                fixture_user.user_id,
                fixture_user.api_key,
                config.credits_per_user if credits is None else credits,
            )
            keys.append((fixture_user.api_key.encode(), fixture_user.user_id))
            for fixture_task in fixture_user.tasks:
                task = _task_from_fixture(fixture_user.user_id, fixture_task)
                fixed[task.task_id] = task
                task.song_slots()  # the song index, made with the songs (not per creation)
        personas: dict[str, str] = {}
        for task in list(fixed.values()):
            if task.source_result_id is not None:
                _claim_fixture_song(fixed, task)
            if task.persona_id is not None and task.model == "suno-persona":
                personas[task.persona_id] = task.task_id
        if hasattr(self, "callbacks"):
            self.callbacks.clear()
        with self._lock:
            self._random = random.Random(config.seed)  # noqa: S311 - reproducible on purpose
            self._fixed = fixed
            self._recent: collections.OrderedDict[str, Task] = collections.OrderedDict()
            #: What follows the id in a new persona task's answer (see `create_persona_json`),
            #: by whether the task is fated to fail, for the config it was made under.
            self._fresh_tails: tuple[MockConfig, dict[bool, bytes]] = (config, {})
            #: (second, "task-unified-<second>-"): the task id prefix of the last id made.
            self._id_prefix: tuple[int, str] = (-1, "")
            #: (second, the creation answer's bytes up to the id) of the last answer made.
            self._answer_head: tuple[int, bytes] = (-1, b"")
            self.users = users
            self._keys = keys
            self._bearer_headers = [(b"Bearer " + key, user) for key, user in keys]
            #: persona_id -> the persona task that made it (music generation looks it up).
            self._personas = personas
            self.rate_limiter = RateLimiter(config.rate_limit, config.rate_window)
            self.faults = FaultPlan(config)
            #: The request log as plain tuples in `RequestRecord`'s field order (a tuple per
            #: request is cheaper to make than a named one); `requests()` names the fields.
            self.request_log: collections.deque[tuple[Any, ...]] = collections.deque(
                maxlen=config.request_log_size
            )

    def _add_user(self, user_id: str, api_key: str, credits: float) -> User:
        user = User(user_id, api_key, credits)
        self.users[user_id] = user
        keys = [(k, u) for k, u in self._keys if u != user_id]
        keys.append((api_key.encode(), user_id))
        self._keys = keys
        self._bearer_headers = [(b"Bearer " + key, user) for key, user in keys]
        return user

    def add_user(self, user_id: str, api_key: str, credits: float | None = None) -> User:
        """Add (or replace) a user with its own key and balance."""
        with self._lock:
            return self._add_user(
                user_id, api_key, self.config.credits_per_user if credits is None else credits
            )

    def now(self) -> float:
        return self.clock.now() + self._offset

    def advance(self, seconds: float) -> float:
        """Move the mock's time forward (the injected ManualClock, or an offset on a real one)."""
        if seconds < 0:
            raise ValueError("time cannot go backwards")
        if isinstance(self.clock, ManualClock):
            self.clock.advance(seconds)
        else:
            with self._lock:
                self._offset += seconds
        self.callbacks.poke()
        return self.now()

    def task_count(self) -> int:
        return len(self._fixed) + len(self._recent)

    # --- auth ---------------------------------------------------------------------------

    def authenticate(self, api_key: bytes) -> str | None:
        """The user an API key belongs to. Every key is compared, in constant time each."""
        found: str | None = None
        for key, user_id in self._keys:
            if hmac.compare_digest(key, api_key):
                found = user_id
        return found

    def authenticate_header(self, authorization: bytes) -> str | None:
        """The user of an `Authorization` header spelled exactly `Bearer <key>`, else None.

        The common spelling costs one constant-time comparison per key and nothing else;
        None sends the caller to the careful parse (any case of `Bearer`, spaces around the
        key), which gives the same user for this spelling.
        """
        found: str | None = None
        for header, user_id in self._bearer_headers:
            if hmac.compare_digest(header, authorization):
                found = user_id
        return found

    # --- reading tasks ------------------------------------------------------------------

    def _lookup(self, task_id: str, now: float) -> Task | None:
        task = self._fixed.get(task_id)
        if task is not None:
            return task
        task = self._recent.get(task_id)
        if task is not None and self._expired(task, now):
            return None
        return task

    def _expired(self, task: Task, now: float) -> bool:
        # The cheap tests first: an uncancelled task ends no sooner than it was made, so one
        # made less than retention ago is kept, and so is one that ended less than retention
        # ago (or has not ended), whatever its status: every task but the oldest few.
        retention = self.config.retention_seconds
        if task.cancelled_at is None and now - task.created < retention:
            return False
        return now - task.ends_at >= retention and task.finished_at(now)

    def task_detail(self, user_id: str, task_id: str) -> dict[str, Any]:
        """GET /v1/tasks/{task_id} for `user_id`."""
        now = self.now()
        return self._readable_task(user_id, task_id, now).detail(now)

    def task_detail_json(self, user_id: str, task_id: str, now: float | None = None) -> bytes:
        """GET /v1/tasks/{task_id} for `user_id`, as the body bytes the app sends.

        `now`: the mock's time the request is answered at (the app reads it once a request).
        A fixed task of the caller's (the fixtures, control-made music tasks) is found in
        one step; everything else goes through `_readable_task`.
        """
        if now is None:
            now = self.now()
        task = self._fixed.get(task_id)
        if task is None or task.owner != user_id:
            task = self._readable_task(user_id, task_id, now)
        return task.detail_json(now)

    def _readable_task(self, user_id: str, task_id: str, now: float) -> Task:
        """The task `user_id` asked for, or the 400/403/404 that refuses the read.

        Looked up first: every stored id has the upstream format (fixtures and `_new_task_id`
        make no other), so only an id not found needs its format checked for the 400.
        """
        task = self._lookup(task_id, now)
        if task is not None:
            if task.owner != user_id:
                raise permission_denied()
            return task
        if not task_id.startswith("task-unified-"):
            raise invalid_task_id("Invalid task ID format, must start with 'task-unified-'")
        if TASK_ID_PATTERN.fullmatch(task_id) is None:
            raise invalid_task_id(
                "Invalid task ID format, expected task-unified-<unix seconds>-<8 lowercase "
                "letters or digits>"
            )
        raise task_not_found()

    # --- creating personas --------------------------------------------------------------

    def _new_task_id(self, now: float) -> str:
        pairs = _ID_PAIRS
        seconds = int(now)
        prefix = self._id_prefix
        if prefix[0] != seconds:  # one string per second of the clock, not per creation
            prefix = self._id_prefix = (seconds, f"task-unified-{seconds}-")
        while True:
            high, low = divmod(self._random.getrandbits(64) % _ID_SPACE, 1679616)
            task_id = (
                f"{prefix[1]}{pairs[low % 1296]}{pairs[low // 1296]}"
                f"{pairs[high % 1296]}{pairs[high // 1296]}"
            )
            if task_id not in self._fixed and task_id not in self._recent:
                return task_id

    def _source_for(self, user_id: str, request: PersonaRequest, now: float) -> Task:
        """The music task a persona request names, or the 400 that says why it cannot be."""
        source_id = request.source_task_id
        source = self._fixed.get(source_id)
        if (
            source is not None
            and source.owner == user_id
            and source.fixed_status == "completed"
            and source.model != "suno-persona"
            and (model_version(source.model) or 0.0) >= 4
        ):  # a fixed completed music task of the caller's: the usual source, taken at once
            return source
        source = self._lookup(source_id, now)
        if source is None or source.owner != user_id:
            raise invalid_request(
                f"Source task does not exist or does not belong to the current user: {source_id}",
                "model_params.source_task_id",
            )
        param = "model_params.source_task_id"
        if source.model == "suno-persona":
            raise invalid_request(
                f"Cannot create a persona from a suno-persona task: {source_id}", param
            )
        status = source.fixed_status or source.view(now).status  # a music task's is fixed
        if status != "completed":
            raise invalid_request(
                f"Source task {source_id} is not completed (status: {status})", param
            )
        version = model_version(source.model)
        if version is None or version < 4:
            raise invalid_request(
                f"Source task model {source.model} is not supported: persona creation needs "
                "suno-v4 or above",
                param,
            )
        return source

    def create_persona(self, user_id: str, request: PersonaRequest) -> dict[str, Any]:
        """POST /v1/audios/generations: check the server-side rules, reserve, start a task."""
        task = self._start_persona(user_id, request)
        return _created_body(task, task.created, self.config.credits_per_creation)

    def create_persona_json(self, user_id: str, request: PersonaRequest) -> bytes:
        """`create_persona`, answered as the body bytes the app sends (the same JSON).

        The task id goes in unescaped: `_new_task_id` makes it of lowercase letters, digits
        and dashes. Everything after it comes from `fresh_tail`, built once per config and fate.
        """
        task = self._start_persona(user_id, request)
        config, tails = self._fresh_tails
        if config is not self.config:
            config, tails = self._fresh_tails = (self.config, {})
        fails = task.error_code is not None
        tail = tails.get(fails)
        if tail is None:
            tail = tails[fails] = fresh_tail(task, orjson.dumps(config.credits_per_creation))
        seconds = int(task.created)
        head = self._answer_head
        if head[0] != seconds:  # `{"created":<seconds>,"id":"`, once per second of the clock
            head = self._answer_head = (seconds, b'{"created":%d,"id":"' % seconds)
        return head[1] + task.task_id.encode() + tail

    def _start_persona(self, user_id: str, request: PersonaRequest) -> Task:
        """The rules, the reservation and the stored task of one persona creation.

        The new task's `created` is the moment it was made (the answer's "now").
        """
        config = self.config
        with self._lock:
            now = self.now()
            source = self._source_for(user_id, request, now)
            index = source.song_slots().get(request.result_id)
            if index is None:
                raise _not_a_song(source, request.result_id)
            claims = source.claims
            if claims is None:  # a music task made without claim slots: give it some
                claims = source.claims = [None] * len(source.songs)
            claim = claims[index]
            holder = None if claim is None else self._holder(claim, now)
            if holder is not None:
                named = "" if holder is FORGOTTEN_HOLDER else f" (task {holder})"
                raise invalid_request(
                    f"A persona was already created from result_id {request.result_id}"
                    f"{named}; each song can only create one persona",
                    "model_params.result_id",
                )
            user = self.users[user_id]
            if user.credits < config.credits_per_creation:
                raise insufficient_quota("Insufficient quota. Please top up your account.")
            user.credits -= config.credits_per_creation
            draw = self._random
            fails = draw.random() < config.failure_rate
            # Drawn in this order (id, fate, persona id): a seed gives the same run as before.
            task_id = self._new_task_id(now)
            error_code = draw.choice(_FAILURE_CODES) if fails else None
            # 32 lowercase hex digits, as f"{n:032x}" writes them, at half its cost.
            persona_id = draw.getrandbits(128).to_bytes(16, "big").hex()
            task = PersonaTask(
                task_id,
                user_id,
                now,
                error_code,
                persona_id,
                source.task_id,
                # The song's own string, not the request's copy: nothing new per creation.
                source.songs[index].result_id,
                index,
                config.persona_duration,
                config.pending_share,
            )
            self._recent[task_id] = task
            self._personas[persona_id] = task_id
            claims[index] = task_id  # the task's own id object: a slot, no new entry
            self._forget_old(now)
        return task

    # --- generating music -------------------------------------------------------------

    def _persona_for(self, user_id: str, persona_id: str, now: float) -> Task:
        """The persona a music request applies: it exists, is the caller's, is completed."""
        task_id = self._personas.get(persona_id)
        task = None if task_id is None else self._lookup(task_id, now)
        if task is None or task.owner != user_id:
            raise invalid_request(
                f"Persona does not exist or does not belong to the current user: {persona_id}",
                "persona_id",
            )
        status = task.view(now).status
        if status != "completed":
            raise invalid_request(
                f"Persona {persona_id} is not ready: its task {task.task_id} is {status}",
                "persona_id",
            )
        return task

    def create_music(self, user_id: str, request: MusicRequest) -> dict[str, Any]:
        """POST /v1/audios/generations with a music model: persona check, reserve, start."""
        config = self.config
        with self._lock:
            now = self.now()
            if request.persona_id is not None:
                self._persona_for(user_id, request.persona_id, now)
            user = self.users[user_id]
            price = credits_for(request.model)
            if user.credits < price:
                raise insufficient_quota("Insufficient quota. Please top up your account.")
            user.credits -= price
            fails = self._random.random() < config.failure_rate
            task_id = self._new_task_id(now)
            titles = song_titles(request)
            songs = tuple(
                FixtureSong(
                    fixtures.song_id(task_id, n),
                    title,
                    float(request.duration) if request.duration else 150.0 + 17.5 * n,
                    request.style or "ai generated",
                )
                for n, title in enumerate(titles)
            )
            task = Task(
                task_id=task_id,
                owner=user_id,
                model=request.model,
                created=now,
                error_code=self._random.choice(_FAILURE_CODES) if fails else None,
                songs=songs,
                claims=[None] * len(songs),
                duration=config.music_duration,
                pending_share=config.pending_share,
                persona_id=request.persona_id,
                callback_url=request.callback_url,
            )
            self._recent[task_id] = task
            task.song_slots()  # the song index, made with the songs (not per creation)
            self._forget_old(now)
        if request.callback_url is not None:
            self.callbacks.register(task_id, user_id, request.callback_url, task.ends_at)
        return _created_body(task, now, price)

    def _terminal_body(self, task_id: str) -> dict[str, Any] | None:
        """The task-detail body of an ended task, for its callback (None while it runs)."""
        now = self.now()
        task = self._find(task_id)
        if task is None or not task.finished_at(now):
            return None
        return task.detail(now)

    def cancel_task(self, task_id: str) -> Task:
        """End an API-made task now as `cancelled` (control API); ValueError if it cannot."""
        with self._lock:
            now = self.now()
            task = self._recent.get(task_id)
            if task is None:
                raise ValueError(f"no cancellable task {task_id} (only tasks made through the API)")
            status = task.view(now).status
            if status not in ("pending", "processing"):
                raise ValueError(f"task {task_id} has already ended ({status})")
            task.cancelled_at = now
        self.callbacks.reschedule(task_id, now)
        self.callbacks.poke()
        return task

    def _forget_old(self, now: float) -> None:
        """Drop finished tasks past retention, and the oldest beyond the count bound."""
        recent = self._recent
        while len(recent) > self.config.retention_max_tasks:
            self._release(recent.popitem(last=False)[1], now)
        while recent:
            if not self._expired(next(iter(recent.values())), now):
                break
            self._release(recent.popitem(last=False)[1], now)

    def _find(self, task_id: str) -> Task | None:
        return self._recent.get(task_id) or self._fixed.get(task_id)

    def _holder(self, claim: str | None, now: float) -> str | None:
        """Who holds a song, given its claim slot: a task id, FORGOTTEN_HOLDER or None.

        A retained holder that has failed does not hold the song (a failure frees it).
        """
        if claim is None or claim is FORGOTTEN_HOLDER:
            return claim
        holder = self._find(claim)
        if holder is not None and holder.view(now).status in ("failed", "cancelled"):
            return None
        return claim

    def _release(self, task: Task, now: float) -> None:
        """A forgotten task keeps its song claimed unless it fails (a failure frees the song).

        The claim slot stops naming the task (its id is freed with it): the song is then held
        by the shared FORGOTTEN_HOLDER, so a claim costs no memory once its task is gone.
        A task evicted by the count bound before it finished is judged by its fate, decided
        at creation (`error_code`), not by its status at the moment it is dropped.
        Its persona goes with it: a forgotten persona task cannot be found to apply anyway.
        """
        if task.persona_id is not None and task.model == "suno-persona":
            self._personas.pop(task.persona_id, None)
        if task.source_task_id is None or task.source_index < 0:
            return
        source = self._find(task.source_task_id)
        claims = None if source is None else source.claims
        if claims is None or claims[task.source_index] != task.task_id:
            return
        freed = task.error_code is not None or task.cancelled_at is not None
        claims[task.source_index] = None if freed else FORGOTTEN_HOLDER

    # --- control ------------------------------------------------------------------------

    def user_for(self, who: str) -> User:
        """A user by id or API key (control API convenience); KeyError if unknown."""
        if who in self.users:
            return self.users[who]
        user_id = self.authenticate(who.encode())
        if user_id is None:
            raise KeyError(who)
        return self.users[user_id]

    def set_credits(self, who: str, credits: float) -> User:
        with self._lock:
            user = self.user_for(who)
            user.credits = credits
            return user

    def add_music_task(
        self,
        who: str,
        *,
        model: str = "suno-v4.5-beta",
        status: str = "completed",
        songs: int | Iterable[str] = 2,
        legacy_result_list: bool = False,
        error_code: str | None = None,
    ) -> Task:
        """Give a user a new music task (fixed status) with songs; returns it."""
        if status not in ("completed", "processing", "pending", "failed"):
            raise ValueError(
                f"status must be completed, processing, pending or failed, not {status}"
            )
        with self._lock:
            user = self.user_for(who)
            now = self.now()
            task_id = self._new_task_id(now)
            titles = (
                [f"Song {n + 1}" for n in range(songs)] if isinstance(songs, int) else list(songs)
            )
            made = tuple(
                FixtureSong(fixtures.song_id(task_id, n), title, 120.0 + 10 * n, "pop")
                for n, title in enumerate(titles)
            )
            kept = made if status == "completed" else ()
            task = Task(
                task_id=task_id,
                owner=user.user_id,
                model=model,
                created=now,
                fixed_status=status,
                fixed_progress={"completed": 100, "failed": 100, "processing": 50}.get(status, 0),
                songs=kept,
                # One claim slot per song, allocated with it: claiming then costs nothing.
                claims=[None] * len(kept) if kept else None,
                legacy_result_list=legacy_result_list,
                error_code=(error_code or "service_error") if status == "failed" else None,
            )
            self._fixed[task_id] = task
            task.song_slots()  # the song index, made with the songs (not per creation)
            return task

    def snapshot(self) -> dict[str, Any]:
        """A summary for the control API (no keys), taken under the lock: one moment's state."""
        with self._lock:
            return {
                "now": self.now(),
                "users": {u.user_id: {"credits": u.credits} for u in self.users.values()},
                "tasks": {"fixed": len(self._fixed), "recent": len(self._recent)},
                "faults": self.faults.state(),
                "rate_limit": {
                    "limit": self.rate_limiter.limit,
                    "window": self.rate_limiter.window,
                },
            }

    def record(self, entry: RequestRecord) -> None:
        self.request_log.append(entry)

    def requests(self) -> list[RequestRecord]:
        """The request log, oldest first."""
        return [RequestRecord._make(entry) for entry in list(self.request_log)]
