"""The CLI's exit codes and output, and the API key never showing anywhere."""

from __future__ import annotations

import io
import json
import logging
import os
import pickle
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import evolink_persona as ep
import httpx
import pytest
from evolink_persona import cli

from tests.sdk.sdk_support import (
    API_KEY,
    MUSIC_TASK_ID,
    RESULT_ID,
    TASK_ID,
    VALID,
    CliRunner,
    FakeTime,
    Script,
    error_body,
    json_reply,
    make_client,
    submitted,
    task_body,
)

DONE = json_reply(200, task_body("completed", 100, result_data={"persona_id": "persona-123"}))
SONGS = json_reply(
    200,
    task_body(
        "completed",
        100,
        result_data={"songs": [{"result_id": RESULT_ID, "title": "Summer", "duration": 150}]},
        id=MUSIC_TASK_ID,
    ),
)


def test_no_key_and_no_mock_stops_with_how_to_set_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("EVOLINK_API_KEY", raising=False)
    monkeypatch.setattr(cli, "client_factory", lambda *a, **k: pytest.fail("no client expected"))
    assert cli.main(["task", TASK_ID]) == ep.ConfigurationError.exit_code == 3
    err = capsys.readouterr().err
    assert "EVOLINK_API_KEY" in err
    assert "--mock" in err


def test_task_prints_the_task(scripted_cli: CliRunner, capsys: pytest.CaptureFixture[str]) -> None:
    assert scripted_cli(Script(DONE), ["task", TASK_ID]) == 0
    out = capsys.readouterr().out
    assert "completed" in out
    assert "persona-123" in out


def test_task_json_is_machine_readable(
    scripted_cli: CliRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    assert scripted_cli(Script(DONE), ["task", TASK_ID, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["persona_id"] == "persona-123"
    assert data["status"] == "completed"


def test_songs_lists_result_ids(
    scripted_cli: CliRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    assert scripted_cli(Script(SONGS), ["songs", MUSIC_TASK_ID]) == 0
    out = capsys.readouterr().out
    assert RESULT_ID in out
    assert "Summer" in out


def test_create_wait_prints_plain_progress_lines_off_a_terminal(
    scripted_cli: CliRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    script = Script(
        json_reply(200, submitted()), json_reply(200, task_body("processing", 50)), DONE
    )
    argv = ["create", "--source-task-id", MUSIC_TASK_ID, "--result-id", RESULT_ID]
    argv += ["--name", "N", "--description", "D", "--wait"]
    assert scripted_cli(script, argv) == 0
    captured = capsys.readouterr()
    assert captured.out == "persona_id persona-123\n"
    assert f"{TASK_ID}: processing 50%\n" in captured.err
    assert "\r" not in captured.err


def test_the_live_progress_display_rewrites_one_line() -> None:
    out = io.StringIO()
    display = cli.ProgressDisplay(out, live=True, width=200)
    display(ep.Task(id=TASK_ID, status="processing", progress=50))
    display(ep.Task(id=TASK_ID, status="processing", progress=50))
    display(ep.Task(id=TASK_ID, status="completed", progress=100))
    display.finish()
    assert out.getvalue().count("\r") == 2
    assert "[##########..........]  50%" in out.getvalue()
    assert out.getvalue().endswith("\n")


def test_the_live_progress_line_never_wraps_a_narrow_terminal() -> None:
    out = io.StringIO()
    display = cli.ProgressDisplay(out, live=True, width=50)
    display(ep.Task(id=TASK_ID, status="processing", progress=50))
    display(ep.Task(id=TASK_ID, status="completed", progress=100))
    rows = out.getvalue().split("\r")[1:]
    assert len(rows) == 2
    assert all(0 < len(row) <= 49 for row in rows)


def test_no_key_says_once_how_to_set_it() -> None:
    with pytest.raises(ep.ConfigurationError) as caught:
        ep.PersonaClient(api_key="   ")
    text = str(caught.value)
    assert text.count("EVOLINK_API_KEY") == 1


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (json_reply(400, error_body("invalid_request", "bad")), 5),
        (
            json_reply(400, error_body("invalid_request", "A persona was already created")),
            6,
        ),
        (json_reply(401, error_body("unauthorized", "who")), 7),
        (json_reply(402, error_body("insufficient_quota", "pay")), 8),
        (json_reply(429, error_body("rate_limit_exceeded", "slow"), {"Retry-After": "999"}), 11),
        (json_reply(500, error_body("internal_error", "oops")), 12),
        (httpx.Response(502, text="<html>bad gateway</html>"), 12),
        (httpx.Response(200, text="<html>sign in</html>"), 15),
        (httpx.ReadTimeout("slow"), 14),
        (httpx.RemoteProtocolError("eof"), 13),
    ],
)
def test_each_error_class_has_its_exit_code(
    reply: Any, expected: int, scripted_cli: CliRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["create", "--source-task-id", MUSIC_TASK_ID, "--result-id", RESULT_ID]
    argv += ["--name", "N", "--description", "D"]
    assert scripted_cli(Script(reply), argv) == expected
    assert capsys.readouterr().err.startswith("error: ")


def test_exit_codes_are_distinct_per_error_class() -> None:
    codes = list(cli.EXIT_CODES.values())
    assert len(codes) == len(set(codes))
    assert {0, 2, 130}.isdisjoint(codes)


def test_a_validation_error_lists_violations_in_json(
    scripted_cli: CliRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["create", "--source-task-id", MUSIC_TASK_ID, "--result-id", "nope", "--json"]
    argv += ["--name", "N", "--description", "D", "--vocal-start", "1"]
    assert scripted_cli(Script(), argv) == 4
    error = json.loads(capsys.readouterr().err)["error"]
    assert {v["field"] for v in error["violations"]} == {"result_id", "vocal_end"}


def test_wait_timeout_and_task_failure_exit_codes(
    scripted_cli: CliRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    running = [json_reply(200, task_body("processing", 10))] * 20
    assert scripted_cli(Script(*running), ["wait", TASK_ID, "--wait-timeout", "5"]) == 17
    failed = json_reply(
        200, task_body("failed", 10, error={"code": "service_error", "message": "x"})
    )
    assert scripted_cli(Script(failed), ["wait", TASK_ID]) == 16


def test_key_file_is_read_and_a_missing_file_is_a_configuration_error(
    tmp_path: Path, scripted_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file = tmp_path / "key"
    key_file.write_text(API_KEY + "\n")
    monkeypatch.delenv("EVOLINK_API_KEY")
    assert scripted_cli(Script(DONE), ["task", TASK_ID, "--api-key-file", str(key_file)]) == 0
    assert scripted_cli(Script(), ["task", TASK_ID, "--api-key-file", str(tmp_path / "no")]) == 3


def test_the_key_is_not_a_command_line_option() -> None:
    with pytest.raises(SystemExit):
        cli._parser().parse_args(["task", TASK_ID, "--api-key", "sk-x"])


# Redaction.


def test_the_key_never_shows_in_repr_errors_or_debug_logs(
    fake_time: FakeTime, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    echo = json_reply(401, error_body("unauthorized", f"bad token Bearer {API_KEY}"))
    html = httpx.Response(502, text=f"<p>Authorization: Bearer {API_KEY}</p>")
    script = Script(echo, html, httpx.ConnectError("refused"), httpx.ConnectError("refused"))
    client = make_client(script, fake_time, max_retries=0)
    seen: list[str] = [repr(client), str(client)]
    for _ in range(3):
        with pytest.raises(ep.EvolinkError) as caught:
            client.get_task(TASK_ID)
        error = caught.value
        seen += [str(error), repr(error), repr(vars(error))]
    assert script.requests[0].headers["Authorization"] == f"Bearer {API_KEY}"
    seen += [record.getMessage() for record in caplog.records]
    seen.append(capsys.readouterr().err)
    assert caplog.records, "debug logging should have said something"
    for text in seen:
        assert API_KEY not in text
    with pytest.raises(TypeError):
        pickle.dumps(client._core.key)


def test_the_cli_never_prints_the_key(
    scripted_cli: CliRunner, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    echo = json_reply(401, error_body("unauthorized", f"key {API_KEY} is revoked"))
    assert scripted_cli(Script(echo), ["task", TASK_ID]) == 7
    assert scripted_cli(Script(echo), ["task", TASK_ID, "--json"]) == 7
    captured = capsys.readouterr()
    assert API_KEY not in captured.out + captured.err
    assert all(API_KEY not in r.getMessage() for r in caplog.records)


def test_logging_is_silent_by_default() -> None:
    logger = logging.getLogger("evolink_persona")
    assert any(isinstance(h, logging.NullHandler) for h in logger.handlers)


# The console script, end to end against the embedded mock.


def test_the_console_script_runs_the_demo_with_no_key(tmp_path: Path) -> None:
    pytest.importorskip("evolink_mock")
    script = Path(sys.executable).parent / "evolink-persona"
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVOLINK_")}
    done = subprocess.run(
        [str(script), "demo"], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    # It ends with the songs made with the persona it created from a song it generated.
    assert [line.split()[0] for line in lines[-2:]] == ["result_id", "result_id"]
    assert all(uuid.UUID(line.split()[1]) for line in lines[-2:])
    assert "   persona_id " in done.stdout
    assert "completed 100%" in done.stdout
    assert done.stdout.count("status=completed -> 200") == 2  # both callbacks delivered


def test_create_with_mock_uses_the_embedded_server(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("evolink_mock")
    argv = ["create", "--mock", "--name", "N", "--description", "D", "--json"]
    assert cli.main(argv) == 0
    task = json.loads(capsys.readouterr().out)
    assert task["status"] == "pending"
    assert task["id"].startswith("task-unified-")


def test_a_valid_request_body_reaches_the_wire_once(fake_time: FakeTime) -> None:
    script = Script(json_reply(200, submitted()))
    make_client(script, fake_time).create_persona(**VALID, style="")
    assert script.bodies() == [{"model": "suno-persona", "model_params": VALID}]


def test_text_from_the_service_cannot_send_escape_sequences_to_the_terminal(
    scripted_cli: CliRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    evil = "\x1b]0;owned\x07\x1b[2J"
    songs = json_reply(
        200,
        task_body(
            "completed",
            100,
            result_data=[{"result_id": RESULT_ID, "title": evil}],
            id=MUSIC_TASK_ID,
        ),
    )
    assert scripted_cli(Script(songs), ["songs", MUSIC_TASK_ID]) == 0
    refused = json_reply(400, error_body("invalid_request", f"bad {evil}"))
    assert scripted_cli(Script(refused), ["task", TASK_ID]) == 5
    running = json_reply(200, task_body(f"queued{evil}", 5))
    assert scripted_cli(Script(running, DONE), ["wait", TASK_ID]) == 0
    captured = capsys.readouterr()
    assert "\x1b" not in captured.out + captured.err
    assert "\\x1b]0;owned" in captured.out
    assert "\\x1b[2J" in captured.err


def test_the_key_never_shows_in_cli_json_output_even_when_the_service_echoes_it(
    scripted_cli: CliRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    echoed = json_reply(
        200, task_body("failed", 5, error={"code": "x", "message": f"key {API_KEY}"})
    )
    assert scripted_cli(Script(echoed), ["--json", "task", TASK_ID]) == 0
    assert scripted_cli(Script(echoed), ["wait", TASK_ID, "--json"]) == 16
    assert scripted_cli(Script(echoed), ["wait", TASK_ID]) == 16
    captured = capsys.readouterr()
    assert API_KEY not in captured.out + captured.err
    assert "key ***" in captured.out
