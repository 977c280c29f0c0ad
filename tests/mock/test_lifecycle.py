"""A persona task's life on a driven clock: states, progress, estimated time, retention."""

from __future__ import annotations

import math
import re

import httpx
from evolink_mock import ManualClock, MockConfig, create_app
from evolink_mock.handle import MockHandle
from evolink_mock.tasks import FAILURE_MESSAGES
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import CREATE, persona_body

TASK_ID = re.compile(r"^task-unified-\d+-[a-z0-9]{8}$")
UPSTREAM_TASK_ERRORS = {
    "content_policy_violation", "invalid_parameters", "request_cancelled", "service_error",
    "generation_timeout", "generation_failed_no_content", "resource_exhausted",
    "quota_exceeded", "service_unavailable", "resource_not_found", "unknown_error",
}  # fmt: skip


def _handle(**config: float) -> MockHandle:
    return MockHandle(create_app(MockConfig(**config), clock=ManualClock()))  # type: ignore[arg-type]


def test_creation_answer_has_the_spec_shape(client: httpx.Client) -> None:
    body = client.post(CREATE, json=persona_body()).json()
    assert TASK_ID.match(body["id"])
    assert body["object"] == "audio.generation.task"
    assert body["type"] == "audio"
    assert body["model"] == "suno-persona"
    assert body["status"] == "pending"
    assert body["progress"] == 0
    assert body["task_info"] == {"can_cancel": False, "estimated_time": 20}
    assert body["usage"] == {
        "billing_rule": "per_call",
        "credits_reserved": 1.0,
        "user_group": "default",
    }


def test_pending_then_processing_then_completed_with_a_persona_id() -> None:
    handle = _handle(persona_duration=20, pending_share=0.25)
    with handle.client() as c:
        task_id = c.post(CREATE, json=persona_body()).json()["id"]

        def detail() -> dict[str, object]:
            body: dict[str, object] = c.get(f"/v1/tasks/{task_id}").json()
            return body

        assert detail()["status"] == "pending"
        handle.advance(4.9)
        assert detail()["status"] == "pending"
        handle.advance(0.2)
        seen = detail()
        assert seen["status"] == "processing"
        assert seen["task_info"] == {"can_cancel": False, "estimated_time": 15}
        handle.advance(15)
        done = detail()
        assert done["status"] == "completed"
        assert done["progress"] == 100
        persona_id = done["result_data"]["persona_id"]  # type: ignore[index]
        assert re.fullmatch(r"[0-9a-f]{32}", persona_id)
        assert "error" not in done


@settings(derandomize=True, max_examples=60, deadline=None)
@given(steps=st.lists(st.floats(min_value=0, max_value=4), min_size=1, max_size=15))
def test_progress_never_falls_and_estimated_time_is_truthful(steps: list[float]) -> None:
    handle = _handle(persona_duration=20, pending_share=0.25)
    clock = handle.service.clock
    with handle.client() as c:
        created = c.post(CREATE, json=persona_body()).json()
        last = 0
        for step in steps:
            handle.advance(step)
            body = c.get(f"/v1/tasks/{created['id']}").json()
            assert body["progress"] >= last
            last = body["progress"]
            remaining = created["created"] + 20 - clock.now()
            if body["status"] in ("pending", "processing"):
                assert body["task_info"]["estimated_time"] == max(1, math.ceil(remaining))
                assert body["progress"] < 100
            else:
                assert body["status"] == "completed"
                assert body["task_info"]["estimated_time"] == 0
                assert remaining <= 0


def test_failed_task_carries_an_upstream_task_error() -> None:
    handle = _handle(failure_rate=1.0)
    with handle.client() as c:
        task_id = c.post(CREATE, json=persona_body()).json()["id"]
        handle.finish_tasks()
        body = c.get(f"/v1/tasks/{task_id}").json()
    assert body["status"] == "failed"
    assert "result_data" not in body
    assert body["error"]["type"] == "task_error"
    assert body["error"]["code"] in UPSTREAM_TASK_ERRORS
    assert body["error"]["message"] == FAILURE_MESSAGES[body["error"]["code"]]


def test_same_seed_same_ids_and_personas() -> None:
    def run() -> tuple[str, str]:
        handle = _handle(seed=7)
        with handle.client() as c:
            task_id = c.post(CREATE, json=persona_body()).json()["id"]
            handle.finish_tasks()
            return task_id, c.get(f"/v1/tasks/{task_id}").json()["result_data"]["persona_id"]

    assert run() == run()


def test_unseeded_mocks_do_not_share_ids() -> None:
    """Without a seed each mock draws its own: one user cannot predict another's next ids."""

    def run() -> tuple[str, str]:
        handle = _handle()
        with handle.client() as c:
            task_id = c.post(CREATE, json=persona_body()).json()["id"]
            handle.finish_tasks()
            return task_id, c.get(f"/v1/tasks/{task_id}").json()["result_data"]["persona_id"]

    first, second = run(), run()
    assert first[0] != second[0]
    assert first[1] != second[1]


def test_music_task_lists_songs_in_both_shapes(client: httpx.Client) -> None:
    from evolink_mock import fixtures

    current = client.get(f"/v1/tasks/{fixtures.DEMO_MUSIC_TASK_ID}").json()
    songs = current["result_data"]["songs"]
    assert [s["result_id"] for s in songs] == [
        fixtures.DEMO_RESULT_ID,
        fixtures.DEMO_SECOND_RESULT_ID,
    ]
    legacy = client.get(f"/v1/tasks/{fixtures.DEMO_LEGACY_MUSIC_TASK_ID}").json()
    assert isinstance(legacy["result_data"], list)
    assert len(legacy["result_data"]) == 2


def test_finished_tasks_are_forgotten_after_the_retention_time() -> None:
    handle = _handle(persona_duration=10, retention_seconds=60)
    with handle.client() as c:
        task_id = c.post(CREATE, json=persona_body()).json()["id"]
        handle.advance(10 + 59)
        assert c.get(f"/v1/tasks/{task_id}").status_code == 200
        handle.advance(1)
        assert c.get(f"/v1/tasks/{task_id}").status_code == 404


def test_task_count_is_bounded_under_load() -> None:
    handle = _handle(retention_max_tasks=5, rate_limit=0)
    with handle.client() as c:
        ids = []
        for n in range(12):
            task = handle.add_music_task(songs=1)
            body = persona_body(source_task_id=task.task_id, result_id=task.songs[0].result_id)
            response = c.post(CREATE, json=body)
            assert response.status_code == 200, (n, response.text)
            ids.append(response.json()["id"])
        assert handle.service.snapshot()["tasks"]["recent"] == 5
        assert c.get(f"/v1/tasks/{ids[0]}").status_code == 404
        assert c.get(f"/v1/tasks/{ids[-1]}").status_code == 200


def test_expired_tasks_are_swept_not_just_hidden() -> None:
    handle = _handle(persona_duration=1, retention_seconds=5, rate_limit=0)
    with handle.client() as c:
        for _ in range(3):
            task = handle.add_music_task(songs=1)
            body = persona_body(source_task_id=task.task_id, result_id=task.songs[0].result_id)
            assert c.post(CREATE, json=body).status_code == 200
        handle.advance(100)
        task = handle.add_music_task(songs=1)
        body = persona_body(source_task_id=task.task_id, result_id=task.songs[0].result_id)
        assert c.post(CREATE, json=body).status_code == 200
    assert handle.service.snapshot()["tasks"]["recent"] == 1


def test_a_song_stays_claimed_after_its_completed_persona_task_is_forgotten() -> None:
    handle = _handle(persona_duration=1, retention_seconds=5, rate_limit=0)
    with handle.client() as c:
        task = handle.add_music_task(songs=1)
        body = persona_body(source_task_id=task.task_id, result_id=task.songs[0].result_id)
        first = c.post(CREATE, json=body).json()["id"]
        handle.advance(1 + 6)
        assert c.get(f"/v1/tasks/{first}").status_code == 404  # forgotten
        again = c.post(CREATE, json=body)
        assert again.status_code == 400
        assert "already created" in again.json()["error"]["message"]


def test_a_song_is_free_again_once_its_failed_persona_task_is_forgotten() -> None:
    handle = _handle(persona_duration=1, retention_seconds=5, rate_limit=0, failure_rate=1.0)
    with handle.client() as c:
        task = handle.add_music_task(songs=1)
        body = persona_body(source_task_id=task.task_id, result_id=task.songs[0].result_id)
        assert c.post(CREATE, json=body).status_code == 200
        handle.advance(1 + 6)
        assert c.post(CREATE, json=body).status_code == 200


# --- one persona per song, across retention (claims live in the music task's song slots) ---


def _claim_song(handle: MockHandle, c: httpx.Client) -> tuple[dict[str, object], str]:
    task = handle.add_music_task(songs=1)
    body = persona_body(source_task_id=task.task_id, result_id=task.songs[0].result_id)
    response = c.post(CREATE, json=body)
    assert response.status_code == 200, response.text
    return body, response.json()["id"]


def test_the_refusal_names_the_earlier_task_while_it_is_retained() -> None:
    handle = _handle(persona_duration=1, retention_seconds=5, rate_limit=0)
    with handle.client() as c:
        body, first = _claim_song(handle, c)
        running = c.post(CREATE, json=body)  # the first one is still pending
        assert running.status_code == 400
        assert f"(task {first})" in running.json()["error"]["message"]
        handle.advance(1 + 4)  # completed, still retained
        done = c.post(CREATE, json=body)
        assert done.status_code == 400
        assert f"(task {first})" in done.json()["error"]["message"]
        assert done.json()["error"]["param"] == "model_params.result_id"


def test_after_forgetting_the_refusal_stands_without_the_task_id() -> None:
    handle = _handle(persona_duration=1, retention_seconds=5, rate_limit=0)
    with handle.client() as c:
        body, first = _claim_song(handle, c)
        handle.advance(1 + 6)
        _claim_song(handle, c)  # a creation sweeps the expired task
        assert handle.service.snapshot()["tasks"]["recent"] == 1
        again = c.post(CREATE, json=body)
        assert again.status_code == 400
        message = again.json()["error"]["message"]
        assert "already created" in message
        assert first not in message


def test_a_completed_claim_survives_the_count_bound() -> None:
    handle = _handle(persona_duration=1, retention_max_tasks=2, rate_limit=0)
    with handle.client() as c:
        body, first = _claim_song(handle, c)
        handle.advance(2)
        for _ in range(5):
            _claim_song(handle, c)
        assert c.get(f"/v1/tasks/{first}").status_code == 404  # evicted
        again = c.post(CREATE, json=body)
        assert again.status_code == 400
        assert "already created" in again.json()["error"]["message"]


def test_a_claim_evicted_before_its_task_ends_follows_the_task_fate() -> None:
    # Evicted while still pending: a task decided to complete keeps the song, one decided
    # to fail frees it (its failure is fixed at creation).
    for failure_rate, freed in ((0.0, False), (1.0, True)):
        handle = _handle(
            persona_duration=100, retention_max_tasks=1, rate_limit=0, failure_rate=failure_rate
        )
        with handle.client() as c:
            body, first = _claim_song(handle, c)
            _claim_song(handle, c)
            assert c.get(f"/v1/tasks/{first}").status_code == 404
            assert (c.post(CREATE, json=body).status_code == 200) is freed


def test_a_failed_persona_frees_its_song_while_still_retained() -> None:
    handle = _handle(persona_duration=1, retention_seconds=60, rate_limit=0, failure_rate=1.0)
    with handle.client() as c:
        body, first = _claim_song(handle, c)
        assert c.post(CREATE, json=body).status_code == 400  # running: still held
        handle.advance(1)
        assert c.get(f"/v1/tasks/{first}").json()["status"] == "failed"
        assert c.post(CREATE, json=body).status_code == 200


def test_a_forgotten_claim_keeps_no_per_creation_object() -> None:
    # The memory side of the rule: once its task is gone, a claim is the shared marker in a
    # slot allocated with the song, so a long run does not grow with the claims it keeps.
    from evolink_mock.service import FORGOTTEN_HOLDER

    handle = _handle(persona_duration=1, retention_max_tasks=1, rate_limit=0)
    with handle.client() as c:
        tasks = [handle.add_music_task(songs=1) for _ in range(3)]
        for task in tasks:
            body = persona_body(source_task_id=task.task_id, result_id=task.songs[0].result_id)
            assert c.post(CREATE, json=body).status_code == 200
    slots = [handle.service._fixed[task.task_id].claims or [] for task in tasks]
    assert [slot[0] is FORGOTTEN_HOLDER for slot in slots] == [True, True, False]


def test_claims_on_fixture_songs_are_per_service_and_undone_by_reset() -> None:
    first, second = _handle(), _handle()
    with first.client() as a, second.client() as b:
        assert a.post(CREATE, json=persona_body()).status_code == 200
        assert a.post(CREATE, json=persona_body()).status_code == 400
        assert b.post(CREATE, json=persona_body()).status_code == 200  # its own claims
        first.reset()
        assert a.post(CREATE, json=persona_body()).status_code == 200
