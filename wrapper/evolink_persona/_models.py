"""The SDK's typed view of tasks, songs and personas, and their tolerant parsing.

Why not ``TaskDetailResponse.from_dict`` from the generated client: it raises ``TypeError`` on
any enum value the spec does not list yet (a new status such as ``queued``, a new
``billing_rule``) and a bare ``TypeError()`` when ``result_data`` matches none of its shapes.
A service adding a value must not break a client that does not care about it, so these parsers
read only what they need, keep unknown enum values as plain strings, ignore extra fields and
raise ``SchemaError`` (turned into ``UnexpectedResponseError`` at the transport boundary) only
when a field the SDK relies on is missing or of the wrong type.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

from attrs import field, frozen

# Statuses the spec lists; anything else is "unknown" and never taken for the end of a task.
PENDING: Final = "pending"
PROCESSING: Final = "processing"
COMPLETED: Final = "completed"
FAILED: Final = "failed"
CANCELLED: Final = "cancelled"
KNOWN_STATUSES: Final = frozenset({PENDING, PROCESSING, COMPLETED, FAILED, CANCELLED})
TERMINAL_STATUSES: Final = frozenset({COMPLETED, FAILED, CANCELLED})

# Upstream's task error codes: the request was refused (do not resubmit as is) ...
CLIENT_SIDE_TASK_ERRORS: Final = frozenset(
    {"content_policy_violation", "invalid_parameters", "request_cancelled"}
)
# ... or the service failed (resubmitting may work).
SERVER_SIDE_TASK_ERRORS: Final = frozenset(
    {
        "service_error",
        "generation_timeout",
        "generation_failed_no_content",
        "resource_exhausted",
        "quota_exceeded",
        "service_unavailable",
        "resource_not_found",
        "unknown_error",
    }
)


class SchemaError(ValueError):
    """A body the SDK cannot read; the transport turns it into UnexpectedResponseError."""


@frozen
class TaskError:
    """Why a task failed. ``retryable`` is None for a code upstream does not list."""

    code: str | None
    message: str
    type: str | None = None

    @property
    def retryable(self) -> bool | None:
        if self.code in SERVER_SIDE_TASK_ERRORS:
            return True
        if self.code in CLIENT_SIDE_TASK_ERRORS:
            return False
        return None


@frozen
class Song:
    """One song of a finished music task; its ``result_id`` is what a persona is made from."""

    result_id: str
    title: str | None = None
    duration: float | None = None
    tags: str | None = None
    audio_url: str | None = None
    image_url: str | None = None
    video_url: str | None = None


@frozen
class Usage:
    billing_rule: str | None = None
    credits_reserved: float | None = None
    user_group: str | None = None


@frozen
class Task:
    """A task as the service reports it, submitted or read back.

    ``status`` is kept as given: a value outside ``KNOWN_STATUSES`` is reported as is
    (``status_known`` is False) and ``is_terminal`` stays False for it.
    """

    id: str
    status: str
    progress: int | None = None
    model: str | None = None
    created: int | None = None
    estimated_time: float | None = None
    can_cancel: bool | None = None
    usage: Usage | None = None
    persona_id: str | None = None
    songs: tuple[Song, ...] = ()
    error: TaskError | None = None
    raw: Mapping[str, Any] = field(factory=dict, repr=False, eq=False)

    @property
    def status_known(self) -> bool:
        return self.status in KNOWN_STATUSES

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def credits_reserved(self) -> float | None:
        return self.usage.credits_reserved if self.usage else None


@frozen
class Persona:
    """A created persona: pass ``persona_id`` to a V5-family music generation."""

    persona_id: str
    task_id: str
    task: Task = field(repr=False)


# --------------------------------------------------------------------------------------------
# Tolerant parsing.


def _opt(data: Mapping[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    value = data.get(key)
    if value is None:
        return None
    # bool is an int subclass, but true is not a progress or a number of credits.
    if isinstance(value, kind) and (type(value) is not bool or kind is bool):
        return value
    got = "a boolean" if type(value) is bool else type(value).__name__
    raise SchemaError(f"{key!r} should be {_kind_name(kind)}, got {got}")


def _finite_number(data: Mapping[str, Any], key: str) -> float | None:
    """An optional JSON number as a finite float.

    ``float()`` of an integer beyond float range raises ``OverflowError``, and Python's JSON
    reads ``1e309`` as ``inf`` and accepts ``NaN``: none of them is a duration, an estimate or
    an amount of credits, and ``inf`` would not even print back as JSON.
    """
    value = _opt(data, key, (int, float))
    if value is None:
        return None
    try:
        number = float(value)
    except OverflowError:
        raise SchemaError(f"{key!r} is out of range") from None
    if not math.isfinite(number):
        raise SchemaError(f"{key!r} should be a finite number, got {number}")
    return number


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(k.__name__ for k in kinds)


def _object(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise SchemaError(f"{what} should be an object, got {type(value).__name__}")
    return value


def parse_song(value: Any) -> Song:
    data = _object(value, "a song")
    result_id = data.get("result_id")
    if not isinstance(result_id, str) or not result_id:
        raise SchemaError("a song has no 'result_id'")
    return Song(
        result_id=result_id,
        title=_opt(data, "title", str),
        duration=_finite_number(data, "duration"),
        tags=_opt(data, "tags", str),
        audio_url=_opt(data, "audio_url", str),
        image_url=_opt(data, "image_url", str),
        video_url=_opt(data, "video_url", str),
    )


def _parse_result_data(value: Any) -> tuple[str | None, tuple[Song, ...]]:
    """(persona_id, songs) from either shape of ``result_data``; both may be absent."""
    if value is None:
        return None, ()
    if isinstance(value, list):  # older docs: a bare list of songs
        return None, tuple(parse_song(item) for item in value)
    data = _object(value, "'result_data'")
    persona_id = _opt(data, "persona_id", str)
    songs_value = data.get("songs")
    if songs_value is None:
        return persona_id, ()
    if not isinstance(songs_value, list):
        raise SchemaError("'result_data.songs' should be a list")
    return persona_id, tuple(parse_song(item) for item in songs_value)


def parse_task(value: Any) -> Task:
    """A ``Task`` from a creation response or a task detail; extra fields are ignored."""
    data = _object(value, "the response")
    task_id = data.get("id")
    status = data.get("status")
    if not isinstance(task_id, str) or not task_id:
        raise SchemaError("the task has no 'id'")
    if not isinstance(status, str) or not status:
        raise SchemaError("the task has no 'status'")
    # The spec says integer; a fractional percentage (33.3) is still a progress, not an error.
    fraction = _finite_number(data, "progress")
    progress = None if fraction is None else int(fraction)
    info = data.get("task_info")
    info = _object(info, "'task_info'") if info is not None else {}
    usage_data = data.get("usage")
    usage = None
    if usage_data is not None:
        usage_map = _object(usage_data, "'usage'")
        usage = Usage(
            billing_rule=_opt(usage_map, "billing_rule", str),
            credits_reserved=_finite_number(usage_map, "credits_reserved"),
            user_group=_opt(usage_map, "user_group", str),
        )
    error = None
    error_data = data.get("error")
    if error_data is not None:
        error_map = _object(error_data, "'error'")
        error = TaskError(
            code=_opt(error_map, "code", str),
            message=_opt(error_map, "message", str) or "no message",
            type=_opt(error_map, "type", str),
        )
    persona_id, songs = _parse_result_data(data.get("result_data"))
    return Task(
        id=task_id,
        status=status,
        progress=progress,
        model=_opt(data, "model", str),
        created=_opt(data, "created", int),
        estimated_time=_finite_number(info, "estimated_time"),
        can_cancel=_opt(info, "can_cancel", bool),
        usage=usage,
        persona_id=persona_id,
        songs=songs,
        error=error,
        raw=data,  # fresh from json.loads and held by no one else: no copy needed
    )
