"""``extra_body`` and ``extra_headers``: what the SDK does not know yet can still be sent."""

from __future__ import annotations

import asyncio

import evolink_persona as ep
import httpx
import pytest

from tests.sdk.sdk_support import (
    API_KEY,
    TASK_ID,
    VALID,
    FakeTime,
    Script,
    json_reply,
    make_async_client,
    make_client,
    submitted,
    task_body,
)

DONE = json_reply(200, task_body("completed", 100, result_data={"persona_id": "p-1"}))


def test_extra_body_adds_a_parameter_to_the_built_model_params(fake_time: FakeTime) -> None:
    script = Script(json_reply(200, submitted()))
    make_client(script, fake_time).create_persona(
        **VALID, extra_body={"model_params": {"gender": "female"}, "callback_url": "https://x"}
    )
    assert script.bodies() == [
        {
            "model": "suno-persona",
            "model_params": {**VALID, "gender": "female"},
            "callback_url": "https://x",
        }
    ]


def test_extra_headers_go_with_every_request_of_the_call_over_the_sdks_own(
    fake_time: FakeTime,
) -> None:
    script = Script(json_reply(200, submitted()), DONE)
    make_client(script, fake_time).create_persona_and_wait(
        **VALID, extra_headers={"X-Trace": "t-1", "User-Agent": "mine"}
    )
    assert [r.headers["X-Trace"] for r in script.requests] == ["t-1", "t-1"]
    assert [r.headers["User-Agent"] for r in script.requests] == ["mine", "mine"]
    assert all(r.headers["Authorization"] == f"Bearer {API_KEY}" for r in script.requests)


def test_a_call_without_extra_headers_sends_only_the_sdks_own(fake_time: FakeTime) -> None:
    script = Script(DONE, DONE)
    client = make_client(script, fake_time)
    client.get_task(TASK_ID, extra_headers={"X-Trace": "t-1"})
    client.get_task(TASK_ID)
    assert [r.headers.get("X-Trace") for r in script.requests] == ["t-1", None]


def test_the_async_client_sends_the_same_extras() -> None:
    script = Script(json_reply(200, submitted()), DONE)

    async def run() -> ep.Persona:
        async with make_async_client(script, FakeTime()) as client:
            return await client.create_persona_and_wait(
                **VALID,
                extra_body={"model_params": {"gender": "female"}},
                extra_headers={"X-Trace": "t-1"},
            )

    assert asyncio.run(run()).persona_id == "p-1"
    assert script.bodies()[0]["model_params"]["gender"] == "female"
    assert [r.headers["X-Trace"] for r in script.requests] == ["t-1", "t-1"]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"extra_body": ["model_params"]}, "extra_body"),
        ({"extra_headers": {"X-A": "é"}}, "extra_headers"),
    ],
)
def test_unusable_extras_are_refused_before_the_wire(
    extra: dict[str, object], field: str, fake_time: FakeTime
) -> None:
    script = Script()
    with pytest.raises(ep.RequestValidationError) as caught:
        make_client(script, fake_time).create_persona(**VALID, **extra)  # type: ignore[arg-type]
    assert [v.field for v in caught.value.violations] == [field]
    assert script.requests == []


def test_a_refused_extra_never_shows_the_key(fake_time: FakeTime) -> None:
    with pytest.raises(ep.RequestValidationError) as caught:
        make_client(Script(), fake_time).get_task(TASK_ID, extra_headers={"X-A": "\u2026"})
    assert API_KEY not in str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert not isinstance(caught.value.__cause__, httpx.HTTPError)
