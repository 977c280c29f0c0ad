"""The floor of benchmark 1: the mock's own server stack answering one constant JSON body.

Same uvicorn settings, same C parser and event loop (httptools, uvloop, picked up by
uvicorn as for the mock) and the same listening socket (``evolink_mock.server``'s bind,
IPPROTO_TCP so accepted connections get TCP_NODELAY); the app drains the request body and
sends prebuilt bytes, with no routing, auth, validation or state. Whatever the mock
serves below this rate is the mock's own work. Run as
``python -m benchmarks.floor --port N --body-file PATH``.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import uvicorn
from evolink_mock.server import _bind

__all__ = ["ConstantApp", "main"]

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.floor")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--body-file", type=Path, required=True)
    args = parser.parse_args(argv)
    sock = _bind(args.host, args.port)
    # The mock's standalone settings (evolink_mock.server.main), nothing else.
    server = uvicorn.Server(
        uvicorn.Config(
            ConstantApp(args.body_file.read_bytes()),
            log_level="warning",
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=5,
        )
    )
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
