"""The documents show the mutant registry as it is, so the table cannot drift from the code.

docs/contract.md's table is ``MUTANTS``, row for row (name, what it breaks, the check that
must catch it), and the score it and the README state counts every mutant:
``test_mutants.py`` asserts each one is caught, so a passing suite makes ``N/N`` true.
"""

from __future__ import annotations

import re
from pathlib import Path

from contract_tests.mutants import MUTANTS

ROOT = Path(__file__).resolve().parents[1]
ROW = re.compile(r"^\| `([^`]+)` \| (.+?) \| `([^`]+)` \|$")


def _table(doc: str) -> list[tuple[str, str, str]]:
    after = doc[doc.index("**mutants caught: ") :]
    block = after[: after.index("\n\n", after.index("| mutant |"))]
    return [m.groups() for line in block.splitlines() if (m := ROW.match(line))]  # type: ignore[misc]


def test_the_contract_doc_s_mutant_table_is_the_registry() -> None:
    doc = (ROOT / "docs" / "contract.md").read_text(encoding="utf-8")
    expected = [(m.name, m.breaks, m.caught_by) for m in MUTANTS]
    assert _table(doc) == expected


def test_the_stated_scores_count_every_mutant() -> None:
    count = len(MUTANTS)
    doc = (ROOT / "docs" / "contract.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.findall(r"mutants caught: (\d+)/(\d+)", doc) == [(str(count), str(count))]
    assert re.findall(r"score: (\d+)/(\d+)", readme) == [(str(count), str(count))]
