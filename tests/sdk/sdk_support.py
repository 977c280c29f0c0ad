"""Shared test doubles for the SDK tests: a scripted httpx transport, a fake clock, a CLI run."""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Callable
from typing import Any, TypedDict

import httpx
from evolink_persona import AsyncPersonaClient, PersonaClient, cli

API_KEY = "sk-test-5e3b1f0c9a7d42e6b8aa"
BASE_URL = "https://api.test"
TASK_ID = "task-unified-1774170584-su75smg7"
MUSIC_TASK_ID = "task-unified-1774169216-ocqaqde7"
RESULT_ID = "4fcc4507-a7ae-4441-ad8a-465c2f61d5bb"
#: A key with the characters JSON and URLs rewrite.
SLASHY_KEY = "sk-Ab/cd+EF=gh/IJ+kl=="


class PersonaArgs(TypedDict):
    """The required arguments of ``create_persona``, typed so ``**VALID`` type-checks."""

    source_task_id: str
    result_id: str
    name: str
    description: str


VALID: PersonaArgs = {
    "source_task_id": MUSIC_TASK_ID,
    "result_id": RESULT_ID,
    "name": "Jazz Vocalist",
    "description": "Smooth jazz vocals",
}

Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def submitted(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "created": 1774170584,
        "id": TASK_ID,
        "model": "suno-persona",
        "object": "audio.generation.task",
        "progress": 0,
        "status": "pending",
        "task_info": {"can_cancel": False, "estimated_time": 15},
        "type": "audio",
        "usage": {"billing_rule": "per_call", "credits_reserved": 1, "user_group": "default"},
    }
    body.update(extra)
    return body


def task_body(status: str, progress: int = 50, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"id": TASK_ID, "status": status, "progress": progress}
    body.update(extra)
    return body


def error_body(code: str, message: str, type_: str = "invalid_request_error") -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "type": type_}}


class Script:
    """A transport that answers from a queue and records every request."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []

    def add(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.replies:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        if callable(reply) and not isinstance(reply, httpx.Response):
            return reply(request)
        # A fresh copy each time: a reply may be reused (by sync and async clients alike).
        return httpx.Response(reply.status_code, headers=reply.headers, content=reply.content)

    def bodies(self) -> list[Any]:
        return [json.loads(r.content) if r.content else None for r in self.requests]


class FakeTime:
    """A clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


def json_reply(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


def make_client(
    script: Script,
    fake_time: FakeTime,
    *,
    event_hooks: dict[str, list[Callable[[Any], Any]]] | None = None,
    **kwargs: Any,
) -> PersonaClient:
    """A sync client on ``script``; ``event_hooks`` go to its ``http_client``."""
    kwargs.setdefault("random_fraction", lambda: 0.0)
    return PersonaClient(
        API_KEY,
        base_url=BASE_URL,
        http_client=httpx.Client(transport=httpx.MockTransport(script), event_hooks=event_hooks),
        sleep=fake_time.sleep,
        clock=fake_time.clock,
        **kwargs,
    )


def make_async_client(script: Script, fake_time: FakeTime, **kwargs: Any) -> AsyncPersonaClient:
    kwargs.setdefault("random_fraction", lambda: 0.0)
    return AsyncPersonaClient(
        API_KEY,
        base_url=BASE_URL,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(script)),
        sleep=fake_time.async_sleep,
        clock=fake_time.clock,
        **kwargs,
    )


class CliRunner:
    """Runs ``cli.main`` with its client on a scripted transport; records the factory's kwargs.

    The CLI builds its client through ``cli.client_factory``; the runner swaps that for one that
    checks the key the CLI read and returns a client on ``script`` and the fake clock.
    """

    def __init__(self, fake_time: FakeTime, patch: Callable[[str, object], None]) -> None:
        self.fake_time = fake_time
        self.patch = patch
        self.factory_kwargs: list[dict[str, Any]] = []

    def __call__(self, script: Script, argv: list[str]) -> int:
        def factory(api_key: str, **kwargs: Any) -> PersonaClient:
            assert api_key == API_KEY
            self.factory_kwargs.append(kwargs)
            return make_client(
                script, self.fake_time, **{k: v for k, v in kwargs.items() if k != "base_url"}
            )

        self.patch("client_factory", factory)
        return cli.main(argv)


# Spellings a server may echo a key in (JSON escapes, percent-encoding), and their undoing.


def _every_char_escaped(key: str, upper: bool = False) -> str:
    return "".join(f"\\u{ord(c):04X}" if upper else f"\\u{ord(c):04x}" for c in key)


SPELLINGS: dict[str, Callable[[str], str]] = {
    "literal": lambda key: key,
    "json-slash": lambda key: key.replace("/", "\\/"),
    "json-first-char": lambda key: f"\\u{ord(key[0]):04x}{key[1:]}",
    "json-every-char": _every_char_escaped,
    "json-every-char-upper": lambda key: _every_char_escaped(key, upper=True),
    "url": lambda key: urllib.parse.quote(key, safe=""),
    "url-lowercase": lambda key: re.sub(
        "%[0-9A-F]{2}", lambda m: m[0].lower(), urllib.parse.quote(key, safe="")
    ),
    "url-slash-kept": lambda key: urllib.parse.quote(key),
    "json-and-url-mixed": lambda key: urllib.parse.quote(key, safe="/").replace("/", "\\/"),
}


def undo_spellings(text: str) -> str:
    """``text`` with JSON escapes and percent-encoding decoded (also as repr() shows them)."""
    text = re.sub(r"\\+u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), text)
    text = re.sub(r"\\+/", "/", text)
    return urllib.parse.unquote(text)
