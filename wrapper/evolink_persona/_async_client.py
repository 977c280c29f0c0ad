"""``AsyncPersonaClient``: the asyncio twin of ``PersonaClient``, same arguments, same policy."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from ._base import ApiRequest, ClientCore, TimeoutTypes, songs_of
from ._constants import DEFAULT_POOL_LIMITS
from ._errors import attach_task
from ._models import Persona, Song, Task, parse_task
from ._music_client import AsyncMusicMethods
from ._polling import PersonaWait, PollPolicy, ProgressCallback, check_wait_timeout
from ._retry import Done, Fail, Retry, RetryPolicy

T = TypeVar("T")


class AsyncPersonaClient(AsyncMusicMethods):
    """Asyncio client: every operation of ``PersonaClient``, awaited.

    ``api_key`` falls back to ``EVOLINK_API_KEY`` and ``base_url`` to ``EVOLINK_BASE_URL``,
    then to https://api.evolink.ai. Pass ``http_client`` to use your own ``httpx.AsyncClient``
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
        http_client: httpx.AsyncClient | None = None,
        retry_policy: RetryPolicy | None = None,
        poll_policy: PollPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        random_fraction: Callable[[], float] | None = None,
    ) -> None:
        self._core = ClientCore(
            api_key, base_url, timeout, max_retries, retry_policy, random_fraction
        )
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(
            timeout=self._core.timeout, limits=DEFAULT_POOL_LIMITS
        )
        self.poll_policy = poll_policy or PollPolicy()
        self._sleep = sleep
        self._clock = clock

    @property
    def base_url(self) -> str:
        return self._core.base_url

    def __repr__(self) -> str:
        return f"AsyncPersonaClient({self._core!r})"

    # -- lifecycle ------------------------------------------------------------------------------
    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- transport ------------------------------------------------------------------------------
    async def _call(
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
                response = await self._http.send(request)
                await response.aread()
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
                await self._sleep(decision.delay)
                continue
            raise decision.error from None

    # -- operations -----------------------------------------------------------------------------
    async def create_persona(
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
        return await self._call(
            "create_persona", request, idempotent=False, max_retries=max_retries, parse=parse_task
        )

    async def get_task(self, task_id: str, *, max_retries: int | None = None) -> Task:
        """Read a task: status, progress, and its persona_id, songs or error once it ended."""
        return await self._call(
            "get_task",
            self._core.task_request(task_id),
            idempotent=True,
            max_retries=max_retries,
            parse=parse_task,
        )

    async def list_songs(self, task_id: str, *, max_retries: int | None = None) -> tuple[Song, ...]:
        """The songs of a finished music task, each with the ``result_id`` a persona needs."""
        return songs_of(await self.get_task(task_id, max_retries=max_retries))

    async def wait_for_persona(
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
            return await self._wait(wait, first=None, on_progress=on_progress)
        except BaseException as exc:
            attach_task(exc, task_id, created=False)
            raise

    async def _wait(
        self, wait: PersonaWait, *, first: Task | None, on_progress: ProgressCallback | None
    ) -> Persona:
        task = first
        while True:
            if task is None:
                task = await self.get_task(wait.task_id)
            if on_progress is not None:
                on_progress(task)
            persona = wait.observe(task)
            if persona is not None:
                return persona
            await self._sleep(wait.next_sleep(self._clock()))
            task = None

    async def create_persona_and_wait(
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
        submitted = await self.create_persona(
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
            return await self._wait(wait, first=submitted, on_progress=on_progress)
        except BaseException as exc:
            attach_task(exc, submitted.id, created=True)
            raise
