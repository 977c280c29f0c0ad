"""The mock's persona tasks live by the rules: forward only, progress rising, one per song."""

from __future__ import annotations

from contract_tests.lifecycle import PersonaLifecycle, run_lifecycle


def test_persona_tasks_move_forward_and_keep_their_persona() -> None:
    run_lifecycle(PersonaLifecycle)
