"""One TLS context for every client the SDK builds itself.

httpx builds a TLS context for each new client, and building one loads the CA bundle:
30-60 ms per ``PersonaClient(...)``, paid again by code that makes a client per job or per
request. The context is built on the first such client, honouring ``SSL_CERT_FILE`` and
``SSL_CERT_DIR`` as httpx does then, and shared after that (an ``ssl.SSLContext`` is safe to
share). A client you pass as ``http_client`` keeps its own settings. The contract
harness's clients use it too.
"""

from __future__ import annotations

import functools
import ssl

import httpx

__all__ = ["shared_tls"]


@functools.cache
def shared_tls() -> ssl.SSLContext:
    return httpx.create_ssl_context()
