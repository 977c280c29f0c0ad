"""What the sync and async clients share: configuration, request shapes, response readers.

The generated client supplies the wire shapes: ``_get_kwargs`` of its ``api`` modules gives the
method and the (quoted) path of each operation; the JSON body is built directly and held equal
to the generated request model's by a property test (see ``_rules.persona_body``). The
SDK does not hold a generated ``AuthenticatedClient``: that attrs class shows its token in
its repr, has no timeout, and its parsers raise on new enum values; the SDK sends through its
own httpx client so that timeouts, retries, redaction and error mapping live in one place.
"""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import httpx
from attrs import frozen
from evolink_api.api.audio_generation import create_audio_generation
from evolink_api.api.task_management import get_task_detail

from ._constants import API_KEY_ENV, BASE_URL_ENV, DEFAULT_BASE_URL, DEFAULT_TIMEOUT, USER_AGENT
from ._errors import ConfigurationError, NoSongsError, RequestValidationError
from ._models import Song, Task
from ._retry import RequestAttempts, RetryPolicy
from ._rules import (
    Violation,
    build_persona_request,
    persona_body,
    validate_persona_request,
)
from ._secret import ApiKey

T = TypeVar("T")

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


def _spec_route(kwargs: dict[str, Any]) -> tuple[str, str]:
    """(METHOD, path) of an operation, as the generated client's ``_get_kwargs`` gives them."""
    return str(kwargs["method"]).upper(), str(kwargs["url"])


# The creation's method and path never vary: read them from the generated client once, with a
# placeholder body, so they still follow the spec and regeneration.
CREATE_METHOD, CREATE_PATH = _spec_route(
    create_audio_generation._get_kwargs(
        body=build_persona_request(
            source_task_id="-", result_id=uuid.UUID(int=0), name="-", description="-"
        )
    )
)


@frozen
class ApiRequest:
    """One operation's request, ready to send (and to send again on a retry)."""

    method: str
    url: httpx.URL
    json: dict[str, Any] | None = None


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
        self._headers = httpx.Headers(
            {
                "Authorization": f"Bearer {self.key.reveal()}",
                "Accept": "application/json",
                "User-Agent": USER_AGENT,
            }
        )
        self._create_url = self._url(CREATE_PATH)
        self._last_task: tuple[str, ApiRequest] | None = None

    def _url(self, path: str) -> httpx.URL:
        try:
            return httpx.URL(self.base_url + path)
        except httpx.InvalidURL as exc:
            raise ConfigurationError(
                f"base URL {self.base_url!r} does not make a valid URL: {exc}",
                hint=f"Fix base_url or {BASE_URL_ENV}",
            ) from None

    def create_request(
        self,
        *,
        source_task_id: str,
        result_id: str | uuid.UUID,
        name: str,
        description: str,
        vocal_start: float | None,
        vocal_end: float | None,
        style: str | None,
    ) -> ApiRequest:
        """Check the rules (raising RequestValidationError) and give the POST to send."""
        violations = validate_persona_request(
            source_task_id=source_task_id,
            result_id=result_id,
            name=name,
            description=description,
            vocal_start=vocal_start,
            vocal_end=vocal_end,
            style=style,
        )
        if violations:
            raise RequestValidationError(violations)
        body = persona_body(
            source_task_id=source_task_id,
            result_id=result_id,
            name=name,
            description=description,
            vocal_start=vocal_start,
            vocal_end=vocal_end,
            style=style,
        )
        return ApiRequest(CREATE_METHOD, self._create_url, body)

    def task_request(self, task_id: str) -> ApiRequest:
        """The GET of one task; the last one is kept, since polling reads the same task."""
        last = self._last_task
        if last is not None and last[0] == task_id:
            return last[1]
        if not isinstance(task_id, str) or not task_id.strip():
            raise RequestValidationError([Violation("task_id", "must be a non-empty string")])
        try:
            method, path = _spec_route(get_task_detail._get_kwargs(task_id))
        except UnicodeEncodeError:  # a lone surrogate: no URL can carry it
            raise RequestValidationError(
                [Violation("task_id", "must be valid Unicode text (it has a lone surrogate)")]
            ) from None
        request = ApiRequest(method, self._url(path))
        self._last_task = (task_id, request)
        return request

    def build(self, http: httpx.Client | httpx.AsyncClient, request: ApiRequest) -> httpx.Request:
        if http.timeout == self.timeout:  # our own client, or a user's with the same timeout
            return http.build_request(
                request.method, request.url, json=request.json, headers=self._headers
            )
        return http.build_request(
            request.method,
            request.url,
            json=request.json,
            headers=self._headers,
            timeout=self.timeout,
        )

    def attempts(
        self,
        operation: str,
        *,
        idempotent: bool,
        max_retries: int | None,
        parse: Callable[[Any], T],
    ) -> RequestAttempts[T]:
        return RequestAttempts(
            random_fraction=self.random_fraction or random.random,
            operation=operation,
            idempotent=idempotent,
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


def songs_of(task: Task) -> tuple[Song, ...]:
    if not task.songs:
        raise NoSongsError(task_id=task.id, status=task.status, model=task.model)
    return task.songs
