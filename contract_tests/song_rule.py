"""One persona per song, against a live server: a second creation for a used song is refused.

A song yields one persona (unless its persona task failed). The probe sends a valid
creation for a song that already has a persona and expects 400, and, where the mock's
control API can count tasks, that no task was started behind the refusal. The used song
is one of three, in order of preference:

- a fresh song from the mock's control API (full mode): the probe first creates its
  persona (a paid creation), then tries again;
- ``--used-song TASK_ID:RESULT_ID``, a song of the caller's that already has a persona:
  one request, refused by a correct server, so safe mode can make it;
- in full mode without either, the spec's example song: the probe creates its persona
  and tries again; a server where the caller does not own that song refuses the first
  creation, and the probe says it was not exercised.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Final

import attrs
import httpx

from .follow import TaskLedger
from .probing import CheckTally

__all__ = ["ONE_PERSONA_PER_SONG", "SPEC_EXAMPLE_SONG", "Song", "parse_song", "probe_song_rule"]

ONE_PERSONA_PER_SONG: Final = "one_persona_per_song"
#: The spec's own example ids (a finished music task and one of its songs).
SPEC_EXAMPLE_SONG: Final = (
    "task-unified-1774169216-ocqaqde7",
    "4fcc4507-a7ae-4441-ad8a-465c2f61d5bb",
)


@attrs.frozen
class Song:
    """Where the probe's song comes from, and whether its persona is made first."""

    source_task_id: str
    result_id: str
    #: True: the song may have no persona yet, so the probe creates one before the second.
    create_first: bool


def parse_song(text: str) -> tuple[str, str]:
    """``TASK_ID:RESULT_ID`` as given to ``--used-song``; ValueError names what is wrong."""
    task_id, sep, result_id = text.partition(":")
    if not sep or not task_id or not result_id:
        raise ValueError(
            f"--used-song takes TASK_ID:RESULT_ID (a song that already has a persona), got {text!r}"
        )
    return task_id, result_id


def _body(song: Song) -> dict[str, Any]:
    return {
        "model": "suno-persona",
        "model_params": {
            "source_task_id": song.source_task_id,
            "result_id": song.result_id,
            "name": "Contract probe",
            "description": "a second persona for one song must be refused",
        },
    }


def _task_id(response: httpx.Response) -> str | None:
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    task_id = body.get("id") if isinstance(body, dict) else None
    return task_id if isinstance(task_id, str) else None


def probe_song_rule(
    post: Callable[[dict[str, Any]], httpx.Response],
    song: Song | None,
    ledger: TaskLedger,
    *,
    task_count: Callable[[], int] | None = None,
) -> tuple[CheckTally, str | None]:
    """The probe's tally, and a note when it could not be made. Accepted creations
    (the first one, or a wrong second one) enter ``ledger`` to be followed."""
    tally = CheckTally(ONE_PERSONA_PER_SONG)
    if song is None:
        return tally, (
            f"{ONE_PERSONA_PER_SONG} not exercised: it needs fresh songs (full mode against the "
            "mock) or --used-song TASK_ID:RESULT_ID (a song that already has a persona)"
        )
    where = f"song {song.result_id} of {song.source_task_id}"
    first_id = None
    if song.create_first:
        first = post(_body(song))
        if first.status_code != 200:
            return tally, (
                f"{ONE_PERSONA_PER_SONG} not exercised: the first creation for {where} "
                f"answered {first.status_code}, so there was no used song to try again"
            )
        ledger.record_creation(first.status_code, first.content)
        first_id = _task_id(first)
    before = task_count() if task_count is not None else None
    second = post(_body(song))
    tally.judged = 1
    held = f"which already has persona task {first_id}" if first_id else "which has a persona"
    if second.status_code == 200:
        ledger.record_creation(second.status_code, second.content)
        tally.failed = 1
        tally.first_failure = (
            f"a second persona task {_task_id(second)!r} was accepted for {where}, {held}"
        )
    elif second.status_code != 400:
        tally.failed = 1
        tally.first_failure = (
            f"a second creation for {where} answered {second.status_code}, not 400: "
            f"{second.text[:200]}"
        )
    elif before is not None and task_count is not None and task_count() > before:
        tally.failed = 1
        tally.first_failure = f"a second creation for {where} was refused, yet a task started"
    return tally, None
