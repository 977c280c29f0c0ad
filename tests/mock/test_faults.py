"""Each injected fault, by header, by queue and at a seeded rate; drop over a real socket."""

from __future__ import annotations

import time

import httpx
import pytest
from evolink_mock import FAULT_MODES, ManualClock, MockConfig, create_app, fixtures, serve_in_thread
from evolink_mock.errors import ConnectionDropped
from evolink_mock.faults import Fault, Phase
from evolink_mock.handle import MockHandle

from .conftest import CREATE, error_of, persona_body

DETAIL = f"/v1/tasks/{fixtures.DEMO_MUSIC_TASK_ID}"


def test_no_faults_by_default(client: httpx.Client) -> None:
    assert all(client.get(DETAIL).status_code == 200 for _ in range(50))


def test_429_fault_has_retry_after(client: httpx.Client) -> None:
    response = client.get(DETAIL, headers={"X-Mock-Fault": "429"})
    assert response.status_code == 429
    assert response.headers["retry-after"] == "1"
    assert error_of(response)["code"] == "rate_limit_exceeded"


@pytest.mark.parametrize("status", [502, 503])
def test_gateway_faults_answer_html(client: httpx.Client, status: int) -> None:
    response = client.post(CREATE, json=persona_body(), headers={"X-Mock-Fault": str(status)})
    assert response.status_code == status
    assert response.headers["content-type"] == "text/html"
    assert response.text.startswith("<html>")


def test_fault_replaces_the_request_without_side_effects(client: httpx.Client) -> None:
    assert (
        client.post(CREATE, json=persona_body(), headers={"X-Mock-Fault": "503"}).status_code == 503
    )
    # The song is still free: the faulted request never reached the service.
    assert client.post(CREATE, json=persona_body()).status_code == 200


def test_truncated_fault_cuts_the_json(client: httpx.Client) -> None:
    response = client.get(DETAIL, headers={"X-Mock-Fault": "truncated"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert int(response.headers["content-length"]) == len(response.content)
    with pytest.raises(ValueError, match=r"Expecting|Unterminated"):
        response.json()


def test_slow_fault_trips_a_client_timeout_over_a_real_socket() -> None:
    # In-process transports have no timeouts, so this one needs a socket.
    with serve_in_thread() as live, httpx.Client(base_url=live.base_url) as c:
        headers = {"Authorization": f"Bearer {live.api_key}", "X-Mock-Fault": "slow=0.3"}
        with pytest.raises(httpx.ReadTimeout):
            c.get(DETAIL, headers=headers, timeout=0.05)


def test_a_client_that_gives_up_on_a_slow_creation_leaves_a_task_and_a_charge() -> None:
    """`slow` holds the answer after the effect: the service got the request, the client left."""
    with serve_in_thread(MockConfig(seed=1), clock=ManualClock()) as live:
        headers = {"Authorization": f"Bearer {live.api_key}", "X-Mock-Fault": "slow=0.5"}
        with (
            httpx.Client(base_url=live.base_url, headers=headers) as c,
            pytest.raises(httpx.ReadTimeout),
        ):
            c.post(CREATE, json=persona_body(), timeout=0.05)
        deadline = time.monotonic() + 10
        while not live.service.request_log and time.monotonic() < deadline:
            time.sleep(0.02)
        assert [r.fault for r in live.service.requests()] == ["slow"]
        assert live.service.snapshot()["tasks"]["recent"] == 1
        assert live.service.users[fixtures.DEMO_USER_ID].credits == 999.0


def test_each_fault_acts_in_its_documented_phase() -> None:
    phases = {mode: Fault(mode).phase for mode in FAULT_MODES}
    assert phases == {
        "429": Phase.BEFORE_EFFECT,
        "500": Phase.BEFORE_EFFECT,
        "502": Phase.BEFORE_EFFECT,
        "503": Phase.BEFORE_EFFECT,
        "slow": Phase.AFTER_EFFECT,
        "truncated": Phase.ON_THE_WAY_OUT,
        "drop": Phase.ON_THE_WAY_OUT,
    }


@pytest.mark.parametrize("mode", ["slow=0.01", "truncated"])
def test_faults_after_the_effect_leave_the_task_created(
    evolink_mock: MockHandle, mode: str
) -> None:
    with evolink_mock.client() as c:
        c.post(CREATE, json=persona_body(), headers={"X-Mock-Fault": mode})
    assert evolink_mock.service.snapshot()["tasks"]["recent"] == 1


def test_slow_fault_then_answers_normally(client: httpx.Client) -> None:
    response = client.get(DETAIL, headers={"X-Mock-Fault": "slow=0.01"})
    assert response.status_code == 200
    assert response.json()["id"] == fixtures.DEMO_MUSIC_TASK_ID


def test_drop_in_process_raises_from_the_app(client: httpx.Client) -> None:
    with pytest.raises(ConnectionDropped):
        client.get(DETAIL, headers={"X-Mock-Fault": "drop"})


def test_dropped_connection_over_a_real_socket() -> None:
    with serve_in_thread() as live, httpx.Client(base_url=live.base_url) as c:
        headers = {"Authorization": f"Bearer {live.api_key}", "X-Mock-Fault": "drop"}
        with pytest.raises(httpx.RemoteProtocolError):
            c.get(DETAIL, headers=headers)
        # The server survives and answers the next request.
        ok = c.get(DETAIL, headers={"Authorization": f"Bearer {live.api_key}"})
        assert ok.status_code == 200


def test_queued_faults_hit_the_next_requests_only(evolink_mock: MockHandle) -> None:
    evolink_mock.inject_fault("503", times=2)
    with evolink_mock.client() as c:
        assert [c.get(DETAIL).status_code for _ in range(3)] == [503, 503, 200]


def test_unknown_fault_header_is_ignored(client: httpx.Client) -> None:
    assert client.get(DETAIL, headers={"X-Mock-Fault": "meteor"}).status_code == 200


def test_seeded_fault_rate_is_reproducible() -> None:
    def statuses() -> list[int]:
        app = create_app(MockConfig(fault_rate=0.5, fault_modes=("500", "503"), seed=3))
        with MockHandle(app).client() as c:
            return [c.get(DETAIL).status_code for _ in range(40)]

    first = statuses()
    assert first == statuses()
    assert {200, 500, 503} == set(first)
