"""Shared helpers of the mock's tests: a valid creation body and a sync client per test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from evolink_mock import fixtures
from evolink_mock.handle import MockHandle

CREATE = "/v1/audios/generations"


def persona_body(**params: Any) -> dict[str, Any]:
    """A valid creation request on the demo task; keyword arguments replace or add params
    (pass a value of `...` to drop a param)."""
    model_params: dict[str, Any] = {
        "source_task_id": fixtures.DEMO_MUSIC_TASK_ID,
        "result_id": fixtures.DEMO_RESULT_ID,
        "name": "Electronic Pop Singer",
        "description": "Bright synth-pop vocals",
    }
    for key, value in params.items():
        if value is ...:
            model_params.pop(key, None)
        else:
            model_params[key] = value
    return {"model": "suno-persona", "model_params": model_params}


@pytest.fixture
def client(evolink_mock: MockHandle) -> Iterator[httpx.Client]:
    """The demo user's client on a fresh in-process mock."""
    with evolink_mock.client() as c:
        yield c


def error_of(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, body
    error: dict[str, Any] = body["error"]
    assert {"code", "message", "type"} <= set(error), error
    return error
