"""The live runner against Prism serving the merged spec: a server that is not the mock.

Prism answers every request with the spec's examples: it takes any token, any window, a
second persona for one song, and answers every task read with the example task (another
id, an ``image.generation.task`` still ``pending`` with an ``error``). The runner must get
through both modes against it (no control API though the admin token is set, bodies it
never answers) and flag each of those faults by name. Prism is installed from npm the way
the benchmarks install it (``benchmarks/_prism.py``); the test skips, saying why, only
when it cannot be installed.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import evolink_openapi
import pytest
from evolink_mock import fixtures as mock_fixtures

from benchmarks._prism import ensure_prism, prism_server
from contract_tests import live

#: What Prism must be caught at, in both modes (the second persona: with --used-song in
#: safe mode, with the spec's example song in full mode).
_FLAGGED = {
    "refuses_an_unknown_token",
    "refuses_a_31s_vocal_window",
    "task_detail_is_the_requested_task",
    "lifecycle.detail_is_the_requested_task",
    "one_persona_per_song",
    "lifecycle.persona_task_is_audio_suno_persona",
    "running_task_carries_no_error",
}
_USED_SONG = f"{mock_fixtures.DEMO_V5_MUSIC_TASK_ID}:{mock_fixtures.DEMO_PERSONA_SOURCE_RESULT_ID}"


@pytest.fixture(scope="module")
def prism_url() -> Iterator[str]:
    try:
        ensure_prism()
    except (RuntimeError, OSError, subprocess.SubprocessError) as error:
        pytest.skip(f"Prism cannot be installed from npm here: {error}")
    with prism_server(Path(evolink_openapi.spec_path())) as prism:
        yield prism.base_url


@pytest.mark.parametrize("mode", ["full", "safe"])
def test_live_runner_flags_prism_for_what_the_spec_cannot_say(
    mode: str, prism_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(live.KEY_ENV, mock_fixtures.DEMO_API_KEY)
    monkeypatch.setenv(live.SECOND_KEY_ENV, mock_fixtures.SECOND_API_KEY)
    monkeypatch.setenv(live.ADMIN_TOKEN_ENV, "evolink-mock-admin")
    argv = ["--base-url", prism_url, f"--{mode}", "--report-dir", str(tmp_path)]
    argv += ["--examples", "5", "--differential-cases", "2", "--timeout", "0.5"]
    argv += ["--poll-interval", "0.1", "--follow-deadline", "5"]
    argv += ["--task-id", mock_fixtures.DEMO_MUSIC_TASK_ID]
    if mode == "safe":
        argv += ["--used-song", _USED_SONG]
    code = live.main(argv)
    summary = (tmp_path / "contract-summary.txt").read_text()
    failing = {line.split()[1] for line in summary.splitlines() if line.startswith("FAIL  ")}
    assert code == 1
    assert (tmp_path / "contract-junit.xml").exists()
    assert f"note: {live.ADMIN_TOKEN_ENV} is set, but this is not the mock's control API" in summary
    assert failing >= _FLAGGED, sorted(_FLAGGED - failing)
