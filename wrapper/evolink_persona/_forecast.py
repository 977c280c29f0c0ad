"""When a task will end, extrapolated from the progress it reports, and when to stop believing it.

The service reports ``progress`` (0-100) while a task is ``processing``. Two readings that rose
give a rate, and the rate gives a finish time: the next read can land just after it instead of
on a fixed cadence. Progress is the service's word, not a clock, so the forecast is guarded:

- a reading lower than the one before starts a new run (the service restarted its count);
- an unchanged reading (a stall) gives no forecast for that read;
- a reading far behind what the last forecast promised (less than ``tolerance`` of the advance
  it predicted) marks progress as untrustworthy for the rest of the wait: the caller then
  never waits longer than its estimate-based schedule, so lying progress costs reads, not delay;
- readings outside 1-99, absent progress and other statuses are ignored.

The class holds no clock and does no I/O; ``PersonaWait`` feeds it and tests drive it directly.
"""

from __future__ import annotations

import math

from attrs import define, field, frozen

#: Progress the service reports at the end of a task.
FINISHED = 100.0


@frozen
class Reading:
    """One ``processing`` read: seconds into the wait, and the reported progress."""

    elapsed: float
    progress: float


@define
class ProgressForecast:
    """Readings of one task's progress and the finish time they imply."""

    tolerance: float = 0.7
    run: list[Reading] = field(factory=list)
    trusted: bool = True
    _promise: tuple[Reading, float] | None = None

    def observe(self, elapsed: float, progress: float | None) -> None:
        """Record one ``processing`` read; a progress not strictly inside 0-100 is ignored."""
        if progress is None or not math.isfinite(progress) or not 0 < progress < FINISHED:
            return
        reading = Reading(elapsed, float(progress))
        if self.run and reading.progress < self.run[-1].progress:
            self.run.clear()
        self._check_promise(reading)
        self.run.append(reading)

    def _check_promise(self, reading: Reading) -> None:
        # The last forecast said progress would rise at `rate`; far less than that is a lie.
        if self._promise is None:
            return
        base, rate = self._promise
        promised = rate * (reading.elapsed - base.elapsed)
        # One point of slack: the service reports whole percentages.
        if reading.progress - base.progress < promised * self.tolerance - 1:
            self.trusted = False

    def seconds_to_finish(self, elapsed: float) -> float | None:
        """Seconds from ``elapsed`` until progress reaches 100 at the observed rate, or None.

        None when fewer than two readings rose, or the last two are equal (a stall).
        """
        if len(self.run) < 2 or self.run[-1].progress == self.run[-2].progress:
            return None
        first, last = self.run[0], self.run[-1]
        span = last.elapsed - first.elapsed
        if not span > 0:
            return None
        # The whole run, not the last pair: a long baseline averages out whole-percent steps.
        rate = (last.progress - first.progress) / span
        self._promise = (last, rate)
        finish = last.elapsed + (FINISHED - last.progress) / rate
        return max(0.0, finish - elapsed)
