"""A persona creation's answer built as bytes is the same JSON the dict answer encodes to."""

from __future__ import annotations

import orjson
from evolink_mock import ManualClock, MockConfig, create_app, fixtures
from evolink_mock.validation import check_persona_request
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import persona_body

_SECONDS = st.floats(min_value=0, max_value=1e4, allow_nan=False)
_CREDITS = st.one_of(
    st.floats(min_value=0, max_value=1e20, allow_nan=False),
    st.sampled_from([0.0, 1.0, 0.1, 1e-7, 1e16, 12.5]),
)


@settings(max_examples=60)
@given(
    duration=st.one_of(st.just(0.0), _SECONDS),
    pending_share=st.floats(min_value=0, max_value=1),
    failure_rate=st.sampled_from([0.0, 0.5, 1.0]),
    credits=_CREDITS,
    start=st.floats(min_value=0, max_value=4e9, allow_nan=False),
    seed=st.integers(min_value=0, max_value=2**63 - 1),
)
def test_the_bytes_answer_is_the_dict_answer_encoded(
    duration: float,
    pending_share: float,
    failure_rate: float,
    credits: float,
    start: float,
    seed: int,
) -> None:
    config = MockConfig(
        persona_duration=duration,
        pending_share=pending_share,
        failure_rate=failure_rate,
        credits_per_creation=credits,
        credits_per_user=1e21,
        seed=seed,
    )
    as_dict = create_app(config, clock=ManualClock(start)).service
    as_bytes = create_app(config, clock=ManualClock(start)).service
    user = fixtures.DEMO_USER_ID
    for result_id in (fixtures.DEMO_RESULT_ID, fixtures.DEMO_SECOND_RESULT_ID):
        request = check_persona_request(persona_body(result_id=result_id))
        expected = orjson.dumps(as_dict.create_persona(user, request))
        assert as_bytes.create_persona_json(user, request) == expected
    # Same seed, same draws in the same order: the two services stored the same tasks.
    assert as_bytes.task_count() == as_dict.task_count()
    for task_id in orjson.loads(expected)["id"], fixtures.DEMO_MUSIC_TASK_ID:
        assert as_bytes.task_detail_json(user, task_id) == as_dict.task_detail_json(user, task_id)
