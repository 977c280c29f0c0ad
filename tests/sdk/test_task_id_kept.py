"""The id of a paid task is never lost.

Every error (or cancellation) raised after a creation was accepted carries ``task_id`` as an
attribute and in its message or notes, with the way to resume; a creation whose outcome the
SDK cannot confirm says so and how to look for the task.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import evolink_persona as ep
import httpx
import pytest

from tests.sdk.sdk_support import (
    API_KEY,
    BASE_URL,
    MUSIC_TASK_ID,
    RESULT_ID,
    TASK_ID,
    VALID,
    CliRunner,
    FakeTime,
    Script,
    error_body,
    json_reply,
    make_async_client,
    make_client,
    submitted,
    task_body,
)

CREATED = json_reply(200, submitted())
UNAVAILABLE = json_reply(503, error_body("service_unavailable", "busy"))
PROCESSING = json_reply(200, task_body("processing", 40))


def _shows_task(error: BaseException) -> str:
    """Everything a user sees of ``error``: its text and its notes."""
    return " ".join([str(error), *getattr(error, "__notes__", [])])


def test_a_poll_that_meets_repeated_503s_names_the_created_task(fake_time: FakeTime) -> None:
    script = Script(CREATED, *[UNAVAILABLE] * 3)
    client = make_client(script, fake_time)
    with pytest.raises(ep.ServerError) as caught:
        client.create_persona_and_wait(**VALID)
    error = caught.value
    assert error.task_id == TASK_ID
    assert TASK_ID in error.message
    assert f"wait_for_persona({TASK_ID!r})" in error.hint
    assert len(script.requests) == 4


def test_a_failed_read_while_waiting_names_the_task_waited_for(fake_time: FakeTime) -> None:
    client = make_client(Script(*[UNAVAILABLE] * 3), fake_time)
    with pytest.raises(ep.ServerError) as caught:
        client.wait_for_persona(TASK_ID)
    assert caught.value.task_id == TASK_ID
    assert TASK_ID in str(caught.value)


def test_a_wait_timeout_after_a_creation_names_the_task(fake_time: FakeTime) -> None:
    client = make_client(Script(CREATED, *[PROCESSING] * 50), fake_time)
    with pytest.raises(ep.WaitTimeoutError) as caught:
        client.create_persona_and_wait(**VALID, timeout=20)
    assert caught.value.task_id == TASK_ID
    assert TASK_ID in str(caught.value)


def test_an_interrupt_while_waiting_after_a_creation_carries_the_task_id(
    fake_time: FakeTime,
) -> None:
    def interrupt(task: ep.Task) -> None:
        raise KeyboardInterrupt

    client = make_client(Script(CREATED), fake_time)
    with pytest.raises(KeyboardInterrupt) as caught:
        client.create_persona_and_wait(**VALID, on_progress=interrupt)
    assert getattr(caught.value, "task_id", None) == TASK_ID
    assert f"wait_for_persona({TASK_ID!r})" in _shows_task(caught.value)


def test_an_asyncio_cancellation_while_waiting_carries_the_task_id(fake_time: FakeTime) -> None:
    async def scenario() -> BaseException:
        asleep = asyncio.Event()

        async def sleep_forever(seconds: float) -> None:
            asleep.set()
            await asyncio.Event().wait()

        async with ep.AsyncPersonaClient(
            API_KEY,
            base_url=BASE_URL,
            http_client=httpx.AsyncClient(transport=httpx.MockTransport(Script(CREATED))),
            sleep=sleep_forever,
            clock=fake_time.clock,
        ) as client:
            caught: list[BaseException] = []

            async def create() -> None:
                try:
                    await client.create_persona_and_wait(**VALID)
                except asyncio.CancelledError as exc:
                    caught.append(exc)
                    raise

            running = asyncio.create_task(create())
            await asyncio.wait_for(asleep.wait(), timeout=10)
            running.cancel()
            with pytest.raises(asyncio.CancelledError):
                await running
            return caught[0]

    cancelled = asyncio.run(scenario())
    assert getattr(cancelled, "task_id", None) == TASK_ID
    assert f"wait_for_persona({TASK_ID!r})" in _shows_task(cancelled)


def test_a_creation_cancelled_mid_request_says_it_cannot_be_confirmed() -> None:
    async def scenario() -> BaseException:
        sent = asyncio.Event()

        async def hang(request: httpx.Request) -> httpx.Response:
            sent.set()
            await asyncio.Event().wait()
            raise AssertionError("unreachable")

        async with ep.AsyncPersonaClient(
            API_KEY,
            base_url=BASE_URL,
            http_client=httpx.AsyncClient(transport=httpx.MockTransport(hang)),
        ) as client:
            caught: list[BaseException] = []

            async def create() -> None:
                try:
                    await client.create_persona(**VALID)
                except asyncio.CancelledError as exc:
                    caught.append(exc)
                    raise

            running = asyncio.create_task(create())
            await asyncio.wait_for(sent.wait(), timeout=10)
            running.cancel()
            with pytest.raises(asyncio.CancelledError):
                await running
            return caught[0]

    shown = _shows_task(asyncio.run(scenario()))
    assert "interrupted mid-request" in shown
    assert "cannot list tasks" in shown


@pytest.mark.parametrize(
    "reply",
    [httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("peer closed"), UNAVAILABLE],
    ids=["read-timeout", "reset", "503"],
)
def test_a_creation_sent_without_a_readable_answer_says_it_cannot_be_confirmed(
    reply: Any, fake_time: FakeTime
) -> None:
    client = make_client(Script(reply), fake_time)
    with pytest.raises(ep.EvolinkError) as caught:
        client.create_persona(**VALID)
    error = caught.value
    assert error.creation_unconfirmed
    assert "may have been accepted" in error.message
    assert "cannot list tasks" in error.hint


def test_an_accepted_creation_with_an_unreadable_task_keeps_its_id(fake_time: FakeTime) -> None:
    client = make_client(Script(json_reply(200, submitted(status=7))), fake_time)
    with pytest.raises(ep.UnexpectedResponseError) as caught:
        client.create_persona(**VALID)
    error = caught.value
    assert error.task_id == TASK_ID
    assert error.creation_unconfirmed
    assert f"wait_for_persona({TASK_ID!r})" in error.hint


def test_a_bad_wait_timeout_is_refused_before_anything_is_created(fake_time: FakeTime) -> None:
    script = Script(CREATED)
    with pytest.raises(ep.RequestValidationError, match="timeout"):
        make_client(script, fake_time).create_persona_and_wait(**VALID, timeout=float("nan"))
    assert script.requests == []


def test_the_async_client_names_the_created_task_too(fake_time: FakeTime) -> None:
    async def scenario() -> ep.EvolinkError:
        client = make_async_client(Script(CREATED, *[UNAVAILABLE] * 3), fake_time)
        async with client:
            try:
                await client.create_persona_and_wait(**VALID)
            except ep.EvolinkError as error:
                return error
        raise AssertionError("no error")

    error = asyncio.run(scenario())
    assert isinstance(error, ep.ServerError)
    assert error.task_id == TASK_ID
    assert TASK_ID in str(error)


def test_the_cli_interrupted_after_a_creation_prints_how_to_resume(
    scripted_cli: CliRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupt(request: httpx.Request) -> httpx.Response:
        raise KeyboardInterrupt

    argv = ["create", "--source-task-id", MUSIC_TASK_ID, "--result-id", RESULT_ID, "--wait"]
    argv += ["--name", "N", "--description", "D"]
    assert scripted_cli(Script(CREATED, interrupt), argv) == 130
    err = capsys.readouterr().err
    assert "interrupted" in err
    assert f"evolink-persona wait {TASK_ID}" in err


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError("refused"),
        httpx.UnsupportedProtocol("ftp"),
        httpx.LocalProtocolError("x"),
    ],
    ids=["connect", "unsupported-protocol", "local-protocol"],
)
def test_a_creation_that_never_left_is_not_unconfirmed(
    failure: Exception, fake_time: FakeTime
) -> None:
    client = make_client(Script(*[failure] * 3), fake_time)
    with pytest.raises(ep.EvolinkError) as caught:
        client.create_persona(**VALID)
    assert not caught.value.creation_unconfirmed


def test_the_cli_json_error_after_a_creation_carries_the_task_id(
    scripted_cli: CliRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["create", "--source-task-id", MUSIC_TASK_ID, "--result-id", RESULT_ID, "--wait"]
    argv += ["--name", "N", "--description", "D", "--json"]
    assert scripted_cli(Script(CREATED, *[UNAVAILABLE] * 3), argv) == 12
    last_line = capsys.readouterr().err.strip().splitlines()[-1]
    assert json.loads(last_line)["error"]["task_id"] == TASK_ID


def test_a_creation_interrupted_mid_request_says_it_cannot_be_confirmed(
    fake_time: FakeTime,
) -> None:
    def interrupt(request: httpx.Request) -> httpx.Response:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt) as caught:
        make_client(Script(interrupt), fake_time).create_persona(**VALID)
    shown = _shows_task(caught.value)
    assert "interrupted mid-request" in shown
    assert "cannot list tasks" in shown
