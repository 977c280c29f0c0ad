"""A differential's cases: fuzzed by hypothesis, or drawn once per process and replayed.

The mutant self-test asks each of dozens of mocks whether the SDK and the server disagree
on any of the same seeded cases. Hypothesis draws those cases the same way whatever the
server answers (derandomized, no database, nothing fed back), so drawing them once and
sending the recorded list to every mock asks exactly the same question, in the same
order, and stopping at the first disagreement is what an unshrunk run does too.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

import hypothesis
from hypothesis import strategies as st

from .budget import hypothesis_phases

__all__ = ["drawn_once", "run_cases"]

_DRAWN: dict[tuple[str, int], tuple[Any, ...]] = {}


def run_cases(
    name: str,
    test: Callable[[Any], None],
    strategy: st.SearchStrategy[Any],
    boundaries: Sequence[Any],
    cases: int,
    *,
    shrink: bool,
) -> None:
    """``test`` on the boundary examples, then on ``cases`` drawn from ``strategy``.

    With ``shrink``, hypothesis runs it and shrinks a failure to a minimal case; without,
    the cases recorded once per process under ``name`` are replayed, and the first
    failure is raised as found."""
    if not shrink:
        for drawn in drawn_once(name, strategy, boundaries, cases):
            test(drawn)
        return
    _seeded(test, strategy, boundaries, cases, hypothesis_phases(shrink=True))()


def drawn_once(
    name: str, strategy: st.SearchStrategy[Any], boundaries: Sequence[Any], cases: int
) -> tuple[Any, ...]:
    """The boundary examples, then ``cases`` drawn from ``strategy``, as a run would send
    them; ``name`` keys the process-wide record. Each call gets its own copies."""
    key = (name, cases)
    if key not in _DRAWN:
        record: list[Any] = []

        def keep(drawn: Any) -> None:
            record.append(copy.deepcopy(drawn))

        _seeded(keep, strategy, boundaries, cases, hypothesis_phases(shrink=False))()
        _DRAWN[key] = tuple(record)
    return copy.deepcopy(_DRAWN[key])


def _seeded(
    test: Callable[[Any], None],
    strategy: st.SearchStrategy[Any],
    boundaries: Sequence[Any],
    cases: int,
    phases: Sequence[hypothesis.Phase],
) -> Callable[[], None]:
    fuzzed: Callable[[], None] = hypothesis.settings(
        max_examples=cases,
        derandomize=True,
        database=None,
        deadline=None,
        phases=phases,
        suppress_health_check=list(hypothesis.HealthCheck),
    )(hypothesis.given(strategy)(test))
    for example in reversed(boundaries):
        fuzzed = hypothesis.example(example)(fuzzed)
    return fuzzed
