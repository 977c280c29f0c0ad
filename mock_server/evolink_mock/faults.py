"""Deliberate misbehaviour: which fault, if any, a public request gets.

A fault comes from the `X-Mock-Fault` header of the request itself, from a queue the
control API fills ("the next 3 requests get a 503"), or from a seeded draw at
`fault_rate`. Seeding the draw makes a flaky-network run reproducible.
"""

from __future__ import annotations

import random
import threading

import attrs

from .config import FAULT_MODES, MockConfig

__all__ = ["FAULT_HEADER", "Fault", "FaultPlan", "parse_fault"]

#: Request header naming a fault for this one request, e.g. `X-Mock-Fault: 503`
#: or `X-Mock-Fault: slow=0.5` (seconds).
FAULT_HEADER = b"x-mock-fault"


@attrs.frozen
class Fault:
    mode: str
    delay: float = 0.0


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

    def queue(self, fault: Fault, times: int = 1) -> None:
        with self._lock:
            self._queue.append((fault, times))

    def set_rate(self, rate: float, modes: tuple[str, ...] | None = None) -> None:
        with self._lock:
            self._rate = rate
            if modes is not None:
                self._modes = modes

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()
            self._rate = 0.0

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
                else:
                    self._queue[0] = (fault, times - 1)
                return fault
            if self._modes and self._random.random() < self._rate:
                mode = self._random.choice(self._modes)
                return Fault(mode, self._config.slow_seconds)
        return None
