"""The SDK's verdict against the server's: the same persona request, judged twice.

``persona_arguments`` draws ``create_persona`` keyword arguments across every client-side
rule's boundaries. The SDK judges them with its pure rule checker; the server judges the
body the SDK would send (or, where the SDK refuses, the raw body a careless client would
send). Ids that name a real, fresh song stand in for "a valid id", so the only reason
left for the server to refuse is a rule the SDK also knows: the two verdicts must agree.
Hypothesis shrinks any disagreement to a minimal request.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable
from typing import Any, Final

import attrs
import httpx
from evolink_persona import validate_persona_request
from evolink_persona._rules import PersonaRequest
from hypothesis import strategies as st

from . import budget
from .drawn import run_cases
from .inprocess import InProcessMock

__all__ = [
    "BOUNDARY_EXAMPLES",
    "REAL_SONG",
    "REAL_SOURCE",
    "FreshSong",
    "Post",
    "Verdicts",
    "check_sdk_agrees_with_server",
    "disagreement",
    "fill_ids",
    "judge",
    "judge_arguments",
    "judge_with",
    "persona_arguments",
]

CREATE_PATH: Final = "/v1/audios/generations"


class _RealId(str):
    """A placeholder replaced by the id of a fresh song (or its task) before judging.

    It is found by identity, so a copy of a drawn case must keep the same object."""

    __slots__ = ()

    def __deepcopy__(self, memo: dict[int, object]) -> _RealId:
        return self


REAL_SOURCE: Final = _RealId("<the fresh song's task>")
REAL_SONG: Final = _RealId("<the fresh song>")

_NOT_STRINGS: st.SearchStrategy[object] = st.one_of(
    st.integers(-5, 5), st.booleans(), st.floats(0, 1), st.just([])
)
_TIMES = st.one_of(
    st.sampled_from([0, 0.5, 5, 15, 100.25, 3600]),
    st.floats(min_value=0, max_value=10_000, allow_nan=False),
    st.sampled_from([-0.001, -1, -30]),
    st.booleans(),
    st.sampled_from([math.nan, math.inf, -math.inf]),
    st.sampled_from(["10", "", None]),
    st.just(10**400),  # a JSON integer no float can hold
)
#: Windows around both bounds, inclusive at 10 and 30.
_WINDOWS = st.one_of(
    st.sampled_from([9.999, 10, 10.0, 10.001, 20, 29.999, 30, 30.0, 30.001, 31, 0, -5]),
    st.floats(min_value=-5, max_value=45, allow_nan=False),
)


_VALID_TIMES = st.one_of(
    st.sampled_from([0, 0.5, 5, 15, 100.25, 3600]),
    st.floats(min_value=0, max_value=10_000, allow_nan=False),
)


@st.composite
def _vocal_window(draw: st.DrawFn) -> tuple[object, object]:
    """Both times given, valid on their own, with a window on either side of each bound."""
    if draw(st.booleans()):
        return None, None
    start = draw(_VALID_TIMES)
    assert isinstance(start, int | float)
    return start, start + draw(_WINDOWS)


@st.composite
def _broken_vocal_pair(draw: st.DrawFn) -> tuple[object, object]:
    """One of the pair missing, or a time that is not a finite number >= 0."""
    start = draw(_TIMES)
    how = draw(st.sampled_from(["missing", "independent"]))
    if how == "missing":
        return (start, None) if draw(st.booleans()) else (None, start)
    return start, draw(_TIMES)


_FIELDS = ("source_task_id", "result_id", "name", "description", "vocal", "style")
_VALID: dict[str, st.SearchStrategy[object]] = {
    "source_task_id": st.just(REAL_SOURCE),
    "result_id": st.sampled_from(["text", "uuid", "upper"]),
    "name": st.text(max_size=12),
    "description": st.text(max_size=12),
    "vocal": _vocal_window(),
    "style": st.one_of(st.none(), st.just(""), st.text(max_size=8)),
}
_BROKEN: dict[str, st.SearchStrategy[object]] = {
    "source_task_id": st.one_of(st.none(), _NOT_STRINGS),
    "result_id": st.one_of(
        st.none(), st.sampled_from(["", "not-a-uuid", "{braced}", "urn:uuid:", "hex"]), _NOT_STRINGS
    ),
    "name": st.one_of(st.none(), _NOT_STRINGS),
    "description": st.one_of(st.none(), _NOT_STRINGS),
    "vocal": _broken_vocal_pair(),
    "style": _NOT_STRINGS,
}


@st.composite
def persona_arguments(draw: st.DrawFn) -> dict[str, object]:
    """``create_persona`` keyword arguments on every rule's boundary: most fields valid,
    up to two broken, the vocal window straddling 10 and 30 seconds."""
    broken = draw(st.sets(st.sampled_from(_FIELDS), max_size=2))
    drawn = {f: draw(_BROKEN[f] if f in broken else _VALID[f]) for f in _FIELDS}
    pair = drawn.pop("vocal")
    assert isinstance(pair, tuple)
    return {**drawn, "vocal_start": pair[0], "vocal_end": pair[1]}


def _boundary(**changes: object) -> dict[str, object]:
    valid: dict[str, object] = {
        "source_task_id": REAL_SOURCE,
        "result_id": "text",
        "name": "Boundary",
        "description": "a request on one rule's edge",
        "vocal_start": None,
        "vocal_end": None,
        "style": None,
    }
    return {**valid, **changes}


#: Requests on each rule's edge, always tried before the generated ones.
BOUNDARY_EXAMPLES: Final = (
    _boundary(),
    _boundary(vocal_start=0, vocal_end=9.999),
    _boundary(vocal_start=0, vocal_end=10),
    _boundary(vocal_start=5, vocal_end=35),
    _boundary(vocal_start=0, vocal_end=30.001),
    _boundary(vocal_start=0, vocal_end=31),
    _boundary(vocal_start=15, vocal_end=None),
    _boundary(vocal_start=None, vocal_end=25),
    _boundary(vocal_start=-1, vocal_end=15),
    _boundary(vocal_start=True, vocal_end=20),
    _boundary(vocal_start=math.nan, vocal_end=20),
    _boundary(vocal_start=0, vocal_end=math.inf),
    _boundary(vocal_start=10**400, vocal_end=10**400 + 20),
    _boundary(vocal_start=20, vocal_end=10),
    _boundary(result_id="not-a-uuid"),
    _boundary(result_id="uuid"),
    _boundary(style=""),
    _boundary(name=None),
    _boundary(description=7),
)


def _real_result_id(form: object, song: str) -> object:
    """Turn a drawn result_id form into a concrete value for this song."""
    forms: dict[str, object] = {
        "text": song,
        "uuid": uuid.UUID(song),
        "upper": song.upper(),
        "{braced}": "{" + song + "}",
        "urn:uuid:": "urn:uuid:" + song,
        "hex": uuid.UUID(song).hex,
    }
    return forms.get(form, form) if isinstance(form, str) else form


def _json_ready(value: object) -> object:
    return str(value) if isinstance(value, uuid.UUID) else value


@attrs.frozen
class Verdicts:
    """Both judgements of one request, and what was sent."""

    arguments: dict[str, object]
    sdk_violations: tuple[str, ...]
    body: str
    status: int
    answer: str
    #: The server's whole answer (``answer`` is its start, for messages).
    content: bytes = b""

    @property
    def agree(self) -> bool:
        return (not self.sdk_violations) == (self.status == 200)


def wire_body(arguments: dict[str, object], *, sdk_accepts: bool) -> str:
    """The JSON the SDK sends when it accepts; the raw body a careless client sends otherwise."""
    if sdk_accepts:
        request = PersonaRequest(**arguments)  # type: ignore[arg-type]
        return json.dumps(request.body())
    params = {k: _json_ready(v) for k, v in arguments.items() if v is not None}
    return json.dumps({"model": "suno-persona", "model_params": params})


#: Sends one raw persona-creation body (JSON text) to a server and returns its answer.
Post = Callable[[str], httpx.Response]
#: A fresh song: (source_task_id, result_id) of a finished music task, no persona made yet.
FreshSong = Callable[[], tuple[str, str]]


def fill_ids(fresh_song: FreshSong, drawn: dict[str, object]) -> dict[str, object]:
    """The drawn arguments with the placeholders replaced by a song from ``fresh_song``."""
    source, song = fresh_song()
    arguments = dict(drawn)
    if arguments["source_task_id"] is REAL_SOURCE:
        arguments["source_task_id"] = source
    arguments["result_id"] = _real_result_id(arguments["result_id"], song)
    return arguments


def judge_with(fresh_song: FreshSong, post: Post, drawn: dict[str, object]) -> Verdicts:
    """Fill the real ids in with a song from ``fresh_song``, then ask the SDK and ``post``."""
    arguments = fill_ids(fresh_song, drawn)
    return judge_arguments(arguments, post)


def judge_arguments(arguments: dict[str, object], post: Post) -> Verdicts:
    """The SDK's verdict on ``arguments`` and the server's on what would be sent."""
    violations = validate_persona_request(**arguments)
    body = wire_body(arguments, sdk_accepts=not violations)
    response = post(body)
    return Verdicts(
        arguments=arguments,
        sdk_violations=tuple(f"{v.field}: {v.reason}" for v in violations),
        body=body,
        status=response.status_code,
        answer=response.text[:300],
        content=response.content,
    )


def judge(mock: InProcessMock, drawn: dict[str, object]) -> Verdicts:
    """Fill the real ids in with a fresh song of the mock, then ask the SDK and the server."""
    with mock.http() as http:

        def post(body: str) -> httpx.Response:
            return http.post(
                CREATE_PATH, content=body, headers={"Content-Type": "application/json"}
            )

        return judge_with(mock.fresh_song, post, drawn)


def disagreement(verdicts: Verdicts) -> str | None:
    """Why the two verdicts on one request do not agree (None when they do)."""
    if verdicts.status not in (200, 400):
        return (
            f"the server answered {verdicts.status} to a persona request: {verdicts.answer}"
            f"\nbody: {verdicts.body}"
        )
    if verdicts.agree:
        return None
    sdk = "refuses: " + "; ".join(verdicts.sdk_violations) if verdicts.sdk_violations else "accepts"
    return f"SDK {sdk}\nserver answers {verdicts.status}: {verdicts.answer}\nbody: {verdicts.body}"


def check_sdk_agrees_with_server(
    mock: InProcessMock, *, cases: int = budget.DIFFERENTIAL_CASES, shrink: bool = True
) -> None:
    """Raise AssertionError with the minimal request on which the SDK and server disagree.

    ``shrink=False`` raises on the first disagreement as found (the same cases, drawn
    once per process): for callers that only ask *whether* the two disagree, such as the
    mutant self-test.
    """

    def sdk_and_server_agree(drawn: dict[str, Any]) -> None:
        problem = disagreement(judge(mock, drawn))
        if problem is not None:
            raise AssertionError(problem)

    arguments = persona_arguments()
    run_cases("persona", sdk_and_server_agree, arguments, BOUNDARY_EXAMPLES, cases, shrink=shrink)
