"""The music harness has teeth: each broken rule or callback guarantee is caught by name.

The unmutated mock passes both parts first (the music differential and the music lifecycle
machine), so a check that always fails cannot fake a catch. Each mutant runs the part its
check belongs to, without shrinking (the self-test asks *whether*, not the minimal case).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import attrs
import pytest
from evolink_mock import MockConfig

from contract_tests import budget
from contract_tests.inprocess import InProcessMock, fresh_mock
from contract_tests.lifecycle import LifecycleViolation
from contract_tests.music_differential import check_music_rules_agree
from contract_tests.music_lifecycle import (
    MUSIC_LIFECYCLE_CONFIG,
    music_lifecycle_machine,
    run_music_lifecycle,
)
from contract_tests.music_mutants import DIFFERENTIAL, MUSIC_MUTANTS, MusicMutant

_CAUGHT: dict[str, set[str]] = {}


def _failing(part: str, make: Callable[[MockConfig | None], InProcessMock]) -> set[str]:
    found: set[str] = set()
    if part in ("differential", "both"):
        try:
            check_music_rules_agree(
                make(None), cases=budget.MUTANT_MUSIC_DIFFERENTIAL_CASES, shrink=False
            )
        except AssertionError:
            found.add(DIFFERENTIAL)
    if part in ("lifecycle", "both"):
        machine = music_lifecycle_machine(lambda: make(MUSIC_LIFECYCLE_CONFIG))
        try:
            run_music_lifecycle(machine, runs=budget.MUTANT_MUSIC_LIFECYCLE_RUNS, shrink=False)
        except LifecycleViolation as violation:
            found.add(f"lifecycle.{violation.invariant}")
    return found


def test_the_unmutated_mock_passes_the_music_checks() -> None:
    assert _failing("both", fresh_mock) == set()


@pytest.fixture(scope="module", autouse=True)
def _score() -> Iterator[None]:
    yield
    caught = sum(1 for m in MUSIC_MUTANTS if m.caught_by in _CAUGHT.get(m.name, set()))
    lines = [f"music mutants caught: {caught}/{len(MUSIC_MUTANTS)}"]
    for mutant in MUSIC_MUTANTS:
        found = sorted(_CAUGHT.get(mutant.name, set()))
        lines.append(f"  {mutant.name:28} expected {mutant.caught_by:46} caught by {found}")
    print("\n" + "\n".join(lines))


@pytest.mark.parametrize("mutant", MUSIC_MUTANTS, ids=lambda m: m.name)
def test_music_mutant_is_caught_by_its_check(
    mutant: MusicMutant, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(config: MockConfig | None) -> InProcessMock:
        mock = fresh_mock(config)
        return attrs.evolve(mock, app=mutant.inject(mock, monkeypatch))

    found = _failing(mutant.part, broken)
    _CAUGHT[mutant.name] = found
    assert mutant.caught_by in found, f"{mutant.breaks}: not caught by {mutant.caught_by}; {found}"
