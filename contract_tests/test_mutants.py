"""The harness has teeth: each deliberately broken mock is caught, by the check meant to.

The unmutated mock runs the same battery first and must pass every check, so a check that
always fails cannot fake a catch. The score is printed (``pytest -s``) and asserted.
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs
import pytest
from evolink_mock import MockConfig

from contract_tests.battery import failing_checks
from contract_tests.inprocess import InProcessMock, fresh_mock
from contract_tests.mutants import MUTANTS, Mutant

_CAUGHT: dict[str, set[str]] = {}


def test_the_unmutated_mock_passes_every_check() -> None:
    assert failing_checks(fresh_mock) == set()


@pytest.fixture(scope="module", autouse=True)
def _score() -> Iterator[None]:
    yield
    caught = sum(1 for m in MUTANTS if m.caught_by in _CAUGHT.get(m.name, set()))
    lines = [f"mutants caught: {caught}/{len(MUTANTS)}"]
    for mutant in MUTANTS:
        found = sorted(_CAUGHT.get(mutant.name, set()))
        lines.append(f"  {mutant.name:24} expected {mutant.caught_by:34} caught by {found}")
    print("\n" + "\n".join(lines))


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_mutant_is_caught_by_its_check(mutant: Mutant, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(config: MockConfig) -> InProcessMock:
        mock = fresh_mock(config)
        return attrs.evolve(mock, app=mutant.inject(mock, monkeypatch))

    found = failing_checks(broken)
    _CAUGHT[mutant.name] = found
    assert mutant.caught_by in found, f"{mutant.breaks}: not caught by {mutant.caught_by}; {found}"
