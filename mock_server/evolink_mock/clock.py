"""Where the mock's time comes from, so tests can drive it instead of sleeping.

The task lifecycle, retention and rate limits read `now()` from an injected clock: the
real one (`SystemClock`) when standalone, a `ManualClock` a test advances by hand.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

__all__ = ["Clock", "ManualClock", "SystemClock"]


class Clock(Protocol):
    """Anything with a `now()` in unix seconds."""

    def now(self) -> float: ...


class SystemClock:
    """Wall-clock time (unix seconds)."""

    #: `time.time` itself: every request reads the clock, and this spares it a frame.
    now = staticmethod(time.time)

    def __repr__(self) -> str:
        return "SystemClock()"


class ManualClock:
    """A clock that only moves when told to; starts at a fixed, plausible unix time."""

    def __init__(self, start: float = 1_774_200_000.0) -> None:
        self._now = float(start)
        self._lock = threading.Lock()

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> float:
        """Move time forward by `seconds` (never backwards) and return the new time."""
        if seconds < 0:
            raise ValueError(f"a clock cannot go backwards (advance by {seconds})")
        with self._lock:
            self._now += seconds
            return self._now

    def __repr__(self) -> str:
        return f"ManualClock(now={self._now})"
