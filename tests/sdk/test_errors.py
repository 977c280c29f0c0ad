"""Every answer the service (or a proxy) can give becomes one typed error, never a raw one."""

from __future__ import annotations

import evolink_persona as ep
import httpx
import pytest

from tests.sdk.sdk_support import (
    TASK_ID,
    VALID,
    FakeTime,
    Script,
    error_body,
    json_reply,
    make_client,
    submitted,
    task_body,
)


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, "invalid_task_id", ep.BadRequestError),
        (401, "unauthorized", ep.AuthenticationError),
        (402, "insufficient_quota", ep.InsufficientQuotaError),
        (403, "permission_denied", ep.PermissionDeniedError),
        (404, "task_not_found", ep.NotFoundError),
        (429, "rate_limit_exceeded", ep.RateLimitedError),
        (500, "internal_error", ep.ServerError),
        (503, "service_unavailable", ep.ServerError),
    ],
)
def test_each_documented_status_has_its_error_class(
    status: int, code: str, cls: type[ep.APIStatusError], fake_time: FakeTime
) -> None:
    reply = json_reply(status, error_body(code, "it went wrong", "some_type"))
    client = make_client(Script(*[reply] * 5), fake_time, max_retries=0)
    with pytest.raises(cls) as caught:
        client.get_task(TASK_ID)
    error = caught.value
    assert type(error) is cls
    assert (error.status_code, error.code, error.message, error.type) == (
        status,
        code,
        "it went wrong",
        "some_type",
    )
    assert error.hint
    assert isinstance(error, ep.EvolinkError)


def test_an_html_502_from_a_proxy_is_a_server_error_quoting_the_page(
    fake_time: FakeTime,
) -> None:
    html = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    reply = httpx.Response(502, text=html, headers={"content-type": "text/html"})
    client = make_client(Script(reply), fake_time, max_retries=0)
    with pytest.raises(ep.ServerError) as caught:
        client.get_task(TASK_ID)
    assert caught.value.status_code == 502
    assert "502 Bad Gateway" in caught.value.body_excerpt
    assert "without an API error body" in str(caught.value)


def test_truncated_json_is_an_unexpected_response(fake_time: FakeTime) -> None:
    reply = httpx.Response(200, content=b'{"id": "task-unified-1-abc", "status": "proc')
    client = make_client(Script(reply), fake_time)
    with pytest.raises(ep.UnexpectedResponseError, match="not JSON"):
        client.get_task(TASK_ID)


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"status": "completed"},
        {"id": TASK_ID, "status": 7},
        {"id": TASK_ID, "status": "completed", "progress": "half"},
        {"id": TASK_ID, "status": "completed", "result_data": "persona"},
        {"id": TASK_ID, "status": "completed", "result_data": {"songs": [{"title": "x"}]}},
        {"id": TASK_ID, "status": "failed", "error": "boom"},
    ],
)
def test_a_200_that_breaks_the_schema_is_an_unexpected_response(
    body: object, fake_time: FakeTime
) -> None:
    client = make_client(Script(json_reply(200, body)), fake_time)
    with pytest.raises(ep.UnexpectedResponseError, match="breaks the API contract"):
        client.get_task(TASK_ID)


def test_an_undocumented_status_is_an_unexpected_response(fake_time: FakeTime) -> None:
    client = make_client(
        Script(json_reply(418, error_body("teapot", "short and stout"))), fake_time
    )
    with pytest.raises(ep.UnexpectedResponseError) as caught:
        client.get_task(TASK_ID)
    assert caught.value.status_code == 418
    assert caught.value.code == "teapot"


def test_an_undocumented_2xx_is_an_unexpected_response(fake_time: FakeTime) -> None:
    client = make_client(Script(httpx.Response(204)), fake_time)
    with pytest.raises(ep.UnexpectedResponseError, match="204"):
        client.get_task(TASK_ID)


def test_a_refused_connection_is_a_connection_error(fake_time: FakeTime) -> None:
    client = make_client(Script(*[httpx.ConnectError("refused")] * 3), fake_time)
    with pytest.raises(ep.APIConnectionError) as caught:
        client.get_task(TASK_ID)
    assert not isinstance(caught.value, ep.APITimeoutError)


def test_a_read_timeout_is_a_timeout_error(fake_time: FakeTime) -> None:
    client = make_client(Script(*[httpx.ReadTimeout("slow")] * 3), fake_time)
    with pytest.raises(ep.APITimeoutError):
        client.get_task(TASK_ID)


def test_a_rate_limit_carries_the_delay_the_server_asked_for(fake_time: FakeTime) -> None:
    reply = json_reply(429, error_body("rate_limit_exceeded", "slow down"), {"Retry-After": "7"})
    client = make_client(Script(reply), fake_time, max_retries=0)
    with pytest.raises(ep.RateLimitedError) as caught:
        client.get_task(TASK_ID)
    assert caught.value.retry_after == 7.0


def test_new_enum_values_and_extra_fields_do_not_break_parsing(fake_time: FakeTime) -> None:
    body = submitted(
        status="queued",
        usage={"billing_rule": "per_minute", "credits_reserved": 2.5, "user_group": "gold"},
        brand_new_field={"nested": True},
        type="music",
    )
    client = make_client(Script(json_reply(200, body)), fake_time)
    task = client.create_persona(**VALID)
    assert task.status == "queued"
    assert not task.status_known
    assert not task.is_terminal
    assert task.usage is not None
    assert task.usage.billing_rule == "per_minute"
    assert task.credits_reserved == 2.5
    assert task.estimated_time == 15


def test_both_result_data_shapes_list_the_songs(fake_time: FakeTime) -> None:
    song = {"result_id": "4fcc4507-a7ae-4441-ad8a-465c2f61d5bb", "title": "A", "duration": 182.4}
    current = task_body("completed", 100, result_data={"songs": [song, {**song, "title": "B"}]})
    older = task_body("completed", 100, result_data=[song])
    client = make_client(Script(json_reply(200, current), json_reply(200, older)), fake_time)
    assert [s.title for s in client.list_songs(TASK_ID)] == ["A", "B"]
    assert client.list_songs(TASK_ID)[0].duration == 182.4


def test_a_task_without_songs_has_no_songs_to_list(fake_time: FakeTime) -> None:
    body = task_body("completed", 100, result_data={"persona_id": "p1"}, model="suno-persona")
    client = make_client(Script(json_reply(200, body)), fake_time)
    with pytest.raises(ep.NoSongsError, match="lists no songs"):
        client.list_songs(TASK_ID)


def test_a_failed_task_reports_its_error(fake_time: FakeTime) -> None:
    body = task_body("failed", 30, error={"code": "content_policy_violation", "message": "no"})
    task = make_client(Script(json_reply(200, body)), fake_time).get_task(TASK_ID)
    assert task.error is not None
    assert task.error.code == "content_policy_violation"
    assert task.error.retryable is False


def test_an_invalid_request_sends_nothing(fake_time: FakeTime) -> None:
    script = Script()
    client = make_client(script, fake_time)
    with pytest.raises(ep.RequestValidationError) as caught:
        client.create_persona(**VALID, vocal_start=0, vocal_end=40)
    assert [v.field for v in caught.value.violations] == ["vocal_end"]
    assert script.requests == []


def test_a_missing_key_fails_at_construction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EVOLINK_API_KEY", raising=False)
    with pytest.raises(ep.ConfigurationError, match="EVOLINK_API_KEY"):
        ep.PersonaClient()
    with pytest.raises(ep.ConfigurationError):
        ep.AsyncPersonaClient()


def test_key_and_base_url_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVOLINK_API_KEY", "sk-from-env")
    monkeypatch.setenv("EVOLINK_BASE_URL", "http://localhost:9/")
    with ep.PersonaClient() as client:
        assert client.base_url == "http://localhost:9"
    monkeypatch.delenv("EVOLINK_BASE_URL")
    with ep.PersonaClient() as client:
        assert client.base_url == "https://api.evolink.ai"


def test_a_fractional_progress_is_read_not_refused(fake_time: FakeTime) -> None:
    body = {"id": TASK_ID, "status": "processing", "progress": 33.3}
    task = make_client(Script(json_reply(200, body)), fake_time).get_task(TASK_ID)
    assert task.progress == 33
