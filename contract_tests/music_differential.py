"""The SDK's music rules against the server's verdict: the same request, judged twice.

``music_arguments`` draws ``generate_music`` keyword arguments on every rule's boundary
(each mode's required fields, lengths per model, weights and their step, duration and
persona per model and mode, callback URLs). The SDK judges them with
``validate_music_request``; the server judges the body the SDK would send (or, where the SDK
refuses, the raw body a careless client would send). ``REAL_PERSONA`` stands for a completed
persona of the caller, so the only reason left for the server to refuse is a rule the SDK
also knows: the two verdicts must agree. ``MUSIC_BOUNDARIES`` names one request per side of
every rule (docs/sdk.md lists the rules and their source sentences).

The mock runs callbacks in test mode and the SDK is told the service is on loopback, so
loopback http callbacks are valid on both sides; every other URL rule is the strict one.
"""

from __future__ import annotations

import json
from typing import Any, Final

import httpx
from evolink_mock import fixtures as mock_fixtures
from evolink_mock.handle import SyncASGITransport
from evolink_persona import Persona, Task, Violation, validate_music_request
from evolink_persona._music import MusicRequest
from hypothesis import strategies as st

from . import budget
from .drawn import run_cases
from .inprocess import InProcessMock

__all__ = [
    "MUSIC_BOUNDARIES",
    "REAL_PERSONA",
    "check_music_rules_agree",
    "judge_music",
    "music_arguments",
    "music_request",
]

CREATE_PATH: Final = "/v1/audios/generations"
_JSON: Final = {"Content-Type": "application/json"}
REAL_PERSONA: Final = "<a completed persona of the caller>"
_LOOPBACK_CALLBACK: Final = "http://127.0.0.1:9/differential"

_MODELS = st.sampled_from(
    [
        "suno-v5.5-beta",
        "suno-v5-beta",
        "suno-v4.5plus-beta",
        "suno-v4.5all-beta",
        "suno-v4.5-beta",
        "suno-v4-beta",
        "suno-v5.5",
        "suno-v5",
        "suno-v4",
        "suno-v3.5",
        "",
    ]
)
_LENGTHS = st.sampled_from(
    [0, 1, 80, 81, 199, 200, 201, 500, 501, 1000, 1001, 3000, 3001, 5000, 5001]
)
_WEIGHTS = st.one_of(
    st.sampled_from([0, 0.0, 0.01, 0.07, 0.5, 0.57, 0.99, 1, 1.0, -0.01, 1.01, 0.001, 0.015]),
    st.integers(-5, 105).map(lambda n: n / 100),
    st.floats(-0.5, 1.5, allow_nan=False),
    st.sampled_from([True, "0.5", float("nan")]),
)
_DURATIONS = st.sampled_from([9, 10, 11, 20, 120, 120.0, 120.5, 359, 360, 361, 0, -10, True, "60"])
_URLS = st.sampled_from(
    [
        _LOOPBACK_CALLBACK,
        "https://hooks.example.com/suno",
        "http://hooks.example.com/suno",
        "https://10.0.0.8/suno",
        "https://192.168.1.1/suno",
        "https://169.254.169.254/latest",
        "https://[fd00::1]/suno",
        "https://localhost/suno",
        "https://intranet/suno",
        "https://printer.local/suno",
        "https://hooks.example.com/" + "a" * 2022,
        "https://hooks.example.com/" + "a" * 2023,
        "https://hooks.example.com/a b",
        "ftp://hooks.example.com/suno",
        "not a url",
        "http://10.0.0.1/suno",
    ]
)


def _text(length: int) -> str:
    return "x" * length


@st.composite
def music_arguments(draw: st.DrawFn) -> dict[str, Any]:
    """``generate_music`` arguments: a mode, a model, and fields at their edges."""
    custom = draw(st.booleans())
    arguments: dict[str, Any] = {"model": draw(_MODELS), "custom_mode": custom}
    if draw(st.booleans()):
        arguments["instrumental"] = draw(st.booleans())
    for name in ("prompt", "style", "title", "negative_tags"):
        if draw(st.integers(0, 3)) > 0:  # mostly present
            arguments[name] = _text(draw(_LENGTHS))
    for name in ("style_weight", "weirdness_constraint", "audio_weight"):
        if draw(st.integers(0, 3)) == 0:
            arguments[name] = draw(_WEIGHTS)
    if draw(st.integers(0, 2)) == 0:
        arguments["vocal_gender"] = draw(st.sampled_from(["m", "f", "x"]))
    if draw(st.integers(0, 2)) == 0:
        arguments["persona"] = REAL_PERSONA
        if draw(st.booleans()):
            arguments["persona_model"] = draw(
                st.sampled_from(["style_persona", "voice_persona", "singer_persona"])
            )
    if draw(st.integers(0, 2)) == 0:
        arguments["duration"] = draw(_DURATIONS)
    if draw(st.integers(0, 2)) == 0:
        arguments["callback_url"] = draw(_URLS)
    return arguments


def _custom(**changes: Any) -> dict[str, Any]:
    return {
        "model": "suno-v5-beta",
        "custom_mode": True,
        "style": "pop",
        "title": "Boundary",
        "prompt": "[Verse] la",
        **changes,
    }


def _simple(**changes: Any) -> dict[str, Any]:
    return {"model": "suno-v5-beta", "prompt": "a song", **changes}


#: One request per side of each rule, tried before the generated ones.
MUSIC_BOUNDARIES: Final[tuple[dict[str, Any], ...]] = (
    _simple(),
    _simple(prompt=None),
    _simple(prompt=_text(500)),
    _simple(prompt=_text(501)),
    _custom(style=None),
    _custom(title=None),
    _custom(prompt=None),
    _custom(prompt=None, instrumental=True),
    _custom(model="suno-v4-beta", prompt=_text(3000)),
    _custom(model="suno-v4-beta", prompt=_text(3001)),
    _custom(model="suno-v4.5-beta", prompt=_text(5000)),
    _custom(model="suno-v4.5-beta", prompt=_text(5001)),
    _custom(model="suno-v4-beta", style=_text(200)),
    _custom(model="suno-v4-beta", style=_text(201)),
    _custom(model="suno-v4.5plus-beta", style=_text(1000)),
    _custom(model="suno-v4.5plus-beta", style=_text(1001)),
    _custom(title=_text(80)),
    _custom(title=_text(81)),
    _custom(negative_tags=_text(200)),
    _custom(negative_tags=_text(201)),
    _custom(style_weight=0),
    _custom(style_weight=1),
    _custom(style_weight=0.57),
    _custom(style_weight=1.01),
    _custom(weirdness_constraint=-0.01),
    _custom(audio_weight=0.001),
    _custom(model="suno-v5.5-beta", duration=10),
    _custom(model="suno-v5.5-beta", duration=360),
    _custom(model="suno-v5.5-beta", duration=9),
    _custom(model="suno-v5.5-beta", duration=361),
    _custom(model="suno-v5.5", duration=120),
    _custom(model="suno-v5-beta", duration=120),
    _simple(model="suno-v5.5-beta", duration=120),
    _custom(persona=REAL_PERSONA, persona_model="voice_persona"),
    _custom(model="suno-v5.5", persona=REAL_PERSONA),
    _custom(model="suno-v4.5plus-beta", persona=REAL_PERSONA),
    _simple(persona=REAL_PERSONA),
    _custom(persona_model="singer_persona", persona=REAL_PERSONA),
    _custom(persona_model="style_persona"),
    _simple(model="suno-v4.5"),
    _simple(model="suno-v3.5"),
    _simple(vocal_gender="x"),
    _simple(callback_url="https://hooks.example.com/suno"),
    _simple(callback_url="http://hooks.example.com/suno"),
    _simple(callback_url="https://10.0.0.8/suno"),
    _simple(callback_url="https://localhost/suno"),
    _simple(callback_url=_LOOPBACK_CALLBACK),
    _simple(callback_url="https://hooks.example.com/" + "a" * 2022),
    _simple(callback_url="https://hooks.example.com/" + "a" * 2023),
)


def _persona() -> Persona:
    """The demo user's completed fixture persona, as the SDK hands it around."""
    task = Task(id=mock_fixtures.DEMO_PERSONA_TASK_ID, status="completed")
    return Persona(persona_id=mock_fixtures.DEMO_PERSONA_ID, task_id=task.id, task=task)


def _raw_body(arguments: dict[str, Any]) -> dict[str, Any]:
    """What a careless client sends for the arguments: every given field, as given."""
    body = {k: v for k, v in arguments.items() if v is not None and k != "persona"}
    persona = arguments.get("persona")
    if persona is not None:
        body["persona_id"] = persona.persona_id if isinstance(persona, Persona) else persona
    return body


def music_request(
    drawn: dict[str, Any], persona: Persona | str, *, service_on_loopback: bool
) -> tuple[list[Violation], str]:
    """(the SDK's violations, the body to send): the SDK's body when it accepts the
    arguments, a careless client's otherwise. ``persona`` stands in for ``REAL_PERSONA``."""
    arguments = dict(drawn)
    if arguments.get("persona") == REAL_PERSONA:
        arguments["persona"] = persona
    violations = validate_music_request(**arguments, service_on_loopback=service_on_loopback)
    if violations:
        return violations, json.dumps(_raw_body(arguments))
    return violations, json.dumps(MusicRequest(**arguments).body())


def judge_music(
    mock: InProcessMock, drawn: dict[str, Any], http: httpx.Client | None = None
) -> tuple[list[str], str, int, str]:
    """(the SDK's violations, the body sent, the server's status, its answer).

    ``http``: a client into the mock to reuse (each new one costs the mock an event loop).
    """
    violations, body = music_request(drawn, _persona(), service_on_loopback=True)
    if http is None:
        transport = SyncASGITransport(mock.app)
        try:
            with _client(mock, transport) as own:
                response = own.post(CREATE_PATH, content=body, headers=_JSON)
        finally:
            transport.shutdown()
    else:
        response = http.post(CREATE_PATH, content=body, headers=_JSON)
    found = [f"{v.field}: {v.reason}" for v in violations]
    return found, body, response.status_code, response.text[:300]


def check_music_rules_agree(
    mock: InProcessMock, *, cases: int = budget.MUSIC_DIFFERENTIAL_CASES, shrink: bool = True
) -> None:
    """Raise AssertionError with the (minimal) request on which the SDK and server disagree.

    ``shrink=False`` raises on the first disagreement as found, on the same cases drawn
    once per process (the mutant self-test asks only *whether* the two disagree).
    """
    transport = SyncASGITransport(mock.app)
    http = _client(mock, transport)

    def music_sdk_and_server_agree(drawn: dict[str, Any]) -> None:
        violations, body, status, answer = judge_music(mock, drawn, http)
        if status not in (200, 400):
            raise AssertionError(
                f"the server answered {status} to a music request: {answer}\nbody: {body[:300]}"
            )
        if (not violations) != (status == 200):
            sdk = "refuses: " + "; ".join(violations) if violations else "accepts"
            raise AssertionError(
                f"SDK {sdk}\nserver answers {status}: {answer}\nbody: {body[:300]}"
            )

    try:
        run_cases(
            "music",
            music_sdk_and_server_agree,
            music_arguments(),
            MUSIC_BOUNDARIES,
            cases,
            shrink=shrink,
        )
    finally:
        http.close()
        transport.shutdown()


def _client(mock: InProcessMock, transport: SyncASGITransport) -> httpx.Client:
    return httpx.Client(
        transport=transport,
        base_url=mock.base_url,
        headers={"Authorization": f"Bearer {mock.api_key}"},
    )
