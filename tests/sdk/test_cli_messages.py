"""The CLI's messages blame the real cause and name the next step, in the user's own terms."""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import evolink_persona as ep
import httpx
import pytest
from evolink_persona import _progress, cli

from tests.sdk.sdk_support import (
    API_KEY,
    MUSIC_TASK_ID,
    RESULT_ID,
    TASK_ID,
    CliRunner,
    Script,
    json_reply,
    submitted,
    task_body,
)

CREATE_WAIT = ["create", "--source-task-id", MUSIC_TASK_ID, "--result-id", RESULT_ID]
CREATE_WAIT += ["--name", "N", "--description", "D", "--wait"]
RUNNING = json_reply(200, task_body("processing", 10))


def _interrupt(request: httpx.Request) -> httpx.Response:
    raise KeyboardInterrupt


# --- the base URL, the task kind, the source of the key ----------------------------------


@pytest.fixture
def live_mock(evolink_mock_live: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A real mock on loopback, with the demo user's key in EVOLINK_API_KEY."""
    monkeypatch.setenv("EVOLINK_API_KEY", evolink_mock_live.api_key)
    monkeypatch.delenv("EVOLINK_BASE_URL", raising=False)
    return evolink_mock_live


def test_a_base_url_ending_in_v1_is_named_as_the_cause_of_the_404(
    live_mock: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["task", MUSIC_TASK_ID, "--base-url", live_mock.base_url + "/v1"]
    assert cli.main(argv) == 10
    err = capsys.readouterr().err
    assert "base URL ends with the API's own path prefix" in err
    assert f"set --base-url to {live_mock.base_url}" in err
    assert "Check the task id" not in err


def test_a_404_with_a_plain_base_url_still_points_at_the_task_id(
    live_mock: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["task", "task-unified-1000000000-unknown0", "--base-url", live_mock.base_url]
    assert cli.main(argv) == 10
    assert "Check the task id" in capsys.readouterr().err


def test_the_doubled_prefix_is_detected_only_where_the_path_repeats_it() -> None:
    assert cli.doubled_api_prefix("http://127.0.0.1:8000/v1/") == "http://127.0.0.1:8000"
    assert cli.doubled_api_prefix("https://gw.example/evolink/v1") == "https://gw.example/evolink"
    assert cli.doubled_api_prefix("http://127.0.0.1:8000") is None
    assert cli.doubled_api_prefix("http://v1") is None
    assert cli.doubled_api_prefix(None) is None


def test_waiting_on_a_music_task_says_it_is_not_a_persona_task(
    live_mock: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["wait", MUSIC_TASK_ID, "--base-url", live_mock.base_url]
    assert cli.main(argv) == ep.RequestValidationError.exit_code
    err = capsys.readouterr().err
    assert f"{MUSIC_TASK_ID} is a suno-" in err
    assert "not a persona task" in err
    assert "evolink-persona create prints it" in err
    assert "report it" not in err  # not the service's fault


def test_the_sdk_refuses_to_wait_on_a_music_task_at_the_first_read(live_mock: Any) -> None:
    with (
        ep.PersonaClient(base_url=live_mock.base_url) as client,
        pytest.raises(ep.NotAPersonaTaskError) as caught,
    ):
        client.wait_for_persona(MUSIC_TASK_ID)
    assert caught.value.task_id == MUSIC_TASK_ID
    assert caught.value.model is not None
    assert caught.value.model.startswith("suno-v")


def test_a_refused_key_from_a_key_file_is_blamed_on_that_file(
    live_mock: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key_file = tmp_path / "evolink.key"
    key_file.write_text("sk-not-a-key-of-this-mock\n")
    argv = ["task", MUSIC_TASK_ID, "--base-url", live_mock.base_url]
    assert cli.main([*argv, "--api-key-file", str(key_file)]) == 7
    err = capsys.readouterr().err
    assert f"Check the key in the key file {key_file} (--api-key-file)" in err
    assert "EVOLINK_API_KEY" not in err


def test_a_refused_key_from_the_environment_is_blamed_on_the_variable(
    live_mock: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EVOLINK_API_KEY", "sk-not-a-key-of-this-mock")
    assert cli.main(["task", MUSIC_TASK_ID, "--base-url", live_mock.base_url]) == 7
    assert "Check EVOLINK_API_KEY" in capsys.readouterr().err


def test_an_unreachable_base_url_given_as_an_option_is_named_as_that_option(
    scripted_cli: CliRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    script = Script(*[httpx.ConnectError("refused")] * 3)
    argv = ["task", TASK_ID, "--base-url", "http://127.0.0.1:9"]
    assert scripted_cli(script, argv) == 13
    err = capsys.readouterr().err
    assert "--base-url http://127.0.0.1:9" in err
    assert "EVOLINK_BASE_URL" not in err


# --- an unfinished wait says how to resume it ----------------------------------------------


def test_a_wait_timeout_names_the_task_and_the_command_that_resumes(
    scripted_cli: CliRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    script = Script(json_reply(200, submitted()), *[RUNNING] * 30)
    argv = [*CREATE_WAIT, "--wait-timeout", "5", "--base-url", "http://127.0.0.1:8000"]
    assert scripted_cli(script, argv) == ep.WaitTimeoutError.exit_code
    err = capsys.readouterr().err
    assert f"task {TASK_ID} is still running" in err
    assert f"evolink-persona wait {TASK_ID} --base-url http://127.0.0.1:8000" in err


def test_ctrl_c_during_create_wait_exits_130_and_names_the_resume_command(
    scripted_cli: CliRunner, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key_file = tmp_path / "my key"
    key_file.write_text(API_KEY)
    script = Script(json_reply(200, submitted()), RUNNING, _interrupt)
    assert scripted_cli(script, [*CREATE_WAIT, "--api-key-file", str(key_file)]) == 130
    last = capsys.readouterr().err.splitlines()[-1]
    assert last.startswith("interrupted: ")
    assert f"evolink-persona wait {TASK_ID} --api-key-file '{key_file}'" in last


def test_ctrl_c_before_the_creation_answered_warns_it_may_exist(
    scripted_cli: CliRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    assert scripted_cli(Script(_interrupt), CREATE_WAIT) == 130
    err = capsys.readouterr().err
    assert "may have been submitted" in err
    assert "look for a recent suno-persona task" in err


@pytest.mark.parametrize(
    ("replies", "flags", "code", "stopped"),
    [
        ([_interrupt], [], 130, "interrupted"),
        ([RUNNING] * 30, ["--wait-timeout", "5"], 17, "wait-timeout"),
    ],
)
def test_with_json_an_unfinished_wait_puts_the_task_id_on_stdout(
    replies: list[Any],
    flags: list[str],
    code: int,
    stopped: str,
    scripted_cli: CliRunner,
    capsys: pytest.CaptureFixture[str],
) -> None:
    script = Script(json_reply(200, submitted()), RUNNING, *replies)
    assert scripted_cli(script, [*CREATE_WAIT, "--json", *flags]) == code
    captured = capsys.readouterr()
    unfinished = json.loads(captured.out)
    assert unfinished["task_id"] == TASK_ID
    assert unfinished["finished"] is False
    assert unfinished["stopped"] == stopped
    assert unfinished["resume"] == f"evolink-persona wait {TASK_ID}"
    lines = captured.err.splitlines()
    assert lines
    assert all(isinstance(json.loads(line), dict) for line in lines)
    assert json.loads(lines[-1])["error"]["class"] in ("Interrupted", "WaitTimeoutError")


def test_with_json_every_stderr_line_is_json_including_progress_and_usage_errors(
    scripted_cli: CliRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    done = json_reply(200, task_body("completed", 100, result_data={"persona_id": "p-1"}))
    script = Script(json_reply(200, submitted()), RUNNING, done)
    assert scripted_cli(script, [*CREATE_WAIT, "--json"]) == 0
    events = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [e["status"] for e in events] == ["pending", "processing", "completed"]
    assert cli.main(["task", "--json"]) == 2
    usage = json.loads(capsys.readouterr().err)
    assert usage["error"]["class"] == "UsageError"
    assert "task_id" in usage["error"]["message"]


# --- conventions ------------------------------------------------------------------------------


def test_version_is_printed_by_the_option_and_by_python_dash_m(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out == f"evolink-persona {ep.__version__}\n"
    result = subprocess.run(
        [sys.executable, "-m", "evolink_persona", "--version"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert (result.returncode, result.stdout) == (0, f"evolink-persona {ep.__version__}\n")


def test_the_package_lists_only_its_public_names() -> None:
    names = dir(ep)
    assert "PersonaClient" in names
    assert "__version__" in names
    assert {"annotations", "logging"}.isdisjoint(names)
    assert not [name for name in names if name.startswith("_") and name != "__version__"]


def test_a_typoed_command_gets_did_you_mean(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["craete", "--name", "x"]) == 2
    assert "unknown command 'craete'; did you mean 'create'?" in capsys.readouterr().err


def test_a_word_far_from_every_command_is_still_not_echoed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["sk-evolink-pasted-key-1234"]) == 2
    err = capsys.readouterr().err
    assert "sk-evolink-pasted-key-1234" not in err
    assert "did you mean" not in err


def test_create_help_explains_every_option_and_what_is_required(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["create", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "without --mock also --source-task-id and --result-id" in text
    assert "10 to 30 s apart" in text
    parser = cli._parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for action in commands.choices["create"]._actions:
        assert action.help, f"{action.option_strings} has no help"


def test_mock_help_shows_defaults_and_that_keys_are_printed_at_start(
    capsys: pytest.CaptureFixture[str],
) -> None:
    pytest.importorskip("uvicorn")
    assert cli.main(["mock", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "prints its users with their API keys" in text
    assert "(default: 8000)" in text
    assert "(default: 3.0)" in text


@pytest.mark.parametrize(
    "option", [["--base-url", "http://127.0.0.1:8000"], ["--api-key-file", "k"]]
)
def test_mock_with_an_option_it_would_ignore_is_refused_with_the_reason(
    option: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["--mock", "songs", *option]) == 2
    err = capsys.readouterr().err
    assert f"{option[0]} would be ignored" in err
    assert "drop" in err


# --- the progress display -------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_display_is_json_lines_rich_on_a_terminal_plain_elsewhere() -> None:
    assert isinstance(cli.progress_display(_Terminal(), json_lines=True), _progress.JsonProgress)
    assert isinstance(cli.progress_display(_Terminal(), json_lines=False), _progress.RichProgress)
    plain = cli.progress_display(io.StringIO(), json_lines=False)
    assert type(plain) is cli.ProgressDisplay
    assert plain.live is False


def test_the_rich_display_shows_the_task_and_its_progress() -> None:
    out = _Terminal()
    display = cli.progress_display(out, json_lines=False)
    display(ep.Task(id=TASK_ID, status="processing", progress=40))
    display(ep.Task(id=TASK_ID, status="completed", progress=100))
    display.finish()
    shown = out.getvalue()
    assert TASK_ID in shown
    assert "100%" in shown
    assert "completed" in shown
    assert display.task is not None
    assert display.task.status == "completed"
