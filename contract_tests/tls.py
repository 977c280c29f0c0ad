"""One TLS context for every HTTP client the live runner opens.

httpx builds a TLS context per client, and building one loads the CA bundle: about 30 ms,
paid by every client of every run (five a run), whether the server speaks https or not.
The context is built on first use, honouring ``SSL_CERT_FILE``/``SSL_CERT_DIR`` as httpx
does, and shared after that (an ``ssl.SSLContext`` is safe to share between clients).
"""

from __future__ import annotations

import functools
import ssl

import httpx

__all__ = ["tls"]


@functools.cache
def tls() -> ssl.SSLContext:
    """The shared context: pass it as ``verify=`` to ``httpx.Client``."""
    return httpx.create_ssl_context()
