"""Every error example of the merged spec, reproduced against the mock, status and body."""

from __future__ import annotations

import httpx
from evolink_mock import fixtures
from evolink_mock.handle import MockHandle

from .conftest import CREATE, error_of, persona_body


def test_creation_400_missing_params_uses_upstream_wording(client: httpx.Client) -> None:
    response = client.post(CREATE, json=persona_body(source_task_id=...))
    assert response.status_code == 400
    assert error_of(response) == {
        "code": "invalid_request",
        "message": "model_params.source_task_id is required",
        "type": "invalid_request_error",
        "param": "model_params.source_task_id",
    }


def test_creation_400_invalid_source_names_the_task(client: httpx.Client) -> None:
    unknown = "task-unified-1774169999-zzzzzzzz"
    response = client.post(CREATE, json=persona_body(source_task_id=unknown))
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid_request"
    assert error["type"] == "invalid_request_error"
    assert error["message"] == (
        f"Source task does not exist or does not belong to the current user: {unknown}"
    )


def test_creation_400_vocal_window_uses_upstream_wording(client: httpx.Client) -> None:
    response = client.post(CREATE, json=persona_body(vocal_start=0, vocal_end=5))
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid_request"
    assert error["message"] == "vocal_end - vocal_start must be between 10 and 30 seconds"


def test_creation_401_unknown_token(evolink_mock: MockHandle) -> None:
    with evolink_mock.client(api_key="sk-not-a-real-key") as c:
        response = c.post(CREATE, json=persona_body())
    assert response.status_code == 401
    assert error_of(response) == {
        "code": "unauthorized",
        "message": "Invalid or expired token",
        "type": "authentication_error",
    }


def test_creation_402_when_out_of_credits(evolink_mock: MockHandle) -> None:
    body = persona_body(
        source_task_id=fixtures.NO_CREDITS_MUSIC_TASK_ID,
        result_id=fixtures.song_id(fixtures.NO_CREDITS_MUSIC_TASK_ID, 0),
    )
    with evolink_mock.client(api_key=fixtures.NO_CREDITS_API_KEY) as c:
        response = c.post(CREATE, json=body)
    assert response.status_code == 402
    assert error_of(response) == {
        "code": "insufficient_quota",
        "message": "Insufficient quota. Please top up your account.",
        "type": "insufficient_quota",
    }


def test_creation_429_carries_retry_after(evolink_mock: MockHandle, client: httpx.Client) -> None:
    evolink_mock.set_rate_limit(1, 60)
    assert client.post(CREATE, json=persona_body()).status_code == 200
    response = client.post(CREATE, json=persona_body(result_id=fixtures.DEMO_SECOND_RESULT_ID))
    assert response.status_code == 429
    assert response.headers["retry-after"] == "60"
    assert error_of(response) == {
        "code": "rate_limit_exceeded",
        "message": "Too many requests, please try again later",
        "type": "rate_limit_error",
    }


def test_creation_500_body(evolink_mock: MockHandle, client: httpx.Client) -> None:
    response = client.post(CREATE, json=persona_body(), headers={"X-Mock-Fault": "500"})
    assert response.status_code == 500
    assert error_of(response) == {
        "code": "internal_error",
        "message": "Internal server error",
        "type": "api_error",
    }


def test_detail_400_malformed_id(client: httpx.Client) -> None:
    response = client.get("/v1/tasks/job-123")
    assert response.status_code == 400
    assert error_of(response) == {
        "code": "invalid_task_id",
        "message": "Invalid task ID format, must start with 'task-unified-'",
        "type": "invalid_request_error",
        "param": "task_id",
    }


def test_detail_400_right_prefix_wrong_shape(client: httpx.Client) -> None:
    response = client.get("/v1/tasks/task-unified-12-ABC")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid_task_id"
    assert error["param"] == "task_id"
    assert "8 lowercase letters or digits" in error["message"]


def test_detail_401_without_token(evolink_mock: MockHandle) -> None:
    with evolink_mock.client() as c:
        c.headers.pop("Authorization")
        response = c.get(f"/v1/tasks/{fixtures.DEMO_MUSIC_TASK_ID}")
    assert response.status_code == 401
    error = error_of(response)
    assert error["code"] == "unauthorized"
    assert error["type"] == "authentication_error"
    assert error["message"].startswith("Authentication required")


def test_detail_403_other_users_task(client: httpx.Client) -> None:
    response = client.get(f"/v1/tasks/{fixtures.SECOND_MUSIC_TASK_ID}")
    assert response.status_code == 403
    assert error_of(response) == {
        "code": "permission_denied",
        "message": "You don't have permission to access this task",
        "type": "invalid_request_error",
        "param": "task_id",
    }


def test_detail_404_unknown_task(client: httpx.Client) -> None:
    response = client.get("/v1/tasks/task-unified-1774169999-zzzzzzzz")
    assert response.status_code == 404
    assert error_of(response) == {
        "code": "task_not_found",
        "message": "The requested task could not be found",
        "type": "invalid_request_error",
        "param": "task_id",
    }


def test_detail_429_uses_its_own_wording(evolink_mock: MockHandle, client: httpx.Client) -> None:
    evolink_mock.set_rate_limit(1, 10)
    assert client.get(f"/v1/tasks/{fixtures.DEMO_MUSIC_TASK_ID}").status_code == 200
    response = client.get(f"/v1/tasks/{fixtures.DEMO_MUSIC_TASK_ID}")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "10"
    assert error_of(response) == {
        "code": "rate_limit_exceeded",
        "message": "Rate limit exceeded",
        "type": "evo_api_error",
    }


def test_detail_500_body(client: httpx.Client) -> None:
    response = client.get(
        f"/v1/tasks/{fixtures.DEMO_MUSIC_TASK_ID}", headers={"X-Mock-Fault": "500"}
    )
    assert response.status_code == 500
    assert error_of(response) == {
        "code": "internal_error",
        "message": "Failed to retrieve task status",
        "type": "api_error",
    }
