"""The mock's ASGI app alone: CPU µs per task-detail read and per valid creation.

No server and no socket: the app is called in-process with prebuilt scopes, so the number
is the mock's own work per request, the part benchmark 1's floor does not have. Not one of
`scripts/bench`'s benchmarks (it has no baseline of its own): a profiling aid, run as
``python -m benchmarks.app_cpu`` (prints JSON) or ``python -m benchmarks.app_cpu --profile
detail|create`` (prints cProfile's top functions by own time).

Besides the mean over all requests, the JSON gives the 10th percentile of the means of
batches of `--batch` requests: on a shared machine another process's burst slows some
batches, rarely all of them, so the low percentile follows the app's own cost where the
plain mean follows the load.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import time
from collections.abc import MutableMapping
from typing import Any

from evolink_mock import MockApp, MockConfig, create_app, fixtures

from ._workload import CREATE_PATH, SONGS_PER_MUSIC_TASK, creation_body

Request = tuple[dict[str, Any], bytes]

_KEY = fixtures.DEMO_API_KEY.encode()


def _scope(method: str, path: str, body: bytes = b"") -> dict[str, Any]:
    headers = [(b"host", b"127.0.0.1"), (b"authorization", b"Bearer " + _KEY)]
    if body:
        headers += [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    return {"type": "http", "method": method, "path": path, "headers": headers,
            "query_string": b"", "client": ("127.0.0.1", 50000)}  # fmt: skip


async def cpu_us_per_request(app: MockApp, requests: list[Request]) -> float:
    """Process CPU time per request, each answered in full by the app."""

    async def send(message: MutableMapping[str, Any]) -> None:
        return None

    started = time.process_time()
    for scope, body in requests:
        message = {"type": "http.request", "body": body, "more_body": False}

        async def receive(message: dict[str, Any] = message) -> dict[str, Any]:
            return message

        await app(scope, receive, send)
    return (time.process_time() - started) / len(requests) * 1e6


def workload(app: MockApp, count: int) -> tuple[list[Request], list[Request]]:
    """`count` task-detail reads of the demo music task, `count` creations of fresh songs."""
    detail = [(_scope("GET", f"/v1/tasks/{fixtures.DEMO_MUSIC_TASK_ID}"), b"")] * count
    creations: list[Request] = []
    while len(creations) < count:
        task = app.service.add_music_task(fixtures.DEMO_USER_ID, songs=SONGS_PER_MUSIC_TASK)
        for song in task.songs:
            body = json.dumps(creation_body(task.task_id, song.result_id)).encode()
            creations.append((_scope("POST", CREATE_PATH, body), body))
    return detail, creations[:count]


def low_percentile(values: list[float], share: float = 0.1) -> float:
    """The value `share` of the way up the sorted `values` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def batch_means(app: MockApp, requests: list[Request], batch: int) -> list[float]:
    """CPU µs per request of each consecutive batch of `batch` requests."""
    return [
        await cpu_us_per_request(app, requests[start : start + batch])
        for start in range(0, len(requests) - batch + 1, batch)
    ]


async def _main(count: int, profile: str | None, batch: int) -> None:
    app = create_app(MockConfig(rate_limit=0, credits_per_user=1e12))
    detail, creations = workload(app, count + 200)
    await cpu_us_per_request(app, detail[:200])  # first use: the validator, the caches
    await cpu_us_per_request(app, creations[:200])
    chosen = {"detail": detail[200:], "create": creations[200:]}
    if profile is not None:
        profiler = cProfile.Profile()
        profiler.enable()
        await cpu_us_per_request(app, chosen[profile])
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
        return
    means: dict[str, list[float]] = {name: [] for name in chosen}
    for name, reqs in chosen.items():
        means[name] = await batch_means(app, reqs, batch)
    result = {name: round(sum(m) / len(m), 1) for name, m in means.items()}
    low = {name: round(low_percentile(m), 2) for name, m in means.items()}
    print(
        json.dumps(
            {
                "cpu_us_per_request": result,
                "p10_of_batch_means_us": low,
                "requests": count,
                "batch": batch,
            }
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.app_cpu")
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--profile", choices=["detail", "create"])
    args = parser.parse_args(argv)
    asyncio.run(_main(args.requests, args.profile, max(1, min(args.batch, args.requests))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
