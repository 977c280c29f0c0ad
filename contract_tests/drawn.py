"""A differential's cases drawn once per process, for callers that only want a verdict.

The mutant self-test asks each of dozens of mocks whether the SDK and the server disagree
on any of the same seeded cases. Hypothesis draws those cases the same way whatever the
server answers (derandomized, no database, nothing fed back), so drawing them once and
sending the recorded list to every mock asks exactly the same question, in the same
order, and stopping at the first disagreement is what an unshrunk run does too.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import hypothesis
from hypothesis import strategies as st

from .budget import hypothesis_phases

__all__ = ["drawn_once"]

_DRAWN: dict[tuple[str, int], tuple[Any, ...]] = {}


def drawn_once(
    name: str, strategy: st.SearchStrategy[Any], boundaries: Iterable[Any], cases: int
) -> tuple[Any, ...]:
    """The boundary examples, then ``cases`` drawn from ``strategy``, as a run would send
    them; ``name`` keys the process-wide record. Each call gets its own copies."""
    key = (name, cases)
    if key not in _DRAWN:
        record: list[Any] = []

        @hypothesis.settings(
            max_examples=cases,
            derandomize=True,
            database=None,
            deadline=None,
            phases=hypothesis_phases(shrink=False),
            suppress_health_check=list(hypothesis.HealthCheck),
        )
        @hypothesis.given(strategy)
        def draw(drawn: Any) -> None:
            record.append(copy.deepcopy(drawn))

        for example in reversed(list(boundaries)):
            draw = hypothesis.example(example)(draw)
        draw()
        _DRAWN[key] = tuple(record)
    return copy.deepcopy(_DRAWN[key])
