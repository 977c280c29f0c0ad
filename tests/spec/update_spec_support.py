"""What the tests of scripts/update-spec share: the test data and a copy of the project."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
HISTORY = DATA / "vendor-history"
PAGE = DATA / "vendor-pages" / "suno-persona-creation.md"
MUSIC = DATA / "vendor" / "suno-music-generation.json"
PERSONA_OLD = HISTORY / "suno-persona-creation.2026-03-23.json"
PERSONA_NEW = HISTORY / "suno-persona-creation.2026-08-02.json"
PINNED = ROOT / "openapi" / "upstream" / "suno-persona-creation.yaml"
# Enough of the project for the command: the spec pipeline and the parts a report names.
PROJECT_PARTS = (
    "openapi",
    "scripts",
    "generated_client",
    "wrapper",
    "mock_server",
    "contract_tests",
)


def copy_project(destination: Path) -> Path:
    for part in PROJECT_PARTS:
        shutil.copytree(
            ROOT / part, destination / part, ignore=shutil.ignore_patterns("__pycache__", ".*cache")
        )
    return destination


def tree_digest(root: Path) -> dict[str, str]:
    """Every file of a project copy and its sha256: equal digests, untouched tree."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }
