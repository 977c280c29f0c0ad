"""Music tasks, personas applied and callbacks hold their invariants over many random runs."""

from __future__ import annotations

from contract_tests.music_lifecycle import MusicLifecycle, run_music_lifecycle


def test_music_lifecycle_and_callbacks_hold() -> None:
    run_music_lifecycle(MusicLifecycle)
