"""A fresh mock in this process, on a clock the harness drives, and the songs it can offer.

The default target of every in-process check: ``evolink_mock.create_app`` on a
``ManualClock`` (time moves only when a test says so) with the rate limit off, so a
long fuzzing run measures the contract rather than the limiter.
"""

from __future__ import annotations

import types

import attrs
import httpx
from evolink_mock import ManualClock, MockApp, MockConfig, MockService, create_app
from evolink_mock import fixtures as mock_fixtures
from evolink_mock.handle import IN_PROCESS_BASE_URL, SyncASGITransport

from . import budget
from .steering import SongSupply

__all__ = ["DEMO_READABLE_TASKS", "UNANSWERED_CALLBACK_URL", "InProcessMock", "fresh_mock"]

#: Where steered requests send callbacks: loopback, the discard port, nothing listens; the
#: callback checks use a real receiver instead (``contract_tests.callbacks``).
UNANSWERED_CALLBACK_URL = "http://127.0.0.1:9/steered-callbacks"

#: Tasks of the demo user, one per shape a task detail can take.
DEMO_READABLE_TASKS: tuple[str, ...] = (
    mock_fixtures.DEMO_MUSIC_TASK_ID,
    mock_fixtures.DEMO_V5_MUSIC_TASK_ID,
    mock_fixtures.DEMO_V4_MUSIC_TASK_ID,
    mock_fixtures.DEMO_LEGACY_MUSIC_TASK_ID,
    mock_fixtures.DEMO_V35_MUSIC_TASK_ID,
    mock_fixtures.DEMO_UNFINISHED_TASK_ID,
    mock_fixtures.DEMO_FAILED_TASK_ID,
    mock_fixtures.DEMO_PERSONA_TASK_ID,
)


@attrs.define
class InProcessMock:
    """One mock app, its clock, and the demo user's view of it.

    It owns one sync transport (an event-loop thread), made on the first ``http()`` and
    shared by every client it hands out; ``close()`` (or leaving a ``with`` block) stops it.
    """

    app: MockApp
    clock: ManualClock
    api_key: str = mock_fixtures.DEMO_API_KEY
    second_api_key: str = mock_fixtures.SECOND_API_KEY
    base_url: str = IN_PROCESS_BASE_URL
    _transport: SyncASGITransport | None = attrs.field(default=None, init=False, repr=False)

    def __enter__(self) -> InProcessMock:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: types.TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop the transport's thread; clients handed out before stop working."""
        if self._transport is not None:
            self._transport.shutdown()
            self._transport = None

    @property
    def service(self) -> MockService:
        return self.app.service

    def fresh_song(self) -> tuple[str, str]:
        """A new finished suno-v4.5 music task of the demo user, and its only song."""
        task = self.service.add_music_task(mock_fixtures.DEMO_USER_ID, songs=1)
        return task.task_id, task.songs[0].result_id

    def supply(self) -> SongSupply:
        return SongSupply(
            fresh_song=self.fresh_song,
            readable_tasks=DEMO_READABLE_TASKS,
            persona_id=mock_fixtures.DEMO_PERSONA_ID,
            callback_url=UNANSWERED_CALLBACK_URL,
        )

    def http(self, api_key: str | None = None) -> httpx.Client:
        """A sync httpx client into the app, authenticated as ``api_key`` (demo user by default)."""
        key = self.api_key if api_key is None else api_key
        if self._transport is None:
            self._transport = SyncASGITransport(self.app)
        return httpx.Client(
            transport=self._transport,
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {key}"},
        )


def fresh_mock(config: MockConfig | None = None) -> InProcessMock:
    """A mock at its fixtures, on a ManualClock, rate limit off unless ``config`` says otherwise.

    The default config is seeded from ``budget.SEED``, so ids are the same run after run.
    """
    clock = ManualClock()
    app = create_app(
        config
        if config is not None
        else MockConfig(
            rate_limit=0, credits_per_user=1e12, seed=budget.SEED, callback_mode="test"
        ),
        clock=clock,
    )
    return InProcessMock(app=app, clock=clock)
