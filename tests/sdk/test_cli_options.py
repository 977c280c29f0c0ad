"""The CLI's common options work before the command (like ``git -C``) and after it."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from evolink_persona import cli

from tests.sdk.sdk_support import (
    API_KEY,
    MUSIC_TASK_ID,
    TASK_ID,
    CliRunner,
    Script,
    error_body,
    json_reply,
    task_body,
)

DONE = json_reply(200, task_body("completed", 100, result_data={"persona_id": "persona-123"}))
OOPS = json_reply(500, error_body("internal_error", "oops"))


def _parse(argv: list[str]) -> dict[str, object]:
    return vars(cli._parser().parse_args(argv))


@pytest.mark.parametrize(
    "argv",
    [["--json", "task", TASK_ID], ["task", TASK_ID, "--json"], ["task", "--json", TASK_ID]],
)
def test_json_is_accepted_before_and_after_the_command(
    argv: list[str], scripted_cli: CliRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    assert scripted_cli(Script(DONE), argv) == 0
    assert json.loads(capsys.readouterr().out)["persona_id"] == "persona-123"


@pytest.mark.parametrize(
    "argv", [["--max-retries", "0", "task", TASK_ID], ["task", TASK_ID, "--max-retries", "0"]]
)
def test_max_retries_before_the_command_is_not_reset_by_the_command(
    argv: list[str], scripted_cli: CliRunner
) -> None:
    script = Script(OOPS, DONE)
    assert scripted_cli(script, argv) == 12  # no retry: the 500 surfaces
    assert len(script.requests) == 1
    assert scripted_cli.factory_kwargs[-1]["max_retries"] == 0


def test_without_max_retries_the_client_default_applies(scripted_cli: CliRunner) -> None:
    script = Script(OOPS, DONE)
    assert scripted_cli(script, ["task", TASK_ID]) == 0  # retried once, then done
    assert "max_retries" not in scripted_cli.factory_kwargs[-1]


def test_an_option_after_the_command_wins_over_the_same_option_before_it() -> None:
    args = _parse(["--max-retries", "1", "--base-url", "http://a", "task", TASK_ID])
    assert (args["max_retries"], args["base_url"]) == (1, "http://a")
    args = _parse(["--max-retries", "1", "task", TASK_ID, "--max-retries", "3"])
    assert args["max_retries"] == 3


@pytest.mark.parametrize("before", [True, False])
def test_every_common_option_parses_in_both_places(before: bool) -> None:
    options = ["--json", "--mock", "--api-key-file", "k", "--base-url", "http://b"]
    options += ["--max-retries", "4"]
    command = ["songs", MUSIC_TASK_ID]
    args = _parse(options + command if before else command + options)
    expected = {"json": True, "mock": True, "api_key_file": "k", "base_url": "http://b"}
    assert {name: args[name] for name in expected} == expected
    assert args["max_retries"] == 4


def test_defaults_hold_when_no_common_option_is_given() -> None:
    args = _parse(["wait", TASK_ID])
    assert (args["json"], args["mock"], args["max_retries"]) == (False, False, None)
    assert (args["api_key_file"], args["base_url"]) == (None, None)


@pytest.mark.parametrize("before", [True, False])
def test_the_key_file_is_read_in_either_place(
    before: bool, tmp_path: Path, scripted_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file = tmp_path / "key"
    key_file.write_text(API_KEY + "\n")
    monkeypatch.delenv("EVOLINK_API_KEY")
    option = ["--api-key-file", str(key_file)]
    argv = [*option, "task", TASK_ID] if before else ["task", TASK_ID, *option]
    assert scripted_cli(Script(DONE), argv) == 0


@pytest.mark.parametrize(
    "argv", [["--api-key", "sk-x", "task", TASK_ID], ["task", TASK_ID, "--api-key", "sk-x"]]
)
def test_the_key_is_an_option_in_neither_place(argv: list[str]) -> None:
    with pytest.raises(SystemExit):
        cli._parser().parse_args(argv)


@pytest.mark.parametrize(
    "argv",
    [["--js", "task", TASK_ID], ["--mo", "task", TASK_ID], ["task", TASK_ID, "--mo"]],
)
def test_abbreviations_are_refused_in_both_places(argv: list[str]) -> None:
    with pytest.raises(SystemExit):
        cli._parser().parse_args(argv)


def test_the_demo_refuses_a_key_file_or_base_url_it_would_ignore(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["--base-url", "http://x", "demo"]) == 2
    assert "demo always uses the embedded mock" in capsys.readouterr().err


def test_mock_takes_its_own_options_after_the_word_mock(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["--json", "mock"]) == 2
    assert "after 'mock'" in capsys.readouterr().err


def test_mock_before_the_command_serves_it_from_the_embedded_server(
    capsys: pytest.CaptureFixture[str],
) -> None:
    pytest.importorskip("evolink_mock")
    assert cli.main(["--mock", "--json", "songs"]) == 0
    songs = json.loads(capsys.readouterr().out)
    assert songs
    assert all(song["result_id"] for song in songs)


def test_a_transport_error_with_json_before_the_command_is_reported_as_json(
    scripted_cli: CliRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    script = Script(*[httpx.ConnectError("refused")] * 3)
    assert scripted_cli(script, ["--json", "task", TASK_ID]) == 13
    assert json.loads(capsys.readouterr().err)["error"]["class"] == "APIConnectionError"


@pytest.mark.parametrize(
    ("argv", "shown"),
    [
        (["task", TASK_ID, "--api-key", "sk-secret-typed"], "--api-key"),
        (["task", TASK_ID, "--api-key=sk-secret-typed"], "--api-key"),
        (["sk-secret-typed"], "choose from 'create'"),
    ],
)
def test_a_value_argparse_cannot_place_is_never_echoed(
    argv: list[str], shown: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert shown in err
    assert "sk-secret-typed" not in err


def test_a_key_file_that_is_not_utf8_is_a_configuration_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key_file = tmp_path / "key"
    key_file.write_bytes(b"\xff\xfe" + API_KEY.encode("utf-16-le"))
    assert cli.main(["task", TASK_ID, "--api-key-file", str(key_file)]) == 3
    err = capsys.readouterr().err
    assert "not UTF-8 text" in err
    assert "Traceback" not in err


def test_a_key_file_with_a_byte_order_mark_is_read(tmp_path: Path, scripted_cli: CliRunner) -> None:
    key_file = tmp_path / "key"
    key_file.write_bytes(b"\xef\xbb\xbf" + API_KEY.encode() + b"\r\n")  # as Notepad saves it
    script = Script(json_reply(200, task_body("processing", 10)))
    assert scripted_cli(script, ["task", TASK_ID, "--api-key-file", str(key_file)]) == 0


@pytest.mark.parametrize("port", ["99999", "-1", "65536"])
def test_a_mock_port_out_of_range_is_a_usage_error(
    port: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["mock", "--port", port]) == 2
    err = capsys.readouterr().err
    assert "--port" in err
    assert "0 to 65535" in err
