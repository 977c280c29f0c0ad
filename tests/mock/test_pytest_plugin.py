"""The pytest fixtures, used from a user's own test file the way the docs show."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

USER_TESTS = """
import httpx
import pytest
from evolink_mock import fixtures

BODY = {
    "model": "suno-persona",
    "model_params": {
        "source_task_id": fixtures.DEMO_MUSIC_TASK_ID,
        "result_id": fixtures.DEMO_RESULT_ID,
        "name": "Test Singer",
        "description": "For my test suite",
    },
}


def test_persona_completes(evolink_mock):
    with evolink_mock.client() as client:
        task = client.post("/v1/audios/generations", json=BODY).json()
        assert task["status"] == "pending"
        evolink_mock.finish_tasks()
        done = client.get(f"/v1/tasks/{task['id']}").json()
    assert done["status"] == "completed"
    assert len(done["result_data"]["persona_id"]) == 32


def test_each_test_gets_a_fresh_mock(evolink_mock):
    with evolink_mock.client() as client:
        assert client.post("/v1/audios/generations", json=BODY).status_code == 200


@pytest.mark.anyio
async def test_async_client_in_process(evolink_mock):
    async with evolink_mock.async_client() as client:
        response = await client.get(f"/v1/tasks/{fixtures.DEMO_MUSIC_TASK_ID}")
    assert response.status_code == 200


@pytest.mark.evolink_mock(live=True)
def test_marked_live_uses_a_socket(evolink_mock):
    assert evolink_mock.base_url.startswith("http://127.0.0.1:")
    headers = {"Authorization": f"Bearer {evolink_mock.api_key}"}
    url = evolink_mock.base_url + "/v1/audios/generations"
    response = httpx.post(url, json=BODY, headers=headers)
    assert response.status_code == 200


def test_live_fixture(evolink_mock_live):
    evolink_mock_live.inject_fault("503")
    with httpx.Client(base_url=evolink_mock_live.base_url) as client:
        assert client.get("/v1/tasks/" + fixtures.DEMO_MUSIC_TASK_ID).status_code == 503


class TestWithoutCredits:
    @pytest.fixture
    def evolink_mock_config(self):
        from evolink_mock import MockConfig
        return MockConfig(credits_per_user=0)

    def test_config_can_be_overridden(self, evolink_mock):
        with evolink_mock.client() as client:
            assert client.post("/v1/audios/generations", json=BODY).status_code == 402
"""


def test_fixtures_work_in_a_users_suite(pytester: pytest.Pytester) -> None:
    # A subprocess, as the user's suite is: an in-process run drops the modules it imported
    # first when it ends (httpcore, which httpx imports lazily), and a later request in this
    # worker then raised httpcore's ConnectError unmapped, past the SDK's error types.
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest_subprocess("-q", "-p", "no:schemathesis", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=6)
