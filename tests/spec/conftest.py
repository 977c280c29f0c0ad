"""Shared paths for the tests of the spec pipeline (merge, regeneration, drift check)."""

from __future__ import annotations

import contextlib
import io
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
    """Run scripts/regenerate against a copy, in this process, as its command line would.

    In process, a worker imports the generator and the validator once for all its runs
    instead of once a run (about 1.5 s each). The command itself runs in the gate's
    drift check and in test_update_spec_history.
    """
    import regenerate

    def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = regenerate.main(list(args), root=root)
            except SystemExit as exc:  # argparse's refusals
                code = exc.code if isinstance(exc.code, int) else 1
        return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())

    return run
