"""Races over a real socket: one persona per song, no lost or duplicated tasks."""

from __future__ import annotations

import ssl
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
from evolink_mock import ManualClock, MockConfig, MockService, fixtures, serve_in_thread

from .conftest import CREATE, persona_body

_FIXTURE_TASKS = (
    fixtures.DEMO_MUSIC_TASK_ID,
    fixtures.DEMO_V5_MUSIC_TASK_ID,
    fixtures.DEMO_PERSONA_TASK_ID,
    fixtures.DEMO_FAILED_TASK_ID,
)
# One TLS context for every client of these plain-HTTP tests: built per client, it would
# load the CA bundle each time (about 30 ms of CPU, 90 times).
_TLS = ssl.create_default_context()


def test_fifty_concurrent_creations_of_one_song_make_one_persona() -> None:
    with serve_in_thread(MockConfig(), clock=ManualClock()) as live:
        headers = {"Authorization": f"Bearer {live.api_key}"}

        def create(n: int) -> httpx.Response:
            with httpx.Client(
                base_url=live.base_url, headers=headers, timeout=10, verify=_TLS
            ) as c:
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
            with httpx.Client(
                base_url=live.base_url, headers=headers, timeout=10, verify=_TLS
            ) as c:
                response = c.post(CREATE, json=body)
                assert response.status_code == 200, response.text
                task_id: str = response.json()["id"]
                assert c.get(f"/v1/tasks/{task_id}").status_code == 200
                return task_id

        with ThreadPoolExecutor(max_workers=20) as pool:
            ids = list(pool.map(create, range(40)))
        assert len(set(ids)) == 40
        assert live.service.snapshot()["tasks"]["recent"] == 40


def test_reads_during_resets_never_miss_a_fixture_key_or_task() -> None:
    """A read during resets sees the fixtures before or after one, never a half-built state."""
    with serve_in_thread(MockConfig(rate_limit=0), clock=ManualClock()) as live:
        headers = {"Authorization": f"Bearer {live.api_key}"}
        done = threading.Event()

        def read(_: int) -> list[int]:
            with httpx.Client(
                base_url=live.base_url, headers=headers, timeout=10, verify=_TLS
            ) as c:
                return [c.get(f"/v1/tasks/{task}").status_code for task in _FIXTURE_TASKS * 25]

        def reset_until_done() -> int:
            resets = 0
            while not done.is_set() and resets < 100_000:
                live.service.reset()
                resets += 1
            return resets

        with ThreadPoolExecutor(max_workers=4) as pool:
            resetter = pool.submit(reset_until_done)
            try:
                statuses = [s for batch in pool.map(read, range(3)) for s in batch]
            finally:
                done.set()
            assert resetter.result() > 0
        assert set(statuses) == {200}


def test_snapshot_during_resets_and_new_users_is_consistent() -> None:
    service = MockService(MockConfig())
    stop = threading.Event()
    errors: list[BaseException] = []

    def churn() -> None:
        for _ in range(300):
            service.reset()
            for n in range(100):
                if stop.is_set():
                    return
                service.add_user(f"user-{n}", f"sk-user-{n}")

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # hand the GIL over often, so the two threads interleave
    worker = threading.Thread(target=churn)
    worker.start()
    try:
        for _ in range(3000):
            try:
                snapshot = service.snapshot()
            except RuntimeError as error:
                errors.append(error)
                break
            assert fixtures.DEMO_USER_ID in snapshot["users"]
    finally:
        stop.set()
        worker.join(timeout=30)
        sys.setswitchinterval(switch)
    assert errors == []
