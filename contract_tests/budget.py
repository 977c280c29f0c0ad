"""How many cases each part of the harness runs, and the seed they all share.

Kept in one place so CI time is a decision, not an accident, and so docs/contract.md can
state the numbers. Every generator is derandomized from ``SEED``: a red run is red again.
"""

from __future__ import annotations

from typing import Final

import hypothesis

#: Seed of schemathesis and of every hypothesis run in the harness.
SEED: Final = 20_260_322

#: Fuzzing-phase examples per operation (examples and coverage phases add their own cases).
CONFORMANCE_EXAMPLES: Final = 60
#: Stateful scenarios through the spec's links, and the most steps in one.
STATEFUL_SCENARIOS: Final = 20
STATEFUL_STEPS: Final = 6

#: Task-lifecycle state machine: runs, and the most rules in one run.
LIFECYCLE_RUNS: Final = 100
LIFECYCLE_STEPS: Final = 25

#: Persona requests generated for the SDK-against-server differential.
DIFFERENTIAL_CASES: Final = 400

#: Music requests generated for the SDK-against-server differential of music generation.
MUSIC_DIFFERENTIAL_CASES: Final = 300
#: Music lifecycle machine (tasks, personas applied, callbacks): runs, most rules in one.
MUSIC_LIFECYCLE_RUNS: Final = 25
MUSIC_LIFECYCLE_STEPS: Final = 20

#: Smaller budgets for the mutant self-test, which runs the battery once per mutant.
MUTANT_CONFORMANCE_EXAMPLES: Final = 25
MUTANT_LIFECYCLE_RUNS: Final = 15
MUTANT_DIFFERENTIAL_CASES: Final = 150
MUTANT_MUSIC_DIFFERENTIAL_CASES: Final = 100
MUTANT_MUSIC_LIFECYCLE_RUNS: Final = 12

#: Live runner (scripts/contract): fuzzing examples per operation.
LIVE_EXAMPLES: Final = 40
#: Live runner: generated SDK-against-server requests (after the boundary ones).
LIVE_DIFFERENTIAL_CASES: Final = 40
#: Live runner: seconds to follow every task to its end, in all; pause between rounds.
LIVE_FOLLOW_DEADLINE: Final = 120.0
LIVE_POLL_INTERVAL: Final = 1.0
#: Live runner: the longest wait for one answer, and for the whole run, in seconds.
LIVE_REQUEST_TIMEOUT: Final = 10.0
LIVE_RUN_BUDGET: Final = 300.0


def hypothesis_phases(*, shrink: bool) -> tuple[hypothesis.Phase, ...]:
    """Hypothesis's phases, without shrinking (and its explain step) when ``shrink`` is off.

    Shrinking changes no case that is drawn, only how long a failure takes to report: a
    caller that needs just the verdict (the mutant self-test, where every mutant fails on
    purpose) turns it off and keeps the same budget of cases.
    """
    if shrink:
        return tuple(hypothesis.Phase)
    return tuple(
        p for p in hypothesis.Phase if p not in (hypothesis.Phase.shrink, hypothesis.Phase.explain)
    )
