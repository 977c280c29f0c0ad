"""The request path's shortcuts answer exactly what the careful paths behind them answer.

The body decoder tries orjson first, the `Authorization` header is compared whole before
it is parsed, and a task is looked up before its id's format is checked: each shortcut is
only sound if it never changes an answer, which is what these tests hold.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

import pytest
from evolink_mock import MockConfig, create_app, fixtures
from evolink_mock.handle import MockHandle
from evolink_mock.tasks import TASK_ID_PATTERN
from evolink_mock.validation import parse_json_body
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import CREATE, persona_body

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
_DOCUMENTS = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=200)
@given(document=_DOCUMENTS, ascii_only=st.booleans())
def test_the_body_decoder_reads_what_the_standard_library_reads(
    document: Any, ascii_only: bool
) -> None:
    raw = json.dumps(document, ensure_ascii=ascii_only).encode()
    decoded = parse_json_body(raw)
    assert decoded == json.loads(raw)
    # Integers beyond 64 bits stay integers (orjson alone would make them floats).
    assert repr(decoded) == repr(json.loads(raw))


@pytest.mark.parametrize(
    "raw",
    [
        b'{"n": 123456789012345678901234567890}',  # beyond 64 bits: an int, not a float
        b'{"s": "\\ud800"}',  # an escaped lone surrogate, which orjson refuses
        b'{"a": 1, "a": 2}',
        b'  {"n": -0.0} \r\n',
    ],
)
def test_bodies_orjson_reads_otherwise_decode_as_the_standard_library_does(raw: bytes) -> None:
    assert repr(parse_json_body(raw)) == repr(json.loads(raw))


def test_every_stored_task_id_has_the_upstream_format(evolink_mock: MockHandle) -> None:
    """Reads look a task up before checking its id's format; that needs every stored id
    to pass the format check."""
    made = evolink_mock.add_music_task().task_id
    with evolink_mock.client() as c:
        created = c.post(CREATE, json=persona_body()).json()["id"]
    service = evolink_mock.service
    for user in fixtures.USERS:
        for task in user.tasks:
            assert TASK_ID_PATTERN.fullmatch(task.task_id), task.task_id
    for task_id in (made, created):
        assert TASK_ID_PATTERN.fullmatch(task_id), task_id
        assert service.task_detail(fixtures.DEMO_USER_ID, task_id)["id"] == task_id


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/v1/tasks/job-1774169216-abcd1234", 400, "invalid_task_id"),
        ("/v1/tasks/task-unified-1774169216-ABCD1234", 400, "invalid_task_id"),
        ("/v1/tasks/task-unified-1774169216-zzzz9999", 404, "task_not_found"),
    ],
)
def test_an_unknown_task_id_is_judged_by_its_format_first(
    client: Any, path: str, status: int, code: str
) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


@pytest.mark.parametrize(
    "spelling",
    ["Bearer {key}", "bearer {key}", "BEARER {key}", "Bearer  {key}", "Bearer {key}  "],
)
def test_every_accepted_spelling_of_the_header_names_the_same_user(
    evolink_mock: MockHandle, spelling: str
) -> None:
    header = {"Authorization": spelling.format(key=fixtures.SECOND_API_KEY)}
    with evolink_mock.client() as c:
        response = c.get(f"/v1/tasks/{fixtures.DEMO_MUSIC_TASK_ID}", headers=header)
    # The demo task is the demo user's: the second user is refused with 403, not 401.
    assert response.status_code == 403


def test_the_whole_header_comparison_compares_every_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    service = create_app(MockConfig()).service
    seen: list[bytes] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        seen.append(a)
        return real(a, b)

    monkeypatch.setattr("evolink_mock.service.hmac.compare_digest", spy)
    header = f"Bearer {fixtures.DEMO_API_KEY}".encode()
    assert service.authenticate_header(header) == fixtures.DEMO_USER_ID
    assert len(seen) == len(fixtures.USERS)
    service.add_user("user-new", "sk-new-key")
    assert service.authenticate_header(b"Bearer sk-new-key") == "user-new"


def test_ids_under_one_seed_repeat_and_have_the_upstream_format() -> None:
    def ids() -> list[str]:
        service = create_app(MockConfig(seed=11)).service
        return [service.add_music_task(fixtures.DEMO_USER_ID).task_id for _ in range(50)]

    first = ids()
    assert first == ids()
    assert len(set(first)) == len(first)
    assert all(TASK_ID_PATTERN.fullmatch(task_id) for task_id in first)
