"""Music generation in the SDK: its client-side rules, the wire body, and the whole flow.

The rules are stated at their boundaries on ``validate_music_request`` (pure); the flow runs
against the real mock (in-process, on its ManualClock, the client's sleep advancing it), so
song -> persona -> song with the persona is the mock's own behaviour, not a script.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import evolink_persona as ep
import httpx
import pytest
from evolink_persona._music import callback_url_problem
from hypothesis import given
from hypothesis import strategies as st

mock = pytest.importorskip("evolink_mock")
from evolink_mock import fixtures  # noqa: E402
from evolink_mock.handle import MockHandle  # noqa: E402

from tests.sdk.sdk_support import (  # noqa: E402
    FakeTime,
    Script,
    error_body,
    json_reply,
    make_client,
    submitted,
)

LYRICS = "[Verse]\nA line\n[Chorus]\nAnother"


def fields(**arguments: Any) -> list[str]:
    return [v.field for v in ep.validate_music_request(**arguments)]


def custom(**arguments: Any) -> dict[str, Any]:
    return {"custom_mode": True, "style": "pop", "title": "T", "prompt": LYRICS, **arguments}


# --- the rules ------------------------------------------------------------------------


def test_simple_mode_needs_a_prompt_of_at_most_500_characters() -> None:
    assert fields(prompt="a" * 500) == []
    assert fields(prompt="a" * 501) == ["prompt"]
    assert fields() == ["prompt"]


def test_custom_mode_needs_style_title_and_lyrics_unless_instrumental() -> None:
    assert fields(custom_mode=True) == ["style", "title", "prompt"]
    assert fields(custom_mode=True, instrumental=True, style="s", title="t") == []


@pytest.mark.parametrize(
    ("model", "prompt_max", "style_max"),
    [
        ("suno-v4-beta", 3000, 200),
        ("suno-v4", 3000, 200),
        ("suno-v4.5-beta", 5000, 1000),
        ("suno-v5.5-beta", 5000, 1000),
    ],
)
def test_custom_mode_lengths_depend_on_the_model(
    model: str, prompt_max: int, style_max: int
) -> None:
    assert fields(**custom(model=model, prompt="a" * prompt_max, style="s" * style_max)) == []
    too_long = custom(model=model, prompt="a" * (prompt_max + 1), style="s" * (style_max + 1))
    assert fields(**too_long) == ["prompt", "style"]


def test_title_80_and_negative_tags_200_characters_at_most() -> None:
    assert fields(**custom(title="t" * 80, negative_tags="n" * 200)) == []
    assert fields(**custom(title="t" * 81, negative_tags="n" * 201)) == ["title", "negative_tags"]


@pytest.mark.parametrize("name", ["style_weight", "weirdness_constraint", "audio_weight"])
def test_weights_are_0_to_1_in_steps_of_0_01(name: str) -> None:
    for value in (0, 0.0, 0.01, 0.07, 0.57, 1, 1.0):
        assert fields(**custom(**{name: value})) == [], value
    for value in (-0.01, 1.01, 0.001, 0.1 + 0.2, True, float("nan"), "0.5"):
        assert fields(**custom(**{name: value})) == [name], value


def test_duration_only_on_v5_5_in_custom_mode_from_10_to_360() -> None:
    assert fields(**custom(model="suno-v5.5-beta", duration=10)) == []
    assert fields(**custom(model="suno-v5.5", duration=360)) == []
    assert fields(**custom(model="suno-v5.5-beta", duration=361)) == ["duration"]
    assert fields(**custom(model="suno-v5.5-beta", duration=9.5)) == ["duration"]
    assert fields(**custom(model="suno-v5-beta", duration=120)) == ["duration"]
    assert fields(model="suno-v5.5-beta", prompt="p", duration=120) == ["duration"]


def test_a_persona_needs_custom_mode_and_a_v5_family_model() -> None:
    persona = "5c57d49ef834110496fae5aa14fec441"
    for model in ("suno-v5-beta", "suno-v5.5-beta", "suno-v5", "suno-v5.5"):
        assert fields(**custom(model=model, persona=persona)) == []
    for model in ("suno-v4.5plus-beta", "suno-v4.5all", "suno-v4-beta"):
        assert fields(**custom(model=model, persona=persona)) == ["persona"]
    assert fields(prompt="p", persona=persona) == ["persona"]
    assert fields(**custom(persona="")) == ["persona"]


def test_a_persona_object_is_taken_for_its_id() -> None:
    task = ep.Task(id="task-unified-1-aaaaaaaa", status="completed", persona_id="p1")
    persona = ep.Persona(persona_id="p1", task_id=task.id, task=task)
    request = ep.MusicRequest(**custom(persona=persona, persona_model="style_persona"))
    assert request.violations() == []
    assert request.body()["persona_id"] == "p1"
    assert fields(**custom(model="suno-v4-beta", persona=persona)) == ["persona"]


def test_enums_come_from_the_spec() -> None:
    assert "suno-v5-beta" in ep.MUSIC_MODELS
    assert "suno-v5" in ep.MUSIC_MODELS  # the older names, mapped by the service
    assert fields(model="suno-v3.5", prompt="p") == ["model"]
    assert fields(**custom(vocal_gender="x", persona_model="singer")) == [
        "vocal_gender",
        "persona_model",
    ]


def test_every_violation_is_listed_at_once() -> None:
    violations = ep.validate_music_request(
        model="suno-v4-beta",
        custom_mode=True,
        title="t" * 81,
        style_weight=2,
        duration=30,
        persona="p",
        callback_url="http://hooks.example.com/x",
    )
    assert [v.field for v in violations] == [
        "title",
        "style_weight",
        "style",
        "prompt",
        "duration",
        "persona",
        "callback_url",
    ]


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://hooks.example.com/suno", True),
        ("http://hooks.example.com/suno", False),
        ("https://10.0.0.8/suno", False),
        ("https://[::1]/suno", False),
        ("https://localhost/suno", False),
        ("https://hooks.example.com/a b", False),
        ("https://hooks.example.com/" + "a" * 2022, True),  # 2048 characters
        ("https://hooks.example.com/" + "a" * 2023, False),
    ],
)
def test_callback_urls_follow_the_vendors_rules(url: str, ok: bool) -> None:
    assert (fields(prompt="p", callback_url=url) == []) is ok


def test_a_loopback_callback_is_allowed_only_when_the_service_is_on_loopback() -> None:
    assert callback_url_problem("http://127.0.0.1:9000/cb") is not None
    assert callback_url_problem("http://127.0.0.1:9000/cb", service_on_loopback=True) is None
    assert callback_url_problem("http://10.0.0.1:9000/cb", service_on_loopback=True) is not None


_VALID_REQUESTS = st.builds(
    ep.MusicRequest,
    model=st.sampled_from(["suno-v5-beta", "suno-v5.5-beta", "suno-v5"]),
    prompt=st.text(max_size=20),
    custom_mode=st.just(True),
    instrumental=st.booleans(),
    style=st.text(max_size=10),
    title=st.text(max_size=10),
    negative_tags=st.one_of(st.none(), st.text(max_size=10)),
    vocal_gender=st.sampled_from([None, "m", "f"]),
    style_weight=st.one_of(st.none(), st.integers(0, 100).map(lambda n: n / 100)),
    persona=st.one_of(st.none(), st.just("5c57d49ef834110496fae5aa14fec441")),
    persona_model=st.sampled_from([None, "style_persona", "voice_persona"]),
    callback_url=st.sampled_from([None, "https://hooks.example.com/suno"]),
)


@given(_VALID_REQUESTS)
def test_the_body_is_the_generated_models_body(request: ep.MusicRequest) -> None:
    assert request.violations() == []
    assert request.to_generated().to_dict() == request.body()


# --- against the mock -------------------------------------------------------------------


@pytest.fixture
def client(evolink_mock: MockHandle) -> Iterator[ep.PersonaClient]:
    clock = evolink_mock.service.clock
    http = httpx.Client(transport=evolink_mock.transport(), base_url=evolink_mock.base_url)
    with (
        http,
        ep.PersonaClient(
            fixtures.DEMO_API_KEY,
            base_url=evolink_mock.base_url,
            http_client=http,
            sleep=clock.advance,
            clock=clock.now,
            random_fraction=lambda: 0.0,
        ) as sdk,
    ):
        yield sdk


def test_generate_and_wait_reports_progress_and_ends_with_uuid_songs(
    client: ep.PersonaClient,
) -> None:
    seen: list[str] = []
    songs = client.generate_music_and_wait(
        prompt="a cheerful song", on_progress=lambda task: seen.append(task.status)
    )
    assert seen[0] == "pending"
    assert seen[-1] == "completed"
    assert len(songs) >= 2
    assert all(str(uuid.UUID(song.result_id)) == song.result_id for song in songs)


def test_the_whole_story_with_the_persona_object(client: ep.PersonaClient) -> None:
    task = client.generate_music(prompt="first song")
    songs = client.wait_for_songs(task.id, estimated_time=task.estimated_time)
    persona = client.create_persona_and_wait(
        source_task_id=task.id, result_id=songs[0].result_id, name="Mine", description="mine"
    )
    again = client.generate_music_and_wait(
        **custom(persona=persona, persona_model="voice_persona"),
    )
    assert len(again) >= 2
    assert {s.result_id for s in again}.isdisjoint({s.result_id for s in songs})


def test_a_persona_on_a_v4_model_is_refused_before_anything_is_sent(
    evolink_mock: MockHandle, client: ep.PersonaClient
) -> None:
    with pytest.raises(ep.RequestValidationError) as refused:
        client.generate_music(**custom(model="suno-v4.5-beta", persona=fixtures.DEMO_PERSONA_ID))
    assert [v.field for v in refused.value.violations] == ["persona"]
    assert evolink_mock.requests() == []


def test_an_unknown_persona_is_the_servers_bad_request(client: ep.PersonaClient) -> None:
    with pytest.raises(ep.BadRequestError) as refused:
        client.generate_music(**custom(persona="0" * 32))
    assert "does not exist" in str(refused.value)


def test_a_cancelled_music_task_ends_the_wait_with_task_failed(
    evolink_mock: MockHandle, client: ep.PersonaClient
) -> None:
    task = client.generate_music(prompt="to be cancelled")
    evolink_mock.service.cancel_task(task.id)
    with pytest.raises(ep.TaskFailedError) as failed:
        client.wait_for_songs(task.id)
    assert failed.value.status == "cancelled"


def test_async_client_generates_and_waits(evolink_mock: MockHandle) -> None:
    clock = evolink_mock.service.clock

    async def advance(seconds: float) -> None:
        clock.advance(seconds)

    async def run() -> tuple[ep.Song, ...]:
        transport = httpx.ASGITransport(app=evolink_mock.app)
        http = httpx.AsyncClient(transport=transport, base_url="http://mock.test")
        async with (
            http,
            ep.AsyncPersonaClient(
                fixtures.DEMO_API_KEY,
                base_url="http://mock.test",
                http_client=http,
                sleep=advance,
                clock=clock.now,
            ) as sdk,
        ):
            return await sdk.generate_music_and_wait(**custom(model="suno-v5.5", duration=60))

    songs = asyncio.run(run())
    assert [song.duration for song in songs] == [60.0, 60.0]


# --- retries: a creation that may have taken effect is never sent again -----------------


def test_a_music_creation_is_retried_after_429_but_not_after_500(fake_time: FakeTime) -> None:
    created = submitted(model="suno-v5-beta")
    script = Script(
        json_reply(429, error_body("rate_limit_exceeded", "slow down", "rate_limit_error")),
        json_reply(200, created),
    )
    with make_client(script, fake_time) as sdk:
        assert sdk.generate_music(prompt="p").id == created["id"]
    assert script.bodies() == [{"model": "suno-v5-beta", "prompt": "p"}] * 2
    for status in (500, 502, 503):
        script = Script(json_reply(status, error_body("internal_error", "boom", "api_error")))
        with make_client(script, fake_time) as sdk, pytest.raises(ep.ServerError):
            sdk.generate_music(prompt="p")
        assert len(script.requests) == 1  # it may have been created: never sent again
    script = Script(httpx.ReadTimeout("no answer"))
    with make_client(script, fake_time) as sdk, pytest.raises(ep.APITimeoutError):
        sdk.generate_music(prompt="p")
    assert len(script.requests) == 1


# --- reading a callback -----------------------------------------------------------------


def _detail(**extra: Any) -> dict[str, Any]:
    song = {"result_id": "4fcc4507-a7ae-4441-ad8a-465c2f61d5bb", "title": "S", "duration": 60}
    return {
        "id": "task-unified-1774169216-abcdefgh",
        "status": "completed",
        "progress": 100,
        "model": "suno-v5-beta",
        "result_data": {"songs": [song]},
        **extra,
    }


def test_a_callback_body_reads_as_bytes_text_or_dict_into_the_same_task() -> None:
    import json

    body = _detail(unknown_field={"x": 1})
    as_bytes = ep.read_callback(json.dumps(body).encode())
    assert as_bytes == ep.read_callback(json.dumps(body)) == ep.read_callback(body)
    assert as_bytes.songs[0].result_id == "4fcc4507-a7ae-4441-ad8a-465c2f61d5bb"
    assert as_bytes.is_terminal


def test_a_callback_with_an_unknown_status_is_read_not_refused() -> None:
    task = ep.read_callback(_detail(status="archived"))
    assert not task.status_known
    assert not task.is_terminal


@pytest.mark.parametrize(
    "body", [b"<html>502</html>", b"\xff\xfe", b"[1, 2]", b'{"status": "completed"}']
)
def test_a_body_that_is_not_a_task_detail_is_an_unexpected_response(body: bytes) -> None:
    with pytest.raises(ep.UnexpectedResponseError):
        ep.read_callback(body)


def test_a_refused_callback_body_never_shows_the_key() -> None:
    key = "sk-evolink-secret-0123456789"
    with pytest.raises(ep.UnexpectedResponseError) as refused:
        ep.read_callback(f'{{"echo": "{key}"}}'.encode(), api_key=key)
    assert key not in str(refused.value)
    assert key not in repr(refused.value)
