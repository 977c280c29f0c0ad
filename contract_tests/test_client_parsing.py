"""The SDK replay behind ``parses_with_clients``: one client per thread, nothing carried over."""

from __future__ import annotations

import json
import threading

import hypothesis
from evolink_openapi import spec_document
from hypothesis import strategies as st

from contract_tests.client_parsing import replay_with_sdk
from contract_tests.spec import CREATE_OPERATION, TASK_OPERATION
from tests.sdk.sdk_support import TASK_ID, submitted

_TASK = TASK_ID
_JSON = {"Content-Type": "application/json"}
_PENDING = submitted()
# The spec's own examples of the two error answers a replay meets most.
_RESPONSES = spec_document()["paths"]["/v1/audios/generations"]["post"]["responses"]
_ERROR_429, _ERROR_500 = (
    _RESPONSES[code]["content"]["application/json"]["example"] for code in ("429", "500")
)
#: Recorded answers of every kind a replay meets: tasks, errors, a cookie, a proxy's HTML.
_ANSWERS: list[tuple[int, dict[str, str], bytes]] = [
    (200, _JSON, json.dumps(_PENDING).encode()),
    (200, {**_JSON, "Set-Cookie": "session=abc; Path=/"}, json.dumps(_PENDING).encode()),
    (200, _JSON, json.dumps({**_PENDING, "status": "processing", "progress": 40}).encode()),
    (200, _JSON, json.dumps({**_PENDING, "id": "task-unified-other"}).encode()),
    (429, {**_JSON, "Retry-After": "3"}, json.dumps(_ERROR_429).encode()),
    (500, _JSON, json.dumps(_ERROR_500).encode()),
    (502, {"Content-Type": "text/html"}, b"<html><body>Bad gateway</body></html>"),
    (200, _JSON, b"{not json"),
]


Replay = tuple[str, str, tuple[int, dict[str, str], bytes]]


def _outcome(replay: Replay) -> tuple[str, str]:
    operation, task_id, answer = replay
    result = replay_with_sdk(operation, *answer, task_id=task_id)
    return type(result).__name__, repr(result) if not isinstance(result, Exception) else str(result)


def _on_a_fresh_thread(replay: Replay) -> tuple[str, str]:
    """The outcome from a client that has replayed nothing before (a new thread's own)."""
    found: list[tuple[str, str]] = []
    worker = threading.Thread(target=lambda: found.append(_outcome(replay)))
    worker.start()
    worker.join(timeout=30)
    return found[0]


@hypothesis.settings(max_examples=30, derandomize=True, database=None, deadline=None)
@hypothesis.given(
    st.lists(
        st.tuples(
            st.sampled_from([CREATE_OPERATION, TASK_OPERATION]),
            st.sampled_from([_TASK, "task-unified-other"]),
            st.sampled_from(_ANSWERS),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_a_replay_gives_what_a_fresh_client_gives_whatever_was_replayed_before(
    replays: list[Replay],
) -> None:
    in_turn = [_outcome(replay) for replay in replays]
    alone = [_on_a_fresh_thread(replay) for replay in replays]
    assert in_turn == alone
