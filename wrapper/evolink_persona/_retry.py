"""The transport policy, written once for the sync and async clients: what is retried, when.

``RequestAttempts`` is a small state machine without I/O: the clients send, hand it the
response or the exception, and it answers "done", "sleep this long and send again", or
"raise this error". The sync and async clients differ only in how they send and sleep.

What is retried (see docs/sdk.md for the reasoning):
- reading a task (GET, idempotent): every transient failure: connection and timeout errors,
  408, 429, 500, 502, 503, 504;
- creating a persona (POST, charges credits, one persona per song): only where the request
  surely did not take effect: 429 (refused before any work) and failures to open a connection
  (connect error, connect timeout, pool timeout: nothing was sent).
"""

from __future__ import annotations

import email.utils
import logging
import random
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import httpx
from attrs import frozen

from ._constants import (
    DEFAULT_MAX_RETRIES,
    INITIAL_RETRY_DELAY,
    MAX_RETRY_AFTER,
    MAX_RETRY_DELAY,
    RETRY_JITTER,
)
from ._errors import (
    EvolinkError,
    decode_json,
    error_from_response,
    error_from_transport,
    mark_unconfirmed_creation,
    note_interrupted_creation,
    schema_error,
    unreadable_body_error,
)
from ._models import SchemaError
from ._secret import ApiKey

logger = logging.getLogger("evolink_persona")

T = TypeVar("T")

RETRYABLE_READ_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
RETRYABLE_CREATE_STATUSES = frozenset({429})
# Exceptions raised before a single byte of the request left this machine.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Exceptions after which a sent request may have taken effect: no answer, or an unreadable one.
_MAYBE_DONE = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
    httpx.DecodingError,
)


@frozen
class RetryPolicy:
    """Backoff numbers; ``max_retries`` counts retries after the first attempt."""

    max_retries: int = DEFAULT_MAX_RETRIES
    initial_delay: float = INITIAL_RETRY_DELAY
    max_delay: float = MAX_RETRY_DELAY
    jitter: float = RETRY_JITTER
    max_retry_after: float = MAX_RETRY_AFTER

    def backoff(self, retry_number: int, random_fraction: float) -> float:
        """Delay before retry ``retry_number`` (0-based): exponential, capped, jittered down."""
        base = min(self.max_delay, self.initial_delay * (2.0**retry_number))
        return base * (1.0 - self.jitter * random_fraction)


def parse_retry_after(headers: httpx.Headers, *, now: datetime | None = None) -> float | None:
    """Seconds the server asked to wait: ``retry-after-ms``, else ``Retry-After`` as seconds
    or as an HTTP date. None when absent or unreadable; never negative."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            value = float(millis) / 1000.0
        except ValueError:
            value = -1.0
        if value >= 0 and value == value and value != float("inf"):
            return value
    text = headers.get("retry-after")
    if text is None:
        return None
    text = text.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        if seconds != seconds or seconds in (float("inf"), float("-inf")):
            return None
        return max(0.0, seconds)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now if now is not None else datetime.now(UTC)
    return max(0.0, (when - current).total_seconds())


@frozen
class Done(Generic[T]):
    value: T


@frozen
class Retry:
    delay: float


@frozen
class Fail:
    error: EvolinkError
    #: Raised as the error's ``__cause__``: an exception of the transport's own, which the
    #: error only names (httpx's own errors are read in full and not chained).
    cause: BaseException | None = None


class RequestAttempts(Generic[T]):
    """Decides, attempt after attempt, how one logical call proceeds."""

    __slots__ = (
        "idempotent",
        "key",
        "max_retries",
        "operation",
        "parse",
        "policy",
        "random_fraction",
        "retries_done",
        "wall_clock",
    )

    def __init__(
        self,
        *,
        operation: str,
        idempotent: bool,
        policy: RetryPolicy,
        max_retries: int,
        parse: Callable[[Any], T],
        key: ApiKey,
        random_fraction: Callable[[], float] = random.random,
        wall_clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.operation = operation
        self.idempotent = idempotent
        self.policy = policy
        self.max_retries = max_retries
        self.parse = parse
        self.key = key
        self.random_fraction = random_fraction
        self.wall_clock = wall_clock
        self.retries_done = 0

    def _retry_or_fail(
        self, error: EvolinkError, retryable: bool, retry_after: float | None
    ) -> Retry | Fail:
        if not retryable or self.retries_done >= self.max_retries:
            return Fail(error)
        if retry_after is not None:
            if retry_after > self.policy.max_retry_after:
                # Waiting that long inside a call would look like a hang: let the caller decide.
                logger.debug(
                    "%s: server asked to wait %.1fs, over the %.1fs cap; not retrying",
                    self.operation,
                    retry_after,
                    self.policy.max_retry_after,
                )
                return Fail(error)
            delay = retry_after
        else:
            delay = self.policy.backoff(self.retries_done, self.random_fraction())
        self.retries_done += 1
        logger.debug(
            "%s: %s; retry %d/%d in %.2fs",
            self.operation,
            type(error).__name__,
            self.retries_done,
            self.max_retries,
            delay,
        )
        return Retry(delay)

    def on_exception(self, exc: Exception) -> Done[T] | Retry | Fail:
        """A send or read that raised instead of answering.

        httpx's errors say whether the request left. Any other exception (a custom
        transport's ``OSError``, a bug in an event hook) says nothing of the kind: a read
        retries it only when it is an ``OSError`` (a socket's failure may pass; a bug will
        not), a creation never, and the creation is then unconfirmed. An
        ``httpx.HTTPStatusError`` (a response hook's ``raise_for_status()``) carries the
        service's answer, and is judged as one.
        """
        if isinstance(exc, httpx.HTTPStatusError):
            return self._answered_through_a_hook(exc)
        error = error_from_transport(exc, self.key)
        if isinstance(exc, httpx.HTTPError):
            # Not a TransportError (an invalid URL, say): trying again changes nothing.
            retryable = isinstance(exc, httpx.TransportError) and (
                self.idempotent or isinstance(exc, _NOT_SENT)
            )
            maybe_done = isinstance(exc, _MAYBE_DONE) and not isinstance(exc, _NOT_SENT)
            cause = None
        else:
            retryable = self.idempotent and isinstance(exc, OSError)
            maybe_done = True
            cause = exc
        decision = self._retry_or_fail(error, retryable, None)
        if isinstance(decision, Retry):
            return decision
        if not self.idempotent and maybe_done:
            mark_unconfirmed_creation(error, accepted=False)  # e.g. a read timeout after sending
        return Fail(error, cause)

    def _answered_through_a_hook(self, exc: httpx.HTTPStatusError) -> Done[T] | Retry | Fail:
        """A response hook of the caller's ``http_client`` called ``raise_for_status()``.

        The service did answer, with that status and those headers, but httpx closed the
        body unread: the answer is judged as any other from its status and headers (retried,
        refused, a creation left unconfirmed), and the error says why it quotes no body.
        """
        answered = httpx.Response(
            exc.response.status_code, headers=exc.response.headers, request=exc.request
        )
        decision = self.on_response(answered)
        if isinstance(decision, Fail):
            decision.error._amend(
                " (a response hook of the http_client raised HTTPStatusError, so the body "
                "went unread)"
            )
        return decision

    def on_interrupt(self, exc: BaseException) -> None:
        """A cancellation or an interrupt while a request was in flight (then re-raised)."""
        if not self.idempotent:
            note_interrupted_creation(exc)

    def on_response(self, response: httpx.Response) -> Done[T] | Retry | Fail:
        status = response.status_code
        logger.debug("%s: HTTP %d", self.operation, status)
        # Masked before anything reads the body: a service echoing the key cannot put it in
        # a Task, an error message or an excerpt.
        content = self.key.scrub(response.content)
        if 200 <= status < 300:
            parsed = self._parse(status, content, response.headers)
            if isinstance(parsed, Fail) and not self.idempotent:
                mark_unconfirmed_creation(parsed.error, accepted=True)
            return parsed
        retry_after = None
        if status in (429, 503):
            now = self.wall_clock() if self.wall_clock is not None else None
            retry_after = parse_retry_after(response.headers, now=now)
        error = error_from_response(
            status,
            content,
            key=self.key,
            headers=response.headers,
            retry_after=retry_after,
            creating_persona=not self.idempotent,
            retried=self.retries_done > 0,
        )
        allowed = RETRYABLE_READ_STATUSES if self.idempotent else RETRYABLE_CREATE_STATUSES
        decision = self._retry_or_fail(error, status in allowed, retry_after)
        if isinstance(decision, Fail) and not self.idempotent and status >= 500:
            mark_unconfirmed_creation(error, accepted=False)  # it may have failed after the effect
        return decision

    def _parse(self, status: int, content: bytes, headers: httpx.Headers) -> Done[T] | Fail:
        """Any 2xx carrying a task is one (a 201 or 202 from a gateway as well as a 200)."""
        try:
            payload = decode_json(content)
        except ValueError:
            return Fail(unreadable_body_error(status, content, self.key, headers))
        try:
            return Done(self.parse(payload))
        except SchemaError as exc:
            # A creation's task exists once the service answered 2xx: keep its id if readable.
            task_id = payload.get("id") if isinstance(payload, dict) else None
            if self.idempotent or not isinstance(task_id, str) or not task_id:
                task_id = None
            return Fail(
                schema_error(
                    status,
                    content,
                    str(exc),
                    self.key,
                    task_id=task_id,
                )
            )
