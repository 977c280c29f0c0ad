"""The whole battery of checks against one mock, reduced to the names of those that fail.

The mutant self-test needs one question answered per mock: *which checks fail here?*
``failing_checks`` runs every schemathesis check (built-in and custom, fuzzing both
positive and negative cases), the SDK-against-server differential and the lifecycle
machine, each on a fresh mock from the given factory, and names every failure. Only the
verdict matters here, so failures are not shrunk (the same cases are drawn): a mutant is
caught by design, and minimising its counterexample was most of the self-test's time.
The schemathesis cases are drawn once per process and sent to every mock in turn.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from evolink_mock import MockApp, MockConfig

from . import budget, checks
from .asgi_session import InThreadASGISession
from .differential import check_sdk_agrees_with_server
from .inprocess import InProcessMock, fresh_mock
from .lifecycle import LIFECYCLE_CONFIG, LifecycleViolation, lifecycle_machine, run_lifecycle
from .probing import DrawnCase, judge_cases, tally_checks
from .spec import conformance_schema

__all__ = ["MockFactory", "failing_checks"]

#: Makes a fresh (possibly broken) mock from a config.
MockFactory = Callable[[MockConfig], InProcessMock]

_OPEN: MockConfig = MockConfig(
    rate_limit=0, credits_per_user=1e12, seed=budget.SEED, callback_mode="test"
)


@functools.cache
def _conformance_cases() -> tuple[DrawnCase, ...]:
    """The battery's schemathesis cases as the unmutated mock is sent them, drawn once per
    process: every mock in the self-test then gets exactly these."""
    mock = fresh_mock(_OPEN)
    schema = conformance_schema(api_key=mock.api_key, app=mock.app)
    drawn: list[DrawnCase] = []
    checks.set_second_user_key(mock.second_api_key)
    try:
        with InThreadASGISession(mock.app) as session:
            tally_checks(
                schema,
                mock.supply(),
                examples=budget.MUTANT_CONFORMANCE_EXAMPLES,
                record=drawn,
                transport_kwargs={"session": session},
            )
    finally:
        checks.set_second_user_key(None)
    return tuple(drawn)


def _aim(drawn: tuple[DrawnCase, ...], app: MockApp) -> None:
    """Send the drawn cases, and the checks' own follow-up requests, to ``app``."""
    for operation in {id(one.case.operation): one.case.operation for one in drawn}.values():
        operation.app = app
        operation.schema.app = app


def _conformance(make_mock: MockFactory) -> set[str]:
    mock = make_mock(_OPEN)
    drawn = _conformance_cases()
    _aim(drawn, mock.app)
    checks.set_second_user_key(mock.second_api_key)
    try:
        with InThreadASGISession(mock.app) as session:
            tallies = judge_cases(drawn, mock.supply(), transport_kwargs={"session": session})
    finally:
        checks.set_second_user_key(None)
    return {name for name, tally in tallies.items() if not tally.passed}


def _differential(make_mock: MockFactory) -> set[str]:
    with make_mock(_OPEN) as mock:
        try:
            check_sdk_agrees_with_server(mock, cases=budget.MUTANT_DIFFERENTIAL_CASES, shrink=False)
        except AssertionError:
            return {"sdk_and_server_agree"}
    return set()


def _lifecycle(make_mock: MockFactory) -> set[str]:
    machine = lifecycle_machine(lambda: make_mock(LIFECYCLE_CONFIG))
    try:
        run_lifecycle(machine, runs=budget.MUTANT_LIFECYCLE_RUNS, shrink=False)
    except LifecycleViolation as violation:
        return {f"lifecycle.{violation.invariant}"}
    except Exception as error:  # a crash of the machine itself is a finding too
        return {f"lifecycle.crashed:{type(error).__name__}"}
    return set()


def failing_checks(make_mock: MockFactory) -> set[str]:
    """Names of every check that fails against mocks from ``make_mock``."""
    return _conformance(make_mock) | _differential(make_mock) | _lifecycle(make_mock)
