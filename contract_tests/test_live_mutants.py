"""The live runner has teeth: behind a rewriting loopback proxy, each fault is named.

For each fault of ``live_mutants`` a fresh standalone mock (real uvicorn, real clock,
0.4-second tasks, longer where a fault shows only mid-run) is put behind a real HTTP proxy
that applies the fault, and ``scripts/contract``'s runner is pointed at the proxy, in full
mode and, where it can show, in safe mode. The unmutated mock behind a pass-through proxy
must pass everything in both modes first, so a check that always fails cannot fake a catch.
Budgets are small (a few cases per operation), so each mutant costs a few seconds;
``pytest -s`` prints the score.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from evolink_mock import MockConfig, serve_in_thread
from evolink_mock import fixtures as mock_fixtures

from contract_tests import live
from contract_tests.live_mutants import LIVE_MUTANTS, LiveMutant
from contract_tests.proxies import Rule, pass_through, serve_proxy

#: Short tasks, nothing left to chance: a run follows every task it starts within seconds.
_MOCK = MockConfig(
    persona_duration=0.4,
    music_duration=0.4,
    failure_rate=0.0,
    seed=11,
    rate_limit=0,
    credits_per_user=1e9,
    callback_mode="test",
)
#: A song of the demo user that already has a persona (the fixture persona task's source).
_USED_SONG = f"{mock_fixtures.DEMO_V5_MUSIC_TASK_ID}:{mock_fixtures.DEMO_PERSONA_SOURCE_RESULT_ID}"
_TASKS = (
    mock_fixtures.DEMO_MUSIC_TASK_ID,
    mock_fixtures.DEMO_PERSONA_TASK_ID,
    mock_fixtures.DEMO_UNFINISHED_TASK_ID,
)
_CAUGHT: dict[tuple[str, str], set[str]] = {}


def _failing(
    rule: Rule,
    mode: str,
    report_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    extra: tuple[str, ...] = (),
    config: MockConfig = _MOCK,
) -> set[str]:
    with (
        serve_in_thread(config) as mock,
        serve_proxy(mock.base_url, rule, admin_token=mock.admin_token) as proxy,
    ):
        monkeypatch.setenv(live.KEY_ENV, mock_fixtures.DEMO_API_KEY)
        monkeypatch.setenv(live.SECOND_KEY_ENV, mock_fixtures.SECOND_API_KEY)
        monkeypatch.setenv(live.ADMIN_TOKEN_ENV, mock.admin_token)
        argv = [
            "--base-url",
            proxy,
            f"--{mode}",
            "--examples",
            "2",
            "--differential-cases",
            "0",
            "--poll-interval",
            "0.1",
            "--follow-deadline",
            "10",
            "--timeout",
            "1",
            "--used-song",
            _USED_SONG,
            "--report-dir",
            str(report_dir),
        ]
        for task_id in _TASKS:
            argv += ["--task-id", task_id]
        argv += extra
        outcome = live.run(argv)
    assert not isinstance(outcome, int)
    found, _ = outcome
    return found.failing()


@pytest.fixture(scope="module", autouse=True)
def _score() -> Iterator[None]:
    yield
    lines = []
    for mode in ("full", "safe"):
        expected = [m for m in LIVE_MUTANTS if mode == "full" or m.needs_creation is None]
        caught = [m for m in expected if m.caught_by in _CAUGHT.get((m.name, mode), set())]
        lines.append(f"live mutants caught, {mode} mode: {len(caught)}/{len(expected)}")
    for mutant in LIVE_MUTANTS:
        for mode in ("full", "safe"):
            if (mutant.name, mode) in _CAUGHT:
                found = sorted(_CAUGHT[(mutant.name, mode)])
                lines.append(f"  {mutant.name:28} {mode}: {found}")
    print("\n" + "\n".join(lines))


@pytest.mark.parametrize("mode", ["full", "safe"])
def test_the_unmutated_mock_passes_the_live_runner(
    mode: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _failing(pass_through, mode, tmp_path, monkeypatch) == set()


@pytest.mark.parametrize("mutant", LIVE_MUTANTS, ids=lambda m: m.name)
def test_live_mutant_is_caught_by_its_check(
    mutant: LiveMutant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    modes = ["full"] if mutant.needs_creation else ["full", "safe"]
    config = _MOCK
    if mutant.task_seconds is not None:
        seconds = mutant.task_seconds
        config = attrs.evolve(_MOCK, persona_duration=seconds, music_duration=seconds)
    for mode in modes:
        found = _failing(
            mutant.make_rule(), mode, tmp_path / mode, monkeypatch, mutant.argv, config
        )
        _CAUGHT[(mutant.name, mode)] = found
        assert mutant.caught_by in found, f"{mode} mode: {mutant.breaks}: not caught; {found}"
