"""The benchmark code's pure parts: reading wrk's output, writing results. No timings here."""

from __future__ import annotations

import pytest

from benchmarks._load import parse_wrk_json, request_lines
from benchmarks._report import GENERATED_END, GENERATED_START, sparkline, splice_generated

WRK_LINE = (
    'WRK_JSON {"requests": 1000, "duration_us": 2000000, "bytes": 5, '
    '"errors": {"connect": 0, "read": 1, "write": 0, "status": 3, "timeout": 2}, '
    '"latency_us": {"mean": 10.0, "p50": 1500, "p90": 3000, "p99": 9000, "max": 12000}, '
    '"statuses": {"200": 997, "400": 3}}'
)


def test_wrk_line_gives_rate_percentiles_in_ms_and_statuses() -> None:
    result = parse_wrk_json("Running 2s test\n" + WRK_LINE + "\n")
    assert result.rps == 500
    assert (result.p50_ms, result.p99_ms) == (1.5, 9.0)
    assert result.statuses == {"200": 997, "400": 3}
    assert result.socket_errors == 3


def test_wrk_output_without_our_line_is_an_error() -> None:
    with pytest.raises(ValueError, match="WRK_JSON"):
        parse_wrk_json("Running 2s test\n")


def test_request_lines_refuse_tabs_that_would_split_a_line() -> None:
    assert request_lines([("/v1/tasks/x", "")]) == "/v1/tasks/x\t\n"
    with pytest.raises(ValueError, match="tabs"):
        request_lines([("/p", "a\tb")])


def test_sparkline_spans_min_to_max() -> None:
    assert sparkline([1.0, 2.0, 3.0]) == "▁▄█"
    assert sparkline([]) == ""


def test_generated_region_is_replaced_and_hand_text_kept() -> None:
    document = f"# B\nhand\n{GENERATED_START}\nold\n{GENERATED_END}\ntail\n"
    spliced = splice_generated(document, "new")
    assert "old" not in spliced
    assert spliced.startswith("# B\nhand\n")
    assert spliced.endswith("tail\n")
    assert "new" in splice_generated("# B\n", "new")


def test_lying_progress_rewrites_only_processing_reads() -> None:
    from benchmarks.polling import _absent, _jumps, _stalls

    body = {"status": "processing", "progress": 70}
    _stalls(body)
    assert body["progress"] == 50
    body = {"status": "processing", "progress": 30}
    _jumps(body)
    assert body["progress"] == 90
    done = {"status": "completed", "progress": 100}
    _stalls(done)
    _jumps(done)
    assert done["progress"] == 100
    _absent(done)
    assert "progress" not in done


def test_polling_targets_name_every_scenario_where_the_sdk_is_later_than_the_fixed_poller() -> None:
    from benchmarks.polling import ESTIMATES, FIXED, PROGRESS, SDK, _targets, scenario_name

    def row(reads: float, median: float, p90: float) -> dict[str, float]:
        return {"reads_per_task": reads, "median_delay_s": median, "p90_delay_s": p90}

    scenarios = {
        scenario_name(e, p): {SDK: row(3.0, 0.2, 1.0), FIXED: row(7.0, 1.0, 2.5)}
        for e in ESTIMATES
        for p in PROGRESS
    }
    assert all(t.met for t in _targets(scenarios))
    late = scenario_name(next(iter(ESTIMATES)), "absent")
    scenarios[late][SDK] = row(3.0, 0.2, 2.6)
    reads, median, p90 = _targets(scenarios)
    assert reads.met
    assert median.met
    assert not p90.met
    assert late in p90.measured
