"""A real HTTP proxy on loopback that rewrites what passes through it, one rule per proxy.

The live self-test puts the standalone mock behind one of these for each fault a server
could ship: the live runner then talks HTTP to the proxy exactly as it would to a
staging, and must name the broken rule. A rule sees each request (``Exchange``) and the
``Upstream`` it can forward to (as many times as it likes, changed or not), and returns
the ``Reply`` the client gets; it may also take its time, as a hanging server does.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final

import attrs
import httpx
from evolink_persona._tls import shared_tls

__all__ = ["Exchange", "Reply", "Rule", "Upstream", "pass_through", "serve_proxy"]

#: Headers that describe one hop's connection or encoding, never forwarded as they are.
_HOP_HEADERS: Final = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "content-length", "host", "content-encoding"}
)


@attrs.frozen
class Exchange:
    """One request as the proxy received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def with_json(self, body: Any) -> Exchange:
        return attrs.evolve(self, body=json.dumps(body).encode())

    def with_header(self, name: str, value: str) -> Exchange:
        headers = {k: v for k, v in self.headers.items() if k.lower() != name.lower()}
        return attrs.evolve(self, headers={**headers, name: value})

    def bearer(self) -> str | None:
        auth = next((v for k, v in self.headers.items() if k.lower() == "authorization"), "")
        return auth[len("Bearer ") :] if auth.startswith("Bearer ") else None


@attrs.frozen
class Reply:
    """The answer the client gets."""

    status: int
    headers: tuple[tuple[str, str], ...]
    content: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.content)
        except ValueError:
            return None

    def with_json(self, body: Any, status: int | None = None) -> Reply:
        return attrs.evolve(
            self,
            status=self.status if status is None else status,
            content=json.dumps(body).encode(),
        )


@attrs.define
class Upstream:
    """The server behind the proxy, and its control API (for rules that need fresh songs)."""

    base_url: str
    admin_token: str
    client: httpx.Client

    def forward(self, exchange: Exchange) -> Reply:
        headers = {k: v for k, v in exchange.headers.items() if k.lower() not in _HOP_HEADERS}
        response = self.client.request(
            exchange.method, self.base_url + exchange.path, headers=headers, content=exchange.body
        )
        kept = tuple((k, v) for k, v in response.headers.items() if k.lower() not in _HOP_HEADERS)
        return Reply(response.status_code, kept, response.content)

    def control(self, path: str, body: Any) -> Any:
        response = self.client.post(
            f"{self.base_url}/_mock/{path}",
            json=body,
            headers={"X-Mock-Admin-Token": self.admin_token},
        )
        response.raise_for_status()
        return response.json()


#: A proxy's one rule: how to answer a request, given the server behind it.
Rule = Callable[[Exchange, Upstream], Reply]


def pass_through(exchange: Exchange, upstream: Upstream) -> Reply:
    """The identity rule: the server as it is."""
    return upstream.forward(exchange)


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    rule: Rule
    upstream: Upstream

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up on a hanging answer is the point of some rules: no noise."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # The head and the body go out in two writes: with Nagle's algorithm on, the body waits
    # for the client's delayed ACK of the head (up to 40 ms a request on Linux loopback).
    disable_nagle_algorithm = True
    server: _ProxyServer

    def _relay(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        exchange = Exchange(self.command, self.path, dict(self.headers.items()), body)
        try:
            reply = self.server.rule(exchange, self.server.upstream)
        except httpx.HTTPError as error:
            reply = Reply(502, (("Content-Type", "text/plain"),), f"proxy: {error}".encode())
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.content)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.content)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = do_TRACE = _relay

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the mock behind keeps its own log."""


@contextlib.contextmanager
def serve_proxy(upstream_url: str, rule: Rule, *, admin_token: str = "") -> Iterator[str]:
    """Serve ``rule`` in front of ``upstream_url`` on an ephemeral loopback port; its URL."""
    client = httpx.Client(timeout=30, verify=shared_tls())
    server = _ProxyServer(("127.0.0.1", 0), _Handler)
    server.rule = rule
    server.upstream = Upstream(upstream_url.rstrip("/"), admin_token, client)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        client.close()
