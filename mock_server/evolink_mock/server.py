"""Running the mock: the standalone command (`main`) and a background server for tests.

Both bind the socket themselves before uvicorn starts, so the port (ephemeral or chosen)
is known and a busy port is a clear message rather than a traceback. Request lines are
logged by the app (`evolink_mock.requests`), never with an API key.

Both serve through `_uvicorn_server`: proxy headers off (a client cannot claim to be
loopback with `X-Forwarded-For`, whatever `FORWARDED_ALLOW_IPS` says), and the
connection limits of `connections`. Off loopback, the public default admin token is
refused: the standalone command draws a random one and prints it.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import logging
import secrets
import socket
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping, Sequence
from typing import Any

import attrs
import uvicorn

from . import fixtures
from .app import MockApp, create_app
from .clock import Clock
from .config import DEFAULT_ADMIN_TOKEN, FAULT_MODES, MockConfig
from .connections import ConnectionLimits, guarded_protocol
from .control import CONTROL_PREFIX
from .errors import ConnectionDropped
from .service import MockService

__all__ = [
    "LiveMock",
    "admin_token_for",
    "banner",
    "is_loopback",
    "main",
    "serve_in_thread",
    "uvicorn_config",
]


class _HideDroppedConnections(logging.Filter):
    """The `drop` fault ends a response by raising; that is on purpose, not worth a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ConnectionDropped)


logging.getLogger("uvicorn.error").addFilter(_HideDroppedConnections())
_log = logging.getLogger("evolink_mock.server")

ASGIApp = Callable[
    [MutableMapping[str, Any], Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]],
    Awaitable[None],
]


@attrs.frozen
class LiveMock:
    """A mock listening on a real socket: where it is and how to drive it."""

    base_url: str
    host: str
    port: int
    app: MockApp
    api_key: str = fixtures.DEMO_API_KEY

    @property
    def service(self) -> MockService:
        return self.app.service

    @property
    def admin_token(self) -> str:
        return self.app.service.config.admin_token


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted connections only when the
    # listening socket says it is TCP; without it Nagle and delayed ACKs add ~40 ms a reply.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def is_loopback(host: str) -> bool:
    """Whether listening on `host` keeps the mock on this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def admin_token_for(host: str, token: str | None) -> str:
    """The control API's token for a server on `host`: `token`, or a default that is safe there.

    On loopback the documented default is fine. Off loopback it would open the control
    API to anyone who reaches the mock through a forwarder, so it is refused (ValueError),
    and no token at all gets a random one.
    """
    if is_loopback(host):
        return DEFAULT_ADMIN_TOKEN if token is None else token
    if token is None:
        return secrets.token_urlsafe(18)
    if token == DEFAULT_ADMIN_TOKEN:
        raise ValueError(
            f"listening on {host} (not loopback) with the public default admin token would let "
            "anyone behind a forwarder drive the control API; pass another admin token, or "
            "none for a random one"
        )
    return token


def _uvicorn_server(
    app: MockApp, *, graceful_seconds: int, log_level: str = "warning"
) -> uvicorn.Server:
    return uvicorn.Server(
        uvicorn_config(
            app, app.service.config, graceful_seconds=graceful_seconds, log_level=log_level
        )
    )


def uvicorn_config(
    app: ASGIApp,
    config: MockConfig,
    *,
    graceful_seconds: int,
    log_level: str = "warning",
    guarded: bool = True,
) -> uvicorn.Config:
    """The mock's uvicorn settings for `app` (any ASGI app: benchmark 1's floor uses them).

    `guarded=False` leaves out the connection limits of `connections`; only the floor's
    measurement of what the limits cost uses it.
    """
    limits = ConnectionLimits(
        header_timeout=config.header_timeout,
        body_timeout=config.body_timeout,
        max_header_bytes=config.max_header_bytes,
    )
    return uvicorn.Config(
        app,
        http=guarded_protocol(limits) if guarded else "httptools",
        # Never take the client address from X-Forwarded-For: the control API's loopback
        # check must see the real peer, even where FORWARDED_ALLOW_IPS='*' is set.
        proxy_headers=False,
        # Annotated int, used as a delay: a fraction of a second works (and is tested).
        timeout_keep_alive=config.keep_alive_timeout,  # type: ignore[arg-type]
        log_level=log_level,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=graceful_seconds,
    )


@contextlib.contextmanager
def _serving(app: MockApp, sock: socket.socket) -> Iterator[None]:
    """Serve `app` on the bound `sock` in a daemon thread until the block ends."""
    server = _uvicorn_server(app, graceful_seconds=2)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="evolink-mock", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("the mock server did not start")
        time.sleep(0.005)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextlib.contextmanager
def serve_in_thread(
    config: MockConfig | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    clock: Clock | None = None,
    app: MockApp | None = None,
) -> Iterator[LiveMock]:
    """Serve a mock with uvicorn in a daemon thread; stop it when the block ends.

    Off loopback the config must name its own admin token (ValueError otherwise).
    """
    mock_app = app if app is not None else create_app(config, clock=clock)
    admin_token_for(host, mock_app.service.config.admin_token)  # refuses the default off loopback
    if not is_loopback(host):
        _log.warning("evolink mock listening on %s: reachable from other hosts", host)
    sock = _bind(host, port)
    bound_port = sock.getsockname()[1]
    try:
        with _serving(mock_app, sock):
            yield LiveMock(_url(host, bound_port), host, bound_port, mock_app)
    finally:
        sock.close()


def banner(base_url: str, config: MockConfig) -> str:
    """What the standalone server prints at startup: where, keys, fixture ids, control."""
    lines = [
        f"EvoLink persona mock listening on {base_url}",
        f"  persona tasks take {config.persona_duration:g}s; failure rate {config.failure_rate:g}; "
        f"seed {config.seed}",
        "  users (API keys are mock fixtures, not secrets):",
    ]
    for user in fixtures.USERS:
        credits = config.credits_per_user if user.credits is None else user.credits
        lines.append(f"    {user.user_id:<16} key {user.api_key}  credits {credits:g}")
        for task in user.tasks:
            songs = ", ".join(song.result_id for song in task.songs)
            lines.append(
                f"      {task.task_id}  {task.model:<18} {task.status:<10}"
                + (f" songs: {songs}" if songs else "")
            )
    lines.append(
        f"  control API: {base_url}{CONTROL_PREFIX}... (loopback only, header "
        f"X-Mock-Admin-Token: {config.admin_token})"
    )
    lines.append("  faults per request: header X-Mock-Fault: " + " | ".join(FAULT_MODES))
    return "\n".join(lines)


def _port(text: str) -> int:
    """A TCP port for argparse: a clear usage error, not an OverflowError from bind()."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a number from 0 to 65535, got {text!r}"
        ) from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"must be a number from 0 to 65535, got {port}")
    return port


def _parser() -> argparse.ArgumentParser:
    defaults = MockConfig.demo()
    parser = argparse.ArgumentParser(
        prog="python -m evolink_mock",
        description="Stateful mock of the EvoLink Suno persona API. At start it prints its "
        "users with their API keys (mock fixtures, not secrets), the fixture task ids and "
        "the control API's token; then one line per request (--quiet: none).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="interface to listen on")
    add("--port", type=_port, default=8000, help="port (0 picks a free one)")
    add(
        "--persona-duration",
        type=float,
        default=defaults.persona_duration,
        help="seconds per persona task",
    )
    add(
        "--pending-share",
        type=float,
        default=defaults.pending_share,
        help="share of it spent pending",
    )
    add(
        "--failure-rate", type=float, default=defaults.failure_rate, help="probability a task fails"
    )
    add(
        "--seed",
        type=int,
        default=None,
        help="seed of ids, failures and faults (default: random; printed at startup)",
    )
    add(
        "--credits", type=float, default=defaults.credits_per_user, help="starting credits per user"
    )
    add(
        "--credits-per-creation",
        type=float,
        default=defaults.credits_per_creation,
        help="credits one creation reserves",
    )
    add(
        "--rate-limit",
        type=int,
        default=defaults.rate_limit,
        help="requests per key per window (0: off)",
    )
    add(
        "--rate-window", type=float, default=defaults.rate_window, help="rate-limit window, seconds"
    )
    add(
        "--retention-seconds",
        type=float,
        default=defaults.retention_seconds,
        help="how long a finished task stays readable",
    )
    add(
        "--retention-max-tasks",
        type=int,
        default=defaults.retention_max_tasks,
        help="most persona tasks kept",
    )
    add(
        "--fault-rate",
        type=float,
        default=defaults.fault_rate,
        help="share of requests given a fault",
    )
    add("--fault-modes", default=",".join(defaults.fault_modes), help="comma-separated fault modes")
    add(
        "--slow-seconds",
        type=float,
        default=defaults.slow_seconds,
        help="delay of the 'slow' fault",
    )
    add(
        "--header-timeout",
        type=float,
        default=defaults.header_timeout,
        help="seconds to send a request head",
    )
    add(
        "--body-timeout",
        type=float,
        default=defaults.body_timeout,
        help="seconds to send a request body",
    )
    add(
        "--keep-alive-timeout",
        type=float,
        default=defaults.keep_alive_timeout,
        help="seconds an idle connection stays open",
    )
    add(
        "--max-header-bytes",
        type=int,
        default=defaults.max_header_bytes,
        help="largest request head",
    )
    add(
        "--admin-token",
        default=None,
        help=f"token of the /_mock/ control API (default {DEFAULT_ADMIN_TOKEN} on loopback, "
        "random elsewhere)",
    )
    add(
        "--music-duration",
        type=float,
        default=defaults.music_duration,
        help="seconds a music task takes",
    )
    add(
        "--callback-mode",
        choices=("strict", "test"),
        default=defaults.callback_mode,
        help="strict: the vendor's callback rules (https, no internal address); test: also "
        "http to loopback, for a receiver on this machine",
    )
    add(
        "--callback-remote",
        action="store_true",
        help="also deliver callbacks to hosts other than loopback (off: listed as not sent)",
    )
    add(
        "--quiet",
        action="store_true",
        help="log no request lines, nor the HTTP server's warnings about malformed requests",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the standalone mock until interrupted; returns the exit status."""
    args = _parser().parse_args(argv)
    seeded = {} if args.seed is None else {"seed": args.seed}
    try:
        admin_token = admin_token_for(args.host, args.admin_token)
        config = MockConfig(
            **seeded,
            persona_duration=args.persona_duration,
            pending_share=args.pending_share,
            failure_rate=args.failure_rate,
            credits_per_user=args.credits,
            credits_per_creation=args.credits_per_creation,
            rate_limit=args.rate_limit,
            rate_window=args.rate_window,
            retention_seconds=args.retention_seconds,
            retention_max_tasks=args.retention_max_tasks,
            fault_rate=args.fault_rate,
            fault_modes=tuple(m for m in args.fault_modes.split(",") if m),
            slow_seconds=args.slow_seconds,
            header_timeout=args.header_timeout,
            body_timeout=args.body_timeout,
            keep_alive_timeout=args.keep_alive_timeout,
            max_header_bytes=args.max_header_bytes,
            music_duration=args.music_duration,
            callback_mode=args.callback_mode,
            callback_remote=args.callback_remote,
            admin_token=admin_token,
        )
    except ValueError as exc:
        print(f"evolink-mock: {exc}", file=sys.stderr)
        return 2
    try:
        sock = _bind(args.host, args.port)
    except OSError as exc:
        print(
            f"evolink-mock: cannot listen on {args.host}:{args.port}: {exc.strerror}",
            file=sys.stderr,
        )
        return 1
    base_url = _url(args.host, sock.getsockname()[1])
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    request_log = logging.getLogger("evolink_mock.requests")
    request_log.addHandler(handler)
    request_log.setLevel(logging.WARNING if args.quiet else logging.INFO)
    request_log.propagate = False
    print(banner(base_url, config), flush=True)
    if not is_loopback(args.host):
        print(
            f"evolink-mock: warning: listening on {args.host}, reachable from other hosts. The "
            "API keys are public fixtures; the control API answers loopback clients holding "
            "the admin token printed above.",
            file=sys.stderr,
            flush=True,
        )
    # uvicorn warns of every malformed request ("Invalid HTTP request received"): noise to
    # someone who asked for quiet.
    server = _uvicorn_server(
        create_app(config), graceful_seconds=5, log_level="error" if args.quiet else "warning"
    )
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
        request_log.removeHandler(handler)
    print("EvoLink persona mock stopped.", flush=True)
    return 0
