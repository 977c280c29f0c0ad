"""Prism 5.16.0, the best-known OpenAPI mock, as the baseline our mock is held against.

Installed on demand from the npm registry into `.bench/prism` (ignored by git), and run
serving the vendor's own persona document, as a user trying Prism would.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
from pathlib import Path

from ._report import ROOT
from ._servers import BENCH_DIR, HOST, ServerProcess, free_port

PRISM_VERSION = "5.16.0"
PRISM_DIR = BENCH_DIR / "prism"
PRISM_BIN = PRISM_DIR / "node_modules" / ".bin" / "prism"
VENDOR_DOCUMENT = ROOT / "openapi" / "upstream" / "suno-persona-creation.yaml"


def installed_version() -> str | None:
    package = PRISM_DIR / "node_modules" / "@stoplight" / "prism-cli" / "package.json"
    if not package.exists():
        return None
    version: str = json.loads(package.read_text())["version"]
    return version


def ensure_prism() -> Path:
    """Prism's executable, installing the pinned version with npm when it is not there.

    Processes that ask at once (test workers on a fresh clone) take turns on a lock file:
    one installs, the others then find it installed, instead of two npm runs writing into
    the same folder and a Prism started from a half-written one.
    """
    PRISM_DIR.mkdir(parents=True, exist_ok=True)
    with (PRISM_DIR.parent / "prism-install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if installed_version() == PRISM_VERSION and PRISM_BIN.exists():
            return PRISM_BIN
        _install()
    return PRISM_BIN


def _install() -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not installed: Prism cannot be installed (apt-get install npm)")
    subprocess.run(  # noqa: S603 - fixed argv, no shell
        [
            npm,
            "install",
            "--prefix",
            str(PRISM_DIR),
            "--no-audit",
            "--no-fund",
            f"@stoplight/prism-cli@{PRISM_VERSION}",
        ],
        check=True,
        timeout=600,
        capture_output=True,
    )


def prism_server(document: Path = VENDOR_DOCUMENT) -> ServerProcess:
    """Prism mocking `document` on a free loopback port (not started yet)."""
    port = free_port()
    argv = [
        str(ensure_prism()),
        "mock",
        "-h",
        HOST,
        "-p",
        str(port),
        "--errors",
        "false",
        "-v",
        "error",
        str(document),
    ]
    return ServerProcess(argv, port, name="prism", ready_within=120.0)
