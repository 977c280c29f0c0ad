"""Task callbacks: one POST of the task-detail body when a task ends, as the vendor states it.

The music document's `callback_url` prose, rule by rule:

- "one callback only when the task reaches a terminal state: `completed`, `failed`, or
  `cancelled`"; "the callback body matches the task detail structure";
- "HTTPS only"; "Callbacks to internal IP addresses are prohibited"; "URL length must not
  exceed `2048` characters" (checked when the task is created: `callback_url_problem`);
- "Per-attempt timeout: `10` seconds"; "Up to `3` retries after the initial request fails";
  "A 2xx response is considered successful".

The vendor gives no delay between retries; the mock waits `RETRY_DELAYS` of its own clock.
Strict mode (the default) applies the address rules as written. Test mode (`callback_mode =
"test"`) also accepts loopback addresses over plain http, so a test or the demo can receive
callbacks on 127.0.0.1; every other rule is the same. Deliveries run on a worker thread
that the dispatcher owns and that stops when nothing is left to deliver (on a manual clock:
when nothing is due until the clock moves), so a request never waits on a receiver. Every
attempt is kept and served by the control API.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import ssl
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import attrs
import httpx

__all__ = [
    "ATTEMPT_TIMEOUT",
    "MAX_RETRIES",
    "RETRY_DELAYS",
    "Callback",
    "CallbackDispatcher",
    "DeliveryAttempt",
    "callback_url_problem",
]

ATTEMPT_TIMEOUT = 10.0
MAX_RETRIES = 3
#: Seconds (of the mock's clock) before retry 1, 2 and 3.
RETRY_DELAYS: tuple[float, ...] = (1.0, 2.0, 4.0)
_INTERNAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa")

Sender = Callable[[str, bytes, float], int]


def _host_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def callback_url_problem(url: str, *, allow_loopback: bool = False) -> str | None:
    """Why a callback URL is refused (`None`: it is acceptable). `allow_loopback`: test mode."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return "is not a valid URL"
    if not host:
        return "has no host"
    address = _host_address(host)
    loopback = (address is not None and address.is_loopback) or host == "localhost"
    if loopback and allow_loopback:
        if parts.scheme not in ("https", "http"):
            return "must use https (or http to a loopback address in test mode)"
        return None
    if parts.scheme != "https":
        return "must use https"
    if address is not None:
        if not address.is_global or address.is_multicast:
            return f"must not point at an internal address ({host})"
    elif host == "localhost" or host.endswith(_INTERNAL_SUFFIXES) or "." not in host:
        return f"must not point at an internal host ({host})"
    return None


@attrs.frozen
class DeliveryAttempt:
    """One POST of a callback: when (mock time), what came back, whether it counted."""

    attempt: int  # 1 is the initial request, 2.. are the retries
    at: float
    status: int | None  # None when no response came (timeout, refused connection)
    delivered: bool
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.define
class Callback:
    """The callback of one task: where it goes, when it is due, what happened so far."""

    task_id: str
    owner: str
    url: str
    due: float  # mock time of the next attempt
    body: bytes | None = None  # the terminal task detail, fixed at the first attempt
    attempts: list[DeliveryAttempt] = attrs.Factory(list)
    delivered: bool = False
    exhausted: bool = False
    in_flight: bool = False

    @property
    def pending(self) -> bool:
        return not (self.delivered or self.exhausted)

    def to_json(self) -> dict[str, Any]:
        return {
            "task_id": self.task_id,
            "user": self.owner,
            "url": self.url,
            "delivered": self.delivered,
            "exhausted": self.exhausted,
            "next_attempt_at": self.due if self.pending else None,
            "body": json.loads(self.body) if self.body is not None else None,
            "attempts": [a.to_json() for a in self.attempts],
        }


#: Why a callback to a host other than loopback was not sent (see `MockConfig.callback_remote`).
NOT_REMOTE = (
    "not sent: the mock calls back only to loopback hosts unless callback_remote is on "
    "(--callback-remote)"
)


def _is_loopback_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    address = _host_address(host)
    return host == "localhost" or (address is not None and address.is_loopback)


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every delivery: building one loads the CA bundle (about 30 ms,
    which a client per delivery paid each time)."""
    return httpx.create_ssl_context(trust_env=False)


def _http_sender() -> Sender:
    def send(url: str, body: bytes, timeout: float) -> int:
        with httpx.Client(
            timeout=timeout, follow_redirects=False, trust_env=False, verify=_tls()
        ) as client:
            response = client.post(
                url,
                content=body,
                headers={"content-type": "application/json", "user-agent": "evolink-mock"},
            )
            return response.status_code

    return send


class CallbackDispatcher:
    """Owns every callback of one mock and the thread that delivers them.

    `now` is the mock's clock; `terminal_body(task_id)` is the task-detail body of an
    ended task (None while it runs). `send` does one POST and returns its status or raises.
    """

    def __init__(
        self,
        now: Callable[[], float],
        terminal_body: Callable[[str], dict[str, Any] | None],
        *,
        send: Sender | None = None,
        timeout: float = ATTEMPT_TIMEOUT,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
        idle_poll: float = 0.05,
        manual_clock: bool = False,
        remote: bool = False,
    ) -> None:
        self._now = now
        self._terminal_body = terminal_body
        self._send = send or _http_sender()
        self.timeout = timeout
        self.retry_delays = retry_delays
        self._idle_poll = idle_poll
        # On a manual clock nothing falls due by itself: the worker stops when nothing is
        # due now, and `poke` (the clock moved) starts it again.
        self._manual_clock = manual_clock
        self.remote = remote
        self._callbacks: dict[str, Callback] = {}
        self._lock = threading.Condition()
        self._worker: threading.Thread | None = None
        self._closed = False

    # --- what the service tells it ----------------------------------------------------

    def register(self, task_id: str, owner: str, url: str, due: float) -> None:
        """A task with a callback: deliver when it ends (at `due`, or earlier if cancelled)."""
        with self._lock:
            self._callbacks[task_id] = Callback(task_id, owner, url, due)
            self._start_worker()

    def reschedule(self, task_id: str, due: float) -> None:
        """The task ends earlier than planned (cancelled): its callback is due now."""
        with self._lock:
            callback = self._callbacks.get(task_id)
            if callback is not None and callback.pending and not callback.attempts:
                callback.due = due
                self._start_worker()

    def poke(self) -> None:
        """The clock moved: look at what is due now."""
        with self._lock:
            if any(c.pending for c in self._callbacks.values()):
                self._start_worker()
            self._lock.notify_all()

    # --- what the control API and tests read ------------------------------------------

    def callbacks(self) -> list[Callback]:
        with self._lock:
            return list(self._callbacks.values())

    def get(self, task_id: str) -> Callback | None:
        with self._lock:
            return self._callbacks.get(task_id)

    def settle(self, timeout: float = 30.0) -> bool:
        """Wait until no callback is due at the current mock time; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._lock:
            self._start_worker()
            self._lock.notify_all()
            while self._due_or_flying(self._now()):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._lock.wait(min(remaining, self._idle_poll))
            return True

    def close(self) -> None:
        """Stop the worker (pending callbacks stay pending)."""
        with self._lock:
            self._closed = True
            self._lock.notify_all()
            worker = self._worker
        if worker is not None and worker is not threading.current_thread():
            worker.join(timeout=self.timeout + 1)

    def clear(self) -> None:
        with self._lock:
            self._callbacks.clear()
            self._lock.notify_all()

    # --- the worker -------------------------------------------------------------------

    def _due_or_flying(self, now: float) -> bool:
        return any(c.in_flight or (c.pending and c.due <= now) for c in self._callbacks.values())

    def _start_worker(self) -> None:
        if self._closed or (self._worker is not None and self._worker.is_alive()):
            return
        self._worker = threading.Thread(
            target=self._run, name="evolink-mock-callbacks", daemon=True
        )
        self._worker.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                if self._closed or not any(c.pending for c in self._callbacks.values()):
                    self._worker = None
                    self._lock.notify_all()
                    return
                now = self._now()
                due = [c for c in self._callbacks.values() if c.pending and c.due <= now]
                if not due:
                    if self._manual_clock:
                        self._worker = None
                        self._lock.notify_all()
                        return
                    earliest = min(c.due for c in self._callbacks.values() if c.pending)
                    self._lock.wait(min(1.0, max(self._idle_poll, earliest - now)))
                    continue
                for callback in due:
                    callback.in_flight = True
            for callback in due:
                self._attempt(callback)

    def _attempt(self, callback: Callback) -> None:
        if callback.body is None:
            body = self._terminal_body(callback.task_id)
            if body is None:  # not ended after all (the clock was set back by a reset)
                with self._lock:
                    callback.in_flight = False
                    callback.due = self._now() + self.retry_delays[0]
                return
            callback.body = json.dumps(body).encode()
        status: int | None = None
        error: str | None = None
        if not self.remote and not _is_loopback_url(callback.url):
            with self._lock:
                number = len(callback.attempts) + 1
                callback.attempts.append(
                    DeliveryAttempt(number, self._now(), None, False, NOT_REMOTE)
                )
                callback.in_flight = False
                callback.exhausted = True
            return
        try:
            status = self._send(callback.url, callback.body, self.timeout)
        except httpx.TimeoutException:
            error = f"no response within {self.timeout:g} s"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        delivered = status is not None and 200 <= status < 300
        with self._lock:
            now = self._now()
            number = len(callback.attempts) + 1
            callback.attempts.append(DeliveryAttempt(number, now, status, delivered, error))
            callback.in_flight = False
            if delivered:
                callback.delivered = True
            elif number > len(self.retry_delays):
                callback.exhausted = True
            else:
                callback.due = now + self.retry_delays[number - 1]
            self._lock.notify_all()
