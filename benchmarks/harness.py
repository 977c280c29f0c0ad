"""Benchmark 6: how fast the contract harness runs, in-process (ASGI) against over loopback.

The same schemathesis cases (positive and negative, derandomized) for both operations of
the merged spec are generated and sent to a fresh mock in this process through its ASGI
app, then to the standalone mock over HTTP on 127.0.0.1. Last, the wall time of the CI
contract suite as it stands (`pytest contract_tests`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

import requests
import schemathesis
import yaml
from evolink_mock import create_app, fixtures
from evolink_openapi import spec_text
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode

from ._report import ROOT, BenchReport, Table, Target
from ._servers import running_mock

NAME = "harness"
CASES_PER_OPERATION = 150
SUITE_TIMEOUT = 600


def _send_cases(base_url: str | None, app: Any) -> tuple[int, float]:
    """Generate and send the cases; returns (cases sent, seconds)."""
    schema = schemathesis.openapi.from_dict(yaml.safe_load(spec_text()))
    if app is not None:
        schema.app = app
    session = requests.Session() if base_url else None
    headers = {"Authorization": f"Bearer {fixtures.DEMO_API_KEY}"}
    sent = 0
    started = time.perf_counter()
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # the merged spec is valid
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=CASES_PER_OPERATION,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def send(case: Any) -> None:
                nonlocal sent
                case.call(base_url=base_url, session=session, headers=headers)
                sent += 1

            send()
    return sent, time.perf_counter() - started


#: How scripts/test runs pytest: two workers per core, work stealing (pytest-xdist).
SUITE_WORKERS = ("-n", str(2 * (os.cpu_count() or 1)), "--dist", "worksteal")
#: Issue target for the CI contract suite, seconds of wall time.
SUITE_TARGET_SECONDS = 20.0


def _contract_suite() -> tuple[float, int, str]:
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - argv is ours, no shell
        [sys.executable, "-m", "pytest", "-q", *SUITE_WORKERS, "contract_tests"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=SUITE_TIMEOUT,
        check=False,
    )
    last = (done.stdout.strip().splitlines() or ["(no output)"])[-1]
    return time.perf_counter() - started, done.returncode, last


def run() -> BenchReport:
    started = time.monotonic()
    asgi_cases, asgi_seconds = _send_cases(None, create_app())
    with running_mock("mock-harness", rate_limit=0, credits=1e12) as mock:
        http_cases, http_seconds = _send_cases(mock.base_url, None)
    suite_seconds, suite_code, suite_line = _contract_suite()
    asgi_rate, http_rate = asgi_cases / asgi_seconds, http_cases / http_seconds
    return BenchReport(
        name=NAME,
        title="6. Harness speed",
        command="scripts/bench harness",
        tables=[
            Table(
                title=f"schemathesis, {CASES_PER_OPERATION} positive + {CASES_PER_OPERATION} "
                "negative cases per operation, derandomized",
                columns=["target", "cases", "seconds", "cases/s", "ratio to HTTP"],
                rows=[
                    [
                        "in-process (ASGI)",
                        asgi_cases,
                        asgi_seconds,
                        asgi_rate,
                        asgi_rate / http_rate,
                    ],
                    ["HTTP on loopback", http_cases, http_seconds, http_rate, 1.0],
                ],
            ),
            Table(
                title="CI contract suite",
                columns=["command", "wall s", "exit code", "pytest's last line"],
                rows=[
                    [
                        f"pytest contract_tests {' '.join(SUITE_WORKERS)}",
                        suite_seconds,
                        suite_code,
                        suite_line,
                    ]
                ],
            ),
        ],
        targets=[
            Target(
                goal=f"pytest contract_tests ≤ {SUITE_TARGET_SECONDS:g} s",
                measured=f"{suite_seconds:.1f} s (exit {suite_code})",
                met=suite_code == 0 and suite_seconds <= SUITE_TARGET_SECONDS,
                why=""
                if suite_seconds <= SUITE_TARGET_SECONDS
                else "see BENCHMARKS.md (the machine's load is part of wall time)",
            )
        ],
        notes=[
            "The contract suite's wall time at this commit, run as scripts/test runs it.",
            "Generation is part of the cases/s: both targets get the same derandomized cases.",
        ],
        data={
            "asgi": {"cases": asgi_cases, "seconds": asgi_seconds},
            "http": {"cases": http_cases, "seconds": http_seconds},
            "contract_suite": {
                "seconds": suite_seconds,
                "exit_code": suite_code,
                "last": suite_line,
            },
        },
        seconds=time.monotonic() - started,
    )
