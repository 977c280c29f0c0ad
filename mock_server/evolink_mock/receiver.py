"""A callback receiver on loopback: where a test or the demo points `callback_url`.

A real HTTP server (the standard library's, on its own thread, on 127.0.0.1 and a free
port) that keeps every POST it gets and answers with the statuses it is told to, in turn
(then 200), or as ``answer(path, nth)`` says for the nth POST to a path, so retries can be
provoked. Use it as a context manager: it stops itself.
The mock must run in callback test mode to deliver to it (loopback over http).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import attrs

__all__ = ["CallbackReceiver", "ReceivedCallback"]


@attrs.frozen
class ReceivedCallback:
    """One POST the receiver got, and what it answered."""

    path: str
    body: bytes
    content_type: str | None
    answered: int
    #: When it arrived, on ``time.monotonic``'s clock.
    at: float = attrs.field(factory=time.monotonic, eq=False)

    def json(self) -> Any:
        return json.loads(self.body)


class CallbackReceiver:
    """`with CallbackReceiver(statuses=[500, 200]) as receiver: ... receiver.url ...`"""

    def __init__(
        self,
        statuses: Iterable[int] = (),
        *,
        path: str = "/callbacks",
        answer: Callable[[str, int], int] | None = None,
    ) -> None:
        self._statuses = list(statuses)
        self._answer = answer
        self._path = path
        self._received: list[ReceivedCallback] = []
        self._lock = threading.Condition()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base(self) -> str:
        """``http://127.0.0.1:<port>``: give callbacks paths of your own under it."""
        return self.url.removesuffix(self._path)

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the receiver is not running: use it as a context manager")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{self._path}"

    @property
    def received(self) -> list[ReceivedCallback]:
        with self._lock:
            return list(self._received)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[ReceivedCallback]:
        """The callbacks received, once there are `count` of them (or `timeout` passed)."""
        with self._lock:
            self._lock.wait_for(lambda: len(self._received) >= count, timeout)
            return list(self._received)

    def _next_status(self, path: str) -> int:
        with self._lock:
            if self._answer is not None:
                nth = 1 + sum(1 for r in self._received if r.path == path)
                return self._answer(path, nth)
            return self._statuses.pop(0) if self._statuses else 200

    def _keep(self, item: ReceivedCallback) -> None:
        with self._lock:
            self._received.append(item)
            self._lock.notify_all()

    def __enter__(self) -> CallbackReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                status = receiver._next_status(self.path)
                # Kept before answering: once the sender has its answer, the record holds it.
                receiver._keep(
                    ReceivedCallback(self.path, body, self.headers.get("content-type"), status)
                )
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return  # quiet: the receiver's record is the log

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            # How often the loop looks for a shutdown: closing waits up to this long.
            kwargs={"poll_interval": 0.01},
            name="callback-receiver",
            daemon=True,
        )
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __iter__(self) -> Iterator[ReceivedCallback]:
        return iter(self.received)
