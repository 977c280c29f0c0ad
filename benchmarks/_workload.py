"""The requests the benchmarks send, built once: the valid creation and fresh songs for it.

One song allows one persona, so a creation benchmark that repeats the same valid request
measures the "already has a persona" refusal after the first call. To measure real
creations, the mock is given many music tasks (control API, 50 songs each) and every
request names a song of its own.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from evolink_mock import fixtures
from evolink_mock.config import DEFAULT_ADMIN_TOKEN

CREATE_PATH = "/v1/audios/generations"
SONGS_PER_MUSIC_TASK = 50
API_KEY = fixtures.DEMO_API_KEY
_ADMIN = {"X-Mock-Admin-Token": DEFAULT_ADMIN_TOKEN}


def creation_body(
    source_task_id: str, result_id: str, name: str = "Bench Singer"
) -> dict[str, Any]:
    """A valid persona creation body with a 20-second vocal window."""
    return {
        "model": "suno-persona",
        "model_params": {
            "source_task_id": source_task_id,
            "result_id": result_id,
            "name": name,
            "description": "Warm alto vocals over electronic pop",
            "vocal_start": 10,
            "vocal_end": 30,
        },
    }


def demo_creation_json() -> str:
    """The same valid request every time: the spec example's song of the demo task."""
    body = creation_body(fixtures.DEMO_MUSIC_TASK_ID, fixtures.DEMO_RESULT_ID)
    return json.dumps(body, separators=(",", ":"))


def add_songs(
    base_url: str, count: int, *, user: str = fixtures.DEMO_USER_ID
) -> list[tuple[str, str]]:
    """Give `user` at least `count` fresh songs; returns (music task id, result_id) pairs."""
    pairs: list[tuple[str, str]] = []
    with httpx.Client(base_url=base_url, headers=_ADMIN, timeout=30) as control:
        while len(pairs) < count:
            reply = control.post(
                "/_mock/music-tasks", json={"user": user, "songs": SONGS_PER_MUSIC_TASK}
            )
            reply.raise_for_status()
            task = reply.json()
            songs = task["result_data"]["songs"]
            pairs += [(task["id"], song["result_id"]) for song in songs]
    return pairs[:count]


def open_the_gates(base_url: str, *, user: str = fixtures.DEMO_USER_ID) -> None:
    """Rate limit off and credits plenty, so a benchmark measures work, not refusals."""
    with httpx.Client(base_url=base_url, headers=_ADMIN, timeout=30) as control:
        control.post("/_mock/rate-limit", json={"limit": 0}).raise_for_status()
        control.post("/_mock/quota", json={"user": user, "credits": 1e12}).raise_for_status()


def fresh_creations(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """wrk request lines: one creation per fresh song."""
    return [
        (CREATE_PATH, json.dumps(creation_body(task_id, result_id), separators=(",", ":")))
        for task_id, result_id in pairs
    ]


def credits_spent(base_url: str, *, user: str = fixtures.DEMO_USER_ID, start: float = 1e12) -> int:
    """Creations so far, read from the user's balance (each one reserves one credit)."""
    with httpx.Client(base_url=base_url, headers=_ADMIN, timeout=10) as control:
        state = control.get("/_mock/state").json()
    return round(start - float(state["users"][user]["credits"]))
