"""What the sync and async clients share: configuration, request shapes, response readers.

The generated client supplies the wire shapes: ``_get_kwargs`` of its ``api`` modules gives the
method and the (quoted) path of each operation, its request models build the JSON body. The
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
from evolink_api.api.audio_generation import create_suno_persona
from evolink_api.api.task_management import get_task_detail

from ._constants import API_KEY_ENV, BASE_URL_ENV, DEFAULT_BASE_URL, DEFAULT_TIMEOUT, USER_AGENT
from ._errors import ConfigurationError, NoSongsError, RequestValidationError
from ._models import Song, Task
from ._retry import RequestAttempts, RetryPolicy
from ._rules import Violation, build_persona_request, check_persona_request
from ._secret import ApiKey

T = TypeVar("T")

TimeoutTypes = float | httpx.Timeout | None


def resolve_api_key(api_key: str | None) -> ApiKey:
    value = api_key if api_key is not None else os.environ.get(API_KEY_ENV)
    if value is None or not value.strip():
        raise ConfigurationError(
            f"no API key: pass api_key=... or set {API_KEY_ENV}",
        )
    return ApiKey(value.strip())


def resolve_base_url(base_url: str | None) -> str:
    value = base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    if not value.startswith(("http://", "https://")):
        raise ConfigurationError(
            f"base URL must start with http:// or https://, got {value!r}",
            hint=f"Fix base_url or {BASE_URL_ENV}",
        )
    return value.rstrip("/")


def resolve_timeout(timeout: TimeoutTypes) -> httpx.Timeout:
    if timeout is None:
        return DEFAULT_TIMEOUT
    if isinstance(timeout, httpx.Timeout):
        return timeout
    return httpx.Timeout(timeout)


class ClientCore:
    """Configuration and request building common to both clients (no I/O here)."""

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
            if max_retries < 0:
                raise ConfigurationError("max_retries must be >= 0", hint="Pass 0 or more")
            policy = RetryPolicy(
                max_retries=max_retries,
                initial_delay=policy.initial_delay,
                max_delay=policy.max_delay,
                jitter=policy.jitter,
                max_retry_after=policy.max_retry_after,
            )
        self.retry_policy = policy
        self.random_fraction = random_fraction
        # Built once: request building is on every call's path (see BENCHMARKS.md).
        self._headers = {
            "Authorization": f"Bearer {self.key.reveal()}",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }

    def headers(self) -> dict[str, str]:
        return dict(self._headers)

    def build(
        self, http: httpx.Client | httpx.AsyncClient, kwargs: dict[str, Any]
    ) -> httpx.Request:
        extra = kwargs.pop("headers", None)
        headers = {**extra, **self._headers} if extra else self._headers
        url = self.base_url + kwargs.pop("url")
        if http.timeout == self.timeout:  # our own client, or a user's with the same timeout
            return http.build_request(headers=headers, url=url, **kwargs)
        return http.build_request(headers=headers, url=url, timeout=self.timeout, **kwargs)

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
            max_retries=self.retry_policy.max_retries if max_retries is None else max_retries,
            parse=parse,
            key=self.key,
        )

    def __repr__(self) -> str:
        return f"base_url={self.base_url!r}, max_retries={self.retry_policy.max_retries}"


def create_request_kwargs(
    *,
    source_task_id: str,
    result_id: str | uuid.UUID,
    name: str,
    description: str,
    vocal_start: float | None,
    vocal_end: float | None,
    style: str | None,
) -> dict[str, Any]:
    """Check the rules (raising RequestValidationError) and give the POST's pieces."""
    params: dict[str, Any] = {
        "source_task_id": source_task_id,
        "result_id": result_id,
        "name": name,
        "description": description,
        "vocal_start": vocal_start,
        "vocal_end": vocal_end,
        "style": style,
    }
    check_persona_request(**params)
    kwargs = create_suno_persona._get_kwargs(body=build_persona_request(**params))
    kwargs["method"] = kwargs["method"].upper()
    return kwargs


def task_request_kwargs(task_id: str) -> dict[str, Any]:
    if not isinstance(task_id, str) or not task_id.strip():
        raise RequestValidationError([Violation("task_id", "must be a non-empty string")])
    kwargs = get_task_detail._get_kwargs(task_id)
    kwargs["method"] = kwargs["method"].upper()
    return kwargs


def songs_of(task: Task) -> tuple[Song, ...]:
    if not task.songs:
        raise NoSongsError(task_id=task.id, status=task.status, model=task.model)
    return task.songs
