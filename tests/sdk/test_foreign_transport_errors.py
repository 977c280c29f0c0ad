"""A transport's own exceptions (not httpx's) reach the caller as the SDK's typed errors.

httpx maps the failures of its own transport to ``httpx.HTTPError``; a custom transport, an
event hook or a library plugged into httpx can raise anything. The SDK makes that an
``APIConnectionError`` that names the exception, keeps it as ``__cause__``, never quotes the
key and follows the transport policy: a read retries an ``OSError`` only, a creation retries
nothing and is left unconfirmed. A cancellation or Ctrl-C stays what it is
(``test_task_id_kept.py``). A response hook that calls ``raise_for_status()`` raises an
``httpx.HTTPStatusError`` for an answer the service did give: that answer is judged by its
status and headers, as any other.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import evolink_persona as ep
import httpx
import pytest
from evolink_persona._errors import _TRANSPORT_DETAIL_CHARS, FOREIGN_TRANSPORT_HINT
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.sdk.sdk_support import (
    API_KEY,
    TASK_ID,
    VALID,
    CliRunner,
    FakeTime,
    PersonaArgs,
    Script,
    error_body,
    json_reply,
    make_async_client,
    make_client,
    submitted,
    task_body,
)


class _Unprintable(Exception):
    def __str__(self) -> str:
        raise RuntimeError("no message")


class _Slotted(Exception):
    __slots__ = ()


_KINDS = (
    ConnectionResetError,
    BrokenPipeError,
    OSError,
    TimeoutError,
    ValueError,
    RuntimeError,
    TypeError,
    KeyError,
    _Slotted,
)


@settings(derandomize=True, max_examples=120, deadline=None)
@given(
    kind=st.sampled_from(_KINDS),
    before=st.text(max_size=40),
    with_key=st.booleans(),
    padding=st.integers(min_value=0, max_value=20_000),
)
def test_a_read_meets_a_connection_error_naming_the_transports_exception(
    kind: type[Exception], before: str, with_key: bool, padding: int
) -> None:
    message = before + (f" Bearer {API_KEY} " if with_key else "") + "x" * padding
    raised = kind(message)
    fake_time = FakeTime()
    script = Script(raised, raised, raised)
    with pytest.raises(ep.APIConnectionError) as caught:
        make_client(script, fake_time).get_task(TASK_ID)
    error = caught.value
    timed_out = isinstance(raised, TimeoutError)
    assert type(error) is (ep.APITimeoutError if timed_out else ep.APIConnectionError)
    assert error.__cause__ is raised
    assert kind.__name__ in error.message
    assert API_KEY not in str(error)
    assert len(error.message) < _TRANSPORT_DETAIL_CHARS + 150
    assert error.hint == FOREIGN_TRANSPORT_HINT
    # An OSError is a socket's failure and may pass: retried like httpx's network errors.
    # Anything else is a bug of the transport: sent once.
    assert len(script.requests) == (3 if isinstance(raised, OSError) else 1)
    assert fake_time.sleeps == ([0.5, 1.0] if isinstance(raised, OSError) else [])


def test_a_read_recovers_once_the_transport_stops_raising(fake_time: FakeTime) -> None:
    script = Script(ConnectionResetError("peer reset"), json_reply(200, task_body("processing")))
    task = make_client(script, fake_time).get_task(TASK_ID)
    assert task.status == "processing"
    assert len(script.requests) == 2


def test_an_exception_without_a_printable_message_is_still_named(fake_time: FakeTime) -> None:
    script = Script(_Unprintable())
    with pytest.raises(ep.APIConnectionError) as caught:
        make_client(script, fake_time).get_task(TASK_ID)
    assert "_Unprintable" in caught.value.message
    assert isinstance(caught.value.__cause__, _Unprintable)


@pytest.mark.parametrize("raised", [ConnectionResetError("reset"), ValueError("a bug")])
def test_a_creation_is_never_retried_and_is_left_unconfirmed(
    raised: Exception, fake_time: FakeTime
) -> None:
    script = Script(raised, json_reply(200, submitted()))
    with pytest.raises(ep.APIConnectionError) as caught:
        make_client(script, fake_time).create_persona(**VALID)
    assert len(script.requests) == 1
    assert caught.value.creation_unconfirmed is True
    assert caught.value.__cause__ is raised


def test_the_async_client_follows_the_same_policy(fake_time: FakeTime) -> None:
    failure = RuntimeError("the event hook broke")
    script = Script(failure, json_reply(200, task_body("processing")))

    async def read() -> None:
        async with make_async_client(script, fake_time) as client:
            await client.get_task(TASK_ID)

    with pytest.raises(ep.APIConnectionError) as caught:
        asyncio.run(read())
    assert caught.value.__cause__ is failure
    assert len(script.requests) == 1


class _BreaksMidBody(httpx.SyncByteStream):
    """A custom transport's body stream: some bytes, then the socket fails; it records its close."""

    def __init__(self) -> None:
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        yield b'{"id": "task-unified-'
        raise ConnectionResetError("peer reset mid-body")

    def close(self) -> None:
        self.closed = True


def _breaking_reply(streams: list[_BreaksMidBody]) -> Callable[[httpx.Request], httpx.Response]:
    def reply(request: httpx.Request) -> httpx.Response:
        streams.append(_BreaksMidBody())
        return httpx.Response(200, headers={"content-type": "application/json"}, stream=streams[-1])

    return reply


def test_a_body_that_breaks_mid_read_is_closed_before_the_read_is_retried(
    fake_time: FakeTime,
) -> None:
    streams: list[_BreaksMidBody] = []
    script = Script(_breaking_reply(streams), json_reply(200, task_body("processing")))
    assert make_client(script, fake_time).get_task(TASK_ID).status == "processing"
    assert len(script.requests) == 2
    assert [stream.closed for stream in streams] == [True]


def test_a_creation_whose_body_broke_is_closed_unconfirmed_and_not_retried(
    fake_time: FakeTime,
) -> None:
    streams: list[_BreaksMidBody] = []
    script = Script(_breaking_reply(streams), json_reply(200, submitted()))
    with pytest.raises(ep.APIConnectionError) as caught:
        make_client(script, fake_time).create_persona(**VALID)
    assert caught.value.creation_unconfirmed is True
    assert "ConnectionResetError" in caught.value.message
    assert len(script.requests) == 1
    assert [stream.closed for stream in streams] == [True]


class _ResetAfterSending(httpx.HTTPTransport):
    """A custom transport whose socket layer fails once the request has been answered."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        response.read()
        response.close()
        raise ConnectionResetError(104, "Connection reset by peer")


def test_a_creation_made_before_the_transport_failed_is_reported_unconfirmed() -> None:
    """On a real loopback server: the task exists, and the SDK says it cannot confirm it."""
    mock = pytest.importorskip("evolink_mock")
    fixtures = pytest.importorskip("evolink_mock.fixtures")
    params: PersonaArgs = {
        "source_task_id": fixtures.DEMO_MUSIC_TASK_ID,
        "result_id": fixtures.DEMO_RESULT_ID,
        "name": "P",
        "description": "D",
    }
    with (
        mock.serve_in_thread() as server,
        httpx.Client(transport=_ResetAfterSending()) as http,
        pytest.raises(ep.APIConnectionError) as caught,
    ):
        ep.PersonaClient(
            fixtures.DEMO_API_KEY, base_url=server.base_url, http_client=http
        ).create_persona(**params)
    made = [r for r in server.service.requests() if r.method == "POST"]
    assert caught.value.creation_unconfirmed is True
    assert "ConnectionResetError" in caught.value.message
    assert [r.status for r in made] == [200]  # the one creation the server made, not retried


def test_the_cli_prints_the_error_and_its_hint_not_a_traceback(
    scripted_cli: CliRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        scripted_cli(Script(ValueError("bad state in a custom transport")), ["task", TASK_ID]) == 13
    )
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "ValueError: bad state in a custom transport" in err
    assert "http_client" in err  # the hint: where the exception came from


def _raise_for_status(response: httpx.Response) -> None:
    response.raise_for_status()


def _hooked_client(script: Script, fake_time: FakeTime) -> ep.PersonaClient:
    """A client on an ``http_client`` whose response hook calls ``raise_for_status()``."""
    return make_client(script, fake_time, event_hooks={"response": [_raise_for_status]})


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (400, ep.BadRequestError),
        (401, ep.AuthenticationError),
        (404, ep.NotFoundError),
        (409, ep.UnexpectedResponseError),
    ],
)
def test_a_status_a_response_hook_raised_for_is_the_typed_status_error(
    status: int, expected: type[ep.EvolinkError], fake_time: FakeTime
) -> None:
    script = Script(json_reply(status, error_body("some_code", "refused")))
    with pytest.raises(expected) as caught:
        _hooked_client(script, fake_time).get_task(TASK_ID)
    assert caught.value.status_code == status
    assert "response hook of the http_client raised HTTPStatusError" in caught.value.message


def test_a_hooked_read_retries_a_503_and_honours_retry_after(fake_time: FakeTime) -> None:
    script = Script(
        json_reply(503, error_body("busy", "later", "api_error")),
        json_reply(429, error_body("rate_limit_exceeded", "slow"), {"Retry-After": "3"}),
        json_reply(200, task_body("processing")),
    )
    task = _hooked_client(script, fake_time).get_task(TASK_ID)
    assert task.status == "processing"
    assert fake_time.sleeps == [0.5, 3.0]  # backoff, then the server's own delay


def test_a_hooked_creation_answered_500_is_left_unconfirmed(fake_time: FakeTime) -> None:
    script = Script(json_reply(500, error_body("internal_error", "oops", "api_error")))
    with pytest.raises(ep.ServerError) as caught:
        _hooked_client(script, fake_time).create_persona(**VALID)
    assert caught.value.creation_unconfirmed is True
    assert len(script.requests) == 1
