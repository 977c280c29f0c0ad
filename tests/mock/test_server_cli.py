"""The standalone command: its help names a runnable command and every default, --quiet."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time

import pytest
from evolink_mock import server


def test_usage_names_a_runnable_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        server.main(["--help"])
    assert exited.value.code == 0
    usage = capsys.readouterr().out
    assert usage.startswith("usage: python -m evolink_mock ")
    assert "--persona-duration" in usage


def test_help_shows_every_default_and_that_keys_are_printed_at_start(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        server.main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "At start it prints its users with their API keys" in text
    for option in ("--port", "--persona-duration", "--rate-limit", "--retention-seconds"):
        assert f"{option} " in text
    assert text.count("(default: ") >= 16


def _connect(port: int) -> socket.socket:
    """Connect once uvicorn listens (the banner is printed just before), within 10 s."""
    for _ in range(200):
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=10)
        except ConnectionRefusedError:
            time.sleep(0.05)
    raise AssertionError(f"the mock never listened on port {port}")


def _serve_and_send_garbage(*flags: str) -> str:
    """Run the standalone mock, send it bytes that are no HTTP, stop it; what it printed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "evolink_mock", "--port", "0", *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        port = int(first.rsplit(":", 1)[1])
        with _connect(port) as sock:
            sock.sendall(b"\x16\x03\x01 this is no HTTP\r\n\r\n")
            while sock.recv(4096):  # the server answers 400 and closes, after logging
                pass
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=20)
    return output


def test_quiet_silences_the_http_servers_warnings_about_malformed_requests() -> None:
    assert "Invalid HTTP request received" in _serve_and_send_garbage()
    assert "Invalid HTTP request received" not in _serve_and_send_garbage("--quiet")
