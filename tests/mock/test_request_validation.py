"""Persona creation refuses every malformed or rule-breaking request with a 400 naming why."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from evolink_mock import create_app
from evolink_mock.handle import MockHandle
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import CREATE, error_of, persona_body


def _refusal(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 400, response.text
    error = error_of(response)
    assert error["code"] == "invalid_request"
    assert error["type"] == "invalid_request_error"
    return error


@pytest.mark.parametrize("field", ["source_task_id", "result_id", "name", "description"])
def test_each_required_param_is_named_when_missing(client: httpx.Client, field: str) -> None:
    error = _refusal(client.post(CREATE, json=persona_body(**{field: ...})))
    assert error["message"] == f"model_params.{field} is required"
    assert error["param"] == f"model_params.{field}"


def test_model_is_required(client: httpx.Client) -> None:
    body = persona_body()
    del body["model"]
    assert _refusal(client.post(CREATE, json=body))["message"] == "model is required"


def test_model_must_be_one_the_operation_knows(client: httpx.Client) -> None:
    body = {**persona_body(), "model": "suno-personas"}
    message = _refusal(client.post(CREATE, json=body))["message"]
    assert message.startswith("model must be 'suno-persona', 'suno-v5.5-beta', ")


def test_a_music_model_makes_a_persona_body_a_music_request(client: httpx.Client) -> None:
    # `model` selects the vendor operation: with a music model the body is judged as music.
    body = {**persona_body(), "model": "suno-v5-beta"}
    error = _refusal(client.post(CREATE, json=body))
    assert (error["param"], error["message"]) == (
        "prompt",
        "prompt is required in simple mode (custom_mode=false)",
    )


def test_model_params_must_be_an_object(client: httpx.Client) -> None:
    error = _refusal(client.post(CREATE, json={"model": "suno-persona", "model_params": []}))
    assert error["message"] == "model_params must be a JSON object"


def test_result_id_must_be_a_uuid(client: httpx.Client) -> None:
    error = _refusal(client.post(CREATE, json=persona_body(result_id="song-1")))
    assert error["message"] == "model_params.result_id must be a UUID"


@pytest.mark.parametrize("field", ["name", "description", "source_task_id", "style"])
def test_string_params_refuse_numbers(client: httpx.Client, field: str) -> None:
    error = _refusal(client.post(CREATE, json=persona_body(**{field: 7})))
    assert error["message"] == f"model_params.{field} must be a string"


@pytest.mark.parametrize("value", [True, False, "12", None, [1]])
def test_vocal_bounds_must_be_numbers_and_booleans_are_not(
    client: httpx.Client, value: Any
) -> None:
    error = _refusal(client.post(CREATE, json=persona_body(vocal_start=value, vocal_end=20)))
    assert error["message"] == "model_params.vocal_start must be a number"


@pytest.mark.parametrize("present", ["vocal_start", "vocal_end"])
def test_vocal_bounds_come_together(client: httpx.Client, present: str) -> None:
    error = _refusal(client.post(CREATE, json=persona_body(**{present: 12})))
    assert "must be given together" in error["message"]


def test_vocal_start_must_be_non_negative(client: httpx.Client) -> None:
    error = _refusal(client.post(CREATE, json=persona_body(vocal_start=-1, vocal_end=15)))
    assert error["message"] == "model_params.vocal_start must be >= 0"


def test_vocal_end_must_exceed_vocal_start(client: httpx.Client) -> None:
    error = _refusal(client.post(CREATE, json=persona_body(vocal_start=20, vocal_end=20)))
    assert (
        error["message"] == "model_params.vocal_end must be greater than model_params.vocal_start"
    )


def test_vocal_bounds_must_be_finite(client: httpx.Client) -> None:
    raw = json.dumps(persona_body(vocal_start=0, vocal_end=20)).replace("20", "1e400")
    response = client.post(CREATE, content=raw, headers={"Content-Type": "application/json"})
    assert _refusal(response)["message"] == "model_params.vocal_end must be a finite number"


def test_integer_too_large_for_a_float_is_a_400_not_a_500(client: httpx.Client) -> None:
    response = client.post(CREATE, json=persona_body(vocal_start=10**400, vocal_end=10**400 + 20))
    assert _refusal(response)["message"] == "model_params.vocal_start must be a finite number"


@pytest.mark.parametrize(("start", "end"), [(0, 10), (5, 35), (0.5, 30.5), (100, 110.0)])
def test_window_bounds_are_inclusive(client: httpx.Client, start: float, end: float) -> None:
    response = client.post(CREATE, json=persona_body(vocal_start=start, vocal_end=end))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(("start", "end"), [(0, 9.999), (0, 30.001), (10, 41)])
def test_window_outside_10_to_30_is_refused(client: httpx.Client, start: float, end: float) -> None:
    error = _refusal(client.post(CREATE, json=persona_body(vocal_start=start, vocal_end=end)))
    assert error["message"] == "vocal_end - vocal_start must be between 10 and 30 seconds"


def test_empty_style_is_accepted(client: httpx.Client) -> None:
    assert client.post(CREATE, json=persona_body(style="")).status_code == 200


_numbers = st.floats(min_value=0, max_value=1000, allow_nan=False, allow_infinity=False)


@settings(derandomize=True, max_examples=150, deadline=None)
@given(start=_numbers, end=_numbers)
def test_window_verdict_matches_the_arithmetic(start: float, end: float) -> None:
    """Property: the mock accepts a window exactly when end > start and 10 <= end-start <= 30."""
    app = create_app()
    with MockHandle(app).client() as c:
        response = c.post(CREATE, json=persona_body(vocal_start=start, vocal_end=end))
    accepted = end > start and 10 <= end - start <= 30
    assert response.status_code == (200 if accepted else 400), (start, end, response.text)


# --- bodies that are not a request at all ---------------------------------------------


def _post_raw(client: httpx.Client, raw: bytes, content_type: str = "application/json") -> Any:
    return client.post(CREATE, content=raw, headers={"Content-Type": content_type})


def test_malformed_json_is_a_400_with_position(client: httpx.Client) -> None:
    error = _refusal(_post_raw(client, b'{"model": "suno-persona",'))
    assert error["message"].startswith("Request body is not valid JSON")
    assert "line 1" in error["message"]


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity"])
def test_nan_and_infinity_literals_are_refused(client: httpx.Client, literal: bytes) -> None:
    raw = json.dumps(persona_body(vocal_start=0, vocal_end=20)).encode().replace(b"20", literal)
    error = _refusal(_post_raw(client, raw))
    assert "numbers must be finite" in error["message"]


@pytest.mark.parametrize("raw", [b"[]", b'"text"', b"42", b"null", b"true"])
def test_non_object_body_is_refused(client: httpx.Client, raw: bytes) -> None:
    assert _refusal(_post_raw(client, raw))["message"].startswith(
        "Request body must be a JSON object"
    )


def test_empty_body_is_refused(client: httpx.Client) -> None:
    assert "empty" in _refusal(_post_raw(client, b""))["message"]


def test_invalid_utf8_is_refused(client: httpx.Client) -> None:
    assert "UTF-8" in _refusal(_post_raw(client, b'{"model": "\xff"}'))["message"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", ""])
def test_wrong_content_type_is_refused(client: httpx.Client, content_type: str) -> None:
    raw = json.dumps(persona_body()).encode()
    error = _refusal(_post_raw(client, raw, content_type))
    assert error["message"].startswith("Content-Type must be application/json")


def test_json_content_type_with_charset_is_fine(client: httpx.Client) -> None:
    raw = json.dumps(persona_body()).encode()
    assert _post_raw(client, raw, "application/json; charset=utf-8").status_code == 200


def test_deep_nesting_is_refused_not_crashed(client: httpx.Client) -> None:
    raw = b"[" * 50_000 + b"]" * 50_000
    response = _post_raw(client, raw[:60_000])
    assert response.status_code == 400
    deep = b'{"model": "suno-persona", "model_params": ' + b"[" * 20_000 + b"]" * 20_000 + b"}"
    assert _post_raw(client, deep).status_code == 400


def test_megabyte_string_is_refused_by_size(client: httpx.Client) -> None:
    response = client.post(CREATE, json=persona_body(name="x" * 1_000_000))
    error = _refusal(response)
    assert error["message"] == "Request body is larger than 65536 bytes"


def test_body_cap_holds_without_content_length(client: httpx.Client) -> None:
    def chunks() -> Any:
        for _ in range(100):
            yield b"x" * 10_000

    response = client.post(CREATE, content=chunks(), headers={"Content-Type": "application/json"})
    assert "larger than" in _refusal(response)["message"]
