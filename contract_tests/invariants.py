"""The lifecycle invariants of a task, judged read by read: one implementation for every driver.

A task's detail is read again and again while it runs. Each read, and each read against
the one before it, must keep the promises of the spec's prose: the detail is the task asked
for, a task only moves forward (pending -> processing -> completed | failed), progress never
falls, a completed task reports progress 100, a completed persona task has a ``persona_id``
that never changes, an ended task never changes at all, a task still running carries no
error, a persona task reads as an audio task of model ``suno-persona``, and a completed
music task lists songs with uuid ``result_id``s.

``TaskHistory`` holds what was last seen of one task and names every invariant a new read
breaks. The in-process lifecycle machine (``lifecycle.py``) raises the first one; the live
runner's follower (``follow.py``) tallies each one as a named check.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any, Final

import attrs

__all__ = [
    "INVARIANTS",
    "NEXT_STATUSES",
    "Problem",
    "TaskHistory",
    "completed_songs_problem",
    "requested_task_problem",
    "running_task_error_problem",
]

#: Statuses a task may show next, given the one it showed last.
NEXT_STATUSES: Final[Mapping[str, frozenset[str]]] = {
    "pending": frozenset({"pending", "processing", "completed", "failed", "cancelled"}),
    "processing": frozenset({"processing", "completed", "failed", "cancelled"}),
    "completed": frozenset({"completed"}),
    "failed": frozenset({"failed"}),
    # The task-management API cancels a running task; it stays cancelled.
    "cancelled": frozenset({"cancelled"}),
}
_ENDED: Final = frozenset({"completed", "failed", "cancelled"})
_RUNNING: Final = frozenset({"pending", "processing"})
#: What a persona task reads as, whatever its status.
_PERSONA_TASK: Final = {"object": "audio.generation.task", "type": "audio", "model": "suno-persona"}
#: Parts of an ended task's detail that may still move (a time estimate has nothing to count).
_VOLATILE: Final = frozenset({"task_info"})


@attrs.frozen
class Problem:
    """One broken invariant: its name and what the read showed."""

    invariant: str
    message: str


def requested_task_problem(requested: object, body: object) -> str | None:
    """The detail answered is the detail asked for: a 200's ``id`` is the requested id."""
    answered = body.get("id") if isinstance(body, dict) else None
    if answered != requested:
        return f"asked for task {requested!r}, got task {answered!r}"
    return None


def running_task_error_problem(body: object) -> str | None:
    """A task still ``pending`` or ``processing`` has not failed, so it carries no ``error``."""
    if not isinstance(body, dict) or body.get("status") not in _RUNNING:
        return None
    if body.get("error") is not None:
        return f"{body['status']} task {body.get('id')!r} carries an error: {body['error']!r}"
    return None


def _is_uuid(text: object) -> bool:
    try:
        return isinstance(text, str) and str(uuid.UUID(text)) == text
    except ValueError:
        return False


def completed_songs_problem(body: object) -> str | None:
    """A completed music task lists its songs, each with a uuid ``result_id`` (the id
    persona creation takes); None when it does, or when the task has not completed."""
    if not isinstance(body, dict) or body.get("status") != "completed":
        return None
    result = body.get("result_data")
    listed = result.get("songs") if isinstance(result, dict) else result
    if not isinstance(listed, list) or not listed:
        return f"completed music task {body.get('id')!r} lists no songs: {result!r}"
    songs = [song.get("result_id") if isinstance(song, dict) else song for song in listed]
    if not all(_is_uuid(song) for song in songs):
        return (
            f"completed music task {body.get('id')!r} has a song without a uuid result_id: {songs}"
        )
    return None


def _is_music(history: TaskHistory, body: dict[str, Any]) -> bool:
    model = body.get("model")
    return history.music or (isinstance(model, str) and model.startswith("suno-v"))


def _music_songs(history: TaskHistory, body: dict[str, Any]) -> str | None:
    return completed_songs_problem(body) if _is_music(history, body) else None


def _persona_id(body: dict[str, Any]) -> object:
    result = body.get("result_data")
    return result.get("persona_id") if isinstance(result, dict) else None


def _stable(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in _VOLATILE}


@attrs.define
class TaskHistory:
    """Successive reads of one task (``persona``: a task created as a persona task;
    ``music``: one created as a music task)."""

    task_id: str
    persona: bool
    music: bool = False
    last: dict[str, Any] | None = None
    reads: int = 0

    @property
    def status(self) -> str | None:
        status = self.last.get("status") if self.last is not None else None
        return status if isinstance(status, str) else None

    @property
    def ended(self) -> bool:
        return self.status in _ENDED

    def observe(self, body: Any) -> list[Problem]:
        """Judge one 200 read against the invariants and remember it; every broken one."""
        if not isinstance(body, dict):
            return [Problem("detail_is_the_requested_task", f"task {self.task_id}: {body!r}")]
        problems = [
            Problem(name, message)
            for name, judge in INVARIANTS
            if (message := judge(self, body)) is not None
        ]
        self.reads += 1
        if self.last is None or not problems:
            self.last = body
        return problems


def _requested(history: TaskHistory, body: dict[str, Any]) -> str | None:
    return requested_task_problem(history.task_id, body)


def _persona_kind(history: TaskHistory, body: dict[str, Any]) -> str | None:
    if not history.persona:
        return None
    wrong = {k: body.get(k) for k, v in _PERSONA_TASK.items() if body.get(k) != v}
    if wrong:
        return f"persona task {history.task_id} reads as {wrong}, not {_PERSONA_TASK}"
    return None


def _running_without_error(history: TaskHistory, body: dict[str, Any]) -> str | None:
    return running_task_error_problem(body)


def _legal_transition(history: TaskHistory, body: dict[str, Any]) -> str | None:
    status = body.get("status")
    if status not in NEXT_STATUSES:
        return f"task {history.task_id} has status {status!r}"
    before = history.status
    if before is not None and before in NEXT_STATUSES and status not in NEXT_STATUSES[before]:
        return f"task {history.task_id} went from {before} to {status}"
    return None


def _progress_rises(history: TaskHistory, body: dict[str, Any]) -> str | None:
    before = history.last.get("progress") if history.last is not None else None
    progress = body.get("progress")
    if isinstance(before, int | float) and isinstance(progress, int | float) and progress < before:
        return f"task {history.task_id} progress fell from {before} to {progress}"
    return None


def _completed_at_100(history: TaskHistory, body: dict[str, Any]) -> str | None:
    if body.get("status") == "completed" and body.get("progress") != 100:
        return f"completed task {history.task_id} reports progress {body.get('progress')!r}"
    return None


def _completed_has_persona(history: TaskHistory, body: dict[str, Any]) -> str | None:
    is_persona = history.persona or body.get("model") == "suno-persona"
    if not is_persona or body.get("status") != "completed":
        return None
    persona_id = _persona_id(body)
    if not isinstance(persona_id, str) or not persona_id:
        return f"completed persona task {history.task_id} has no persona_id: {persona_id!r}"
    return None


def _persona_id_kept(history: TaskHistory, body: dict[str, Any]) -> str | None:
    before = _persona_id(history.last) if history.last is not None else None
    now = _persona_id(body)
    if before is not None and now != before:
        return f"task {history.task_id} persona_id changed from {before!r} to {now!r}"
    return None


def _ended_unchanged(history: TaskHistory, body: dict[str, Any]) -> str | None:
    if history.last is None or not history.ended:
        return None
    before, now = _stable(history.last), _stable(body)
    if now != before:
        changed = sorted(k for k in before.keys() | now.keys() if before.get(k) != now.get(k))
        return f"ended task {history.task_id} changed between reads: {', '.join(changed)}"
    return None


#: Every invariant of one read, by the name a report uses.
INVARIANTS: Final[tuple[tuple[str, Callable[[TaskHistory, dict[str, Any]], str | None]], ...]] = (
    ("detail_is_the_requested_task", _requested),
    ("persona_task_is_audio_suno_persona", _persona_kind),
    ("running_task_carries_no_error", _running_without_error),
    ("legal_transitions", _legal_transition),
    ("progress_never_falls", _progress_rises),
    ("completed_reports_progress_100", _completed_at_100),
    ("completed_has_persona_id", _completed_has_persona),
    ("persona_id_never_changes", _persona_id_kept),
    ("ended_task_never_changes", _ended_unchanged),
    ("music_completed_has_uuid_songs", _music_songs),
)
