"""The SDK's typed view of tasks, songs and personas: a tolerant reader over the spec's models.

A ``Task`` is a thin view of one response body. What the SDK decides on (``id``, ``status``,
``persona_id``, the songs' ``result_id``, ``error``) is read strictly: a body where one of
them is missing or of the wrong type is an ``UnexpectedResponseError``. Everything else is
read tolerantly: an unambiguous value of the wrong JSON type is coerced (``"50"`` is a
progress of 50, ``1774170584.123`` a creation time, ``"false"`` a boolean), anything else is
``None``, and the body as sent stays in ``raw``. A field that only informs must never cost a
result (a task created, and charged, is never lost to a ``"15"`` for an estimate).

The whole body as the spec types it is ``Task.detail``: the generated model
(``TaskDetailResponse`` for a read, ``AudioGenerationResponse`` for a creation), built from
``raw`` on first access. A field the spec gains is there after ``scripts/regenerate``, typed,
with no change here. The generated models keep unknown enum values (``UnknownValue``) and
unknown shapes (``UnknownShape``) rather than raising (scripts/generator-templates/).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, Final, Generic, cast

from attrs import field, frozen
from evolink_api.models.audio_generation_response import AudioGenerationResponse
from evolink_api.models.task_detail_response import TaskDetailResponse

from ._errors import UnexpectedResponseError

#: The generated model a ``Task`` is a view of; a bare ``Task`` may be either (PEP 696
#: default, seen by type checkers; at run time a plain TypeVar does the same job).
if TYPE_CHECKING:
    from typing_extensions import TypeVar

    M = TypeVar("M", covariant=True, default=TaskDetailResponse | AudioGenerationResponse)
else:
    from typing import TypeVar

    M = TypeVar("M", covariant=True)

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


T = TypeVar("T", bound="Task[Any]")


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


@frozen(slots=False)  # one per read: see Task
class Usage:
    billing_rule: str | None = None
    credits_reserved: float | None = None
    user_group: str | None = None


@frozen(slots=False)  # a dict class: its __init__ stores fields at a fraction of the cost
class Task(Generic[M]):
    """A task as the service reports it, submitted (``Task[AudioGenerationResponse]``) or read
    back (``Task[TaskDetailResponse]``).

    ``status`` is kept as given: a value outside ``KNOWN_STATUSES`` is reported as is
    (``status_known`` is False) and ``is_terminal`` stays False for it. The other fields are
    the tolerant reading described in the module docstring; ``detail`` is the generated model.
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

    @cached_property
    def detail(self) -> M:
        """The body as the spec types it (the generated model), built once, on first use.

        Every field of the spec is here, including those the SDK does not read. Raises
        ``UnexpectedResponseError`` only for a body whose fields break the spec's types in a
        way the generated model cannot hold (``raw`` still has it as sent).
        """
        try:
            return self._spec_model(self.raw)
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            raise UnexpectedResponseError(
                f"task {self.id}: the body does not fit the spec's model "
                f"({type(exc).__name__}: {exc}); Task.raw has it as sent"
            ) from None

    def _spec_model(self, raw: Mapping[str, Any]) -> M:
        # A Task made by hand is read as a task detail; the readers below say which model.
        return cast(M, TaskDetailResponse.from_dict(raw))

    @property
    def status_known(self) -> bool:
        return self.status in KNOWN_STATUSES

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def credits_reserved(self) -> float | None:
        return self.usage.credits_reserved if self.usage else None


@frozen(slots=False)
class _ReadTask(Task[TaskDetailResponse]):
    def _spec_model(self, raw: Mapping[str, Any]) -> TaskDetailResponse:
        return TaskDetailResponse.from_dict(raw)


@frozen(slots=False)
class _SubmittedTask(Task[AudioGenerationResponse]):
    def _spec_model(self, raw: Mapping[str, Any]) -> AudioGenerationResponse:
        return AudioGenerationResponse.from_dict(raw)


@frozen
class Persona:
    """A created persona: pass ``persona_id`` to a V5-family music generation."""

    persona_id: str
    task_id: str
    task: Task[Any] = field(repr=False)


# --------------------------------------------------------------------------------------------
# Reading: strict for what decides, tolerant for what informs.

_TRUE: Final = frozenset({"true", "True", "TRUE"})
_FALSE: Final = frozenset({"false", "False", "FALSE"})


def _number(value: Any) -> float | None:
    """A finite number from a JSON number or a numeric string; None for anything else.

    ``float()`` of an integer beyond float range raises ``OverflowError``; Python's JSON reads
    ``1e309`` as ``inf`` and accepts ``NaN``; a boolean is not a number: all give None.
    """
    kind = type(value)
    if kind is float:
        return value if math.isfinite(value) else None
    if kind is int:
        try:
            return float(value)  # finite whenever it fits
        except OverflowError:
            return None
    if kind is bool or value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text or len(text) > 40:
            return None
        try:
            value = float(text)
        except ValueError:
            return None
    elif not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _whole(value: Any) -> int | None:
    """An integer reading (a progress, a unix time): fractions are cut, not refused."""
    if type(value) is int:
        return value
    number = _number(value)
    return None if number is None else int(number)


def _flag(value: Any) -> bool | None:
    if type(value) is bool:
        return value
    if isinstance(value, str):
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


# A JSON object decodes as a dict: ``type(...) is dict`` first spares the (slow) ABC check.


def _mapping(value: Any) -> Mapping[str, Any] | None:
    return value if type(value) is dict or isinstance(value, Mapping) else None


def _object(value: Any, what: str) -> Mapping[str, Any]:
    if type(value) is not dict and not isinstance(value, Mapping):
        raise SchemaError(f"{what} should be an object, got {type(value).__name__}")
    return value


def _decisive_text(data: Mapping[str, Any], key: str, what: str) -> str | None:
    """An optional string the SDK decides on: absent is None, another type is an error."""
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value
    got = "a boolean" if type(value) is bool else type(value).__name__
    raise SchemaError(f"{what} should be a string, got {got}")


def parse_song(value: Any) -> Song:
    data = _object(value, "a song")
    result_id = data.get("result_id")
    if not isinstance(result_id, str) or not result_id:
        raise SchemaError("a song has no 'result_id'")
    return Song(
        result_id=result_id,
        title=_text(data.get("title")),
        duration=_number(data.get("duration")),
        tags=_text(data.get("tags")),
        audio_url=_text(data.get("audio_url")),
        image_url=_text(data.get("image_url")),
        video_url=_text(data.get("video_url")),
    )


def _parse_result_data(value: Any) -> tuple[str | None, tuple[Song, ...]]:
    """(persona_id, songs) from either shape of ``result_data``; both may be absent."""
    if value is None:
        return None, ()
    if isinstance(value, list):  # older docs: a bare list of songs
        return None, tuple(parse_song(item) for item in value)
    data = _object(value, "'result_data'")
    persona_id = _decisive_text(data, "persona_id", "'result_data.persona_id'")
    songs_value = data.get("songs")
    if songs_value is None:
        return persona_id, ()
    if not isinstance(songs_value, list):
        raise SchemaError("'result_data.songs' should be a list")
    return persona_id, tuple(parse_song(item) for item in songs_value)


def _parse_error(value: Any) -> TaskError | None:
    if value is None:
        return None
    data = _object(value, "'error'")
    return TaskError(
        code=_decisive_text(data, "code", "'error.code'"),
        message=_decisive_text(data, "message", "'error.message'") or "no message",
        type=_decisive_text(data, "type", "'error.type'"),
    )


def _read_task(value: Any, view: type[T], expected_id: str | None) -> T:
    data = _object(value, "the response")
    task_id = data.get("id")
    status = data.get("status")
    if not isinstance(task_id, str) or not task_id:
        raise SchemaError("the task has no 'id'")
    if expected_id is not None and task_id != expected_id:
        raise SchemaError(
            f"a read of task {expected_id!r} was answered with another task, {task_id!r}"
        )
    if not isinstance(status, str) or not status:
        raise SchemaError("the task has no 'status'")
    # The common types are tested inline: the readers below give the same for them.
    info = data.get("task_info")
    if type(info) is not dict:
        info = _mapping(info) or {}
    usage_map = data.get("usage")
    if type(usage_map) is not dict:
        usage_map = _mapping(usage_map)
    usage = None
    if usage_map is not None:
        billing_rule = usage_map.get("billing_rule")
        user_group = usage_map.get("user_group")
        usage = Usage(
            billing_rule=billing_rule if type(billing_rule) is str else _text(billing_rule),
            credits_reserved=_number(usage_map.get("credits_reserved")),
            user_group=user_group if type(user_group) is str else _text(user_group),
        )
    result_data = data.get("result_data")
    persona_id, songs = (None, ()) if result_data is None else _parse_result_data(result_data)
    error = data.get("error")
    model = data.get("model")
    progress = data.get("progress")
    created = data.get("created")
    can_cancel = info.get("can_cancel")
    return view(
        id=task_id,
        status=status,
        progress=progress if type(progress) is int else _whole(progress),
        model=model if isinstance(model, str) else None,
        created=created if type(created) is int else _whole(created),
        estimated_time=_number(info.get("estimated_time")),
        can_cancel=can_cancel if type(can_cancel) is bool else _flag(can_cancel),
        usage=usage,
        persona_id=persona_id,
        songs=songs,
        error=None if error is None else _parse_error(error),
        raw=data,  # fresh from json.loads and held by no one else: no copy needed
    )


def parse_task(value: Any, *, expected_id: str | None = None) -> Task[TaskDetailResponse]:
    """A task detail; with ``expected_id``, a body about another task is refused."""
    return _read_task(value, _ReadTask, expected_id)


def parse_submitted_task(value: Any) -> Task[AudioGenerationResponse]:
    """The task a creation returned."""
    return _read_task(value, _SubmittedTask, None)
