"""Benchmark 5: the standalone mock's resident memory over 100,000 creations.

The mock runs with its default retention. All 100,000 songs are added before the clock
starts (they are the benchmark's input, not the mock's growth), then wrk sends one creation
per song while RSS is sampled from /proc together with the number of creations so far (read
from the credits spent). Once retention starts forgetting tasks, the curve should flatten.
At wrk's rate the count bound (10,000 tasks) forgets tasks within a second, before their
20 s duration ends, so what stays per creation is only the song's claim ("one persona per
song" outlives the task); the mock keeps that in a slot allocated with the song.

"Flat" is judged per creation over the second half, not against the total: the growth
divided by the creations in that window must stay under `FLAT_BYTES_PER_CREATION`, which
allocator noise passes and one dict entry or one short string per creation fails.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from evolink_mock.config import MockConfig

from ._load import request_lines, run_wrk_background
from ._report import BenchReport, Table, Target, sparkline
from ._servers import BENCH_DIR, rss_mib, running_mock
from ._workload import API_KEY, add_songs, credits_spent, fresh_creations, open_the_gates

NAME = "memory"
CREATIONS = 100_000
TIME_LIMIT = 150.0
SAMPLE_EVERY = 1.0
LIMIT_MIB = 300.0
FLAT_BYTES_PER_CREATION = 16.0


def _flat(samples: list[tuple[int, float]]) -> tuple[float, float]:
    """RSS growth over the second half of the creations: MiB, and bytes per creation."""
    half = samples[-1][0] / 2
    later = [(done, rss) for done, rss in samples if done >= half]
    if len(later) < 2 or later[-1][0] == later[0][0]:
        return float("nan"), float("nan")
    (done_a, rss_a), (done_b, rss_b) = later[0], later[-1]
    return rss_b - rss_a, (rss_b - rss_a) * 2**20 / (done_b - done_a)


def run() -> BenchReport:
    started = time.monotonic()
    defaults = MockConfig()
    with running_mock(
        "mock-memory", credits=1e12, persona_duration=defaults.persona_duration
    ) as mock:
        open_the_gates(mock.base_url)
        rss_start = rss_mib(mock.pid)
        songs = add_songs(mock.base_url, CREATIONS)
        rss_songs = rss_mib(mock.pid)
        table = Path(BENCH_DIR / "wrk" / "memory.tsv")
        table.parent.mkdir(parents=True, exist_ok=True)
        table.write_text(request_lines(fresh_creations(songs)))
        samples: list[tuple[int, float]] = [(0, rss_songs)]
        wrk = run_wrk_background(
            mock.base_url, table, method="POST", api_key=API_KEY, seconds=TIME_LIMIT
        )
        try:
            deadline = time.monotonic() + TIME_LIMIT
            while time.monotonic() < deadline and wrk.poll() is None:
                time.sleep(SAMPLE_EVERY)
                samples.append((credits_spent(mock.base_url), rss_mib(mock.pid)))
                if samples[-1][0] >= CREATIONS:
                    break
        finally:
            wrk.terminate()
            wrk.wait(timeout=30)
        rss_end = rss_mib(mock.pid)
    done = samples[-1][0]
    growth_late, per_creation = _flat(samples)
    steps = [rss for _, rss in samples]
    rows: list[list[Any]] = [
        [done_so_far, rss] for done_so_far, rss in samples[:: max(1, len(samples) // 12)]
    ]
    rows.append(list(samples[-1]))
    under = rss_end < LIMIT_MIB and done >= CREATIONS
    flat = per_creation < FLAT_BYTES_PER_CREATION
    return BenchReport(
        name=NAME,
        title="5. Mock memory over 100,000 creations",
        command="scripts/bench memory",
        tables=[
            Table(
                title=f"RSS of the standalone mock (retention: {defaults.retention_max_tasks:,} "
                f"tasks or {defaults.retention_seconds:g} s, the defaults)",
                columns=["creations", "RSS MiB"],
                rows=rows,
            ),
            Table(
                title="Summary",
                columns=[
                    "at start",
                    "after adding 100k songs",
                    "after the creations",
                    "growth over the 2nd half",
                ],
                rows=[[rss_start, rss_songs, rss_end, growth_late]],
            ),
        ],
        targets=[
            Target(
                goal="mock < 300 MB after 100,000 creations",
                measured=f"{rss_end:.0f} MiB after {done:,} creations",
                met=under,
            ),
            Target(
                goal="flat once retention kicks in "
                f"(< {FLAT_BYTES_PER_CREATION:g} B per creation over the 2nd half)",
                measured=f"{growth_late:+.1f} MiB over the second half "
                f"({per_creation:+.0f} B per creation)",
                met=flat,
                why="" if flat else "see BENCHMARKS.md: what keeps growing",
            ),
        ],
        notes=[
            f"RSS over creations, one mark per {SAMPLE_EVERY:g} s, from {min(steps):.0f} to "
            f"{max(steps):.0f} MiB: `{sparkline(steps)}`"
        ],
        data={
            "samples": samples,
            "rss_start": rss_start,
            "rss_songs": rss_songs,
            "rss_end": rss_end,
            "creations": done,
            "growth_late_mib": growth_late,
            "bytes_per_creation_late": per_creation,
        },
        seconds=time.monotonic() - started,
    )
