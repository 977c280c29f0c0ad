"""Per-key request budget: a fixed window counted on the injected clock.

A fixed window is the cheapest limiter that still gives a truthful `Retry-After` (the
seconds until the window turns over), and its state is one pair of numbers per key, so
memory is bounded by the number of users.
"""

from __future__ import annotations

import math
import threading

__all__ = ["RateLimiter"]


class RateLimiter:
    """Allow `limit` requests per key per `window` seconds; `limit == 0` turns it off."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._windows: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def set_limit(self, limit: int, window: float | None = None) -> None:
        with self._lock:
            self.limit = limit
            if window is not None:
                self.window = window
            self._windows.clear()

    def hit(self, key: str, now: float) -> int | None:
        """Count one request; return None if allowed, else the seconds to wait."""
        if self.limit <= 0 or self.window <= 0:
            return None
        with self._lock:
            start, count = self._windows.get(key, (now, 0))
            if now - start >= self.window:
                start, count = now, 0
            if count >= self.limit:
                return max(1, math.ceil(start + self.window - now))
            self._windows[key] = (start, count + 1)
            return None
