"""Waiting for a persona: to completion, to failure, to the deadline; sync and async alike."""

from __future__ import annotations

import asyncio
from typing import Any

import evolink_persona as ep
import httpx
import pytest
from evolink_persona import PollPolicy, Task

from tests.sdk.sdk_support import (
    TASK_ID,
    VALID,
    FakeTime,
    Script,
    json_reply,
    make_async_client,
    make_client,
    submitted,
    task_body,
)

DONE = json_reply(200, task_body("completed", 100, result_data={"persona_id": "persona-123"}))


def progress(status: str, pct: int) -> httpx.Response:
    return json_reply(200, task_body(status, pct))


def test_the_poll_interval_starts_short_and_grows_to_a_cap() -> None:
    policy = PollPolicy(initial_interval=1.0, growth=1.5, max_interval=10.0)
    assert [policy.interval(n, None) for n in range(8)] == [
        1.0,
        1.5,
        2.25,
        3.375,
        5.0625,
        7.59375,
        10.0,
        10.0,
    ]


def test_the_first_interval_follows_the_estimated_time() -> None:
    policy = PollPolicy()
    assert policy.interval(0, 15) == 7.5
    assert policy.interval(0, 600) == 10.0  # capped
    assert policy.interval(0, 0.5) == 1.0  # never shorter than the initial interval


def test_reads_come_often_while_the_task_is_plausibly_finishing() -> None:
    policy = PollPolicy()
    # Estimate 20 s: from 10 s (half) to 30 s (1.5x) a read every 2 s.
    assert [policy.interval(n, 20, elapsed) for n, elapsed in ((1, 10), (2, 20), (3, 30))] == [
        2.0,
        2.0,
        2.0,
    ]
    assert policy.interval(1, 600, 300) == 10.0  # a tenth of a long estimate, capped


def test_a_task_past_its_estimate_is_read_less_and_less_often() -> None:
    policy = PollPolicy()
    waits = [policy.interval(n, 20, elapsed) for n, elapsed in enumerate((38, 46, 60, 400))]
    assert waits == [2.0, 4.0, 7.5, 10.0]
    assert waits == sorted(waits)


def test_without_an_estimate_waits_grow_geometrically_to_the_cap() -> None:
    policy = PollPolicy()
    assert [policy.interval(n, None) for n in range(7)] == [
        1.0,
        1.5,
        2.25,
        3.375,
        5.0625,
        7.59375,
        10.0,
    ]


def test_waiting_polls_until_the_persona_exists(fake_time: FakeTime) -> None:
    script = Script(progress("pending", 0), progress("processing", 60), DONE)
    seen: list[Task] = []
    persona = make_client(script, fake_time).wait_for_persona(TASK_ID, on_progress=seen.append)
    assert persona.persona_id == "persona-123"
    assert persona.task_id == TASK_ID
    assert [t.progress for t in seen] == [0, 60, 100]
    assert fake_time.sleeps == [1.0, 1.5]


def test_an_unknown_status_is_not_the_end_of_the_task(fake_time: FakeTime) -> None:
    script = Script(progress("queued", 0), progress("uploading", 90), DONE)
    persona = make_client(script, fake_time).wait_for_persona(TASK_ID)
    assert persona.persona_id == "persona-123"
    assert len(script.requests) == 3


@pytest.mark.parametrize(
    ("code", "retryable"),
    [("content_policy_violation", False), ("generation_timeout", True), ("brand_new", None)],
)
def test_a_failed_task_raises_task_failed_with_its_code(
    code: str, retryable: bool | None, fake_time: FakeTime
) -> None:
    failed = json_reply(
        200, task_body("failed", 40, error={"code": code, "message": "nope", "type": "task_error"})
    )
    with pytest.raises(ep.TaskFailedError) as caught:
        make_client(Script(progress("processing", 10), failed), fake_time).wait_for_persona(TASK_ID)
    assert caught.value.code == code
    assert caught.value.retryable is retryable
    assert caught.value.task_id == TASK_ID


def test_a_cancelled_task_raises_task_failed(fake_time: FakeTime) -> None:
    with pytest.raises(ep.TaskFailedError) as caught:
        make_client(Script(progress("cancelled", 10)), fake_time).wait_for_persona(TASK_ID)
    assert caught.value.status == "cancelled"


def test_a_completed_task_without_persona_id_is_unexpected(fake_time: FakeTime) -> None:
    with pytest.raises(ep.UnexpectedResponseError):
        make_client(Script(progress("completed", 100)), fake_time).wait_for_persona(TASK_ID)


def test_waiting_stops_at_the_deadline_with_the_last_status(fake_time: FakeTime) -> None:
    script = Script(*[progress("processing", 42)] * 50)
    with pytest.raises(ep.WaitTimeoutError) as caught:
        make_client(script, fake_time).wait_for_persona(TASK_ID, timeout=12)
    error = caught.value
    assert (error.last_status, error.last_progress) == ("processing", 42)
    assert sum(fake_time.sleeps) == pytest.approx(12)  # the last sleep ends at the deadline
    assert fake_time.sleeps == [1.0, 1.5, 2.25, 3.375, pytest.approx(3.875)]
    assert len(script.requests) == 6  # one read at the deadline itself


def test_create_and_wait_starts_from_the_estimated_time(fake_time: FakeTime) -> None:
    script = Script(json_reply(200, submitted()), progress("processing", 50), DONE)
    persona = make_client(script, fake_time).create_persona_and_wait(**VALID)
    assert persona.persona_id == "persona-123"
    assert fake_time.sleeps == [7.5, 2.0]
    assert [r.method for r in script.requests] == ["POST", "GET", "GET"]


# Async parity: the same script gives the same result, requests and sleeps.


def _run_both(replies: list[Any], call: str, **kwargs: Any) -> tuple[Any, Any]:
    sync_time, async_time = FakeTime(), FakeTime()
    sync_script, async_script = Script(*replies), Script(*replies)
    sync_client = make_client(sync_script, sync_time)
    sync_result = getattr(sync_client, call)(**kwargs)

    async def run() -> Any:
        async with make_async_client(async_script, async_time) as client:
            return await getattr(client, call)(**kwargs)

    async_result = asyncio.run(run())
    assert [(r.method, str(r.url), r.content) for r in sync_script.requests] == [
        (r.method, str(r.url), r.content) for r in async_script.requests
    ]
    assert sync_time.sleeps == async_time.sleeps
    return sync_result, async_result


def test_async_create_and_wait_matches_sync() -> None:
    replies = [
        json_reply(429, {"error": {"code": "rate_limit_exceeded"}}, {"Retry-After": "2"}),
        json_reply(200, submitted()),
        json_reply(502, {"error": {"code": "bad_gateway"}}),
        progress("processing", 50),
        DONE,
    ]
    sync_result, async_result = _run_both(replies, "create_persona_and_wait", **VALID)
    assert sync_result == async_result


def test_async_errors_match_sync() -> None:
    failed = json_reply(
        200, task_body("failed", 5, error={"code": "service_error", "message": "x"})
    )
    errors = []
    for make in (make_client, make_async_client):
        client = make(Script(failed), FakeTime())
        try:
            result = client.wait_for_persona(TASK_ID)
            if asyncio.iscoroutine(result):
                asyncio.run(result)
        except ep.TaskFailedError as error:
            errors.append((type(error), error.code, error.retryable, str(error)))
    assert len(errors) == 2
    assert errors[0] == errors[1]


def test_async_list_songs_matches_sync() -> None:
    song = {"result_id": "4fcc4507-a7ae-4441-ad8a-465c2f61d5bb", "title": "A"}
    replies = [json_reply(200, task_body("completed", 100, result_data=[song]))]
    sync_result, async_result = _run_both(replies, "list_songs", task_id=TASK_ID)
    assert sync_result == async_result
    assert sync_result[0].title == "A"
