"""``scripts/contract`` against a server that does not answer is a failed run, cause first."""

from __future__ import annotations

import socket
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from contract_tests import live


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port that refuses connections: bound (so no one else takes it), not listening."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def test_an_unreachable_server_fails_the_run_with_the_cause_in_the_first_line(
    closed_port: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(live.KEY_ENV, "sk-contract-unreachable-0000")
    url = f"http://127.0.0.1:{closed_port}"
    assert live.main(["--base-url", url, "--report-dir", str(tmp_path)]) == 1
    printed = capsys.readouterr().out
    first, advice = printed.splitlines()[:2]
    assert first.startswith(f"FAILED: cannot reach {url} (ConnectError")
    assert "no check was run" in first
    assert "check --base-url" in advice
    assert "checks passed" not in printed.split("\n\n")[0]
    assert (tmp_path / "contract-summary.txt").read_text().splitlines()[0] == first
    suite = ET.parse(tmp_path / "contract-junit.xml").getroot()
    assert (suite.get("tests"), suite.get("failures")) == ("1", "1")
    assert "sk-contract-unreachable-0000" not in printed


def test_contract_reports_are_ignored_by_git() -> None:
    ignored = (Path(__file__).parents[1] / ".gitignore").read_text().splitlines()
    assert "contract-report/" in ignored
