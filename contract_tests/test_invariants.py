"""The lifecycle invariants name what a read breaks, and pass what a correct server says.

``TaskHistory`` is the one implementation the in-process machine and the live follower
share; these examples pin each invariant on the smallest history that breaks it.
"""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests.invariants import TaskHistory

_ID = "task-unified-1774169216-abcdefgh"


def _detail(status: str, progress: int, **extra: Any) -> dict[str, Any]:
    body = {
        "id": _ID,
        "object": "audio.generation.task",
        "type": "audio",
        "model": "suno-persona",
        "status": status,
        "progress": progress,
        "task_info": {"can_cancel": False, "estimated_time": 3},
    }
    return {**body, **extra}


_DONE = _detail("completed", 100, result_data={"persona_id": "a" * 32})
_IMAGE = _detail("pending", 0, object="image.generation.task")


def _names(*reads: dict[str, Any]) -> set[str]:
    history = TaskHistory(_ID, persona=True)
    found: set[str] = set()
    for read in reads:
        found |= {problem.invariant for problem in history.observe(read)}
    return found


def test_a_task_that_runs_and_completes_breaks_nothing() -> None:
    done_later = {**_DONE, "task_info": {"can_cancel": False, "estimated_time": 0}}
    assert _names(_detail("pending", 0), _detail("processing", 40), _DONE, done_later) == set()


@pytest.mark.parametrize(
    ("reads", "invariant"),
    [
        ((_detail("pending", 0, id="task-unified-1-zzzzzzzz"),), "detail_is_the_requested_task"),
        ((_IMAGE,), "persona_task_is_audio_suno_persona"),
        ((_detail("pending", 0, error={"code": "x"}),), "running_task_carries_no_error"),
        ((_DONE, _detail("processing", 99)), "legal_transitions"),
        ((_detail("processing", 60), _detail("processing", 40)), "progress_never_falls"),
        (({**_DONE, "progress": 99},), "completed_reports_progress_100"),
        ((_detail("completed", 100, result_data={}),), "completed_has_persona_id"),
        ((_DONE, {**_DONE, "result_data": {"persona_id": "b" * 32}}), "persona_id_never_changes"),
        ((_DONE, {**_DONE, "created": 5}), "ended_task_never_changes"),
    ],
)
def test_each_invariant_is_named_by_the_read_that_breaks_it(
    reads: tuple[dict[str, Any], ...], invariant: str
) -> None:
    assert invariant in _names(*reads)
