"""Slow and oversized clients over a real socket: each gets its connection closed, in bounded time.

Limits are set small so each test ends quickly; a socket timeout (far above the limit)
is what would fail a test if the server kept the connection open.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from evolink_mock import LiveMock, ManualClock, MockConfig, fixtures, serve_in_thread

from .conftest import CREATE

_GENEROUS = 5.0  # seconds a socket waits before the test calls the connection held open

_LIMITS = MockConfig(
    header_timeout=0.3,
    body_timeout=0.3,
    keep_alive_timeout=0.3,
    max_header_bytes=1024,
    rate_limit=0,
)


@pytest.fixture(scope="module")
def live() -> Iterator[LiveMock]:
    with serve_in_thread(_LIMITS, clock=ManualClock()) as served:
        yield served


def _connect(live: LiveMock) -> socket.socket:
    return socket.create_connection((live.host, live.port), timeout=_GENEROUS)


def _until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes; socket.timeout if it never does."""
    received = b""
    deadline = time.monotonic() + 2 * _GENEROUS
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return received
        if not chunk:
            return received
        received += chunk
    raise AssertionError("the server kept the connection open")


def _request_head(method: str, path: str, *extra: str) -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: mock",
        f"Authorization: Bearer {fixtures.DEMO_API_KEY}",
        *extra,
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_a_connection_that_sends_nothing_is_closed(live: LiveMock) -> None:
    with _connect(live) as sock:
        answer = _until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 408 ")


def test_a_request_head_that_never_ends_is_closed(live: LiveMock) -> None:
    with _connect(live) as sock:
        sock.sendall(b"GET /v1/tasks/x HTTP/1.1\r\nHost: mock\r\nX-Slow: ")
        answer = _until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 408 ")


def test_a_chunked_body_that_never_ends_gets_408_and_is_closed(live: LiveMock) -> None:
    head = _request_head(
        "POST", CREATE, "Content-Type: application/json", "Transfer-Encoding: chunked"
    )
    with _connect(live) as sock:
        sock.sendall(head + b'5\r\n{"mod\r\n')
        answer = _until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert b"Request body not received" in answer
    assert live.service.snapshot()["tasks"]["recent"] == 0


def test_a_body_never_sent_after_an_early_answer_closes_without_a_second_answer(
    live: LiveMock,
) -> None:
    too_long = _request_head(
        "POST", CREATE, "Content-Type: application/json", "Content-Length: 100000"
    )
    with _connect(live) as sock:
        sock.sendall(too_long)
        answer = _until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert answer.count(b"HTTP/1.1 ") == 1


def test_an_idle_keep_alive_connection_is_closed(live: LiveMock) -> None:
    with _connect(live) as sock:
        sock.sendall(_request_head("GET", f"/v1/tasks/{fixtures.DEMO_MUSIC_TASK_ID}"))
        answer = _until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert answer.count(b"HTTP/1.1") == 1


def test_an_oversized_request_head_gets_431_and_is_closed(live: LiveMock) -> None:
    oversized = b"GET /v1/tasks/x HTTP/1.1\r\nHost: mock\r\nX-Big: " + b"a" * 4096
    with _connect(live) as sock:
        sock.sendall(oversized)
        answer = _until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 431 ")


def test_the_server_answers_normally_after_refusing_slow_clients(live: LiveMock) -> None:
    with _connect(live) as idle, _connect(live) as sock:
        sock.sendall(_request_head("GET", f"/v1/tasks/{fixtures.DEMO_MUSIC_TASK_ID}"))
        assert sock.recv(65536).startswith(b"HTTP/1.1 200 ")
        assert _until_closed(idle).startswith(b"HTTP/1.1 408 ")


def test_a_slow_head_on_a_reused_connection_gets_408_after_a_served_request(
    live: LiveMock,
) -> None:
    # The connection's one timer was armed when it opened; the second request's head starts
    # half a limit later, so its deadline is past the timer's, which must then re-arm for
    # it rather than lapse (the connection would stay open) or fire early. The wait is a
    # real one because the deadlines are; nothing here asserts a duration.
    with _connect(live) as sock:
        sock.sendall(_request_head("GET", f"/v1/tasks/{fixtures.DEMO_MUSIC_TASK_ID}"))
        first = sock.recv(65536)
        time.sleep(_LIMITS.header_timeout / 2)
        sock.sendall(b"GET /v1/tasks/x HTTP/1.1\r\nHost: mock\r\nX-Slow: ")
        rest = _until_closed(sock)
    assert first.startswith(b"HTTP/1.1 200 ")
    assert rest.startswith(b"HTTP/1.1 408 ")
    assert b"Request head not received" in rest


def test_a_slow_body_on_a_reused_connection_gets_408(live: LiveMock) -> None:
    head = _request_head(
        "POST", CREATE, "Content-Type: application/json", "Transfer-Encoding: chunked"
    )
    with _connect(live) as sock:
        sock.sendall(_request_head("GET", f"/v1/tasks/{fixtures.DEMO_MUSIC_TASK_ID}"))
        first = sock.recv(65536)
        sock.sendall(head + b'5\r\n{"mod\r\n')
        rest = _until_closed(sock)
    assert first.startswith(b"HTTP/1.1 200 ")
    assert rest.startswith(b"HTTP/1.1 408 ")
    assert b"Request body not received" in rest
