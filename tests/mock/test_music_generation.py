"""Music generation on the mock: each rule of the vendor's prose, the task, and personas.

Every rule is stated by a test at its boundary: the last accepted value and the first
refused one, with the refusal's field (`param`). Bodies start from the vendor's own
request examples (the merged spec's), changed one field at a time.
"""

from __future__ import annotations

import copy
import re
import uuid
from typing import Any

import evolink_openapi
import httpx
import pytest
from evolink_mock import MockConfig, create_app, fixtures
from evolink_mock.handle import MockHandle
from evolink_mock.music import MUSIC_CREDITS

from .conftest import CREATE, error_of, persona_body

_SPEC = evolink_openapi.spec_document()
EXAMPLES: dict[str, dict[str, Any]] = {
    name: example["value"]
    for name, example in _SPEC["paths"][CREATE]["post"]["requestBody"]["content"][
        "application/json"
    ]["examples"].items()
    if example["value"]["model"] != "suno-persona"
}
_DROP = object()


def example(name: str, **changes: Any) -> dict[str, Any]:
    """A vendor example with fields replaced (`_DROP` removes one)."""
    body = copy.deepcopy(EXAMPLES[name])
    body.pop("persona_id", None)  # the example's persona does not exist on the mock
    body.pop("persona_model", None)
    for key, value in changes.items():
        if value is _DROP:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def refused(response: httpx.Response, param: str) -> str:
    assert response.status_code == 400, response.text
    error = error_of(response)
    assert (error["code"], error.get("param")) == ("invalid_request", param), error
    message: str = error["message"]
    return message


def accepted(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_every_vendor_example_without_its_persona_is_accepted(client: httpx.Client) -> None:
    assert set(EXAMPLES) >= {"simple_mode", "custom_mode_with_lyrics", "instrumental_mode"}
    for name in EXAMPLES:
        accepted(client.post(CREATE, json=example(name)))


# --- simple mode ----------------------------------------------------------------------


def test_simple_mode_requires_prompt(client: httpx.Client) -> None:
    message = refused(client.post(CREATE, json=example("simple_mode", prompt=_DROP)), "prompt")
    assert "simple mode" in message


def test_simple_mode_prompt_is_at_most_500_characters(client: httpx.Client) -> None:
    accepted(client.post(CREATE, json=example("simple_mode", prompt="a" * 500)))
    message = refused(client.post(CREATE, json=example("simple_mode", prompt="a" * 501)), "prompt")
    assert "500" in message


def test_simple_mode_ignores_custom_fields_rather_than_refusing_them(client: httpx.Client) -> None:
    # "The API is not guaranteed to reject them, but they have no effect whatsoever".
    body = example("simple_mode", style="x" * 1500, negative_tags="sad", style_weight=0.5)
    accepted(client.post(CREATE, json=body))


# --- custom mode ----------------------------------------------------------------------


@pytest.mark.parametrize("field", ["style", "title"])
def test_custom_mode_requires_style_and_title(client: httpx.Client, field: str) -> None:
    body = example("custom_mode_with_lyrics", **{field: _DROP})
    assert "custom mode" in refused(client.post(CREATE, json=body), field)


def test_custom_mode_requires_lyrics_unless_instrumental(client: httpx.Client) -> None:
    body = example("custom_mode_with_lyrics", prompt=_DROP)
    assert "instrumental" in refused(client.post(CREATE, json=body), "prompt")
    accepted(client.post(CREATE, json={**body, "instrumental": True}))


@pytest.mark.parametrize(
    ("model", "limit"),
    [("suno-v4-beta", 3000), ("suno-v4", 3000), ("suno-v4.5-beta", 5000), ("suno-v5.5-beta", 5000)],
)
def test_custom_mode_prompt_length_depends_on_the_model(
    client: httpx.Client, model: str, limit: int
) -> None:
    accepted(
        client.post(
            CREATE, json=example("custom_mode_with_lyrics", model=model, prompt="a" * limit)
        )
    )
    body = example("custom_mode_with_lyrics", model=model, prompt="a" * (limit + 1))
    assert str(limit) in refused(client.post(CREATE, json=body), "prompt")


@pytest.mark.parametrize(
    ("model", "limit"), [("suno-v4-beta", 200), ("suno-v4.5plus-beta", 1000), ("suno-v5", 1000)]
)
def test_custom_mode_style_length_depends_on_the_model(
    client: httpx.Client, model: str, limit: int
) -> None:
    accepted(client.post(CREATE, json=example("instrumental_mode", model=model, style="s" * limit)))
    body = example("instrumental_mode", model=model, style="s" * (limit + 1))
    assert str(limit) in refused(client.post(CREATE, json=body), "style")


def test_title_is_at_most_80_and_negative_tags_200_characters(client: httpx.Client) -> None:
    accepted(client.post(CREATE, json=example("instrumental_mode", title="t" * 80)))
    refused(client.post(CREATE, json=example("instrumental_mode", title="t" * 81)), "title")
    accepted(client.post(CREATE, json=example("instrumental_mode", negative_tags="n" * 200)))
    body = example("instrumental_mode", negative_tags="n" * 201)
    refused(client.post(CREATE, json=body), "negative_tags")


@pytest.mark.parametrize("field", ["style_weight", "weirdness_constraint", "audio_weight"])
def test_weights_run_from_0_to_1_in_steps_of_0_01(client: httpx.Client, field: str) -> None:
    for value in (0, 0.0, 0.01, 0.07, 0.57, 0.99, 1, 1.0):
        accepted(client.post(CREATE, json=example("instrumental_mode", **{field: value})))
    for value in (-0.01, 1.01, 0.001, 0.015, 0.1 + 0.2, True):
        refused(client.post(CREATE, json=example("instrumental_mode", **{field: value})), field)


# --- duration ------------------------------------------------------------------------


def test_duration_is_an_integer_from_10_to_360_on_v5_5(client: httpx.Client) -> None:
    valid: tuple[float, ...] = (10, 360, 120.0)  # 120.0 is an integer to JSON Schema
    for value in valid:
        accepted(client.post(CREATE, json=example("v5_5_custom_duration", duration=value)))
    invalid: tuple[float, ...] = (9, 361, 120.5)
    for value in invalid:
        body = example("v5_5_custom_duration", duration=value)
        refused(client.post(CREATE, json=body), "duration")


@pytest.mark.parametrize("model", ["suno-v5-beta", "suno-v4.5plus-beta", "suno-v4-beta"])
def test_duration_is_refused_on_models_other_than_v5_5(client: httpx.Client, model: str) -> None:
    body = example("v5_5_custom_duration", model=model)
    assert "suno-v5.5" in refused(client.post(CREATE, json=body), "duration")


def test_duration_is_accepted_under_the_compatible_v5_5_name(client: httpx.Client) -> None:
    accepted(client.post(CREATE, json=example("v5_5_custom_duration", model="suno-v5.5")))


def test_duration_is_refused_in_simple_mode(client: httpx.Client) -> None:
    body = example("simple_mode", model="suno-v5.5-beta", duration=60)
    refused(client.post(CREATE, json=body), "duration")


# --- models ---------------------------------------------------------------------------


def test_compatible_model_names_run_as_their_beta_versions(client: httpx.Client) -> None:
    created = accepted(client.post(CREATE, json=example("simple_mode", model="suno-v4.5plus")))
    assert created["model"] == "suno-v4.5plus-beta"


def test_an_unknown_model_is_refused_naming_the_models(client: httpx.Client) -> None:
    message = refused(client.post(CREATE, json=example("simple_mode", model="suno-v3.5")), "model")
    assert "'suno-v5-beta'" in message
    assert "'suno-persona'" in message


@pytest.mark.parametrize(("model", "credits"), sorted(MUSIC_CREDITS.items()))
def test_credits_are_reserved_per_model(
    evolink_mock: MockHandle, client: httpx.Client, model: str, credits: float
) -> None:
    before = evolink_mock.service.users[fixtures.DEMO_USER_ID].credits
    created = accepted(client.post(CREATE, json=example("simple_mode", model=model)))
    assert created["usage"]["credits_reserved"] == credits
    assert evolink_mock.service.users[fixtures.DEMO_USER_ID].credits == before - credits


def test_a_music_task_is_refused_without_the_credits_for_its_model(
    evolink_mock: MockHandle, client: httpx.Client
) -> None:
    evolink_mock.set_credits(MUSIC_CREDITS["suno-v5-beta"] - 1)
    accepted(client.post(CREATE, json=example("simple_mode", model="suno-v4-beta")))
    response = client.post(CREATE, json=example("simple_mode", model="suno-v5-beta"))
    assert response.status_code == 402
    assert error_of(response)["code"] == "insufficient_quota"


# --- the task and its songs ----------------------------------------------------------


def test_a_music_task_runs_to_completed_with_songs_of_uuid_result_ids(
    evolink_mock: MockHandle, client: httpx.Client
) -> None:
    created = accepted(client.post(CREATE, json=example("custom_mode_with_lyrics")))
    assert created["status"] == "pending"
    assert re.fullmatch(r"task-unified-\d+-[a-z0-9]{8}", created["id"])
    running = client.get(f"/v1/tasks/{created['id']}").json()
    assert "result_data" not in running
    evolink_mock.finish_tasks()
    done = client.get(f"/v1/tasks/{created['id']}").json()
    assert done["status"] == "completed"
    songs = done["result_data"]["songs"]
    assert len(songs) >= 2  # "Each request generates multiple music variations"
    assert all(str(uuid.UUID(song["result_id"])) == song["result_id"] for song in songs)
    assert songs[0]["title"] == "Summer Dreams"


def test_a_song_of_a_generated_task_feeds_persona_creation(
    evolink_mock: MockHandle, client: httpx.Client
) -> None:
    task_id = accepted(client.post(CREATE, json=example("simple_mode")))["id"]
    evolink_mock.finish_tasks()
    song = client.get(f"/v1/tasks/{task_id}").json()["result_data"]["songs"][1]
    body = persona_body(source_task_id=task_id, result_id=song["result_id"])
    accepted(client.post(CREATE, json=body))
    refused(client.post(CREATE, json=body), "model_params.result_id")  # one persona per song


def test_an_unfinished_music_task_cannot_feed_persona_creation(
    evolink_mock: MockHandle, client: httpx.Client
) -> None:
    task_id = accepted(client.post(CREATE, json=example("simple_mode")))["id"]
    body = persona_body(source_task_id=task_id, result_id=fixtures.song_id(task_id, 0))
    message = refused(client.post(CREATE, json=body), "model_params.source_task_id")
    assert "is not completed" in message


# --- personas ------------------------------------------------------------------------


def _with_persona(persona_id: str, **changes: Any) -> dict[str, Any]:
    body = example("custom_mode_with_lyrics", **changes)
    body.update(persona_id=persona_id, persona_model="voice_persona")
    return body


@pytest.mark.parametrize("model", ["suno-v5-beta", "suno-v5.5-beta", "suno-v5", "suno-v5.5"])
def test_a_completed_persona_of_the_caller_applies_on_v5_family_models(
    client: httpx.Client, model: str
) -> None:
    accepted(client.post(CREATE, json=_with_persona(fixtures.DEMO_PERSONA_ID, model=model)))


@pytest.mark.parametrize(
    "model", ["suno-v4.5plus-beta", "suno-v4.5-beta", "suno-v4-beta", "suno-v4.5all"]
)
def test_persona_id_is_refused_on_models_outside_the_v5_family(
    client: httpx.Client, model: str
) -> None:
    body = _with_persona(fixtures.DEMO_PERSONA_ID, model=model)
    assert "V5-family" in refused(client.post(CREATE, json=body), "persona_id")


def test_persona_id_is_refused_in_simple_mode(client: httpx.Client) -> None:
    body = example("simple_mode", persona_id=fixtures.DEMO_PERSONA_ID)
    assert "custom_mode=true" in refused(client.post(CREATE, json=body), "persona_id")


def test_persona_model_takes_only_the_two_documented_values(client: httpx.Client) -> None:
    for value in ("style_persona", "voice_persona"):
        body = {**_with_persona(fixtures.DEMO_PERSONA_ID), "persona_model": value}
        accepted(client.post(CREATE, json=body))
    body = {**_with_persona(fixtures.DEMO_PERSONA_ID), "persona_model": "singer_persona"}
    refused(client.post(CREATE, json=body), "persona_model")


def test_persona_model_without_persona_id_has_no_effect_and_is_accepted(
    client: httpx.Client,
) -> None:
    accepted(client.post(CREATE, json=example("instrumental_mode", persona_model="style_persona")))


def test_an_unknown_persona_is_refused(client: httpx.Client) -> None:
    message = refused(client.post(CREATE, json=_with_persona("0" * 32)), "persona_id")
    assert "does not exist or does not belong to the current user" in message


def test_another_users_persona_is_refused_like_an_unknown_one(evolink_mock: MockHandle) -> None:
    with evolink_mock.client(api_key=fixtures.SECOND_API_KEY) as second:
        message = refused(
            second.post(CREATE, json=_with_persona(fixtures.DEMO_PERSONA_ID)), "persona_id"
        )
    assert "does not exist or does not belong to the current user" in message


def test_a_persona_is_usable_once_its_task_completes(
    evolink_mock: MockHandle, client: httpx.Client
) -> None:
    created = accepted(
        client.post(CREATE, json=persona_body(result_id=fixtures.DEMO_SECOND_RESULT_ID))
    )
    evolink_mock.finish_tasks()
    persona_id = client.get(f"/v1/tasks/{created['id']}").json()["result_data"]["persona_id"]
    accepted(client.post(CREATE, json=_with_persona(persona_id)))


def test_the_persona_of_a_running_persona_task_is_not_ready(
    evolink_mock: MockHandle, client: httpx.Client
) -> None:
    created = accepted(
        client.post(CREATE, json=persona_body(result_id=fixtures.DEMO_SECOND_RESULT_ID))
    )
    task = evolink_mock.service._recent[created["id"]]
    message = refused(client.post(CREATE, json=_with_persona(task.persona_id)), "persona_id")
    assert "is not ready" in message
    assert "pending" in message


def test_the_persona_of_a_failed_persona_task_is_not_ready(
    evolink_mock: MockHandle, client: httpx.Client
) -> None:
    created = accepted(
        client.post(CREATE, json=persona_body(result_id=fixtures.DEMO_SECOND_RESULT_ID))
    )
    task = evolink_mock.service._recent[created["id"]]
    task.error_code = "service_error"
    evolink_mock.finish_tasks()
    message = refused(client.post(CREATE, json=_with_persona(task.persona_id)), "persona_id")
    assert "failed" in message


def test_a_cancelled_music_task_ends_cancelled_without_songs(
    evolink_mock: MockHandle, client: httpx.Client
) -> None:
    task_id = accepted(client.post(CREATE, json=example("simple_mode")))["id"]
    evolink_mock.advance(10)
    with evolink_mock.client() as control:
        response = control.post(
            "/_mock/tasks/cancel",
            json={"task_id": task_id},
            headers={"X-Mock-Admin-Token": evolink_mock.admin_token},
        )
    assert response.status_code == 200, response.text
    evolink_mock.finish_tasks()
    detail = client.get(f"/v1/tasks/{task_id}").json()
    assert detail["status"] == "cancelled"
    assert "result_data" not in detail


def test_a_forgotten_persona_task_takes_its_persona_with_it() -> None:
    """Retention forgets a persona task's persona with it, so the personas kept stay bounded
    by the tasks kept (no memory per creation); a kept one still applies."""
    handle = MockHandle(create_app(MockConfig(persona_duration=1, retention_max_tasks=2)))
    with handle.client() as c:
        made = []
        for _ in range(6):
            task = handle.add_music_task(songs=1)
            body = persona_body(source_task_id=task.task_id, result_id=task.songs[0].result_id)
            made.append(c.post(CREATE, json=body).json()["id"])
        handle.finish_tasks()
        personas = [c.get(f"/v1/tasks/{task_id}") for task_id in made]
        assert [r.status_code for r in personas] == [404] * 4 + [200] * 2
        kept = personas[-1].json()["result_data"]["persona_id"]
        accepted(c.post(CREATE, json=_with_persona(kept)))
    assert len(handle.service._personas) <= 2 + len(
        [t for u in fixtures.USERS for t in u.tasks if t.persona_id and t.model == "suno-persona"]
    )
    handle.close()
