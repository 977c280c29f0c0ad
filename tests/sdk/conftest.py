"""Fixtures of the SDK tests; the shared doubles live in ``tests.sdk.sdk_support``."""

from __future__ import annotations

import pytest
from evolink_persona import cli

from tests.sdk.sdk_support import API_KEY, CliRunner, FakeTime


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def scripted_cli(monkeypatch: pytest.MonkeyPatch, fake_time: FakeTime) -> CliRunner:
    """The CLI on a scripted transport, with ``EVOLINK_API_KEY`` set to the test key."""
    monkeypatch.setenv("EVOLINK_API_KEY", API_KEY)
    return CliRunner(fake_time, lambda name, value: monkeypatch.setattr(cli, name, value))
