"""``scripts/contract``'s entry against a standalone mock on loopback: it runs, and its
reports name every check with its result, in full and in safe mode."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from evolink_mock import MockConfig, serve_in_thread
from evolink_mock import fixtures as mock_fixtures

from contract_tests import live
from contract_tests.probing import SERVER_ANSWERS, all_checks
from contract_tests.refusals import REFUSALS


def _expected_names() -> set[str]:
    names = {check.__name__ for check in all_checks()} | {probe.name for probe in REFUSALS}
    return names | {SERVER_ANSWERS}


@pytest.mark.parametrize("mode", ["--full", "--safe"])
def test_live_runner_reports_every_check_against_a_loopback_mock(
    mode: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve_in_thread(MockConfig(rate_limit=0)) as mock:
        monkeypatch.setenv(live.KEY_ENV, mock_fixtures.DEMO_API_KEY)
        monkeypatch.setenv(live.SECOND_KEY_ENV, mock_fixtures.SECOND_API_KEY)
        monkeypatch.setenv(live.ADMIN_TOKEN_ENV, mock.admin_token)
        argv = [
            "--base-url",
            mock.base_url,
            mode,
            "--examples",
            "10",
            "--report-dir",
            str(tmp_path),
        ]
        argv += ["--task-id", mock_fixtures.DEMO_MUSIC_TASK_ID]
        code = live.main(argv)
    summary = (tmp_path / "contract-summary.txt").read_text()
    suite = ET.parse(tmp_path / "contract-junit.xml").getroot()
    reported = {case.get("name") for case in suite.iter("testcase")}
    assert code == 0, summary
    assert reported == _expected_names()
    for name in _expected_names():
        assert f"PASS  {name} " in summary
    assert suite.get("failures") == "0"
    assert mock_fixtures.DEMO_API_KEY not in summary + capsys.readouterr().out


def test_live_runner_defaults_to_safe_mode_off_loopback() -> None:
    assert live.is_loopback("http://127.0.0.1:8000")
    assert live.is_loopback("http://localhost:8000")
    assert not live.is_loopback("https://api.evolink.ai")


def test_live_runner_fails_and_names_the_check_when_a_refusal_is_accepted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve_in_thread(MockConfig(rate_limit=0)) as mock:
        monkeypatch.setattr(mock.service, "authenticate", lambda key: mock_fixtures.DEMO_USER_ID)
        monkeypatch.setenv(live.KEY_ENV, mock_fixtures.DEMO_API_KEY)
        argv = ["--base-url", mock.base_url, "--safe", "--examples", "5"]
        code = live.main([*argv, "--report-dir", str(tmp_path)])
    summary = (tmp_path / "contract-summary.txt").read_text()
    assert code == 1
    assert "FAIL  refuses_an_unknown_token" in summary
    assert "FAIL  refuses_a_missing_token" not in summary  # no header at all is still refused


def test_live_runner_says_what_a_bare_loopback_run_did_not_exercise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's bare command against a standalone mock: full mode by default, but with
    no admin token there are no fresh songs, and with no second key nobody re-reads a task;
    the report says so instead of counting responses those checks never judged."""
    monkeypatch.delenv(live.SECOND_KEY_ENV, raising=False)
    monkeypatch.delenv(live.ADMIN_TOKEN_ENV, raising=False)
    with serve_in_thread(MockConfig(rate_limit=0)) as mock:
        monkeypatch.setenv(live.KEY_ENV, mock_fixtures.DEMO_API_KEY)
        argv = ["--base-url", mock.base_url, "--examples", "5", "--report-dir", str(tmp_path)]
        code = live.main(argv)
    summary = (tmp_path / "contract-summary.txt").read_text()
    suite = ET.parse(tmp_path / "contract-junit.xml").getroot()
    assert code == 0, summary
    assert "(full mode)" in summary
    assert f"note: {live.NO_FRESH_SONGS}" in summary
    assert f"note: {live.NO_SECOND_READS}" in summary
    name = "other_user_cannot_read_task"
    line = next(
        ln for ln in summary.splitlines() if ln.split()[:2] in (["PASS", name], ["FAIL", name])
    )
    assert line.split() == [
        "PASS",
        "other_user_cannot_read_task",
        "not",
        "exercised,",
        "0",
        "failed",
    ]
    skipped = [
        case.get("name") for case in suite.iter("testcase") if case.find("skipped") is not None
    ]
    assert skipped == ["other_user_cannot_read_task"]
    assert suite.get("skipped") == "1"


def test_live_runner_counts_the_reads_the_second_user_repeated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve_in_thread(MockConfig(rate_limit=0)) as mock:
        monkeypatch.setenv(live.KEY_ENV, mock_fixtures.DEMO_API_KEY)
        monkeypatch.setenv(live.SECOND_KEY_ENV, mock_fixtures.SECOND_API_KEY)
        monkeypatch.setenv(live.ADMIN_TOKEN_ENV, mock.admin_token)
        argv = ["--base-url", mock.base_url, "--full", "--examples", "5"]
        argv += ["--task-id", mock_fixtures.DEMO_MUSIC_TASK_ID, "--report-dir", str(tmp_path)]
        code = live.main(argv)
    summary = (tmp_path / "contract-summary.txt").read_text()
    assert code == 0, summary
    assert "note:" not in summary
    name = "other_user_cannot_read_task"
    line = next(
        ln for ln in summary.splitlines() if ln.split()[:2] in (["PASS", name], ["FAIL", name])
    )
    judged = int(line.split()[2])
    assert 0 < judged <= 5, line
