"""Music generation on both clients: generate, wait for the songs, or both in one call.

The methods live here, as mixins the two clients inherit, so the persona flow's files stay
as they are: a music creation goes through the same ``_call`` (the same retry policy, as a
non-idempotent creation: retried only where it surely did not take effect, a 429 or a
connection that never opened) and the wait through the same polling policy as a persona.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from ._base import CREATE_METHOD, ApiRequest, ClientCore
from ._errors import NoSongsError, RequestValidationError, TaskFailedError
from ._models import COMPLETED, Persona, Song, Task, parse_task
from ._music import DEFAULT_MUSIC_MODEL, MusicRequest
from ._polling import PersonaWait, PollPolicy, ProgressCallback

T = TypeVar("T")

__all__ = ["AsyncMusicMethods", "MusicMethods", "SongsWait", "service_on_loopback"]


def service_on_loopback(base_url: str) -> bool:
    """Is the service on this machine (a local mock)? Then it can call back to loopback."""
    host = httpx.URL(base_url).host
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SongsWait(PersonaWait):
    """The state of one ``wait_for_songs``: the persona wait, ending on songs instead."""

    def observe_songs(self, task: Task) -> tuple[Song, ...] | None:
        """The songs once ``task`` completed; raise when it ended without; None to go on."""
        self.last = task
        self.polls += 1
        if task.status == COMPLETED:
            if not task.songs:  # a persona task's id passed by mistake, or an empty result
                raise NoSongsError(task_id=task.id, status=task.status, model=task.model)
            return task.songs
        if task.is_terminal:
            error = task.error
            raise TaskFailedError(
                error.message if error else "no error given",
                task_id=task.id,
                status=task.status,
                code=error.code if error else None,
                retryable=error.retryable if error else None,
                type=error.type if error else None,
            )
        return None


def _music_request(core: ClientCore, request: MusicRequest) -> ApiRequest:
    violations = request.violations(service_on_loopback=service_on_loopback(core.base_url))
    if violations:
        raise RequestValidationError(violations)
    return ApiRequest(CREATE_METHOD, core._create_url, request.body())


def _request(**arguments: Any) -> MusicRequest:
    try:
        return MusicRequest(**arguments)
    except TypeError as exc:  # an argument name generate_music does not take
        raise TypeError(str(exc).replace("MusicRequest.__init__()", "generate_music()")) from None


class MusicMethods:
    """``generate_music``, ``wait_for_songs`` and ``generate_music_and_wait`` (sync)."""

    if TYPE_CHECKING:
        _core: ClientCore
        poll_policy: PollPolicy
        _sleep: Callable[[float], None]
        _clock: Callable[[], float]

        def _call(
            self,
            operation: str,
            api_request: ApiRequest,
            *,
            idempotent: bool,
            max_retries: int | None,
            parse: Callable[[Any], T],
        ) -> T: ...

        def get_task(self, task_id: str, *, max_retries: int | None = None) -> Task: ...

    def generate_music(
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
    ) -> Task:
        """Submit a music generation; returns the submitted task.

        Simple mode (the default) needs ``prompt``; ``custom_mode=True`` needs ``style`` and
        ``title`` and, unless ``instrumental``, ``prompt`` as the lyrics. ``persona`` (a
        ``Persona`` or its id) needs custom mode and a V5-family model. Every broken rule is
        listed at once in ``RequestValidationError`` before anything is sent (docs/sdk.md).
        """
        request = _request(
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
        return self._call(
            "generate_music",
            _music_request(self._core, request),
            idempotent=False,
            max_retries=max_retries,
            parse=parse_task,
        )

    def wait_for_songs(
        self,
        task_id: str,
        *,
        timeout: float | None = None,
        on_progress: ProgressCallback | None = None,
        estimated_time: float | None = None,
    ) -> tuple[Song, ...]:
        """Poll a music task until it ends; its songs, or TaskFailedError/WaitTimeoutError."""
        wait = SongsWait(
            task_id,
            policy=self.poll_policy,
            timeout=timeout,
            started=self._clock(),
            estimated_time=estimated_time,
        )
        return self._wait_songs(wait, None, on_progress)

    def _wait_songs(
        self, wait: SongsWait, first: Task | None, on_progress: ProgressCallback | None
    ) -> tuple[Song, ...]:
        task = first
        while True:
            if task is None:
                task = self.get_task(wait.task_id)
            if on_progress is not None:
                on_progress(task)
            songs = wait.observe_songs(task)
            if songs is not None:
                return songs
            self._sleep(wait.next_sleep(self._clock()))
            task = None

    def generate_music_and_wait(
        self,
        *,
        timeout: float | None = None,
        on_progress: ProgressCallback | None = None,
        **arguments: Any,
    ) -> tuple[Song, ...]:
        """``generate_music(**arguments)`` then ``wait_for_songs``; ``timeout`` bounds the wait."""
        submitted = self.generate_music(**arguments)
        wait = SongsWait(
            submitted.id,
            policy=self.poll_policy,
            timeout=timeout,
            started=self._clock(),
            estimated_time=submitted.estimated_time,
        )
        return self._wait_songs(wait, submitted, on_progress)


class AsyncMusicMethods:
    """The same three methods for ``AsyncPersonaClient``, awaited."""

    if TYPE_CHECKING:
        _core: ClientCore
        poll_policy: PollPolicy
        _sleep: Callable[[float], Any]
        _clock: Callable[[], float]

        async def _call(
            self,
            operation: str,
            api_request: ApiRequest,
            *,
            idempotent: bool,
            max_retries: int | None,
            parse: Callable[[Any], T],
        ) -> T: ...

        async def get_task(self, task_id: str, *, max_retries: int | None = None) -> Task: ...

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
    ) -> Task:
        """Submit a music generation (see ``PersonaClient.generate_music``)."""
        request = _request(
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
        return await self._call(
            "generate_music",
            _music_request(self._core, request),
            idempotent=False,
            max_retries=max_retries,
            parse=parse_task,
        )

    async def wait_for_songs(
        self,
        task_id: str,
        *,
        timeout: float | None = None,
        on_progress: ProgressCallback | None = None,
        estimated_time: float | None = None,
    ) -> tuple[Song, ...]:
        """Poll a music task until it ends (see ``PersonaClient.wait_for_songs``)."""
        wait = SongsWait(
            task_id,
            policy=self.poll_policy,
            timeout=timeout,
            started=self._clock(),
            estimated_time=estimated_time,
        )
        return await self._wait_songs(wait, None, on_progress)

    async def _wait_songs(
        self, wait: SongsWait, first: Task | None, on_progress: ProgressCallback | None
    ) -> tuple[Song, ...]:
        task = first
        while True:
            if task is None:
                task = await self.get_task(wait.task_id)
            if on_progress is not None:
                on_progress(task)
            songs = wait.observe_songs(task)
            if songs is not None:
                return songs
            await self._sleep(wait.next_sleep(self._clock()))
            task = None

    async def generate_music_and_wait(
        self,
        *,
        timeout: float | None = None,
        on_progress: ProgressCallback | None = None,
        **arguments: Any,
    ) -> tuple[Song, ...]:
        """``generate_music`` then ``wait_for_songs``, awaited."""
        submitted = await self.generate_music(**arguments)
        wait = SongsWait(
            submitted.id,
            policy=self.poll_policy,
            timeout=timeout,
            started=self._clock(),
            estimated_time=submitted.estimated_time,
        )
        return await self._wait_songs(wait, submitted, on_progress)
