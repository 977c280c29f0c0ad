"""``PersonaClient``: the synchronous client users import."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from ._base import ApiRequest, ClientCore, TimeoutTypes, songs_of
from ._constants import DEFAULT_POOL_LIMITS
from ._errors import attach_task
from ._models import Persona, Song, Task, parse_task
from ._music_client import MusicMethods
from ._polling import PersonaWait, PollPolicy, ProgressCallback, check_wait_timeout
from ._retry import Done, Fail, Retry, RetryPolicy

T = TypeVar("T")


class PersonaClient(MusicMethods):
    """Creates Suno personas and reads tasks, with retries, timeouts and typed errors.

    ``api_key`` falls back to ``EVOLINK_API_KEY`` and ``base_url`` to ``EVOLINK_BASE_URL``,
    then to https://api.evolink.ai. Pass ``http_client`` to use your own ``httpx.Client``
    (proxies, a mock transport); the SDK then never closes it. ``sleep`` and ``clock`` are
    there for tests and schedulers: nothing else in the SDK reads the time.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: TimeoutTypes = None,
        max_retries: int | None = None,
        http_client: httpx.Client | None = None,
        retry_policy: RetryPolicy | None = None,
        poll_policy: PollPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        random_fraction: Callable[[], float] | None = None,
    ) -> None:
        self._core = ClientCore(
            api_key, base_url, timeout, max_retries, retry_policy, random_fraction
        )
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(
            timeout=self._core.timeout, limits=DEFAULT_POOL_LIMITS
        )
        self.poll_policy = poll_policy or PollPolicy()
        self._sleep = sleep
        self._clock = clock

    @property
    def base_url(self) -> str:
        return self._core.base_url

    def __repr__(self) -> str:
        return f"PersonaClient({self._core!r})"

    # -- lifecycle ------------------------------------------------------------------------------
    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- transport ------------------------------------------------------------------------------
    def _call(
        self,
        operation: str,
        api_request: ApiRequest,
        *,
        idempotent: bool,
        max_retries: int | None,
        parse: Callable[[Any], T],
    ) -> T:
        attempts = self._core.attempts(
            operation, idempotent=idempotent, max_retries=max_retries, parse=parse
        )
        while True:
            request = self._core.build(self._http, api_request)
            decision: Done[T] | Retry | Fail
            try:
                response = self._http.send(request)
                response.read()
            except httpx.HTTPError as exc:
                decision = attempts.on_exception(exc)
            except BaseException as exc:  # cancelled or interrupted in flight
                attempts.on_interrupt(exc)
                raise
            else:
                decision = attempts.on_response(response)
            if isinstance(decision, Done):
                return decision.value
            if isinstance(decision, Retry):
                self._sleep(decision.delay)
                continue
            raise decision.error from None

    # -- operations -----------------------------------------------------------------------------
    def create_persona(
        self,
        *,
        source_task_id: str,
        result_id: str | uuid.UUID,
        name: str,
        description: str,
        vocal_start: float | None = None,
        vocal_end: float | None = None,
        style: str | None = None,
        max_retries: int | None = None,
    ) -> Task:
        """Submit a persona creation; returns the submitted task (id, status, estimate, credits).

        Raises ``RequestValidationError`` listing every broken rule before anything is sent.
        Retried only where the request surely did not take effect (see docs/sdk.md).
        """
        request = self._core.create_request(
            source_task_id=source_task_id,
            result_id=result_id,
            name=name,
            description=description,
            vocal_start=vocal_start,
            vocal_end=vocal_end,
            style=style,
        )
        return self._call(
            "create_persona", request, idempotent=False, max_retries=max_retries, parse=parse_task
        )

    def get_task(self, task_id: str, *, max_retries: int | None = None) -> Task:
        """Read a task: status, progress, and its persona_id, songs or error once it ended."""
        return self._call(
            "get_task",
            self._core.task_request(task_id),
            idempotent=True,
            max_retries=max_retries,
            parse=parse_task,
        )

    def list_songs(self, task_id: str, *, max_retries: int | None = None) -> tuple[Song, ...]:
        """The songs of a finished music task, each with the ``result_id`` a persona needs."""
        return songs_of(self.get_task(task_id, max_retries=max_retries))

    def wait_for_persona(
        self,
        task_id: str,
        *,
        timeout: float | None = None,
        on_progress: ProgressCallback | None = None,
        estimated_time: float | None = None,
    ) -> Persona:
        """Poll the persona task until it ends; the persona, or TaskFailed/WaitTimeout."""
        wait = PersonaWait(
            task_id,
            policy=self.poll_policy,
            timeout=timeout,
            started=self._clock(),
            estimated_time=estimated_time,
        )
        try:
            return self._wait(wait, first=None, on_progress=on_progress)
        except BaseException as exc:
            attach_task(exc, task_id, created=False)
            raise

    def _wait(
        self, wait: PersonaWait, *, first: Task | None, on_progress: ProgressCallback | None
    ) -> Persona:
        task = first
        while True:
            if task is None:
                task = self.get_task(wait.task_id)
            if on_progress is not None:
                on_progress(task)
            persona = wait.observe(task)
            if persona is not None:
                return persona
            self._sleep(wait.next_sleep(self._clock()))
            task = None

    def create_persona_and_wait(
        self,
        *,
        source_task_id: str,
        result_id: str | uuid.UUID,
        name: str,
        description: str,
        vocal_start: float | None = None,
        vocal_end: float | None = None,
        style: str | None = None,
        timeout: float | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> Persona:
        """``create_persona`` then ``wait_for_persona``; ``timeout`` bounds the waiting.

        Any error (or cancellation) after the creation was accepted carries ``task_id``.
        """
        check_wait_timeout(timeout)  # before anything is sent, so nothing is charged for it
        submitted = self.create_persona(
            source_task_id=source_task_id,
            result_id=result_id,
            name=name,
            description=description,
            vocal_start=vocal_start,
            vocal_end=vocal_end,
            style=style,
        )
        try:
            wait = PersonaWait(
                submitted.id,
                policy=self.poll_policy,
                timeout=timeout,
                started=self._clock(),
                estimated_time=submitted.estimated_time,
            )
            return self._wait(wait, first=submitted, on_progress=on_progress)
        except BaseException as exc:
            attach_task(exc, submitted.id, created=True)
            raise
