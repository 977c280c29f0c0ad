"""How long to wait between two reads of a task, and when to give up waiting.

The schedule starts short (a persona is often ready in seconds), grows geometrically to a cap
(a slow task should not be hammered), and starts from the service's ``estimated_time`` when it
gave one. ``PersonaWait`` holds the whole waiting decision without I/O so that the sync and
async clients share it and tests drive it with a fake clock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from attrs import frozen

from ._constants import (
    DEFAULT_WAIT_TIMEOUT,
    POLL_ESTIMATE_FRACTION,
    POLL_GROWTH,
    POLL_INITIAL_INTERVAL,
    POLL_MAX_INTERVAL,
)
from ._errors import TaskFailedError, UnexpectedResponseError, WaitTimeoutError
from ._models import COMPLETED, Persona, Task

logger = logging.getLogger("evolink_persona")

ProgressCallback = Callable[[Task], object]


@frozen
class PollPolicy:
    """Polling numbers: first interval, growth factor, cap on one interval, overall deadline."""

    initial_interval: float = POLL_INITIAL_INTERVAL
    growth: float = POLL_GROWTH
    max_interval: float = POLL_MAX_INTERVAL
    estimate_fraction: float = POLL_ESTIMATE_FRACTION
    timeout: float = DEFAULT_WAIT_TIMEOUT

    def interval(self, poll_number: int, estimated_time: float | None) -> float:
        """The wait before read ``poll_number + 1`` (0-based)."""
        first = self.initial_interval
        if estimated_time is not None and estimated_time > 0:
            first = max(first, estimated_time * self.estimate_fraction)
        return min(self.max_interval, first * self.growth**poll_number)


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
        self.task_id = task_id
        self.policy = policy
        self.timeout = policy.timeout if timeout is None else timeout
        self.started = started
        self.estimated_time = estimated_time
        self.polls = 0
        self.last: Task | None = None

    def observe(self, task: Task) -> Persona | None:
        """The persona when ``task`` has it; raise when it ended without; None to go on."""
        self.last = task
        self.polls += 1
        if task.status == COMPLETED:
            if task.persona_id is None:
                raise UnexpectedResponseError(
                    f"task {task.id} completed without result_data.persona_id; "
                    "is it a persona task?"
                )
            return Persona(persona_id=task.persona_id, task_id=task.id, task=task)
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
        return None

    def next_sleep(self, now: float) -> float:
        """Seconds to sleep before the next read; raise WaitTimeoutError past the deadline.

        The last sleep is shortened to end at the deadline, so one read happens right there.
        """
        remaining = self.started + self.timeout - now
        if remaining <= 0:
            last = self.last
            raise WaitTimeoutError(
                task_id=self.task_id,
                waited=now - self.started,
                last_status=last.status if last else None,
                last_progress=last.progress if last else None,
            )
        return min(self.policy.interval(self.polls - 1, self.estimated_time), remaining)
