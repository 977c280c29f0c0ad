"""`.bench/logs` stays bounded: old server logs are pruned, a log still in use never is."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks._servers import LOG_IN_USE_FOR, prune_logs

_NOW = 2_000_000_000.0
_DAYS = 86400


@settings(derandomize=True, max_examples=60, deadline=None)
@given(
    # Whole seconds: distinct ages stay distinct once the file system has stored them.
    ages=st.lists(st.integers(min_value=0, max_value=30 * _DAYS), unique=True, max_size=12),
    keep=st.integers(min_value=0, max_value=6),
)
def test_all_but_the_newest_are_pruned_unless_touched_within_the_hour(
    ages: list[int], keep: int
) -> None:
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        written: dict[Path, int] = {}
        for index, age in enumerate(ages):
            path = directory / f"server-{index}.log"
            path.write_text("started\n")
            os.utime(path, (_NOW - age, _NOW - age))
            written[path] = age
        (directory / "notes.txt").write_text("not a log")

        removed = prune_logs(directory, keep=keep, now=_NOW)

        newest = sorted(written, key=written.__getitem__)[:keep]
        expected = {p for p, age in written.items() if p not in newest and age >= LOG_IN_USE_FOR}
        assert set(removed) == expected
        assert {p for p in written if p.exists()} == set(written) - expected
        assert (directory / "notes.txt").exists()
