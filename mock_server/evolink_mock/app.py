"""The ASGI application: routing, auth, limits, faults and rendering around `MockService`.

A bare ASGI callable rather than a framework: one request is a few dict look-ups, one
schema check and one `json.dumps`, which keeps the mock well ahead of Prism on the
benchmark. Every refusal is an `ApiError` rendered in one place; anything unexpected
becomes the documented 500 body, never a traceback page.
"""

from __future__ import annotations

import json
import logging
import time
import types
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

from .clock import Clock
from .config import MockConfig
from .control import CONTROL_PREFIX, TOKEN_HEADER, authorize_control, handle_control
from .errors import (
    ApiError,
    ConnectionDropped,
    error_body,
    internal_error,
    invalid_request,
    rate_limited,
    unauthorized,
)
from .faults import FAULT_HEADER, Fault
from .generations import create_generation
from .service import MockService, RequestRecord
from .validation import parse_json_body

__all__ = ["CREATE_PATH", "TASK_PATH_PREFIX", "MockApp", "create_app"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

CREATE_PATH = "/v1/audios/generations"
TASK_PATH_PREFIX = "/v1/tasks/"

log = logging.getLogger("evolink_mock.requests")

_JSON = (b"content-type", b"application/json")


class _Reply:
    """What the handler decided: status, body bytes and extra headers."""

    __slots__ = ("body", "headers", "status")

    def __init__(
        self, status: int, body: bytes, headers: tuple[tuple[bytes, bytes], ...] = (_JSON,)
    ) -> None:
        self.status = status
        self.body = body
        self.headers = headers


def _error_reply(error: ApiError) -> _Reply:
    return _Reply(error.status, error.body(), (_JSON, *error.headers))


def _not_allowed(allow: str) -> _Reply:
    body = error_body(
        "method_not_allowed", f"Method not allowed; use {allow}", "invalid_request_error"
    )
    return _Reply(405, body, (_JSON, (b"allow", allow.encode())))


async def _read_body(receive: Receive, limit: int, declared: int | None) -> bytes:
    """The request body, refusing (400) anything over `limit` bytes before reading it all."""
    too_big = invalid_request(f"Request body is larger than {limit} bytes")
    if declared is not None and declared > limit:
        raise too_big
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            # Cut off (the client left, or the connection's body deadline closed it): a
            # partial body must not be acted on.
            raise invalid_request("The request body ended early: the connection was closed")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise too_big
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


class MockApp:
    """ASGI callable; `app.service` (also `app.state.service`) is the mock's state."""

    def __init__(self, service: MockService) -> None:
        self.service = service
        self.state = types.SimpleNamespace(service=service)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        service = self.service
        method: str = scope["method"]
        path: str = scope["path"]
        authorization = content_type = fault_header = admin_token = None
        content_length: int | None = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value
            elif name == b"content-type":
                content_type = value
            elif name == b"content-length":
                content_length = int(value) if value.isdigit() else None
            elif name == FAULT_HEADER:
                fault_header = value.decode("latin-1")
            elif name == TOKEN_HEADER:
                admin_token = value
        user_id: str | None = None
        fault: Fault | None = None
        try:
            if path == CREATE_PATH or path.startswith(TASK_PATH_PREFIX):
                detail = path != CREATE_PATH
                if method != ("GET" if detail else "POST"):
                    reply = _not_allowed("GET" if detail else "POST")
                else:
                    fault = service.faults.next(fault_header)
                    answer = fault.answer(task_detail=detail) if fault is not None else None
                    if answer is not None:
                        reply = _Reply(answer.status, answer.body, answer.headers)
                    else:
                        reply, user_id = await self._operation(
                            receive, path, detail, authorization, content_type, content_length
                        )
                        if fault is not None:
                            await fault.after_effect()
            elif path.startswith(CONTROL_PREFIX):
                reply = await self._control(
                    scope, receive, method, path, admin_token, content_length
                )
            else:
                body = error_body("not_found", f"No route for {path}", "invalid_request_error")
                reply = _Reply(404, body)
        except Exception:
            log.exception("unexpected error on %s %s", method, path)
            reply = _error_reply(internal_error(task_detail=path.startswith(TASK_PATH_PREFIX)))
        await self._send(send, reply, fault)
        elapsed_ms = (time.perf_counter() - started) * 1000
        # Positional: built on every request, and keywords cost a named tuple twice as much.
        service.record(
            RequestRecord(
                service.now(),  # time
                method,
                path,
                reply.status,
                user_id,
                fault.mode if fault else None,
                round(elapsed_ms, 3),  # duration_ms
            )
        )
        if log.isEnabledFor(logging.INFO):
            log.info(
                "%s %s -> %d %.1fms user=%s%s",
                method,
                path,
                reply.status,
                elapsed_ms,
                user_id or "-",
                f" fault={fault.mode}" if fault else "",
            )

    def _authenticate(self, authorization: bytes | None) -> str:
        if authorization is None:
            raise unauthorized("Authentication required: send Authorization: Bearer <API key>")
        scheme, _, key = authorization.partition(b" ")
        key = key.strip()
        if scheme.lower() != b"bearer" or not key:
            raise unauthorized("Malformed Authorization header: expected 'Bearer <API key>'")
        user_id = self.service.authenticate(key)
        if user_id is None:
            raise unauthorized("Invalid or expired token")
        return user_id

    async def _json_body(
        self, receive: Receive, content_type: bytes | None, content_length: int | None
    ) -> bytes:
        media = (content_type or b"").split(b";", 1)[0].strip().lower()
        if media != b"application/json":
            shown = content_type.decode("latin-1") if content_type else "none"
            raise invalid_request(f"Content-Type must be application/json (got {shown})")
        return await _read_body(receive, self.service.config.max_body_bytes, content_length)

    async def _operation(
        self,
        receive: Receive,
        path: str,
        detail: bool,
        authorization: bytes | None,
        content_type: bytes | None,
        content_length: int | None,
    ) -> tuple[_Reply, str | None]:
        """One public operation, refusals included; also the user it ran as, once known."""
        service = self.service
        user_id: str | None = None
        try:
            user_id = self._authenticate(authorization)
            retry_after = service.rate_limiter.hit(user_id, service.now())
            if retry_after is not None:
                raise rate_limited(retry_after, task_detail=detail)
            if detail:
                # An ended task's detail is encoded once and its bytes reused.
                body = service.task_detail_json(user_id, path[len(TASK_PATH_PREFIX) :])
            else:
                raw = await self._json_body(receive, content_type, content_length)
                result = create_generation(service, user_id, parse_json_body(raw))
                body = json.dumps(result).encode()
            return _Reply(200, body), user_id
        except ApiError as error:
            return _error_reply(error), user_id

    async def _control(
        self,
        scope: Scope,
        receive: Receive,
        method: str,
        path: str,
        token: bytes | None,
        content_length: int | None,
    ) -> _Reply:
        client = scope.get("client")
        host = client[0] if client else None
        try:
            # Refuse before reading, so an outsider learns nothing from body errors.
            authorize_control(self.service, client_host=host, token=token)
            raw = b""
            if method == "POST":
                raw = await _read_body(receive, self.service.config.max_body_bytes, content_length)
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
            body = parse_json_body(raw) if raw.strip() else None
            status, result = handle_control(
                self.service, method=method, path=path, body=body, query=query
            )
            return _Reply(status, json.dumps(result).encode())
        except ApiError as error:
            return _error_reply(error)

    async def _send(self, send: Send, reply: _Reply, fault: Fault | None) -> None:
        body = reply.body
        if fault is None:
            length = len(body)
        else:
            out = fault.outgoing(body)
            body, length = out.body, out.declared_length
        headers = [*reply.headers, (b"content-length", b"%d" % length)]
        await send({"type": "http.response.start", "status": reply.status, "headers": headers})
        if fault is not None and out.dropped:
            await send({"type": "http.response.body", "body": body, "more_body": True})
            raise ConnectionDropped("fault injection: connection dropped mid-response")
        await send({"type": "http.response.body", "body": body})


def create_app(config: MockConfig | None = None, *, clock: Clock | None = None) -> MockApp:
    """A fresh mock (fixtures loaded) as an ASGI app; its state is `app.service`."""
    return MockApp(MockService(config, clock=clock))
