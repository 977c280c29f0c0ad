"""A persona creation's cheaper parts answer what the general ones they replace answered.

A persona task is a `PersonaTask` (its shared fields on the class), its ids are written from
the seeded draws without the general formatting, a song is found through a dict, integer
vocal bounds skip the careful look, the answer reuses bytes built once per config, fate and
second, and `content-length` comes from a table: each shortcut is only sound if it never
changes an answer or a seeded run, which is what these tests hold.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import MutableMapping
from typing import Any

import orjson
import pytest
from evolink_mock import ManualClock, MockConfig, create_app, fixtures
from evolink_mock.app import CREATE_PATH, MockApp
from evolink_mock.errors import ApiError
from evolink_mock.tasks import TASK_ID_PATTERN, PersonaTask, Task
from evolink_mock.validation import _finite, _validator, check_persona_request
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import persona_body

_USER = fixtures.DEMO_USER_ID
_FAILURE_CODES = ("generation_failed_no_content", "service_error", "generation_timeout")
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


@settings(max_examples=80)
@given(
    duration=st.one_of(st.just(0.0), st.floats(min_value=0.001, max_value=100)),
    pending_share=st.floats(min_value=0, max_value=1),
    error_code=st.one_of(st.none(), st.sampled_from(_FAILURE_CODES)),
    created=st.floats(min_value=0, max_value=4e9),
    reads=st.lists(st.floats(min_value=0, max_value=150), min_size=1, max_size=6),
    cancel_after=st.one_of(st.none(), st.floats(min_value=0, max_value=120)),
)
def test_a_persona_task_reads_as_the_task_record_of_the_same_fields(
    duration: float,
    pending_share: float,
    error_code: str | None,
    created: float,
    reads: list[float],
    cancel_after: float | None,
) -> None:
    fields: dict[str, Any] = {
        "task_id": "task-unified-1774200000-abcd1234",
        "owner": _USER,
        "created": created,
        "error_code": error_code,
        "persona_id": "0" * 31 + "1",
        "source_task_id": fixtures.DEMO_MUSIC_TASK_ID,
        "source_result_id": fixtures.DEMO_RESULT_ID,
        "source_index": 1,
        "duration": duration,
        "pending_share": pending_share,
    }
    light = PersonaTask(*fields.values())
    general = Task(model="suno-persona", **fields)
    for task in (light, general):
        if cancel_after is not None:
            task.cancelled_at = created + cancel_after
    assert isinstance(light, Task)
    assert light.ends_at == general.ends_at
    for after in sorted(reads):
        now = created + after
        assert light.view(now) == general.view(now)
        assert light.detail(now) == general.detail(now)
        assert light.detail_json(now) == general.detail_json(now)
        assert light.finished_at(now) == general.finished_at(now)
        assert light.failed_at(now) == general.failed_at(now)
    assert repr(light).replace("PersonaTask(", "Task(", 1) == repr(general)


def test_a_persona_tasks_shared_fields_cannot_be_changed_on_it() -> None:
    task = PersonaTask("t", _USER, 0.0, None, "p", "s", "r", 0, 1.0, 0.0)
    with pytest.raises(AttributeError):
        task.model = "suno-v4.5-beta"


def _former_task_suffix(n: int) -> str:
    """The id suffix as the mock wrote it before: four base-1296 digits of a 64-bit draw."""
    pairs = [a + b for a in _ALPHABET for b in _ALPHABET]
    return (
        pairs[n % 1296]
        + pairs[n // 1296 % 1296]
        + pairs[n // 1679616 % 1296]
        + pairs[n // 2176782336 % 1296]
    )


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**63 - 1),
    failure_rate=st.sampled_from([0.0, 0.5, 1.0]),
    start=st.floats(min_value=0, max_value=4e9),
    steps=st.lists(st.floats(min_value=0, max_value=2.5), min_size=1, max_size=12),
)
def test_a_seeded_run_makes_the_ids_and_fates_its_draws_made_before(
    seed: int, failure_rate: float, start: float, steps: list[float]
) -> None:
    config = MockConfig(seed=seed, failure_rate=failure_rate, credits_per_user=1e9)
    clock = ManualClock(start)
    service = create_app(config, clock=clock).service
    music = service.add_music_task(_USER, songs=len(steps))
    replay = random.Random(seed)
    assert (
        music.task_id == f"task-unified-{int(start)}-{_former_task_suffix(replay.getrandbits(64))}"
    )
    for step, song in zip(steps, music.songs, strict=True):
        clock.advance(step)
        request = check_persona_request(
            persona_body(source_task_id=music.task_id, result_id=song.result_id)
        )
        task_id = orjson.loads(service.create_persona_json(_USER, request))["id"]
        fails = replay.random() < failure_rate
        suffix = _former_task_suffix(replay.getrandbits(64))
        assert task_id == f"task-unified-{int(service.now())}-{suffix}"
        assert TASK_ID_PATTERN.fullmatch(task_id)
        task = service._recent[task_id]
        assert task.error_code == (replay.choice(_FAILURE_CODES) if fails else None)
        assert task.persona_id == f"{replay.getrandbits(128):032x}"


@settings(max_examples=40, deadline=None)
@given(
    duration=st.sampled_from([0.0, 0.5, 20.0]),
    failure_rate=st.sampled_from([0.0, 0.5, 1.0]),
    credits=st.sampled_from([1.0, 0.1, 12.5, 1e16]),
    start=st.floats(min_value=0, max_value=4e9),
    steps=st.lists(st.floats(min_value=0, max_value=3), min_size=1, max_size=10),
)
def test_answers_made_over_several_seconds_are_the_dict_answers_encoded(
    duration: float, failure_rate: float, credits: float, start: float, steps: list[float]
) -> None:
    config = MockConfig(
        persona_duration=duration,
        failure_rate=failure_rate,
        credits_per_creation=credits,
        credits_per_user=1e21,
        seed=7,
    )
    twins = [create_app(config, clock=ManualClock(start)).service for _ in range(2)]
    as_dict, as_bytes = twins
    songs = [twin.add_music_task(_USER, songs=len(steps)) for twin in twins]
    assert songs[0].task_id == songs[1].task_id
    for step, song in zip(steps, songs[0].songs, strict=True):
        for twin in twins:
            twin.advance(step)
        request = check_persona_request(
            persona_body(source_task_id=songs[0].task_id, result_id=song.result_id)
        )
        expected = orjson.dumps(as_dict.create_persona(_USER, request))
        assert as_bytes.create_persona_json(_USER, request) == expected
        task_id = orjson.loads(expected)["id"]
        assert as_bytes.task_detail_json(_USER, task_id) == as_dict.task_detail_json(_USER, task_id)


_BOUNDS = st.one_of(
    st.integers(min_value=-(2**60), max_value=2**60),
    st.integers(min_value=0, max_value=40),
    st.sampled_from([2**53 - 1, 2**53, 2**53 + 1, -(2**53), 10**308, 10**309, -(10**400)]),
)


def _outcome(vocal_start: Any, vocal_end: Any) -> tuple[str, Any]:
    try:
        return "ok", check_persona_request(
            persona_body(vocal_start=vocal_start, vocal_end=vocal_end)
        )
    except ApiError as error:
        return "refused", (error.status, error.body())


def _careful(start: int, end: int) -> tuple[str, Any]:
    """What the rules answered before their fast path: each bound through `_finite`."""
    params = {"vocal_start": start, "vocal_end": end}
    try:
        as_floats = _finite(params, "vocal_start"), _finite(params, "vocal_end")
    except ApiError as error:
        return "refused", (error.status, error.body())
    return _outcome(*as_floats)


@settings(max_examples=150)
@given(start=_BOUNDS, end=_BOUNDS)
def test_integer_vocal_bounds_are_judged_as_the_careful_look_judges_them(
    start: int, end: int
) -> None:
    got = _outcome(start, end)
    if not _validator().is_valid(persona_body(vocal_start=start, vocal_end=end)):
        assert got[0] == "refused"  # the schema's answer, before any rule
        return
    assert got == _careful(start, end)
    if got[0] == "ok":
        assert type(got[1].vocal_start) is float
        assert type(got[1].vocal_end) is float


def test_a_song_is_found_at_its_first_place_among_its_tasks_songs() -> None:
    service = create_app(MockConfig()).service
    made = service.add_music_task(_USER, songs=["One", "Two", "Three"])
    tasks = [made, *service._fixed.values()]
    for task in tasks:
        ids = [song.result_id for song in task.songs]
        assert task.song_slots() == {result_id: ids.index(result_id) for result_id in ids}
    song = made.songs[0]
    twice = Task(
        task_id="task-unified-1774200000-twice000",
        owner=_USER,
        model="suno-v4.5-beta",
        created=0.0,
        fixed_status="completed",
        songs=(song, made.songs[1], song),
    )
    assert twice.song_slots() == {song.result_id: 0, made.songs[1].result_id: 1}


def _served(
    app: MockApp, method: str, path: str, body: bytes = b""
) -> tuple[dict[bytes, bytes], bytes]:
    """One request through the ASGI app in process: the answer's headers and body."""
    sent: list[MutableMapping[str, Any]] = []
    headers = [(b"authorization", b"Bearer " + fixtures.DEMO_API_KEY.encode())]
    if body:
        headers.append((b"content-type", b"application/json"))
    scope = {"type": "http", "method": method, "path": path, "headers": headers,
             "query_string": b"", "client": ("127.0.0.1", 50000)}  # fmt: skip

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start, answer = sent
    return dict(start["headers"]), answer["body"]


@pytest.mark.parametrize("songs", [0, 2, 40])
def test_every_answer_declares_its_own_length(songs: int) -> None:
    app = create_app(MockConfig(rate_limit=0))
    music = app.service.add_music_task(_USER, songs=max(songs, 1))
    answers = [
        _served(app, "GET", f"/v1/tasks/{music.task_id}"),
        _served(app, "GET", "/v1/tasks/task-unified-1774169216-zzzz9999"),
        _served(
            app,
            "POST",
            CREATE_PATH,
            orjson.dumps(
                persona_body(source_task_id=music.task_id, result_id=music.songs[0].result_id)
            ),
        ),
    ]
    if songs == 40:
        assert len(answers[0][1]) > 4096  # past the table of made headers
    for headers, body in answers:
        assert headers[b"content-length"] == str(len(body)).encode()
        assert headers[b"content-type"] == b"application/json"
