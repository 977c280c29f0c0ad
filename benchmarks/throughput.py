"""Benchmark 1: our mock against Prism on the same valid creation, then task-detail reads.

Both servers run on 127.0.0.1 in their own process and are loaded in turn by the same wrk
with the same request and key. Ours must keep state and apply every rule; Prism answers
from the document's examples. The same run sends a few invalid requests to both to show
which of them Prism lets through.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
from evolink_mock import fixtures

from ._load import LoadResult, run_wrk
from ._prism import PRISM_VERSION, prism_server
from ._report import BenchReport, Table, Target
from ._servers import running_mock
from ._workload import (
    API_KEY,
    CREATE_PATH,
    add_songs,
    creation_body,
    demo_creation_json,
    fresh_creations,
    open_the_gates,
)

NAME = "throughput"
LOAD_SECONDS = 8.0
WARMUP_SECONDS = 2.0
CONNECTIONS = 16
#: Enough fresh songs for the warm-up and the measured run at well above the rates seen here.
FRESH_SONGS = 60_000
PROBE_TIMEOUT = 5.0


def _invalid_requests() -> list[tuple[str, dict[str, str], bytes]]:
    """(what is wrong, headers, body) for requests both servers should refuse."""
    auth = {"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"}

    def body(**params: Any) -> bytes:
        base = creation_body(fixtures.DEMO_MUSIC_TASK_ID, fixtures.DEMO_SECOND_RESULT_ID)
        base["model_params"].update(params)
        for key in [k for k, v in base["model_params"].items() if v is None]:
            del base["model_params"][key]
        return json.dumps(base).encode()

    return [
        ("vocal window of 31 s", auth, body(vocal_start=0, vocal_end=31)),
        ("vocal window of 5 s", auth, body(vocal_start=0, vocal_end=5)),
        ("vocal_start without vocal_end", auth, body(vocal_end=None)),
        ("vocal_end before vocal_start", auth, body(vocal_start=40, vocal_end=20)),
        ("missing name", auth, body(name=None)),
        ("result_id not a UUID", auth, body(result_id="not-a-uuid")),
        ("source task is suno v3.5", auth, body(source_task_id=fixtures.DEMO_V35_MUSIC_TASK_ID)),
        ("unknown source task", auth, body(source_task_id="task-unified-1774169999-zzzzzzzz")),
        ("unknown bearer token", {**auth, "Authorization": "Bearer sk-not-a-key"}, body()),
        ("no Authorization header", {"Content-Type": "application/json"}, body()),
        ("body is not JSON", auth, b"{not json"),
        ("wrong content type", {**auth, "Content-Type": "text/plain"}, body()),
    ]


def _probe_invalid(base_url: str) -> dict[str, int | None]:
    """Status per invalid request; None when the server gave no answer within the timeout."""
    statuses: dict[str, int | None] = {}
    with httpx.Client(base_url=base_url, timeout=PROBE_TIMEOUT) as client:
        for what, headers, content in _invalid_requests():
            try:
                reply = client.post(CREATE_PATH, headers=headers, content=content)
            except httpx.HTTPError:
                statuses[what] = None
            else:
                statuses[what] = reply.status_code
    return statuses


def _accepts(status: int | None) -> bool:
    return status is not None and 200 <= status < 300


def _shown(status: int | None) -> str:
    return f"no answer in {PROBE_TIMEOUT:g} s" if status is None else str(status)


def _row(server: str, request: str, load: LoadResult) -> list[Any]:
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(load.statuses.items()))
    return [server, request, load.rps, load.p50_ms, load.p90_ms, load.p99_ms, statuses]


def _load(base_url: str, lines: list[tuple[str, str]], method: str, name: str) -> LoadResult:
    return run_wrk(
        base_url,
        lines,
        method=method,
        api_key=API_KEY,
        name=name,
        seconds=LOAD_SECONDS,
        connections=CONNECTIONS,
    )


def run() -> BenchReport:
    started = time.monotonic()
    same = [(CREATE_PATH, demo_creation_json())]
    with prism_server() as prism:
        run_wrk(
            prism.base_url,
            same,
            method="POST",
            api_key=API_KEY,
            name="prism-warmup",
            seconds=WARMUP_SECONDS,
            connections=CONNECTIONS,
        )
        prism_create = _load(prism.base_url, same, "POST", "prism-create")
        prism_invalid = _probe_invalid(prism.base_url)

    with running_mock("mock-throughput", credits=1e12) as mock:
        open_the_gates(mock.base_url)
        pairs = add_songs(mock.base_url, FRESH_SONGS)
        warm, measured = pairs[:10_000], pairs[10_000:]
        run_wrk(
            mock.base_url,
            fresh_creations(warm),
            method="POST",
            api_key=API_KEY,
            name="mock-warmup",
            seconds=WARMUP_SECONDS,
            connections=CONNECTIONS,
        )
        ours_fresh = _load(mock.base_url, fresh_creations(measured), "POST", "mock-create-fresh")
        ours_same = _load(mock.base_url, same, "POST", "mock-create-same")
        detail = [(f"/v1/tasks/{fixtures.DEMO_MUSIC_TASK_ID}", "")]
        ours_detail = _load(mock.base_url, detail, "GET", "mock-task-detail")
        ours_invalid = _probe_invalid(mock.base_url)

    ratio = ours_fresh.rps / prism_create.rps if prism_create.rps else float("nan")
    ratio_same = ours_same.rps / prism_create.rps if prism_create.rps else float("nan")
    exhausted = ours_fresh.requests > len(measured)
    load_table = Table(
        title=f"wrk, 1 thread, {CONNECTIONS} connections, {LOAD_SECONDS:g} s each (after "
        f"{WARMUP_SECONDS:g} s warm-up)",
        columns=["server", "request", "req/s", "p50 ms", "p90 ms", "p99 ms", "statuses"],
        rows=[
            _row(f"Prism {PRISM_VERSION}", "valid creation (same body)", prism_create),
            _row("ours", "valid creation, fresh song each (200)", ours_fresh),
            _row("ours", "same body repeated (400 after 1st)", ours_same),
            _row("ours", "task detail (music task)", ours_detail),
        ],
    )
    ratio_table = Table(
        title="Ratios (ours / Prism, creation)",
        columns=["comparison", "ratio"],
        rows=[
            ["fresh-song creations vs Prism", ratio],
            ["same body (refusals) vs Prism", ratio_same],
        ],
    )
    invalid_rows = [
        [
            what,
            _shown(prism_invalid[what]),
            _shown(ours_invalid[what]),
            _accepts(prism_invalid[what]) and not _accepts(ours_invalid[what]),
        ]
        for what in prism_invalid
    ]
    invalid_table = Table(
        title="Invalid requests: status from each server",
        columns=["request", "Prism", "ours", "Prism accepts, ours refuses"],
        rows=invalid_rows,
    )
    accepted = [
        what
        for what in prism_invalid
        if _accepts(prism_invalid[what]) and not _accepts(ours_invalid[what])
    ]
    notes = [
        "Prism serves the vendor's document `openapi/upstream/suno-persona-creation.yaml`"
        " with `-v error` (no per-request log); ours serves the merged spec, request log off.",
        "Ours keeps state: every fresh-song creation checks auth, the schema, the vocal window, "
        "the source task and the one-persona-per-song claim, reserves a credit and stores a task.",
        f"Prism let through {len(accepted)} of {len(invalid_rows)} invalid requests: "
        + ("; ".join(accepted) if accepted else "none")
        + ".",
    ]
    if exhausted:
        notes.append("The fresh-song list ran out during the run: later requests were refusals.")
    return BenchReport(
        name=NAME,
        title="1. Mock throughput against Prism",
        command="scripts/bench throughput",
        tables=[load_table, ratio_table, invalid_table],
        targets=[
            Target(
                goal="ours ≥ 2x Prism on creation",
                measured=f"{ratio:.2f}x ({ours_fresh.rps:,.0f} vs {prism_create.rps:,.0f} req/s)",
                met=ratio >= 2.0,
                why="" if ratio >= 2.0 else "see the analysis in BENCHMARKS.md",
            )
        ],
        notes=notes,
        data={
            "prism_create": prism_create.to_json(),
            "ours_create_fresh": ours_fresh.to_json(),
            "ours_create_same": ours_same.to_json(),
            "ours_task_detail": ours_detail.to_json(),
            "ratio_fresh": ratio,
            "ratio_same": ratio_same,
            "invalid": {"prism": prism_invalid, "ours": ours_invalid},
        },
        seconds=time.monotonic() - started,
    )
