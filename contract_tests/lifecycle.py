"""The task lifecycle as a state machine: create, poll, advance time, inject faults.

``PersonaLifecycle`` drives an in-process mock on its ManualClock (time moves only when
a rule says so: no sleeping) and holds the invariants of the spec's prose after every
step: every read of a task is held to the invariants of ``invariants.TaskHistory`` (the
same code the live runner's follower uses: forward only, progress never falls, a
completed persona task has a ``persona_id`` that never changes, an ended task never
changes...), a song yields at most one persona, and every response conforms to the spec.
``lifecycle_machine(make_mock)`` binds it to a mock factory, so the mutant self-test can
run the same machine against broken mocks.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Final

import hypothesis
from evolink_mock import MockConfig
from evolink_mock.faults import Fault
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    multiple,
    precondition,
    rule,
)

from . import budget
from .inprocess import InProcessMock, fresh_mock
from .invariants import TaskHistory
from .responses import schema_problem

__all__ = [
    "LIFECYCLE_CONFIG",
    "LifecycleViolation",
    "PersonaLifecycle",
    "lifecycle_machine",
    "run_lifecycle",
]

#: Short tasks, a quarter of them failing, no limits: every path is reachable in a few steps.
LIFECYCLE_CONFIG: Final = MockConfig(
    persona_duration=20.0,
    pending_share=0.25,
    failure_rate=0.25,
    seed=7,
    rate_limit=0,
    credits_per_user=1e12,
)

_CREATE_PATH: Final = "/v1/audios/generations"


class LifecycleViolation(AssertionError):
    """A broken lifecycle invariant, named so a report can say which one."""

    def __init__(self, invariant: str, message: str) -> None:
        super().__init__(f"[{invariant}] {message}")
        self.invariant = invariant


def _hold(invariant: str, condition: object, message: str) -> None:
    if not condition:
        raise LifecycleViolation(invariant, message)


class PersonaLifecycle(RuleBasedStateMachine):
    """Rules over one mock; subclasses set ``make_mock``."""

    make_mock: Callable[[], InProcessMock] = staticmethod(lambda: fresh_mock(LIFECYCLE_CONFIG))

    songs = Bundle("songs")
    tasks = Bundle("tasks")

    def __init__(self) -> None:
        super().__init__()
        self.mock = self.make_mock()
        self.http = self.mock.http()
        self.seen: dict[str, TaskHistory] = {}
        self.holders: dict[str, list[str]] = {}  # song -> persona tasks accepted for it
        self.source_of: dict[str, str] = {}  # song -> its music task

    def teardown(self) -> None:
        self.http.close()
        self.mock.close()

    # -- talking to the mock --------------------------------------------------------------
    def _answer(self, operation: str, response: Any) -> Any:
        status = response.status_code
        if status >= 500 and not response.headers.get("content-type", "").startswith(
            "application/json"
        ):
            return None  # an injected proxy page: not the service's answer
        body = json.loads(response.content)
        problem = schema_problem(operation, status, body)
        _hold(
            "responses_conform", problem is None, f"{operation} {status} breaks the spec: {problem}"
        )
        return body

    def _create(self, song: str) -> Any:
        body = {
            "model": "suno-persona",
            "model_params": {
                "source_task_id": self.source_of[song],
                "result_id": song,
                "name": "Lifecycle",
                "description": "state machine persona",
            },
        }
        response = self.http.post(_CREATE_PATH, json=body)
        return response.status_code, self._answer("create", response)

    # -- rules ------------------------------------------------------------------------------
    @rule(target=songs)
    def new_song(self) -> str:
        source, song = self.mock.fresh_song()
        self.source_of[song] = source
        self.holders[song] = []
        return song

    @rule(target=tasks, song=songs)
    def create_persona(self, song: str) -> Any:
        for holder in self.holders[song]:
            self._observe(holder)  # a failed holder frees its song
        status, body = self._create(song)
        live = [t for t in self.holders[song] if self.seen[t].status != "failed"]
        if status == 200:
            _hold(
                "one_persona_per_song",
                not live,
                f"a second persona task {body['id']} was accepted for song {song}, "
                f"which already has {live}",
            )
            task_id = body["id"]
            _hold(
                "creation_starts_pending",
                body["status"] == "pending",
                f"a new task is {body['status']}",
            )
            self.seen[task_id] = TaskHistory(task_id, persona=True, last=body)
            self.holders[song].append(task_id)
            return task_id
        _hold("creation_answers_200_or_400", status == 400, f"creating a persona answered {status}")
        return multiple()

    @rule(task=tasks)
    def poll(self, task: str) -> None:
        self._observe(task)

    def _observe(self, task: str) -> None:
        response = self.http.get(f"/v1/tasks/{task}")
        _hold(
            "tasks_stay_readable",
            response.status_code == 200,
            f"polling {task} answered {response.status_code}",
        )
        body = self._answer("detail", response)
        for problem in self.seen[task].observe(body):
            raise LifecycleViolation(problem.invariant, problem.message)

    @rule(seconds=st.sampled_from([0.5, 1.0, 2.5, 4.0, 7.0, 15.0]))
    def advance_time(self, seconds: float) -> None:
        self.mock.service.advance(seconds)

    @precondition(lambda self: bool(self.seen))
    @rule(task=tasks, mode=st.sampled_from(["429", "500", "503"]))
    def poll_through_a_fault(self, task: str, mode: str) -> None:
        """A fault answers instead of the service; it must not look like a state change."""
        self.mock.service.faults.queue(Fault(mode))
        response = self.http.get(f"/v1/tasks/{task}")
        _hold(
            "faults_answer_as_asked",
            response.status_code == int(mode),
            f"fault {mode} answered {response.status_code}",
        )
        self._answer("detail", response)

    @rule(task=consumes(tasks))
    def forget(self, task: str) -> None:
        """Stop tracking a task (keeps the bundle small); its song keeps its holder."""

    @invariant()
    def one_persona_per_song(self) -> None:
        for song, holders in self.holders.items():
            alive = [t for t in holders if self.seen[t].status != "failed"]
            _hold(
                "one_persona_per_song",
                len(alive) <= 1,
                f"song {song} has {len(alive)} live persona tasks: {alive}",
            )


def lifecycle_machine(make_mock: Callable[[], InProcessMock]) -> type[PersonaLifecycle]:
    """The lifecycle machine bound to a mock factory (a mutant's, in the self-test)."""
    return type("PersonaLifecycleOn", (PersonaLifecycle,), {"make_mock": staticmethod(make_mock)})


def run_lifecycle(machine: type[PersonaLifecycle], *, runs: int = budget.LIFECYCLE_RUNS) -> None:
    """Run the machine ``runs`` times (seeded); raise with the minimal failing steps."""
    hypothesis.stateful.run_state_machine_as_test(
        machine,
        settings=hypothesis.settings(
            max_examples=runs,
            stateful_step_count=budget.LIFECYCLE_STEPS,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        ),
    )
