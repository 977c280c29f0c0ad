"""SDK clients wired to the ``evolink_mock`` pytest fixtures, in one call.

    from evolink_persona.testing import mock_client

    def test_persona(evolink_mock):
        with mock_client(evolink_mock) as client:
            persona = client.create_persona_and_wait(...)

A persona task on the fixture takes ``MockConfig.persona_duration`` (20 s by default) of the
*mock's* time. The client made here sleeps by moving the mock's clock forward
(``evolink_mock.advance``) and reads its deadlines from that clock (``evolink_mock.now``), so
a wait costs a handful of requests and no real time. That holds for the in-process fixture
and for the live one alike: the test and the mock share a process. In-process, requests go
through the fixture's transport (no socket); live, over the loopback socket at ``base_url``.

The SDK does not import the mock (its core needs httpx and attrs only): anything shaped like
the fixture's handle (``MockTarget``) works.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any, Protocol

import httpx

from ._async_client import AsyncPersonaClient
from ._client import PersonaClient

__all__ = ["MockTarget", "async_mock_client", "mock_client"]


class MockTarget(Protocol):
    """What the clients here need of a mock: the fixture's ``MockHandle`` has it all."""

    @property
    def base_url(self) -> str: ...

    @property
    def api_key(self) -> str: ...

    def transport(self) -> httpx.BaseTransport | None: ...

    def async_transport(self) -> httpx.AsyncBaseTransport | None: ...

    def advance(self, seconds: float) -> float: ...

    def now(self) -> float: ...


def _options(mock: MockTarget, options: dict[str, Any]) -> dict[str, Any]:
    # Retries of transient faults would sleep too: on the mock's clock, like polling.
    return {"base_url": mock.base_url, "clock": mock.now, **options}


@contextlib.contextmanager
def mock_client(
    mock: MockTarget, *, api_key: str | None = None, **options: Any
) -> Iterator[PersonaClient]:
    """A ``PersonaClient`` on ``mock``, as its demo user unless ``api_key`` names another.

    ``options`` go to ``PersonaClient`` (``max_retries``, ``poll_policy``, ...). The client
    and its connections are closed when the block ends.
    """

    def sleep(seconds: float) -> None:
        mock.advance(seconds)

    transport = mock.transport()
    http = httpx.Client(transport=transport) if transport is not None else None
    try:
        with PersonaClient(
            api_key or mock.api_key, http_client=http, **_options(mock, {"sleep": sleep, **options})
        ) as client:
            yield client
    finally:
        if http is not None:
            http.close()


@contextlib.asynccontextmanager
async def async_mock_client(
    mock: MockTarget, *, api_key: str | None = None, **options: Any
) -> AsyncIterator[AsyncPersonaClient]:
    """The asyncio twin of ``mock_client``: an ``AsyncPersonaClient`` on ``mock``."""

    async def sleep(seconds: float) -> None:
        mock.advance(seconds)

    transport = mock.async_transport()
    http = httpx.AsyncClient(transport=transport) if transport is not None else None
    try:
        async with AsyncPersonaClient(
            api_key or mock.api_key, http_client=http, **_options(mock, {"sleep": sleep, **options})
        ) as client:
            yield client
    finally:
        if http is not None:
            await http.aclose()
