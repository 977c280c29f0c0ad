"""How long to wait between two reads of a task, and when to give up waiting.

With the service's ``estimated_time`` the schedule is anchored to it: no read before half the
estimate, a read every 2 s (a tenth of a long estimate) while the task is plausibly finishing
(up to 1.5x the estimate), then waits that grow with the overrun up to a cap, so a stuck task
is not hammered. Without an estimate it starts short (a persona is often ready in seconds) and
grows geometrically to the cap. Once the task reports rising ``progress``, the finish time is
extrapolated from it (``_forecast``) and the next read lands just after it, never later than
the cap; progress that breaks its own forecast falls back to the schedule above. Measured
against a fixed 3 s poller and an oracle that knows the true end in BENCHMARKS.md.
``PersonaWait`` holds the whole waiting decision without I/O so that the sync and
async clients share it and tests drive it with a fake clock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from attrs import frozen

from ._constants import (
    DEFAULT_WAIT_TIMEOUT,
    POLL_BACKOFF_FRACTION,
    POLL_ESTIMATE_FRACTION,
    POLL_GROWTH,
    POLL_INITIAL_INTERVAL,
    POLL_MAX_INTERVAL,
    POLL_MIN_INTERVAL,
    POLL_NEAR_INTERVAL,
    POLL_OVERRUN_FACTOR,
    POLL_PROGRESS_TOLERANCE,
)
from ._errors import (
    NoSongsError,
    NotAPersonaTaskError,
    RequestValidationError,
    TaskFailedError,
    UnexpectedResponseError,
    WaitTimeoutError,
)
from ._forecast import ProgressForecast
from ._models import COMPLETED, Persona, Song, Task
from ._rules import PERSONA_MODEL, Violation

logger = logging.getLogger("evolink_persona")

ProgressCallback = Callable[[Task[Any]], object]


@frozen
class PollPolicy:
    """Polling numbers (see the module docstring and ``_constants`` for the reasoning)."""

    initial_interval: float = POLL_INITIAL_INTERVAL
    growth: float = POLL_GROWTH
    max_interval: float = POLL_MAX_INTERVAL
    estimate_fraction: float = POLL_ESTIMATE_FRACTION
    near_interval: float = POLL_NEAR_INTERVAL
    overrun_factor: float = POLL_OVERRUN_FACTOR
    backoff_fraction: float = POLL_BACKOFF_FRACTION
    timeout: float = DEFAULT_WAIT_TIMEOUT
    #: Extrapolate the finish time from reported progress (False: the schedule alone).
    use_progress: bool = True
    #: The shortest wait a progress forecast may ask for.
    min_interval: float = POLL_MIN_INTERVAL
    #: Share of a forecast's promised progress a read must show for progress to stay trusted.
    progress_tolerance: float = POLL_PROGRESS_TOLERANCE

    def interval(
        self, poll_number: int, estimated_time: float | None, elapsed: float = 0.0
    ) -> float:
        """The wait before read ``poll_number + 1`` (0-based), ``elapsed`` seconds into the wait."""
        if estimated_time is None or not estimated_time > 0:
            try:
                grown = self.initial_interval * self.growth**poll_number
            except OverflowError:  # poll ~1750 of a wait of many hours: long past the cap
                return self.max_interval
            return min(self.max_interval, grown)
        # A long estimate still gets a read (and a progress report) every max_interval.
        first_look = estimated_time * self.estimate_fraction
        if elapsed < first_look:
            return min(self.max_interval, max(self.initial_interval, first_look - elapsed))
        near = min(self.max_interval, max(self.near_interval, estimated_time * 0.1))
        overrun = elapsed - estimated_time * self.overrun_factor
        if overrun <= 0:
            return near
        return min(self.max_interval, max(near, overrun * self.backoff_fraction))

    def next_interval(
        self,
        poll_number: int,
        estimated_time: float | None,
        elapsed: float,
        forecast: ProgressForecast | None = None,
    ) -> float:
        """The wait before the next read, using the progress ``forecast`` where it is trusted."""
        scheduled = self.interval(poll_number, estimated_time, elapsed)
        if not self.use_progress or forecast is None:
            return scheduled
        remaining = forecast.seconds_to_finish(elapsed)
        if remaining is None:
            # One reading gives no rate yet: a second look soon gives one.
            if len(forecast.run) == 1:
                return min(scheduled, max(self.min_interval, self.near_interval))
            return scheduled
        wait = min(self.max_interval, max(self.min_interval, remaining))
        if not forecast.trusted:
            return min(wait, scheduled)
        if estimated_time is not None and elapsed < estimated_time:
            # Progress that rises too slowly (a stall in the making) must not carry the
            # first read past the service's own estimate of the end.
            wait = min(wait, max(self.min_interval, estimated_time - elapsed))
        return wait


def _is_seconds(value: object) -> bool:
    # NaN never compares past a deadline, so a wait with it would never end.
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def check_wait_timeout(timeout: float | None) -> None:
    """RequestValidationError for a wait ``timeout`` no deadline can be made of."""
    if timeout is not None and not _is_seconds(timeout):
        raise RequestValidationError(
            [Violation("timeout", "must be a number of seconds (not NaN) or None")]
        )


class PersonaWait:
    """The state of one wait_for_persona call."""

    def __init__(
        self,
        task_id: str,
        *,
        policy: PollPolicy,
        timeout: float | None,
        started: float,
        estimated_time: float | None = None,
    ) -> None:
        problems = [
            Violation(name, "must be a number of seconds (not NaN) or None")
            for name, value in (("timeout", timeout), ("estimated_time", estimated_time))
            if value is not None and not _is_seconds(value)
        ]
        if problems:
            raise RequestValidationError(problems)
        self.task_id = task_id
        self.policy = policy
        self.timeout = policy.timeout if timeout is None else timeout
        self.started = started
        self.estimated_time = estimated_time
        self.polls = 0
        self.last: Task[Any] | None = None
        self.forecast = ProgressForecast(tolerance=policy.progress_tolerance)
        self._forecast_reads = 0

    def observe(self, task: Task[Any]) -> Persona | None:
        """The persona when ``task`` has it; raise when it ended without; None to go on."""
        self.last = task
        self.polls += 1
        if task.persona_id is None and (
            (task.model is not None and task.model != PERSONA_MODEL) or task.songs
        ):
            # A music task's id passed by mistake: it would never carry a persona_id. A task
            # that does carry one is a persona result whatever its informative fields say.
            raise NotAPersonaTaskError(task_id=task.id, model=task.model)
        if task.status == COMPLETED:
            if task.persona_id is None:
                raise UnexpectedResponseError(
                    f"task {task.id} completed without result_data.persona_id; "
                    "is it a persona task?",
                    task_id=task.id,
                )
            return Persona(persona_id=task.persona_id, task_id=task.id, task=task)
        _raise_if_ended(task)
        return None

    def observe_songs(self, task: Task[Any]) -> tuple[Song, ...] | None:
        """For a music task: its songs once completed; raise when it ended without; None to
        go on. A persona task's id passed by mistake completes with no songs."""
        self.last = task
        self.polls += 1
        if task.status == COMPLETED:
            if not task.songs:
                raise NoSongsError(task_id=task.id, status=task.status, model=task.model)
            return task.songs
        _raise_if_ended(task)
        return None

    def next_sleep(self, now: float) -> float:
        """Seconds to sleep before the next read; raise WaitTimeoutError past the deadline.

        The last sleep is shortened to end at the deadline, so one read happens right there.
        """
        remaining = self.started + self.timeout - now
        last = self.last
        if remaining <= 0:
            raise WaitTimeoutError(
                task_id=self.task_id,
                waited=now - self.started,
                last_status=last.status if last else None,
                last_progress=last.progress if last else None,
            )
        elapsed = now - self.started
        if last is not None and self._forecast_reads < self.polls:
            self._forecast_reads = self.polls
            if last.status == "processing":
                self.forecast.observe(elapsed, last.progress)
        policy, forecast = self.policy, self.forecast
        wait = policy.next_interval(self.polls - 1, self.estimated_time, elapsed, forecast)
        return min(wait, remaining)


def _raise_if_ended(task: Task[Any]) -> None:
    """A task that ended other than completed (failed, cancelled) raises TaskFailedError."""
    if task.is_terminal:
        error = task.error
        raise TaskFailedError(
            error.message if error else "no error given",
            task_id=task.id,
            status=task.status,
            code=error.code if error else None,
            retryable=error.retryable if error else None,
            type=error.type if error else None,
        )
    if not task.status_known:
        logger.debug("task %s: unknown status %r, still waiting", task.id, task.status)
