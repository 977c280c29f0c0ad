"""scripts/update-spec taking the vendor's real history into a copy of the project.

Each test here regenerates the client (about a second each), so they are few and
each proves several things. The fast tests are in test_update_spec.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import update_spec

from tests.spec.update_spec_support import HISTORY, copy_project, tree_digest

RunRegenerate = Callable[..., subprocess.CompletedProcess[str]]

PERSONA = "openapi/upstream/suno-persona-creation.yaml"
PINS = "openapi/upstream/pins.toml"
MERGED = "openapi/evolink_openapi/evolink-persona.yaml"
MODELS = "generated_client/evolink_api/models"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def take(project: Path, source: Path, *options: str) -> tuple[int, dict[str, Any]]:
    """Run the command in-process against the copy; return its exit code and JSON report."""
    report = project.parent / "report.json"
    report.unlink(missing_ok=True)
    code = update_spec.main([str(source), "--json", str(report), *options], root=project)
    return code, json.loads(report.read_text("utf-8")) if report.exists() else {}


def changed_files(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


def test_taking_the_persona_history_in_order_pins_regenerates_and_reports_user_group(
    project: Path, capsys: pytest.CaptureFixture[str], run_regenerate: RunRegenerate
) -> None:
    first = HISTORY / "suno-persona-creation.2026-03-23.json"
    second = HISTORY / "suno-persona-creation.2026-08-02.json"

    # Start the copy at the first published version, whatever the project pins today.
    code, _ = take(project, first)
    assert code == 0
    assert (project / PERSONA).read_bytes() == first.read_bytes()
    start = tree_digest(project)
    capsys.readouterr()

    # --check: the upstream moved, the report says how, and nothing is written.
    code, report = take(project, second, "--check")
    assert code == update_spec.EXIT_FLAGGED
    assert "the upstream of openapi/upstream/suno-persona-creation.yaml moved" in (
        capsys.readouterr().err
    )
    assert report["counts"]["needs attention"] == 2  # the vendor's and the merged document's
    code, _ = take(project, second, "--check", "--fail-on", "breaking")
    assert code == update_spec.EXIT_OK  # moved, but nothing breaking to gate on
    assert tree_digest(project) == start

    # Taking 2026-08-02: the user_group enum was dropped.
    code, report = take(project, second)
    assert code == 0
    assert "response-property-enum-removed" in capsys.readouterr().out
    vendor, merged = report["sections"]
    assert [(c["level"], c["rule"]) for c in vendor["changes"]] == [
        ("needs attention", "response-property-enum-removed"),
        ("compatible", "description-changed"),
    ]
    assert [(c["level"], c["rule"]) for c in merged["changes"]] == [
        ("needs attention", "response-property-enum-removed"),
        ("compatible", "description-changed"),
        ("compatible", "info-changed"),  # x-merged-from names the new sha256
    ]
    enum_change = merged["changes"][0]
    assert enum_change["pointer"] == "/components/schemas/Usage/properties/user_group/enum"
    assert enum_change["touches"] == [
        "generated client: models/usage.py, models/usage_user_group.py",
        "SDK models (wrapper/evolink_persona/_models.py: names `user_group`)",
    ]
    assert report["generated_files"] == [
        {"status": "modified", "path": MERGED},
        {"status": "modified", "path": f"{MODELS}/__init__.py"},
        {"status": "modified", "path": f"{MODELS}/usage.py"},
        {"status": "removed", "path": f"{MODELS}/usage_user_group.py"},
    ]
    # Only the pin, the upstream file and the derived files moved.
    assert changed_files(start, tree_digest(project)) == {
        PERSONA,
        PINS,
        MERGED,
        f"{MODELS}/__init__.py",
        f"{MODELS}/usage.py",
        f"{MODELS}/usage_user_group.py",
    }
    assert (project / PERSONA).read_bytes() == second.read_bytes()
    pin = tomllib.loads((project / PINS).read_text("utf-8"))["files"]["suno-persona-creation.yaml"]
    assert pin["sha256"] == report["sha256"]
    assert pin["source"] == str(second)
    assert (pin["published"], pin["format"]) == ("2026-08-02", "json")
    assert pin["operation"] == "POST /v1/audios/generations (createSunoPersona)"

    # The copy is consistent: the drift check of its own scripts finds nothing.
    drift = run_regenerate(project, "--check")
    assert drift.returncode == 0, drift.stderr

    # Taking the same document again changes nothing.
    code, _ = take(project, second)
    assert code == 0
    assert "the upstream has not moved" in capsys.readouterr().out


def _unpinned_version(tmp_path: Path) -> Path:
    """The newest persona document in bytes no version pins (re-indented): always a move."""
    document = json.loads((HISTORY / "suno-persona-creation.2026-08-02.json").read_text("utf-8"))
    source = tmp_path / "suno-persona-creation.json"
    source.write_text(json.dumps(document, indent=2), "utf-8")
    return source


def test_a_failed_regeneration_leaves_the_project_exactly_as_it_was(
    project: Path, tmp_path: Path
) -> None:
    (project / "scripts" / "openapi-python-client.yaml").write_text("literal_enums: [\n", "utf-8")
    before = tree_digest(project)
    result = subprocess.run(
        [
            sys.executable,
            str(project / "scripts" / "update_spec.py"),
            str(_unpinned_version(tmp_path)),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=project,
    )
    assert result.returncode == update_spec.EXIT_REFUSED
    assert "regeneration failed, so nothing was taken" in result.stderr
    assert "Unable to parse config" in result.stderr
    assert "Traceback" not in result.stderr
    assert tree_digest(project) == before


def test_a_failure_while_writing_puts_every_file_back(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = tree_digest(project)
    package = project / "generated_client" / "evolink_api"

    class DiskFillsUp:
        """shutil, except that writing the new generated package runs out of space midway."""

        def __getattr__(self, name: str) -> Any:
            return getattr(shutil, name)

        def copytree(self, src: Path, dst: Path, **kwargs: Any) -> Any:
            result = shutil.copytree(src, dst, **kwargs)
            if Path(dst) == package and "built" in Path(src).parts:
                raise OSError(28, "No space left on device")
            return result

    monkeypatch.setattr("update_spec.shutil", DiskFillsUp())
    with pytest.raises(OSError, match="No space left"):
        update_spec.main([str(_unpinned_version(tmp_path))], root=project)
    assert tree_digest(project) == before


def test_taking_a_music_generation_update_repins_only_the_music_document(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two vendor documents share one operation; an update of one moves only its own pin."""
    music = project / "openapi" / "upstream" / "suno-music-generation.yaml"
    document = json.loads(music.read_text("utf-8"))
    schema = document["components"]["schemas"]["SunoMusicGenerationRequest"]
    schema["properties"]["duration"]["maximum"] = 480
    source = tmp_path / "suno-music-generation.2026-12-24.json"
    source.write_text(json.dumps(document, indent=1), "utf-8")
    before = tomllib.loads((project / PINS).read_text("utf-8"))["files"]
    start = tree_digest(project)

    code, report = take(project, source)
    assert code == 0, capsys.readouterr().err
    assert music.read_bytes() == source.read_bytes()
    after = tomllib.loads((project / PINS).read_text("utf-8"))["files"]
    assert after["suno-persona-creation.yaml"] == before["suno-persona-creation.yaml"]
    assert after["suno-music-generation.yaml"]["sha256"] == report["sha256"]
    assert after["suno-music-generation.yaml"]["operation"] == (
        "POST /v1/audios/generations (createSunoMusicGeneration)"
    )
    pointers = {c["pointer"] for section in report["sections"] for c in section["changes"]}
    assert "/components/schemas/SunoMusicGenerationRequest/properties/duration/maximum" in pointers
    merged = (project / MERGED).read_text("utf-8")
    assert "maximum: 480" in merged
    assert "operationId: createAudioGeneration" in merged
    assert changed_files(start, tree_digest(project)) >= {
        "openapi/upstream/suno-music-generation.yaml",
        PINS,
        MERGED,
    }
