"""Only what a decision depends on may fail a call; the rest is read tolerantly, never lost.

The decisive fields are the task's ``id`` (and that it is the task asked for), ``status``,
``persona_id``, the songs' ``result_id`` and ``error``. Any other field of an unexpected type
is coerced where the reading is unambiguous, or ``None``, with the body as sent in ``raw``:
a created (and charged) task is never lost to a field the SDK only reports.
"""

from __future__ import annotations

import asyncio
import json
import math
from typing import Any

import evolink_persona as ep
import httpx
import pytest
from evolink_api.models import AudioGenerationResponse, TaskDetailResponse
from evolink_api.types import UnknownValue
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.sdk.sdk_support import (
    RESULT_ID,
    TASK_ID,
    VALID,
    FakeTime,
    Script,
    json_reply,
    make_async_client,
    make_client,
    submitted,
)

OTHER_TASK = "task-unified-1-OTHERTASK"

# (where in the body, the value sent, the attribute read, what it reads as)
COERCED = [
    ("created", 1774170584.123, "created", 1774170584),
    ("created", "1774170584", "created", 1774170584),
    ("progress", "50", "progress", 50),
    ("progress", 33.3, "progress", 33),
    ("task_info.estimated_time", "15", "estimated_time", 15.0),
    ("task_info.can_cancel", "false", "can_cancel", False),
    ("task_info.can_cancel", "true", "can_cancel", True),
    ("usage.credits_reserved", "0.5", "credits_reserved", 0.5),
    ("progress", "half", "progress", None),
    ("progress", True, "progress", None),
    ("progress", 1e309, "progress", None),
    ("progress", 10**400, "progress", 10**400),
    ("created", {"at": 1}, "created", None),
    ("task_info.estimated_time", math.nan, "estimated_time", None),
    ("task_info.estimated_time", 10**400, "estimated_time", None),
    ("task_info.can_cancel", "maybe", "can_cancel", None),
    ("task_info.can_cancel", 0, "can_cancel", None),
    ("usage.credits_reserved", 1e309, "credits_reserved", None),
    ("model", 7, "model", None),
    ("task_info", "soon", "estimated_time", None),
    ("usage", [1], "usage", None),
]


def _reply(body: Any) -> httpx.Response:
    # json.dumps, not httpx's json=: a server may well send NaN or 1e309 (Python writes inf so).
    return httpx.Response(
        200, content=json.dumps(body).encode(), headers={"content-type": "application/json"}
    )


def _same(raw: Any, body: Any) -> bool:
    return json.dumps(raw) == json.dumps(body)  # NaN is not equal to itself


def _with(body: dict[str, Any], where: str, value: Any) -> dict[str, Any]:
    if "." in where:
        outer, inner = where.split(".")
        body[outer] = {**body.get(outer, {}), inner: value}
    else:
        body[where] = value
    return body


def _completed_persona(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": TASK_ID,
        "status": "completed",
        "progress": 100,
        "task_info": {"can_cancel": False, "estimated_time": 0},
        "usage": {"credits_reserved": 1},
        "result_data": {"persona_id": "p-123"},
    }
    body.update(extra)
    return body


@pytest.mark.parametrize(("where", "sent", "attribute", "expected"), COERCED)
def test_an_informative_field_never_fails_a_completed_read(
    where: str, sent: Any, attribute: str, expected: Any, fake_time: FakeTime
) -> None:
    body = _with(_completed_persona(), where, sent)
    client = make_client(Script(_reply(body)), fake_time)
    persona = client.wait_for_persona(TASK_ID)
    assert persona.persona_id == "p-123"
    assert getattr(persona.task, attribute) == expected
    assert _same(persona.task.raw, body)  # the value as sent is never lost


@pytest.mark.parametrize(("where", "sent", "attribute", "expected"), COERCED)
def test_an_informative_field_never_costs_a_created_task(
    where: str, sent: Any, attribute: str, expected: Any, fake_time: FakeTime
) -> None:
    body = _with(submitted(), where, sent)
    client = make_client(Script(_reply(body)), fake_time)
    task = client.create_persona(**VALID)
    assert (task.id, task.status) == (TASK_ID, "pending")
    assert getattr(task, attribute) == expected
    assert _same(task.raw, body)


@pytest.mark.parametrize(
    ("song_field", "sent", "expected"),
    [("duration", "182.4", 182.4), ("duration", "long", None), ("title", 5, None)],
)
def test_a_song_field_other_than_its_result_id_never_fails_the_list(
    song_field: str, sent: Any, expected: Any, fake_time: FakeTime
) -> None:
    body = {
        "id": TASK_ID,
        "status": "completed",
        "result_data": {"songs": [{"result_id": RESULT_ID, song_field: sent}]},
    }
    songs = make_client(Script(_reply(body)), fake_time).list_songs(TASK_ID)
    assert songs[0].result_id == RESULT_ID
    assert getattr(songs[0], song_field) == expected


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"id": TASK_ID}, "no 'status'"),
        ({"id": TASK_ID, "status": 7}, "no 'status'"),
        (_completed_persona(result_data={"persona_id": 5}), "persona_id' should be a string"),
        (_completed_persona(result_data={"songs": [{"title": "x"}]}), "no 'result_id'"),
        (_completed_persona(error="boom"), "'error' should be an object"),
        (_completed_persona(error={"code": 5}), "'error.code' should be a string"),
    ],
)
def test_a_decisive_field_of_the_wrong_type_still_fails_the_call(
    body: dict[str, Any], problem: str, fake_time: FakeTime
) -> None:
    client = make_client(Script(_reply(body)), fake_time)
    with pytest.raises(ep.UnexpectedResponseError, match=problem):
        client.get_task(TASK_ID)


def test_a_read_answered_with_another_task_names_both_ids(fake_time: FakeTime) -> None:
    other = {"id": OTHER_TASK, "status": "completed", "result_data": {"persona_id": "p-other"}}
    client = make_client(Script(json_reply(200, other)), fake_time)
    with pytest.raises(ep.UnexpectedResponseError) as caught:
        client.get_task(TASK_ID)
    assert TASK_ID in str(caught.value)
    assert OTHER_TASK in str(caught.value)


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_wait_for_persona_never_returns_another_tasks_persona(
    use_async: bool, fake_time: FakeTime
) -> None:
    # What Prism does: every read answers with its one example task.
    other = {"id": OTHER_TASK, "status": "completed", "result_data": {"persona_id": "p-other"}}
    script = Script(json_reply(200, other))

    async def wait() -> ep.Persona:
        async with make_async_client(script, fake_time) as client:
            return await client.wait_for_persona(TASK_ID)

    def run() -> ep.Persona:
        if use_async:
            return asyncio.run(wait())
        return make_client(script, fake_time).wait_for_persona(TASK_ID)

    with pytest.raises(ep.UnexpectedResponseError, match=OTHER_TASK):
        run()
    assert len(script.requests) == 1  # not retried: another answer would not be different


informative = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)


@settings(derandomize=True, max_examples=150, deadline=None)
@given(
    created=informative,
    progress=informative,
    model=informative,
    task_info=st.one_of(
        informative,
        st.fixed_dictionaries({"estimated_time": informative, "can_cancel": informative}),
    ),
    usage=st.one_of(
        informative,
        st.fixed_dictionaries({"credits_reserved": informative, "billing_rule": informative}),
    ),
    duration=informative,
)
def test_whatever_the_informative_fields_hold_a_completed_persona_is_returned(
    created: Any, progress: Any, model: Any, task_info: Any, usage: Any, duration: Any
) -> None:
    body = _completed_persona(
        created=created, progress=progress, model=model, task_info=task_info, usage=usage
    )
    body["result_data"]["songs"] = [{"result_id": RESULT_ID, "duration": duration}]
    client = make_client(Script(_reply(body)), FakeTime())
    persona = client.wait_for_persona(TASK_ID)
    assert persona.persona_id == "p-123"
    assert _same(persona.task.raw, body)


def test_the_task_detail_is_the_generated_model_with_every_field(fake_time: FakeTime) -> None:
    body = _completed_persona(status="queued", object="audio.generation.task", results=["u"])
    task = make_client(Script(_reply(body)), fake_time).get_task(TASK_ID)
    detail = task.detail
    assert isinstance(detail, TaskDetailResponse)
    assert detail.results == ["u"]
    assert isinstance(detail.status, UnknownValue)
    assert detail.status == task.status == "queued"
    assert task.detail is detail  # built once
    assert detail.to_dict() == body


def test_the_submitted_task_detail_is_the_creation_model(fake_time: FakeTime) -> None:
    body = submitted(usage={"billing_rule": "per_minute", "credits_reserved": 1})
    task = make_client(Script(_reply(body)), fake_time).create_persona(**VALID)
    assert isinstance(task.detail, AudioGenerationResponse)
    assert task.detail.usage is not None
    assert task.detail.usage.billing_rule == "per_minute"
    assert task.detail.to_dict() == body


def test_a_body_the_generated_model_cannot_hold_fails_only_its_detail(fake_time: FakeTime) -> None:
    body = _completed_persona(task_info="soon")
    task = make_client(Script(_reply(body)), fake_time).get_task(TASK_ID)
    assert task.persona_id == "p-123"
    with pytest.raises(ep.UnexpectedResponseError, match=f"task {TASK_ID}.*Task.raw"):
        _ = task.detail
