"""The ASGI application: routing, auth, limits, faults and rendering around `MockService`.

A bare ASGI callable rather than a framework: one request is a few dict look-ups, one
schema check and one `json.dumps`, which keeps the mock well ahead of Prism on the
benchmark. Every refusal is an `ApiError` rendered in one place; anything unexpected
becomes the documented 500 body, never a traceback page.
"""

from __future__ import annotations

import json
import logging
import types
from collections.abc import Awaitable, Callable, MutableMapping
from time import perf_counter
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
from .generations import create_generation_json
from .service import MockService
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
_JSON_ONLY = (_JSON,)
_TASK_ID_AT = len(TASK_PATH_PREFIX)
#: The `content-length` header of every body shorter than this, made once (every answer
#: sends one; formatting the number was a tenth of a task-detail read's own work).
_LENGTHS_KEPT = 4096
_LENGTH_HEADERS = tuple((b"content-length", b"%d" % n) for n in range(_LENGTHS_KEPT))


class _Reply:
    """What a handler off the hot path decided: status, body bytes and extra headers."""

    __slots__ = ("body", "headers", "status")

    def __init__(
        self, status: int, body: bytes, headers: tuple[tuple[bytes, bytes], ...] = (_JSON,)
    ) -> None:
        self.status = status
        self.body = body
        self.headers = headers


def _not_allowed(allow: str) -> _Reply:
    body = error_body(
        "method_not_allowed", f"Method not allowed; use {allow}", "invalid_request_error"
    )
    return _Reply(405, body, (_JSON, (b"allow", allow.encode())))


def _too_big(limit: int) -> ApiError:
    return invalid_request(f"Request body is larger than {limit} bytes")


async def _read_body(receive: Receive, limit: int, declared: int | None) -> bytes:
    """The request body, refusing (400) anything over `limit` bytes before reading it all."""
    if declared is not None and declared > limit:
        raise _too_big(limit)
    message = await receive()
    if message["type"] == "http.request" and not message.get("more_body", False):
        body: bytes = message.get("body", b"")  # the whole body in one message: the usual case
        if len(body) > limit:
            raise _too_big(limit)
        return body
    chunks: list[bytes] = []
    size = 0
    while True:
        if message["type"] == "http.disconnect":
            # Cut off (the client left, or the connection's body deadline closed it): a
            # partial body must not be acted on.
            raise invalid_request("The request body ended early: the connection was closed")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _too_big(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
        message = await receive()
    return b"".join(chunks)


def _check_media_type(content_type: bytes | None) -> None:
    """The careful look at a Content-Type that is not exactly `application/json`."""
    media = (content_type or b"").split(b";", 1)[0].strip().lower()
    if media != b"application/json":
        shown = content_type.decode("latin-1") if content_type else "none"
        raise invalid_request(f"Content-Type must be application/json (got {shown})")


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


class MockApp:
    """ASGI callable; `app.service` (also `app.state.service`) is the mock's state."""

    def __init__(self, service: MockService) -> None:
        self.service = service
        self.state = types.SimpleNamespace(service=service)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """One HTTP request from its head to its record, in one frame (or the lifespan).

        Every request runs this, so the steps of a public operation (dispatch, fault plan,
        auth, rate limit, the operation, the answer, the record) are written out here
        rather than each behind a call of its own; the body read, the rarer paths (control
        API, refusals of the route or method, faults) keep their helpers.
        """
        started = perf_counter()
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await _lifespan(receive, send)
            return
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
        now = service.now()
        user_id: str | None = None
        fault: Fault | None = None
        status = 200
        headers: tuple[tuple[bytes, bytes], ...] = _JSON_ONLY
        detail = path.startswith(TASK_PATH_PREFIX)
        try:
            if (detail or path == CREATE_PATH) and method == ("GET" if detail else "POST"):
                faults = service.faults
                if fault_header is not None or faults.armed:
                    fault = faults.next(fault_header)
                answer = fault.answer(task_detail=detail) if fault is not None else None
                if answer is not None:
                    status, body, headers = answer.status, answer.body, answer.headers
                else:
                    try:
                        user_id = (
                            None
                            if authorization is None
                            else service.authenticate_header(authorization)
                        ) or self._authenticate(authorization)
                        limiter = service.rate_limiter
                        if limiter.limit > 0:
                            retry_after = limiter.hit(user_id, now)
                            if retry_after is not None:
                                raise rate_limited(retry_after, task_detail=detail)
                        if detail:
                            # An ended task's detail is encoded once and its bytes reused.
                            task_id = path[_TASK_ID_AT:]
                            body = service.task_detail_json(user_id, task_id, now)
                        else:
                            if content_type != b"application/json":  # else the careful look
                                _check_media_type(content_type)
                            raw = await _read_body(
                                receive, service.config.max_body_bytes, content_length
                            )
                            body = create_generation_json(service, user_id, parse_json_body(raw))
                    except ApiError as error:
                        status, body, headers = error.status, error.body(), (_JSON, *error.headers)
                    if fault is not None:
                        await fault.after_effect()
            else:
                reply = await self._off_the_operations(
                    scope, receive, method, path, detail, admin_token, content_length
                )
                status, body, headers = reply.status, reply.body, reply.headers
        except Exception:
            log.exception("unexpected error on %s %s", method, path)
            failure = internal_error(task_detail=detail)
            status, body, headers = failure.status, failure.body(), _JSON_ONLY
        if fault is None:
            length = len(body)
            sized = (
                _LENGTH_HEADERS[length]
                if length < _LENGTHS_KEPT
                else (b"content-length", b"%d" % length)
            )
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [_JSON, sized] if headers is _JSON_ONLY else [*headers, sized],
                }
            )
            await send({"type": "http.response.body", "body": body})
        else:
            await _send_faulty(send, status, body, headers, fault)
        elapsed_ms = (perf_counter() - started) * 1000
        # A plain tuple in RequestRecord's field order (`service.requests()` names them);
        # `time` is when the request arrived (the clock is read once a request).
        service.request_log.append(
            (now, method, path, status, user_id, fault.mode if fault else None, elapsed_ms)
        )
        if log.isEnabledFor(logging.INFO):
            log.info(
                "%s %s -> %d %.1fms user=%s%s",
                method,
                path,
                status,
                elapsed_ms,
                user_id or "-",
                f" fault={fault.mode}" if fault else "",
            )

    async def _off_the_operations(
        self,
        scope: Scope,
        receive: Receive,
        method: str,
        path: str,
        detail: bool,
        admin_token: bytes | None,
        content_length: int | None,
    ) -> _Reply:
        """A request that is not a public operation: wrong method, control API or no route."""
        if detail or path == CREATE_PATH:
            return _not_allowed("GET" if detail else "POST")
        if path.startswith(CONTROL_PREFIX):
            return await self._control(scope, receive, method, path, admin_token, content_length)
        body = error_body("not_found", f"No route for {path}", "invalid_request_error")
        return _Reply(404, body)

    def _authenticate(self, authorization: bytes | None) -> str:
        """The careful parse of the header, for any spelling but exactly `Bearer <key>`."""
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
            return _Reply(error.status, error.body(), (_JSON, *error.headers))


async def _send_faulty(
    send: Send, status: int, body: bytes, headers: tuple[tuple[bytes, bytes], ...], fault: Fault
) -> None:
    """Send an answer the way a fault shapes it: cut short, or dropped mid-body."""
    out = fault.outgoing(body)
    length = b"%d" % out.declared_length
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*headers, (b"content-length", length)],
        }
    )
    if out.dropped:
        await send({"type": "http.response.body", "body": out.body, "more_body": True})
        raise ConnectionDropped("fault injection: connection dropped mid-response")
    await send({"type": "http.response.body", "body": out.body})


def create_app(config: MockConfig | None = None, *, clock: Clock | None = None) -> MockApp:
    """A fresh mock (fixtures loaded) as an ASGI app; its state is `app.service`."""
    return MockApp(MockService(config, clock=clock))
