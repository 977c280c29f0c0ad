"""What reaches the wire: URLs, headers, timeout; the pieces the SDK builds once stay right."""

from __future__ import annotations

import httpx
import pytest
from evolink_persona import PersonaClient
from evolink_persona._constants import USER_AGENT

from tests.sdk.sdk_support import (
    API_KEY,
    BASE_URL,
    TASK_ID,
    VALID,
    FakeTime,
    Script,
    json_reply,
    make_client,
    submitted,
    task_body,
)


def _task(task_id: str) -> httpx.Response:
    return json_reply(200, {**task_body("processing"), "id": task_id})


def test_a_creation_is_one_post_with_json_and_the_key_in_one_header(fake_time: FakeTime) -> None:
    script = Script(json_reply(200, submitted()))
    make_client(script, fake_time).create_persona(**VALID)
    (request,) = script.requests
    assert (request.method, str(request.url)) == ("POST", f"{BASE_URL}/v1/audios/generations")
    assert request.headers.get_list("content-type") == ["application/json"]
    assert request.headers.get_list("authorization") == [f"Bearer {API_KEY}"]
    assert request.headers["accept"] == "application/json"
    assert request.headers["user-agent"].startswith("evolink-persona-python")


def test_reading_other_tasks_in_turn_never_reuses_the_wrong_url(fake_time: FakeTime) -> None:
    ids = ["task-a", "task-b", "task-a", "task-a", "weird/id?x=1"]
    script = Script(*[_task(task_id) for task_id in ids])
    client = make_client(script, fake_time)
    assert [client.get_task(task_id).id for task_id in ids] == ids
    assert [request.url.raw_path.decode() for request in script.requests] == [
        "/v1/tasks/task-a",
        "/v1/tasks/task-b",
        "/v1/tasks/task-a",
        "/v1/tasks/task-a",
        "/v1/tasks/weird%2Fid%3Fx%3D1",
    ]


def test_every_retry_sends_the_same_request(fake_time: FakeTime) -> None:
    oops = json_reply(503, {"error": {"code": "busy", "message": "busy"}})
    script = Script(oops, oops, _task(TASK_ID))
    make_client(script, fake_time).get_task(TASK_ID)
    assert len({(str(r.url), tuple(r.headers.raw)) for r in script.requests}) == 1


def test_a_users_client_keeps_its_headers_and_gets_the_sdk_timeout(fake_time: FakeTime) -> None:
    script = Script(_task(TASK_ID), _task(TASK_ID))
    http = httpx.Client(
        transport=httpx.MockTransport(script), headers={"X-Team": "audio"}, timeout=1.0
    )
    client = PersonaClient(API_KEY, base_url=BASE_URL, http_client=http, timeout=12.0)
    client.get_task(TASK_ID)
    http.timeout = httpx.Timeout(12.0)  # now equal: the SDK's timeout still applies
    client.get_task(TASK_ID)
    for request in script.requests:
        assert request.headers["x-team"] == "audio"
        assert request.extensions["timeout"]["read"] == 12.0


def test_the_sdks_accept_and_user_agent_replace_a_users_client_defaults_once(
    fake_time: FakeTime,
) -> None:
    # The SDK's own headers are set on the built request, not merged by httpx: each must still
    # replace the client's header of that name (any spelling), never sit beside it.
    script = Script(_task(TASK_ID), _task(TASK_ID), _task(TASK_ID))
    http = httpx.Client(
        transport=httpx.MockTransport(script),
        headers={"user-agent": "theirs", "ACCEPT": "text/html", "X-Team": "audio"},
    )
    client = PersonaClient(API_KEY, base_url=BASE_URL, http_client=http)
    client.get_task(TASK_ID)
    client.get_task(TASK_ID, extra_headers={"User-Agent": "mine"})
    http.headers = httpx.Headers({"Authorization": "Bearer other", "Accept": "*/*"})
    client.get_task(TASK_ID)
    first, extra, replaced = script.requests
    for request in (first, extra, replaced):
        assert request.headers.get_list("accept") == ["application/json"]
        assert request.headers.get_list("authorization") == [f"Bearer {API_KEY}"]
    assert first.headers.get_list("user-agent") == [USER_AGENT]
    assert extra.headers.get_list("user-agent") == ["mine"]
    assert first.headers["x-team"] == extra.headers["x-team"] == "audio"
    assert replaced.headers.get_list("user-agent") == [USER_AGENT]


@pytest.mark.parametrize("base_url", ["https://api.test/", "https://api.test"])
def test_the_base_url_is_joined_with_one_slash(base_url: str, fake_time: FakeTime) -> None:
    script = Script(_task(TASK_ID))
    http = httpx.Client(transport=httpx.MockTransport(script))
    PersonaClient(API_KEY, base_url=base_url, http_client=http).get_task(TASK_ID)
    assert str(script.requests[0].url) == f"https://api.test/v1/tasks/{TASK_ID}"
