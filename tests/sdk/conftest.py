"""Makes ``sdk_support`` (the SDK tests' shared doubles) importable under importlib mode."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import pytest
from sdk_support import FakeTime


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()
