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

    def interval(
        self, poll_number: int, estimated_time: float | None, elapsed: float = 0.0
    ) -> float:
        return 3.0


POLICIES = {"SDK PollPolicy()": PollPolicy(), "fixed 3 s poller": FixedPoller()}


class _CountingTransport(httpx.AsyncBaseTransport):
    """ASGI transport that counts task reads and can replace the creation's estimate."""

    def __init__(self, app: Any, estimate: float | None) -> None:
        self._inner = httpx.ASGITransport(app=app)
        self._estimate = estimate
        self.reads = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        if request.method == "GET":
            self.reads += 1
            return response
        if self._estimate is None:
            return response
        body = json.loads(await response.aread())
        body["task_info"]["estimated_time"] = int(self._estimate)
        return httpx.Response(response.status_code, headers=response.headers, json=body)


@dataclass
class Wait:
    """One task's outcome: its true duration, reads made and how late completion was seen."""

    duration: float
    reads: int
    delay: float


async def _one_task(policy: PollPolicy, duration: float, estimate: float | None) -> Wait:
    clock = ManualClock()
    app = create_app(MockConfig(persona_duration=duration, rate_limit=0), clock=clock)
    transport = _CountingTransport(app, estimate)

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


async def _scenario(estimate: float | None) -> dict[str, dict[str, float]]:
    return {
        name: _summary([await _one_task(policy, d, estimate) for d in DURATIONS])
        for name, policy in POLICIES.items()
    }


def run() -> BenchReport:
    started = time.monotonic()
    scenarios = {
        f"estimate {ESTIMATE:g} s, true 10-30 s": asyncio.run(_scenario(ESTIMATE)),
        "truthful estimate (= true duration)": asyncio.run(_scenario(None)),
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
    main = scenarios[f"estimate {ESTIMATE:g} s, true 10-30 s"]
    sdk, fixed = main["SDK PollPolicy()"], main["fixed 3 s poller"]
    fewer = sdk["reads_per_task"] < fixed["reads_per_task"]
    no_later = sdk["median_delay_s"] <= fixed["median_delay_s"]
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
        targets=[
            Target(
                goal="fewer reads than the fixed 3 s poller",
                measured=f"{sdk['reads_per_task']:.1f} vs {fixed['reads_per_task']:.1f}",
                met=fewer,
            ),
            Target(
                goal="at no worse median delay",
                measured=f"{sdk['median_delay_s']:.1f} s vs {fixed['median_delay_s']:.1f} s",
                met=no_later,
                why="" if no_later else "the SDK reads less often than every 3 s near completion",
            ),
        ],
        notes=[
            f"SDK policy: no read before {policy.estimate_fraction:g} x estimated_time, then "
            f"every {policy.near_interval:g} s until {policy.overrun_factor:g} x the estimate, "
            f"then {policy.backoff_fraction:g} x the overrun, capped at {policy.max_interval:g} s.",
            "Delay = virtual time at which the client saw `completed` minus the task's true end.",
        ],
        data={"scenarios": scenarios, "durations": DURATIONS},
        seconds=time.monotonic() - started,
    )
