"""Whatever a server (or a proxy) answers, only a Task or an ``EvolinkError`` comes out.

A property over arbitrary status codes and bodies: JSON of any shape (near-valid tasks with
hostile field values, error bodies, arrays, strings, null), huge integers, ``NaN`` and
``1e309``, deep nesting, truncated JSON, non-UTF-8 bytes; plus named examples of each. No
``KeyError``, ``JSONDecodeError``, ``ValueError``, ``TypeError``, ``OverflowError``,
``RecursionError``, ``UnicodeDecodeError`` or httpx exception may escape, and a body that
echoes the key, as is, JSON-escaped or URL-encoded, must not carry it into a Task or an error.
Error bodies come in other shapes too (``{"error": "text"}``, a top-level ``{code, message}``,
``detail``), statuses include every 2xx and redirects, and the status alone decides the class:
only a 2xx gives a Task, a documented error status its own error class whatever the body.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import evolink_persona as ep
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sdk.sdk_support import (
    BASE_URL,
    RESULT_ID,
    SLASHY_KEY,
    SPELLINGS,
    TASK_ID,
    VALID,
    undo_spellings,
)

#: The client's key: with "/", "+" and "=", the characters JSON and URLs rewrite.
API_KEY = SLASHY_KEY
#: Placeholders in drawn JSON, replaced in the encoded body by a spelling of the key (a JSON
#: escape such as \/ must be written into the text, not through json.dumps).
KEY_PLACEHOLDERS = {f"@@key-{name}@@": spell(API_KEY) for name, spell in SPELLINGS.items()}

SETTINGS = settings(
    derandomize=True,
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**300, max_value=10**400),  # beyond float range
    st.floats(),  # includes nan, inf
    st.text(max_size=20),
    st.sampled_from(sorted(KEY_PLACEHOLDERS)),
    st.sampled_from(sorted(KEY_PLACEHOLDERS)).map(lambda placeholder: f"bad key {placeholder}!"),
    st.sampled_from(["completed", "failed", "pending", "processing", "cancelled", "queued"]),
)
any_json = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
song = st.fixed_dictionaries(
    {},
    optional={
        "result_id": st.one_of(st.just(RESULT_ID), any_json),
        "title": any_json,
        "duration": any_json,
        "audio_url": any_json,
    },
)
result_data = st.one_of(
    any_json,
    st.lists(song, max_size=3),
    st.fixed_dictionaries(
        {},
        optional={"songs": st.one_of(st.lists(song, max_size=3), any_json), "persona_id": any_json},
    ),
)
task_like = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.just(TASK_ID), any_json),
        "status": any_json,
        "progress": any_json,
        "model": any_json,
        "created": any_json,
        "task_info": st.one_of(
            any_json,
            st.fixed_dictionaries(
                {}, optional={"estimated_time": any_json, "can_cancel": any_json}
            ),
        ),
        "usage": st.one_of(
            any_json,
            st.fixed_dictionaries(
                {}, optional={"credits_reserved": any_json, "billing_rule": any_json}
            ),
        ),
        "result_data": result_data,
        "error": st.one_of(
            any_json, st.fixed_dictionaries({}, optional={"code": any_json, "message": any_json})
        ),
    },
)
error_fields = st.fixed_dictionaries(
    {}, optional={k: any_json for k in ("code", "message", "type", "param")}
)
error_like = st.one_of(
    st.fixed_dictionaries({"error": st.one_of(any_json, error_fields)}),
    # Other shapes: {"error": "text"}, a top-level {code, message}, FastAPI's detail.
    st.fixed_dictionaries({"error": st.text(max_size=20)}, optional={"message": any_json}),
    error_fields,
    st.fixed_dictionaries({"detail": any_json}, optional={"code": any_json}),
)


def _deep(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def _encode(value: object) -> bytes:
    text = json.dumps(value)
    for placeholder, spelling in KEY_PLACEHOLDERS.items():
        text = text.replace(placeholder, spelling)
    return text.encode()


bodies = st.one_of(
    st.one_of(task_like, error_like, any_json).map(_encode),
    st.one_of(task_like, error_like).map(lambda value: _encode(value)[:-1]),
    st.binary(max_size=64),
    st.integers(min_value=1_000, max_value=3_000).map(_deep),
)
statuses = st.one_of(
    st.sampled_from(
        (
            *(200, 201, 202, 203, 204, 206, 301, 302, 307, 308),
            *(400, 401, 402, 403, 404, 408, 418, 429, 500, 502, 503),
        )
    ),
    st.integers(min_value=100, max_value=599),
)
header_values = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=12)
headers = st.fixed_dictionaries(
    {},
    optional={
        "Retry-After": header_values,
        "retry-after-ms": header_values,
        "Location": st.one_of(
            header_values, st.sampled_from(sorted(KEY_PLACEHOLDERS.values())).map("/x?k=".__add__)
        ),
        "Content-Encoding": st.sampled_from(["br", "zstd", "identity", "x-unknown"]),
    },
)
#: The class each documented error status must give, whatever the body.
STATUS_CLASSES: dict[int, type[ep.EvolinkError]] = {
    400: ep.BadRequestError,
    401: ep.AuthenticationError,
    402: ep.InsufficientQuotaError,
    403: ep.PermissionDeniedError,
    404: ep.NotFoundError,
    429: ep.RateLimitedError,
    **{status: ep.ServerError for status in range(500, 600)},
}


def _client(status: int, body: bytes, extra: dict[str, str]) -> ep.PersonaClient:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers=extra)

    return ep.PersonaClient(
        API_KEY,
        base_url=BASE_URL,
        http_client=httpx.Client(transport=httpx.MockTransport(answer)),
        sleep=lambda seconds: None,
        random_fraction=lambda: 0.0,
    )


def _outcome(call: Any) -> object:
    try:
        return call()
    except ep.EvolinkError as error:
        return error


def _assert_typed_and_clean(outcome: object, status: int) -> None:
    assert isinstance(outcome, ep.Task | ep.EvolinkError), repr(outcome)
    shown = [repr(outcome), str(outcome)]
    if isinstance(outcome, ep.Task):
        assert 200 <= status <= 299
        shown.append(repr(outcome.raw))
    else:
        shown.append(repr(vars(outcome)))
        expected = STATUS_CLASSES.get(status)
        if expected is not None:
            assert isinstance(outcome, expected), (status, repr(outcome))
            assert outcome.status_code == status
    for text in shown:
        assert API_KEY not in undo_spellings(text), text


@SETTINGS
@given(status=statuses, body=bodies, extra=headers)
def test_get_task_gives_a_task_or_an_evolink_error_for_any_answer(
    status: int, body: bytes, extra: dict[str, str]
) -> None:
    with _client(status, body, extra) as client:
        outcome = _outcome(lambda: client.get_task(TASK_ID))
    _assert_typed_and_clean(outcome, status)


@SETTINGS
@given(status=statuses, body=bodies, extra=headers)
def test_create_persona_gives_a_task_or_an_evolink_error_for_any_answer(
    status: int, body: bytes, extra: dict[str, str]
) -> None:
    with _client(status, body, extra) as client:
        outcome = _outcome(lambda: client.create_persona(**VALID))
    _assert_typed_and_clean(outcome, status)


@settings(derandomize=True, max_examples=100, deadline=None)
@given(status=statuses, body=bodies)
def test_the_async_client_gives_the_same_outcome_class(status: int, body: bytes) -> None:
    async def read() -> object:
        async def answer(request: httpx.Request) -> httpx.Response:
            return httpx.Response(status, content=body)

        async def no_sleep(seconds: float) -> None:
            return None

        async with ep.AsyncPersonaClient(
            API_KEY,
            base_url=BASE_URL,
            http_client=httpx.AsyncClient(transport=httpx.MockTransport(answer)),
            sleep=no_sleep,
            random_fraction=lambda: 0.0,
        ) as client:
            try:
                return await client.get_task(TASK_ID)
            except ep.EvolinkError as error:
                return error

    outcome = asyncio.run(read())
    _assert_typed_and_clean(outcome, status)
    with _client(status, body, {}) as client:
        assert type(outcome) is type(_outcome(lambda: client.get_task(TASK_ID)))


def _task(**fields: object) -> bytes:
    return json.dumps({"id": TASK_ID, "status": "completed", **fields}).encode()


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (_deep(100_000), "not JSON"),
        (b'{"a":' * 5_000 + b"1" + b"}" * 5_000, "not JSON"),
        (b'{"id": "t\xff\xfe", "status": "pending"}', "not JSON"),
        (b"[1, 2]", "should be an object"),
        (b'"a string"', "should be an object"),
        (b"null", "should be an object"),
        (_task(progress="50"), "'progress' should be int"),
        (
            b'{"id": "t", "status": "pending", "progress": 1e309}',
            "'progress' should be a finite number",
        ),
        (_task(status=None), "no 'status'"),
        (_task(result_data={"songs": [{"title": "no id"}]}), "no 'result_id'"),
        (_task(result_data=[{"result_id": RESULT_ID, "duration": 10**400}]), "out of range"),
        (_task(task_info={"estimated_time": 10**400}), "'estimated_time' is out of range"),
        (b'{"id": "t", "status": "pending", "task_info": {"estimated_time": NaN}}', "finite"),
        (b'{"id": "t", "status": "pending", "usage": {"credits_reserved": 1e309}}', "finite"),
    ],
)
def test_a_hostile_200_is_an_unexpected_response_naming_the_problem(
    body: bytes, problem: str
) -> None:
    with _client(200, body, {}) as client, pytest.raises(ep.UnexpectedResponseError, match=problem):
        client.get_task(TASK_ID)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, ep.BadRequestError),
        (429, ep.RateLimitedError),
        (500, ep.ServerError),
        (502, ep.ServerError),
    ],
)
def test_a_deeply_nested_error_body_keeps_the_class_of_its_status(
    status: int, cls: type[ep.APIStatusError]
) -> None:
    with _client(status, _deep(100_000), {}) as client, pytest.raises(cls) as caught:
        client.get_task(TASK_ID, max_retries=0)
    assert "without an API error body" in str(caught.value)


def test_an_error_body_with_non_string_fields_is_still_read() -> None:
    body = json.dumps({"error": {"code": 42, "message": {"detail": "x"}, "param": ["a"]}})
    with _client(400, body.encode(), {}) as client, pytest.raises(ep.BadRequestError) as caught:
        client.get_task(TASK_ID)
    assert (caught.value.code, caught.value.message) == ("42", '{"detail": "x"}')


def test_a_key_echoed_in_a_task_is_masked_everywhere() -> None:
    body = _task(status="failed", error={"code": "x", "message": f"bad key {API_KEY}"})
    with _client(200, body, {}) as client:
        task = client.get_task(TASK_ID)
        assert task.error is not None
        assert task.error.message == "bad key ***"
        assert API_KEY not in json.dumps(task.raw)
        with pytest.raises(ep.TaskFailedError) as caught:
            client.wait_for_persona(TASK_ID)
    assert API_KEY not in str(caught.value)


def test_a_broken_gzip_body_is_an_unexpected_response_not_a_connection_error() -> None:
    client = _client(200, b"not gzip", {"Content-Encoding": "gzip"})
    with client, pytest.raises(ep.UnexpectedResponseError, match="cannot be decoded"):
        client.get_task(TASK_ID)
