"""Music tasks as a state machine: generate, poll, cancel, make personas, use them, call back.

``MusicLifecycle`` drives an in-process mock on its ManualClock and a real callback receiver
on loopback, and holds the invariants of the music document's prose after every step:

- a music task only moves forward (pending -> processing -> completed | failed | cancelled),
  its progress never falls, and once completed it lists songs with uuid ``result_id``s that
  never change and that persona creation accepts;
- a persona applied must exist, be completed and belong to the caller;
- callbacks: none before the task ends; once it has ended, one delivery (a 2xx) at most,
  at most 1 + 3 attempts, none after a 2xx, retries no sooner than the mock's stated delays,
  every body the task's detail (status terminal, conforming to the task-detail schema), and
  every attempt the receiver saw listed by the control API.

Each violation is named (``LifecycleViolation.invariant``) so the mutant self-test can say
which check caught a break. ``music_lifecycle_machine(make_mock)`` binds a mock factory.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any, Final

import attrs
import httpx
import hypothesis
from evolink_mock import MockConfig
from evolink_mock import fixtures as mock_fixtures
from evolink_mock.handle import SyncASGITransport
from evolink_mock.receiver import CallbackReceiver
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, precondition, rule

from . import budget
from .inprocess import InProcessMock, fresh_mock
from .invariants import NEXT_STATUSES, completed_songs_problem
from .lifecycle import LifecycleViolation
from .responses import schema_problem

__all__ = [
    "CALLBACK_PLANS",
    "MUSIC_LIFECYCLE_CONFIG",
    "MusicLifecycle",
    "callback_body_problem",
    "music_lifecycle_machine",
    "run_music_lifecycle",
]

#: Short tasks (music 8 s, persona 4 s), a fifth failing, callbacks to loopback, attempts
#: of at most 2 s: every path, retries included, is reachable in a few steps.
MUSIC_LIFECYCLE_CONFIG: Final = MockConfig(
    music_duration=8.0,
    persona_duration=4.0,
    pending_share=0.25,
    failure_rate=0.2,
    seed=11,
    rate_limit=0,
    credits_per_user=1e12,
    callback_mode="test",
    callback_timeout=2.0,
)
#: The vendor's rules: "Up to `3` retries after the initial request fails".
MAX_ATTEMPTS: Final = 4
#: How a task's receiver answers: None (no callback_url), or how many 500s before a 200.
CALLBACK_PLANS: Final = (None, 0, 1, 3, 9)
_TERMINAL: Final = frozenset({"completed", "failed", "cancelled"})
_CREATE: Final = "/v1/audios/generations"
_ADMIN: Final = "X-Mock-Admin-Token"


def _hold(invariant: str, condition: object, message: str) -> None:
    if not condition:
        raise LifecycleViolation(invariant, message)


@attrs.define
class SeenMusic:
    """What the machine last saw of one music task."""

    plan: int | None
    path: str | None = None
    status: str = "pending"
    progress: int = 0
    songs: tuple[str, ...] = ()
    persona_made: bool = False


def _answer_by_plan(path: str, nth: int) -> int:
    """``/cb/<n>/<failures>``: answer 500 to the first <failures> POSTs, then 200."""
    failures = int(path.rsplit("/", 1)[-1])
    return 500 if nth <= failures else 200


class MusicLifecycle(RuleBasedStateMachine):
    """Rules over one mock and one receiver; subclasses set ``make_mock``."""

    make_mock: Callable[[], InProcessMock] = staticmethod(
        lambda: fresh_mock(MUSIC_LIFECYCLE_CONFIG)
    )

    tasks = Bundle("music_tasks")

    def __init__(self) -> None:
        super().__init__()
        self.mock = self.make_mock()
        # One transport (one event loop thread) for the whole run, shut down in teardown.
        self.transport = SyncASGITransport(self.mock.app)
        self.http = self._client(self.mock.api_key)
        self.second_http = self._client(self.mock.second_api_key)
        self.receiver = CallbackReceiver(answer=_answer_by_plan).__enter__()
        self.seen: dict[str, SeenMusic] = {}
        self.personas: list[str] = []  # persona tasks this machine created
        self.count = 0

    def teardown(self) -> None:
        """Let every task end and every retry fall due, then hold the callbacks to the end."""
        try:
            self._check_callbacks()
            for _ in range(6):  # 24 s: past the longest task and all three retry delays
                self.mock.service.advance(4.0)
                self.mock.service.callbacks.settle(10.0)
            self._check_callbacks(final=True)
        finally:
            self.http.close()
            self.second_http.close()
            self.transport.shutdown()
            self.mock.service.callbacks.close()
            self.receiver.__exit__(None, None, None)

    # -- talking to the mock --------------------------------------------------------------
    def _client(self, api_key: str) -> httpx.Client:
        return httpx.Client(
            transport=self.transport,
            base_url=self.mock.base_url,
            headers={"Authorization": f"Bearer {api_key}"},
        )

    def _control(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {_ADMIN: self.mock.service.config.admin_token}
        return self.http.request(method, f"/_mock/{path}", headers=headers, **kwargs)

    def _answer(self, operation: str, response: Any) -> Any:
        body = json.loads(response.content)
        problem = schema_problem(operation, response.status_code, body)
        _hold(
            "responses_conform",
            problem is None,
            f"{operation} {response.status_code} breaks the spec: {problem}",
        )
        return body

    def _detail(self, task_id: str) -> Any:
        response = self.http.get(f"/v1/tasks/{task_id}")
        _hold(
            "tasks_stay_readable",
            response.status_code == 200,
            f"reading {task_id} answered {response.status_code}",
        )
        return self._answer("detail", response)

    # -- rules ----------------------------------------------------------------------------
    @rule(target=tasks, plan=st.sampled_from(CALLBACK_PLANS))
    def generate(self, plan: int | None) -> Any:
        self.count += 1
        body: dict[str, Any] = {"model": "suno-v5-beta", "prompt": f"song {self.count}"}
        path = None if plan is None else f"/cb/{self.count}/{plan}"
        if path is not None:
            body["callback_url"] = f"{self.receiver.base}{path}"
        response = self.http.post(_CREATE, json=body)
        _hold(
            "music_creation_accepted",
            response.status_code == 200,
            f"a valid music request answered {response.status_code}: {response.text[:200]}",
        )
        created = self._answer("create", response)
        _hold(
            "creation_starts_pending",
            created["status"] == "pending",
            f"a new music task is {created['status']}",
        )
        self.seen[created["id"]] = SeenMusic(plan=plan, path=path)
        if path is not None:
            self.mock.service.callbacks.settle(10.0)
            early = [r.answered for r in self.receiver.received if r.path == path]
            _hold(
                "callback_only_after_the_end",
                not early,
                f"task {created['id']} was just created, yet its callback was sent ({early})",
            )
        return created["id"]

    @rule(seconds=st.sampled_from([0.5, 1.0, 2.0, 4.0, 8.0]))
    def advance_time(self, seconds: float) -> None:
        self.mock.service.advance(seconds)

    @rule(task=tasks)
    def poll(self, task: str) -> None:
        self._observe(task)

    def _observe(self, task: str) -> SeenMusic:
        body = self._detail(task)
        before = self.seen[task]
        status, progress = body["status"], body["progress"]
        _hold(
            "legal_transitions",
            status in NEXT_STATUSES[before.status],
            f"music task {task} went from {before.status} to {status}",
        )
        _hold(
            "progress_never_falls",
            progress >= before.progress,
            f"music task {task} progress fell from {before.progress} to {progress}",
        )
        result = body.get("result_data")
        songs: tuple[str, ...] = ()
        if status == "completed":
            problem = completed_songs_problem(body)
            _hold("music_completed_has_uuid_songs", problem is None, str(problem))
            listed = result.get("songs") if isinstance(result, dict) else result
            songs = tuple(str(song.get("result_id")) for song in listed or ())
            _hold(
                "music_songs_never_change",
                not before.songs or before.songs == songs,
                f"the songs of {task} changed from {before.songs} to {songs}",
            )
        else:
            _hold(
                "music_result_only_when_completed",
                result is None,
                f"{status} music task {task} has result_data",
            )
        seen = SeenMusic(before.plan, before.path, status, progress, songs, before.persona_made)
        self.seen[task] = seen
        return seen

    @rule(task=tasks)
    def cancel(self, task: str) -> None:
        if self.seen[task].status in _TERMINAL:
            return
        response = self._control("POST", "tasks/cancel", json={"task_id": task})
        if response.status_code == 200:  # it may have ended since it was last seen
            self._observe(task)

    @rule(task=tasks)
    def persona_from_a_song(self, task: str) -> None:
        """Let the task end, make a persona from its first song, and apply it at once."""
        seen = self._observe(task)
        if seen.status not in _TERMINAL:
            self.mock.service.advance(self.mock.service.config.music_duration)
            seen = self._observe(task)
        if seen.status != "completed" or seen.persona_made:
            return
        body = {
            "model": "suno-persona",
            "model_params": {
                "source_task_id": task,
                "result_id": seen.songs[0],
                "name": "Machine",
                "description": "made from a generated song",
            },
        }
        response = self.http.post(_CREATE, json=body)
        _hold(
            "music_songs_feed_persona_creation",
            response.status_code == 200,
            f"persona creation from song {seen.songs[0]} of {task} answered "
            f"{response.status_code}: {response.text[:200]}",
        )
        seen.persona_made = True
        persona_task = self._answer("create", response)["id"]
        self.personas.append(persona_task)
        status = self._apply(self.mock.service._recent[persona_task].persona_id)
        _hold(
            "persona_must_be_completed",
            status == 400,
            f"the persona of the just-created (pending) task {persona_task} was accepted",
        )

    @precondition(lambda self: bool(self.personas))
    @rule(index=st.integers(0, 50))
    def apply_a_persona_of_the_machine(self, index: int) -> None:
        persona_task = self.personas[index % len(self.personas)]
        detail = self._detail(persona_task)
        persona_id = self.mock.service._recent[persona_task].persona_id
        status = self._apply(persona_id)
        if detail["status"] == "completed":
            _hold(
                "completed_persona_applies",
                status == 200,
                f"the caller's completed persona {persona_id} was refused ({status})",
            )
        else:
            _hold(
                "persona_must_be_completed",
                status == 400,
                f"persona {persona_id} of a {detail['status']} task was accepted ({status})",
            )

    @rule(who=st.sampled_from(["owner", "second user", "unknown"]))
    def apply_the_fixture_persona(self, who: str) -> None:
        if who == "unknown":
            status = self._apply("0" * 32)
            _hold("persona_must_exist", status == 400, f"an unknown persona answered {status}")
            return
        status = self._apply(mock_fixtures.DEMO_PERSONA_ID, second_user=who == "second user")
        if who == "owner":
            _hold("completed_persona_applies", status == 200, f"the owner got {status}")
        else:
            _hold(
                "persona_must_belong_to_caller",
                status == 400,
                f"another user's persona was accepted for the second user ({status})",
            )

    def _apply(self, persona_id: str | None, *, second_user: bool = False) -> int:
        body = {
            "model": "suno-v5-beta",
            "custom_mode": True,
            "style": "pop",
            "title": "With a persona",
            "prompt": "[Verse] la",
            "persona_id": persona_id,
            "persona_model": "voice_persona",
        }
        http = self.second_http if second_user else self.http
        response = http.post(_CREATE, json=body)
        self._answer("create", response)
        status: int = response.status_code
        return status

    @rule()
    def check_callbacks(self) -> None:
        self._check_callbacks()

    # -- callbacks --------------------------------------------------------------------------
    def _check_callbacks(self, *, final: bool = False) -> None:
        service = self.mock.service
        service.callbacks.settle(10.0)
        listed = self._control("GET", "callbacks").json()["callbacks"]
        by_task = {c["task_id"]: c for c in listed}
        received = self.receiver.received
        delays = service.config.callback_retry_delays
        for task_id, seen in self.seen.items():
            plan = seen.plan
            if plan is None:
                continue
            posts = [r for r in received if r.path == seen.path]
            seen = self._observe(task_id)
            ended = seen.status in _TERMINAL
            if not ended:
                _hold(
                    "callback_only_after_the_end",
                    not posts,
                    f"task {task_id} is {seen.status} yet its callback was sent",
                )
                continue
            _hold(
                "callback_once_per_ended_task",
                posts,
                f"task {task_id} ended ({seen.status}) and no callback was sent",
            )
            answered = [p.answered for p in posts]
            delivered = [a for a in answered if 200 <= a < 300]
            _hold(
                "callback_once_per_ended_task",
                len(delivered) <= 1,
                f"task {task_id} got {len(delivered)} delivered callbacks: {answered}",
            )
            _hold(
                "callback_retries_follow_the_rules",
                len(posts) <= MAX_ATTEMPTS,
                f"task {task_id}'s callback was tried {len(posts)} times: {answered}",
            )
            _hold(
                "callback_retries_follow_the_rules",
                not delivered or 200 <= answered[-1] < 300,
                f"task {task_id}'s callback was sent again after a 2xx: {answered}",
            )
            _hold(
                "callback_retries_follow_the_rules",
                all(a == 500 for a in answered[:plan]),
                f"task {task_id}'s receiver answers 500 {plan} times, yet: {answered}",
            )
            for post in posts:
                problem = callback_body_problem(task_id, seen.status, post.body)
                _hold("callback_body_is_the_task_detail", problem is None, str(problem))
            record = by_task.get(task_id)
            _hold(
                "callback_attempts_are_visible",
                record is not None and len(record["attempts"]) == len(posts),
                f"task {task_id}: the receiver got {len(posts)} POSTs, the control API lists "
                f"{None if record is None else len(record['attempts'])}",
            )
            assert record is not None
            _hold(
                "callback_attempts_are_visible",
                [a["status"] for a in record["attempts"]] == answered,
                f"task {task_id}: the receiver answered {answered}, the control API lists "
                f"{[a['status'] for a in record['attempts']]}",
            )
            if not delivered and len(posts) < MAX_ATTEMPTS:
                planned = record["next_attempt_at"]
                _hold(
                    "callback_retries_follow_the_rules",
                    planned is not None and planned > service.now(),
                    f"task {task_id}'s callback failed {len(posts)} time(s) and no retry is "
                    f"due later: {answered}, next attempt {planned}",
                )
            times = [a["at"] for a in record["attempts"]]
            gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
            _hold(
                "callback_retries_follow_the_rules",
                all(gap >= delay for gap, delay in zip(gaps, delays, strict=False)),
                f"task {task_id}'s retries came after {gaps} s, sooner than {delays}",
            )
            if final:  # every retry has fallen due: the whole story is known
                expected = [500] * min(plan, MAX_ATTEMPTS) + ([200] if plan < MAX_ATTEMPTS else [])
                invariant = (
                    "callback_once_per_ended_task"
                    if len(delivered) > 1
                    else "callback_retries_follow_the_rules"
                )
                _hold(
                    invariant,
                    answered == expected,
                    f"task {task_id}'s receiver fails {plan} time(s): the attempts should be "
                    f"answered {expected}, they were {answered}",
                )


def callback_body_problem(task_id: str, status: str | None, content: bytes) -> str | None:
    """A callback's body is the ended task's detail: it conforms to the task-detail schema,
    names the task and says the status a read shows; None when it does."""
    try:
        body = json.loads(content)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return f"callback of {task_id} is not a JSON object: {content[:100]!r}"
    problem = schema_problem("detail", 200, body)
    if problem is not None or body.get("id") != task_id:
        return f"callback of {task_id} is not its task detail: {problem or body.get('id')}"
    if body.get("status") != status:
        return f"callback of {task_id} says {body.get('status')}, the task is {status}"
    return None


def music_lifecycle_machine(make_mock: Callable[[], InProcessMock]) -> type[MusicLifecycle]:
    """The machine bound to a mock factory (a mutant's, in the self-test)."""
    return type("MusicLifecycleOn", (MusicLifecycle,), {"make_mock": staticmethod(make_mock)})


def run_music_lifecycle(
    machine: type[MusicLifecycle],
    *,
    runs: int = budget.MUSIC_LIFECYCLE_RUNS,
    shrink: bool = True,
) -> None:
    """Run the machine ``runs`` times (seeded); raise with the (minimal) failing steps."""
    phases = list(hypothesis.Phase) if shrink else [hypothesis.Phase.generate]
    hypothesis.stateful.run_state_machine_as_test(
        machine,
        settings=hypothesis.settings(
            phases=phases,
            max_examples=runs,
            stateful_step_count=budget.MUSIC_LIFECYCLE_STEPS,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        ),
    )
