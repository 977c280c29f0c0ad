"""Run every check on generated requests and keep a tally per check, without pytest.

``tally_checks`` is the harness's engine outside pytest: for each operation and
generation mode it draws seeded cases, steers the positive ones, sends them (in-process
or to a base URL) and runs every check on each response, attributing each failure to
the named check that raised it. The mutant self-test and the live runner both read its tallies.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterable
from typing import Any

import attrs
import hypothesis
from schemathesis import Case, CheckFunction, GenerationMode
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.core import NotSet
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.schemas import OpenApiSchema

from . import client_parsing
from .deadline import RunDeadline
from .spec import WITHOUT_NEGATIVE_CASES
from .steering import SongSupply, is_mislabelled_negative, steer

__all__ = [
    "SERVER_ANSWERS",
    "CheckRun",
    "CheckTally",
    "DrawnCase",
    "all_checks",
    "judge_cases",
    "judge_response",
    "tally_checks",
]

#: The tally of requests that got any HTTP answer at all (no dropped connection, no refusal).
SERVER_ANSWERS = "server_answers_every_request"


def all_checks() -> list[CheckFunction]:
    """Every registered function check: schemathesis's built-ins and the harness's own."""
    load_all_checks()
    assert client_parsing.parses_with_clients in CHECKS.get_all()
    return [check for check in CHECKS.get_all() if not isinstance(check, type)]


@attrs.define
class CheckTally:
    """How one check fared: responses it judged, how many it failed, the first failure."""

    name: str
    judged: int = 0
    failed: int = 0
    first_failure: str | None = None

    @property
    def passed(self) -> bool:
        return self.failed == 0

    def fail(self, problem: str) -> None:
        """Count one failure; the report quotes the first one, so later ones only count."""
        self.failed += 1
        self.first_failure = self.first_failure or problem


def judge_response(
    case: Case[Any],
    response: Any,
    checks: Iterable[CheckFunction],
    tallies: dict[str, CheckTally],
    run: CheckRun | None = None,
) -> None:
    """Run every check on one response, and count each failure for the check that raised it.

    One ``validate_response`` for all the checks: schemathesis builds its check context
    and configuration once per call, which cost more than most checks when it ran once
    per check. Each check is wrapped to note that it raised; the report of the response's
    failures follows its own title. ``run`` is what the checks of one run share.
    """
    run = run if run is not None else CheckRun()
    raised: dict[str, BaseException] = {}
    chosen = list(checks)
    try:
        case.validate_response(
            response,
            checks=[_noting(check, raised, run.auth_confirmed) for check in chosen],
            transport_kwargs=run.transport_kwargs,
        )
    except FailureGroup as group:
        for check in chosen:
            if check.__name__ in raised:
                _fail(tallies[check.__name__], case, raised[check.__name__], group)
    for check in chosen:
        tallies[check.__name__].judged += 1


_CHECK_FAILURES = (Failure, AssertionError, FailureGroup)


def _noting(
    check: CheckFunction, raised: dict[str, BaseException], auth_confirmed: set[str]
) -> CheckFunction:
    """``check``, noting in ``raised`` the failure it raises, under its name, and seeing the
    run's confirmed auth enforcement (``CheckRun``)."""

    @functools.wraps(check)
    def noted(ctx: Any, response: Any, case: Case[Any]) -> bool | None:
        ctx.auth_enforced_operations = auth_confirmed
        try:
            return check(ctx, response, case)
        except _CHECK_FAILURES as failure:
            raised[check.__name__] = failure
            raise

    return noted


def _fail(tally: CheckTally, case: Case[Any], failure: BaseException, group: FailureGroup) -> None:
    tally.failed += 1
    if tally.first_failure is None:
        title = _title(failure, tally.name)
        tally.first_failure = f"{case.operation.label}: {title}\n{group}"


def _title(failure: BaseException, name: str) -> str:
    if isinstance(failure, FailureGroup):
        return _title(failure.exceptions[0], name)
    if isinstance(failure, Failure):
        return failure.title
    return f"Custom check failed: `{name}`"  # an AssertionError, titled as schemathesis does


def _copy_body(body: Any) -> Any:
    """A deep copy, except schemathesis's "no body" marker, which is compared by identity."""
    return body if isinstance(body, NotSet) else copy.deepcopy(body)


@attrs.define
class CheckRun:
    """What the checks of one run share.

    ``transport_kwargs`` (the run's requests ``session``) is what checks that send requests
    of their own (schemathesis's auth probes, the second user's read) send with.
    ``auth_confirmed``: the operations whose auth enforcement schemathesis's ``ignored_auth``
    has confirmed. It probes each operation once per run with no key and a wrong one, as
    ``st run`` does (enforcement is a property of the operation); a failed probe is never
    noted, so a server that ignores the key fails on every response, as before.
    """

    transport_kwargs: dict[str, Any] | None = None
    auth_confirmed: set[str] = attrs.Factory(set)


@attrs.frozen
class DrawnCase:
    """A generated case and the parts of it that steering and sending change, as drawn."""

    case: Case[Any]
    body: Any
    path_parameters: dict[str, Any]
    query: dict[str, Any]
    headers: Any

    @classmethod
    def of(cls, case: Case[Any]) -> DrawnCase:
        return cls(
            case,
            _copy_body(case.body),
            dict(case.path_parameters or {}),
            dict(case.query or {}),
            copy.copy(case.headers),
        )

    def fresh(self) -> Case[Any]:
        """The case as it was drawn, whatever an earlier send did to it."""
        case = self.case
        case.body = _copy_body(self.body)
        case.path_parameters = dict(self.path_parameters)
        case.query = dict(self.query)
        case.headers = copy.copy(self.headers)
        return case


def _send_and_judge(
    case: Case[Any],
    send: Callable[[Case[Any]], Any] | None,
    checks: list[CheckFunction],
    tallies: dict[str, CheckTally],
    reachable: CheckTally,
    deadline: RunDeadline | None,
    run: CheckRun,
) -> None:
    if deadline is not None and not deadline.allows():
        return
    if is_mislabelled_negative(case):
        return
    reachable.judged += 1
    try:
        response = send(case) if send is not None else case.call(**(run.transport_kwargs or {}))
    except Exception as error:  # transport errors of requests or of the app
        reachable.fail(f"{case.operation.label}: no answer: {type(error).__name__}: {error}")
        return
    judge_response(case, response, checks, tallies, run)


def judge_cases(
    drawn: Iterable[DrawnCase],
    supply: SongSupply,
    *,
    checks: list[CheckFunction] | None = None,
    send: Callable[[Case[Any]], Any] | None = None,
    transport_kwargs: dict[str, Any] | None = None,
) -> dict[str, CheckTally]:
    """Send recorded cases again, as drawn, steered by ``supply``; a tally per check.

    Without ``send``, each case goes out with ``transport_kwargs`` (see ``CheckRun``).
    """
    chosen = checks if checks is not None else all_checks()
    tallies = {check.__name__: CheckTally(check.__name__) for check in chosen}
    reachable = tallies[SERVER_ANSWERS] = CheckTally(SERVER_ANSWERS)
    run = CheckRun(transport_kwargs)
    for one in drawn:
        case = one.fresh()
        steer(case, supply)
        _send_and_judge(case, send, chosen, tallies, reachable, None, run)
    return tallies


def tally_checks(
    schema: OpenApiSchema,
    supply: SongSupply,
    *,
    examples: int,
    modes: tuple[GenerationMode, ...] = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE),
    operations: tuple[str, ...] | None = None,
    checks: list[CheckFunction] | None = None,
    send: Callable[[Case[Any]], Any] | None = None,
    explicit: Callable[[Any], list[Case[Any]]] | None = None,
    deadline: RunDeadline | None = None,
    record: list[DrawnCase] | None = None,
    transport_kwargs: dict[str, Any] | None = None,
) -> dict[str, CheckTally]:
    """Seeded cases for each operation (or those named) and mode; a tally per check.

    Cases are drawn and sent in turn (what a server answered can shape later draws).
    ``explicit(operation)``: positive cases to send before the drawn ones (steered too).
    ``deadline``: past it, cases are drawn but not sent.
    ``record`` collects every case as drawn, before steering, for ``judge_cases`` to send
    again elsewhere: the mutant self-test sends the same cases to every mutant.
    ``transport_kwargs``: what the cases (without ``send``) and the checks' own requests are
    sent with (see ``CheckRun``).
    """
    run = CheckRun(transport_kwargs)
    chosen = checks if checks is not None else all_checks()
    tallies = {check.__name__: CheckTally(check.__name__) for check in chosen}
    reachable = tallies[SERVER_ANSWERS] = CheckTally(SERVER_ANSWERS)
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            continue  # an operation the spec leaves unusable: the conformance tests report it
        operation = result.ok()
        if operations is not None and operation.label not in operations:
            continue
        for mode in modes:
            if mode == GenerationMode.NEGATIVE and operation.label in WITHOUT_NEGATIVE_CASES:
                continue
            if mode == GenerationMode.POSITIVE and explicit is not None:
                for case in explicit(operation):
                    steer(case, supply, positive=True)
                    _send_and_judge(case, send, chosen, tallies, reachable, deadline, run)

            @hypothesis.settings(
                max_examples=examples,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
                suppress_health_check=list(hypothesis.HealthCheck),
            )
            @hypothesis.given(operation.as_strategy(generation_mode=mode))
            def probe(case: Case[Any]) -> None:
                if record is not None:
                    record.append(DrawnCase.of(case))
                steer(case, supply)
                _send_and_judge(case, send, chosen, tallies, reachable, deadline, run)

            try:
                probe()
            except hypothesis.errors.Unsatisfiable:
                continue  # no such case exists for this spec's operation and mode
    return tallies
