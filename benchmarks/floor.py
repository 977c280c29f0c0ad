"""The floor of benchmark 1: the mock's own server stack answering one constant JSON body.

The mock's own uvicorn settings (``evolink_mock.server.uvicorn_config`` with the default
``MockConfig``: proxy headers off, its keep-alive timeout, and its guarded httptools
protocol with the request head/body deadlines and head size cap of
``evolink_mock.connections``), the same event loop (uvloop, picked up by uvicorn as for the
mock) and the same listening socket (``evolink_mock.server``'s bind, IPPROTO_TCP so accepted
connections get TCP_NODELAY); the app drains the request body and sends prebuilt bytes,
with no routing, auth, validation or state. Whatever the mock serves below this rate is
the mock's own work. ``--unguarded`` serves with uvicorn's plain httptools protocol
instead, to show what the connection limits cost. Run as
``python -m benchmarks.floor --port N --body-file PATH [--unguarded]``.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import uvicorn
from evolink_mock import MockConfig
from evolink_mock.server import _bind, uvicorn_config

__all__ = ["ConstantApp", "floor_config", "main"]

Message = MutableMapping[str, Any]


class ConstantApp:
    """An ASGI app that answers every HTTP request 200 with the same JSON bytes."""

    def __init__(self, body: bytes) -> None:
        self._start = {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
        self._body = {"type": "http.response.body", "body": body}

    async def __call__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[Message]],
        send: Callable[[Message], Awaitable[None]],
    ) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        if scope["method"] == "POST":
            message = await receive()
            while message.get("more_body", False):
                message = await receive()
        await send(self._start)
        await send(self._body)


def floor_config(body: bytes, *, guarded: bool = True) -> uvicorn.Config:
    """The mock's standalone uvicorn settings (evolink_mock.server.main) serving `body`."""
    return uvicorn_config(ConstantApp(body), MockConfig(), graceful_seconds=5, guarded=guarded)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.floor")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--body-file", type=Path, required=True)
    parser.add_argument(
        "--unguarded", action="store_true", help="uvicorn's plain httptools protocol"
    )
    args = parser.parse_args(argv)
    sock = _bind(args.host, args.port)
    config = floor_config(args.body_file.read_bytes(), guarded=not args.unguarded)
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
