"""The `/_mock/` control API: refused without the token or from off-host, and each route."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from evolink_mock import DEFAULT_ADMIN_TOKEN, fixtures
from evolink_mock.handle import MockHandle

from .conftest import CREATE, persona_body

ADMIN = {"X-Mock-Admin-Token": DEFAULT_ADMIN_TOKEN}


@pytest.fixture
def admin(evolink_mock: MockHandle) -> Any:
    with evolink_mock.client(headers=ADMIN) as c:
        yield c


def test_control_needs_the_admin_token(evolink_mock: MockHandle) -> None:
    with evolink_mock.client() as c:
        assert c.get("/_mock/state").status_code == 401
        wrong = c.get("/_mock/state", headers={"X-Mock-Admin-Token": "guess"})
        assert wrong.status_code == 401
        # A user's API key is not an admin token.
        reset = c.post("/_mock/reset", headers={"X-Mock-Admin-Token": fixtures.DEMO_API_KEY})
        assert reset.status_code == 401


def test_control_refuses_non_loopback_clients(evolink_mock: MockHandle) -> None:
    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=evolink_mock.app, client=("10.1.2.3", 4321))
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as c:
            return await c.post("/_mock/reset", headers=ADMIN)

    response = asyncio.run(call())
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "The control API only answers loopback clients"


def test_control_refuses_before_reading_the_body(evolink_mock: MockHandle) -> None:
    with evolink_mock.client() as c:
        response = c.post("/_mock/quota", content=b"{not json")
    assert response.status_code == 401


def test_state_reports_credits_and_counts(admin: httpx.Client) -> None:
    state = admin.get("/_mock/state").json()
    assert state["users"][fixtures.DEMO_USER_ID]["credits"] == 1000.0
    assert state["users"][fixtures.NO_CREDITS_USER_ID]["credits"] == 0.0
    assert fixtures.DEMO_API_KEY not in str(state)


def test_add_music_task_then_use_it(admin: httpx.Client, client: httpx.Client) -> None:
    made = admin.post(
        "/_mock/music-tasks",
        json={"user": fixtures.DEMO_USER_ID, "model": "suno-v5-beta", "songs": 1},
    )
    assert made.status_code == 200
    task = made.json()
    song = task["result_data"]["songs"][0]["result_id"]
    body = persona_body(source_task_id=task["id"], result_id=song)
    assert client.post(CREATE, json=body).status_code == 200
    assert client.get(f"/v1/tasks/{task['id']}").json()["model"] == "suno-v5-beta"


def test_add_music_task_accepts_a_key_as_user_and_rejects_unknown(admin: httpx.Client) -> None:
    ok = admin.post("/_mock/music-tasks", json={"user": fixtures.SECOND_API_KEY})
    assert ok.status_code == 200
    assert admin.post("/_mock/music-tasks", json={"user": "nobody"}).status_code == 404
    assert (
        admin.post(
            "/_mock/music-tasks", json={"user": fixtures.DEMO_USER_ID, "songs": -1}
        ).status_code
        == 400
    )


def test_advance_clock_moves_tasks(admin: httpx.Client, client: httpx.Client) -> None:
    task_id = client.post(CREATE, json=persona_body()).json()["id"]
    assert admin.post("/_mock/clock/advance", json={"seconds": 100}).status_code == 200
    assert client.get(f"/v1/tasks/{task_id}").json()["status"] == "completed"
    assert admin.post("/_mock/clock/advance", json={"seconds": -1}).status_code == 400


def test_set_faults_by_queue_rate_and_clear(admin: httpx.Client, client: httpx.Client) -> None:
    detail = f"/v1/tasks/{fixtures.DEMO_MUSIC_TASK_ID}"
    assert admin.post("/_mock/faults", json={"mode": "502", "times": 1}).status_code == 200
    assert client.get(detail).status_code == 502
    assert admin.post("/_mock/faults", json={"rate": 1.0, "modes": ["500"]}).status_code == 200
    assert client.get(detail).status_code == 500
    assert admin.post("/_mock/faults", json={"clear": True}).status_code == 200
    assert client.get(detail).status_code == 200
    assert admin.post("/_mock/faults", json={"mode": "fire"}).status_code == 400


def test_set_quota(admin: httpx.Client, client: httpx.Client) -> None:
    assert (
        admin.post("/_mock/quota", json={"user": fixtures.DEMO_USER_ID, "credits": 0}).status_code
        == 200
    )
    assert client.post(CREATE, json=persona_body()).status_code == 402
    assert (
        admin.post(
            "/_mock/quota", json={"user": fixtures.DEMO_USER_ID, "credits": "lots"}
        ).status_code
        == 400
    )


def test_set_rate_limit(admin: httpx.Client, client: httpx.Client) -> None:
    assert admin.post("/_mock/rate-limit", json={"limit": 1, "window": 30}).status_code == 200
    detail = f"/v1/tasks/{fixtures.DEMO_MUSIC_TASK_ID}"
    assert [client.get(detail).status_code for _ in range(2)] == [200, 429]


def test_add_user(admin: httpx.Client, evolink_mock: MockHandle) -> None:
    made = admin.post(
        "/_mock/users", json={"user_id": "carol", "api_key": "sk-carol", "credits": 3}
    )
    assert made.json() == {"user_id": "carol", "credits": 3.0}
    with evolink_mock.client(api_key="sk-carol") as carol:
        response = carol.get(f"/v1/tasks/{fixtures.DEMO_MUSIC_TASK_ID}")
    assert response.status_code == 403


def test_reset_restores_the_fixtures(admin: httpx.Client, client: httpx.Client) -> None:
    assert client.post(CREATE, json=persona_body()).status_code == 200
    assert admin.post("/_mock/reset").status_code == 200
    assert client.post(CREATE, json=persona_body()).status_code == 200


def test_request_log_records_without_keys(admin: httpx.Client, client: httpx.Client) -> None:
    client.get(f"/v1/tasks/{fixtures.DEMO_MUSIC_TASK_ID}")
    client.post(CREATE, json=persona_body(), headers={"X-Mock-Fault": "503"})
    log = admin.get("/_mock/requests", params={"limit": 2}).json()["requests"]
    assert [(e["method"], e["status"], e["user_id"], e["fault"]) for e in log] == [
        ("GET", 200, fixtures.DEMO_USER_ID, None),
        ("POST", 503, None, "503"),
    ]
    assert fixtures.DEMO_API_KEY not in str(log)


def test_unknown_route_and_wrong_method(admin: httpx.Client) -> None:
    assert admin.get("/_mock/nothing").status_code == 404
    assert admin.get("/_mock/reset").status_code == 405


def test_public_routes_answer_405_with_allow(client: httpx.Client) -> None:
    response = client.put(CREATE, json={})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    response = client.delete(f"/v1/tasks/{fixtures.DEMO_MUSIC_TASK_ID}")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert client.get("/v2/anything").status_code == 404
