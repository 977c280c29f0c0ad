"""``evolink-persona music ...`` on the embedded mock: create, wait, --persona, and refusals."""

from __future__ import annotations

import json
import uuid

import pytest
from evolink_persona import cli

pytest.importorskip("evolink_mock")
from evolink_mock import fixtures


def test_music_create_wait_prints_the_songs_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["music", "create", "--mock", "--prompt", "a short song", "--wait", "--json"]
    assert cli.main(argv) == 0
    songs = json.loads(capsys.readouterr().out)
    assert len(songs) >= 2
    assert all(str(uuid.UUID(song["result_id"])) == song["result_id"] for song in songs)


def test_music_create_with_a_persona_submits_a_custom_v5_task(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = [
        "music", "create", "--mock", "--custom", "--style", "pop", "--title", "Mine",
        "--prompt", "[Verse] la", "--persona", fixtures.DEMO_PERSONA_ID,
        "--persona-model", "voice_persona", "--json",
    ]  # fmt: skip
    assert cli.main(argv) == 0
    task = json.loads(capsys.readouterr().out)
    assert (task["status"], task["model"]) == ("pending", "suno-v5-beta")


def test_a_persona_on_a_v4_model_is_refused_before_sending(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = [
        "music", "create", "--mock", "--model", "suno-v4.5-beta", "--custom", "--style", "pop",
        "--title", "T", "--prompt", "la", "--persona", fixtures.DEMO_PERSONA_ID, "--json",
    ]  # fmt: skip
    code = cli.main(argv)
    error = json.loads(capsys.readouterr().err)["error"]
    assert code == cli.EXIT_CODES[cli.RequestValidationError]
    assert [v["field"] for v in error["violations"]] == ["persona"]


def test_music_wait_on_a_persona_task_says_it_has_no_songs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = cli.main(["music", "wait", "--mock", fixtures.DEMO_PERSONA_TASK_ID])
    assert code == cli.EXIT_CODES[cli.NoSongsError]
    assert "error:" in capsys.readouterr().err
