"""The SDK's client-side rules and the mock's verdict agree on every persona request.

The two named tests below were found by this harness (an int too large for a float made
the SDK raise OverflowError and the mock answer 500); both were fixed and stay as guards.
"""

from __future__ import annotations

from evolink_mock import MockConfig
from evolink_persona import validate_persona_request

from contract_tests import budget
from contract_tests.differential import check_sdk_agrees_with_server
from contract_tests.inprocess import fresh_mock

_UNLIMITED = MockConfig(rate_limit=0, credits_per_user=1e12, seed=budget.SEED)
_HUGE = 10**400  # a JSON integer no float can hold


def test_sdk_and_server_agree_on_every_persona_request() -> None:
    with fresh_mock(_UNLIMITED) as mock:
        check_sdk_agrees_with_server(mock, cases=budget.DIFFERENTIAL_CASES)


def test_sdk_gives_a_verdict_on_a_vocal_time_too_large_for_a_float() -> None:
    violations = validate_persona_request(
        source_task_id="task-unified-1774169216-ocqaqde7",
        result_id="4fcc4507-a7ae-4441-ad8a-465c2f61d5bb",
        name="n",
        description="d",
        vocal_start=_HUGE,
        vocal_end=_HUGE + 20,
    )
    assert violations


def test_mock_refuses_a_vocal_time_too_large_for_a_float_with_400() -> None:
    with fresh_mock(_UNLIMITED) as mock, mock.http() as http:
        source, song = mock.fresh_song()
        params = (
            f'"source_task_id": "{source}", "result_id": "{song}", "name": "n", '
            f'"description": "d", "vocal_start": {_HUGE}, "vocal_end": {_HUGE + 20}'
        )
        body = '{"model": "suno-persona", "model_params": {' + params + "}}"
        response = http.post(
            "/v1/audios/generations", content=body, headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 400
    assert "vocal_start" in response.json()["error"]["message"]
