"""Which calls are retried, how often and after what delay; no real sleeping."""

from __future__ import annotations

from datetime import UTC, datetime

import evolink_persona as ep
import httpx
import pytest
from evolink_persona import RetryPolicy, parse_retry_after

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

OK_TASK = json_reply(200, task_body("processing", 40))
OK_SUBMIT = json_reply(200, submitted())


def server_error(status: int = 500) -> httpx.Response:
    return json_reply(status, error_body("internal_error", "oops", "api_error"))


def rate_limited(headers: dict[str, str] | None = None) -> httpx.Response:
    return json_reply(429, error_body("rate_limit_exceeded", "slow down"), headers)


@pytest.mark.parametrize(
    "failure",
    [
        server_error(500),
        server_error(502),
        server_error(503),
        server_error(504),
        rate_limited(),
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("peer closed"),
    ],
)
def test_reading_a_task_retries_every_transient_failure(
    failure: httpx.Response | Exception, fake_time: FakeTime
) -> None:
    script = Script(failure, failure, OK_TASK)
    task = make_client(script, fake_time).get_task(TASK_ID)
    assert task.status == "processing"
    assert len(script.requests) == 3
    assert fake_time.sleeps == [0.5, 1.0]  # initial delay, doubled, no jitter drawn


def test_retries_stop_after_max_retries_and_raise_the_last_error(fake_time: FakeTime) -> None:
    script = Script(*[server_error()] * 10)
    with pytest.raises(ep.ServerError):
        make_client(script, fake_time, max_retries=4).get_task(TASK_ID)
    assert len(script.requests) == 5
    assert fake_time.sleeps == [0.5, 1.0, 2.0, 4.0]


def test_max_retries_per_call_overrides_the_client(fake_time: FakeTime) -> None:
    script = Script(*[server_error()] * 10)
    with pytest.raises(ep.ServerError):
        make_client(script, fake_time, max_retries=4).get_task(TASK_ID, max_retries=1)
    assert len(script.requests) == 2


def test_backoff_is_capped_and_jittered_down() -> None:
    policy = RetryPolicy(initial_delay=0.5, max_delay=8.0, jitter=0.25)
    assert [policy.backoff(n, 0.0) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert policy.backoff(0, 1.0) == 0.375
    assert policy.backoff(10, 0.5) == 8.0 * 0.875


def test_jitter_comes_from_the_injected_random_source(fake_time: FakeTime) -> None:
    script = Script(server_error(), OK_TASK)
    make_client(script, fake_time, random_fraction=lambda: 1.0).get_task(TASK_ID)
    assert fake_time.sleeps == [0.375]


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404])
def test_client_errors_are_not_retried(status: int, fake_time: FakeTime) -> None:
    script = Script(json_reply(status, error_body("x", "no")), OK_TASK)
    with pytest.raises(ep.APIStatusError):
        make_client(script, fake_time).get_task(TASK_ID)
    assert len(script.requests) == 1


@pytest.mark.parametrize(
    "failure",
    [
        server_error(500),
        server_error(502),
        server_error(503),
        httpx.ReadTimeout("slow"),
        httpx.WriteTimeout("slow"),
        httpx.ReadError("reset"),
        httpx.RemoteProtocolError("peer closed"),
    ],
)
def test_creating_a_persona_is_not_retried_when_it_may_have_taken_effect(
    failure: httpx.Response | Exception, fake_time: FakeTime
) -> None:
    script = Script(failure, OK_SUBMIT)
    with pytest.raises(ep.EvolinkError):
        make_client(script, fake_time).create_persona(**VALID)
    assert len(script.requests) == 1
    assert fake_time.sleeps == []


@pytest.mark.parametrize(
    "failure",
    [rate_limited(), httpx.ConnectError("refused"), httpx.ConnectTimeout("no syn-ack")],
)
def test_creating_a_persona_is_retried_when_it_surely_did_not_take_effect(
    failure: httpx.Response | Exception, fake_time: FakeTime
) -> None:
    script = Script(failure, OK_SUBMIT)
    task = make_client(script, fake_time).create_persona(**VALID)
    assert task.id == submitted()["id"]
    assert len(script.requests) == 2
    assert script.bodies()[0] == script.bodies()[1]


def test_a_retried_creation_refused_as_duplicate_says_the_earlier_attempt_may_have_made_it(
    fake_time: FakeTime,
) -> None:
    duplicate = json_reply(
        400, error_body("invalid_request", "A persona already exists for this result_id")
    )
    script = Script(httpx.ConnectError("refused"), duplicate)
    with pytest.raises(ep.PersonaAlreadyExistsError) as caught:
        make_client(script, fake_time).create_persona(**VALID)
    assert caught.value.after_retry is True
    assert "earlier attempt may have created" in str(caught.value)


def test_a_first_attempt_refused_as_duplicate_does_not_blame_a_retry(fake_time: FakeTime) -> None:
    duplicate = json_reply(
        400, error_body("invalid_request", "A persona already exists for this result_id")
    )
    with pytest.raises(ep.PersonaAlreadyExistsError) as caught:
        make_client(Script(duplicate), fake_time).create_persona(**VALID)
    assert caught.value.after_retry is False
    assert "earlier attempt" not in str(caught.value)


def test_retry_after_seconds_is_honoured_instead_of_backoff(fake_time: FakeTime) -> None:
    script = Script(rate_limited({"Retry-After": "3"}), OK_TASK)
    make_client(script, fake_time).get_task(TASK_ID)
    assert fake_time.sleeps == [3.0]


def test_retry_after_ms_wins_over_retry_after(fake_time: FakeTime) -> None:
    script = Script(rate_limited({"Retry-After": "3", "retry-after-ms": "250"}), OK_SUBMIT)
    make_client(script, fake_time).create_persona(**VALID)
    assert fake_time.sleeps == [0.25]


def test_a_retry_after_over_the_cap_is_raised_not_waited(fake_time: FakeTime) -> None:
    script = Script(rate_limited({"Retry-After": "3600"}), OK_TASK)
    with pytest.raises(ep.RateLimitedError) as caught:
        make_client(script, fake_time).get_task(TASK_ID)
    assert caught.value.retry_after == 3600
    assert fake_time.sleeps == []
    assert len(script.requests) == 1


NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "5"}, 5.0),
        ({"Retry-After": " 1.5 "}, 1.5),
        ({"Retry-After": "-3"}, 0.0),
        ({"Retry-After": "Thu, 01 Jan 2026 12:00:30 GMT"}, 30.0),
        ({"Retry-After": "Thu, 01 Jan 2026 11:59:00 GMT"}, 0.0),
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after-ms": "nonsense", "Retry-After": "2"}, 2.0),
        ({"Retry-After": "soon"}, None),
        ({"Retry-After": "nan"}, None),
        ({}, None),
    ],
)
def test_retry_after_parsing(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(httpx.Headers(headers), now=NOW) == expected
