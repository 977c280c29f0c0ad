"""Take a new version of a vendor OpenAPI document: extract, identify, pin, regenerate, report.

    scripts/update-spec SOURCE            take the update into openapi/ and regenerate
    scripts/update-spec SOURCE --check    do it all in a temporary folder, only report
    scripts/update-spec --diff OLD NEW    classify the changes between any two documents

SOURCE (and OLD, NEW) is a URL or a file: the vendor's documentation page (Markdown
with the OpenAPI document in one fenced block) or the bare YAML or JSON document.
Exit codes: 0 done (with `--check`: the upstream has not moved); 1 with `--check`
the upstream moved, otherwise `--fail-on` was reached; 2 the update was refused
(bad source, unknown or ambiguous document, merge conflict, regeneration failure),
and nothing was changed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import sys
import tempfile
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import regenerate
import spec_merge
import spec_yaml
from spec_changes import Level, classify, operations_of
from spec_identity import Known, identify
from spec_report import Finding, Report, Section, find_touches
from spec_source import Extracted, UpdateRefused, extract, fetch

__all__ = [
    "UpdateRefused",
    "apply",
    "diff_report",
    "extract",
    "fetch",
    "identify",
    "main",
    "pin_fields",
    "repin",
    "stage",
]

ROOT = regenerate.ROOT
GENERATED_PACKAGE = regenerate.GENERATED_PACKAGE
EXIT_OK, EXIT_FLAGGED, EXIT_REFUSED = 0, 1, 2


# --- the pin ----------------------------------------------------------------------


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def repin(pins_text: str, name: str, fields: Mapping[str, str]) -> str:
    """`pins.toml` with the table of `name` rewritten to `fields`; every other line kept."""
    lines = pins_text.splitlines(keepends=True)
    header = f'[files."{name}"]'
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == header)
    except StopIteration:
        raise UpdateRefused(f"openapi/upstream/pins.toml has no table {header}") from None
    end = start + 1
    while end < len(lines) and not lines[end].lstrip().startswith("["):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1  # keep the blank lines that separate tables
    table = [header + "\n"] + [f"{key} = {_toml_string(value)}\n" for key, value in fields.items()]
    text = "".join(lines[:start] + table + lines[end:])
    assert tomllib.loads(text)["files"][name] == dict(fields)  # the table must round-trip
    return text


def pin_fields(extracted: Extracted, previous: Mapping[str, Any], today: str) -> dict[str, str]:
    """The new pin: the sha256, where and when it was taken, in which form."""
    operations = "; ".join(
        f"{op.method.upper()} {op.path}" + (f" ({op.operation_id})" if op.operation_id else "")
        for op in operations_of(extracted.content)
    )
    what = (
        f"The {extracted.form.upper()} block of the vendor's page, byte for byte"
        if extracted.block
        else f"The vendor's {extracted.form.upper()} document, byte for byte"
    )
    if extracted.form == "json":
        what += " (JSON is YAML, so the file keeps its name and the merge reads it unchanged)"
    fields = {
        "sha256": extracted.sha256,
        "source": extracted.origin,
        "operation": operations or str(previous.get("operation", "")),
        "retrieved": today,
    }
    if extracted.published:
        fields["published"] = extracted.published
    fields["format"] = extracted.form
    if extracted.block:
        fields["block"] = extracted.block
    fields["note"] = what + "."
    return fields


# --- staging, regeneration and the report ------------------------------------------


@attrs.frozen
class Staged:
    """An update built in a temporary folder, not yet applied."""

    target: Known
    pins_text: str
    built_root: Path
    merged_relative: Path
    generated_changes: tuple[tuple[str, str], ...]
    report: Report


def _files(base: Path) -> dict[str, bytes]:
    if not base.is_dir():
        return {}
    return {
        p.relative_to(base).as_posix(): p.read_bytes()
        for p in base.rglob("*")
        if p.is_file() and not any(part.startswith((".", "__pycache__")) for part in p.parts)
    }


def _changed_files(built_root: Path, root: Path, merged: Path) -> tuple[tuple[str, str], ...]:
    changes = []
    for relative in (merged,):
        if (built_root / relative).read_bytes() != (root / relative).read_bytes():
            changes.append(("modified", relative.as_posix()))
    built = _files(built_root / GENERATED_PACKAGE)
    committed = _files(root / GENERATED_PACKAGE)
    for name in sorted(built.keys() | committed.keys()):
        path = (GENERATED_PACKAGE / name).as_posix()
        if name not in committed:
            changes.append(("added", path))
        elif name not in built:
            changes.append(("removed", path))
        elif built[name] != committed[name]:
            changes.append(("modified", path))
    return tuple(changes)


def _section(
    title: str,
    old_label: str,
    old: Mapping[str, Any],
    new_label: str,
    new: Mapping[str, Any],
    root: Path,
    generated: Sequence[str] | None,
) -> Section:
    findings = tuple(
        Finding(change, find_touches(change, (new, old), root, generated))
        for change in classify(old, new)
    )
    return Section(title, old_label, new_label, findings)


def verify_clean(root: Path) -> None:
    """Refuse to start from upstream files that already differ from their pins."""
    try:
        spec_merge.verify_pins(root / "openapi")
    except spec_merge.PinMismatch as exc:
        raise UpdateRefused(f"openapi/ does not match its pins before the update:\n{exc}") from None


def stage(root: Path, extracted: Extracted, target: Known, workdir: Path, today: str) -> Staged:
    """Build the update in `workdir`: the new upstream file, its pin, every derived file."""
    openapi_dir = root / "openapi"
    name = Path(target.file).name
    current = (openapi_dir / target.file).read_bytes()
    pins_text = (openapi_dir / "upstream" / "pins.toml").read_text("utf-8")
    previous = tomllib.loads(pins_text)["files"][name]
    pins_text = repin(pins_text, name, pin_fields(extracted, previous, today))

    staged_openapi = workdir / "openapi"
    shutil.copytree(openapi_dir, staged_openapi, ignore=shutil.ignore_patterns("__pycache__", ".*"))
    (staged_openapi / target.file).write_bytes(extracted.raw)
    (staged_openapi / "upstream" / "pins.toml").write_text(pins_text, "utf-8")
    built_root = workdir / "built"
    try:
        files = regenerate.build(staged_openapi, built_root, root)
    except spec_merge.MergeConflict as exc:
        raise UpdateRefused(
            f"the new {target.file} contradicts the other documents it merges with, so the merge "
            f"stops:\n{exc}"
        ) from None
    except (regenerate.GenerationFailed, ValueError, FileNotFoundError) as exc:
        raise UpdateRefused(f"regeneration failed, so nothing was taken:\n{exc}") from None
    merged_relative = files[0]
    generated_changes = _changed_files(built_root, root, merged_relative)
    changed_paths = [path for _, path in generated_changes]

    old_upstream = spec_yaml.load(current)
    old_merged = spec_yaml.load((root / merged_relative).read_text("utf-8"))
    new_merged = spec_yaml.load((built_root / merged_relative).read_text("utf-8"))
    report = Report(
        heading=f"Spec update: openapi/{target.file}",
        facts=(
            ("source", extracted.origin),
            ("replaces", f"openapi/{target.file}"),
            ("identified by", "; ".join(op.label() for op in target.operations)),
            (
                "form",
                extracted.form + (f" (page block `{extracted.block}`)" if extracted.block else ""),
            ),
            ("sha256", extracted.sha256),
        ),
        sections=(
            _section(
                "The vendor's document",
                f"openapi/{target.file} (pinned)",
                old_upstream,
                extracted.origin,
                extracted.content,
                root,
                changed_paths,
            ),
            _section(
                "The merged contract (what the client, the mock and the harness read)",
                f"{merged_relative.as_posix()} (committed)",
                old_merged,
                f"{merged_relative.as_posix()} (regenerated)",
                new_merged,
                root,
                changed_paths,
            ),
        ),
        generated_files=generated_changes,
    )
    return Staged(target, pins_text, built_root, merged_relative, generated_changes, report)


def apply(root: Path, staged: Staged, raw: bytes, backup_dir: Path) -> None:
    """Write the staged update into the project; on any failure put every file back."""
    openapi_dir = root / "openapi"
    upstream = openapi_dir / staged.target.file
    pins = openapi_dir / "upstream" / "pins.toml"
    merged = root / staged.merged_relative
    package = root / GENERATED_PACKAGE
    saved = {path: path.read_bytes() for path in (upstream, pins, merged)}
    shutil.copytree(package, backup_dir / "package")
    try:
        upstream.write_bytes(raw)
        pins.write_text(staged.pins_text, "utf-8")
        shutil.copyfile(staged.built_root / staged.merged_relative, merged)
        shutil.rmtree(package)
        shutil.copytree(staged.built_root / GENERATED_PACKAGE, package)
    except BaseException:
        for path, content in saved.items():
            path.write_bytes(content)
        shutil.rmtree(package, ignore_errors=True)
        shutil.copytree(backup_dir / "package", package)
        raise


def diff_report(old_source: str, new_source: str, cwd: Path, root: Path) -> Report:
    """`--diff`: the classified changes between two documents; the project is not touched."""
    old = extract(fetch(old_source, cwd))
    new = extract(fetch(new_source, cwd))
    return Report(
        heading="Spec diff",
        facts=(("old", old.origin), ("new", new.origin)),
        sections=(
            _section("Changes", old.origin, old.content, new.origin, new.content, root, None),
        ),
    )


# --- the command --------------------------------------------------------------------


def _render(report: Report, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report.as_json(), indent=2, ensure_ascii=False)
    return report.markdown() if fmt == "markdown" else report.table()


def _write_extra(report: Report, markdown: Path | None, json_path: Path | None) -> None:
    if markdown:
        markdown.write_text(report.markdown() + "\n", "utf-8")
    if json_path:
        json_path.write_text(_render(report, "json") + "\n", "utf-8")


def _reached(report: Report, fail_on: str | None) -> bool:
    threshold = {"breaking": Level.BREAKING, "attention": Level.ATTENTION, None: None}[fail_on]
    worst = report.worst
    return threshold is not None and worst is not None and worst.rank >= threshold.rank


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="scripts/update-spec",
        description=__doc__.splitlines()[0],
        epilog="Docs: docs/spec-updates.md",
    )
    p.add_argument("source", nargs="?", help="URL or file: a vendor page or a bare document")
    p.add_argument(
        "--check",
        action="store_true",
        help="build and report in a temporary folder; exit 1 if the upstream moved",
    )
    p.add_argument(
        "--diff",
        nargs=2,
        metavar=("OLD", "NEW"),
        help="classify the changes between two documents; touch nothing",
    )
    p.add_argument(
        "--fail-on",
        choices=("breaking", "attention"),
        help="exit 1 when a change of this level (or worse) is found",
    )
    p.add_argument(
        "--format",
        choices=("table", "markdown", "json"),
        default="table",
        help="what to print (default: a terminal table)",
    )
    p.add_argument("--markdown", type=Path, metavar="FILE", help="also write the Markdown report")
    p.add_argument("--json", type=Path, metavar="FILE", help="also write the JSON report")
    return p


def main(argv: Sequence[str] | None = None, root: Path = ROOT) -> int:
    args = parser().parse_args(argv)
    cwd = Path(os.environ.get("UPDATE_SPEC_CALLER_DIR") or Path.cwd())
    if bool(args.diff) == bool(args.source):
        parser().error("give either SOURCE or --diff OLD NEW")
    if args.diff and args.check:
        parser().error("--diff never touches the project; --check is for SOURCE")
    markdown = cwd / args.markdown if args.markdown else None
    json_path = cwd / args.json if args.json else None
    for extra in (markdown, json_path):
        if extra is not None and not extra.parent.is_dir():
            parser().error(f"{extra.parent} does not exist: cannot write {extra.name} there")
    try:
        if args.diff:
            report = diff_report(args.diff[0], args.diff[1], cwd, root)
            print(_render(report, args.format))
            _write_extra(report, markdown, json_path)
            return EXIT_FLAGGED if _reached(report, args.fail_on) else EXIT_OK
        extracted = extract(fetch(args.source, cwd))
        today = datetime.datetime.now(datetime.UTC).date().isoformat()
        verify_clean(root)
        target = identify(extracted, root / "openapi")
        if (root / "openapi" / target.file).read_bytes() == extracted.raw:
            print(
                f"openapi/{target.file} already holds this document (sha256 {extracted.sha256}):"
                " the upstream has not moved; nothing to do."
            )
            return EXIT_OK
        with tempfile.TemporaryDirectory(prefix="evolink-update-spec-") as tmp:
            staged = stage(root, extracted, target, Path(tmp), today)
            report = staged.report
            if not args.check:
                apply(root, staged, extracted.raw, Path(tmp) / "backup")
    except UpdateRefused as exc:
        print(f"update-spec: {exc}", file=sys.stderr)
        print("Nothing was changed.", file=sys.stderr)
        return EXIT_REFUSED
    print(_render(report, args.format))
    _write_extra(report, markdown, json_path)
    if args.check:
        flagged = args.fail_on is None or _reached(report, args.fail_on)
        print(
            f"\nupdate-spec --check: the upstream of openapi/{target.file} moved; run without "
            "--check to take it.",
            file=sys.stderr,
        )
        return EXIT_FLAGGED if flagged else EXIT_OK
    print(
        f"\ntook openapi/{target.file}: review `git diff`, run scripts/test, commit.",
        file=sys.stderr,
    )
    return EXIT_FLAGGED if _reached(report, args.fail_on) else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
