"""Faults a live server could ship, each one rule of a loopback proxy in front of the mock.

The in-process mutants (``mutants.py``) patch the mock; these break it from outside, on
the wire, the way a regression, a cache, a replica or a gateway would, so the live
runner is tested over real HTTP against a server that is not quite the mock. Each names
the check that must catch it and whether safe mode can: some faults only show on a task
that a paid creation started (``needs_creation`` says why).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, Final
from urllib.parse import parse_qs, quote, urlsplit

import attrs
from evolink_mock import fixtures as mock_fixtures

from .proxies import Exchange, Reply, Rule, Upstream

__all__ = ["LIVE_MUTANTS", "LiveMutant"]

_CREATE: Final = "/v1/audios/generations"
_TASKS: Final = "/v1/tasks/"
_KNOWN_KEYS: Final = frozenset(
    {mock_fixtures.DEMO_API_KEY, mock_fixtures.SECOND_API_KEY, mock_fixtures.NO_CREDITS_API_KEY}
)
#: Seconds a hanging answer takes (past the runner's timeout in the self-test), and how
#: many requests hang at most, so the proxy's threads end soon after the test.
HANG_SECONDS: Final = 3.0
HANG_TIMES: Final = 2


@attrs.frozen
class LiveMutant:
    """One fault on the wire, the check that must catch it, and why safe mode cannot."""

    name: str
    breaks: str
    caught_by: str
    #: Makes a fresh rule (rules may keep state: a cache, a counter).
    make_rule: Callable[[], Rule]
    #: Why only a paid creation shows this fault (None: safe mode catches it too).
    needs_creation: str | None = None
    #: Runner arguments the fault needs to show (a part the self-test's budget turns off).
    argv: tuple[str, ...] = ()
    #: How long the self-test's tasks run when the fault shows only between two reads of a
    #: task while it runs: its 0.4-second tasks, read every 0.1 s, may be read once mid-run
    #: on a loaded machine (None: the short tasks).
    task_seconds: float | None = None


def _is_create(exchange: Exchange) -> bool:
    return exchange.method == "POST" and exchange.path.split("?")[0] == _CREATE


def _is_read(exchange: Exchange) -> bool:
    return exchange.method == "GET" and exchange.path.startswith(_TASKS)


def _params(exchange: Exchange) -> dict[str, Any] | None:
    body = exchange.json()
    params = body.get("model_params") if isinstance(body, dict) else None
    return params if isinstance(params, dict) else None


def _on_detail(change: Callable[[dict[str, Any]], None]) -> Rule:
    """A rule that rewrites each 200 task detail in place with ``change``."""

    def rule(exchange: Exchange, upstream: Upstream) -> Reply:
        reply = upstream.forward(exchange)
        body = reply.json()
        if _is_read(exchange) and reply.status == 200 and isinstance(body, dict):
            change(body)
            return reply.with_json(body)
        return reply

    return rule


def _on_every_second_read(change: Callable[[dict[str, Any]], None]) -> Rule:
    """``change`` on every second 200 detail one caller gets for one task (a caller's
    first read of a task is left alone, its second changed, and so on)."""
    counts: dict[tuple[str, str | None], int] = {}
    lock = threading.Lock()

    def second(body: dict[str, Any], exchange: Exchange) -> bool:
        with lock:
            key = (exchange.path, exchange.bearer())
            counts[key] = counts.get(key, 0) + 1
            return counts[key] % 2 == 0

    def rule(exchange: Exchange, upstream: Upstream) -> Reply:
        reply = upstream.forward(exchange)
        body = reply.json()
        read = _is_read(exchange) and reply.status == 200 and isinstance(body, dict)
        if read and second(body, exchange):
            change(body)
            return reply.with_json(body)
        return reply

    return rule


# -- authentication and ownership -------------------------------------------------------


def _any_token() -> Rule:
    def rule(exchange: Exchange, upstream: Upstream) -> Reply:
        key = exchange.bearer()
        if key is not None and key not in _KNOWN_KEYS:
            exchange = exchange.with_header("Authorization", f"Bearer {mock_fixtures.DEMO_API_KEY}")
        return upstream.forward(exchange)

    return rule


def _other_users_task() -> Rule:
    def rule(exchange: Exchange, upstream: Upstream) -> Reply:
        if _is_read(exchange) and exchange.bearer() == mock_fixtures.SECOND_API_KEY:
            exchange = exchange.with_header("Authorization", f"Bearer {mock_fixtures.DEMO_API_KEY}")
        return upstream.forward(exchange)

    return rule


# -- the rules of a creation ------------------------------------------------------------


def _with_params(exchange: Exchange, params: dict[str, Any]) -> Exchange:
    body = exchange.json()
    body["model_params"] = params
    return exchange.with_json(body)


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _window_up_to_31() -> Rule:
    def rule(exchange: Exchange, upstream: Upstream) -> Reply:
        params = _params(exchange) if _is_create(exchange) else None
        if params is not None:
            start, end = _number(params.get("vocal_start")), _number(params.get("vocal_end"))
            if start is not None and end is not None and 30 < end - start <= 31:
                params["vocal_end"] = start + 30
                exchange = _with_params(exchange, params)
        return upstream.forward(exchange)

    return rule


def _lone_vocal_time() -> Rule:
    def rule(exchange: Exchange, upstream: Upstream) -> Reply:
        params = _params(exchange) if _is_create(exchange) else None
        if params is not None and ("vocal_start" in params) != ("vocal_end" in params):
            params.pop("vocal_start", None)
            params.pop("vocal_end", None)
            exchange = _with_params(exchange, params)
        return upstream.forward(exchange)

    return rule


def _two_personas_per_song() -> Rule:
    """A lost lock: the song's claim is not seen, so the creation goes ahead (emulated by
    sending it again with a fresh song of the same user, whose task the client gets)."""

    def rule(exchange: Exchange, upstream: Upstream) -> Reply:
        reply = upstream.forward(exchange)
        error = (reply.json() or {}).get("error") if reply.status == 400 else None
        message = error.get("message", "") if isinstance(error, dict) else ""
        params = _params(exchange)
        if _is_create(exchange) and "already created" in message and params is not None:
            song = upstream.control("music-tasks", {"user": exchange.bearer(), "songs": 1})
            params["source_task_id"] = song["id"]
            params["result_id"] = song["result_data"]["songs"][0]["result_id"]
            return upstream.forward(_with_params(exchange, params))
        return reply

    return rule


def _crash_on_long_text() -> Rule:
    """A column too short, a utf8mb3 table: free text over 255 characters or outside the
    Basic Multilingual Plane makes the server fail after it accepted the request."""

    def hard(value: object) -> bool:
        return isinstance(value, str) and (len(value) > 255 or any(ord(c) > 0xFFFF for c in value))

    def rule(exchange: Exchange, upstream: Upstream) -> Reply:
        reply = upstream.forward(exchange)
        params = _params(exchange) if _is_create(exchange) and reply.status == 200 else None
        texts = [params.get(k) for k in ("name", "description", "style")] if params else []
        if any(hard(text) for text in texts):
            error = {"code": "internal_error", "message": "Internal error", "type": "api_error"}
            return reply.with_json({"error": error}, status=500)
        return reply

    return rule


def _hangs_on_lone_vocal_time() -> Rule:
    """Some bodies send the server into a loop: it answers late, or never."""
    hangs = itertools.count()

    def rule(exchange: Exchange, upstream: Upstream) -> Reply:
        params = _params(exchange)
        lone = params is not None and ("vocal_start" in params) != ("vocal_end" in params)
        if _is_create(exchange) and lone and next(hangs) < HANG_TIMES:
            time.sleep(HANG_SECONDS)
        return upstream.forward(exchange)

    return rule


def _creation_without_id() -> Rule:
    def rule(exchange: Exchange, upstream: Upstream) -> Reply:
        reply = upstream.forward(exchange)
        body = reply.json()
        if _is_create(exchange) and reply.status == 200 and isinstance(body, dict):
            body.pop("id", None)
            return reply.with_json(body)
        return reply

    return rule


# -- what a task read says ----------------------------------------------------------------


def _wrong_task() -> Rule:
    """A one-entry cache keyed on nothing: each read gets the detail the previous one got."""
    last: list[dict[str, Any]] = []
    lock = threading.Lock()

    def change(body: dict[str, Any]) -> None:
        with lock:
            previous = last[0] if last else None
            last[:] = [dict(body)]
        if previous is not None:
            body.clear()
            body.update(previous)

    return _on_detail(change)


def _progress_falls() -> Rule:
    def change(body: dict[str, Any]) -> None:
        if body.get("status") == "processing" and isinstance(body.get("progress"), int):
            body["progress"] = 100 - body["progress"]

    return _on_detail(change)


def _persona_without_id() -> Rule:
    def change(body: dict[str, Any]) -> None:
        if body.get("model") == "suno-persona" and body.get("status") == "completed":
            body["result_data"] = {}

    return _on_detail(change)


def _persona_id_changes() -> Rule:
    def change(body: dict[str, Any]) -> None:
        result = body.get("result_data")
        if isinstance(result, dict) and "persona_id" in result:
            result["persona_id"] = uuid.uuid4().hex

    return _on_detail(change)


def _completed_below_100() -> Rule:
    def change(body: dict[str, Any]) -> None:
        if body.get("status") == "completed":
            body["progress"] = 99

    return _on_detail(change)


def _ended_task_changes() -> Rule:
    """An unordered query: a finished task lists its songs in another order each read."""

    def change(body: dict[str, Any]) -> None:
        result = body.get("result_data")
        songs = result.get("songs") if isinstance(result, dict) else result
        if isinstance(songs, list) and len(songs) > 1:
            songs.append(songs.pop(0))

    return _on_every_second_read(change)


def _stale_replica() -> Rule:
    """Every second read of a task hits a replica that still has it processing."""

    def stale(body: dict[str, Any]) -> None:
        if body.get("status") in ("completed", "failed"):
            body.update(status="processing", progress=99)
            for key in ("result_data", "results", "error"):
                body.pop(key, None)

    return _on_every_second_read(stale)


def _persona_read_as_image_task() -> Rule:
    """A gateway that routes a persona task's detail through another product's serializer."""

    def change(body: dict[str, Any]) -> None:
        if body.get("model") == "suno-persona":
            body.update(object="image.generation.task", type="image", model="gpt-image-1")

    return _on_detail(change)


def _running_task_with_error() -> Rule:
    def change(body: dict[str, Any]) -> None:
        if body.get("status") in ("pending", "processing"):
            body["error"] = {"code": "service_error", "message": "retrying", "type": "task_error"}

    return _on_detail(change)


# -- music generation ---------------------------------------------------------------------


def _persona_on_simple_mode() -> Rule:
    """A rule lost in a refactor: a persona outside custom mode is dropped, not refused."""

    def rule(exchange: Exchange, upstream: Upstream) -> Reply:
        body = exchange.json() if _is_create(exchange) else None
        if isinstance(body, dict) and "persona_id" in body and body.get("custom_mode") is not True:
            body.pop("persona_id")
            body.pop("persona_model", None)
            exchange = exchange.with_json(body)
        return upstream.forward(exchange)

    return rule


def _songs_without_result_id() -> Rule:
    def change(body: dict[str, Any]) -> None:
        result = body.get("result_data")
        songs = result.get("songs") if isinstance(result, dict) else None
        if body.get("status") == "completed" and isinstance(songs, list):
            for song in songs:
                if isinstance(song, dict):
                    song.pop("result_id", None)

    return _on_detail(change)


_RELAY: Final = "/_relay-callback"


def _relayed_callbacks(deliver: Callable[[Exchange, Upstream, str], Reply]) -> Rule:
    """A webhook gateway: each creation's ``callback_url`` is rewritten to go through the
    proxy, and each callback it then gets is delivered onward by ``deliver``."""

    def rule(exchange: Exchange, upstream: Upstream) -> Reply:
        split = urlsplit(exchange.path)
        if exchange.method == "POST" and split.path == _RELAY:
            target = parse_qs(split.query).get("to", [""])[0]
            return deliver(exchange, upstream, target)
        body = exchange.json() if _is_create(exchange) else None
        host = next((v for k, v in exchange.headers.items() if k.lower() == "host"), None)
        if isinstance(body, dict) and isinstance(body.get("callback_url"), str) and host:
            body["callback_url"] = (
                f"http://{host}{_RELAY}?to={quote(body['callback_url'], safe='')}"
            )
            exchange = exchange.with_json(body)
        return upstream.forward(exchange)

    return rule


def _post(upstream: Upstream, target: str, content: bytes) -> Reply:
    response = upstream.client.post(
        target, content=content, headers={"Content-Type": "application/json"}
    )
    return Reply(response.status_code, (), response.content)


def _callback_twice() -> Rule:
    """A retry after a 2xx: the callback is delivered, then delivered again."""

    def deliver(exchange: Exchange, upstream: Upstream, target: str) -> Reply:
        _post(upstream, target, exchange.body)
        return _post(upstream, target, exchange.body)

    return _relayed_callbacks(deliver)


def _callback_of_a_running_task() -> Rule:
    """A callback built from a stale copy of the task: it says the task is still running."""

    def deliver(exchange: Exchange, upstream: Upstream, target: str) -> Reply:
        body = exchange.json()
        if isinstance(body, dict):
            body.update(status="processing", progress=50)
            body.pop("result_data", None)
        return _post(upstream, target, json.dumps(body).encode())

    return _relayed_callbacks(deliver)


# -- what a refusal says --------------------------------------------------------------------


def _on_error(change: Callable[[dict[str, Any], int], None]) -> Rule:
    def rule(exchange: Exchange, upstream: Upstream) -> Reply:
        reply = upstream.forward(exchange)
        body = reply.json()
        if reply.status >= 400 and isinstance(body, dict) and isinstance(body.get("error"), dict):
            change(body["error"], reply.status)
            return reply.with_json(body)
        return reply

    return rule


def _error_without_type() -> Rule:
    return _on_error(lambda error, status: error.pop("type", None))


def _vague_bad_request() -> Rule:
    def vague(error: dict[str, Any], status: int) -> None:
        if status == 400:
            error["message"] = "Invalid request"
            error.pop("param", None)

    return _on_error(vague)


_PAID_TASK = "it shows only on a persona task, which only a paid creation starts"
_CALLBACK = "a callback follows only a music creation, i.e. a paid one"

LIVE_MUTANTS: Final = (
    LiveMutant("any_token", "accepts any bearer token", "refuses_an_unknown_token", _any_token),
    LiveMutant(
        "other_users_task",
        "lets a user read another user's task",
        "other_user_cannot_read_task",
        _other_users_task,
    ),
    LiveMutant(
        "window_up_to_31s",
        "accepts a 31-second vocal window",
        "refuses_a_31s_vocal_window",
        _window_up_to_31,
    ),
    LiveMutant(
        "lone_vocal_time",
        "accepts vocal_start without vocal_end",
        "refuses_vocal_start_alone",
        _lone_vocal_time,
    ),
    LiveMutant(
        "two_personas_per_song",
        "creates a second persona from one song",
        "one_persona_per_song",
        _two_personas_per_song,
    ),
    LiveMutant(
        "crash_on_long_text",
        "500 on free text over 255 characters or outside the BMP",
        "not_a_server_error",
        _crash_on_long_text,
        needs_creation="it fails only a creation the server accepted, i.e. a paid one",
    ),
    LiveMutant(
        "hangs_on_some_bodies",
        "never answers a creation with one vocal time",
        "server_answers_every_request",
        _hangs_on_lone_vocal_time,
        # Every hang lasts the request timeout: a short one finds it as surely.
        argv=("--timeout", "0.3"),
    ),
    LiveMutant(
        "creation_without_id",
        "drops the task id from an accepted creation",
        "creation_returns_pending_task",
        _creation_without_id,
        needs_creation="it breaks only the answer to an accepted, i.e. paid, creation",
    ),
    LiveMutant(
        "wrong_task_returned",
        "answers each read with the previous read's task",
        "task_detail_is_the_requested_task",
        _wrong_task,
    ),
    LiveMutant(
        "progress_falls",
        "reports remaining work as progress",
        "lifecycle.progress_never_falls",
        _progress_falls,
        needs_creation="progress moves only on a running task, which only a paid creation starts",
        task_seconds=2.0,
    ),
    LiveMutant(
        "persona_without_id",
        "a completed persona task without its persona_id",
        "finished_task_carries_its_result",
        _persona_without_id,
    ),
    LiveMutant(
        "persona_id_changes",
        "a new persona_id on every read",
        "lifecycle.persona_id_never_changes",
        _persona_id_changes,
    ),
    LiveMutant(
        "completed_below_100",
        "a completed task reports progress 99",
        "lifecycle.completed_reports_progress_100",
        _completed_below_100,
    ),
    LiveMutant(
        "ended_task_changes",
        "a finished task's songs come in another order on every second read",
        "lifecycle.ended_task_never_changes",
        _ended_task_changes,
    ),
    LiveMutant(
        "stale_replica",
        "every second read shows a finished task processing again",
        "lifecycle.legal_transitions",
        _stale_replica,
    ),
    LiveMutant(
        "persona_read_as_image_task",
        "a persona task reads as an image task of another model",
        "lifecycle.persona_task_is_audio_suno_persona",
        _persona_read_as_image_task,
        needs_creation=(
            "only a task the run created is known to be a persona task; "
            "a --task-id that reads as an image task is an image task to the runner"
        ),
    ),
    LiveMutant(
        "running_task_with_error",
        "a pending or processing task carries an error",
        "running_task_carries_no_error",
        _running_task_with_error,
    ),
    LiveMutant(
        "music_persona_on_simple_mode",
        "accepts a persona on a simple-mode music request (drops it)",
        "sdk_and_server_agree_on_music",
        _persona_on_simple_mode,
        argv=("--differential-cases", "1"),
    ),
    LiveMutant(
        "music_songs_without_result_id",
        "a completed music task's songs lose their result_id",
        "lifecycle.music_completed_has_uuid_songs",
        _songs_without_result_id,
    ),
    LiveMutant(
        "callback_delivered_twice",
        "a music task's callback is delivered twice",
        "callback_once_per_ended_task",
        _callback_twice,
        needs_creation=_CALLBACK,
    ),
    LiveMutant(
        "callback_of_a_running_task",
        "a callback body says the ended task is still processing",
        "callback_body_is_the_task_detail",
        _callback_of_a_running_task,
        needs_creation=_CALLBACK,
    ),
    LiveMutant(
        "error_without_type",
        "error bodies without error.type",
        "error_body_has_code_message_type",
        _error_without_type,
    ),
    LiveMutant(
        "vague_bad_request",
        "400 messages that name no field",
        "bad_request_names_the_field",
        _vague_bad_request,
    ),
)
