"""The in-process mock owns its transport: many clients, one loop thread, closed at the end."""

from __future__ import annotations

import threading

from evolink_mock import fixtures

from contract_tests.inprocess import fresh_mock

_DETAIL = f"/v1/tasks/{fixtures.DEMO_MUSIC_TASK_ID}"


def _transport_threads() -> int:
    return sum(1 for t in threading.enumerate() if t.name == "evolink-mock-asgi")


def test_many_http_clients_share_one_transport_thread() -> None:
    before = _transport_threads()
    with fresh_mock() as mock:
        for _ in range(25):
            with mock.http() as http:
                assert http.get(_DETAIL).status_code == 200
        assert _transport_threads() == before + 1
    assert _transport_threads() == before
