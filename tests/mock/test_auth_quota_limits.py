"""Bearer auth across several users, isolation, credits and the per-key rate limit."""

from __future__ import annotations

import hmac

import httpx
import pytest
from evolink_mock import fixtures
from evolink_mock.handle import MockHandle

from .conftest import CREATE, error_of, persona_body

DETAIL = f"/v1/tasks/{fixtures.DEMO_MUSIC_TASK_ID}"


@pytest.mark.parametrize(
    ("header", "message_start"),
    [
        (None, "Authentication required"),
        ("Basic dXNlcjpwYXNz", "Malformed Authorization header"),
        ("Bearer", "Malformed Authorization header"),
        ("Bearer   ", "Malformed Authorization header"),
        (f"Token {fixtures.DEMO_API_KEY}", "Malformed Authorization header"),
        ("Bearer sk-evolink-mock-demo-7f3a9c2e41b8d60", "Invalid or expired token"),
        (f"Bearer {fixtures.DEMO_API_KEY}x", "Invalid or expired token"),
    ],
)
@pytest.mark.parametrize("operation", ["create", "detail"])
def test_missing_malformed_or_unknown_tokens_get_401(
    evolink_mock: MockHandle, header: str | None, message_start: str, operation: str
) -> None:
    with evolink_mock.client() as c:
        c.headers.pop("Authorization")
        headers = {} if header is None else {"Authorization": header}
        if operation == "create":
            response = c.post(CREATE, json=persona_body(), headers=headers)
        else:
            response = c.get(DETAIL, headers=headers)
    assert response.status_code == 401
    error = error_of(response)
    assert error["code"] == "unauthorized"
    assert error["message"].startswith(message_start)
    assert fixtures.DEMO_API_KEY not in response.text


def test_bearer_scheme_is_case_insensitive(evolink_mock: MockHandle) -> None:
    with evolink_mock.client() as c:
        response = c.get(DETAIL, headers={"Authorization": f"bearer {fixtures.DEMO_API_KEY}"})
    assert response.status_code == 200


def test_keys_are_compared_in_constant_time(
    evolink_mock: MockHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        seen.append((a, b))
        return real(a, b)

    monkeypatch.setattr("evolink_mock.service.hmac.compare_digest", spy)
    assert (
        evolink_mock.service.authenticate(fixtures.DEMO_API_KEY.encode()) == fixtures.DEMO_USER_ID
    )
    # Every known key is compared, even after the match, so timing says nothing.
    assert len(seen) == len(fixtures.USERS)


def test_each_user_sees_only_their_own_tasks(evolink_mock: MockHandle) -> None:
    with (
        evolink_mock.client() as demo,
        evolink_mock.client(api_key=fixtures.SECOND_API_KEY) as second,
    ):
        task_id = demo.post(CREATE, json=persona_body()).json()["id"]
        assert demo.get(f"/v1/tasks/{task_id}").status_code == 200
        assert second.get(f"/v1/tasks/{task_id}").status_code == 403
        assert second.get(DETAIL).status_code == 403
        assert demo.get(f"/v1/tasks/{fixtures.SECOND_MUSIC_TASK_ID}").status_code == 403
        assert second.get(f"/v1/tasks/{fixtures.SECOND_MUSIC_TASK_ID}").status_code == 200


def test_creation_reserves_credits_until_none_are_left(evolink_mock: MockHandle) -> None:
    evolink_mock.set_credits(1.5)
    with evolink_mock.client() as c:
        assert c.post(CREATE, json=persona_body()).status_code == 200
        assert evolink_mock.service.users[fixtures.DEMO_USER_ID].credits == 0.5
        refused = c.post(CREATE, json=persona_body(result_id=fixtures.DEMO_SECOND_RESULT_ID))
    assert refused.status_code == 402
    assert error_of(refused)["code"] == "insufficient_quota"
    # The refusal did not take the song: after a top-up it can be used.
    evolink_mock.set_credits(10)
    with evolink_mock.client() as c:
        again = c.post(CREATE, json=persona_body(result_id=fixtures.DEMO_SECOND_RESULT_ID))
    assert again.status_code == 200


def test_rate_limit_is_per_key_and_resets_with_the_window(evolink_mock: MockHandle) -> None:
    evolink_mock.set_rate_limit(3, 10)
    with (
        evolink_mock.client() as demo,
        evolink_mock.client(api_key=fixtures.SECOND_API_KEY) as second,
    ):
        assert [demo.get(DETAIL).status_code for _ in range(3)] == [200, 200, 200]
        limited = demo.get(DETAIL)
        assert limited.status_code == 429
        assert limited.headers["retry-after"] == "10"
        # Another key has its own budget.
        assert second.get(f"/v1/tasks/{fixtures.SECOND_MUSIC_TASK_ID}").status_code == 200
        evolink_mock.advance(4)
        assert demo.get(DETAIL).headers["retry-after"] == "6"
        evolink_mock.advance(6)
        assert demo.get(DETAIL).status_code == 200


def test_unauthenticated_requests_do_not_spend_a_users_budget(evolink_mock: MockHandle) -> None:
    evolink_mock.set_rate_limit(1, 10)
    with evolink_mock.client(api_key="sk-unknown") as stranger:
        assert [stranger.get(DETAIL).status_code for _ in range(3)] == [401, 401, 401]
    with evolink_mock.client() as demo:
        assert demo.get(DETAIL).status_code == 200


def test_default_limits_are_generous(client: httpx.Client) -> None:
    assert all(client.get(DETAIL).status_code == 200 for _ in range(200))
