"""Follow tasks on a live server to their end, holding every read to the lifecycle invariants.

Every task the live runner creates is entered in a ``TaskLedger`` (with its creation
response as its first sight), and every task named with ``--task-id`` too. A
``Follower`` reads them, each at most once per poll interval, between the run's other
requests and then on its own, until each has ended and been read once more (an ended
task must not change), or, for a task the user named that is still running, until it has
been read a few times; a deadline bounds the whole. Each read goes through every
schemathesis check, and through ``invariants.TaskHistory``, whose invariants are tallied
as ``lifecycle.<name>``. A task stops being followed at its first broken invariant: the
finding is made, and a server that answers the wrong task cannot keep the run busy.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from typing import Any, Final

import attrs
import requests
from schemathesis import Case, CheckFunction
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.schemas import OpenApiSchema

from .deadline import RunDeadline
from .invariants import INVARIANTS, TaskHistory
from .probing import SERVER_ANSWERS, CheckRun, CheckTally, judge_response
from .spec import TASK_OPERATION

__all__ = [
    "END_BY_DEADLINE",
    "GIVEN_TASK_READS",
    "LIFECYCLE_CHECKS",
    "STAYS_READABLE",
    "Follower",
    "TaskLedger",
]

STAYS_READABLE: Final = "lifecycle.tasks_stay_readable"
END_BY_DEADLINE: Final = "lifecycle.created_tasks_end_by_the_deadline"
#: Every tally ``follow`` keeps, in report order.
LIFECYCLE_CHECKS: Final = (
    *(f"lifecycle.{name}" for name, _ in INVARIANTS),
    STAYS_READABLE,
    END_BY_DEADLINE,
)
#: Reads of a task the user named that has not ended (it may never end: a stuck task).
GIVEN_TASK_READS: Final = 3
#: Reads of a task once it has ended: the first ended read and one to compare it with.
_ENDED_READS: Final = 2
#: Statuses after which a task is read again later rather than given up on.
_TRY_AGAIN: Final = frozenset({429, 500, 502, 503, 504})


@attrs.define
class _Followed:
    history: TaskHistory
    created: bool
    ended_reads: int = 0
    done: bool = False


@attrs.define
class TaskLedger:
    """The tasks a run must follow: those it created and those the user named."""

    tasks: dict[str, _Followed] = attrs.field(factory=dict)

    def created(self, task_id: str, creation: Any, *, persona: bool = True) -> None:
        """A task this run created (a persona task unless ``persona`` is False: music);
        its creation response is the first sight of it."""
        if task_id not in self.tasks:
            last = creation if isinstance(creation, dict) else None
            history = TaskHistory(task_id, persona=persona, music=not persona, last=last)
            self.tasks[task_id] = _Followed(history, True)

    def given(self, task_id: str) -> None:
        """A task the user named (of any kind)."""
        if task_id not in self.tasks:
            self.tasks[task_id] = _Followed(TaskHistory(task_id, persona=False), False)

    def record_creation(
        self, response_status: int, content: bytes, *, persona: bool = True
    ) -> None:
        """Enter the task an accepted creation answered with, if it names one."""
        if response_status != 200:
            return
        try:
            body = json.loads(content)
        except ValueError:
            return
        task_id = body.get("id") if isinstance(body, dict) else None
        if isinstance(task_id, str) and task_id:
            self.created(task_id, body, persona=persona)

    @property
    def created_count(self) -> int:
        return sum(1 for task in self.tasks.values() if task.created)


def _retry_after(response: Any) -> float:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "1")))
    except (TypeError, ValueError):
        return 1.0


def _task_operation(schema: OpenApiSchema) -> Any:
    for result in schema.get_all_operations():
        if isinstance(result, Ok) and result.ok().label == TASK_OPERATION:
            return result.ok()
    raise LookupError(f"the spec has no {TASK_OPERATION}")


class Follower:
    """Reads the ledger's tasks, each at most once per ``interval``, from the moment they
    are entered: ``tick`` between other requests (so a task is seen while it runs), then
    ``finish`` until every task is done or the deadline has passed.

    ``tallies`` (the schemathesis checks' and ``server_answers_every_request``) count
    every read too; ``lifecycle`` holds the invariants' tallies. ``session`` keeps one
    connection for every read.
    """

    def __init__(
        self,
        schema: OpenApiSchema,
        ledger: TaskLedger,
        *,
        interval: float,
        checks: Iterable[CheckFunction],
        tallies: dict[str, CheckTally],
        headers: dict[str, str] | None = None,
        session: requests.Session | None = None,
        deadline: RunDeadline | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.ledger = ledger
        self.session = session
        self._run = CheckRun({"session": session} if session is not None else None)
        self.run_deadline = deadline
        self.interval = interval
        self.checks = list(checks)
        self.tallies = tallies
        for check in self.checks:
            tallies.setdefault(check.__name__, CheckTally(check.__name__))
        self.reachable = tallies.setdefault(SERVER_ANSWERS, CheckTally(SERVER_ANSWERS))
        self.lifecycle = {name: CheckTally(name) for name in LIFECYCLE_CHECKS}
        self.headers = dict(headers or {})
        self.clock = clock
        self.sleep = sleep
        self._operation = _task_operation(schema)
        self._due: dict[str, float] = {}
        self._quiet_until = 0.0

    def tick(self) -> None:
        """Read every task that is due now (none while the server asked to wait)."""
        now = self.clock()
        if now < self._quiet_until:
            return
        for task_id, task in list(self.ledger.tasks.items()):
            if task.done or self._due.get(task_id, 0.0) > now:
                continue
            if self.run_deadline is not None and not self.run_deadline.allows():
                return
            wait = self._read(task_id, task)
            self._due[task_id] = self.clock() + self.interval
            if wait:
                self._quiet_until = self.clock() + wait
                return  # the rest would be refused too: wait as told

    def finish(self, deadline: float) -> dict[str, CheckTally]:
        """Tick until every task is done or ``deadline`` seconds have passed; the tallies."""
        ends = self.clock() + deadline
        if self.run_deadline is not None:
            ends = min(ends, self.clock() + self.run_deadline.left())
        while self.clock() < ends and any(not t.done for t in self.ledger.tasks.values()):
            self.tick()
            pending = [
                self._due.get(tid, 0.0) for tid, t in self.ledger.tasks.items() if not t.done
            ]
            if pending:
                wake = max(min(pending), self._quiet_until)
                self.sleep(max(0.0, min(wake, ends) - self.clock()))
        _report_unended(self.ledger, deadline, self.lifecycle[END_BY_DEADLINE])
        return self.lifecycle

    def _read(self, task_id: str, task: _Followed) -> float:
        case: Case[Any] = self._operation.Case(
            path_parameters={"task_id": task_id}, headers=dict(self.headers)
        )
        self.reachable.judged += 1
        try:
            response = case.call(session=self.session)
        except Exception as error:  # a timeout or a dropped connection: try again later
            self.reachable.fail(
                f"{TASK_OPERATION} {task_id}: no answer: {type(error).__name__}: {error}"
            )
            return 0.0
        judge_response(case, response, self.checks, self.tallies, self._run)
        return _read(task_id, task, response, self.lifecycle)


def _read(task_id: str, task: _Followed, response: Any, lifecycle: dict[str, CheckTally]) -> float:
    """Judge one read; how long to wait before the next round (0 when nothing asks)."""
    status = response.status_code
    if status in _TRY_AGAIN:
        return _retry_after(response) if status == 429 else 0.0
    readable = lifecycle[STAYS_READABLE]
    readable.judged += 1
    if status != 200:
        readable.fail(f"{TASK_OPERATION} {task_id} answered {status}: {response.text[:200]}")
        task.done = True
        return 0.0
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    problems = {problem.invariant: problem.message for problem in task.history.observe(body)}
    for name, _ in INVARIANTS:
        tally = lifecycle[f"lifecycle.{name}"]
        tally.judged += 1
        if name in problems:
            tally.fail(f"{TASK_OPERATION} {task_id}: {problems[name]}")
    if problems:
        task.done = True
    elif task.history.ended:
        task.ended_reads += 1
        task.done = task.ended_reads >= _ENDED_READS
    elif not task.created:
        task.done = task.history.reads >= GIVEN_TASK_READS
    return 0.0


def _report_unended(ledger: TaskLedger, deadline: float, tally: CheckTally) -> None:
    created = [(tid, task) for tid, task in ledger.tasks.items() if task.created]
    tally.judged = len(created)
    unended = [tid for tid, task in created if not task.done and not task.history.ended]
    if unended:
        tally.failed = len(unended)
        shown = ", ".join(unended[:5]) + (", ..." if len(unended) > 5 else "")
        tally.first_failure = (
            f"{len(unended)} of {len(created)} created tasks had not ended after {deadline:g} s "
            f"(raise --follow-deadline for a slower server): {shown}"
        )
