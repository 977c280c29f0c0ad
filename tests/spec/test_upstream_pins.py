"""Upstream documents stay verbatim: their sha256 pins hold, and a change is caught."""

from __future__ import annotations

from pathlib import Path

import pytest
import spec_merge
import spec_yaml


def test_every_upstream_document_matches_its_pin(repo_root: Path) -> None:
    assert spec_merge.verify_pins(repo_root / "openapi") == []


def test_the_persona_document_is_the_vendors_openapi_3_1_document(repo_root: Path) -> None:
    # The vendor publishes it as YAML (its page) or JSON (its source); either form is
    # kept byte for byte under this name (docs/spec-updates.md), so read, don't grep.
    text = (repo_root / "openapi" / "upstream" / "suno-persona-creation.yaml").read_text("utf-8")
    document = spec_yaml.load(text)
    assert document["openapi"] == "3.1.0"
    assert document["paths"]["/v1/audios/generations"]["post"]["operationId"] == (
        "createSunoPersona"
    )


def test_an_edited_upstream_document_is_refused_naming_the_file(project_copy: Path) -> None:
    upstream = project_copy / "openapi" / "upstream" / "suno-persona-creation.yaml"
    upstream.write_text(upstream.read_text("utf-8").replace("1.0.0", "1.0.1"), "utf-8")
    with pytest.raises(spec_merge.PinMismatch, match=r"suno-persona-creation\.yaml changed"):
        spec_merge.verify_pins(project_copy / "openapi")


def test_repin_accepts_a_deliberate_update_and_changes_only_the_pin(project_copy: Path) -> None:
    openapi = project_copy / "openapi"
    upstream = openapi / "upstream" / "suno-persona-creation.yaml"
    upstream.write_text(upstream.read_text("utf-8") + "# vendor v2\n", "utf-8")
    before = (openapi / "upstream" / "pins.toml").read_text("utf-8")
    changed = spec_merge.verify_pins(openapi, repin=True)
    after = (openapi / "upstream" / "pins.toml").read_text("utf-8")
    assert len(changed) == 1
    assert spec_merge.sha256_of(upstream) in after
    assert sum(a != b for a, b in zip(before.splitlines(), after.splitlines(), strict=True)) == 1
    assert spec_merge.verify_pins(openapi) == []


def test_an_unpinned_upstream_document_is_refused(project_copy: Path) -> None:
    extra = project_copy / "openapi" / "upstream" / "new-endpoint.yaml"
    extra.write_text("openapi: 3.1.0\n", "utf-8")
    with pytest.raises(spec_merge.PinMismatch, match=r"new-endpoint\.yaml has no pin"):
        spec_merge.verify_pins(project_copy / "openapi")


def test_the_music_document_is_the_vendors_json_byte_for_byte(repo_root: Path) -> None:
    pinned = repo_root / "openapi" / "upstream" / "suno-music-generation.yaml"
    vendor = repo_root / "tests" / "data" / "vendor" / "suno-music-generation.json"
    assert pinned.read_bytes() == vendor.read_bytes()
    document = spec_yaml.load(pinned.read_text("utf-8"))  # JSON is YAML: the merge reads it so
    assert document["paths"]["/v1/audios/generations"]["post"]["operationId"] == (
        "createSunoMusicGeneration"
    )
