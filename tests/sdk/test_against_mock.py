"""The SDK against the real mock server: in-process ASGI (async) and a live uvicorn (sync)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import evolink_persona as ep
import httpx
import pytest

mock = pytest.importorskip("evolink_mock")
from evolink_mock import fixtures  # noqa: E402

from tests.sdk.sdk_support import PersonaArgs  # noqa: E402

ADMIN = {"X-Mock-Admin-Token": mock.DEFAULT_ADMIN_TOKEN}


class NoSleep:
    """Async sleep that advances the mock's manual clock instead of waiting."""

    def __init__(self, clock: Any) -> None:
        self.clock = clock
        self.sleeps: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.clock.advance(seconds)


def _async_client(app: Any, clock: Any, **kwargs: Any) -> ep.AsyncPersonaClient:
    sleeper = NoSleep(clock)
    transport = httpx.ASGITransport(app=app)
    return ep.AsyncPersonaClient(
        kwargs.pop("api_key", fixtures.DEMO_API_KEY),
        base_url="http://mock.test",
        http_client=httpx.AsyncClient(transport=transport, base_url="http://mock.test"),
        sleep=sleeper,
        clock=clock.now,
        random_fraction=lambda: 0.0,
        **kwargs,
    )


async def _queue_fault(app: Any, mode: str, times: int = 1) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://mock.test"
    ) as admin:
        reply = await admin.post(
            "/_mock/faults", json={"mode": mode, "times": times}, headers=ADMIN
        )
        assert reply.status_code == 200, reply.text


def test_async_flow_from_song_to_persona_on_the_asgi_mock() -> None:
    clock = mock.ManualClock()
    app = mock.create_app(mock.MockConfig(persona_duration=20.0), clock=clock)

    async def run() -> tuple[ep.Persona, list[ep.Task]]:
        seen: list[ep.Task] = []
        async with _async_client(app, clock) as client:
            songs = await client.list_songs(fixtures.DEMO_MUSIC_TASK_ID)
            assert len(songs) >= 2
            persona = await client.create_persona_and_wait(
                source_task_id=fixtures.DEMO_MUSIC_TASK_ID,
                result_id=songs[1].result_id,
                name="Mock Persona",
                description="from the mock",
                vocal_start=5,
                vocal_end=25,
                on_progress=seen.append,
            )
            again = await client.get_task(persona.task_id)
            assert again.persona_id == persona.persona_id
            return persona, seen

    persona, seen = asyncio.run(run())
    assert persona.persona_id
    assert seen[0].status == "pending"
    assert seen[-1].status == "completed"


def test_a_second_persona_from_one_song_is_refused_as_already_existing() -> None:
    clock = mock.ManualClock()
    app = mock.create_app(mock.MockConfig(persona_duration=1.0), clock=clock)
    params: PersonaArgs = {
        "source_task_id": fixtures.DEMO_MUSIC_TASK_ID,
        "result_id": fixtures.DEMO_RESULT_ID,
        "name": "P",
        "description": "D",
    }

    async def run() -> None:
        async with _async_client(app, clock) as client:
            await client.create_persona(**params)
            with pytest.raises(ep.PersonaAlreadyExistsError) as caught:
                await client.create_persona(**params)
            assert caught.value.after_retry is False
            assert caught.value.status_code == 400

    asyncio.run(run())


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda c: c.get_task("not-a-task"), ep.BadRequestError),
        (lambda c: c.get_task("task-unified-1774169999-nosuchid"), ep.NotFoundError),
        (lambda c: c.get_task(fixtures.SECOND_MUSIC_TASK_ID), ep.PermissionDeniedError),
        (lambda c: c.list_songs(fixtures.DEMO_UNFINISHED_TASK_ID), ep.NoSongsError),
    ],
)
def test_mock_refusals_become_typed_errors(call: Any, expected: type[Exception]) -> None:
    clock = mock.ManualClock()
    app = mock.create_app(clock=clock)

    async def run() -> None:
        async with _async_client(app, clock) as client:
            with pytest.raises(expected):
                await call(client)

    asyncio.run(run())


def test_a_bad_key_is_an_authentication_error_and_no_credits_a_quota_error() -> None:
    clock = mock.ManualClock()
    app = mock.create_app(clock=clock)

    async def run() -> None:
        async with _async_client(app, clock, api_key="sk-wrong") as client:
            with pytest.raises(ep.AuthenticationError):
                await client.get_task(fixtures.DEMO_MUSIC_TASK_ID)
        async with _async_client(app, clock, api_key=fixtures.NO_CREDITS_API_KEY) as client:
            songs = await client.list_songs(fixtures.NO_CREDITS_MUSIC_TASK_ID)
            with pytest.raises(ep.InsufficientQuotaError):
                await client.create_persona(
                    source_task_id=fixtures.NO_CREDITS_MUSIC_TASK_ID,
                    result_id=songs[0].result_id,
                    name="P",
                    description="D",
                )

    asyncio.run(run())


def test_mock_faults_on_reads_are_retried_and_on_creation_are_not() -> None:
    clock = mock.ManualClock()
    app = mock.create_app(clock=clock)

    async def run() -> None:
        async with _async_client(app, clock) as client:
            await _queue_fault(app, "502", times=2)
            task = await client.get_task(fixtures.DEMO_MUSIC_TASK_ID)
            assert task.status == "completed"
            await _queue_fault(app, "500", times=1)
            with pytest.raises((ep.ServerError, ep.UnexpectedResponseError)):
                await client.create_persona(
                    source_task_id=fixtures.DEMO_MUSIC_TASK_ID,
                    result_id=fixtures.DEMO_RESULT_ID,
                    name="P",
                    description="D",
                )
            await _queue_fault(app, "429", times=1)
            submitted = await client.create_persona(
                source_task_id=fixtures.DEMO_MUSIC_TASK_ID,
                result_id=fixtures.DEMO_SECOND_RESULT_ID,
                name="P",
                description="D",
            )
            assert submitted.status == "pending"

    asyncio.run(run())


@pytest.fixture(scope="module")
def live() -> Iterator[Any]:
    with mock.serve_in_thread(mock.MockConfig(persona_duration=0.3)) as server:
        yield server


def test_sync_flow_on_a_live_mock(live: Any) -> None:
    with ep.PersonaClient(fixtures.DEMO_API_KEY, base_url=live.base_url) as client:
        songs = client.list_songs(fixtures.DEMO_V4_MUSIC_TASK_ID)
        persona = client.create_persona_and_wait(
            source_task_id=fixtures.DEMO_V4_MUSIC_TASK_ID,
            result_id=songs[0].result_id,
            name="Live",
            description="live mock",
            style="",
            timeout=30,
        )
    assert persona.persona_id


def test_the_legacy_bare_list_of_songs_is_understood_on_a_live_mock(live: Any) -> None:
    with ep.PersonaClient(fixtures.DEMO_API_KEY, base_url=live.base_url) as client:
        assert client.list_songs(fixtures.DEMO_LEGACY_MUSIC_TASK_ID)


def test_a_v35_source_is_refused_with_a_bad_request(live: Any) -> None:
    with ep.PersonaClient(fixtures.DEMO_API_KEY, base_url=live.base_url) as client:
        songs = client.list_songs(fixtures.DEMO_V35_MUSIC_TASK_ID)
        with pytest.raises(ep.BadRequestError) as caught:
            client.create_persona(
                source_task_id=fixtures.DEMO_V35_MUSIC_TASK_ID,
                result_id=songs[0].result_id,
                name="P",
                description="D",
            )
    assert not isinstance(caught.value, ep.PersonaAlreadyExistsError)


def test_a_closed_port_is_a_connection_error() -> None:
    with mock.serve_in_thread() as server:
        url = server.base_url
    with (
        ep.PersonaClient("sk-x", base_url=url, max_retries=0) as client,
        pytest.raises(ep.APIConnectionError),
    ):
        client.get_task(fixtures.DEMO_MUSIC_TASK_ID)
