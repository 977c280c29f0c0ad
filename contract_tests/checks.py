"""Custom schemathesis checks: what the spec's prose promises and its schemas cannot say.

Each check is one named property of the contract, registered with ``@schemathesis.check``
so a failure's name says what broke. They read only the response, the request that caused
it and, for ``other_user_cannot_read_task``, one extra request made as a second user.
The built-in checks (status codes, schemas, content types, auth, server errors, positive
and negative data) run alongside; these add the rest.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

import schemathesis
from schemathesis import Case, CheckContext, Response

from .invariants import requested_task_problem, running_task_error_problem
from .spec import CREATE_OPERATION, TASK_OPERATION

__all__ = [
    "CUSTOM_CHECKS",
    "TASK_ID_PATTERN",
    "bad_request_names_the_field",
    "creation_returns_pending_task",
    "error_body_has_code_message_type",
    "finished_task_carries_its_result",
    "other_user_cannot_read_task",
    "require",
    "running_task_carries_no_error",
    "second_user_probes",
    "set_second_user_key",
    "task_detail_is_the_requested_task",
]

#: Upstream task ids: ``task-unified-<unix seconds>-<8 lowercase letters or digits>``.
TASK_ID_PATTERN: Final = re.compile(r"task-unified-\d+-[a-z0-9]{8}")
_UUID: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

#: Words a 400 may use to point at what it refuses, besides a field name.
_REQUEST_PARTS: Final = ("body", "json", "content-type", "task id", "task_id")
_REQUEST_FIELDS: Final = (
    "model",
    "model_params",
    "source_task_id",
    "result_id",
    "name",
    "description",
    "vocal_start",
    "vocal_end",
    "style",
    # music generation
    "prompt",
    "title",
    "custom_mode",
    "instrumental",
    "negative_tags",
    "vocal_gender",
    "style_weight",
    "weirdness_constraint",
    "audio_weight",
    "persona_id",
    "persona_model",
    "duration",
    "callback_url",
)


class _SecondUser:
    """The key of a user who owns none of the tasks the first user reads; how many reads
    were resent with it since it was last armed, and the (task, status) pairs they cleared."""

    key: str | None = None
    probes: int = 0
    cleared: set[tuple[str, str | None]] = set()  # noqa: RUF012 (reset on each arming)


def set_second_user_key(api_key: str | None) -> None:
    """Arm (or, with None, disarm) ``other_user_cannot_read_task`` with a second user's key."""
    _SecondUser.key = api_key
    _SecondUser.cleared = set()
    if api_key is not None:
        _SecondUser.probes = 0


def second_user_probes() -> int:
    """Reads ``other_user_cannot_read_task`` resent with the second key since it was armed:
    the responses it really judged (it passes every other response without looking)."""
    return _SecondUser.probes


def _json(response: Response) -> Any:
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def require(condition: object, message: str) -> None:
    """Fail the check (schemathesis reports an AssertionError with its message)."""
    if not condition:
        raise AssertionError(message)


def _words(text: str) -> str:
    """Lower case, underscores as spaces: ``task_id`` and "task ID" name the same thing."""
    return text.lower().replace("_", " ")


def _label(case: Case[Any]) -> str:
    return str(case.operation.label)


@schemathesis.check
def error_body_has_code_message_type(
    ctx: CheckContext, response: Response, case: Case[Any]
) -> None:
    """Every refusal (4xx or 5xx) carries ``{"error": {code, message, type}}``, each a
    non-empty string: the one error shape the spec documents for every status."""
    if response.status_code < 400:
        return
    body = _json(response)
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        raise AssertionError(
            f"{response.status_code} body is not {{'error': {{...}}}}: {response.content[:200]!r}"
        )
    for key in ("code", "message", "type"):
        value = error.get(key)
        require(
            isinstance(value, str) and value,
            (f"{response.status_code} error.{key} must be a non-empty string, got {value!r}"),
        )


@schemathesis.check
def bad_request_names_the_field(ctx: CheckContext, response: Response, case: Case[Any]) -> None:
    """A 400 says what it refuses: its message names the offending field (or the body,
    its JSON or its Content-Type, or the task id), so a user can fix the request."""
    if response.status_code != 400:
        return
    body = _json(response)
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or not isinstance(error.get("message"), str):
        return  # error_body_has_code_message_type reports the shape
    message = _words(error["message"])
    param = error.get("param")
    if isinstance(param, str) and param:
        leaf = _words(param.rsplit(".", 1)[-1])
        require(
            leaf in message or _words(param) in message,
            (f"400 names param {param!r} but its message does not: {error['message']!r}"),
        )
        return
    words = (*_REQUEST_FIELDS, *_REQUEST_PARTS)
    require(
        any(_words(word) in message for word in words),
        (f"400 message names no field or part of the request: {error['message']!r}"),
    )


@schemathesis.check
def creation_returns_pending_task(ctx: CheckContext, response: Response, case: Case[Any]) -> None:
    """An accepted creation returns a new task: an ``id`` of the upstream form,
    ``object: audio.generation.task``, ``type: audio``, the ``model`` asked for
    (``suno-persona``; a music model's ``-beta`` name), ``status: pending`` at progress 0,
    an estimated time and the credits reserved."""
    if _label(case) != CREATE_OPERATION or response.status_code != 200:
        return
    task = _json(response)
    require(isinstance(task, dict), "creation 200 body is not a JSON object")
    task_id = task.get("id")
    require(
        isinstance(task_id, str) and TASK_ID_PATTERN.fullmatch(task_id),
        (f"creation 200 has no task id of the form task-unified-<unix>-<8>: {task_id!r}"),
    )
    asked = case.body.get("model") if isinstance(case.body, dict) else None
    model = asked if asked == "suno-persona" or str(asked).endswith("-beta") else f"{asked}-beta"
    expected = {
        "object": "audio.generation.task",
        "type": "audio",
        "model": model,
        "status": "pending",
        "progress": 0,
    }
    for key, value in expected.items():
        require(task.get(key) == value, f"creation 200 {key} is {task.get(key)!r}, not {value!r}")
    info = task.get("task_info")
    require(
        isinstance(info, dict) and isinstance(info.get("estimated_time"), int),
        (f"creation 200 has no task_info.estimated_time: {info!r}"),
    )
    usage = task.get("usage")
    reserved = usage.get("credits_reserved") if isinstance(usage, dict) else None
    require(
        isinstance(reserved, int | float) and reserved >= 0,
        (f"creation 200 has no usage.credits_reserved >= 0: {usage!r}"),
    )


def _check_songs(songs: Any) -> None:
    require(isinstance(songs, list), f"a completed music task lists no songs: {songs!r}")
    for song in songs:
        result_id = song.get("result_id") if isinstance(song, dict) else None
        require(
            isinstance(result_id, str) and _UUID.fullmatch(result_id),
            (f"a song has no uuid result_id: {song!r}"),
        )


@schemathesis.check
def finished_task_carries_its_result(
    ctx: CheckContext, response: Response, case: Case[Any]
) -> None:
    """A task's detail matches its status: a completed persona task has a ``persona_id``,
    a completed music task lists songs with uuid ``result_id``s (either ``result_data``
    form), a failed task has ``error{code, message, type: task_error}``, and a task still
    running has progress below 100 and no result."""
    if _label(case) != TASK_OPERATION or response.status_code != 200:
        return
    task = _json(response)
    require(isinstance(task, dict), "task detail 200 body is not a JSON object")
    status = task.get("status")
    result = task.get("result_data")
    if status == "completed":
        if task.get("model") == "suno-persona":
            persona_id = result.get("persona_id") if isinstance(result, dict) else None
            require(
                isinstance(persona_id, str) and persona_id,
                (f"completed persona task {task.get('id')} has no persona_id: {result!r}"),
            )
        else:
            _check_songs(result.get("songs") if isinstance(result, dict) else result)
    elif status == "failed":
        error = task.get("error")
        require(isinstance(error, dict), f"failed task {task.get('id')} has no error object")
        require(error.get("type") == "task_error", f"failed task error type: {error!r}")
        for key in ("code", "message"):
            require(isinstance(error.get(key), str) and error[key], f"failed task error: {error!r}")
    elif status in ("pending", "processing"):
        progress = task.get("progress")
        require(
            isinstance(progress, int) and progress < 100,
            (f"{status} task {task.get('id')} claims progress {progress!r}"),
        )
        require(result is None, f"{status} task {task.get('id')} already has result_data")


@schemathesis.check
def task_detail_is_the_requested_task(
    ctx: CheckContext, response: Response, case: Case[Any]
) -> None:
    """The detail answered is the detail asked for: a 200's ``id`` is the path's ``task_id``."""
    if _label(case) != TASK_OPERATION or response.status_code != 200:
        return
    problem = requested_task_problem((case.path_parameters or {}).get("task_id"), _json(response))
    require(problem is None, str(problem))


@schemathesis.check
def running_task_carries_no_error(ctx: CheckContext, response: Response, case: Case[Any]) -> None:
    """A task still ``pending`` or ``processing`` has not failed: its detail has no ``error``
    (the spec's schema allows one on any task; the operation only sets it on a failure)."""
    if _label(case) != TASK_OPERATION or response.status_code != 200:
        return
    problem = running_task_error_problem(_json(response))
    require(problem is None, str(problem))


@schemathesis.check
def other_user_cannot_read_task(ctx: CheckContext, response: Response, case: Case[Any]) -> None:
    """A task is private to its owner: whatever the first user can read, a second user
    gets 403 (or 404) for. Sends the same request once more with the second user's key,
    once for each task in each status it is read in (a task's owner is a property of the
    task, and a status is where a server's rules could differ); a read the second user
    could make is never cleared, so a leaking server fails on every such read. Inert
    unless a second key was given (``set_second_user_key``)."""
    other = _SecondUser.key
    if other is None or _label(case) != TASK_OPERATION or response.status_code != 200:
        return
    sent = response.request.headers.get("Authorization", "")
    if sent == f"Bearer {other}":
        return
    task_id = (case.path_parameters or {}).get("task_id")
    body = _json(response)
    status = body.get("status") if isinstance(body, dict) else None
    seen = (str(task_id), status if isinstance(status, str) else None)
    if seen in _SecondUser.cleared:
        return
    kwargs: dict[str, Any] = dict(ctx.internals.transport_kwargs or {})
    _SecondUser.probes += 1
    probe = case.call(headers={"Authorization": f"Bearer {other}"}, **kwargs)
    require(
        probe.status_code in (403, 404),
        f"a second user read task {task_id!r}: got {probe.status_code}, expected 403",
    )
    _SecondUser.cleared.add(seen)


CUSTOM_CHECKS: Final = (
    error_body_has_code_message_type,
    bad_request_names_the_field,
    creation_returns_pending_task,
    finished_task_carries_its_result,
    task_detail_is_the_requested_task,
    running_task_carries_no_error,
    other_user_cannot_read_task,
)
