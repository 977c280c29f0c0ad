"""Benchmark 4: what polling costs, on the mock's driven clock (virtual time, in-process).

Each persona task runs on a fresh in-process mock whose `ManualClock` only moves when the
client sleeps, so a 30-second task takes microseconds and every number is exact and
repeatable. True durations are spread around the `estimated_time` the client is told;
we count the task reads per task and the delay between completion and the client
noticing it, for the SDK's polling policy and for a fixed 3-second poller (the interval of
the vendor's sample code), both run through the same SDK wait loop.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from attrs import frozen
from evolink_mock import fixtures
from evolink_mock.app import create_app
from evolink_mock.clock import ManualClock
from evolink_mock.config import MockConfig
from evolink_persona import AsyncPersonaClient, PollPolicy

from ._report import BenchReport, Table, Target

NAME = "polling"
#: The estimate the service gives (the mock's default persona duration).
ESTIMATE = 20.0
#: True durations: 10 s to 30 s in half-second steps, i.e. the estimate ±50 %.
DURATIONS = [ESTIMATE * (0.5 + step / 40) for step in range(41)]


@frozen
class FixedPoller(PollPolicy):
    """The baseline: a read every 3 s whatever the estimate (the vendor's sample code)."""

    use_progress: bool = False

    def interval(
        self, poll_number: int, estimated_time: float | None, elapsed: float = 0.0
    ) -> float:
        return 3.0


@frozen
class OraclePoller(PollPolicy):
    """The limit: a poller told the task's true end reads once, exactly then."""

    true_end: float = 0.0
    use_progress: bool = False

    def interval(
        self, poll_number: int, estimated_time: float | None, elapsed: float = 0.0
    ) -> float:
        return max(0.0, self.true_end - elapsed)


Policy = Callable[[float], PollPolicy]

#: Each row's poller, made for a task of the given true duration.
POLICIES: dict[str, Policy] = {
    "SDK PollPolicy() (progress forecast)": lambda _duration: PollPolicy(),
    "SDK schedule only (use_progress=False)": lambda _duration: PollPolicy(use_progress=False),
    "fixed 3 s poller": lambda _duration: FixedPoller(),
    "oracle (knows the true end)": lambda duration: OraclePoller(true_end=duration),
}
SDK = "SDK PollPolicy() (progress forecast)"
FIXED = "fixed 3 s poller"


def _honest(body: dict[str, Any]) -> None:
    """The mock's own progress: linear while processing, which no real service promises."""


def _stalls(body: dict[str, Any]) -> None:
    """Progress stops at 50 % while the task goes on to finish on time."""
    if body.get("status") == "processing":
        body["progress"] = min(body["progress"], 50)


def _jumps(body: dict[str, Any]) -> None:
    """Progress leaps to 90 % early on and sits there until the end."""
    if body.get("status") == "processing" and body["progress"] > 20:
        body["progress"] = 90


def _absent(body: dict[str, Any]) -> None:
    """No progress at all: the field is missing from every read."""
    body.pop("progress", None)


#: How the service's reported progress is rewritten on the way to the client.
PROGRESS = {
    "honest": _honest,
    "stalls at 50 %": _stalls,
    "jumps to 90 %": _jumps,
    "absent": _absent,
}


class _CountingTransport(httpx.AsyncBaseTransport):
    """ASGI transport that counts task reads and rewrites the estimate and the progress."""

    def __init__(
        self, app: Any, estimate: float | None, progress: Callable[[dict[str, Any]], None]
    ) -> None:
        self._inner = httpx.ASGITransport(app=app)
        self._estimate = estimate
        self._progress = progress
        self.reads = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        body = json.loads(await response.aread())
        if request.method == "GET":
            self.reads += 1
            self._progress(body)
        elif self._estimate is not None:
            body["task_info"]["estimated_time"] = int(self._estimate)
        return httpx.Response(response.status_code, headers=response.headers, json=body)


@dataclass
class Wait:
    """One task's outcome: its true duration, reads made and how late completion was seen."""

    duration: float
    reads: int
    delay: float


async def _one_task(
    policy: PollPolicy,
    duration: float,
    estimate: float | None,
    progress: Callable[[dict[str, Any]], None],
) -> Wait:
    clock = ManualClock()
    app = create_app(MockConfig(persona_duration=duration, rate_limit=0, seed=0), clock=clock)
    transport = _CountingTransport(app, estimate, progress)

    async def sleep(seconds: float) -> None:
        clock.advance(seconds)

    async with (
        httpx.AsyncClient(transport=transport) as http,
        AsyncPersonaClient(
            fixtures.DEMO_API_KEY,
            base_url="http://mock.test",
            http_client=http,
            poll_policy=policy,
            sleep=sleep,
            clock=clock.now,
        ) as client,
    ):
        created = clock.now()
        await client.create_persona_and_wait(
            source_task_id=fixtures.DEMO_MUSIC_TASK_ID,
            result_id=fixtures.DEMO_RESULT_ID,
            name="Bench Singer",
            description="Warm alto vocals",
        )
        return Wait(duration, transport.reads, clock.now() - (created + duration))


def _summary(waits: list[Wait]) -> dict[str, float]:
    delays = sorted(w.delay for w in waits)
    return {
        "reads_per_task": statistics.mean(w.reads for w in waits),
        "median_delay_s": statistics.median(delays),
        "p90_delay_s": delays[int(0.9 * (len(delays) - 1))],
        "max_delay_s": delays[-1],
    }


async def _scenario(
    estimate: float | None, progress: Callable[[dict[str, Any]], None]
) -> dict[str, dict[str, float]]:
    return {
        name: _summary([await _one_task(make(d), d, estimate, progress) for d in DURATIONS])
        for name, make in POLICIES.items()
    }


def scenario_name(estimate: str, progress: str) -> str:
    return f"{estimate}; progress {progress}"


ESTIMATES: dict[str, float | None] = {
    f"estimate {ESTIMATE:g} s, true 10-30 s": ESTIMATE,
    "truthful estimate (= true duration)": None,
}


def _targets(scenarios: dict[str, dict[str, dict[str, float]]]) -> list[Target]:
    honest = [scenario_name(e, "honest") for e in ESTIMATES]
    reads = max(scenarios[name][SDK]["reads_per_task"] for name in honest)
    median = max(scenarios[name][SDK]["median_delay_s"] for name in honest)
    worse = [
        f"{name}: {by_policy[SDK]['p90_delay_s']:.2f} s vs {by_policy[FIXED]['p90_delay_s']:.2f} s"
        for name, by_policy in scenarios.items()
        if by_policy[SDK]["p90_delay_s"] > by_policy[FIXED]["p90_delay_s"]
    ]
    return [
        Target(
            goal="<= 4 reads per task (honest progress, both estimates)",
            measured=f"{reads:.2f} reads/task at worst",
            met=reads <= 4,
        ),
        Target(
            goal="median delay <= 0.5 s (honest progress, both estimates)",
            measured=f"{median:.2f} s at worst",
            met=median <= 0.5,
        ),
        Target(
            goal="p90 delay never worse than the fixed 3 s poller, lying progress included",
            measured="worse in: " + "; ".join(worse) if worse else f"holds in all {len(scenarios)}",
            met=not worse,
        ),
    ]


def run() -> BenchReport:
    started = time.monotonic()
    scenarios = {
        scenario_name(estimate_name, progress_name): asyncio.run(_scenario(estimate, rewrite))
        for estimate_name, estimate in ESTIMATES.items()
        for progress_name, rewrite in PROGRESS.items()
    }
    rows = [
        [
            scenario,
            name,
            s["reads_per_task"],
            s["median_delay_s"],
            s["p90_delay_s"],
            s["max_delay_s"],
        ]
        for scenario, by_policy in scenarios.items()
        for name, s in by_policy.items()
    ]
    policy = PollPolicy()
    return BenchReport(
        name=NAME,
        title="4. Polling cost on the driven clock",
        command="scripts/bench polling",
        tables=[
            Table(
                title=f"{len(DURATIONS)} tasks per row, true durations 10-30 s; virtual time",
                columns=[
                    "scenario",
                    "poller",
                    "reads/task",
                    "median delay s",
                    "p90 delay s",
                    "max delay s",
                ],
                rows=rows,
            )
        ],
        targets=_targets(scenarios),
        notes=[
            f"SDK schedule: no read before {policy.estimate_fraction:g} x estimated_time, then "
            f"every {policy.near_interval:g} s until {policy.overrun_factor:g} x the estimate, "
            f"then {policy.backoff_fraction:g} x the overrun, capped at {policy.max_interval:g} s.",
            "SDK forecast: once two processing reads show rising progress, the next read lands "
            "at the extrapolated end (at least "
            f"{policy.min_interval:g} s, at most {policy.max_interval:g} s away); a read showing "
            f"less than {policy.progress_tolerance:g} of the promised progress makes the "
            "schedule a ceiling again.",
            "Lying progress is rewritten into each task read on the way to the client; the "
            "task itself still ends at its true duration.",
            "Delay = virtual time at which the client saw `completed` minus the task's true end.",
        ],
        data={"scenarios": scenarios, "durations": DURATIONS},
        seconds=time.monotonic() - started,
    )
