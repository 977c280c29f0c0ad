"""Shared paths for the tests of the spec pipeline (merge, regeneration, drift check)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"
if str(SCRIPTS) not in sys.path:
    sys.path.insert(0, str(SCRIPTS))

# What scripts/regenerate reads and writes: enough of the project to run it elsewhere (the
# SDK's sync client is written from its async one).
PIPELINE_PARTS = ("openapi", "scripts", "generated_client", "wrapper")


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A copy of the spec pipeline's files, to change without touching the checkout."""
    for part in PIPELINE_PARTS:
        shutil.copytree(
            ROOT / part,
            tmp_path / part,
            ignore=shutil.ignore_patterns("__pycache__", ".*cache"),
        )
    return tmp_path


@pytest.fixture
def repo_root() -> Path:
    """The checkout under test."""
    return ROOT


@pytest.fixture
def run_regenerate() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run a copy's scripts/regenerate.py with this environment's Python and tools."""

    def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(root / "scripts" / "regenerate.py"), *args],
            capture_output=True,
            text=True,
            check=False,
            cwd=root,
        )

    return run
