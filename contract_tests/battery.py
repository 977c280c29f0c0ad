"""The whole battery of checks against one mock, reduced to the names of those that fail.

The mutant self-test needs one question answered per mock: *which checks fail here?*
``failing_checks`` runs every schemathesis check (built-in and custom, fuzzing both
positive and negative cases), the SDK-against-server differential and the lifecycle
machine, each on a fresh mock from the given factory, and names every failure.
"""

from __future__ import annotations

from collections.abc import Callable

from evolink_mock import MockConfig

from . import budget, checks
from .differential import check_sdk_agrees_with_server
from .inprocess import InProcessMock
from .lifecycle import LIFECYCLE_CONFIG, LifecycleViolation, lifecycle_machine, run_lifecycle
from .probing import tally_checks
from .spec import conformance_schema

__all__ = ["MockFactory", "failing_checks"]

#: Makes a fresh (possibly broken) mock from a config.
MockFactory = Callable[[MockConfig], InProcessMock]

_OPEN: MockConfig = MockConfig(
    rate_limit=0, credits_per_user=1e12, seed=budget.SEED, callback_mode="test"
)


def _conformance(make_mock: MockFactory) -> set[str]:
    mock = make_mock(_OPEN)
    schema = conformance_schema(api_key=mock.api_key, app=mock.app)
    checks.set_second_user_key(mock.second_api_key)
    try:
        tallies = tally_checks(schema, mock.supply(), examples=budget.MUTANT_CONFORMANCE_EXAMPLES)
    finally:
        checks.set_second_user_key(None)
    return {name for name, tally in tallies.items() if not tally.passed}


def _differential(make_mock: MockFactory) -> set[str]:
    with make_mock(_OPEN) as mock:
        try:
            check_sdk_agrees_with_server(mock, cases=budget.MUTANT_DIFFERENTIAL_CASES)
        except AssertionError:
            return {"sdk_and_server_agree"}
    return set()


def _lifecycle(make_mock: MockFactory) -> set[str]:
    machine = lifecycle_machine(lambda: make_mock(LIFECYCLE_CONFIG))
    try:
        run_lifecycle(machine, runs=budget.MUTANT_LIFECYCLE_RUNS)
    except LifecycleViolation as violation:
        return {f"lifecycle.{violation.invariant}"}
    except Exception as error:  # a crash of the machine itself is a finding too
        return {f"lifecycle.crashed:{type(error).__name__}"}
    return set()


def failing_checks(make_mock: MockFactory) -> set[str]:
    """Names of every check that fails against mocks from ``make_mock``."""
    return _conformance(make_mock) | _differential(make_mock) | _lifecycle(make_mock)
