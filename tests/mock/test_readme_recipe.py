"""The README's fixture recipe works as written: `create_persona_and_wait`, sync and async,
in-process and live, finishes on the mock's clock (no real wait).

The wheel test (tests/packaging) runs the same block in a fresh venv outside the repository.
"""

from __future__ import annotations

import pytest

from tests.mock.readme_recipe import readme_recipe

pytest_plugins = ["pytester"]

#: The recipe's other half: the same calls on the other fixture, and what time did.
BOTH_WAYS = """

@pytest.mark.evolink_mock(live=True)
def test_sync_on_the_live_fixture(evolink_mock):
    with mock_client(evolink_mock) as client:
        persona = client.create_persona_and_wait(**SONG, name="N", description="D")
    assert persona.task.status == "completed"


@pytest.mark.anyio
async def test_async_in_process(evolink_mock):
    started = evolink_mock.now()
    async with async_mock_client(evolink_mock) as client:
        persona = await client.create_persona_and_wait(**SONG, name="N", description="D")
    assert persona.persona_id
    # The wait happened on the mock's clock: it moved past the whole persona duration.
    assert evolink_mock.now() - started >= evolink_mock.service.config.persona_duration


def test_in_process_is_20s_of_manual_time(evolink_mock, evolink_mock_clock):
    from evolink_mock import ManualClock
    assert isinstance(evolink_mock_clock, ManualClock)
    assert evolink_mock.service.config.persona_duration == 20


def test_live_is_3s_of_real_time(evolink_mock_live, evolink_mock_clock):
    from evolink_mock import SystemClock
    assert isinstance(evolink_mock_clock, SystemClock)
    assert evolink_mock_live.service.config.persona_duration == 3
"""


def test_the_readme_fixture_recipe_runs_as_written_on_either_fixture(
    pytester: pytest.Pytester,
) -> None:
    # A subprocess: an in-process run would drop the modules it imported first (httpcore,
    # which httpx imports lazily), leaving httpx's exception map on stale classes.
    pytester.makepyfile(test_recipe=readme_recipe(), test_both_ways=readme_recipe() + BOTH_WAYS)
    result = pytester.runpytest_subprocess("-q", "-p", "no:schemathesis", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=8)
