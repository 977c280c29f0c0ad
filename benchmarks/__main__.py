"""Run benchmarks by name (all by default), print their tables, and record the results.

`python -m benchmarks [name...]`; `scripts/bench` does the same inside the pinned toolchain.
"""

from __future__ import annotations

import importlib
import sys
import time

from ._machine import describe_machine
from ._report import BenchReport, markdown_report, save_results, write_markdown

#: Benchmarks in the issue's order: name -> module with a `run() -> BenchReport`.
BENCHMARKS: dict[str, str] = {
    "throughput": "benchmarks.throughput",
    "sdk_overhead": "benchmarks.sdk_overhead",
    "async_scale": "benchmarks.async_scale",
    "polling": "benchmarks.polling",
    "memory": "benchmarks.memory",
    "harness": "benchmarks.harness",
}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
        return 2
    reports: list[BenchReport] = []
    failed: list[str] = []
    for name in names:
        print(f"== {name} ==", flush=True)
        started = time.monotonic()
        try:
            report: BenchReport = importlib.import_module(BENCHMARKS[name]).run()
        except Exception as exc:  # one broken benchmark must not hide the others' results
            print(f"{name} failed after {time.monotonic() - started:.0f}s: {exc!r}", flush=True)
            failed.append(name)
            continue
        reports.append(report)
        print(markdown_report(report), flush=True)
    command = "scripts/bench" + ("" if not argv else " " + " ".join(argv))
    results = save_results(reports, describe_machine(), command)
    write_markdown(results, list(BENCHMARKS))
    if failed:
        print(f"failed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
