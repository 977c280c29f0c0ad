"""The clients the SDK builds share one TLS context; a client passed in keeps its own.

Building a TLS context loads the CA bundle (tens of ms), so a client per job paid it each
time. The context is read from httpcore's connection pool, the object that uses it.
"""

from __future__ import annotations

import asyncio
import ssl

import httpx
from evolink_persona import AsyncPersonaClient, PersonaClient


def _context(http: httpx.Client | httpx.AsyncClient) -> ssl.SSLContext:
    context = http._transport._pool._ssl_context  # type: ignore[union-attr]
    assert isinstance(context, ssl.SSLContext)
    return context


def test_every_client_the_sdk_builds_shares_one_tls_context() -> None:
    first, second = PersonaClient("sk-a"), PersonaClient("sk-b")
    async_client = AsyncPersonaClient("sk-c")
    try:
        shared = _context(first._http)
        assert _context(second._http) is shared
        assert _context(async_client._http) is shared
        assert shared.verify_mode == ssl.CERT_REQUIRED
        assert shared.check_hostname
    finally:
        first.close()
        second.close()
        asyncio.run(async_client.aclose())


def test_a_client_passed_in_keeps_its_own_tls_settings() -> None:
    own = httpx.Client(verify=False)
    client = PersonaClient("sk-a", http_client=own)
    try:
        assert client._http is own
        assert _context(own).verify_mode == ssl.CERT_NONE
    finally:
        own.close()
