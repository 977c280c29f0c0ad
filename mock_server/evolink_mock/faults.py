"""Deliberate misbehaviour: which fault, if any, a public request gets, and what it does.

A fault comes from the `X-Mock-Fault` header of the request itself, from a queue the
control API fills ("the next 3 requests get a 503"), or from a seeded draw at
`fault_rate`. Seeding the draw makes a flaky-network run reproducible.

Each fault acts in one `Phase` of the request: before its effect (it answers instead of
the service, so nothing changes), after it (the service has acted, then the answer waits),
or on the way out (the service has acted, then the answer is damaged). A client that sees
a fault of the last two kinds must assume its request took effect.
"""

from __future__ import annotations

import asyncio
import enum
import random
import threading
from collections.abc import Callable
from typing import ClassVar

import attrs

from .config import FAULT_MODES, MockConfig
from .errors import ApiError, internal_error, rate_limited

__all__ = ["FAULT_HEADER", "Answer", "Fault", "FaultPlan", "Outgoing", "Phase", "parse_fault"]

#: Request header naming a fault for this one request, e.g. `X-Mock-Fault: 503`
#: or `X-Mock-Fault: slow=0.5` (seconds).
FAULT_HEADER = b"x-mock-fault"

_JSON = (b"content-type", b"application/json")
_HTML = (b"content-type", b"text/html")
_GATEWAY_PAGES = {
    502: b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway"
    b"</h1></center><hr><center>nginx</center></body></html>\n",
    503: b"<html><head><title>503 Service Temporarily Unavailable</title></head><body><center>"
    b"<h1>503 Service Temporarily Unavailable</h1></center><hr><center>nginx</center></body>"
    b"</html>\n",
}


class Phase(enum.Enum):
    """When a fault acts, relative to the request's effect on the mock's state."""

    BEFORE_EFFECT = "before the effect"
    AFTER_EFFECT = "after the effect"
    ON_THE_WAY_OUT = "on the way out"


@attrs.frozen
class Answer:
    """A reply that replaces the service's: status, body and headers."""

    status: int
    body: bytes
    headers: tuple[tuple[bytes, bytes], ...]


@attrs.frozen
class Outgoing:
    """How a reply's body leaves: the length announced, the bytes sent, then a drop or not."""

    declared_length: int
    body: bytes
    dropped: bool = False


class _Kind:
    """What one fault mode does; the default of each hook is to do nothing."""

    phase: ClassVar[Phase]

    def answer(self, task_detail: bool) -> Answer | None:
        return None

    def outgoing(self, body: bytes) -> Outgoing:
        return Outgoing(len(body), body)


class _ApiErrorStatus(_Kind):
    phase = Phase.BEFORE_EFFECT

    def __init__(self, error: Callable[[bool], ApiError]) -> None:
        self._error = error

    def answer(self, task_detail: bool) -> Answer:
        error = self._error(task_detail)
        return Answer(error.status, error.body(), (_JSON, *error.headers))


class _GatewayPage(_Kind):
    phase = Phase.BEFORE_EFFECT

    def __init__(self, status: int) -> None:
        self._answer = Answer(status, _GATEWAY_PAGES[status], (_HTML,))

    def answer(self, task_detail: bool) -> Answer:
        return self._answer


class _Slow(_Kind):
    phase = Phase.AFTER_EFFECT


class _Truncated(_Kind):
    phase = Phase.ON_THE_WAY_OUT

    def outgoing(self, body: bytes) -> Outgoing:
        cut = body[: max(1, len(body) // 2)]
        return Outgoing(len(cut), cut)


class _Drop(_Kind):
    phase = Phase.ON_THE_WAY_OUT

    def outgoing(self, body: bytes) -> Outgoing:
        return Outgoing(len(body), body[: len(body) // 2], dropped=True)


_KINDS: dict[str, _Kind] = {
    "429": _ApiErrorStatus(lambda task_detail: rate_limited(1, task_detail=task_detail)),
    "500": _ApiErrorStatus(lambda task_detail: internal_error(task_detail=task_detail)),
    "502": _GatewayPage(502),
    "503": _GatewayPage(503),
    "slow": _Slow(),
    "truncated": _Truncated(),
    "drop": _Drop(),
}


@attrs.frozen
class Fault:
    """One fault for one request: its mode (a key of `FAULT_MODES`) and, for `slow`, a delay."""

    mode: str = attrs.field(validator=attrs.validators.in_(FAULT_MODES))
    delay: float = 0.0

    @property
    def phase(self) -> Phase:
        return _KINDS[self.mode].phase

    def answer(self, *, task_detail: bool) -> Answer | None:
        """Before the effect: the reply that replaces the service's, or None to go on."""
        return _KINDS[self.mode].answer(task_detail)

    async def after_effect(self) -> None:
        """After the effect: hold the answer back (the `slow` fault), else return at once."""
        if self.phase is Phase.AFTER_EFFECT and self.delay > 0:
            await asyncio.sleep(self.delay)

    def outgoing(self, body: bytes) -> Outgoing:
        """On the way out: how the reply's body is sent (cut, dropped or whole)."""
        return _KINDS[self.mode].outgoing(body)


def parse_fault(value: str, default_delay: float) -> Fault | None:
    """Read a header or control value like `503` or `slow=1.5`; None if not a fault."""
    mode, _, argument = value.strip().lower().partition("=")
    if mode not in FAULT_MODES:
        return None
    delay = default_delay
    if mode == "slow" and argument:
        try:
            delay = max(0.0, min(float(argument), 60.0))
        except ValueError:
            return None
    return Fault(mode, delay)


class FaultPlan:
    """The faults still to come: queued ones first, then the seeded rate."""

    def __init__(self, config: MockConfig) -> None:
        self._config = config
        self._rate = config.fault_rate
        self._modes = config.fault_modes
        self._random = random.Random(config.seed ^ 0xFA17)  # noqa: S311 - reproducible on purpose
        self._queue: list[tuple[Fault, int]] = []
        self._lock = threading.Lock()
        #: Whether a request without a fault header may get a fault (a queued one, or the
        #: rate): the app reads this plain attribute and skips `next` when it is false.
        self.armed = self._rate > 0

    def _rearm(self) -> None:
        self.armed = bool(self._queue) or self._rate > 0

    def queue(self, fault: Fault, times: int = 1) -> None:
        with self._lock:
            self._queue.append((fault, times))
            self._rearm()

    def set_rate(self, rate: float, modes: tuple[str, ...] | None = None) -> None:
        with self._lock:
            self._rate = rate
            if modes is not None:
                self._modes = modes
            self._rearm()

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()
            self._rate = 0.0
            self._rearm()

    def state(self) -> dict[str, object]:
        with self._lock:
            return {
                "rate": self._rate,
                "modes": list(self._modes),
                "queued": [{"mode": f.mode, "delay": f.delay, "times": n} for f, n in self._queue],
            }

    def next(self, header: str | None) -> Fault | None:
        """The fault for one public request."""
        if header is not None:
            fault = parse_fault(header, self._config.slow_seconds)
            if fault is not None:
                return fault
        if not self._queue and self._rate <= 0:
            return None
        with self._lock:
            if self._queue:
                fault, times = self._queue[0]
                if times <= 1:
                    self._queue.pop(0)
                    self._rearm()
                else:
                    self._queue[0] = (fault, times - 1)
                return fault
            if self._modes and self._random.random() < self._rate:
                mode = self._random.choice(self._modes)
                return Fault(mode, self._config.slow_seconds)
        return None
