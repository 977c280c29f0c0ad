"""Music generation on a live base URL: the SDK's music rules against the server, and callbacks.

``tally_music_against_server`` is the music differential of ``music_differential`` (same
arguments, same boundaries, same bodies) sent over HTTP: in full mode every request, with a
completed persona of the caller standing in for ``REAL_PERSONA`` when the run has one; in
safe mode only the requests the SDK refuses (a correct server refuses them for free).
Requests with a loopback callback URL are not sent: whether a server takes those is its
test configuration (the mock's callback mode), not the vendor's rule. Nor, to a server on
loopback, valid ones with a public callback URL: it would really call that host.

``CallbackProbe`` creates music tasks whose ``callback_url`` points at a loopback receiver
(full mode, server on loopback only: the server must reach the receiver), and once the run
has followed them to their end judges each with the lifecycle machine's callback rules.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, Final
from urllib.parse import urlsplit

import httpx
from evolink_mock.receiver import CallbackReceiver
from evolink_mock.server import is_loopback as host_is_loopback

from .deadline import RunDeadline
from .drawn import run_cases
from .follow import TaskLedger
from .music_differential import MUSIC_BOUNDARIES, REAL_PERSONA, music_arguments, music_request
from .music_lifecycle import callback_body_problem
from .probing import CheckTally

__all__ = [
    "CALLBACK_BODY",
    "CALLBACK_ONCE",
    "MUSIC_AGREE",
    "CallbackProbe",
    "tally_music_against_server",
]

MUSIC_AGREE: Final = "sdk_and_server_agree_on_music"
CALLBACK_ONCE: Final = "callback_once_per_ended_task"
CALLBACK_BODY: Final = "callback_body_is_the_task_detail"
#: A well-formed persona id nobody has: it stands in for a persona in requests the SDK
#: refuses anyway, so the server's verdict is a refusal whichever rule it names.
_NO_PERSONA: Final = "0" * 32
#: Seconds to wait for a callback once its task has ended, and for a second one after
#: the first arrived.
CALLBACK_WAIT: Final = 5.0
DUPLICATE_WAIT: Final = 0.5

Post = Callable[[str], httpx.Response]


def _loopback_callback(drawn: dict[str, Any]) -> bool:
    url = drawn.get("callback_url")
    if not isinstance(url, str):
        return False
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return False
    return host_is_loopback(host)


def tally_music_against_server(
    post: Post,
    *,
    persona: str | None,
    cases: int,
    refused_only: bool,
    keep_callbacks_local: bool = False,
    ledger: TaskLedger,
    reachable: CheckTally,
    deadline: RunDeadline | None = None,
) -> tuple[CheckTally, int]:
    """The music boundaries and ``cases`` drawn requests: the tally of disagreements, and
    how many valid persona uses were not sent for want of a persona of the caller.
    ``keep_callbacks_local`` (a server on loopback, which would really call it): valid
    requests with a public ``callback_url`` are not sent either."""
    tally = CheckTally(MUSIC_AGREE)
    unsent = 0
    if cases <= 0:
        return tally, unsent

    def music_sdk_and_server_agree(drawn: dict[str, Any]) -> None:
        nonlocal unsent
        if _loopback_callback(drawn):
            return
        violations, body = music_request(drawn, persona or _NO_PERSONA, service_on_loopback=False)
        if not violations and refused_only:
            return  # the server would accept it: a paid creation
        if not violations and persona is None and drawn.get("persona") == REAL_PERSONA:
            unsent += 1  # a valid persona use, and the run has no persona of the caller
            return
        if not violations and keep_callbacks_local and drawn.get("callback_url") is not None:
            return  # the server would deliver to a public host: the run stays local
        if deadline is not None and not deadline.allows():
            return
        reachable.judged += 1
        try:
            response = post(body)
        except httpx.HTTPError as error:
            reachable.fail(f"music creation: no answer: {type(error).__name__}: {error}")
            return
        tally.judged += 1
        status = response.status_code
        if status == 200:
            ledger.record_creation(200, response.content, persona=False)
        problem = None
        if status not in (200, 400):
            problem = f"the server answered {status} to a music request: {response.text[:300]}"
        elif (not violations) != (status == 200):
            found = "; ".join(f"{v.field}: {v.reason}" for v in violations)
            sdk = f"refuses: {found}" if violations else "accepts"
            problem = f"SDK {sdk}\nserver answers {status}: {response.text[:300]}"
        if problem is not None:
            tally.fail(f"{problem}\nbody: {body[:300]}")

    # Each case is judged, never raised, so the recorded draws (once per process) do.
    arguments = music_arguments()
    run_cases("music", music_sdk_and_server_agree, arguments, MUSIC_BOUNDARIES, cases, shrink=False)
    return tally, unsent


class CallbackProbe:
    """Music tasks with a callback to a loopback receiver, judged once they have ended.

    Use as a context manager around the run (the receiver must outlive the tasks).
    """

    def __init__(self, tasks: int = 1) -> None:
        self.tasks = tasks
        self.receiver = CallbackReceiver()
        self.paths: dict[str, str] = {}  # task id -> its callback path
        self.refused: str | None = None

    def __enter__(self) -> CallbackProbe:
        self.receiver.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.receiver.__exit__(None, None, None)

    def create(self, post: Post, ledger: TaskLedger) -> None:
        """Send the music creations; the server's refusal (a sentence) if it refused one."""
        for n in range(1, self.tasks + 1):
            path = f"/callback/{n}"
            body = {
                "model": "suno-v5-beta",
                "prompt": f"a callback check {n}",
                "callback_url": f"{self.receiver.base}{path}",
            }
            response = post(json.dumps(body))
            if response.status_code != 200:
                self.refused = f"answered {response.status_code}: {response.text[:200]}"
                return
            ledger.record_creation(200, response.content, persona=False)
            task_id = response.json().get("id")
            if isinstance(task_id, str):
                self.paths[task_id] = path

    def judge(
        self, ledger: TaskLedger, clock: Callable[[], float] = time.monotonic
    ) -> tuple[CheckTally, CheckTally]:
        """One delivery per ended task, each body its task's detail."""
        once, body = CheckTally(CALLBACK_ONCE), CheckTally(CALLBACK_BODY)
        ended = {
            task_id: ledger.tasks[task_id].history
            for task_id in self.paths
            if task_id in ledger.tasks and ledger.tasks[task_id].history.ended
        }
        ends = clock() + CALLBACK_WAIT
        for task_id in ended:
            path = self.paths[task_id]
            while clock() < ends and not any(r.path == path for r in self.receiver.received):
                self.receiver.wait_for(len(self.receiver.received) + 1, timeout=0.1)
        if ended:  # a second delivery comes soon after the first, if at all
            firsts = {r.path: r.at for r in reversed(self.receiver.received)}
            arrived = [firsts[self.paths[t]] for t in ended if self.paths[t] in firsts]
            # The window runs from the last first delivery, which may be long past.
            quiet = max(arrived) + DUPLICATE_WAIT - time.monotonic() if arrived else DUPLICATE_WAIT
            if quiet > 0:
                self.receiver.wait_for(len(self.receiver.received) + 1, timeout=quiet)
        received = self.receiver.received
        for task_id, history in ended.items():
            posts = [r for r in received if r.path == self.paths[task_id]]
            delivered = [r for r in posts if 200 <= r.answered < 300]
            once.judged += 1
            if len(delivered) != 1:
                once.fail(
                    f"music task {task_id} ended ({history.status}) and its callback was "
                    f"delivered {len(delivered)} times (answers {[r.answered for r in posts]})"
                )
            for post in posts:
                body.judged += 1
                problem = callback_body_problem(task_id, history.status, post.body)
                if problem is not None:
                    body.fail(problem)
        return once, body
