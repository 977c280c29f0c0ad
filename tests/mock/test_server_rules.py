"""The server-side rules of persona creation: which source tasks and songs are refused."""

from __future__ import annotations

import httpx
import pytest
from evolink_mock import ManualClock, MockConfig, create_app, fixtures
from evolink_mock.handle import MockHandle

from .conftest import CREATE, error_of, persona_body


def _message(response: httpx.Response) -> str:
    assert response.status_code == 400, response.text
    error = error_of(response)
    assert error["code"] == "invalid_request"
    message: str = error["message"]
    return message


def test_another_users_task_is_reported_as_not_existing(client: httpx.Client) -> None:
    body = persona_body(
        source_task_id=fixtures.SECOND_MUSIC_TASK_ID, result_id=fixtures.SECOND_RESULT_ID
    )
    assert _message(client.post(CREATE, json=body)) == (
        "Source task does not exist or does not belong to the current user: "
        f"{fixtures.SECOND_MUSIC_TASK_ID}"
    )


def test_v35_source_is_refused(client: httpx.Client) -> None:
    body = persona_body(
        source_task_id=fixtures.DEMO_V35_MUSIC_TASK_ID,
        result_id=fixtures.song_id(fixtures.DEMO_V35_MUSIC_TASK_ID, 0),
    )
    assert "needs suno-v4 or above" in _message(client.post(CREATE, json=body))


@pytest.mark.parametrize(
    ("task_id", "status"),
    [(fixtures.DEMO_UNFINISHED_TASK_ID, "processing"), (fixtures.DEMO_FAILED_TASK_ID, "failed")],
)
def test_unfinished_or_failed_source_is_refused(
    client: httpx.Client, task_id: str, status: str
) -> None:
    body = persona_body(source_task_id=task_id, result_id=fixtures.DEMO_RESULT_ID)
    assert _message(client.post(CREATE, json=body)) == (
        f"Source task {task_id} is not completed (status: {status})"
    )


def test_persona_task_is_not_a_source(client: httpx.Client) -> None:
    body = persona_body(source_task_id=fixtures.DEMO_PERSONA_TASK_ID)
    assert "Cannot create a persona from a suno-persona task" in _message(
        client.post(CREATE, json=body)
    )


def test_result_id_must_be_a_song_of_the_source(client: httpx.Client) -> None:
    body = persona_body(result_id=fixtures.SECOND_RESULT_ID)
    assert _message(client.post(CREATE, json=body)) == (
        f"model_params.result_id {fixtures.SECOND_RESULT_ID} is not a song of source task "
        f"{fixtures.DEMO_MUSIC_TASK_ID}"
    )


def test_one_persona_per_song(client: httpx.Client) -> None:
    assert client.post(CREATE, json=persona_body()).status_code == 200
    assert "each song can only create one persona" in _message(
        client.post(CREATE, json=persona_body(name="Another"))
    )
    # The other song of the same task is still free.
    other = persona_body(result_id=fixtures.DEMO_SECOND_RESULT_ID)
    assert client.post(CREATE, json=other).status_code == 200


def test_fixture_persona_already_holds_its_song(client: httpx.Client) -> None:
    body = persona_body(
        source_task_id=fixtures.DEMO_V5_MUSIC_TASK_ID,
        result_id=fixtures.DEMO_PERSONA_SOURCE_RESULT_ID,
    )
    assert "already created" in _message(client.post(CREATE, json=body))


@pytest.mark.parametrize(
    "task_id",
    [
        fixtures.DEMO_V4_MUSIC_TASK_ID,
        fixtures.DEMO_V5_MUSIC_TASK_ID,
        fixtures.DEMO_LEGACY_MUSIC_TASK_ID,
    ],
)
def test_v4_and_later_sources_are_accepted(client: httpx.Client, task_id: str) -> None:
    body = persona_body(source_task_id=task_id, result_id=fixtures.song_id(task_id, 0))
    assert client.post(CREATE, json=body).status_code == 200


def test_a_failed_persona_frees_its_song() -> None:
    handle = MockHandle(create_app(MockConfig(failure_rate=1.0), clock=ManualClock()))
    with handle.client() as c:
        first = c.post(CREATE, json=persona_body())
        assert first.status_code == 200
        # While the doomed task runs, the song is still taken.
        assert c.post(CREATE, json=persona_body()).status_code == 400
        handle.finish_tasks()
        assert c.get(f"/v1/tasks/{first.json()['id']}").json()["status"] == "failed"
        assert c.post(CREATE, json=persona_body()).status_code == 200


def test_control_added_music_task_can_be_a_source(
    evolink_mock: MockHandle, client: httpx.Client
) -> None:
    task = evolink_mock.add_music_task(model="suno-v5.5-beta", songs=3)
    assert len(task.songs) == 3
    body = persona_body(source_task_id=task.task_id, result_id=task.songs[2].result_id)
    assert client.post(CREATE, json=body).status_code == 200
