"""The control API stays closed to other hosts: proxy headers ignored, no public token off-host."""

from __future__ import annotations

import contextlib
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from evolink_mock import DEFAULT_ADMIN_TOKEN, MockConfig, create_app, serve_in_thread
from evolink_mock.server import _serving, admin_token_for, is_loopback, main


@contextlib.contextmanager
def _served_on_a_unix_socket() -> Iterator[httpx.Client]:
    """A mock behind a Unix socket: its peers have no loopback address, like remote ones."""
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "mock.sock")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(path)
        try:
            with (
                _serving(create_app(MockConfig()), sock),
                httpx.Client(
                    transport=httpx.HTTPTransport(uds=path), base_url="http://mock", timeout=10
                ) as client,
            ):
                yield client
        finally:
            sock.close()


def test_a_spoofed_forwarded_for_does_not_open_the_control_api(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "*")  # as many container images set it
    spoofed = {"X-Forwarded-For": "127.0.0.1", "X-Mock-Admin-Token": DEFAULT_ADMIN_TOKEN}
    with _served_on_a_unix_socket() as client:
        state = client.get("/_mock/state", headers=spoofed)
        quota = client.post("/_mock/quota", headers=spoofed, json={"user": "x", "credits": 1e9})
    assert state.status_code == 403
    assert quota.status_code == 403


def test_the_peer_address_decides_even_when_forwarded_for_names_another(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "*")
    headers = {"X-Forwarded-For": "203.0.113.9", "X-Mock-Admin-Token": DEFAULT_ADMIN_TOKEN}
    with serve_in_thread() as live, httpx.Client(base_url=live.base_url, timeout=10) as client:
        assert client.get("/_mock/state", headers=headers).status_code == 200


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "mock.example"])
def test_off_loopback_the_default_admin_token_is_refused(host: str) -> None:
    with pytest.raises(ValueError, match="default admin token"):
        admin_token_for(host, DEFAULT_ADMIN_TOKEN)
    with pytest.raises(ValueError, match="default admin token"), serve_in_thread(host=host):
        pass


def test_off_loopback_no_token_means_a_random_one() -> None:
    drawn = {admin_token_for("0.0.0.0", None) for _ in range(3)}
    assert len(drawn) == 3
    assert DEFAULT_ADMIN_TOKEN not in drawn
    assert admin_token_for("0.0.0.0", "my-own-token") == "my-own-token"


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "127.0.0.2"])
def test_on_loopback_the_default_token_stays(host: str) -> None:
    assert is_loopback(host)
    assert admin_token_for(host, None) == DEFAULT_ADMIN_TOKEN


def test_the_command_refuses_the_default_token_off_loopback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--host", "0.0.0.0", "--admin-token", DEFAULT_ADMIN_TOKEN, "--port", "0"]) == 2
    assert "default admin token" in capsys.readouterr().err
