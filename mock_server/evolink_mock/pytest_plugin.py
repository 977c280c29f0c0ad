"""Pytest fixtures that put a fresh mock in every test: `evolink_mock`, `evolink_mock_live`.

Registered through the `pytest11` entry point, so installing the package is enough.
`evolink_mock` is in-process (no socket, fast); mark a test
`@pytest.mark.evolink_mock(live=True)` or use `evolink_mock_live` for a real server on an
ephemeral loopback port. Both run on a `ManualClock` (override `evolink_mock_clock` to
use real time) and a `MockConfig()` (override `evolink_mock_config`).
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


@pytest.fixture
def evolink_mock_config() -> MockConfig:
    """The config of the test's mock; override this fixture to change knobs."""
    from evolink_mock import MockConfig

    return MockConfig()


@pytest.fixture
def evolink_mock_clock() -> Clock:
    """The clock of the test's mock: manual, so the test moves time with `advance`."""
    from evolink_mock import ManualClock

    return ManualClock()


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
    marker = request.node.get_closest_marker("evolink_mock")
    if marker is not None and marker.kwargs.get("live", False):
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
