"""One object a test holds to use a mock: where to send requests, which key, which knobs.

`MockHandle` is what the pytest fixtures yield. In-process, requests go through an
httpx transport straight into the ASGI app (no socket); live, through a real server.
Either way the control helpers act on the same `MockService` directly, since the test
and the mock share a process. `SyncASGITransport` lets a synchronous `httpx.Client`
(and so a sync SDK) talk to the app in-process, which `httpx.ASGITransport` cannot.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable
from typing import Any

import httpx

from . import fixtures
from .app import MockApp
from .faults import parse_fault
from .tasks import Task

__all__ = ["IN_PROCESS_BASE_URL", "MockHandle", "SyncASGITransport"]

#: Base URL of an in-process mock (never resolved: the transport short-circuits it).
IN_PROCESS_BASE_URL = "http://evolink-mock.local"


class SyncASGITransport(httpx.BaseTransport):
    """A sync httpx transport into an ASGI app, run on a private event loop thread."""

    def __init__(self, app: MockApp) -> None:
        self._inner = httpx.ASGITransport(app=app)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="evolink-mock-asgi", daemon=True
        )
        self._thread.start()

    async def _call(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        content = await response.aread()
        return httpx.Response(
            response.status_code, headers=response.headers, content=content, request=request
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        future = asyncio.run_coroutine_threadsafe(self._call(request), self._loop)
        return future.result()

    def close(self) -> None:
        """Closing a client must not stop the app's loop: other clients may share it.
        `MockHandle.close()` (the fixture's teardown) calls `shutdown()`."""

    def shutdown(self) -> None:
        """Stop the private event loop and its thread.

        Asked of the thread, not of the loop: a thread that has not yet entered
        `run_forever` (a transport shut down right after it was made, on a busy machine)
        has a loop that is not running yet, and closing that loop under it crashed the
        thread. The stop is queued either way and taken as soon as the loop runs.
        """
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
        if not self._thread.is_alive() and not self._loop.is_closed():
            self._loop.close()


class MockHandle:
    """A running mock (in-process or live) with its key and control helpers."""

    def __init__(self, app: MockApp, *, base_url: str = IN_PROCESS_BASE_URL, live: bool = False):
        self.app = app
        self.base_url = base_url
        self.live = live
        self.api_key = fixtures.DEMO_API_KEY
        self.other_api_key = fixtures.SECOND_API_KEY
        self._sync_transport: SyncASGITransport | None = None

    @property
    def service(self) -> Any:
        return self.app.service

    @property
    def admin_token(self) -> str:
        token: str = self.app.service.config.admin_token
        return token

    @property
    def headers(self) -> dict[str, str]:
        """The demo user's Authorization header."""
        return {"Authorization": f"Bearer {self.api_key}"}

    # --- transports and clients -------------------------------------------------------

    def transport(self) -> httpx.BaseTransport | None:
        """A sync transport into the app (None when live: use `base_url`)."""
        if self.live:
            return None
        if self._sync_transport is None:
            self._sync_transport = SyncASGITransport(self.app)
        return self._sync_transport

    def async_transport(self) -> httpx.AsyncBaseTransport | None:
        """An async transport into the app (None when live: use `base_url`)."""
        return None if self.live else httpx.ASGITransport(app=self.app)

    def client(self, *, api_key: str | None = None, **kwargs: Any) -> httpx.Client:
        """An httpx.Client on the mock, authenticated as the demo user unless told otherwise."""
        headers = {
            "Authorization": f"Bearer {api_key or self.api_key}",
            **kwargs.pop("headers", {}),
        }
        transport = self.transport()
        if transport is not None:
            kwargs["transport"] = transport
        return httpx.Client(base_url=self.base_url, headers=headers, **kwargs)

    def async_client(self, *, api_key: str | None = None, **kwargs: Any) -> httpx.AsyncClient:
        headers = {
            "Authorization": f"Bearer {api_key or self.api_key}",
            **kwargs.pop("headers", {}),
        }
        transport = self.async_transport()
        if transport is not None:
            kwargs["transport"] = transport
        return httpx.AsyncClient(base_url=self.base_url, headers=headers, **kwargs)

    # --- control ----------------------------------------------------------------------

    def now(self) -> float:
        """The mock's time (unix seconds): its clock plus every `advance` so far."""
        now: float = self.app.service.now()
        return now

    def advance(self, seconds: float) -> float:
        """Move the mock's clock forward; returns the new time."""
        now: float = self.app.service.advance(seconds)
        return now

    def finish_tasks(self) -> float:
        """Advance past the persona and music durations, so every task made so far has ended."""
        config = self.app.service.config
        return self.advance(max(config.persona_duration, config.music_duration))

    def callbacks(self, *, settle: float = 30.0) -> list[dict[str, Any]]:
        """Every task callback with its delivery attempts, once nothing due is left to send."""
        self.app.service.callbacks.settle(settle)
        return [callback.to_json() for callback in self.app.service.callbacks.callbacks()]

    def add_music_task(
        self,
        user: str | None = None,
        *,
        model: str = "suno-v4.5-beta",
        status: str = "completed",
        songs: int | Iterable[str] = 2,
        legacy_result_list: bool = False,
    ) -> Task:
        """A new music task for `user` (id or key; the demo user by default)."""
        task: Task = self.app.service.add_music_task(
            user or fixtures.DEMO_USER_ID,
            model=model,
            status=status,
            songs=songs,
            legacy_result_list=legacy_result_list,
        )
        return task

    def set_credits(self, credits: float, user: str | None = None) -> None:
        self.app.service.set_credits(user or fixtures.DEMO_USER_ID, credits)

    def inject_fault(self, mode: str, times: int = 1) -> None:
        """Give the next `times` public requests this fault (`503`, `drop`, `slow=0.2`...)."""
        fault = parse_fault(mode, self.app.service.config.slow_seconds)
        if fault is None:
            raise ValueError(f"unknown fault mode {mode!r}")
        self.app.service.faults.queue(fault, times)

    def set_fault_rate(self, rate: float, modes: Iterable[str] | None = None) -> None:
        self.app.service.faults.set_rate(rate, tuple(modes) if modes is not None else None)

    def clear_faults(self) -> None:
        self.app.service.faults.clear()

    def set_rate_limit(self, limit: int, window: float | None = None) -> None:
        self.app.service.rate_limiter.set_limit(limit, window)

    def reset(self) -> None:
        self.app.service.reset()

    def requests(self) -> list[dict[str, Any]]:
        """The request log, oldest first."""
        return [entry.to_json() for entry in self.app.service.requests()]

    def close(self) -> None:
        self.app.service.callbacks.close()
        if self._sync_transport is not None:
            self._sync_transport.shutdown()
            self._sync_transport = None
