"""Run every check on generated requests and keep a tally per check, without pytest.

``tally_checks`` is the harness's engine outside pytest: for each operation and
generation mode it draws seeded cases, steers the positive ones, sends them (in-process
or to a base URL) and runs each check on its own, so every failure is attributed to
exactly one named check. The mutant self-test and the live runner both read its tallies.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

import attrs
import hypothesis
from schemathesis import Case, CheckFunction, GenerationMode
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.core import NotSet
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.schemas import OpenApiSchema

from . import client_parsing
from .deadline import RunDeadline
from .steering import SongSupply, is_mislabelled_negative, steer

__all__ = [
    "SERVER_ANSWERS",
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


def judge_response(
    case: Case[Any], response: Any, checks: Iterable[CheckFunction], tallies: dict[str, CheckTally]
) -> None:
    """Run each check on its own on one response, so each failure counts for one check."""
    for check in checks:
        tally = tallies[check.__name__]
        tally.judged += 1
        try:
            case.validate_response(response, checks=[check])
        except FailureGroup as group:
            tally.failed += 1
            if tally.first_failure is None:
                tally.first_failure = (
                    f"{case.operation.label}: {group.exceptions[0].title}\n{group}"
                )


def _copy_body(body: Any) -> Any:
    """A deep copy, except schemathesis's "no body" marker, which is compared by identity."""
    return body if isinstance(body, NotSet) else copy.deepcopy(body)


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
) -> None:
    if deadline is not None and not deadline.allows():
        return
    if is_mislabelled_negative(case):
        return
    reachable.judged += 1
    try:
        response = send(case) if send is not None else case.call()
    except Exception as error:  # transport errors of requests or of the app
        reachable.failed += 1
        reachable.first_failure = reachable.first_failure or (
            f"{case.operation.label}: no answer: {type(error).__name__}: {error}"
        )
        return
    judge_response(case, response, checks, tallies)


def judge_cases(
    drawn: Iterable[DrawnCase],
    supply: SongSupply,
    *,
    checks: list[CheckFunction] | None = None,
    send: Callable[[Case[Any]], Any] | None = None,
) -> dict[str, CheckTally]:
    """Send recorded cases again, as drawn, steered by ``supply``; a tally per check."""
    chosen = checks if checks is not None else all_checks()
    tallies = {check.__name__: CheckTally(check.__name__) for check in chosen}
    reachable = tallies[SERVER_ANSWERS] = CheckTally(SERVER_ANSWERS)
    for one in drawn:
        case = one.fresh()
        steer(case, supply)
        _send_and_judge(case, send, chosen, tallies, reachable, None)
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
) -> dict[str, CheckTally]:
    """Seeded cases for each operation (or those named) and mode; a tally per check.

    Cases are drawn and sent in turn (what a server answered can shape later draws).
    ``explicit(operation)``: positive cases to send before the drawn ones (steered too).
    ``deadline``: past it, cases are drawn but not sent.
    ``record`` collects every case as drawn, before steering, for ``judge_cases`` to send
    again elsewhere: the mutant self-test sends the same cases to every mutant.
    """
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
            if mode == GenerationMode.POSITIVE and explicit is not None:
                for case in explicit(operation):
                    steer(case, supply, positive=True)
                    _send_and_judge(case, send, chosen, tallies, reachable, deadline)

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
                _send_and_judge(case, send, chosen, tallies, reachable, deadline)

            try:
                probe()
            except hypothesis.errors.Unsatisfiable:
                continue  # no such case exists (a free-form string has no negative form)
    return tallies
