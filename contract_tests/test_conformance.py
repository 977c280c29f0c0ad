"""Spec conformance of the mock: every built-in check and ours, all phases, links included.

Requests go in-process to a fresh mock on a ManualClock. Positive requests are steered
to real songs and readable tasks (``steering``), so a valid request is expected to
succeed and the positive-data check keeps its teeth.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
from schemathesis import Case
from schemathesis.generation.stateful.state_machine import StepInput, StepOutput

from contract_tests import budget, checks, client_parsing
from contract_tests.asgi_session import InThreadASGISession
from contract_tests.inprocess import fresh_mock
from contract_tests.spec import conformance_schema
from contract_tests.steering import steer

# Importing client_parsing registers parses_with_clients with schemathesis.
__all__ = ["client_parsing"]

MOCK = fresh_mock()
SUPPLY = MOCK.supply()
schema = conformance_schema(api_key=MOCK.api_key, app=MOCK.app)
SESSION = InThreadASGISession(MOCK.app)


@pytest.fixture(autouse=True)
def _second_user() -> Iterator[None]:
    checks.set_second_user_key(MOCK.second_api_key)
    yield
    checks.set_second_user_key(None)


@schema.parametrize()
def test_every_response_conforms_to_the_spec(case: Case[Any]) -> None:
    steer(case, SUPPLY)
    case.call_and_validate(session=SESSION)


class _SteeredLinks(schema.as_state_machine()):  # type: ignore[misc]
    """The spec's links (creation ``id`` -> task detail ``task_id``), with steered bodies."""

    def step(self, input: StepInput) -> StepOutput:
        steer(input.case, SUPPLY, linked=input.is_applied)
        output: StepOutput = super().step(input)
        return output

    def get_call_kwargs(self, case: Case[Any]) -> dict[str, Any]:
        return {"session": SESSION}


def test_links_from_creation_to_task_detail_hold() -> None:
    checks.set_second_user_key(MOCK.second_api_key)
    _SteeredLinks.run(
        settings=hypothesis.settings(
            max_examples=budget.STATEFUL_SCENARIOS,
            stateful_step_count=budget.STATEFUL_STEPS,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
    )


def teardown_module() -> None:
    SESSION.close()
