"""What one run of checks shares: ignored_auth confirms each operation once, as st run does."""

from __future__ import annotations

import hypothesis
import pytest
from evolink_mock import fixtures as mock_fixtures
from schemathesis import GenerationMode
from schemathesis.core.result import Ok

from contract_tests.asgi_session import InThreadASGISession
from contract_tests.inprocess import InProcessMock, fresh_mock
from contract_tests.probing import CheckTally, all_checks, tally_checks
from contract_tests.spec import TASK_OPERATION, WITHOUT_NEGATIVE_CASES, conformance_schema


def _ignored_auth_on_reads(mock: InProcessMock) -> CheckTally:
    schema = conformance_schema(api_key=mock.api_key, app=mock.app)
    ignored_auth = next(check for check in all_checks() if check.__name__ == "ignored_auth")
    with InThreadASGISession(mock.app) as session:
        tallies = tally_checks(
            schema,
            mock.supply(),
            examples=8,
            modes=(GenerationMode.POSITIVE,),
            operations=(TASK_OPERATION,),
            checks=[ignored_auth],
            transport_kwargs={"session": session},
        )
    return tallies["ignored_auth"]


def test_ignored_auth_probes_an_operation_once_per_run_after_it_refused_both() -> None:
    mock = fresh_mock()
    tally = _ignored_auth_on_reads(mock)
    log = mock.service.requests()
    assert tally.passed
    assert sum(r.status == 200 for r in log) >= 8  # many successful reads ...
    refused = [r.status for r in log if r.user_id is None]
    assert refused == [401, 401]  # ... and one confirmation: no key, then a wrong one


def test_a_server_that_takes_any_key_fails_ignored_auth_on_every_successful_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mock = fresh_mock()
    original = mock.service.authenticate
    monkeypatch.setattr(
        mock.service, "authenticate", lambda key: original(key) or mock_fixtures.DEMO_USER_ID
    )
    tally = _ignored_auth_on_reads(mock)
    successes = sum(
        r.status == 200 and r.path.startswith("/v1/tasks/") for r in mock.service.requests()
    )
    # Each successful read and its accepted wrong-key probe: the confirmation never holds.
    assert tally.failed == successes // 2 >= 4


def test_the_operations_drawn_without_negative_cases_have_none() -> None:
    """``WITHOUT_NEGATIVE_CASES`` is a fact of the spec, not a budget: were the task id given
    a pattern or a length, negative reads would exist, this would fail, and the skip would
    have to go."""
    schema = conformance_schema(api_key="sk-unused", base_url="http://127.0.0.1:9")
    labels = {r.ok().label: r.ok() for r in schema.get_all_operations() if isinstance(r, Ok)}
    assert labels.keys() >= WITHOUT_NEGATIVE_CASES
    for label in WITHOUT_NEGATIVE_CASES:

        @hypothesis.settings(
            max_examples=1,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[hypothesis.Phase.generate],
            suppress_health_check=list(hypothesis.HealthCheck),
        )
        @hypothesis.given(labels[label].as_strategy(generation_mode=GenerationMode.NEGATIVE))
        def draw(case: object) -> None:
            raise AssertionError(f"a negative case: {case!r}")

        with pytest.raises(hypothesis.errors.Unsatisfiable):
            draw()
