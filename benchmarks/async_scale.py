"""Benchmark 3: 1,000 creations with their waits at concurrency 64, SDK against raw httpx.

The standalone mock runs with short persona tasks (0.3 s). Each client variant runs in its
own child process (`python -m benchmarks.async_scale VARIANT BASE_URL FIRST_SONG`), so its
peak RSS (`ru_maxrss`) is its own and an open socket left behind shows in its own /proc.
All variants poll on the same schedule (0.1 s, x1.5, capped at 1 s), so the difference is
client work, not polling policy.
"""

from __future__ import annotations

import asyncio
import json
import resource
import subprocess
import sys
import time
from typing import Any

import httpx
from attrs import frozen
from evolink_persona import AsyncPersonaClient, PollPolicy

from ._report import ROOT, BenchReport, Table, Target
from ._servers import open_sockets, running_mock
from ._workload import API_KEY, CREATE_PATH, add_songs, creation_body, open_the_gates

NAME = "async_scale"
CREATIONS = 1_000
CONCURRENCY = 64
TASK_SECONDS = 0.3


@frozen
class GeometricSchedule(PollPolicy):
    """0.1 s, x1.5, capped at 1 s whatever the estimate: the schedule the raw loop uses too."""

    def interval(
        self, poll_number: int, estimated_time: float | None, elapsed: float = 0.0
    ) -> float:
        return min(self.max_interval, self.initial_interval * self.growth**poll_number)


POLL = GeometricSchedule(initial_interval=0.1, growth=1.5, max_interval=1.0)
VARIANTS = ("raw httpx.AsyncClient", "SDK AsyncPersonaClient", "SDK + user's httpx.AsyncClient")


async def _raw_job(http: httpx.AsyncClient, task_id: str, result_id: str) -> str:
    """Create and poll by hand: what a user writes without the SDK, same schedule."""
    headers = {"Authorization": f"Bearer {API_KEY}"}
    reply = await http.post(CREATE_PATH, json=creation_body(task_id, result_id), headers=headers)
    reply.raise_for_status()
    persona_task = reply.json()["id"]
    polls = 0
    while True:
        await asyncio.sleep(POLL.interval(polls, None))
        polls += 1
        seen = await http.get(f"/v1/tasks/{persona_task}", headers=headers)
        seen.raise_for_status()
        task = seen.json()
        if task["status"] == "completed":
            return str(task["result_data"]["persona_id"])
        if task["status"] == "failed":
            raise RuntimeError(task["error"]["code"])


async def _sdk_job(client: AsyncPersonaClient, task_id: str, result_id: str) -> str:
    persona = await client.create_persona_and_wait(
        source_task_id=task_id,
        result_id=result_id,
        name="Bench Singer",
        description="Warm alto vocals over electronic pop",
        vocal_start=10,
        vocal_end=30,
    )
    return persona.persona_id


async def _batch(variant: str, base_url: str, songs: list[tuple[str, str]]) -> dict[str, Any]:
    sockets_before = open_sockets()
    gate = asyncio.Semaphore(CONCURRENCY)
    errors: list[str] = []
    user_http = httpx.AsyncClient(base_url=base_url) if variant != VARIANTS[1] else None
    sdk = None
    if variant != VARIANTS[0]:
        sdk = AsyncPersonaClient(
            API_KEY,
            base_url=base_url,
            poll_policy=POLL,
            max_retries=0,
            http_client=None if user_http is None else user_http,
        )

    async def job(task_id: str, result_id: str) -> None:
        async with gate:
            try:
                if sdk is not None:
                    await _sdk_job(sdk, task_id, result_id)
                else:
                    assert user_http is not None
                    await _raw_job(user_http, task_id, result_id)
            except Exception as exc:  # counted, not raised: the batch must finish
                errors.append(type(exc).__name__)

    started = time.perf_counter()
    await asyncio.gather(*(job(t, r) for t, r in songs))
    elapsed = time.perf_counter() - started
    sockets_open_after_batch = open_sockets() - sockets_before
    if sdk is not None:
        await sdk.aclose()
    if user_http is not None:
        await user_http.aclose()
    return {
        "variant": variant,
        "seconds": elapsed,
        "personas_per_s": len(songs) / elapsed,
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "sockets_after_batch": sockets_open_after_batch,
        "sockets_after_close": open_sockets() - sockets_before,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _child(variant: str, base_url: str, first: int) -> None:
    songs = json.loads(sys.stdin.read())[first : first + CREATIONS]
    result = asyncio.run(_batch(variant, base_url, [(t, r) for t, r in songs]))
    print(json.dumps(result))


def _run_variant(variant: str, base_url: str, songs: list[tuple[str, str]], first: int) -> Any:
    done = subprocess.run(  # noqa: S603 - our own interpreter and module, no shell
        [sys.executable, "-m", "benchmarks.async_scale", variant, base_url, str(first)],
        input=json.dumps(songs),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
        cwd=ROOT,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def run() -> BenchReport:
    started = time.monotonic()
    with running_mock("mock-async", persona_duration=TASK_SECONDS, credits=1e12) as mock:
        open_the_gates(mock.base_url)
        songs = add_songs(mock.base_url, CREATIONS * len(VARIANTS))
        results = [
            _run_variant(variant, mock.base_url, songs, index * CREATIONS)
            for index, variant in enumerate(VARIANTS)
        ]
    raw = results[0]["personas_per_s"]
    rows = [
        [
            r["variant"],
            r["seconds"],
            r["personas_per_s"],
            r["personas_per_s"] / raw,
            r["errors"],
            r["sockets_after_batch"],
            r["sockets_after_close"],
            r["peak_rss_mib"],
        ]
        for r in results
    ]
    sdk = results[1]
    ratio = sdk["personas_per_s"] / raw
    clean = all(r["errors"] == 0 and r["sockets_after_close"] == 0 for r in results[1:])
    return BenchReport(
        name=NAME,
        title="3. Async at scale: 1,000 creations + waits, concurrency 64",
        command="scripts/bench async_scale",
        tables=[
            Table(
                title=f"{CREATIONS:,} create-and-wait jobs, {CONCURRENCY} at a time, "
                f"persona tasks of {TASK_SECONDS:g} s, standalone mock on loopback",
                columns=[
                    "client",
                    "wall s",
                    "personas/s",
                    "ratio to raw",
                    "errors",
                    "sockets open after batch",
                    "sockets open after close",
                    "peak RSS MiB",
                ],
                rows=rows,
            )
        ],
        targets=[
            Target(
                goal="SDK ≥ 0.9x raw throughput",
                measured=f"{ratio:.2f}x",
                met=ratio >= 0.9,
                why="" if ratio >= 0.9 else "see BENCHMARKS.md",
            ),
            Target(
                goal="no errors, no leaked connections",
                measured=f"errors {sdk['errors']}, sockets after close "
                f"{sdk['sockets_after_close']}",
                met=clean,
            ),
        ],
        notes=[
            "The SDK's default pool is 20 connections (DEFAULT_POOL_LIMITS); raw httpx's default "
            "is 100, so at concurrency 64 the default SDK client queues for connections; the "
            "third row gives the SDK a user's client with httpx's defaults.",
            "Peak RSS is each child process's ru_maxrss (interpreter and imports included).",
            "Sockets open after the batch are the keep-alive connections the pool keeps (bounded "
            "by its limits); after close none may remain.",
            "The mock (one uvicorn process) is the bottleneck here: it shares the 2 cores with "
            "the client, so the ratios compare client overheads under the same server limit.",
        ],
        data={"results": results, "ratio": ratio},
        seconds=time.monotonic() - started,
    )


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2], int(sys.argv[3]))
