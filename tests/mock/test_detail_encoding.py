"""Task-detail bytes: an ended task's body is encoded once, a running task's never frozen."""

from __future__ import annotations

import json

from evolink_mock import ManualClock, MockConfig, create_app, fixtures
from evolink_mock.handle import MockHandle
from evolink_mock.validation import check_persona_request
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import CREATE, persona_body

_STEPS = st.lists(st.floats(min_value=0, max_value=12, allow_nan=False), max_size=8)


@settings(max_examples=40)
@given(steps=_STEPS)
def test_every_read_sends_the_detail_of_that_moment(steps: list[float]) -> None:
    app = create_app(MockConfig(persona_duration=20.0, rate_limit=0), clock=ManualClock())
    service = app.service
    user = fixtures.DEMO_USER_ID
    created = service.create_persona(user, check_persona_request(persona_body()))
    for seconds in [0.0, *steps]:
        service.advance(seconds)
        for task_id in (created["id"], fixtures.DEMO_MUSIC_TASK_ID):
            sent = service.task_detail_json(user, task_id)
            assert json.loads(sent) == service.task_detail(user, task_id)


def test_an_ended_task_answers_the_same_bytes_object_every_read() -> None:
    app = create_app(MockConfig(persona_duration=20.0, rate_limit=0), clock=ManualClock())
    user = fixtures.DEMO_USER_ID
    first = app.service.task_detail_json(user, fixtures.DEMO_MUSIC_TASK_ID)
    assert app.service.task_detail_json(user, fixtures.DEMO_MUSIC_TASK_ID) is first


def test_a_running_task_detail_moves_on_after_it_was_read(evolink_mock: MockHandle) -> None:
    with evolink_mock.client() as client:
        task_id = client.post(CREATE, json=persona_body()).json()["id"]
        before = client.get(f"/v1/tasks/{task_id}").json()
        evolink_mock.finish_tasks()
        after = client.get(f"/v1/tasks/{task_id}").json()
    assert before["status"] == "pending"
    assert after["status"] in ("completed", "failed")
    assert after["progress"] == 100
