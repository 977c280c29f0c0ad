"""The contract runner's reports never show the key, in any spelling, even cut short.

A hostile server answers every refusal probe with a body quoting the key as is, JSON-escaped
and URL-encoded, the first copy placed across the 300-character cut of a failure text.
"""

from __future__ import annotations

import re
import urllib.parse
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest

from contract_tests import live
from contract_tests.refusals import run_refusals

KEY = "sk-Ab/cd+EF=gh/IJ+kl=="
SPELLINGS = [
    KEY,
    KEY.replace("/", "\\/"),
    "\\u0073" + KEY[1:],
    urllib.parse.quote(KEY, safe=""),
]


def _undo_spellings(text: str) -> str:
    text = re.sub(r"\\+u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), text)
    return urllib.parse.unquote(re.sub(r"\\+/", "/", text))


def _echo_the_key(request: httpx.Request) -> httpx.Response:
    filler = "x" * (300 - 8)  # the key starts 8 characters before the 300-character cut
    return httpx.Response(500, text=filler + " ".join(SPELLINGS))


def test_the_reports_mask_every_spelling_of_the_key_before_cutting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def hostile_run(args: object, api_key: str, full: bool) -> tuple[list[object], list[str]]:
        return list(run_refusals("http://127.0.0.1:9", api_key, send=_echo_the_key)), []

    monkeypatch.setattr(live, "_run", hostile_run)
    monkeypatch.setenv(live.KEY_ENV, KEY)
    argv = ["--base-url", "http://127.0.0.1:9", "--safe", "--report-dir", str(tmp_path)]
    assert live.main(argv) == 1
    summary = (tmp_path / "contract-summary.txt").read_text()
    junit = (tmp_path / "contract-junit.xml").read_text()
    failures = [
        case.find("failure") for case in ET.parse(tmp_path / "contract-junit.xml").iter("testcase")
    ]
    assert any(f is not None and "x" * 50 in (f.text or "") for f in failures)  # body quoted
    for text in (summary, junit, capsys.readouterr().out):
        shown = _undo_spellings(text)
        assert KEY[:8] not in shown  # not even the start of a key cut short
