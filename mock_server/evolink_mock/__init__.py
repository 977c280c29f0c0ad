"""Stateful mock of EvoLink's Suno persona API: standalone, in-process and as a pytest fixture.

The mock is the independent oracle the SDK is held against: it validates requests from
the merged OpenAPI document plus the rules in its prose, keeps users, credits and tasks,
moves tasks through their lifecycle on an injectable clock, and misbehaves on request.
It never imports the SDK.

- `create_app(config, clock=...)`: the ASGI app (state at `app.service`).
- `serve_in_thread(...)`: a real uvicorn server on an ephemeral loopback port.
- `evolink_mock.server.main(argv)`: the standalone command.
- `evolink_mock.fixtures`: the documented users, keys and task ids.
- `evolink_mock.pytest_plugin`: the `evolink_mock` / `evolink_mock_live` fixtures.
"""

from __future__ import annotations

from .app import MockApp, create_app
from .clock import Clock, ManualClock, SystemClock
from .config import DEFAULT_ADMIN_TOKEN, FAULT_MODES, MockConfig
from .server import LiveMock, main, serve_in_thread
from .service import MockService

__all__ = [
    "DEFAULT_ADMIN_TOKEN",
    "FAULT_MODES",
    "Clock",
    "LiveMock",
    "ManualClock",
    "MockApp",
    "MockConfig",
    "MockService",
    "SystemClock",
    "create_app",
    "main",
    "serve_in_thread",
]
