"""The in-thread session delivers what schemathesis's own ASGI transport delivers."""

from __future__ import annotations

from typing import Any

import hypothesis
import pytest
import requests
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode

from contract_tests.asgi_session import InThreadASGISession
from contract_tests.inprocess import fresh_mock
from contract_tests.spec import CREATE_OPERATION, TASK_OPERATION, conformance_schema
from contract_tests.steering import steer


def _answer(response: Any) -> tuple[int, str | None, bytes]:
    return response.status_code, response.headers.get("content-type"), response.content


# A task id is a free-form string: reads have no negative form.
@pytest.mark.parametrize(
    ("label", "mode"),
    [
        (CREATE_OPERATION, GenerationMode.POSITIVE),
        (CREATE_OPERATION, GenerationMode.NEGATIVE),
        (TASK_OPERATION, GenerationMode.POSITIVE),
    ],
)
def test_a_case_gets_the_same_answer_through_the_session_as_through_schemathesis(
    label: str, mode: GenerationMode
) -> None:
    # Two identical seeded mocks on their own clocks: the same case, sent to each in turn,
    # must get the same status, content type and bytes (ids included).
    ours, theirs = fresh_mock(), fresh_mock()
    schema = conformance_schema(api_key=theirs.api_key, app=theirs.app)
    session = InThreadASGISession(ours.app)  # the session's app answers, not the schema's
    supply_ours, supply_theirs = ours.supply(), theirs.supply()
    operation = schema.find_operation_by_label(label)
    assert operation is not None

    @hypothesis.settings(max_examples=25, derandomize=True, database=None, deadline=None)
    @hypothesis.given(operation.as_strategy(generation_mode=mode))
    def same(case: Case[Any]) -> None:
        steer(case, supply_theirs)
        expected = case.call()
        steer(case, supply_ours)
        assert _answer(case.call(session=session)) == _answer(expected)

    try:
        same()
    finally:
        session.close()


def test_a_body_the_app_never_finishes_is_a_read_timeout_naming_the_wait() -> None:
    async def hangs(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await receive()  # the request body, then a disconnect that never comes
        await receive()

    with (
        InThreadASGISession(hangs) as session,
        pytest.raises(requests.exceptions.ReadTimeout, match=r"within 0\.05 s"),
    ):
        session.get("http://app.local/", timeout=0.05)


@hypothesis.settings(max_examples=30, derandomize=True, database=None, deadline=None)
@hypothesis.given(
    status=st.sampled_from([200, 201, 400, 404, 418, 500, 599]),
    body=st.binary(max_size=200),
    header=st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=20),
)
def test_status_headers_and_body_arrive_as_the_app_sent_them(
    status: int, body: bytes, header: str
) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        headers = [(b"x-echo", header.encode("latin-1")), (b"x-method", scope["method"].encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body[:7], "more_body": True})
        await send({"type": "http.response.body", "body": body[7:]})

    with InThreadASGISession(app) as session:
        response = session.post("http://app.local/x?y=1", data=b"payload")
    assert (response.status_code, response.content) == (status, body)
    assert response.headers["x-echo"] == header.strip()  # HTTP trims a value's outer blanks
    assert response.headers["x-method"] == "POST"
