"""Spec conformance of the mock: every built-in check and ours, all phases, links included.

Requests go in-process to a fresh mock on a ManualClock. Positive requests are steered
to real songs and readable tasks (``steering``), so a valid request is expected to
succeed and the positive-data check keeps its teeth.

The schema comes from a fixture (``schemathesis.pytest.from_fixture``), so its tests are
built, coverage cases and all, only in the worker that runs them: built at import, as
``schema.parametrize()`` on a loaded schema does, every pytest-xdist worker paid about a
second for them while collecting.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs
import hypothesis
import pytest
import schemathesis.pytest
from schemathesis import Case
from schemathesis.generation.stateful.state_machine import StepInput, StepOutput
from schemathesis.specs.openapi.schemas import OpenApiSchema

from contract_tests import budget, checks, client_parsing
from contract_tests.asgi_session import InThreadASGISession
from contract_tests.inprocess import InProcessMock, fresh_mock
from contract_tests.spec import conformance_schema
from contract_tests.steering import SongSupply, steer

# Importing client_parsing registers parses_with_clients with schemathesis.
__all__ = ["client_parsing"]


@attrs.frozen
class _Target:
    """The fresh mock every conformance request goes to, and what steering draws from."""

    mock: InProcessMock
    supply: SongSupply
    session: InThreadASGISession


@pytest.fixture(scope="module")
def target() -> Iterator[_Target]:
    mock = fresh_mock()
    with InThreadASGISession(mock.app) as session:
        yield _Target(mock, mock.supply(), session)


@pytest.fixture(scope="module")
def mock_schema(target: _Target) -> OpenApiSchema:
    return conformance_schema(api_key=target.mock.api_key, app=target.mock.app)


@pytest.fixture(autouse=True)
def _second_user(target: _Target) -> Iterator[None]:
    checks.set_second_user_key(target.mock.second_api_key)
    yield
    checks.set_second_user_key(None)


@pytest.fixture(autouse=True)
def _node_id_for_the_lazy_loader(request: pytest.FixtureRequest) -> None:
    """schemathesis's lazy loader reads and sets ``node._nodeid``, which pytest 9.2 no longer
    has (a node keeps its id elsewhere): given one, it runs, and only its per-operation
    renaming of the node for reports is lost (subtests still name each operation)."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


schema = schemathesis.pytest.from_fixture("mock_schema")


@schema.parametrize()
def test_every_response_conforms_to_the_spec(case: Case[Any], target: _Target) -> None:
    steer(case, target.supply)
    case.call_and_validate(session=target.session)


def test_links_from_creation_to_task_detail_hold(
    mock_schema: OpenApiSchema, target: _Target
) -> None:
    class SteeredLinks(mock_schema.as_state_machine()):  # type: ignore[misc]
        """The spec's links (creation ``id`` -> task detail ``task_id``), steered bodies."""

        def step(self, input: StepInput) -> StepOutput:
            steer(input.case, target.supply, linked=input.is_applied)
            output: StepOutput = super().step(input)
            return output

        def get_call_kwargs(self, case: Case[Any]) -> dict[str, Any]:
            return {"session": target.session}

    SteeredLinks.run(
        settings=hypothesis.settings(
            max_examples=budget.STATEFUL_SCENARIOS,
            stateful_step_count=budget.STATEFUL_STEPS,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
    )
