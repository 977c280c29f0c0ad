"""The drift check bites: any change to openapi/ that was not regenerated fails, by name."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

RunRegenerate = Callable[..., subprocess.CompletedProcess[str]]


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def _digest_tree(root: Path) -> dict[str, str]:
    parts = [root / "openapi" / "evolink_openapi", root / "generated_client"]
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for part in parts
        for p in sorted(part.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and ".ruff_cache" not in p.parts
    }


def test_an_untouched_copy_has_no_drift_whatever_path_says(
    project_copy: Path, run_regenerate: RunRegenerate, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No ruff on PATH: the generator's post-hooks and the formatting still find the pinned
    # one (a hook that named plain `ruff` would be skipped with a warning, which fails).
    monkeypatch.setenv("PATH", str(project_copy / "no-tools-here"))
    result = run_regenerate(project_copy, "--check")
    assert result.returncode == 0, result.stderr
    assert "no drift" in result.stdout


def test_an_added_optional_field_is_named_in_the_drift(
    project_copy: Path, run_regenerate: RunRegenerate
) -> None:
    _replace(
        project_copy / "openapi" / "project" / "additions.yaml",
        "        tags:\n          type: string\n",
        "        lyrics:\n          type: string\n        tags:\n          type: string\n",
    )
    result = run_regenerate(project_copy, "--check")
    assert result.returncode == 1
    assert "generated_client/evolink_api/models/music_song.py" in result.stderr
    assert "+        lyrics:" in result.stderr  # the merged document's diff
    assert "lyrics" in result.stderr.split("Run scripts/regenerate")[0]


def test_a_removed_status_code_is_named_in_the_drift(
    project_copy: Path, run_regenerate: RunRegenerate
) -> None:
    task_detail = project_copy / "openapi" / "project" / "task-detail.yaml"
    text = task_detail.read_text("utf-8")
    start = text.index("        '403':")
    end = text.index("        '404':")
    task_detail.write_text(text[:start] + text[end:], "utf-8")
    result = run_regenerate(project_copy, "--check")
    assert result.returncode == 1
    assert "generated_client/evolink_api/api/task_management/get_task_detail.py" in result.stderr
    assert "-    if response.status_code == 403:" in result.stderr


def test_an_edited_upstream_document_fails_on_its_pin(
    project_copy: Path, run_regenerate: RunRegenerate
) -> None:
    upstream = project_copy / "openapi" / "upstream" / "suno-persona-creation.yaml"
    # One added byte, whichever form (YAML or JSON) the vendor's document is kept in.
    upstream.write_bytes(upstream.read_bytes() + b"\n")
    result = run_regenerate(project_copy, "--check")
    assert result.returncode == 1
    assert "suno-persona-creation.yaml changed" in result.stderr
    assert "--repin" in result.stderr


def test_a_contradiction_between_documents_fails_the_merge(
    project_copy: Path, run_regenerate: RunRegenerate
) -> None:
    indent = 14 * " "
    code = f"{indent[2:]}code:\n{indent}type: {{}}\n{indent}description: Error code identifier"
    _replace(
        project_copy / "openapi" / "project" / "task-detail.yaml",
        code.format("string"),
        code.format("integer"),
    )
    result = run_regenerate(project_copy, "--check")
    assert result.returncode == 1
    assert "merge conflict at /components/schemas/ErrorResponse" in result.stderr
    assert "openapi/upstream/suno-persona-creation.yaml says 'string'" in result.stderr


def test_regenerating_twice_reproduces_the_committed_files_byte_for_byte(
    project_copy: Path, run_regenerate: RunRegenerate, repo_root: Path
) -> None:
    committed = _digest_tree(repo_root)
    for _ in range(2):
        result = run_regenerate(project_copy)
        assert result.returncode == 0, result.stderr
        assert _digest_tree(project_copy) == committed
