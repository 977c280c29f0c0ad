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

The names are imported on first use: the pytest plugin is registered for everyone who
installs the distribution, and importing this package must not need the `mock` extra
(jsonschema-rs, uvicorn) until a mock is actually made.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_HOME = {
    "MockApp": ".app",
    "create_app": ".app",
    "Clock": ".clock",
    "ManualClock": ".clock",
    "SystemClock": ".clock",
    "DEFAULT_ADMIN_TOKEN": ".config",
    "FAULT_MODES": ".config",
    "MockConfig": ".config",
    "LiveMock": ".server",
    "main": ".server",
    "serve_in_thread": ".server",
    "MockService": ".service",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        module = importlib.import_module(home, __name__)
    except ModuleNotFoundError as missing:
        raise ModuleNotFoundError(
            f"the mock server needs the 'mock' extra ({missing.name} is missing): "
            "pip install 'evolink-suno-persona[mock]'",
            name=missing.name,
        ) from missing
    return getattr(module, name)


def __dir__() -> list[str]:
    return sorted(__all__)
