"""A whole live run's time budget: past it, the runner sends nothing more and says so.

A per-request timeout bounds one request; a server that makes many of them wait that long
could still hold a run for an hour. Every part of the live runner asks ``RunDeadline``
before it sends, and counts what it did not send, so the report tells how much of the
run the budget cut.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import attrs

__all__ = ["RunDeadline"]


@attrs.define
class RunDeadline:
    """``seconds`` from its creation; ``skipped`` counts the requests it stopped."""

    seconds: float
    clock: Callable[[], float] = time.monotonic
    skipped: int = 0
    _ends: float = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self._ends = self.clock() + self.seconds

    def left(self) -> float:
        return max(0.0, self._ends - self.clock())

    def allows(self) -> bool:
        """Whether one more request may go out; counts it as skipped when not."""
        if self.clock() < self._ends:
            return True
        self.skipped += 1
        return False
