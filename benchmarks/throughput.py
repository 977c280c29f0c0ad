"""Benchmark 1: our mock against Prism and against its own stack's floor.

Every server runs on 127.0.0.1 in its own process and is loaded in turn by the same wrk
with the same requests and key. Ours must keep state and apply every rule; Prism answers
from the document's examples; the floor (`benchmarks.floor`) is the mock's own server
stack (its guarded protocol included) answering a constant body with no logic, the most
this stack can serve here; the same floor on uvicorn's plain protocol shows what the
guard's connection limits cost. Each
valid creation names a song of its own, sent once, so that row is all 200s. The same run
sends a few invalid requests to Prism and ours to show which of them Prism lets through.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from typing import Any

import httpx
from evolink_mock import create_app, fixtures

from ._load import LoadResult, run_wrk
from ._prism import PRISM_VERSION, prism_server
from ._report import BenchReport, Table, Target
from ._servers import BENCH_DIR, ServerProcess, free_port, running_mock
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
#: The load of each row comes in rounds, the rows taking turns (see `run`).
ROUNDS = 4
ROUND_SECONDS = LOAD_SECONDS / ROUNDS
WARMUP_SECONDS = 2.0
CONNECTIONS = 16
#: Fresh songs for the warm-up and for the measured run: each is sent once (wrk stops if
#: they run out), so these bound the rate a 2 s / 8 s run can show at 25k / 31k req/s.
WARMUP_SONGS = 50_000
MEASURED_SONGS = 250_000
#: Targets of the issue: task-detail reads and valid creations against the floor and Prism.
DETAIL_FLOOR_TARGET = 0.8
CREATION_FLOOR_TARGET = 0.5
CREATION_PRISM_TARGET = 3.5
PROBE_TIMEOUT = 5.0
_FLOOR = "floor (same stack, guarded protocol, constant body)"
_PLAIN = "floor without the guard (plain httptools protocol)"


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
    return [server, request, load.rps, load.p50_ms, load.p90_ms, load.p99_ms, statuses(load)]


def statuses(load: LoadResult) -> str:
    """The statuses wrk counted, with the share of 200s (``200: 5 (100 %)``)."""
    total = sum(load.statuses.values())
    parts = []
    for status, count in sorted(load.statuses.items()):
        share = f" ({100 * count / total:.4g} %)" if status == "200" and total else ""
        parts.append(f"{status}: {count}{share}")
    return ", ".join(parts) or "none"


def all_ok(load: LoadResult) -> bool:
    """Every answer wrk counted was a 200, and there was at least one."""
    return bool(load.statuses) and set(load.statuses) == {"200"}


def ratio(numerator: LoadResult, denominator: LoadResult) -> float:
    """Requests per second of one over the other (NaN when the second served nothing)."""
    return numerator.rps / denominator.rps if denominator.rps else float("nan")


def combine(runs: list[LoadResult]) -> LoadResult:
    """Several short runs as one: requests, time and statuses summed; each latency
    percentile the median of the runs' (the runs' own distributions are not kept)."""
    statuses: dict[str, int] = {}
    for run in runs:
        for status, count in run.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    return LoadResult(
        requests=sum(run.requests for run in runs),
        seconds=sum(run.seconds for run in runs),
        p50_ms=statistics.median(run.p50_ms for run in runs),
        p90_ms=statistics.median(run.p90_ms for run in runs),
        p99_ms=statistics.median(run.p99_ms for run in runs),
        max_ms=max(run.max_ms for run in runs),
        statuses=statuses,
        socket_errors=sum(run.socket_errors for run in runs),
    )


def median_ratio(numerators: list[LoadResult], denominators: list[LoadResult]) -> float:
    """The median over rounds of one row's rate over another's, measured side by side."""
    return statistics.median(ratio(n, d) for n, d in zip(numerators, denominators, strict=True))


def _load(
    base_url: str,
    lines: list[tuple[str, str]],
    method: str,
    name: str,
    *,
    seconds: float = ROUND_SECONDS,
    once: bool = False,
) -> LoadResult:
    return run_wrk(
        base_url,
        lines,
        method=method,
        api_key=API_KEY,
        name=name,
        seconds=seconds,
        connections=CONNECTIONS,
        once=once,
    )


def floor_body() -> bytes:
    """What the floor answers: the bytes the mock sends for the demo music task's detail."""
    service = create_app().service
    detail = service.task_detail(fixtures.DEMO_USER_ID, fixtures.DEMO_MUSIC_TASK_ID)
    return json.dumps(detail).encode()


def _floor_server(*, guarded: bool = True) -> ServerProcess:
    body_file = BENCH_DIR / "floor-body.json"
    body_file.parent.mkdir(parents=True, exist_ok=True)
    body_file.write_bytes(floor_body())
    port = free_port()
    argv = [sys.executable, "-m", "benchmarks.floor", "--port", str(port)]
    argv += ["--body-file", str(body_file)] + ([] if guarded else ["--unguarded"])
    return ServerProcess(argv, port, name="floor" if guarded else "floor-unguarded")


def run() -> BenchReport:
    started = time.monotonic()
    same = [(CREATE_PATH, demo_creation_json())]
    detail = [(f"/v1/tasks/{fixtures.DEMO_MUSIC_TASK_ID}", "")]
    with prism_server() as prism, _floor_server() as floor, _floor_server(guarded=False) as plain:
        with running_mock("mock-throughput", credits=1e12) as mock:
            open_the_gates(mock.base_url)
            pairs = add_songs(mock.base_url, WARMUP_SONGS + MEASURED_SONGS)
            warm, measured = pairs[:WARMUP_SONGS], pairs[WARMUP_SONGS:]
            fresh = fresh_creations(measured)
            share = len(fresh) // ROUNDS
            warm_lines = fresh_creations(warm)
            _load(prism.base_url, same, "POST", "prism-warmup", seconds=WARMUP_SECONDS)
            _load(floor.base_url, detail, "GET", "floor-warmup", seconds=WARMUP_SECONDS)
            _load(plain.base_url, detail, "GET", "plain-warmup", seconds=WARMUP_SECONDS)
            _load(
                mock.base_url, warm_lines, "POST", "mock-warmup", seconds=WARMUP_SECONDS, once=True
            )
            rounds: dict[str, list[LoadResult]] = {
                key: []
                for key in (
                    "floor_get",
                    "plain_get",
                    "ours_detail",
                    "floor_post",
                    "plain_post",
                    "ours_fresh",
                    "prism",
                )
            }
            for turn in range(ROUNDS):
                # Each server in turn, a short run each, so a change in the machine's load hits
                # every row alike; every round gets songs no earlier round used.
                mine = fresh[turn * share : (turn + 1) * share]
                rounds["floor_get"].append(_load(floor.base_url, detail, "GET", "floor-get"))
                rounds["plain_get"].append(_load(plain.base_url, detail, "GET", "plain-get"))
                rounds["ours_detail"].append(_load(mock.base_url, detail, "GET", "mock-detail"))
                rounds["floor_post"].append(_load(floor.base_url, fresh, "POST", "floor-post"))
                rounds["plain_post"].append(_load(plain.base_url, fresh, "POST", "plain-post"))
                rounds["ours_fresh"].append(
                    _load(mock.base_url, mine, "POST", "mock-create-fresh", once=True)
                )
                rounds["prism"].append(_load(prism.base_url, same, "POST", "prism-create"))
            ours_same = _load(mock.base_url, same, "POST", "mock-create-same", seconds=LOAD_SECONDS)
            ours_invalid = _probe_invalid(mock.base_url)
        prism_invalid = _probe_invalid(prism.base_url)

    floor_get, ours_detail = combine(rounds["floor_get"]), combine(rounds["ours_detail"])
    floor_post, ours_fresh = combine(rounds["floor_post"]), combine(rounds["ours_fresh"])
    plain_get, plain_post = combine(rounds["plain_get"]), combine(rounds["plain_post"])
    prism_create = combine(rounds["prism"])
    guard_get = median_ratio(rounds["floor_get"], rounds["plain_get"])
    guard_post = median_ratio(rounds["floor_post"], rounds["plain_post"])
    detail_floor = median_ratio(rounds["ours_detail"], rounds["floor_get"])
    create_floor = median_ratio(rounds["ours_fresh"], rounds["floor_post"])
    prism_ratio = median_ratio(rounds["ours_fresh"], rounds["prism"])
    fresh_ok = all_ok(ours_fresh)
    load_table = Table(
        title=f"wrk, 1 thread, {CONNECTIONS} connections, {LOAD_SECONDS:g} s per row in "
        f"{ROUNDS} rounds of {ROUND_SECONDS:g} s, rows taking turns (after {WARMUP_SECONDS:g} s "
        "warm-up); latencies: median over rounds",
        columns=["server", "request", "req/s", "p50 ms", "p90 ms", "p99 ms", "statuses"],
        rows=[
            _row(_FLOOR, "GET task-detail path", floor_get),
            _row(_PLAIN, "GET task-detail path", plain_get),
            _row(_FLOOR, "POST creation bodies", floor_post),
            _row(_PLAIN, "POST creation bodies", plain_post),
            _row(f"Prism {PRISM_VERSION}", "valid creation (same body)", prism_create),
            _row("ours", "valid creation, a fresh song each, sent once", ours_fresh),
            _row("ours", "same body repeated (400 after 1st)", ours_same),
            _row("ours", "task detail (music task)", ours_detail),
        ],
    )
    ratio_table = Table(
        title=f"Ratios (median over the {ROUNDS} rounds of side-by-side rates)",
        columns=["comparison", "ratio"],
        rows=[
            ["task detail / floor GET", detail_floor],
            ["valid creation / floor POST", create_floor],
            ["valid creation / Prism", prism_ratio],
            ["same body (refusals) / Prism", ratio(ours_same, prism_create)],
            ["the guard's price: floor GET / floor GET without the guard", guard_get],
            ["the guard's price: floor POST / floor POST without the guard", guard_post],
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
        "The floor is `benchmarks/floor.py`: the mock's uvicorn settings "
        "(`evolink_mock.server.uvicorn_config`: proxy headers off, its keep-alive timeout and "
        "its guarded httptools protocol with the request head/body deadlines and head size "
        "cap), uvloop and its listening socket (IPPROTO_TCP, so TCP_NODELAY), answering the "
        "bytes of the music task's detail to every request; for POSTs it reads the body first. "
        "The ratios to the floor are to this guarded floor; the floor without the guard "
        "(uvicorn's plain httptools protocol, all else equal) shows the guard's own price.",
        "Prism serves the vendor's document `openapi/upstream/suno-persona-creation.yaml`"
        " with `-v error` (no per-request log); ours serves the merged spec, request log off.",
        "Ours keeps state: every fresh-song creation checks auth, the schema, the vocal window, "
        "the source task and the one-persona-per-song claim, reserves a credit and stores a task.",
        f"Valid creations: {len(measured):,} fresh songs, each sent once; "
        + (
            "every answer was 200."
            if fresh_ok
            else "NOT every answer was 200: the row is not a clean creation rate."
        ),
        f"Prism let through {len(accepted)} of {len(invalid_rows)} invalid requests: "
        + ("; ".join(accepted) if accepted else "none")
        + ".",
    ]
    if ours_fresh.seconds < LOAD_SECONDS * 0.95:
        notes.append(
            f"The fresh songs of a round ran out ({ours_fresh.seconds:.1f} s of load in all): "
            "the row is a shorter run (its rate is still of 200s only)."
        )

    def target(goal: str, value: float, goal_ratio: float, measured: str) -> Target:
        met = fresh_ok and value >= goal_ratio if "creation" in goal else value >= goal_ratio
        return Target(
            goal=goal,
            measured=measured,
            met=met,
            why="" if met else "see the analysis in BENCHMARKS.md",
        )

    return BenchReport(
        name=NAME,
        title="1. Mock throughput against Prism and the floor",
        command="scripts/bench throughput",
        tables=[load_table, ratio_table, invalid_table],
        targets=[
            target(
                f"task detail ≥ {DETAIL_FLOOR_TARGET}x floor",
                detail_floor,
                DETAIL_FLOOR_TARGET,
                f"{detail_floor:.2f}x ({ours_detail.rps:,.0f} vs {floor_get.rps:,.0f} req/s)",
            ),
            target(
                f"valid creation (all 200) ≥ {CREATION_FLOOR_TARGET}x floor",
                create_floor,
                CREATION_FLOOR_TARGET,
                f"{create_floor:.2f}x ({ours_fresh.rps:,.0f} vs {floor_post.rps:,.0f} req/s)",
            ),
            target(
                f"valid creation (all 200) ≥ {CREATION_PRISM_TARGET}x Prism",
                prism_ratio,
                CREATION_PRISM_TARGET,
                f"{prism_ratio:.2f}x ({ours_fresh.rps:,.0f} vs {prism_create.rps:,.0f} req/s)",
            ),
        ],
        notes=notes,
        data={
            "floor_get": floor_get.to_json(),
            "floor_post": floor_post.to_json(),
            "floor_get_unguarded": plain_get.to_json(),
            "floor_post_unguarded": plain_post.to_json(),
            "ratio_guard_get": guard_get,
            "ratio_guard_post": guard_post,
            "prism_create": prism_create.to_json(),
            "ours_create_fresh": ours_fresh.to_json(),
            "ours_create_same": ours_same.to_json(),
            "ours_task_detail": ours_detail.to_json(),
            "ratio_detail_floor": detail_floor,
            "ratio_create_floor": create_floor,
            "ratio_fresh": prism_ratio,
            "fresh_all_200": fresh_ok,
            "invalid": {"prism": prism_invalid, "ours": ours_invalid},
        },
        seconds=time.monotonic() - started,
    )
