"""Task callbacks: the vendor's delivery rules, delivered to a real receiver on loopback.

The mock runs on a ManualClock; the receiver is a real HTTP server on 127.0.0.1, so each
callback is a real POST. Time moves only when a test advances it, and `callbacks()` waits
(bounded) until nothing due is left to send, so no test sleeps or measures time.
"""

from __future__ import annotations

import itertools
import socket
from collections.abc import Iterator
from typing import Any

import evolink_openapi
import httpx
import jsonschema_rs
import pytest
from evolink_mock import MockConfig
from evolink_mock.callbacks import NOT_REMOTE, callback_url_problem
from evolink_mock.handle import MockHandle
from evolink_mock.receiver import CallbackReceiver

from .conftest import CREATE, error_of

ADMIN = "X-Mock-Admin-Token"


def _task_detail_validator() -> jsonschema_rs.Validator:
    spec = evolink_openapi.spec_document()
    schema = {
        **spec["components"]["schemas"]["TaskDetailResponse"],
        "components": spec["components"],
    }
    return jsonschema_rs.validator_for(schema, validate_formats=True)


@pytest.fixture
def evolink_mock_config() -> MockConfig:
    return MockConfig(callback_mode="test", callback_timeout=0.5)


def _music(url: str, **extra: Any) -> dict[str, Any]:
    return {"model": "suno-v5-beta", "prompt": "a song about loops", "callback_url": url, **extra}


def _create(client: httpx.Client, url: str, **extra: Any) -> str:
    response = client.post(CREATE, json=_music(url, **extra))
    assert response.status_code == 200, response.text
    task_id: str = response.json()["id"]
    return task_id


def _only(callbacks: list[dict[str, Any]], task_id: str) -> dict[str, Any]:
    (callback,) = [c for c in callbacks if c["task_id"] == task_id]
    return callback


# --- the URL rules -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/suno",
        "https://93.184.216.34/cb",
        "https://[2606:2800:220:1:248:1893:25c8:1946]/cb",
    ],
)
def test_public_https_urls_are_accepted_in_strict_mode(url: str) -> None:
    assert callback_url_problem(url) is None


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://hooks.example.com/suno", "must use https"),
        ("ftp://hooks.example.com/suno", "must use https"),
        ("https://127.0.0.1/cb", "internal address"),
        ("https://10.1.2.3/cb", "internal address"),
        ("https://192.168.0.10/cb", "internal address"),
        ("https://172.16.5.4/cb", "internal address"),
        ("https://169.254.169.254/latest/meta-data", "internal address"),
        ("https://[::1]/cb", "internal address"),
        ("https://[fd00::1]/cb", "internal address"),
        ("https://[::ffff:10.0.0.1]/cb", "internal address"),
        ("https://0.0.0.0/cb", "internal address"),
        ("https://localhost/cb", "internal host"),
        ("https://printer.local/cb", "internal host"),
        ("https://intranet/cb", "internal host"),
        ("https://", "has no host"),
        ("https://example.com:port/cb", "not a valid URL"),
    ],
)
def test_plain_http_and_internal_addresses_are_refused_in_strict_mode(url: str, why: str) -> None:
    problem = callback_url_problem(url)
    assert problem is not None
    assert why in problem


def test_test_mode_allows_loopback_over_http_and_nothing_else_more() -> None:
    assert callback_url_problem("http://127.0.0.1:8123/cb", allow_loopback=True) is None
    assert callback_url_problem("http://[::1]:8123/cb", allow_loopback=True) is None
    assert callback_url_problem("http://localhost:8123/cb", allow_loopback=True) is None
    assert callback_url_problem("http://10.0.0.1/cb", allow_loopback=True) is not None
    assert callback_url_problem("http://hooks.example.com/cb", allow_loopback=True) is not None


def test_strict_mode_refuses_a_loopback_callback_at_creation() -> None:
    from evolink_mock import create_app

    handle = MockHandle(create_app(MockConfig()))  # strict is the default
    try:
        with handle.client() as client:
            response = client.post(CREATE, json=_music("http://127.0.0.1:9/cb"))
        assert response.status_code == 400
        error = error_of(response)
        assert error["param"] == "callback_url"
        assert "https" in error["message"]
    finally:
        handle.close()


def test_a_callback_url_over_2048_characters_is_refused(client: httpx.Client) -> None:
    base = "https://hooks.example.com/"
    fits = base + "a" * (2048 - len(base))
    assert client.post(CREATE, json=_music(fits)).status_code == 200
    response = client.post(CREATE, json=_music(fits + "a"))
    assert response.status_code == 400
    assert "2048" in error_of(response)["message"]


# --- delivery ------------------------------------------------------------------------------


@pytest.fixture
def receiver() -> Iterator[CallbackReceiver]:
    with CallbackReceiver() as r:
        yield r


def test_one_callback_with_the_task_detail_body_when_the_task_completes(
    evolink_mock: MockHandle, client: httpx.Client, receiver: CallbackReceiver
) -> None:
    task_id = _create(client, receiver.url)
    evolink_mock.advance(5)
    assert evolink_mock.callbacks()[0]["attempts"] == []  # nothing while it runs
    evolink_mock.finish_tasks()
    evolink_mock.advance(60)  # long after: still one delivery
    callback = _only(evolink_mock.callbacks(), task_id)
    assert callback["delivered"] is True
    assert [a["status"] for a in callback["attempts"]] == [200]
    (got,) = receiver.received
    assert got.content_type == "application/json"
    assert got.json() == client.get(f"/v1/tasks/{task_id}").json()
    assert got.json()["status"] == "completed"
    assert _task_detail_validator().is_valid(got.json())


def test_a_failed_task_sends_its_callback_with_the_error(
    evolink_mock: MockHandle, client: httpx.Client, receiver: CallbackReceiver
) -> None:
    task_id = _create(client, receiver.url)
    evolink_mock.service._recent[task_id].error_code = "service_error"
    evolink_mock.finish_tasks()
    assert _only(evolink_mock.callbacks(), task_id)["delivered"]
    (got,) = receiver.received
    assert got.json()["status"] == "failed"
    assert got.json()["error"]["code"] == "service_error"


def test_a_cancelled_task_sends_its_callback_at_once(
    evolink_mock: MockHandle, client: httpx.Client, receiver: CallbackReceiver
) -> None:
    task_id = _create(client, receiver.url)
    evolink_mock.advance(3)
    with evolink_mock.client() as control:
        control.post(
            "/_mock/tasks/cancel",
            json={"task_id": task_id},
            headers={ADMIN: evolink_mock.admin_token},
        ).raise_for_status()
    callback = _only(evolink_mock.callbacks(), task_id)
    assert callback["delivered"]
    assert receiver.received[0].json()["status"] == "cancelled"
    evolink_mock.finish_tasks()
    assert len(_only(evolink_mock.callbacks(), task_id)["attempts"]) == 1
    assert len(receiver.received) == 1  # the planned end sends nothing more


def test_a_task_without_callback_url_sends_nothing(
    evolink_mock: MockHandle, client: httpx.Client
) -> None:
    response = client.post(CREATE, json={"model": "suno-v5-beta", "prompt": "quiet"})
    assert response.status_code == 200
    evolink_mock.finish_tasks()
    assert evolink_mock.callbacks() == []


def test_a_non_2xx_answer_is_retried_up_to_3_times_after_the_delays(
    evolink_mock: MockHandle, client: httpx.Client
) -> None:
    with CallbackReceiver(statuses=[500, 404, 302]) as receiver:
        task_id = _create(client, receiver.url)
        evolink_mock.finish_tasks()
        delays = evolink_mock.service.config.callback_retry_delays
        for delay in delays:
            assert not _only(evolink_mock.callbacks(), task_id)["delivered"]
            evolink_mock.advance(delay)
        callback = _only(evolink_mock.callbacks(), task_id)
    assert [a["status"] for a in callback["attempts"]] == [500, 404, 302, 200]
    assert [a["delivered"] for a in callback["attempts"]] == [False, False, False, True]
    times = [a["at"] for a in callback["attempts"]]
    assert [b - a for a, b in itertools.pairwise(times)] == list(delays)
    assert callback["delivered"]


def test_after_3_failed_retries_the_callback_is_given_up(
    evolink_mock: MockHandle, client: httpx.Client
) -> None:
    with CallbackReceiver(statuses=[503] * 10) as receiver:
        task_id = _create(client, receiver.url)
        evolink_mock.finish_tasks()
        for _ in range(6):  # each retry is planned from the attempt before it
            evolink_mock.callbacks()
            evolink_mock.advance(10)
        callback = _only(evolink_mock.callbacks(), task_id)
        assert len(receiver.received) == 4
    assert [a["attempt"] for a in callback["attempts"]] == [1, 2, 3, 4]
    assert callback["exhausted"]
    assert not callback["delivered"]
    assert callback["next_attempt_at"] is None


@pytest.mark.parametrize("status", [200, 201, 202, 204, 299])
def test_any_2xx_answer_is_a_delivery(
    evolink_mock: MockHandle, client: httpx.Client, status: int
) -> None:
    with CallbackReceiver(statuses=[status]) as receiver:
        task_id = _create(client, receiver.url)
        evolink_mock.finish_tasks()
        callback = _only(evolink_mock.callbacks(), task_id)
    assert callback["delivered"]
    assert len(callback["attempts"]) == 1


def test_an_attempt_with_no_answer_within_the_timeout_fails_and_is_retried(
    evolink_mock: MockHandle, client: httpx.Client
) -> None:
    # A socket that listens but never answers: the connection opens, no response comes.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        task_id = _create(client, f"http://127.0.0.1:{port}/cb")
        evolink_mock.finish_tasks()
        callback = _only(evolink_mock.callbacks(), task_id)
    (attempt,) = callback["attempts"]
    assert attempt["status"] is None
    assert "no response within 0.5 s" in attempt["error"]
    assert callback["next_attempt_at"] is not None  # a retry is planned


def test_every_attempt_is_visible_in_the_control_api(
    evolink_mock: MockHandle, client: httpx.Client
) -> None:
    with CallbackReceiver(statuses=[500]) as receiver:
        task_id = _create(client, receiver.url)
        evolink_mock.finish_tasks()
        evolink_mock.callbacks()
        evolink_mock.advance(1)
        evolink_mock.callbacks()
    with evolink_mock.client() as control:
        listed = control.get(
            "/_mock/callbacks",
            params={"task_id": task_id},
            headers={ADMIN: evolink_mock.admin_token},
        ).json()
    assert listed["mode"] == "test"
    (callback,) = listed["callbacks"]
    assert [a["status"] for a in callback["attempts"]] == [500, 200]
    assert callback["body"]["id"] == task_id


def test_a_callback_to_a_host_other_than_loopback_is_listed_not_sent(
    evolink_mock: MockHandle, client: httpx.Client
) -> None:
    # A test suite's mock must not post task bodies to whatever URL a test wrote: the URL is
    # accepted (the vendor's rules allow it) but delivery stays on loopback unless enabled.
    task_id = _create(client, "https://hooks.example.com/suno")
    evolink_mock.finish_tasks()
    evolink_mock.advance(60)  # past every retry delay
    callback = _only(evolink_mock.callbacks(), task_id)
    assert callback["delivered"] is False
    assert [(a["status"], a["error"]) for a in callback["attempts"]] == [(None, NOT_REMOTE)]


def test_remote_delivery_is_a_setting_off_by_default() -> None:
    assert MockConfig().callback_remote is False
    assert MockConfig(callback_remote=True).callback_remote is True
