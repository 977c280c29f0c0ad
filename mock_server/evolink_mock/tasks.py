"""Tasks as the mock stores them, and how a task looks at a given moment.

A persona task's state is not stored but derived from the clock: it is `pending` for the
first share of its duration, then `processing` with progress rising, then `completed`
or `failed` (decided, seeded, at creation). Deriving it keeps reads lock-free and makes
progress monotonic and `estimated_time` truthful by construction.
"""

from __future__ import annotations

import functools
import json
import math
import re
from typing import Any, NamedTuple

import attrs

from .fixtures import FixtureSong

__all__ = ["TASK_ID_PATTERN", "PersonaTask", "Task", "TaskView", "model_version"]

#: Upstream task ids: `task-unified-<unix seconds>-<8 lowercase letters or digits>`.
TASK_ID_PATTERN = re.compile(r"task-unified-[0-9]{1,12}-[a-z0-9]{8}")

_VERSION = re.compile(r"^suno-v(\d+(?:\.\d+)?)")

#: What a failed persona task says, by upstream task error code.
FAILURE_MESSAGES: dict[str, str] = {
    "generation_failed_no_content": "No vocal content could be extracted from the song.",
    "service_error": "The persona service hit an internal error; try again.",
    "generation_timeout": "Persona extraction took too long and was stopped; try again.",
    "content_policy_violation": "The song was blocked by safety filters.",
}
#: What a failed music task says, by upstream task error code.
MUSIC_FAILURE_MESSAGES: dict[str, str] = {
    "generation_failed_no_content": "The model produced no audio for this request.",
    "service_error": "The music service hit an internal error; try again.",
    "generation_timeout": "Music generation took too long and was stopped; try again.",
}


@functools.lru_cache(maxsize=256)
def model_version(model: str) -> float | None:
    """The Suno version of a model name (`suno-v4.5plus-beta` -> 4.5), or None."""
    match = _VERSION.match(model)
    return float(match.group(1)) if match else None


class TaskView(NamedTuple):
    """A task as seen at one instant.

    A named tuple: one is made on every creation and most reads, and a tuple is several
    times cheaper to make than a frozen attrs instance, immutable all the same.
    """

    status: str
    progress: int
    estimated_time: int


@attrs.define(kw_only=True)
class Task:
    """A stored task: a fixture or control-made music task, or an API-made persona task."""

    task_id: str
    owner: str
    model: str
    created: float
    #: Fixed tasks keep the status they were made with; persona tasks derive it from time.
    fixed_status: str | None = None
    fixed_progress: int = 100
    songs: tuple[FixtureSong, ...] = ()
    legacy_result_list: bool = False
    error_code: str | None = None
    error_message: str | None = None
    persona_id: str | None = None
    source_task_id: str | None = None
    source_result_id: str | None = None
    #: A persona task: the index of its song in the source task's `songs`.
    source_index: int = -1
    #: A music task: per song, who holds its one persona (see `MockService` claims).
    claims: list[str | None] | None = None
    duration: float = 0.0
    pending_share: float = 0.0
    #: The encoded detail, kept once it can no longer change (see `detail_json`).
    _final_json: bytes | None = attrs.field(default=None, init=False, repr=False, eq=False)
    #: When the task was cancelled (control API), if it was; it ends then.
    cancelled_at: float | None = None
    #: A music task's callback URL, if its request gave one.
    callback_url: str | None = None
    #: Where each song sits in `songs`, by result id (see `song_slots`; the service makes it
    #: when it stores a task with songs): keyed by the songs' own strings, nothing per creation.
    _song_slots: dict[str, int] | None = attrs.field(default=None, init=False, repr=False, eq=False)

    @property
    def ends_at(self) -> float:
        planned = self.created + self.duration
        return planned if self.cancelled_at is None else min(planned, self.cancelled_at)

    def view(self, now: float) -> TaskView:
        if self.fixed_status is not None:
            return TaskView(self.fixed_status, self.fixed_progress, 0)
        if self.cancelled_at is not None and now >= self.cancelled_at:
            return TaskView("cancelled", self._running_view(self.cancelled_at).progress, 0)
        return self._running_view(now)

    def _running_view(self, now: float) -> TaskView:
        elapsed = now - self.created
        if elapsed >= self.duration:
            return TaskView("failed" if self.error_code else "completed", 100, 0)
        remaining = max(1, math.ceil(self.duration - elapsed))
        pending_for = self.duration * self.pending_share
        if elapsed < pending_for:
            return TaskView("pending", 0, remaining)
        working = self.duration - pending_for
        progress = 1 + int(98 * (elapsed - pending_for) / working) if working > 0 else 99
        return TaskView("processing", min(99, progress), remaining)

    def failed_at(self, now: float) -> bool:
        return self.view(now).status == "failed"

    def finished_at(self, now: float) -> bool:
        """Whether the task has ended at `now` (what `view` says, without building a view)."""
        if self.fixed_status is not None:
            return self.fixed_status in ("completed", "failed", "cancelled")
        if self.cancelled_at is not None and now >= self.cancelled_at:
            return True
        return now - self.created >= self.duration

    def song_slots(self) -> dict[str, int]:
        """Each song's index in `songs` by its result id (the first, were one listed twice).

        A dict rather than a search of the ids in order: finding a creation's song among its
        task's 50 was a tenth of a persona creation's rules. About 2 KiB per 50 songs.
        """
        slots = self._song_slots
        if slots is None:
            slots = {}
            for index, song in enumerate(self.songs):
                slots.setdefault(song.result_id, index)
            self._song_slots = slots
        return slots

    def _songs_json(self) -> list[dict[str, Any]]:
        return [
            {
                "result_id": song.result_id,
                "title": song.title,
                "audio_url": f"https://cdn.evolink-mock.example/audio/{song.result_id}.mp3",
                "image_url": f"https://cdn.evolink-mock.example/image/{song.result_id}.jpg",
                "tags": song.tags,
                "duration": song.duration,
            }
            for song in self.songs
        ]

    def detail_json(self, now: float) -> bytes:
        """The task-detail response body at `now`, as the JSON bytes sent.

        A task with a fixed status, or one past its end, reads the same forever: its body
        is encoded once and those bytes answer every later read (encoding a music task's
        songs was most of a task-detail read's cost).
        """
        final = self._final_json
        if final is not None:
            return final
        body = json.dumps(self.detail(now)).encode()
        if self.fixed_status is not None or now - self.created >= self.duration:
            self._final_json = body
        return body

    def _failure_messages(self) -> dict[str, str]:
        return FAILURE_MESSAGES if self.model == "suno-persona" else MUSIC_FAILURE_MESSAGES

    def detail(self, now: float) -> dict[str, Any]:
        """The task-detail response body at `now`."""
        seen = self.view(now)
        body: dict[str, Any] = {
            "created": int(self.created),
            "id": self.task_id,
            "model": self.model,
            "object": "audio.generation.task",
            "progress": seen.progress,
            "status": seen.status,
            "task_info": {"can_cancel": False, "estimated_time": seen.estimated_time},
            "type": "audio",
        }
        if seen.status == "completed":
            if self.persona_id is not None and self.model == "suno-persona":
                body["result_data"] = {"persona_id": self.persona_id}
                body["results"] = []
            else:
                songs = self._songs_json()
                body["result_data"] = songs if self.legacy_result_list else {"songs": songs}
                body["results"] = [song["audio_url"] for song in songs]
        elif seen.status == "failed":
            code = self.error_code or "unknown_error"
            known = self._failure_messages().get(code, "The task failed.")
            body["error"] = {
                "code": code,
                "message": self.error_message or known,
                "type": "task_error",
            }
        return body


class PersonaTask(Task):
    """A persona task made through the API: a `Task` that sets only what varies per creation.

    One is made on every creation, and `Task`'s generated initializer (21 fields by keyword)
    was the single largest step of a creation's own work. The fields every persona task
    shares are class attributes here: a class attribute found earlier in the MRO than
    `Task`'s slot of the same name answers every read, so those slots stay empty. Nothing
    assigns them on a persona task (they are read-only on it); the fields that change
    after creation (`cancelled_at`, the cached detail) are set here like the rest.
    """

    __slots__ = ()

    model = "suno-persona"
    fixed_status = None
    fixed_progress = 100
    songs: tuple[FixtureSong, ...] = ()
    legacy_result_list = False
    error_message = None
    claims = None
    callback_url = None

    def __init__(
        self,
        task_id: str,
        owner: str,
        created: float,
        error_code: str | None,
        persona_id: str,
        source_task_id: str,
        source_result_id: str,
        source_index: int,
        duration: float,
        pending_share: float,
    ) -> None:
        self.task_id = task_id
        self.owner = owner
        self.created = created
        self.error_code = error_code
        self.persona_id = persona_id
        self.source_task_id = source_task_id
        self.source_result_id = source_result_id
        self.source_index = source_index
        self.duration = duration
        self.pending_share = pending_share
        self.cancelled_at = None
        self._final_json = None
        self._song_slots = None
