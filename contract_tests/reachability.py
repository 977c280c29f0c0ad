"""Before a live run: can the server be reached at all?

Against a host that does not answer, every probe fails on the transport and every
schemathesis check judges nothing, which would read as a partial pass ("21 of 33 checks
passed"). One request first tells the two apart: no answer is a failed run, with the
cause in the first line and no check run.
"""

from __future__ import annotations

import httpx
from evolink_persona._tls import shared_tls

__all__ = ["REACHABLE_CHECK", "unreachable"]

#: The name of the one test case a run that could not reach its server reports.
REACHABLE_CHECK = "server_is_reachable"


def unreachable(base_url: str, path: str, *, timeout: float = 15.0) -> str | None:
    """Why ``base_url`` gives no HTTP answer to ``GET path``; None when it answers at all.

    Any status is an answer (a 401 or 404 is the checks' business); only a transport
    failure (refused, no such host, TLS, timeout) makes the server unreachable. No key is
    sent: a reachability probe has no business with credentials.
    """
    try:
        with httpx.Client(timeout=timeout, verify=shared_tls()) as client:
            client.get(base_url.rstrip("/") + path)
    except httpx.TransportError as exc:
        return f"{type(exc).__name__}: {exc or 'no detail'}"
    except httpx.InvalidURL as exc:
        return f"invalid URL: {exc}"
    return None
