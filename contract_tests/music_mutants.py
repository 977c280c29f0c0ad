"""Broken mocks for music generation and callbacks: one per rule and per callback guarantee.

Like ``mutants``: each ``MusicMutant`` breaks one promise the way a regression would (a
limit off by one, a rule forgotten, a retry lost, a callback sent twice), by monkeypatching
the mock's own module globals or one instance. A request rule is caught by the music
differential (``music_sdk_and_server_agree``), a server-side rule or a callback guarantee by
a named invariant of the music lifecycle machine. ``part`` says which of the two runs, so
the self-test stays within its time budget; the unmutated mock passes both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import attrs
import pytest
from evolink_mock import MockApp
from evolink_mock import callbacks as mock_callbacks
from evolink_mock import generations as mock_generations
from evolink_mock import music as mock_music

from .inprocess import InProcessMock
from .mutants import RewritingApp

__all__ = ["MUSIC_MUTANTS", "MusicMutant"]

Inject = Callable[[InProcessMock, pytest.MonkeyPatch], MockApp]
DIFFERENTIAL: Final = "music_sdk_and_server_agree"


@attrs.frozen
class MusicMutant:
    name: str
    breaks: str
    caught_by: str
    inject: Inject

    @property
    def part(self) -> str:
        return "differential" if self.caught_by == DIFFERENTIAL else "lifecycle"


# -- request rules (the differential catches them) ---------------------------------------


def _constant(name: str, value: object) -> Inject:
    def inject(mock: InProcessMock, patch: pytest.MonkeyPatch) -> MockApp:
        patch.setattr(mock_music, name, value)
        return mock.app

    return inject


def _before_check(change: Callable[[dict[str, Any]], None]) -> Inject:
    """Rewrite each music body before the mock's own check: a rule that is skipped."""

    def inject(mock: InProcessMock, patch: pytest.MonkeyPatch) -> MockApp:
        original = mock_music.check_music_request

        def check(body: Any, **kwargs: Any) -> Any:
            if isinstance(body, dict):
                change(body)
            return original(body, **kwargs)

        patch.setattr(mock_generations, "check_music_request", check)
        return mock.app

    return inject


def _custom(body: dict[str, Any]) -> bool:
    return body.get("custom_mode") is True


def _style_optional(body: dict[str, Any]) -> None:
    if _custom(body):
        body.setdefault("style", "")


def _title_optional(body: dict[str, Any]) -> None:
    if _custom(body):
        body.setdefault("title", "")


def _lyrics_optional(body: dict[str, Any]) -> None:
    if _custom(body) and "prompt" not in body:
        body["instrumental"] = True


def _duration_in_simple_mode(body: dict[str, Any]) -> None:
    if not _custom(body):
        body.pop("duration", None)


def _persona_in_simple_mode(body: dict[str, Any]) -> None:
    if not _custom(body):
        body.pop("persona_id", None)


def _weights_rounded(body: dict[str, Any]) -> None:
    for name in ("style_weight", "weirdness_constraint", "audio_weight"):
        value = body.get(name)
        if isinstance(value, float) and value == value and abs(value) < 1e6:
            body[name] = round(value, 2)


def _callback_rule(allow: Callable[[str, str | None], bool]) -> Inject:
    def inject(mock: InProcessMock, patch: pytest.MonkeyPatch) -> MockApp:
        original = mock_callbacks.callback_url_problem

        def problem(url: str, *, allow_loopback: bool = False) -> str | None:
            found = original(url, allow_loopback=allow_loopback)
            return None if allow(url, found) else found

        patch.setattr(mock_music, "callback_url_problem", problem)
        return mock.app

    return inject


# -- server-side persona rules and the music task (the machine catches them) --------------


def _persona_check(skip: str) -> Inject:
    def inject(mock: InProcessMock, patch: pytest.MonkeyPatch) -> MockApp:
        service = mock.service
        original = service._persona_for

        def persona_for(user_id: str, persona_id: str, now: float) -> Any:
            task_id = service._personas.get(persona_id)
            task = None if task_id is None else service._lookup(task_id, now)
            if skip == "exists" and task is None:
                return None
            if skip == "owner" and task is not None:
                return original(task.owner, persona_id, now)
            if skip == "completed" and task is not None and task.owner == user_id:
                return task
            return original(user_id, persona_id, now)

        patch.setattr(service, "_persona_for", persona_for)
        return mock.app

    return inject


def _rewrite_songs(change: Callable[[list[dict[str, Any]]], None]) -> Inject:
    def inject(mock: InProcessMock, patch: pytest.MonkeyPatch) -> MockApp:
        def rewrite(path: str, status: int, body: Any) -> Any:
            result = body.get("result_data") if isinstance(body, dict) else None
            if status == 200 and isinstance(result, dict) and isinstance(result.get("songs"), list):
                change(result["songs"])
            return body

        return RewritingApp(mock.app, rewrite)

    return inject


def _song_ids_not_uuid(songs: list[dict[str, Any]]) -> None:
    for number, song in enumerate(songs):
        song["result_id"] = f"song-{number + 1}"


class _Counter:
    reads = 0


def _song_ids_change(songs: list[dict[str, Any]]) -> None:
    _Counter.reads += 1
    for song in songs:
        song["result_id"] = song["result_id"][:-4] + f"{_Counter.reads % 10000:04d}"


def _songs_refused_for_personas(mock: InProcessMock, patch: pytest.MonkeyPatch) -> MockApp:
    service = mock.service
    original = service.create_music

    def create_music(user_id: str, request: Any) -> Any:
        created = original(user_id, request)
        service._recent[created["id"]].model = "suno-v3.5-beta"  # below what personas need
        return created

    patch.setattr(service, "create_music", create_music)
    return mock.app


# -- callback guarantees (the machine catches them) ----------------------------------------


def _delivers_twice(mock: InProcessMock, patch: pytest.MonkeyPatch) -> MockApp:
    dispatcher = mock.service.callbacks
    original = dispatcher._attempt

    def attempt(callback: Any) -> None:
        original(callback)
        if callback.delivered and len(callback.attempts) == 1:
            callback.delivered = False  # a lost acknowledgement: sent once more
            callback.due = callback.attempts[-1].at + dispatcher.retry_delays[0]

    patch.setattr(dispatcher, "_attempt", attempt)
    return mock.app


def _body_not_the_detail(mock: InProcessMock, patch: pytest.MonkeyPatch) -> MockApp:
    dispatcher = mock.service.callbacks
    original = dispatcher._terminal_body

    def terminal_body(task_id: str) -> Any:
        body = original(task_id)
        if body is not None:
            body["status"] = "processing"  # the state before the end, not the end
        return body

    patch.setattr(dispatcher, "_terminal_body", terminal_body)
    return mock.app


def _retry_delays(delays: tuple[float, ...]) -> Inject:
    def inject(mock: InProcessMock, patch: pytest.MonkeyPatch) -> MockApp:
        patch.setattr(mock.service.callbacks, "retry_delays", delays)
        return mock.app

    return inject


def _non_2xx_delivered(mock: InProcessMock, patch: pytest.MonkeyPatch) -> MockApp:
    dispatcher = mock.service.callbacks
    original = dispatcher._send

    def send(url: str, body: bytes, timeout: float) -> int:
        status = original(url, body, timeout)
        return 200 if status < 600 else status  # any answer counts as delivered

    patch.setattr(dispatcher, "_send", send)
    return mock.app


def _sent_before_the_end(mock: InProcessMock, patch: pytest.MonkeyPatch) -> MockApp:
    dispatcher = mock.service.callbacks
    original = dispatcher.register

    def register(task_id: str, owner: str, url: str, due: float) -> None:
        original(task_id, owner, url, mock.service.now())

    def any_body(task_id: str) -> Any:
        task = mock.service._find(task_id)
        return None if task is None else task.detail(mock.service.now())

    patch.setattr(dispatcher, "register", register)
    patch.setattr(dispatcher, "_terminal_body", any_body)
    return mock.app


def _cancel_sends_nothing(mock: InProcessMock, patch: pytest.MonkeyPatch) -> MockApp:
    dispatcher = mock.service.callbacks

    def reschedule(task_id: str, due: float) -> None:
        callback = dispatcher.get(task_id)
        if callback is not None:
            callback.exhausted = True  # a cancellation drops the callback

    patch.setattr(dispatcher, "reschedule", reschedule)
    return mock.app


MUSIC_MUTANTS: Final = (
    MusicMutant("simple_prompt_501", "a 501-character simple-mode prompt", DIFFERENTIAL,
                _constant("SIMPLE_PROMPT_MAX", 501)),
    MusicMutant("v4_prompt_3001", "a 3001-character V4 lyrics", DIFFERENTIAL,
                _constant("V4_PROMPT_MAX", 3001)),
    MusicMutant("v45_prompt_5001", "5001-character V4.5+ lyrics", DIFFERENTIAL,
                _constant("V45_PROMPT_MAX", 5001)),
    MusicMutant("v4_style_1000", "V4 takes the V4.5+ style length", DIFFERENTIAL,
                _constant("V4_STYLE_MAX", 1000)),
    MusicMutant("v45_style_1001", "a 1001-character V4.5+ style", DIFFERENTIAL,
                _constant("V45_STYLE_MAX", 1001)),
    MusicMutant("custom_without_style", "custom mode without style", DIFFERENTIAL,
                _before_check(_style_optional)),
    MusicMutant("custom_without_title", "custom mode without title", DIFFERENTIAL,
                _before_check(_title_optional)),
    MusicMutant("custom_without_lyrics", "custom vocals without lyrics", DIFFERENTIAL,
                _before_check(_lyrics_optional)),
    MusicMutant("duration_on_v5", "a duration on suno-v5-beta", DIFFERENTIAL,
                _constant("DURATION_MODELS", frozenset({"suno-v5.5-beta", "suno-v5-beta"}))),
    MusicMutant("duration_in_simple_mode", "a duration in simple mode", DIFFERENTIAL,
                _before_check(_duration_in_simple_mode)),
    MusicMutant("persona_on_v45", "a persona on suno-v4.5plus-beta", DIFFERENTIAL,
                _constant("V5_FAMILY", frozenset({"suno-v5-beta", "suno-v5.5-beta",
                                                  "suno-v4.5plus-beta"}))),
    MusicMutant("persona_in_simple_mode", "a persona in simple mode", DIFFERENTIAL,
                _before_check(_persona_in_simple_mode)),
    MusicMutant("weights_off_step", "weights that are not multiples of 0.01", DIFFERENTIAL,
                _before_check(_weights_rounded)),
    MusicMutant("callback_url_2049", "a 2049-character callback URL", DIFFERENTIAL,
                _constant("CALLBACK_URL_MAX", 2049)),
    MusicMutant("callback_plain_http", "callbacks over plain http", DIFFERENTIAL,
                _callback_rule(lambda url, problem: url.startswith("http://"))),
    MusicMutant("callback_internal_address", "callbacks to internal addresses", DIFFERENTIAL,
                _callback_rule(lambda url, problem: "internal" in (problem or ""))),
    MusicMutant("unknown_persona", "applies a persona that does not exist",
                "lifecycle.persona_must_exist", _persona_check("exists")),
    MusicMutant("other_users_persona", "applies another user's persona",
                "lifecycle.persona_must_belong_to_caller", _persona_check("owner")),
    MusicMutant("unfinished_persona", "applies a persona whose task has not completed",
                "lifecycle.persona_must_be_completed", _persona_check("completed")),
    MusicMutant("songs_without_uuid", "songs whose result_id is not a uuid",
                "lifecycle.responses_conform", _rewrite_songs(_song_ids_not_uuid)),
    MusicMutant("songs_change", "song ids that change from one read to the next",
                "lifecycle.music_songs_never_change", _rewrite_songs(_song_ids_change)),
    MusicMutant("songs_refused_for_personas", "songs persona creation refuses",
                "lifecycle.music_songs_feed_persona_creation", _songs_refused_for_personas),
    MusicMutant("callback_twice", "a delivered callback sent again",
                "lifecycle.callback_once_per_ended_task", _delivers_twice),
    MusicMutant("callback_not_the_detail", "a callback body that is not the ended task's",
                "lifecycle.callback_body_is_the_task_detail", _body_not_the_detail),
    MusicMutant("callback_never_retried", "a failed callback not retried",
                "lifecycle.callback_retries_follow_the_rules", _retry_delays(())),
    MusicMutant("callback_retried_6_times", "six retries instead of three",
                "lifecycle.callback_retries_follow_the_rules", _retry_delays((1.0,) * 6)),
    MusicMutant("callback_retried_at_once", "retries sooner than the stated delays",
                "lifecycle.callback_retries_follow_the_rules", _retry_delays((0.0, 0.0, 0.0))),
    MusicMutant("callback_500_delivered", "a 500 from the receiver taken for a delivery",
                "lifecycle.callback_attempts_are_visible", _non_2xx_delivered),
    MusicMutant("callback_before_the_end", "a callback sent while the task runs",
                "lifecycle.callback_only_after_the_end", _sent_before_the_end),
    MusicMutant("cancelled_without_callback", "a cancelled task sends no callback",
                "lifecycle.callback_once_per_ended_task", _cancel_sends_nothing),
)  # fmt: skip
