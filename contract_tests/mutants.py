"""Deliberately broken mocks: the faults a real service could ship, made without editing it.

Each ``Mutant`` breaks one promise of the contract, the way a real regression would: a
bound off by one, a rule forgotten, a field dropped, a crash on one input, a lock lost.
Faults inside the service are monkeypatched onto the mock's own functions or onto one
instance; faults in what goes on the wire wrap the ASGI app in a middleware that rewrites
responses. The self-test asserts that each is caught, and by which check.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Final

import attrs
import pytest
from evolink_mock import MockApp
from evolink_mock import app as mock_app_module
from evolink_mock import fixtures as mock_fixtures
from evolink_mock import generations as mock_generations
from evolink_mock import validation as mock_validation

from .inprocess import InProcessMock

__all__ = ["MUTANTS", "Mutant", "RewritingApp"]

Rewrite = Callable[[str, int, Any], Any]


class RewritingApp(MockApp):
    """The same mock behind a middleware that rewrites JSON response bodies.

    ``rewrite(path, status, body)`` returns the body to send instead.
    """

    def __init__(self, inner: MockApp, rewrite: Rewrite) -> None:
        super().__init__(inner.service)
        self._inner = inner
        self._rewrite = rewrite

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self._inner(scope, receive, send)
            return
        started: dict[str, Any] = {}

        async def rewriting_send(message: Any) -> None:
            if message["type"] == "http.response.start":
                started.update(message)
                return
            if message.get("more_body"):
                await send(started)
                await send(message)
                return
            body = message.get("body", b"")
            try:
                data = json.loads(body)
            except ValueError:
                data = None
            if data is not None:
                body = json.dumps(self._rewrite(scope["path"], started["status"], data)).encode()
            headers = [(k, v) for k, v in started["headers"] if k != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**started, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self._inner(scope, receive, rewriting_send)


@attrs.frozen
class Mutant:
    """One realistic fault, what it breaks, and the check that must catch it."""

    name: str
    breaks: str
    caught_by: str
    #: Break the given mock (monkeypatching through ``patch``); return the app to serve.
    inject: Callable[[InProcessMock, pytest.MonkeyPatch], MockApp]


# -- faults in the rules -----------------------------------------------------------------


def _window_up_to_31(mock: InProcessMock, patch: pytest.MonkeyPatch) -> MockApp:
    patch.setattr(mock_validation, "VOCAL_WINDOW_MAX", 31.0)
    return mock.app


def _wrap_request_check(
    patch: pytest.MonkeyPatch, before: Callable[[dict[str, Any]], None]
) -> None:
    original = mock_validation.check_persona_request

    def check(body: Any) -> Any:
        params = body.get("model_params") if isinstance(body, dict) else None
        if isinstance(params, dict):
            before(params)
        return original(body)

    patch.setattr(mock_generations, "check_persona_request", check)


def _lone_vocal_time(mock: InProcessMock, patch: pytest.MonkeyPatch) -> MockApp:
    def forget_lone_time(params: dict[str, Any]) -> None:
        if ("vocal_start" in params) != ("vocal_end" in params):
            params.pop("vocal_start", None)
            params.pop("vocal_end", None)

    _wrap_request_check(patch, forget_lone_time)
    return mock.app


def _crash_without_style(mock: InProcessMock, patch: pytest.MonkeyPatch) -> MockApp:
    def read_style(params: dict[str, Any]) -> None:
        params["style"].strip()  # KeyError when the optional field is absent

    _wrap_request_check(patch, read_style)
    return mock.app


# -- faults in the state ------------------------------------------------------------------


def _unknown_token(mock: InProcessMock, patch: pytest.MonkeyPatch) -> MockApp:
    service = mock.service
    original = service.authenticate

    def authenticate(api_key: bytes) -> str | None:
        return original(api_key) or mock_fixtures.DEMO_USER_ID

    patch.setattr(service, "authenticate", authenticate)
    return mock.app


def _other_users_task(mock: InProcessMock, patch: pytest.MonkeyPatch) -> MockApp:
    service = mock.service
    original = service.task_detail_json

    def task_detail_json(user_id: str, task_id: str, now: float | None = None) -> bytes:
        task = service._lookup(task_id, service.now() if now is None else now)
        return original(task.owner if task is not None else user_id, task_id, now)

    patch.setattr(service, "task_detail_json", task_detail_json)
    return mock.app


def _two_personas_per_song(mock: InProcessMock, patch: pytest.MonkeyPatch) -> MockApp:
    """Claim slots that never report a holder: the lost lock of a sharded deployment."""

    def nobody_holds(claim: str | None, now: float) -> str | None:
        return None

    patch.setattr(mock.service, "_holder", nobody_holds)
    return mock.app


# -- faults on the wire -------------------------------------------------------------------


def _creation_without_id(mock: InProcessMock, patch: pytest.MonkeyPatch) -> MockApp:
    def drop_id(path: str, status: int, body: Any) -> Any:
        if path == mock_app_module.CREATE_PATH and status == 200:
            body.pop("id", None)
        return body

    return RewritingApp(mock.app, drop_id)


def _progress_falls(mock: InProcessMock, patch: pytest.MonkeyPatch) -> MockApp:
    def remaining_as_progress(path: str, status: int, body: Any) -> Any:
        if status == 200 and body.get("status") == "processing":
            body["progress"] = 100 - body["progress"]
        return body

    return RewritingApp(mock.app, remaining_as_progress)


def _persona_without_id(mock: InProcessMock, patch: pytest.MonkeyPatch) -> MockApp:
    def drop_persona(path: str, status: int, body: Any) -> Any:
        if status == 200 and body.get("model") == "suno-persona" and "result_data" in body:
            body["result_data"] = {}
        return body

    return RewritingApp(mock.app, drop_persona)


def _error_without_type(mock: InProcessMock, patch: pytest.MonkeyPatch) -> MockApp:
    def drop_type(path: str, status: int, body: Any) -> Any:
        if status >= 400 and isinstance(body.get("error"), dict):
            body["error"].pop("type", None)
        return body

    return RewritingApp(mock.app, drop_type)


def _vague_bad_request(mock: InProcessMock, patch: pytest.MonkeyPatch) -> MockApp:
    def vague(path: str, status: int, body: Any) -> Any:
        if status == 400 and isinstance(body.get("error"), dict):
            body["error"]["message"] = "Invalid request"
            body["error"].pop("param", None)
        return body

    return RewritingApp(mock.app, vague)


MUTANTS: Final = (
    Mutant(
        "window_up_to_31s",
        "accepts a 31-second vocal window",
        "sdk_and_server_agree",
        _window_up_to_31,
    ),
    Mutant(
        "lone_vocal_time",
        "accepts vocal_start without vocal_end (or the reverse)",
        "sdk_and_server_agree",
        _lone_vocal_time,
    ),
    Mutant(
        "unknown_token", "accepts any bearer token as the demo user", "ignored_auth", _unknown_token
    ),
    Mutant(
        "other_users_task",
        "lets a user read another user's task",
        "other_user_cannot_read_task",
        _other_users_task,
    ),
    Mutant(
        "creation_without_id",
        "drops the task id from the creation response",
        "creation_returns_pending_task",
        _creation_without_id,
    ),
    Mutant(
        "crash_without_style",
        "answers 500 when the optional style is absent",
        "not_a_server_error",
        _crash_without_style,
    ),
    Mutant(
        "two_personas_per_song",
        "creates a second persona from the same song",
        "lifecycle.one_persona_per_song",
        _two_personas_per_song,
    ),
    Mutant(
        "progress_falls",
        "reports remaining work as progress, so progress falls",
        "lifecycle.progress_never_falls",
        _progress_falls,
    ),
    Mutant(
        "persona_without_id",
        "a completed persona task without its persona_id",
        "finished_task_carries_its_result",
        _persona_without_id,
    ),
    Mutant(
        "error_without_type",
        "error bodies without error.type",
        "error_body_has_code_message_type",
        _error_without_type,
    ),
    Mutant(
        "vague_bad_request",
        "400 messages that name no field",
        "bad_request_names_the_field",
        _vague_bad_request,
    ),
)
