"""The contract runner's reports never show the key, in any spelling, even cut short.

A hostile server answers every refusal probe with a body quoting the key as is, JSON-escaped
and URL-encoded, the first copy placed across the 300-character cut of a failure text.
"""

from __future__ import annotations

import re
import threading
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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


class _EchoingServer(BaseHTTPRequestHandler):
    """A server that answers everything with a 500 quoting the key in every spelling."""

    def _answer(self) -> None:
        body = _echo_the_key(httpx.Request(self.command, self.path)).content
        self.send_response(500)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def hostile_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EchoingServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_reports_mask_every_spelling_of_the_key_before_cutting(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    hostile_url: str,
) -> None:
    def hostile_run(args: object, api_key: str, full: bool) -> tuple[list[object], list[str]]:
        return list(run_refusals(hostile_url, api_key)), []

    monkeypatch.setattr(live, "_run", hostile_run)  # the refusal probes only, not schemathesis
    monkeypatch.setenv(live.KEY_ENV, KEY)
    argv = ["--base-url", hostile_url, "--safe", "--report-dir", str(tmp_path)]
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
