"""A requests session into an in-process ASGI app, run in the caller's own thread.

schemathesis sends a case to an ASGI app through its own requests adapter, which hands
every request to an event loop on another thread (two cross-thread calls through an
anyio portal) and reads the environment's proxy settings each time: about 2.5 ms of CPU
a request against the mock's 0.1 ms. The harness's in-process runs send thousands of
requests, so this session drives the app on a private event loop in the calling thread
instead. schemathesis still serialises every case and builds every response (the session
is one of its ``ASGIClient``s, which its ASGI transport uses as given), so what the app
receives and what the checks see are unchanged.

For synchronous harness code: a thread with a running event loop cannot use it. The app
is sent no lifespan events (the mock's lifespan does nothing).
"""

from __future__ import annotations

import asyncio
import http
import io
import threading
from typing import Any
from urllib.parse import unquote, urlsplit

import requests
import urllib3
from schemathesis.python.asgi import ASGIClient

__all__ = ["InThreadASGISession"]


class InThreadASGISession(ASGIClient):
    """An ``ASGIClient`` whose requests run ``app`` in the calling thread."""

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        # Nothing of the environment applies to a request that never leaves the process.
        self.trust_env = False
        adapter = _InThreadAdapter(app)
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def __enter__(self) -> InThreadASGISession:
        return self  # ASGIClient's own would start the app's lifespan on schemathesis's portal

    def __exit__(self, *args: object) -> None:
        self.close()

    def close(self) -> None:
        super().close()
        for adapter in self.adapters.values():
            if isinstance(adapter, _InThreadAdapter):
                adapter.shutdown()


class _InThreadAdapter(requests.adapters.HTTPAdapter):
    def __init__(self, app: Any) -> None:
        super().__init__()
        self.app = app
        self._loop = asyncio.new_event_loop()
        # One request at a time: the loop runs in whichever thread is sending.
        self._lock = threading.Lock()

    def shutdown(self) -> None:
        with self._lock:
            if not self._loop.is_closed():
                self._loop.close()

    def send(
        self, request: requests.PreparedRequest, *args: Any, timeout: Any = None, **kwargs: Any
    ) -> requests.Response:
        parts = urlsplit(str(request.url))
        port = parts.port or {"http": 80, "https": 443}[parts.scheme]
        host = parts.hostname or ""
        headers = [
            (key.lower().encode("latin-1"), _octets(value, "latin-1"))
            for key, value in request.headers.items()
        ]
        if "host" not in request.headers:
            headers.insert(0, (b"host", (parts.netloc or host).encode("latin-1")))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "scheme": parts.scheme,
            "path": unquote(parts.path),
            "raw_path": parts.path.encode(),
            "root_path": "",
            "query_string": parts.query.encode(),
            "headers": headers,
            "client": ("testclient", 50000),
            "server": (host, port),
            "state": {},
        }
        if not isinstance(request.body, str | bytes | None):
            raise TypeError(f"a streamed request body is not supported here: {request.body!r}")
        answer = _Answer(_octets(request.body or b"", "utf-8"))
        read_timeout = timeout[1] if isinstance(timeout, tuple) else timeout
        with self._lock:
            try:
                self._loop.run_until_complete(
                    asyncio.wait_for(
                        self.app(scope, answer.receive, answer.send), timeout=read_timeout
                    )
                )
            except TimeoutError:
                raise requests.exceptions.ReadTimeout(
                    f"the app did not answer within {read_timeout} s", request=request
                ) from None
        if answer.status is None:
            raise requests.exceptions.ConnectionError(
                "the app ended without starting a response", request=request
            )
        headers_out = urllib3.HTTPHeaderDict()
        for name, value in answer.headers:
            headers_out.add(name, value)
        raw = urllib3.HTTPResponse(
            body=io.BytesIO(b"".join(answer.chunks) if request.method != "HEAD" else b""),
            headers=headers_out,
            status=answer.status,
            reason=_reason(answer.status),
            version=11,
            preload_content=False,
            request_method=request.method,
        )
        return self.build_response(request, raw)


class _Answer:
    """One request's body going in and the app's response coming out."""

    def __init__(self, body: bytes) -> None:
        self._body: bytes | None = body
        self._done = asyncio.Event()
        self.status: int | None = None
        self.headers: list[tuple[str, str]] = []
        self.chunks: list[bytes] = []

    async def receive(self) -> dict[str, Any]:
        if self._body is not None:
            body, self._body = self._body, None
            return {"type": "http.request", "body": body, "more_body": False}
        await self._done.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = [
                (key.decode("latin-1"), value.decode("latin-1"))
                for key, value in message.get("headers", [])
            ]
        elif message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                self._done.set()


def _octets(text: str | bytes, encoding: str) -> bytes:
    return text if isinstance(text, bytes) else text.encode(encoding)


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""
