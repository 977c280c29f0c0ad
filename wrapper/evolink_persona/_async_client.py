"""``AsyncPersonaClient``: the asyncio client; ``PersonaClient`` (``_client.py``) is made from it.

``scripts/unasync.py`` writes ``_client.py`` from this file (``scripts/regenerate``; the drift
check fails when they differ), so the two clients cannot drift: same arguments, same policy.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx
from evolink_api.models.audio_generation_response import AudioGenerationResponse
from evolink_api.models.task_detail_response import TaskDetailResponse

from ._base import ApiRequest, ClientCore, TimeoutTypes, songs_of
from ._constants import DEFAULT_POOL_LIMITS
from ._errors import attach_task
from ._models import Persona, Song, Task, parse_submitted_task, parse_task
from ._music import DEFAULT_MUSIC_MODEL, MusicRequest
from ._polling import PersonaWait, PollPolicy, ProgressCallback, check_wait_timeout
from ._retry import Done, Fail, Retry, RetryPolicy
from ._rules import PersonaRequest
from ._tls import shared_tls

T = TypeVar("T")
R = TypeVar("R")


class AsyncPersonaClient:
    """Suno personas, music and task reads, with retries, timeouts and typed errors (asyncio).

    ``api_key`` falls back to ``EVOLINK_API_KEY`` and ``base_url`` to ``EVOLINK_BASE_URL``,
    then to https://api.evolink.ai. Pass ``http_client`` to use your own ``httpx.AsyncClient``
    (proxies, a mock transport); the SDK then never closes it. ``sleep`` and ``clock`` are
    there for tests and schedulers: nothing else in the SDK reads the time.

    Every operation takes ``extra_headers`` (sent with its requests, over the SDK's own) and
    the creations take ``extra_body`` (merged into the JSON body, objects key by key): a field
    the vendor adds can be sent before the spec here has it.
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
            timeout=self._core.timeout, limits=DEFAULT_POOL_LIMITS, verify=shared_tls()
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
        api_request: ApiRequest,
        *,
        max_retries: int | None,
        parse: Callable[[Any], T],
    ) -> T:
        attempts = self._core.attempts(api_request.operation, max_retries=max_retries, parse=parse)
        while True:
            request = self._core.build(self._http, api_request)
            decision: Done[T] | Retry | Fail
            try:
                response = await self._http.send(request)
                await response.aread()
            except Exception as exc:  # httpx's errors, and whatever a custom transport raises
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
            raise decision.error from decision.cause

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
        extra_body: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Task[AudioGenerationResponse]:
        """Submit a persona creation; returns the submitted task (id, status, estimate, credits).

        Raises ``RequestValidationError`` listing every broken rule before anything is sent.
        Retried only where the request surely did not take effect (see docs/sdk.md).
        """
        persona = PersonaRequest(
            source_task_id=source_task_id,
            result_id=result_id,
            name=name,
            description=description,
            vocal_start=vocal_start,
            vocal_end=vocal_end,
            style=style,
        )
        return await self._create(persona, max_retries, extra_body, extra_headers)

    async def _create(
        self,
        persona: PersonaRequest,
        max_retries: int | None,
        extra_body: Mapping[str, Any] | None,
        extra_headers: Mapping[str, str] | None,
    ) -> Task[AudioGenerationResponse]:
        request = self._core.create_request(
            persona, extra_body=extra_body, extra_headers=extra_headers
        )
        return await self._call(request, max_retries=max_retries, parse=parse_submitted_task)

    async def get_task(
        self,
        task_id: str,
        *,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Task[TaskDetailResponse]:
        """Read a task: status, progress, and its persona_id, songs or error once it ended.

        A body about another task than ``task_id`` is an ``UnexpectedResponseError``.
        """
        request = self._core.task_request(task_id, extra_headers=extra_headers)

        def parse(payload: Any) -> Task[TaskDetailResponse]:
            return parse_task(payload, expected_id=task_id)

        return await self._call(request, max_retries=max_retries, parse=parse)

    async def list_songs(
        self,
        task_id: str,
        *,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> tuple[Song, ...]:
        """The songs of a finished music task, each with the ``result_id`` a persona needs."""
        task = await self.get_task(task_id, max_retries=max_retries, extra_headers=extra_headers)
        return songs_of(task)

    async def wait_for_persona(
        self,
        task_id: str,
        *,
        timeout: float | None = None,
        on_progress: ProgressCallback | None = None,
        estimated_time: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Persona:
        """Poll the persona task until it ends; the persona, or TaskFailed/WaitTimeout."""
        return await self._follow(
            task_id,
            PersonaWait.observe,
            timeout=timeout,
            estimated_time=estimated_time,
            first=None,
            on_progress=on_progress,
            extra_headers=extra_headers,
        )

    async def _follow(
        self,
        task_id: str,
        observe: Callable[[PersonaWait, Task[Any]], R | None],
        *,
        timeout: float | None,
        estimated_time: float | None,
        first: Task[Any] | None,
        on_progress: ProgressCallback | None,
        extra_headers: Mapping[str, str] | None,
    ) -> R:
        """Wait on one task until ``observe`` gives its result (a persona, songs).

        Any error (or cancellation) carries ``task_id``; with ``first`` (the submitted task)
        it also says the task was created, so the user resumes it rather than creating again.
        """
        try:
            wait = PersonaWait(
                task_id,
                policy=self.poll_policy,
                timeout=timeout,
                started=self._clock(),
                estimated_time=estimated_time,
            )
            return await self._poll(
                wait, lambda task: observe(wait, task), first, on_progress, extra_headers
            )
        except BaseException as exc:
            attach_task(exc, task_id, created=first is not None)
            raise

    async def _poll(
        self,
        wait: PersonaWait,
        observe: Callable[[Task[Any]], R | None],
        first: Task[Any] | None,
        on_progress: ProgressCallback | None,
        extra_headers: Mapping[str, str] | None,
    ) -> R:
        """Read the task on ``wait``'s schedule until ``observe`` gives its result."""
        task = first
        while True:
            if task is None:
                task = await self.get_task(wait.task_id, extra_headers=extra_headers)
            if on_progress is not None:
                on_progress(task)
            result = observe(task)
            if result is not None:
                return result
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
        extra_body: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Persona:
        """``create_persona`` then ``wait_for_persona``; ``timeout`` bounds the waiting.

        Any error (or cancellation) after the creation was accepted carries ``task_id``.
        ``extra_body`` goes into the creation; ``extra_headers`` into every request.
        """
        check_wait_timeout(timeout)  # before anything is sent, so nothing is charged for it
        persona = PersonaRequest(
            source_task_id=source_task_id,
            result_id=result_id,
            name=name,
            description=description,
            vocal_start=vocal_start,
            vocal_end=vocal_end,
            style=style,
        )
        submitted = await self._create(persona, None, extra_body, extra_headers)
        return await self._follow(
            submitted.id,
            PersonaWait.observe,
            timeout=timeout,
            estimated_time=submitted.estimated_time,
            first=submitted,
            on_progress=on_progress,
            extra_headers=extra_headers,
        )

    # -- music generation -----------------------------------------------------------------------
    async def generate_music(
        self,
        *,
        model: str = DEFAULT_MUSIC_MODEL,
        prompt: str | None = None,
        custom_mode: bool = False,
        instrumental: bool = False,
        style: str | None = None,
        title: str | None = None,
        negative_tags: str | None = None,
        vocal_gender: str | None = None,
        style_weight: float | None = None,
        weirdness_constraint: float | None = None,
        audio_weight: float | None = None,
        persona: Persona | str | None = None,
        persona_model: str | None = None,
        duration: int | None = None,
        callback_url: str | None = None,
        max_retries: int | None = None,
        extra_body: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Task[AudioGenerationResponse]:
        """Submit a music generation; returns the submitted task.

        Simple mode (the default) needs ``prompt``; ``custom_mode=True`` needs ``style`` and
        ``title`` and, unless ``instrumental``, ``prompt`` as the lyrics. ``persona`` (a
        ``Persona`` or its id) needs custom mode and a V5-family model. Every broken rule is
        listed at once in ``RequestValidationError`` before anything is sent (docs/sdk.md).
        Retried only where the request surely did not take effect, like a persona creation.
        """
        music = MusicRequest(
            model=model,
            prompt=prompt,
            custom_mode=custom_mode,
            instrumental=instrumental,
            style=style,
            title=title,
            negative_tags=negative_tags,
            vocal_gender=vocal_gender,
            style_weight=style_weight,
            weirdness_constraint=weirdness_constraint,
            audio_weight=audio_weight,
            persona=persona,
            persona_model=persona_model,
            duration=duration,
            callback_url=callback_url,
        )
        request = self._core.music_request(
            music, extra_body=extra_body, extra_headers=extra_headers
        )
        return await self._call(request, max_retries=max_retries, parse=parse_submitted_task)

    async def wait_for_songs(
        self,
        task_id: str,
        *,
        timeout: float | None = None,
        on_progress: ProgressCallback | None = None,
        estimated_time: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> tuple[Song, ...]:
        """Poll a music task until it ends; its songs, or TaskFailedError/WaitTimeoutError."""
        return await self._follow(
            task_id,
            PersonaWait.observe_songs,
            timeout=timeout,
            estimated_time=estimated_time,
            first=None,
            on_progress=on_progress,
            extra_headers=extra_headers,
        )

    async def generate_music_and_wait(
        self,
        *,
        timeout: float | None = None,
        on_progress: ProgressCallback | None = None,
        extra_headers: Mapping[str, str] | None = None,
        **arguments: Any,
    ) -> tuple[Song, ...]:
        """``generate_music(**arguments)`` then ``wait_for_songs``; ``timeout`` bounds the wait.

        Any error (or cancellation) after the creation was accepted carries ``task_id``.
        """
        check_wait_timeout(timeout)  # before anything is sent, so nothing is charged for it
        submitted = await self.generate_music(extra_headers=extra_headers, **arguments)
        return await self._follow(
            submitted.id,
            PersonaWait.observe_songs,
            timeout=timeout,
            estimated_time=submitted.estimated_time,
            first=submitted,
            on_progress=on_progress,
            extra_headers=extra_headers,
        )
