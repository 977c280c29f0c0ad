"""Every error the SDK raises, and the one place where HTTP outcomes become those errors.

The hierarchy::

    EvolinkError
    ├── ConfigurationError            no API key, bad base URL          (exit 3)
    ├── RequestValidationError        client-side rules, before sending (exit 4)
    │   └── NotAPersonaTaskError      waiting on a task that is not a persona task (exit 4)
    ├── APIStatusError                the service answered with an error status
    │   ├── BadRequestError           400                               (exit 5)
    │   │   └── PersonaAlreadyExistsError  400, one persona per song    (exit 6)
    │   ├── AuthenticationError       401                               (exit 7)
    │   ├── InsufficientQuotaError    402                               (exit 8)
    │   ├── PermissionDeniedError     403                               (exit 9)
    │   ├── NotFoundError             404                               (exit 10)
    │   ├── RateLimitedError          429, with retry_after             (exit 11)
    │   └── ServerError               5xx                               (exit 12)
    ├── APIConnectionError            no answer at all                  (exit 13)
    │   └── APITimeoutError           the answer did not come in time   (exit 14)
    ├── UnexpectedResponseError       off-contract status or body       (exit 15)
    ├── TaskFailedError               the task ended failed/cancelled   (exit 16)
    ├── WaitTimeoutError              the task did not end by the deadline (exit 17)
    └── NoSongsError                  the task lists no songs (not a finished music task) (exit 18)

``error_from_response`` and ``error_from_transport`` are the only translators: no other
module looks at a status code or an httpx exception to decide what to raise.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import httpx

from ._constants import BODY_EXCERPT_CHARS

if TYPE_CHECKING:
    from ._rules import Violation
    from ._secret import ApiKey

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "EvolinkError",
    "InsufficientQuotaError",
    "NoSongsError",
    "NotAPersonaTaskError",
    "NotFoundError",
    "PermissionDeniedError",
    "PersonaAlreadyExistsError",
    "RateLimitedError",
    "RequestValidationError",
    "ServerError",
    "TaskFailedError",
    "UnexpectedResponseError",
    "WaitTimeoutError",
]


class EvolinkError(Exception):
    """Root of every SDK error. ``hint`` says what to do about it."""

    exit_code: ClassVar[int] = 1
    default_hint: ClassVar[str] = ""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: str | None = None,
        type: str | None = None,
        param: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.code = code
        self.type = type
        self.param = param
        self.hint = hint if hint is not None else self.default_hint

    def __str__(self) -> str:
        details = [
            f"{name} {value}"
            for name, value in (
                ("status", self.status_code),
                ("code", self.code),
                ("param", self.param),
            )
            if value is not None
        ]
        text = self.message
        if details:
            text += f" ({', '.join(details)})"
        if self.hint:
            text += f". {self.hint}"
        return text


class ConfigurationError(EvolinkError):
    exit_code = 3
    default_hint = (
        "Set the EVOLINK_API_KEY environment variable (or pass api_key=...); "
        "keys are at https://evolink.ai/dashboard/keys"
    )


class RequestValidationError(EvolinkError, ValueError):
    """The request breaks the client-side rules; nothing was sent. See ``violations``."""

    exit_code = 4
    default_hint = "Fix the listed parameters; nothing was sent and nothing was charged"

    def __init__(self, violations: Sequence[Violation]) -> None:
        self.violations: tuple[Violation, ...] = tuple(violations)
        listed = "; ".join(f"{v.field}: {v.reason}" for v in self.violations)
        super().__init__(f"invalid request: {listed}", code="client_validation")


class NotAPersonaTaskError(RequestValidationError):
    """The task waited on is another kind of task (a music task): the caller's mistake."""

    default_hint = (
        "Wait on the task id a persona creation returned (evolink-persona create prints it); "
        "a music task's songs are listed with list_songs (evolink-persona songs)"
    )

    def __init__(self, *, task_id: str, model: str | None) -> None:
        from ._rules import Violation

        self.task_id = task_id
        self.model = model
        kind = f"a {model} task" if model else "a task without a persona result"
        super().__init__([Violation("task_id", f"{task_id} is {kind}, not a persona task")])


class APIStatusError(EvolinkError):
    """The service answered with an error status and an error body."""

    def __init__(self, message: str, *, status_code: int, **kwargs: Any) -> None:
        super().__init__(message, status_code=status_code, **kwargs)


class BadRequestError(APIStatusError):
    exit_code = 5
    default_hint = "The service refused the parameters; correct them and try again"


class PersonaAlreadyExistsError(BadRequestError):
    """The song already has its persona (each result_id allows one)."""

    exit_code = 6
    default_hint = (
        "Each song allows one persona; use the existing persona or pick another result_id"
    )

    def __init__(self, message: str, *, after_retry: bool = False, **kwargs: Any) -> None:
        #: True when the SDK had retried the creation: the earlier attempt may have made it.
        self.after_retry = after_retry
        hint = None
        if after_retry:
            hint = (
                "The SDK retried this creation after a failed attempt; that earlier attempt "
                "may have created the persona: look for a recent suno-persona task before "
                "creating again"
            )
        super().__init__(message, hint=hint, **kwargs)


class AuthenticationError(APIStatusError):
    exit_code = 7
    default_hint = "Check EVOLINK_API_KEY: the key is missing, invalid or expired"


class InsufficientQuotaError(APIStatusError):
    exit_code = 8
    default_hint = "Top up the account's credits, then try again"


class PermissionDeniedError(APIStatusError):
    exit_code = 9
    default_hint = "The task belongs to another account; use a task id of this key's account"


class NotFoundError(APIStatusError):
    exit_code = 10
    default_hint = "Check the task id; it is unknown to the service"


class RateLimitedError(APIStatusError):
    exit_code = 11
    default_hint = "Slow down; wait retry_after seconds (if given) before the next call"

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        #: Seconds the service asked to wait, from Retry-After / retry-after-ms, if any.
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class ServerError(APIStatusError):
    exit_code = 12
    default_hint = "The service failed; try again later (reads were already retried)"


class APIConnectionError(EvolinkError):
    exit_code = 13
    default_hint = "Check the network and the base URL (EVOLINK_BASE_URL)"


class APITimeoutError(APIConnectionError):
    exit_code = 14
    default_hint = "The service did not answer in time; raise timeout= or try again later"


class UnexpectedResponseError(EvolinkError):
    """An answer the API contract does not describe. ``body_excerpt`` quotes a safe start."""

    exit_code = 15
    default_hint = (
        "The service (or a proxy in front of it) answered outside the API contract; "
        "try again later, and report it if it persists"
    )

    def __init__(self, message: str, *, body_excerpt: str = "", **kwargs: Any) -> None:
        self.body_excerpt = body_excerpt
        if body_excerpt:
            message = f"{message}; body starts with {body_excerpt!r}"
        super().__init__(message, **kwargs)


class TaskFailedError(EvolinkError):
    """The task ended without a result. ``retryable`` follows upstream's error-code lists."""

    exit_code = 16

    def __init__(
        self,
        message: str,
        *,
        task_id: str,
        status: str,
        code: str | None,
        retryable: bool | None,
        type: str | None = None,
    ) -> None:
        self.task_id = task_id
        self.status = status
        #: True: a server-side failure, submitting again may work; False: the request itself
        #: was refused (change it); None: a code upstream does not list.
        self.retryable = retryable
        if retryable is True:
            hint = "A server-side failure: submitting the same request again may succeed"
        elif retryable is False:
            hint = "The request itself was refused: change it before submitting again"
        else:
            hint = "Unknown failure code: check the message before submitting again"
        super().__init__(f"task {task_id} {status}: {message}", code=code, type=type, hint=hint)


class WaitTimeoutError(EvolinkError):
    """The task had not ended by the deadline; it may still end later."""

    exit_code = 17
    default_hint = "The task is still running: poll it again later with get_task/wait_for_persona"

    def __init__(
        self, *, task_id: str, waited: float, last_status: str | None, last_progress: int | None
    ) -> None:
        self.task_id = task_id
        self.waited = waited
        self.last_status = last_status
        self.last_progress = last_progress
        progress = "unknown" if last_progress is None else f"{last_progress}%"
        super().__init__(
            f"task {task_id} not finished after {waited:.1f}s "
            f"(last status {last_status or 'unknown'}, progress {progress})"
        )


class NoSongsError(EvolinkError):
    """The task has no songs to list: not a music task, or not finished yet."""

    exit_code = 18
    default_hint = "Pass the id of a completed music task (suno-v4 or above)"

    def __init__(self, *, task_id: str, status: str, model: str | None) -> None:
        self.task_id = task_id
        self.status = status
        self.model = model
        super().__init__(f"task {task_id} (status {status}, model {model}) lists no songs")


# ---------------------------------------------------------------------------------------------
# The one boundary where HTTP outcomes become typed errors.

_STATUS_ERRORS: Mapping[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: InsufficientQuotaError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitedError,
}

# Words of the "one persona per song" refusal; the message text is not specified upstream.
_DUPLICATE_MARKERS = ("already", "exists", "duplicate", "only create one")


def decode_json(content: bytes) -> Any:
    """``json.loads`` that fails only with ``ValueError``.

    ``json.loads`` raises ``RecursionError`` on deeply nested input (``[[[[...``), not a
    ``ValueError``; for the SDK that is one more body that is not the JSON it expects.
    Non-UTF-8 bytes give ``UnicodeDecodeError``, a ``ValueError`` already.
    """
    try:
        return json.loads(content)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def body_excerpt(content: bytes, key: ApiKey | None) -> str:
    """A short, printable start of the body with the key removed, for error messages."""
    text = content[: BODY_EXCERPT_CHARS * 4].decode("utf-8", errors="replace")
    text = " ".join(text.split())[:BODY_EXCERPT_CHARS]
    return key.redact(text) if key is not None else text


def _error_fields(content: bytes) -> dict[str, str] | None:
    """The ``{"error": {...}}`` object as strings, or None when the body is not one."""
    try:
        payload = decode_json(content)
    except ValueError:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("error"), dict):
        return None
    raw = payload["error"]
    return {
        k: _text(raw[k]) for k in ("code", "message", "type", "param") if raw.get(k) is not None
    }


def _text(value: object) -> str:
    """A field of an error body as text; a non-string (a number, an object) is shown as JSON."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value)[:BODY_EXCERPT_CHARS]
    except (ValueError, RecursionError):  # nested deeper than dumps goes
        return type(value).__name__


def error_from_response(
    status: int,
    content: bytes,
    *,
    key: ApiKey | None,
    retry_after: float | None = None,
    creating_persona: bool = False,
    retried: bool = False,
) -> EvolinkError:
    """The typed error for a non-2xx answer.

    ``creating_persona`` and ``retried`` let a 400 "one persona per song" refusal say that an
    earlier attempt of this same call may have created the persona.
    """
    fields = _error_fields(content)
    if fields is None:
        # A proxy's HTML page, a truncated or non-JSON body: not the API talking.
        kind = "server error" if status >= 500 else "response"
        return UnexpectedResponseError(
            f"unexpected {kind} (HTTP {status}) without an API error body",
            status_code=status,
            body_excerpt=body_excerpt(content, key),
        )
    message = fields.get("message") or f"HTTP {status}"
    if key is not None:
        message = key.redact(message)
    common: dict[str, Any] = {
        "status_code": status,
        "code": fields.get("code"),
        "type": fields.get("type"),
        "param": fields.get("param"),
    }
    if status >= 500:
        return ServerError(message, **common)
    cls = _STATUS_ERRORS.get(status)
    if cls is None:
        return UnexpectedResponseError(
            f"undocumented HTTP status {status}: {message}",
            status_code=status,
            code=common["code"],
            type=common["type"],
        )
    if cls is RateLimitedError:
        return RateLimitedError(message, retry_after=retry_after, **common)
    if cls is BadRequestError and creating_persona:
        lowered = message.lower()
        if "persona" in lowered and any(marker in lowered for marker in _DUPLICATE_MARKERS):
            return PersonaAlreadyExistsError(message, after_retry=retried, **common)
    return cls(message, **common)


def error_from_transport(exc: httpx.HTTPError, key: ApiKey | None) -> EvolinkError:
    """The typed error for an exchange that produced no (readable) response."""
    # httpx messages name the failure, not headers, and the request (with the key) is not
    # kept; the key is masked anyway, should a lower layer ever quote a header.
    detail = str(exc) or type(exc).__name__
    if key is not None:
        detail = key.redact(detail)
    name = type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"request timed out ({name}: {detail})")
    if isinstance(exc, httpx.DecodingError):
        # The service answered, but its body cannot be decoded (say a broken gzip stream).
        return UnexpectedResponseError(f"the response body cannot be decoded ({name}: {detail})")
    return APIConnectionError(f"could not reach the service ({name}: {detail})")


def schema_error(status: int, content: bytes, problem: str, key: ApiKey | None) -> EvolinkError:
    """The typed error for a 2xx answer whose body breaks the API contract."""
    return UnexpectedResponseError(
        f"response breaks the API contract: {problem}",
        status_code=status,
        body_excerpt=body_excerpt(content, key),
    )
