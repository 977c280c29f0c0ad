"""Benchmark 1's pure parts: combining rounds, side-by-side ratios, the floor app. No timings."""

from __future__ import annotations

import asyncio
import math
from typing import Any

from benchmarks._load import LoadResult
from benchmarks.floor import ConstantApp, floor_config
from benchmarks.throughput import all_ok, combine, median_ratio, ratio, statuses


def _load(requests: int, seconds: float = 2.0, **statuses: int) -> LoadResult:
    counts = {k.lstrip("s"): v for k, v in statuses.items()} or {"200": requests}
    return LoadResult(requests, seconds, 1.0, 2.0, 3.0, 4.0, counts)


def test_rounds_combine_into_summed_requests_time_and_statuses() -> None:
    runs = [_load(100, s200=90, s400=10), _load(300, s200=300), _load(200, s200=200)]
    combined = combine(runs)
    assert combined.requests == 600
    assert combined.seconds == 6.0
    assert combined.statuses == {"200": 590, "400": 10}
    assert combined.rps == 100.0


def test_the_ratio_is_the_median_of_the_rounds_not_of_the_sums() -> None:
    ours = [_load(100), _load(100), _load(1000)]
    base = [_load(200), _load(100), _load(100)]
    assert median_ratio(ours, base) == 1.0
    assert ratio(combine(ours), combine(base)) == 3.0


def test_a_ratio_over_a_server_that_served_nothing_is_nan() -> None:
    assert math.isnan(ratio(_load(10), _load(0, seconds=0.0)))


def test_only_a_run_of_200s_counts_as_all_ok_and_says_its_share() -> None:
    assert all_ok(_load(5))
    assert not all_ok(_load(5, s200=4, s400=1))
    assert not all_ok(LoadResult(0, 1.0, 0, 0, 0, 0, {}))
    assert statuses(_load(4, s200=3, s400=1)) == "200: 3 (75 %), 400: 1"


def test_the_floor_answers_every_request_with_the_same_bytes() -> None:
    app = ConstantApp(b'{"id": 1}')

    async def exchange(method: str) -> list[dict[str, Any]]:
        sent: list[dict[str, Any]] = []
        bodies = [{"type": "http.request", "body": b"{", "more_body": True},
                  {"type": "http.request", "body": b"}", "more_body": False}]  # fmt: skip

        async def receive() -> dict[str, Any]:
            return bodies.pop(0)

        async def send(message: Any) -> None:
            sent.append(dict(message))

        await app({"type": "http", "method": method, "path": "/x"}, receive, send)
        assert not bodies or method == "GET"  # a POST body is read to its end
        return sent

    for method in ("GET", "POST"):
        start, body = asyncio.run(exchange(method))
        assert start["status"] == 200
        assert (b"content-length", b"9") in start["headers"]
        assert body["body"] == b'{"id": 1}'


def test_the_floor_serves_with_the_mocks_own_uvicorn_settings_guard_included() -> None:
    from evolink_mock import create_app
    from evolink_mock.connections import ConnectionLimits
    from evolink_mock.server import _uvicorn_server

    mock = _uvicorn_server(create_app(), graceful_seconds=5).config
    floor = floor_config(b"{}")
    same = ("proxy_headers", "timeout_keep_alive", "access_log", "lifespan", "loop")
    assert {k: getattr(floor, k) for k in same} == {k: getattr(mock, k) for k in same}
    limits = [getattr(config.http, "limits", None) for config in (floor, mock)]
    assert limits[0] == limits[1] == ConnectionLimits(10.0, 10.0, 64 * 1024)
    # The guard's price is measured against uvicorn's own protocol, everything else equal.
    plain = floor_config(b"{}", guarded=False)
    assert plain.http == "httptools"
    assert {k: getattr(plain, k) for k in same} == {k: getattr(mock, k) for k in same}


def test_the_app_alone_workload_is_all_successful_requests() -> None:
    from evolink_mock import MockConfig, create_app

    from benchmarks.app_cpu import workload

    app = create_app(MockConfig(rate_limit=0, credits_per_user=1e12))
    detail, creations = workload(app, 60)
    statuses: list[int] = []

    async def send(message: Any) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    async def answer_all() -> None:
        for scope, body in [*detail, *creations]:

            async def receive(body: bytes = body) -> dict[str, Any]:
                return {"type": "http.request", "body": body, "more_body": False}

            await app(scope, receive, send)

    asyncio.run(answer_all())
    assert statuses == [200] * 120
