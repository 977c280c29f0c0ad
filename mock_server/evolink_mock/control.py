"""The control API under `/_mock/`: drive the mock from a test or a shell, off the spec.

Every call needs the admin token (`X-Mock-Admin-Token`) and must come from a loopback
address, so exposing the mock on a network never exposes its knobs. Routes:

- `GET  /_mock/state`          users' credits, task counts, faults, rate limit, time
- `GET  /_mock/requests`       the request log (`?limit=N`, newest last)
- `POST /_mock/music-tasks`    `{"user", "model"?, "status"?, "songs"?, "legacy_result_list"?}`
- `POST /_mock/clock/advance`  `{"seconds"}`
- `POST /_mock/faults`         `{"mode", "times"?}` queue a fault; `{"rate", "modes"?}` seeded rate;
                               `{"clear": true}` turn them off
- `POST /_mock/quota`          `{"user", "credits"}`
- `POST /_mock/rate-limit`     `{"limit", "window"?}`
- `POST /_mock/users`          `{"user_id", "api_key", "credits"?}`
- `POST /_mock/reset`          back to the fixtures
- `GET  /_mock/callbacks`      every task callback with each delivery attempt (`?task_id=`)
- `POST /_mock/tasks/cancel`   `{"task_id"}` end an API-made task as `cancelled` now
"""

from __future__ import annotations

import hmac
import math
from collections.abc import Callable
from typing import Any

from .config import FAULT_MODES
from .errors import ApiError
from .faults import parse_fault
from .service import MockService

__all__ = [
    "CONTROL_PREFIX",
    "LOOPBACK_HOSTS",
    "TOKEN_HEADER",
    "authorize_control",
    "handle_control",
]

CONTROL_PREFIX = "/_mock/"
TOKEN_HEADER = b"x-mock-admin-token"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost", "::ffff:127.0.0.1"})


def _bad(message: str) -> ApiError:
    return ApiError(400, "invalid_request", message, "invalid_request_error")


def _number(body: dict[str, Any], key: str, *, minimum: float = 0.0) -> float:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _bad(f"{key} must be a finite number")
    if value < minimum:
        raise _bad(f"{key} must be >= {minimum:g}")
    return float(value)


def _user(service: MockService, body: dict[str, Any]) -> str:
    who = body.get("user")
    if not isinstance(who, str):
        raise _bad("user must be a user id or API key")
    try:
        return service.user_for(who).user_id
    except KeyError:
        raise ApiError(404, "user_not_found", "No such user", "invalid_request_error") from None


def _state(service: MockService, body: dict[str, Any], query: dict[str, str]) -> Any:
    return service.snapshot()


def _requests(service: MockService, body: dict[str, Any], query: dict[str, str]) -> Any:
    entries = [entry.to_json() for entry in service.requests()]
    limit = query.get("limit")
    if limit is not None and limit.isdigit():
        entries = entries[-int(limit) :] if int(limit) else []
    return {"requests": entries}


def _music_task(service: MockService, body: dict[str, Any], query: dict[str, str]) -> Any:
    user_id = _user(service, body)
    songs = body.get("songs", 2)
    if not (isinstance(songs, int) and not isinstance(songs, bool) and 0 <= songs <= 50) and not (
        isinstance(songs, list) and all(isinstance(t, str) for t in songs)
    ):
        raise _bad("songs must be a count (0-50) or a list of titles")
    try:
        task = service.add_music_task(
            user_id,
            model=str(body.get("model", "suno-v4.5-beta")),
            status=str(body.get("status", "completed")),
            songs=songs,
            legacy_result_list=bool(body.get("legacy_result_list", False)),
        )
    except ValueError as exc:
        raise _bad(str(exc)) from None
    return task.detail(service.now())


def _advance(service: MockService, body: dict[str, Any], query: dict[str, str]) -> Any:
    return {"now": service.advance(_number(body, "seconds"))}


def _faults(service: MockService, body: dict[str, Any], query: dict[str, str]) -> Any:
    if body.get("clear"):
        service.faults.clear()
    elif "mode" in body:
        fault = parse_fault(str(body["mode"]), service.config.slow_seconds)
        if fault is None:
            raise _bad(f"mode must be one of {', '.join(FAULT_MODES)} (slow may be slow=<seconds>)")
        times = body.get("times", 1)
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise _bad("times must be a positive integer")
        service.faults.queue(fault, times)
    elif "rate" in body:
        rate = _number(body, "rate")
        if rate > 1:
            raise _bad("rate must be between 0 and 1")
        modes = body.get("modes")
        if modes is not None and (
            not isinstance(modes, list) or any(m not in FAULT_MODES for m in modes)
        ):
            raise _bad(f"modes must be a list drawn from {', '.join(FAULT_MODES)}")
        service.faults.set_rate(rate, tuple(modes) if modes is not None else None)
    else:
        raise _bad("send mode (+times), rate (+modes) or clear")
    return service.faults.state()


def _quota(service: MockService, body: dict[str, Any], query: dict[str, str]) -> Any:
    user = service.set_credits(_user(service, body), _number(body, "credits"))
    return {"user": user.user_id, "credits": user.credits}


def _rate_limit(service: MockService, body: dict[str, Any], query: dict[str, str]) -> Any:
    limit = body.get("limit")
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise _bad("limit must be an integer >= 0 (0 turns the limit off)")
    window = _number(body, "window") if "window" in body else None
    service.rate_limiter.set_limit(limit, window)
    return {"limit": service.rate_limiter.limit, "window": service.rate_limiter.window}


def _users(service: MockService, body: dict[str, Any], query: dict[str, str]) -> Any:
    user_id, api_key = body.get("user_id"), body.get("api_key")
    if not isinstance(user_id, str) or not isinstance(api_key, str) or not api_key:
        raise _bad("user_id and api_key must be non-empty strings")
    credits = _number(body, "credits") if "credits" in body else None
    user = service.add_user(user_id, api_key, credits)
    return {"user_id": user.user_id, "credits": user.credits}


def _reset(service: MockService, body: dict[str, Any], query: dict[str, str]) -> Any:
    service.reset()
    return {"reset": True}


def _callbacks(service: MockService, body: dict[str, Any], query: dict[str, str]) -> Any:
    wanted = query.get("task_id")
    return {
        "mode": service.config.callback_mode,
        "callbacks": [
            c.to_json()
            for c in service.callbacks.callbacks()
            if wanted is None or c.task_id == wanted
        ],
    }


def _cancel(service: MockService, body: dict[str, Any], query: dict[str, str]) -> Any:
    task_id = body.get("task_id")
    if not isinstance(task_id, str):
        raise _bad("task_id must be a string")
    try:
        task = service.cancel_task(task_id)
    except ValueError as exc:
        raise _bad(str(exc)) from None
    return task.detail(service.now())


_Route = Callable[[MockService, dict[str, Any], dict[str, str]], Any]

ROUTES: dict[tuple[str, str], _Route] = {
    ("GET", "state"): _state,
    ("GET", "requests"): _requests,
    ("POST", "music-tasks"): _music_task,
    ("POST", "clock/advance"): _advance,
    ("POST", "faults"): _faults,
    ("POST", "quota"): _quota,
    ("POST", "rate-limit"): _rate_limit,
    ("POST", "users"): _users,
    ("POST", "reset"): _reset,
    ("GET", "callbacks"): _callbacks,
    ("POST", "tasks/cancel"): _cancel,
}


def authorize_control(
    service: MockService, *, client_host: str | None, token: bytes | None
) -> None:
    """Refuse (403/401) a control call from off-host or without the admin token."""
    if client_host not in LOOPBACK_HOSTS:
        raise ApiError(
            403, "forbidden", "The control API only answers loopback clients", "control_error"
        )
    expected = service.config.admin_token.encode()
    if not expected or token is None or not hmac.compare_digest(token, expected):
        raise ApiError(
            401, "unauthorized", "The control API needs X-Mock-Admin-Token", "authentication_error"
        )


def handle_control(
    service: MockService, *, method: str, path: str, body: Any, query: dict[str, str]
) -> tuple[int, Any]:
    """Run one authorized control call; returns (status, JSON body). Refusals raise ApiError."""
    name = path[len(CONTROL_PREFIX) :]
    route = ROUTES.get((method, name))
    if route is None:
        if any(route_name == name for _, route_name in ROUTES):
            raise ApiError(
                405, "method_not_allowed", f"{method} is not allowed here", "control_error"
            )
        raise ApiError(404, "not_found", f"No control route {path}", "control_error")
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise _bad("control request body must be a JSON object")
    return 200, route(service, body, query)
