"""The in-process sync transport stops cleanly, even before its loop thread got going.

`SyncASGITransport` runs the app on a private event loop in a thread of its own. Shut
down right after it was made, on a busy machine, that thread may not have entered
`run_forever` yet: the loop is not running, and closing it then crashed the thread
(`'NoneType' object has no attribute 'select'`, seen once under pytest-xdist). Here the
thread is held at the door of `run_forever` until the shutdown has had its say, so the
interleaving is the bad one every time, with no sleeping.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from contextvars import Context
from typing import Any

import httpx
import pytest
from evolink_mock import create_app, fixtures
from evolink_mock.handle import SyncASGITransport


class _LateLoop(asyncio.SelectorEventLoop):
    """A loop whose thread waits to enter `run_forever` until a stop is queued for it."""

    def __init__(self) -> None:
        super().__init__()
        self.stop_queued = threading.Event()

    def call_soon_threadsafe(  # type: ignore[override]
        self, callback: Callable[..., object], *args: Any, context: Context | None = None
    ) -> asyncio.Handle:
        handle = super().call_soon_threadsafe(callback, *args, context=context)
        self.stop_queued.set()
        return handle

    def run_forever(self) -> None:
        # Bounded, so a shutdown that never queues a stop fails the test instead of hanging.
        self.stop_queued.wait(timeout=5)
        super().run_forever()


def test_a_transport_shut_down_before_its_loop_runs_stops_its_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    crashes: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: crashes.append(args.exc_value))
    monkeypatch.setattr(asyncio, "new_event_loop", _LateLoop)  # the one the transport calls
    transport = SyncASGITransport(create_app())
    loop = transport._loop
    assert not loop.is_running()  # the thread is held before run_forever

    transport.shutdown()

    assert not transport._thread.is_alive()
    assert loop.is_closed()
    assert crashes == []
    transport.shutdown()  # twice is harmless


def test_a_transport_that_served_stops_its_thread() -> None:
    transport = SyncASGITransport(create_app())
    with httpx.Client(transport=transport, base_url="http://evolink-mock.local") as client:
        reply = client.get(
            f"/v1/tasks/{fixtures.DEMO_MUSIC_TASK_ID}",
            headers={"Authorization": f"Bearer {fixtures.DEMO_API_KEY}"},
        )
    assert reply.status_code == 200
    transport.shutdown()
    assert not transport._thread.is_alive()
    assert transport._loop.is_closed()
