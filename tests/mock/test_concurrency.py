"""Races over a real socket: one persona per song, no lost or duplicated tasks."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
from evolink_mock import ManualClock, MockConfig, fixtures, serve_in_thread

from .conftest import CREATE, persona_body


def test_fifty_concurrent_creations_of_one_song_make_one_persona() -> None:
    with serve_in_thread(MockConfig(), clock=ManualClock()) as live:
        headers = {"Authorization": f"Bearer {live.api_key}"}

        def create(n: int) -> httpx.Response:
            with httpx.Client(base_url=live.base_url, headers=headers, timeout=10) as c:
                return c.post(CREATE, json=persona_body(name=f"Singer {n}"))

        with ThreadPoolExecutor(max_workers=50) as pool:
            responses = list(pool.map(create, range(50)))
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200] + [400] * 49
        losers = [r.json()["error"]["message"] for r in responses if r.status_code == 400]
        assert all("each song can only create one persona" in m for m in losers)
        assert live.service.snapshot()["tasks"]["recent"] == 1
        assert live.service.users[fixtures.DEMO_USER_ID].credits == 999.0


def test_concurrent_creations_of_different_songs_all_land() -> None:
    with serve_in_thread(MockConfig(rate_limit=0), clock=ManualClock()) as live:
        tasks = [live.service.add_music_task(fixtures.DEMO_USER_ID, songs=1) for _ in range(40)]
        headers = {"Authorization": f"Bearer {live.api_key}"}

        def create(n: int) -> str:
            body = persona_body(
                source_task_id=tasks[n].task_id, result_id=tasks[n].songs[0].result_id
            )
            with httpx.Client(base_url=live.base_url, headers=headers, timeout=10) as c:
                response = c.post(CREATE, json=body)
                assert response.status_code == 200, response.text
                task_id: str = response.json()["id"]
                assert c.get(f"/v1/tasks/{task_id}").status_code == 200
                return task_id

        with ThreadPoolExecutor(max_workers=20) as pool:
            ids = list(pool.map(create, range(40)))
        assert len(set(ids)) == 40
        assert live.service.snapshot()["tasks"]["recent"] == 40
