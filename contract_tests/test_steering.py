"""Steering makes a valid request meaningful without changing what it says.

Only ids (and a vocal window the prose forbids) are replaced; the free text schemathesis
drew (``name``, ``description``, ``style``: long, non-ASCII, anything) is sent as drawn,
and the explicit free-text cases keep theirs too.
"""

from __future__ import annotations

from typing import Any

import hypothesis
from evolink_persona import validate_music_request
from schemathesis import Case, GenerationMode
from schemathesis.core.result import Ok

from contract_tests.free_text import FREE_TEXTS, free_text_cases
from contract_tests.spec import CREATE_OPERATION, conformance_schema
from contract_tests.steering import SongSupply, steer

_FREE_TEXT = ("name", "description", "style")
_SONG = ("task-unified-1774169300-v5songs1", "8b2dd212-e833-5d6c-986b-e9d0b7bd08f9")
_SUPPLY = SongSupply(fresh_song=lambda: _SONG, readable_tasks=())
_SCHEMA = conformance_schema(api_key="sk-steering", base_url="http://127.0.0.1:9", examples=30)
_CREATE = next(
    op.ok()
    for op in _SCHEMA.get_all_operations()
    if isinstance(op, Ok) and op.ok().label == CREATE_OPERATION
)


def _params(case: Case[Any]) -> dict[str, Any]:
    params = case.body.get("model_params") if isinstance(case.body, dict) else None
    return params if isinstance(params, dict) else {}


def _texts(case: Case[Any]) -> dict[str, object]:
    params = _params(case)
    return {k: params[k] for k in _FREE_TEXT if k in params}


@hypothesis.settings(
    max_examples=30,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
@hypothesis.given(_CREATE.as_strategy(generation_mode=GenerationMode.POSITIVE))
def test_steering_keeps_the_free_text_schemathesis_drew(case: Case[Any]) -> None:
    # The operation's body is a oneOf: music requests are steered by music_steering.
    hypothesis.assume(isinstance(case.body, dict) and case.body.get("model") == "suno-persona")
    drawn = _texts(case)
    steer(case, _SUPPLY)
    assert _texts(case) == drawn
    params = _params(case)
    assert (params["source_task_id"], params["result_id"]) == _SONG


def test_explicit_free_text_cases_are_sent_as_written() -> None:
    cases = free_text_cases(_CREATE)
    for case, (name, description, style) in zip(cases, FREE_TEXTS, strict=True):
        steer(case, _SUPPLY, positive=True)
        assert _texts(case) == {"name": name, "description": description, "style": style}
        assert _params(case)["result_id"] == _SONG[1]
    longest = max(len(text) for texts in FREE_TEXTS for text in texts)
    assert longest > 255
    assert any(ord(c) > 0xFFFF for texts in FREE_TEXTS for text in texts for c in text)


@hypothesis.settings(
    max_examples=30,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
@hypothesis.given(_CREATE.as_strategy(generation_mode=GenerationMode.POSITIVE))
def test_a_steered_music_request_obeys_every_rule_of_the_prose(case: Case[Any]) -> None:
    hypothesis.assume(isinstance(case.body, dict) and case.body.get("model") != "suno-persona")
    steer(case, SongSupply(fresh_song=None, readable_tasks=(), persona_id="p1"))
    assert isinstance(case.body, dict)
    body: dict[str, Any] = dict(case.body)
    arguments: dict[str, Any] = {k: v for k, v in body.items() if k != "persona_id"}
    if "persona_id" in body:
        arguments["persona"] = body["persona_id"]
    known = set(validate_music_request.__kwdefaults__ or {})
    given: dict[str, Any] = {k: v for k, v in arguments.items() if k in known}
    violations = validate_music_request(**given)
    assert violations == [], (violations, body)
