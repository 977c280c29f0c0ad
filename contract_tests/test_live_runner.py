"""``scripts/contract``'s entry against a standalone mock on loopback: it runs, and its
reports name every check with its result, in full and in safe mode."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest
import requests
from evolink_mock import MockConfig, serve_in_thread
from evolink_mock import fixtures as mock_fixtures

from contract_tests import live
from contract_tests.follow import LIFECYCLE_CHECKS
from contract_tests.live_differential import SDK_AND_SERVER_AGREE
from contract_tests.live_music import CALLBACK_BODY, CALLBACK_ONCE, MUSIC_AGREE
from contract_tests.live_mutants import LIVE_MUTANTS
from contract_tests.probing import SERVER_ANSWERS, all_checks
from contract_tests.proxies import Exchange, Reply, Upstream, serve_proxy
from contract_tests.refusals import REFUSALS
from contract_tests.song_rule import ONE_PERSONA_PER_SONG

#: Persona tasks that end in half a second, no rate limit: a run follows them quickly.
_QUICK = MockConfig(
    rate_limit=0, persona_duration=0.5, music_duration=0.5, seed=3, callback_mode="test"
)
#: Small budgets: these tests are about the runner's wiring, not about finding faults.
_SMALL = ["--examples", "5", "--differential-cases", "2", "--poll-interval", "0.1"]


def _expected_names() -> set[str]:
    names = {check.__name__ for check in all_checks()} | {probe.name for probe in REFUSALS}
    added = {SERVER_ANSWERS, ONE_PERSONA_PER_SONG, SDK_AND_SERVER_AGREE, live.RUNNER_FINISHED}
    music = {MUSIC_AGREE, CALLBACK_ONCE, CALLBACK_BODY}
    return names | added | music | set(LIFECYCLE_CHECKS)


@pytest.mark.parametrize("mode", ["--full", "--safe"])
def test_live_runner_reports_every_check_against_a_loopback_mock(
    mode: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve_in_thread(_QUICK) as mock:
        monkeypatch.setenv(live.KEY_ENV, mock_fixtures.DEMO_API_KEY)
        monkeypatch.setenv(live.SECOND_KEY_ENV, mock_fixtures.SECOND_API_KEY)
        monkeypatch.setenv(live.ADMIN_TOKEN_ENV, mock.admin_token)
        argv = ["--base-url", mock.base_url, mode, *_SMALL, "--report-dir", str(tmp_path)]
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
    # Music is judged in both modes; callbacks need a paid creation, so full mode only.
    lines = {line.split()[1]: line for line in summary.splitlines() if line[:4] in ("PASS", "FAIL")}
    assert "not exercised" not in lines[MUSIC_AGREE]
    for name in (CALLBACK_ONCE, CALLBACK_BODY):
        assert ("not exercised" in lines[name]) == (mode == "--safe"), lines[name]


def test_live_runner_defaults_to_safe_mode_off_loopback() -> None:
    assert live.is_loopback("http://127.0.0.1:8000")
    assert live.is_loopback("http://localhost:8000")
    assert not live.is_loopback("https://api.evolink.ai")


def test_live_runner_fails_and_names_the_check_when_a_refusal_is_accepted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve_in_thread(_QUICK) as mock:
        monkeypatch.setattr(mock.service, "authenticate", lambda key: mock_fixtures.DEMO_USER_ID)
        monkeypatch.setenv(live.KEY_ENV, mock_fixtures.DEMO_API_KEY)
        argv = ["--base-url", mock.base_url, "--safe", *_SMALL]
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
    with serve_in_thread(_QUICK) as mock:
        monkeypatch.setenv(live.KEY_ENV, mock_fixtures.DEMO_API_KEY)
        argv = ["--base-url", mock.base_url, *_SMALL, "--report-dir", str(tmp_path)]
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


def test_the_second_user_reads_each_task_once_in_each_status_it_is_seen_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve_in_thread(_QUICK) as mock:
        monkeypatch.setenv(live.KEY_ENV, mock_fixtures.DEMO_API_KEY)
        monkeypatch.setenv(live.SECOND_KEY_ENV, mock_fixtures.SECOND_API_KEY)
        monkeypatch.setenv(live.ADMIN_TOKEN_ENV, mock.admin_token)
        argv = ["--base-url", mock.base_url, "--full", *_SMALL]
        argv += ["--task-id", mock_fixtures.DEMO_MUSIC_TASK_ID, "--report-dir", str(tmp_path)]
        code = live.main(argv)
        log = mock.service.requests()
    summary = (tmp_path / "contract-summary.txt").read_text()
    assert code == 0, summary
    assert "note:" not in summary
    name = "other_user_cannot_read_task"
    line = next(
        ln for ln in summary.splitlines() if ln.split()[:2] in (["PASS", name], ["FAIL", name])
    )
    judged = int(line.split()[2])
    reads = [r for r in log if r.method == "GET" and r.path.startswith("/v1/tasks/")]
    owner = Counter(
        r.path for r in reads if r.user_id == mock_fixtures.DEMO_USER_ID and r.status == 200
    )
    second = Counter(r.path for r in reads if r.user_id == mock_fixtures.SECOND_USER_ID)
    # The tally counts exactly the second user's reads, each refused.
    assert judged == sum(second.values())
    assert {r.status for r in reads if r.user_id == mock_fixtures.SECOND_USER_ID} == {403}
    # Each task was tried as the second user at most once per status it passed through
    # (pending, processing, an end), though the owner read the tasks it followed many times;
    # and every task the run created and followed was tried.
    created = next(ln for ln in summary.splitlines() if "created_tasks_end_by_the_deadline" in ln)
    assert set(second) <= set(owner)
    assert len(second) >= int(created.split()[2]) > 0, created
    assert all(second[path] <= 3 for path in second), second
    assert sum(second.values()) < sum(owner.values())


def _no_control_api(exchange: Exchange, upstream: Upstream) -> Reply:
    """A server that is not the mock: its ``/_mock/`` paths are unknown."""
    if exchange.path.startswith("/_mock/"):
        return Reply(404, (("Content-Type", "application/json"),), b'{"error": "not found"}')
    return upstream.forward(exchange)


def test_live_runner_without_a_control_api_says_so_and_still_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The admin token set against a server that has no control API (Prism, a staging):
    the runner goes on without fresh songs, says why in a note, and writes its report."""
    with serve_in_thread(_QUICK) as mock, serve_proxy(mock.base_url, _no_control_api) as proxy:
        monkeypatch.setenv(live.KEY_ENV, mock_fixtures.DEMO_API_KEY)
        monkeypatch.setenv(live.ADMIN_TOKEN_ENV, mock.admin_token)
        argv = ["--base-url", proxy, "--full", *_SMALL, "--report-dir", str(tmp_path)]
        code = live.main(argv)
    summary = (tmp_path / "contract-summary.txt").read_text()
    assert (tmp_path / "contract-junit.xml").exists()
    assert f"note: {live.ADMIN_TOKEN_ENV} is set, but this is not the mock's control API" in summary
    assert "/_mock/state answered 404" in summary
    assert f"note: {live.NO_FRESH_SONGS}" in summary
    assert code == 0, summary
    assert mock.admin_token not in summary


def test_live_runner_stops_sending_when_its_budget_is_spent_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve_in_thread(_QUICK) as mock:
        monkeypatch.setenv(live.KEY_ENV, mock_fixtures.DEMO_API_KEY)
        argv = ["--base-url", mock.base_url, "--safe", *_SMALL, "--run-budget", "0"]
        outcome = live.run([*argv, "--report-dir", str(tmp_path)])
    assert not isinstance(outcome, int)
    found, _ = outcome
    assert any(note.startswith("the run budget of 0 s ran out") for note in found.notes)
    judged = {t.name: t.judged for t in found.tallies}
    assert judged["not_a_server_error"] == 0
    assert judged[SDK_AND_SERVER_AGREE] == 0


def test_live_differential_flags_a_server_that_accepts_a_31s_window(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Full mode sends the boundary requests with fresh songs: a 31 s window accepted is a
    disagreement with the SDK (safe mode's refusal probe names the same fault)."""
    mutant = next(m for m in LIVE_MUTANTS if m.name == "window_up_to_31s")
    with (
        serve_in_thread(_QUICK) as mock,
        serve_proxy(mock.base_url, mutant.make_rule(), admin_token=mock.admin_token) as proxy,
    ):
        monkeypatch.setenv(live.KEY_ENV, mock_fixtures.DEMO_API_KEY)
        monkeypatch.setenv(live.ADMIN_TOKEN_ENV, mock.admin_token)
        argv = ["--base-url", proxy, "--full", *_SMALL, "--report-dir", str(tmp_path)]
        outcome = live.run(argv)
    assert not isinstance(outcome, int)
    found, _ = outcome
    differential = next(t for t in found.tallies if t.name == SDK_AND_SERVER_AGREE)
    assert not differential.passed
    assert "SDK refuses: vocal_end" in (differential.first_failure or "")


def _songs_fail(exchange: Exchange, upstream: Upstream) -> Reply:
    """A control API that answers its state but fails to make songs."""
    if exchange.path.startswith("/_mock/music-tasks"):
        return Reply(500, (("Content-Type", "text/plain"),), b"broken")
    return upstream.forward(exchange)


def test_live_runner_reports_a_part_that_stopped_and_still_writes_its_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve_in_thread(_QUICK) as mock, serve_proxy(mock.base_url, _songs_fail) as proxy:
        monkeypatch.setenv(live.KEY_ENV, mock_fixtures.DEMO_API_KEY)
        monkeypatch.setenv(live.ADMIN_TOKEN_ENV, mock.admin_token)
        argv = ["--base-url", proxy, "--full", *_SMALL, "--report-dir", str(tmp_path)]
        code = live.main(argv)
    summary = (tmp_path / "contract-summary.txt").read_text()
    assert code == 1
    assert f"FAIL  {live.RUNNER_FINISHED}" in summary
    assert "persona creations stopped: HTTPStatusError" in summary
    assert f"PASS  {SERVER_ANSWERS}" in summary  # the parts that could run, ran


def test_live_runner_notes_callbacks_not_exercised_when_the_server_refuses_loopback_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    strict = MockConfig(rate_limit=0, persona_duration=0.5, music_duration=0.5, seed=3)
    with serve_in_thread(strict) as mock:
        monkeypatch.setenv(live.KEY_ENV, mock_fixtures.DEMO_API_KEY)
        monkeypatch.setenv(live.ADMIN_TOKEN_ENV, mock.admin_token)
        argv = ["--base-url", mock.base_url, "--full", *_SMALL, "--report-dir", str(tmp_path)]
        outcome = live.run(argv)
    assert not isinstance(outcome, int)
    found, _ = outcome
    tallies = {t.name: t for t in found.tallies}
    assert found.passed
    assert tallies[CALLBACK_ONCE].judged == tallies[CALLBACK_BODY].judged == 0
    assert any("callback_url was refused" in note for note in found.notes), found.notes
    assert tallies[MUSIC_AGREE].judged > 0


@pytest.mark.parametrize("verify", [True, None, False, "/etc/given-ca.pem"])
@pytest.mark.parametrize(
    "url", ["https://api.example/v1/tasks/a", "https://bypassed.example/x", "http://api.example/"]
)
def test_the_runs_session_settles_each_request_as_requests_does_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, url: str, verify: bool | str | None
) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "bypassed.example")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    ours = live._RunSession()
    for _ in range(2):  # the second answer comes from what the first one found
        settled = ours.merge_environment_settings(url, {}, None, verify, None)
        assert settled == requests.Session().merge_environment_settings(url, {}, None, verify, None)
    if verify is True and "bypassed" not in url:
        assert settled["verify"] == str(bundle)
