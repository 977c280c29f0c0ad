"""What the generated client does with real data: every spec example, both result shapes,
and the inputs the spec does not list. The SDK's tolerance is designed on these findings
(README, "What the generated client does"): a change of generator behaviour shows here first.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from evolink_api import AuthenticatedClient, Client, errors
from evolink_api.api.audio_generation import create_audio_generation
from evolink_api.api.task_management import get_task_detail
from evolink_api.client import DEFAULT_TIMEOUT
from evolink_api.models import (
    AudioGenerationResponse,
    ErrorResponse,
    MusicResult,
    PersonaResult,
    SunoMusicGenerationRequest,
    SunoPersonaCreationRequest,
    TaskDetailResponse,
    TaskError,
    Usage,
)
from evolink_api.models.task_detail_response_status import (
    TASK_DETAIL_RESPONSE_STATUS_VALUES,
    TaskDetailResponseStatus,
    TaskDetailResponseStatusListed,
    check_task_detail_response_status,
)
from evolink_api.types import UnknownShape, UnknownValue
from evolink_mock import fixtures
from evolink_mock.server import serve_in_thread
from evolink_openapi import spec_document

SPEC: dict[str, Any] = spec_document()
CREATE = SPEC["paths"]["/v1/audios/generations"]["post"]
DETAIL = SPEC["paths"]["/v1/tasks/{task_id}"]["get"]
TASK_ID = "task-unified-1774170584-su75smg7"
SONG_ID = "4fcc4507-a7ae-4441-ad8a-465c2f61d5bb"


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = SPEC["components"]["schemas"][name]
    return schema


def example_of(schema: dict[str, Any]) -> Any:
    """An instance assembled from the spec's own `example` values, property by property."""
    schema = _resolve(schema)
    if "example" in schema:
        return schema["example"]
    if "properties" in schema:
        return {name: example_of(sub) for name, sub in schema["properties"].items()}
    if "enum" in schema:
        return schema["enum"][0]
    for alternatives in ("oneOf", "anyOf"):
        if alternatives in schema:
            return example_of(schema[alternatives][0])
    raise AssertionError(f"the spec gives no example for {schema}")


def documented_error_examples() -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    for operation_id, operation in (("create", CREATE), ("detail", DETAIL)):
        for status, response in operation["responses"].items():
            media = response.get("content", {}).get("application/json", {})
            if "example" in media:
                yield operation_id, status, "example", media["example"]
            for name, example in media.get("examples", {}).items():
                yield operation_id, status, name, example["value"]


ERROR_EXAMPLES = [e for e in documented_error_examples() if e[1] != "200"]


def _client(status: int, body: bytes, content_type: str = "application/json") -> Any:
    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers={"content-type": content_type})

    return AuthenticatedClient(
        base_url="https://api.test",
        token="sk-test",
        httpx_args={"transport": httpx.MockTransport(reply)},
    )


def _detail(payload: Any, status: int = 200) -> Any:
    return get_task_detail.sync_detailed(
        TASK_ID, client=_client(status, json.dumps(payload).encode())
    )


def test_the_spec_documents_an_example_for_every_error_status() -> None:
    documented = {(op, status) for op, status, _, _ in ERROR_EXAMPLES}
    creation = ("400", "401", "402", "403", "429", "500", "503")  # 403, 503: the music document
    assert documented == {("create", s) for s in creation} | {
        ("detail", s) for s in ("400", "401", "402", "403", "404", "429", "500")
    }


@pytest.mark.parametrize(
    "name", sorted(CREATE["requestBody"]["content"]["application/json"]["examples"])
)
def test_every_request_example_round_trips_through_the_request_model(name: str) -> None:
    example = CREATE["requestBody"]["content"]["application/json"]["examples"][name]["value"]
    # One operation, two request models: `model` says which (the discriminator's mapping).
    request_model = (
        SunoPersonaCreationRequest
        if example["model"] == "suno-persona"
        else SunoMusicGenerationRequest
    )
    model = request_model.from_dict(example)
    assert model.to_dict() == example


@pytest.mark.parametrize(
    ("operation", "status", "name", "example"),
    ERROR_EXAMPLES,
    ids=[f"{op}-{status}-{name}" for op, status, name, _ in ERROR_EXAMPLES],
)
def test_every_error_example_parses_as_the_error_response(
    operation: str, status: str, name: str, example: dict[str, Any]
) -> None:
    client = _client(int(status), json.dumps(example).encode())
    response: Any
    if operation == "create":
        body = SunoPersonaCreationRequest.from_dict(
            CREATE["requestBody"]["content"]["application/json"]["examples"]["basic"]["value"]
        )
        response = create_audio_generation.sync_detailed(client=client, body=body)
    else:
        response = get_task_detail.sync_detailed(TASK_ID, client=client)
    assert isinstance(response.parsed, ErrorResponse)
    assert response.parsed.to_dict() == example


def test_the_creation_200_example_parses_and_round_trips() -> None:
    example = example_of(CREATE["responses"]["200"]["content"]["application/json"]["schema"])
    client = _client(200, json.dumps(example).encode())
    body = SunoPersonaCreationRequest.from_dict(
        CREATE["requestBody"]["content"]["application/json"]["examples"]["basic"]["value"]
    )
    response = create_audio_generation.sync_detailed(client=client, body=body)
    assert isinstance(response.parsed, AudioGenerationResponse)
    assert response.parsed.to_dict() == example
    assert response.parsed.status == "pending"


def test_the_task_detail_200_example_parses_and_round_trips() -> None:
    example = example_of(DETAIL["responses"]["200"]["content"]["application/json"]["schema"])
    # result_data is an anyOf: give it the persona form explicitly.
    example["result_data"] = {"persona_id": "5c57d49ef834110496fae5aa14fec441"}
    example["error"] = None
    parsed = _detail(example).parsed
    assert isinstance(parsed, TaskDetailResponse)
    assert parsed.to_dict() == example


def test_the_async_call_parses_like_the_sync_one() -> None:
    example = {"id": TASK_ID, "status": "processing", "progress": 40}

    async def fetch() -> Any:
        client = _client(200, json.dumps(example).encode())
        return await get_task_detail.asyncio_detailed(TASK_ID, client=client)

    parsed = asyncio.run(fetch()).parsed
    assert isinstance(parsed, TaskDetailResponse)
    assert parsed.to_dict() == example


def test_the_current_songs_object_shape_parses_with_uuid_result_ids() -> None:
    payload = {
        "id": TASK_ID,
        "status": "completed",
        "result_data": {"songs": [{"result_id": SONG_ID, "title": "A", "duration": 182.4}]},
    }
    parsed = _detail(payload).parsed
    assert isinstance(parsed.result_data, MusicResult)
    assert str(parsed.result_data.songs[0].result_id) == SONG_ID
    assert parsed.to_dict() == payload


def test_the_older_bare_list_shape_parses_too() -> None:
    payload = {
        "id": TASK_ID,
        "status": "completed",
        "result_data": [{"result_id": SONG_ID, "title": "A"}],
    }
    parsed = _detail(payload).parsed
    assert isinstance(parsed.result_data, list)
    assert str(parsed.result_data[0].result_id) == SONG_ID
    assert parsed.to_dict() == payload


def test_a_completed_persona_task_carries_its_persona_id() -> None:
    payload = {
        "id": TASK_ID,
        "status": "completed",
        "progress": 100,
        "result_data": {"persona_id": "5c57d49ef834110496fae5aa14fec441"},
    }
    parsed = _detail(payload).parsed
    assert isinstance(parsed.result_data, PersonaResult)
    assert parsed.result_data.persona_id == "5c57d49ef834110496fae5aa14fec441"


def test_a_failed_task_carries_its_error() -> None:
    error = {"code": "generation_timeout", "message": "took too long", "type": "task_error"}
    parsed = _detail({"id": TASK_ID, "status": "failed", "error": error}).parsed
    assert isinstance(parsed.error, TaskError)
    assert (parsed.error.code, parsed.error.type_) == ("generation_timeout", "task_error")


def test_extra_fields_are_kept_not_dropped() -> None:
    payload = {"id": TASK_ID, "status": "pending", "queue_position": 3}
    parsed = _detail(payload).parsed
    assert parsed.additional_properties == {"queue_position": 3}
    assert parsed.to_dict() == payload


@pytest.mark.parametrize("status", [418, 502])
def test_an_undocumented_status_gives_no_parsed_body(status: int) -> None:
    response = get_task_detail.sync_detailed(
        TASK_ID, client=_client(status, b"<html>Bad Gateway</html>", "text/html")
    )
    assert response.status_code == status
    assert response.parsed is None


def test_raise_on_unexpected_status_raises_with_the_raw_body() -> None:
    client = _client(502, b"<html>Bad Gateway</html>", "text/html")
    client.raise_on_unexpected_status = True
    with pytest.raises(errors.UnexpectedStatus) as caught:
        get_task_detail.sync_detailed(TASK_ID, client=client)
    assert caught.value.status_code == 502
    assert caught.value.content == b"<html>Bad Gateway</html>"


def test_an_unlisted_task_status_is_kept_as_an_unknown_value() -> None:
    # A new status such as `queued` is kept, marked, and typed as possible.
    parsed = _detail({"id": TASK_ID, "status": "queued"}).parsed
    assert isinstance(parsed, TaskDetailResponse)
    assert isinstance(parsed.status, UnknownValue)
    assert parsed.status == "queued"
    assert parsed.to_dict() == {"id": TASK_ID, "status": "queued"}


def test_a_listed_status_stays_the_plain_literal_string() -> None:
    parsed = _detail({"id": TASK_ID, "status": "completed"}).parsed
    assert type(parsed.status) is str
    assert parsed.status == "completed"


def test_an_unlisted_billing_rule_is_kept_as_an_unknown_value() -> None:
    example = example_of(CREATE["responses"]["200"]["content"]["application/json"]["schema"])
    example["usage"]["billing_rule"] = "per_minute"
    parsed = AudioGenerationResponse.from_dict(example)
    assert isinstance(parsed.usage, Usage)
    assert isinstance(parsed.usage.billing_rule, UnknownValue)
    assert parsed.to_dict() == example


def test_an_enum_value_of_the_wrong_json_type_names_the_enum() -> None:
    with pytest.raises(TypeError, match="TaskDetailResponseStatus should be a string, got int"):
        TaskDetailResponse.from_dict({"id": TASK_ID, "status": 3})


@pytest.mark.parametrize(
    "result_data",
    [{"image_urls": []}, "done", 7, [{"title": "no result_id"}], {"songs": "none"}],
    ids=["other-object", "string", "number", "song-without-id", "songs-not-a-list"],
)
def test_a_result_data_of_no_known_shape_is_kept_raw_and_marked(result_data: Any) -> None:
    payload = {"id": TASK_ID, "status": "completed", "result_data": result_data}
    parsed = _detail(payload).parsed
    assert parsed.result_data == UnknownShape(result_data)
    assert parsed.to_dict() == payload


def test_an_error_of_no_known_shape_is_kept_raw_and_marked() -> None:
    payload = {"id": TASK_ID, "status": "failed", "error": "boom"}
    parsed = _detail(payload).parsed
    assert parsed.error == UnknownShape("boom")
    assert parsed.to_dict() == payload


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<html>oops</html>", "text/html"),
        (b'{"id": "task-unified-1', "application/json"),
        (b"\xff\xfe{}", "application/json"),
        (b"", None),
    ],
    ids=["html", "truncated", "not-utf8", "empty"],
)
def test_a_non_json_200_body_raises_the_documented_error_naming_status_and_type(
    body: bytes, content_type: str | None
) -> None:
    def reply(request: httpx.Request) -> httpx.Response:
        headers = {"content-type": content_type} if content_type else {}
        return httpx.Response(200, content=body, headers=headers)

    client = AuthenticatedClient(
        base_url="https://api.test",
        token="sk-test",
        httpx_args={"transport": httpx.MockTransport(reply)},
    )
    with pytest.raises(errors.UnparsableBody) as caught:
        get_task_detail.sync_detailed(TASK_ID, client=client)
    error = caught.value
    assert (error.status_code, error.content_type, error.content) == (200, content_type, body)
    assert "HTTP 200" in str(error)
    assert (content_type or "(none)") in str(error)


def test_a_client_has_a_real_default_timeout() -> None:
    for client in (
        Client(base_url="https://api.test"),
        AuthenticatedClient(base_url="https://api.test", token="sk-test"),
    ):
        timeout = client.get_httpx_client().timeout
        assert timeout == DEFAULT_TIMEOUT
        assert None not in (timeout.connect, timeout.read, timeout.write, timeout.pool)


def test_the_token_never_shows_in_a_repr() -> None:
    secret = "sk-evolink-secret-9f8e7d"
    client = AuthenticatedClient(base_url="https://api.test", token=secret)
    assert secret not in repr(client)
    client.get_httpx_client()  # puts the Authorization header into the client's headers
    assert secret not in repr(client)
    assert "<redacted>" in repr(client)
    assert secret not in repr(client.with_headers({"X-Trace": "1"}))


def test_route_constants_and_request_kwargs_are_public() -> None:
    assert (get_task_detail.METHOD, get_task_detail.PATH) == ("GET", "/v1/tasks/{task_id}")
    assert get_task_detail.request_kwargs("a/b") == {"method": "get", "url": "/v1/tasks/a%2Fb"}
    assert (create_audio_generation.METHOD, create_audio_generation.PATH) == (
        "POST",
        "/v1/audios/generations",
    )


def test_the_generated_client_alone_runs_the_flow_against_the_standalone_mock() -> None:
    # The standalone mock on loopback: a new status, an HTML 200 and the happy path, with no SDK.
    with serve_in_thread() as live:
        body = SunoPersonaCreationRequest.from_dict(
            CREATE["requestBody"]["content"]["application/json"]["examples"]["basic"]["value"]
        )
        body.model_params.source_task_id = fixtures.DEMO_MUSIC_TASK_ID
        body.model_params.result_id = uuid.UUID(fixtures.DEMO_RESULT_ID)
        with AuthenticatedClient(base_url=live.base_url, token=fixtures.DEMO_API_KEY) as client:
            assert repr(client).count(fixtures.DEMO_API_KEY) == 0
            created = create_audio_generation.sync_detailed(client=client, body=body).parsed
            assert isinstance(created, AudioGenerationResponse)
            assert isinstance(created.id, str)
            read = get_task_detail.sync_detailed(created.id, client=client).parsed
            assert isinstance(read, TaskDetailResponse)
            assert read.id == created.id
            assert read.status in TASK_DETAIL_RESPONSE_STATUS_VALUES
            with pytest.raises(errors.UnparsableBody, match="HTTP 200"):
                get_task_detail.sync_detailed(
                    created.id, client=client.with_headers({"X-Mock-Fault": "truncated"})
                )


def _listed_or_none(status: TaskDetailResponseStatus) -> TaskDetailResponseStatusListed | None:
    # Type-checked by `mypy --strict` (tests/generated): assigning `status` to the Literal
    # type is refused until the UnknownValue case is handled, so the open enum is visible.
    if isinstance(status, UnknownValue):
        return None
    listed: TaskDetailResponseStatusListed = status
    return listed


def test_the_open_enum_type_tells_listed_values_from_unknown_ones() -> None:
    assert _listed_or_none(check_task_detail_response_status("completed")) == "completed"
    assert _listed_or_none(check_task_detail_response_status("queued")) is None
