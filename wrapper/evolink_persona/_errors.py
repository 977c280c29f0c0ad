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

import contextlib
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
        task_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.code = code
        self.type = type
        self.param = param
        self.hint = hint if hint is not None else self.default_hint
        #: The task this error concerns, when one exists: set on every error raised after a
        #: creation was accepted, so the id of a paid task is never lost.
        self.task_id = task_id
        #: True when a creation was sent but its outcome is unknown (it may have been charged).
        self.creation_unconfirmed = False

    def __reduce__(self) -> tuple[Any, ...]:
        # Exception pickling calls cls(*args), which the keyword-only constructors refuse:
        # the error would not unpickle (and a multiprocessing.Pool waiting on it would hang).
        # Rebuild without __init__ from args and the attributes instead.
        return (_rebuild, (type(self), self.args), self.__dict__)

    def _amend(self, suffix: str) -> None:
        self.message += suffix
        self.args = (self.message,)

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


def _rebuild(cls: type[EvolinkError], args: tuple[Any, ...]) -> EvolinkError:
    """An error of class ``cls`` with ``args``, its attributes restored by pickle afterwards."""
    error = cls.__new__(cls)
    error.args = args
    return error


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
    """The service answered with an error status. The status decides the class; the body
    only adds detail (``code``, ``message``...), or ``body_excerpt`` when it is no API error."""

    def __init__(
        self, message: str, *, status_code: int, body_excerpt: str = "", **kwargs: Any
    ) -> None:
        self.body_excerpt = body_excerpt
        super().__init__(_with_excerpt(message, body_excerpt), status_code=status_code, **kwargs)


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

    def __init__(
        self, message: str, *, body_excerpt: str = "", location: str | None = None, **kwargs: Any
    ) -> None:
        self.body_excerpt = body_excerpt
        #: Where a redirect pointed (the SDK follows none), key masked.
        self.location = location
        super().__init__(_with_excerpt(message, body_excerpt), **kwargs)


def _with_excerpt(message: str, excerpt: str) -> str:
    return f"{message}; body starts with {excerpt!r}" if excerpt else message


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
        super().__init__(
            f"task {task_id} {status}: {message}", code=code, type=type, hint=hint, task_id=task_id
        )


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
            f"(last status {last_status or 'unknown'}, progress {progress})",
            task_id=task_id,
        )


class NoSongsError(EvolinkError):
    """The task has no songs to list: not a music task, or not finished yet."""

    exit_code = 18
    default_hint = "Pass the id of a completed music task (suno-v4 or above)"

    def __init__(self, *, task_id: str, status: str, model: str | None) -> None:
        self.task_id = task_id
        self.status = status
        self.model = model
        super().__init__(
            f"task {task_id} (status {status}, model {model}) lists no songs", task_id=task_id
        )


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

# Where an error body may keep its text besides "message" (FastAPI, OAuth, others).
_MESSAGE_FIELDS = ("message", "detail", "error_description", "msg")

try:  # the codings this httpx decodes (br and zstd only with their optional packages)
    from httpx._decoders import SUPPORTED_DECODERS

    _DECODABLE: frozenset[str] = frozenset(SUPPORTED_DECODERS)
except ImportError:  # pragma: no cover - a future httpx that moved it
    _DECODABLE = frozenset({"identity", "gzip", "deflate"})
_DECODERS_TO_INSTALL = {"br": "brotli", "zstd": "zstandard"}

REDIRECT_HINT = (
    "The SDK never follows a redirect (it would resend the key and the request elsewhere): "
    "if the new address is the service's, set base_url (or EVOLINK_BASE_URL) to it"
)
UNCONFIRMED_CREATION_HINT = (
    "The creation was sent but its outcome is unknown: it may have created (and charged) a "
    "suno-persona task. The API cannot list tasks, so before creating again look for a recent "
    "suno-persona task and its reserved credits in your EvoLink account; once that task made "
    "its persona, creating again from the same song is refused (PersonaAlreadyExistsError)"
)


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
    """A short, printable start of the body with the key removed, for error messages.

    The key is masked in the whole body first: cutting first would leave the start of a key
    that straddles the cut.
    """
    if key is not None:
        content = key.scrub(content)
    text = content[: BODY_EXCERPT_CHARS * 4].decode("utf-8", errors="replace")
    return " ".join(text.split())[:BODY_EXCERPT_CHARS]


def _undecodable_coding(headers: httpx.Headers | None) -> str | None:
    """A ``Content-Encoding`` httpx passed through undecoded (it skips codings it lacks)."""
    if headers is None:
        return None
    for value in headers.get_list("content-encoding", split_commas=True):
        coding = value.strip().lower()
        if coding and coding not in _DECODABLE:
            return coding
    return None


def _is_binary(text: str) -> bool:
    """Mostly replacement or control characters: bytes, not text worth quoting."""
    noise = sum(1 for char in text if char == "\ufffd" or not char.isprintable())
    return noise * 10 > len(text)


def _describe_body(
    content: bytes, headers: httpx.Headers | None, key: ApiKey | None
) -> tuple[str, str]:
    """(excerpt, note) for an unreadable body: a printable start to quote, or else a note
    saying what the body is (empty, compressed with a coding httpx cannot decode, binary)."""
    if not content:
        return "", "the body is empty"
    coding = _undecodable_coding(headers)
    if coding is not None:
        package = _DECODERS_TO_INSTALL.get(coding)
        remedy = f"pip install {package}" if package else "no decoder for it is known"
        return "", (
            f"the body is compressed with Content-Encoding {coding[:40]!r}, which this "
            f"installation cannot decode ({remedy})"
        )
    excerpt = body_excerpt(content, key)
    if _is_binary(excerpt):
        kind = headers.get("content-type") if headers is not None else None
        shown = f" ({kind[:60]!r})" if kind else ""
        return "", f"the body is {len(content)} bytes of binary data{shown}"
    return excerpt, ""


def _error_fields(content: bytes) -> dict[str, str] | None:
    """``code``/``message``/``type``/``param`` of an error body, as strings; None when the body
    is not one. Read from ``{"error": {...}}``, ``{"error": "text"}``, a top-level
    ``{code, message}`` (or ``detail``, ``error_description``), or a bare JSON string."""
    try:
        payload = decode_json(content)
    except ValueError:
        return None
    if isinstance(payload, str):
        return {"message": payload} if payload.strip() else None
    if not isinstance(payload, dict):
        return None
    error = payload.get("error")
    source: Mapping[str, Any] = error if isinstance(error, dict) else payload
    fields = {k: _text(source[k]) for k in ("code", "type", "param") if source.get(k) is not None}
    message = next((source[k] for k in _MESSAGE_FIELDS if source.get(k) is not None), None)
    if isinstance(error, str) and error:
        if message is None:
            message = error
        else:
            fields.setdefault("code", error)
    if message is not None:
        fields["message"] = _text(message)
    return fields or None


def _text(value: object) -> str:
    """A field of an error body as text; a non-string (a number, an object) is shown as JSON."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value)[:BODY_EXCERPT_CHARS]
    except (ValueError, RecursionError):  # nested deeper than dumps goes
        return type(value).__name__


def _status_class(status: int) -> type[APIStatusError] | None:
    if 500 <= status <= 599:
        return ServerError
    return _STATUS_ERRORS.get(status)


def _redirect(status: int, headers: httpx.Headers | None, key: ApiKey | None) -> EvolinkError:
    location = headers.get("location") if headers is not None else None
    if not location:
        return UnexpectedResponseError(
            f"the service answered a redirect (HTTP {status}) without a Location",
            status_code=status,
            hint=REDIRECT_HINT,
        )
    if key is not None:
        location = key.redact(location)
    location = location[:BODY_EXCERPT_CHARS]
    return UnexpectedResponseError(
        f"the service redirected (HTTP {status}) to {location!r}, which the SDK does not follow",
        status_code=status,
        location=location,
        hint=REDIRECT_HINT,
    )


def error_from_response(
    status: int,
    content: bytes,
    *,
    key: ApiKey | None,
    headers: httpx.Headers | None = None,
    retry_after: float | None = None,
    creating_persona: bool = False,
    retried: bool = False,
) -> EvolinkError:
    """The typed error for a non-2xx answer.

    The status decides the class (401 is an ``AuthenticationError`` whatever its body says, a
    429 keeps ``retry_after``); the body adds ``code``/``message``/``type``/``param`` when it
    has them, or an excerpt. ``creating_persona`` and ``retried`` let a 400 "one persona per
    song" refusal say that an earlier attempt of this same call may have created the persona.
    """
    if key is not None:
        content = key.scrub(content)
    if 300 <= status <= 399:
        return _redirect(status, headers, key)
    cls = _status_class(status)
    fields = _error_fields(content)
    excerpt = ""
    if fields is None:
        # A proxy's HTML page, a truncated, non-JSON or binary body: not the API talking.
        excerpt, note = _describe_body(content, headers, key)
        message = f"HTTP {status} without an API error body" + (f"; {note}" if note else "")
        fields = {}
    else:
        message = fields.get("message") or f"HTTP {status}"
        if key is not None:
            message = key.redact(message)
    common: dict[str, Any] = {
        "status_code": status,
        "code": fields.get("code"),
        "type": fields.get("type"),
        "param": fields.get("param"),
        "body_excerpt": excerpt,
    }
    if cls is None:
        return UnexpectedResponseError(f"undocumented HTTP status {status}: {message}", **common)
    if cls is RateLimitedError:
        return RateLimitedError(message, retry_after=retry_after, **common)
    if cls is BadRequestError and creating_persona:
        lowered = message.lower()
        if "persona" in lowered and any(marker in lowered for marker in _DUPLICATE_MARKERS):
            return PersonaAlreadyExistsError(message, after_retry=retried, **common)
    return cls(message, **common)


#: The most of a transport exception's own message an error quotes.
_TRANSPORT_DETAIL_CHARS = 300
#: What to do about an exception the HTTP client raised that is not one of httpx's own.
FOREIGN_TRANSPORT_HINT = (
    "The http_client given to the SDK (its transport, an event hook, a proxy or test library "
    "plugged into httpx) raised it; the original exception is this error's __cause__"
)


def error_from_transport(exc: Exception, key: ApiKey | None) -> EvolinkError:
    """The typed error for an exchange that produced no (readable) response.

    Besides httpx's own errors, a custom transport or an event hook can raise anything (an
    ``OSError`` of its socket, a bug): that is a connection error too, so a caller who
    catches ``EvolinkError`` meets no raw exception; its hint says where it came from.
    """
    # httpx messages name the failure, not headers, and the request (with the key) is not
    # kept; the key is masked anyway, should a lower layer ever quote a header.
    name = type(exc).__name__
    try:
        detail = str(exc) or name
    except Exception:  # an exception class of a transport's whose __str__ fails
        detail = f"{name} with a message that cannot be shown"
    if key is not None:
        detail = key.redact(detail)
    if len(detail) > _TRANSPORT_DETAIL_CHARS:  # a transport's message may be any size
        detail = f"{detail[:_TRANSPORT_DETAIL_CHARS]}... ({len(detail):,} characters)"
    if not isinstance(exc, httpx.HTTPError):
        if isinstance(exc, TimeoutError):  # socket.timeout too
            return APITimeoutError(
                f"request timed out in the HTTP client's own code ({name}: {detail})",
                hint=FOREIGN_TRANSPORT_HINT,
            )
        return APIConnectionError(
            f"the HTTP client failed with an exception of its own ({name}: {detail})",
            hint=FOREIGN_TRANSPORT_HINT,
        )
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"request timed out ({name}: {detail})")
    if isinstance(exc, httpx.DecodingError):
        # The service answered, but its body cannot be decoded (say a broken gzip stream).
        return UnexpectedResponseError(f"the response body cannot be decoded ({name}: {detail})")
    return APIConnectionError(f"could not reach the service ({name}: {detail})")


def schema_error(
    status: int,
    content: bytes,
    problem: str,
    key: ApiKey | None,
    *,
    task_id: str | None = None,
) -> EvolinkError:
    """The typed error for a 2xx answer whose body breaks the API contract."""
    return UnexpectedResponseError(
        f"response breaks the API contract (HTTP {status}): {problem}",
        status_code=status,
        body_excerpt=body_excerpt(content, key),
        task_id=task_id,
    )


def unreadable_body_error(
    status: int, content: bytes, key: ApiKey | None, headers: httpx.Headers | None
) -> EvolinkError:
    """The typed error for a 2xx answer that is not JSON: says what the body is instead."""
    excerpt, note = _describe_body(content, headers, key)
    return UnexpectedResponseError(
        f"response breaks the API contract (HTTP {status}): {note or 'the body is not JSON'}",
        status_code=status,
        body_excerpt=excerpt,
    )


# ---------------------------------------------------------------------------------------------
# After a creation: the task id travels with every error, and an unknown outcome says so.


def resume_hint(task_id: str) -> str:
    return (
        f"Task {task_id} was created (and charged) and may still finish: do not create it "
        f"again; resume with wait_for_persona({task_id!r}) or `evolink-persona wait {task_id}`"
    )


def attach_task(exc: BaseException, task_id: str, *, created: bool) -> None:
    """Name ``task_id`` in ``exc`` (raised while waiting for that task), once.

    An ``EvolinkError`` about a read (a 503, a timeout) gets ``task_id`` and the task in its
    message, and, when the SDK created the task, the hint to resume rather than create again;
    an error about the task itself (failed, timed out) names it already. Any other exception
    (``asyncio.CancelledError``, ``KeyboardInterrupt``, an error of ``on_progress``) stays
    what it is and gets ``task_id`` and a note.
    """
    if getattr(exc, "task_id", None) is not None:
        return
    if isinstance(exc, EvolinkError):
        exc.task_id = task_id
        exc._amend(f" (while waiting for task {task_id})")
        if created:
            exc.hint = f"{resume_hint(task_id)}. {exc.hint}" if exc.hint else resume_hint(task_id)
        return
    with contextlib.suppress(AttributeError):  # an exception class with __slots__
        exc.task_id = task_id  # type: ignore[attr-defined]
    exc.add_note(resume_hint(task_id) if created else f"while waiting for task {task_id}")


def mark_unconfirmed_creation(error: EvolinkError, *, accepted: bool) -> EvolinkError:
    """``error`` of a persona creation whose outcome the SDK cannot confirm, saying so.

    ``accepted``: the service answered 2xx (the task exists) but the answer is unreadable.
    """
    error.creation_unconfirmed = True
    if accepted:
        task = f" as task {error.task_id}" if error.task_id else ""
        error._amend(f"; the service accepted the creation{task}")
        error.hint = resume_hint(error.task_id) if error.task_id else UNCONFIRMED_CREATION_HINT
    else:
        error._amend("; the creation may have been accepted")
        error.hint = UNCONFIRMED_CREATION_HINT
    return error


def note_interrupted_creation(exc: BaseException) -> None:
    """Say on ``exc`` (a cancellation, an interrupt) that a creation was cut off mid-request."""
    exc.add_note("A persona creation was interrupted mid-request. " + UNCONFIRMED_CREATION_HINT)
