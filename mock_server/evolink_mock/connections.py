"""Limits on slow and oversized clients that uvicorn leaves to the application.

uvicorn closes a keep-alive connection left idle after a response (`timeout_keep_alive`),
but with httptools it bounds neither how long a client may take to send a request nor how
large the request head may grow: a connection that never sends a byte, a header sent a
byte at a time, a chunked body that never ends, or a 100 MB header each hold a socket (and
what it sent) for good. `guarded_protocol(limits)` is uvicorn's httptools protocol with
those limits added:

- `header_timeout`: a connection must deliver a complete request head within this many
  seconds of opening, or of the first byte of its next request; else 408 and closed.
- `body_timeout`: once the head is in, the whole body must arrive within this many seconds;
  else 408 (when no answer has started) and closed.
- `max_header_bytes`: a request head (request line and headers) larger than this is
  refused with 431 and the connection closed, without reading the rest.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, ClassVar

import attrs
import httptools  # noqa: F401 - the parser under HttpToolsProtocol; imported here to say so
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .errors import error_body

__all__ = ["ConnectionLimits", "guarded_protocol"]

#: How early a timer may fire and still count as on time (uvloop's clock is in ms).
_EARLY = 0.002

_REASONS = {408: b"Request Timeout", 431: b"Request Header Fields Too Large"}


@attrs.frozen
class ConnectionLimits:
    """How long a client may take to send a request, and how large its head may be."""

    header_timeout: float
    body_timeout: float
    max_header_bytes: int


def _refusal(status: int, code: str, message: str) -> bytes:
    body = error_body(code, message, "invalid_request_error")
    head = (
        b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n"
        b"connection: close\r\n\r\n" % (status, _REASONS[status], len(body))
    )
    return head + body


# The base callbacks, called directly: these run on every request, and `super()` costs a
# look-up each time.
_data_received = HttpToolsProtocol.data_received
_on_headers_complete = HttpToolsProtocol.on_headers_complete
_on_message_complete = HttpToolsProtocol.on_message_complete


class _GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a head deadline, a body deadline and a head size cap.

    The deadline moves on every request, but the timer does not: a connection has at most
    one timer, which is re-armed only when a deadline comes due before it would fire. When
    it fires it checks the deadline then in force: none (between requests) lets it lapse,
    a later one re-arms it there. A keep-alive client thus costs about one timer per
    deadline period, not two per request.
    """

    limits: ClassVar[ConnectionLimits]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._due: float | None = None  # loop time the current deadline expires
        self._expire: Callable[[], None] = self._head_too_slow
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = 0.0
        self._awaiting_head = True
        self._head_bytes = 0

    # --- deadlines --------------------------------------------------------------------

    def _arm(self, seconds: float, expire: Callable[[], None]) -> None:
        due = self.loop.time() + seconds
        self._due = due
        self._expire = expire
        timer = self._timer
        if timer is None or self._timer_at > due:
            if timer is not None:
                timer.cancel()
            self._timer_at = due
            self._timer = self.loop.call_at(due, self._deadline_check)

    def _disarm(self) -> None:
        """No deadline in force; a pending timer lapses when it fires."""
        self._due = None

    def _stop_timer(self) -> None:
        self._due = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _deadline_check(self) -> None:
        self._timer = None
        due = self._due
        if due is None:
            return
        # Timers may fire up to the loop's clock resolution early: that is on time.
        if self.loop.time() + _EARLY < due:
            self._timer_at = due
            self._timer = self.loop.call_at(due, self._deadline_check)
            return
        self._expire()

    def _refuse(self, answer: bool, status: int, code: str, message: str) -> None:
        """Close the connection, answering `status` first if `answer` (no reply is due)."""
        self._stop_timer()
        if self.transport.is_closing():
            return
        if answer:
            self.transport.write(_refusal(status, code, message))
        self.transport.close()

    def _between_answers(self) -> bool:
        """No reply is being sent: a refusal written now cannot interleave with one."""
        return self.cycle is None or self.cycle.response_complete

    def _head_too_slow(self) -> None:
        seconds = self.limits.header_timeout
        message = f"Request head not received within {seconds:g}s"
        self._refuse(self._between_answers(), 408, "request_timeout", message)

    def _body_too_slow(self) -> None:
        # This request's own reply may already be out (say a 400 sent before its body was
        # read): then the connection is only closed, never answered twice.
        seconds = self.limits.body_timeout
        message = f"Request body not received within {seconds:g}s"
        unanswered = self.cycle is None or not self.cycle.response_started
        self._refuse(unanswered, 408, "request_timeout", message)

    # --- protocol and parser callbacks ------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self.limits.header_timeout, self._head_too_slow)

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._awaiting_head:
            if self._due is None:
                self._arm(self.limits.header_timeout, self._head_too_slow)
            self._head_bytes += len(data)
        _data_received(self, data)
        # Still in the head after this chunk, and over the cap: refuse before reading more.
        if self._awaiting_head and self._head_bytes > self.limits.max_header_bytes:
            self._refuse(
                self._between_answers(),
                431,
                "request_header_fields_too_large",
                f"Request head is larger than {self.limits.max_header_bytes} bytes",
            )

    def on_headers_complete(self) -> None:
        self._awaiting_head = False
        self._head_bytes = 0
        self._arm(self.limits.body_timeout, self._body_too_slow)
        _on_headers_complete(self)

    def on_message_complete(self) -> None:
        self._disarm()
        self._awaiting_head = True
        self._head_bytes = 0
        _on_message_complete(self)


def guarded_protocol(limits: ConnectionLimits) -> type[asyncio.Protocol]:
    """The protocol class to give uvicorn (`Config(http=...)`) for a server with `limits`."""
    return type("GuardedHttpToolsProtocol", (_GuardedHttpToolsProtocol,), {"limits": limits})
