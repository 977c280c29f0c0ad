"""What the sync and async clients share: configuration, operations, request building.

The generated client supplies the wire shapes: each operation's method and path come from its
generated ``api`` module (``METHOD``, ``PATH``, ``request_kwargs``), the persona body from the
generated request model (``PersonaRequest.body``), and every response is read as a view over
the generated models (``_models``). The SDK sends through its own httpx client rather than a
generated ``AuthenticatedClient`` so that timeouts, retries, key masking and error mapping
live in one place, around whatever operation is sent.
"""

from __future__ import annotations

import ipaddress
import os
import random
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import httpx
from attrs import frozen
from evolink_api.api.audio_generation import create_audio_generation
from evolink_api.api.task_management import get_task_detail

from ._constants import API_KEY_ENV, BASE_URL_ENV, DEFAULT_BASE_URL, DEFAULT_TIMEOUT, USER_AGENT
from ._errors import ConfigurationError, NoSongsError, RequestValidationError
from ._models import Song, Task
from ._music import MusicRequest
from ._retry import RequestAttempts, RetryPolicy
from ._rules import PersonaRequest, Violation, merge_extra
from ._secret import ApiKey

T = TypeVar("T")

# What the SDK sends with every request besides the key (a call's extra_headers override them).
_OWN_HEADERS: Mapping[str, str] = {"Accept": "application/json", "User-Agent": USER_AGENT}

TimeoutTypes = float | httpx.Timeout | None


def _is_retry_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_real(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def resolve_api_key(api_key: str | None) -> ApiKey:
    value = api_key if api_key is not None else os.environ.get(API_KEY_ENV)
    if value is None or not isinstance(value, str) or not value.strip():
        raise ConfigurationError("no API key was given")
    value = value.strip()
    # It goes into an HTTP header: a non-ASCII character (a pasted ellipsis) would fail in
    # httpx's header encoding, a control character in the HTTP layer, whose message may quote
    # the header. Checked here, and the message never quotes the key.
    if not all("!" <= char <= "~" for char in value):
        raise ConfigurationError(
            "the API key has characters an API key cannot have (spaces, control or non-ASCII "
            "characters)",
            hint=f"Copy the key again into {API_KEY_ENV} (or api_key=...), without extra text",
        )
    return ApiKey(value)


def resolve_base_url(base_url: str | None) -> str:
    value = base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    hint = f"Fix base_url or {BASE_URL_ENV}, e.g. {DEFAULT_BASE_URL}"
    if not isinstance(value, str):
        raise ConfigurationError(f"base URL must be a string, got {type(value).__name__}")
    try:
        url = httpx.URL(value)
    except httpx.InvalidURL as exc:
        raise ConfigurationError(
            f"base URL {value!r} is not a valid URL: {exc}", hint=hint
        ) from None
    if url.scheme not in ("http", "https") or not url.host or url.query or url.fragment:
        raise ConfigurationError(
            f"base URL must be http:// or https:// with a host, and no query or fragment; "
            f"got {value!r}",
            hint=hint,
        )
    return value.rstrip("/")


def resolve_timeout(timeout: TimeoutTypes) -> httpx.Timeout:
    if timeout is None:
        return DEFAULT_TIMEOUT
    if isinstance(timeout, httpx.Timeout):
        return timeout
    if not _is_real(timeout) or not timeout > 0:  # also refuses NaN
        raise ConfigurationError(
            f"timeout must be a number of seconds > 0 or an httpx.Timeout, got {timeout!r}",
            hint="Pass timeout=30.0, or None for the default",
        )
    return httpx.Timeout(timeout)


def check_max_retries(max_retries: object) -> int:
    """A per-call ``max_retries``, or RequestValidationError (nothing is sent)."""
    if not isinstance(max_retries, int) or not _is_retry_count(max_retries):
        raise RequestValidationError(
            [Violation("max_retries", f"must be an int >= 0, got {max_retries!r}")]
        )
    return max_retries


@frozen
class Operation:
    """One API operation as the transport sees it: its name, its route, whether it may repeat.

    ``idempotent`` decides the retry policy (``_retry``): an operation that charges (a
    creation) is retried only where the request surely did not take effect.
    """

    name: str
    method: str
    path: str
    idempotent: bool


CREATE_PERSONA = Operation(
    "create_persona", create_audio_generation.METHOD, create_audio_generation.PATH, idempotent=False
)
# Music generation shares the route (the body's ``model`` tells them apart) and the policy.
GENERATE_MUSIC = Operation(
    "generate_music", create_audio_generation.METHOD, create_audio_generation.PATH, idempotent=False
)
GET_TASK = Operation("get_task", get_task_detail.METHOD, get_task_detail.PATH, idempotent=True)


@frozen
class ApiRequest:
    """One operation's request, ready to send (and to send again on a retry)."""

    operation: Operation
    url: httpx.URL
    json: dict[str, Any] | None = None
    headers: httpx.Headers | None = None

    @property
    def method(self) -> str:
        return self.operation.method


class ClientCore:
    """Configuration and request building common to both clients (no I/O here).

    Everything a call would otherwise redo is built once here: the headers, the creation's
    URL, and the last task URL read (polling reads one task again and again). Parsing a URL in
    httpx costs about as much as the rest of building a request (BENCHMARKS.md, benchmark 2).
    """

    def __init__(
        self,
        api_key: str | None,
        base_url: str | None,
        timeout: TimeoutTypes,
        max_retries: int | None,
        retry_policy: RetryPolicy | None,
        random_fraction: Callable[[], float] | None,
    ) -> None:
        self.key = resolve_api_key(api_key)
        self.base_url = resolve_base_url(base_url)
        self.timeout = resolve_timeout(timeout)
        policy = retry_policy or RetryPolicy()
        if max_retries is not None:
            if not _is_retry_count(max_retries):
                raise ConfigurationError(
                    f"max_retries must be an int >= 0, got {max_retries!r}",
                    hint="Pass 0 or more",
                )
            policy = RetryPolicy(
                max_retries=max_retries,
                initial_delay=policy.initial_delay,
                max_delay=policy.max_delay,
                jitter=policy.jitter,
                max_retry_after=policy.max_retry_after,
            )
        self.retry_policy = policy
        self.random_fraction = random_fraction
        # An httpx.Headers is merged into the client's headers without re-encoding each one.
        # No Content-Type: httpx sets it for a JSON body.
        self._auth = httpx.Headers({"Authorization": f"Bearer {self.key.reveal()}"})
        self._headers = httpx.Headers(
            {"Authorization": f"Bearer {self.key.reveal()}", **_OWN_HEADERS}
        )
        self._create_url = self._url(CREATE_PERSONA.path)
        # Whether the service is on this machine (a local mock): fixed with the base URL.
        self.on_loopback = service_on_loopback(self.base_url)
        self._last_task: tuple[str, ApiRequest] | None = None

    def _url(self, path: str) -> httpx.URL:
        try:
            return httpx.URL(self.base_url + path)
        except httpx.InvalidURL as exc:
            raise ConfigurationError(
                f"base URL {self.base_url!r} does not make a valid URL: {exc}",
                hint=f"Fix base_url or {BASE_URL_ENV}",
            ) from None

    def extra_headers(self, extra: Mapping[str, str] | None) -> httpx.Headers | None:
        """The headers of one call with ``extra`` on top (None: the client's own, unchanged)."""
        if not extra:
            return None
        headers = self._headers.copy()
        try:
            headers.update(extra)
        except (TypeError, UnicodeEncodeError, AttributeError) as exc:
            raise RequestValidationError(
                [Violation("extra_headers", f"must map header names to ASCII strings ({exc})")]
            ) from None
        return headers

    def create_request(
        self,
        persona: PersonaRequest,
        *,
        extra_body: Mapping[str, Any] | None,
        extra_headers: Mapping[str, str] | None,
    ) -> ApiRequest:
        """Check the rules (raising RequestValidationError) and give the POST to send."""
        _check_extra_body(extra_body)
        body = persona.check().body(extra_body)
        return ApiRequest(CREATE_PERSONA, self._create_url, body, self.extra_headers(extra_headers))

    def music_request(
        self,
        music: MusicRequest,
        *,
        extra_body: Mapping[str, Any] | None,
        extra_headers: Mapping[str, str] | None,
    ) -> ApiRequest:
        """Check the music rules (every violation at once) and give the POST to send.

        A callback to loopback is allowed only when the service itself is on loopback (a
        local mock), as the vendor refuses internal callback addresses.
        """
        _check_extra_body(extra_body)
        violations = music.violations(service_on_loopback=self.on_loopback)
        if violations:
            raise RequestValidationError(violations)
        body = music.body()
        if extra_body:
            body = merge_extra(body, extra_body)
        return ApiRequest(GENERATE_MUSIC, self._create_url, body, self.extra_headers(extra_headers))

    def task_request(
        self, task_id: str, *, extra_headers: Mapping[str, str] | None = None
    ) -> ApiRequest:
        """The GET of one task; the last one is kept, since polling reads the same task."""
        if extra_headers:
            request = self._task_request(task_id)
            return ApiRequest(
                request.operation, request.url, None, self.extra_headers(extra_headers)
            )
        return self._task_request(task_id)

    def _task_request(self, task_id: str) -> ApiRequest:
        last = self._last_task
        if last is not None and last[0] == task_id:
            return last[1]
        if not isinstance(task_id, str) or not task_id.strip():
            raise RequestValidationError([Violation("task_id", "must be a non-empty string")])
        try:
            path = get_task_detail.request_kwargs(task_id)["url"]
        except UnicodeEncodeError:  # a lone surrogate: no URL can carry it
            raise RequestValidationError(
                [Violation("task_id", "must be valid Unicode text (it has a lone surrogate)")]
            ) from None
        request = ApiRequest(GET_TASK, self._url(path))
        self._last_task = (task_id, request)
        return request

    def build(self, http: httpx.Client | httpx.AsyncClient, request: ApiRequest) -> httpx.Request:
        """The httpx request: the client's headers, then the SDK's, then the call's extras.

        Without extras, httpx merges only the key's header into the client's (as for any
        request with one header of its own); the SDK's ``Accept`` and ``User-Agent`` are then
        set on the built request. Merging them too would make httpx search out and remove the
        client's defaults of the same names on every call.
        """
        extra = request.headers
        headers = self._auth if extra is None else extra
        if http.timeout == self.timeout:  # our own client, or a user's with the same timeout
            built = http.build_request(
                request.operation.method, request.url, json=request.json, headers=headers
            )
        else:
            built = http.build_request(
                request.operation.method,
                request.url,
                json=request.json,
                headers=headers,
                timeout=self.timeout,
            )
        if extra is None:
            for name, value in _OWN_HEADERS.items():
                built.headers[name] = value
        return built

    def attempts(
        self,
        operation: Operation,
        *,
        max_retries: int | None,
        parse: Callable[[Any], T],
    ) -> RequestAttempts[T]:
        return RequestAttempts(
            random_fraction=self.random_fraction or random.random,
            operation=operation.name,
            idempotent=operation.idempotent,
            policy=self.retry_policy,
            max_retries=(
                self.retry_policy.max_retries
                if max_retries is None
                else check_max_retries(max_retries)
            ),
            parse=parse,
            key=self.key,
        )

    def __repr__(self) -> str:
        return f"base_url={self.base_url!r}, max_retries={self.retry_policy.max_retries}"


def _check_extra_body(extra_body: object) -> None:
    if extra_body is not None and not isinstance(extra_body, Mapping):
        raise RequestValidationError(
            [Violation("extra_body", f"must be a mapping, got {type(extra_body).__name__}")]
        )


def service_on_loopback(base_url: str) -> bool:
    """Is the service on this machine (a local mock)? Then it can call back to loopback."""
    host = httpx.URL(base_url).host
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def songs_of(task: Task[Any]) -> tuple[Song, ...]:
    if not task.songs:
        raise NoSongsError(task_id=task.id, status=task.status, model=task.model)
    return task.songs
