"""Polling reads the progress a task reports: a forecast of its end, and distrust of lies."""

from __future__ import annotations

import math

import httpx
import pytest
from evolink_mock import fixtures
from evolink_mock.app import create_app
from evolink_mock.clock import ManualClock
from evolink_mock.config import MockConfig
from evolink_mock.handle import SyncASGITransport
from evolink_persona import PersonaClient, PollPolicy
from evolink_persona._forecast import ProgressForecast
from hypothesis import given, settings
from hypothesis import strategies as st


def forecast_of(*readings: tuple[float, float | None]) -> ProgressForecast:
    forecast = ProgressForecast()
    for elapsed, progress in readings:
        forecast.observe(elapsed, progress)
    return forecast


def test_two_rising_readings_extrapolate_the_end_linearly() -> None:
    # 20 % at 10 s, 30 % at 12 s: 5 %/s, so 100 % at 26 s, 14 s after the last read.
    assert forecast_of((10, 20), (12, 30)).seconds_to_finish(12) == 14


def test_the_whole_run_is_the_baseline_not_the_last_pair() -> None:
    # Whole-percent steps make a short pair noisy; first to last gives 4 %/s here.
    forecast = forecast_of((10, 20), (15, 40), (16, 44))
    assert forecast.seconds_to_finish(16) == pytest.approx((100 - 44) / 4)


def test_one_reading_or_a_stall_gives_no_forecast() -> None:
    assert forecast_of((10, 20)).seconds_to_finish(10) is None
    assert forecast_of((10, 20), (12, 30), (14, 30)).seconds_to_finish(14) is None


def test_a_lower_reading_starts_a_new_run() -> None:
    forecast = forecast_of((10, 60), (12, 70), (14, 10))
    assert [r.progress for r in forecast.run] == [10]
    assert forecast.seconds_to_finish(14) is None


@pytest.mark.parametrize("progress", [None, 0, 100, 150, -5, math.nan, math.inf])
def test_readings_that_are_not_a_progress_are_ignored(progress: float | None) -> None:
    assert forecast_of((10, 20), (11, progress)).run == forecast_of((10, 20)).run


def test_a_read_far_behind_the_promise_ends_trust_in_progress() -> None:
    forecast = forecast_of((10, 20), (12, 30))
    forecast.seconds_to_finish(12)  # promises 5 %/s
    forecast.observe(16, 40)  # 10 points in 4 s where 20 were promised
    assert not forecast.trusted


def test_a_read_close_to_the_promise_keeps_trust() -> None:
    forecast = forecast_of((10, 20), (12, 30))
    forecast.seconds_to_finish(12)
    forecast.observe(16, 46)  # 16 of the 20 promised points: within the 0.7 tolerance
    assert forecast.trusted


def test_a_trusted_forecast_sets_the_next_read_within_its_bounds() -> None:
    policy = PollPolicy()
    far = forecast_of((10, 2), (12, 4))  # 1 %/s: the end is 96 s away
    assert policy.next_interval(2, None, 12, far) == policy.max_interval
    near = forecast_of((10, 90), (12, 99))  # 4.5 %/s: the end is 0.2 s away
    assert policy.next_interval(2, None, 12, near) == policy.min_interval
    assert policy.next_interval(2, None, 12, forecast_of((10, 20), (12, 30))) == 10.0


def test_a_forecast_never_carries_a_read_past_the_services_estimate() -> None:
    policy = PollPolicy()
    slow = forecast_of((10, 20), (12, 30))  # says 26 s
    assert policy.next_interval(2, 15, 12, slow) == 3.0  # the estimate says 15 s


def test_without_progress_or_with_use_progress_off_the_schedule_decides() -> None:
    policy = PollPolicy()
    assert policy.next_interval(0, 20, 0, ProgressForecast()) == policy.interval(0, 20, 0)
    off = PollPolicy(use_progress=False)
    rising = forecast_of((10, 20), (12, 30))
    assert off.next_interval(2, 20, 12, rising) == off.interval(2, 20, 12)


def test_one_reading_asks_for_a_second_look_soon() -> None:
    policy = PollPolicy()
    one = forecast_of((10, 20))
    assert policy.interval(5, None, 10) > policy.near_interval
    assert policy.next_interval(5, None, 10, one) == policy.near_interval
    assert policy.next_interval(1, None, 10, one) == policy.interval(1, None, 10)  # sooner yet


readings = st.lists(
    st.tuples(
        st.floats(min_value=0, max_value=1e4, allow_nan=False),
        st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)),
    ),
    max_size=12,
).map(lambda pairs: sorted(pairs, key=lambda pair: pair[0]))


@settings(max_examples=300, derandomize=True)
@given(
    readings=readings,
    estimate=st.one_of(st.none(), st.floats(min_value=0.1, max_value=1e4)),
)
def test_any_progress_gives_a_bounded_wait_and_distrust_never_waits_past_the_schedule(
    readings: list[tuple[float, float | None]], estimate: float | None
) -> None:
    policy = PollPolicy()
    forecast = ProgressForecast()
    for number, (elapsed, progress) in enumerate(readings):
        forecast.observe(elapsed, progress)
        scheduled = policy.interval(number, estimate, elapsed)
        wait = policy.next_interval(number, estimate, elapsed, forecast)
        assert 0 < wait <= max(policy.max_interval, scheduled)
        if not forecast.trusted:
            assert wait <= scheduled


def _reads_to_finish(policy: PollPolicy, duration: float) -> tuple[int, float]:
    """Task reads made, and how late the end was seen, waiting on the in-process mock."""
    clock = ManualClock()
    app = create_app(MockConfig(persona_duration=duration, rate_limit=0, seed=3), clock=clock)
    reads = 0

    def count(request: httpx.Request) -> None:
        nonlocal reads
        reads += request.method == "GET"

    http = httpx.Client(transport=SyncASGITransport(app), event_hooks={"request": [count]})
    with (
        http,
        PersonaClient(
            fixtures.DEMO_API_KEY,
            base_url="http://mock.test",
            http_client=http,
            poll_policy=policy,
            sleep=clock.advance,
            clock=clock.now,
        ) as client,
    ):
        client.create_persona_and_wait(
            source_task_id=fixtures.DEMO_MUSIC_TASK_ID,
            result_id=fixtures.DEMO_RESULT_ID,
            name="Forecast Singer",
            description="Reads progress",
        )
    return reads, clock.now() - duration


def test_waiting_on_the_mock_reads_less_with_the_forecast_and_sees_the_end_sooner() -> None:
    # A 30 s task told 30 s: the schedule reads every 3 s from 15 s on; progress says when.
    with_forecast = _reads_to_finish(PollPolicy(), 30.0)
    schedule_only = _reads_to_finish(PollPolicy(use_progress=False), 30.0)
    assert with_forecast[0] < schedule_only[0]
    assert 0 <= with_forecast[1] <= schedule_only[1]
