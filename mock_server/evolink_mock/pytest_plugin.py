"""Pytest fixtures that put a fresh mock in every test: `evolink_mock`, `evolink_mock_live`.

Registered through the `pytest11` entry point, so installing the package is enough.
`evolink_mock` is in-process (no socket, fast) on a `ManualClock` and a `MockConfig()`:
time moves only when the test moves it (`advance`, `finish_tasks`, or the SDK client of
`evolink_persona.testing`, whose sleeps advance it). Mark a test
`@pytest.mark.evolink_mock(live=True)` or use `evolink_mock_live` for a real server on an
ephemeral loopback port, for code that polls in real time (another process, a client that
sleeps for real): it runs on real time (`SystemClock`, which `advance` still moves
forward) with `MockConfig.demo()`, whose persona tasks take 3 s instead of 20 s. Override
`evolink_mock_clock` or `evolink_mock_config` to change either.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

# The mock itself is imported inside the fixtures: this module is loaded by every pytest run
# of everyone who installs the distribution, with or without the `mock` extra.
if TYPE_CHECKING:
    from .clock import Clock
    from .config import MockConfig
    from .handle import MockHandle

__all__ = ["evolink_mock", "evolink_mock_clock", "evolink_mock_config", "evolink_mock_live"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "evolink_mock(live=False): serve the evolink_mock fixture on a real socket"
    )


def _wants_live(request: pytest.FixtureRequest) -> bool:
    marker = request.node.get_closest_marker("evolink_mock")
    marked = marker is not None and bool(marker.kwargs.get("live", False))
    return marked or "evolink_mock_live" in request.fixturenames


@pytest.fixture
def evolink_mock_config(request: pytest.FixtureRequest) -> MockConfig:
    """The config of the test's mock; override this fixture to change knobs.

    In-process `MockConfig()` (persona tasks take 20 s of the manual clock); live
    `MockConfig.demo()` (3 s of real time, so a client polling for real sees them end).
    """
    from evolink_mock import MockConfig

    return MockConfig.demo() if _wants_live(request) else MockConfig()


@pytest.fixture
def evolink_mock_clock(request: pytest.FixtureRequest) -> Clock:
    """The clock of the test's mock: manual in-process (the test moves time with `advance`),
    real time live (`advance` still jumps it forward)."""
    from evolink_mock import ManualClock, SystemClock

    return SystemClock() if _wants_live(request) else ManualClock()


def _live(config: MockConfig, clock: Clock) -> Iterator[MockHandle]:
    from evolink_mock import serve_in_thread
    from evolink_mock.handle import MockHandle

    with serve_in_thread(config, clock=clock) as server:
        handle = MockHandle(server.app, base_url=server.base_url, live=True)
        yield handle
        handle.close()


@pytest.fixture
def evolink_mock(
    request: pytest.FixtureRequest, evolink_mock_config: MockConfig, evolink_mock_clock: Clock
) -> Iterator[MockHandle]:
    """A fresh mock with the documented fixtures: in-process unless marked live."""
    if _wants_live(request):
        yield from _live(evolink_mock_config, evolink_mock_clock)
        return
    from evolink_mock import create_app
    from evolink_mock.handle import MockHandle

    handle = MockHandle(create_app(evolink_mock_config, clock=evolink_mock_clock))
    yield handle
    handle.close()


@pytest.fixture
def evolink_mock_live(
    evolink_mock_config: MockConfig, evolink_mock_clock: Clock
) -> Iterator[MockHandle]:
    """A fresh mock on a real socket (`base_url` is `http://127.0.0.1:<port>`)."""
    yield from _live(evolink_mock_config, evolink_mock_clock)
