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
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import tomllib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import httpx
import regenerate
import spec_merge
import yaml
from openapi_spec_validator import validate as validate_openapi
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from spec_changes import Level, OperationKey, classify, operations_of
from spec_report import Finding, Report, Section, find_touches

ROOT = regenerate.ROOT
GENERATED_PACKAGE = regenerate.GENERATED_PACKAGE
EXIT_OK, EXIT_FLAGGED, EXIT_REFUSED = 0, 1, 2
FETCH_TIMEOUT_S = 30.0
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
DATED_NAME = re.compile(
    r"^(?P<stem>.+?)(?:\.(?P<date>\d{4}-\d{2}-\d{2}))?(?:\.(?:json|ya?ml|md|markdown|txt))?$"
)


class UpdateRefused(Exception):
    """The update cannot be taken; the message says why and what to do. Nothing was changed."""


@attrs.frozen
class Fetched:
    """A source as read: its bytes and where they came from."""

    origin: str
    name: str
    raw: bytes


@attrs.frozen
class Extracted:
    """The OpenAPI document found in a source, byte for byte, and what it holds."""

    origin: str
    name: str
    raw: bytes
    content: Mapping[str, Any]
    form: str  # "yaml" or "json": how the vendor published this text
    block: str | None  # the info string of the page's fenced block, for a page

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()

    @property
    def stem(self) -> str:
        """The document's own name: from the page's block, else from the source's name."""
        if self.block:
            words = self.block.split()
            if len(words) > 1:
                return _name_parts(words[1].rsplit("/", 1)[-1])[0]
        return _name_parts(self.name)[0]

    @property
    def published(self) -> str | None:
        """The date in a dated file name (`name.2026-08-02.json`), the history's convention."""
        return _name_parts(self.name)[1]


def _name_parts(name: str) -> tuple[str, str | None]:
    match = DATED_NAME.match(name)
    return (match["stem"], match["date"]) if match else (name, None)


# --- reading a source -------------------------------------------------------------


def fetch(source: str, cwd: Path, get: Callable[[str], httpx.Response] | None = None) -> Fetched:
    """Read a URL or a file; a relative path is taken from `cwd` (the caller's folder)."""
    if re.match(r"^https?://", source):
        try:
            response = (get or _http_get)(source)
        except httpx.HTTPError as exc:
            raise UpdateRefused(f"could not fetch {source}: {exc}") from None
        if response.status_code != 200:
            raise UpdateRefused(f"GET {source} answered {response.status_code}, not 200")
        name = httpx.URL(source).path.rstrip("/").rsplit("/", 1)[-1] or "document"
        return Fetched(source, name, response.content)
    path = Path(source)
    if not path.is_absolute():
        path = cwd / path
    if not path.is_file():
        raise UpdateRefused(f"{source}: no such file (and not an http(s) URL)")
    return Fetched(source, path.name, path.read_bytes())


def _http_get(url: str) -> httpx.Response:
    return httpx.get(url, timeout=FETCH_TIMEOUT_S, follow_redirects=True)


@attrs.frozen
class _Block:
    info: str
    line: int
    body: str


def fenced_blocks(text: str) -> list[_Block]:
    """The fenced code blocks of a Markdown page, bodies kept byte for byte."""
    lines = text.splitlines(keepends=True)
    blocks: list[_Block] = []
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index].rstrip("\r\n"))
        if not opening or (opening[1][0] == "`" and "`" in opening[2]):
            index += 1
            continue
        fence = opening[1]
        closing = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        end = index + 1
        while end < len(lines) and not closing.match(lines[end].rstrip("\r\n")):
            end += 1
        blocks.append(_Block(opening[2].strip(), index + 1, "".join(lines[index + 1 : end])))
        index = end + 1
    return blocks


def _openapi_mapping(text: str) -> Mapping[str, Any] | None:
    try:
        content = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    if isinstance(content, dict) and ("openapi" in content or "swagger" in content):
        return content
    return None


def extract(fetched: Fetched) -> Extracted:
    """Find the one OpenAPI document of a page or a bare document; refuse anything else."""
    try:
        text = fetched.raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UpdateRefused(
            f"{fetched.origin} is not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("{"):
        try:
            content = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise UpdateRefused(
                f"{fetched.origin} looks like JSON but does not parse: {exc.msg} "
                f"(line {exc.lineno}, column {exc.colno})"
            ) from None
        return _checked(fetched, fetched.raw, content, "json", None)
    blocks = [b for b in fenced_blocks(text) if _openapi_mapping(b.body) is not None]
    if len(blocks) > 1:
        where = ", ".join(f"line {b.line} (```{b.info})" for b in blocks)
        raise UpdateRefused(
            f"{fetched.origin} holds {len(blocks)} OpenAPI blocks ({where}); a page must hold "
            "exactly one. Save the one you mean as a file and give that file."
        )
    if blocks:
        block = blocks[0]
        content = _openapi_mapping(block.body)
        form = "json" if block.body.lstrip().startswith("{") else "yaml"
        return _checked(fetched, block.body.encode("utf-8"), content, form, block.info)
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError:
        loaded = None
    if isinstance(loaded, dict):
        return _checked(fetched, fetched.raw, loaded, "yaml", None)
    raise UpdateRefused(
        f"{fetched.origin} has no OpenAPI block: looked for a fenced block (```yaml or ```json) "
        "holding a document with an `openapi` field, and the text is not such a document "
        "itself. Give the vendor's page for one operation, or the bare YAML/JSON document."
    )


def _checked(fetched: Fetched, raw: bytes, content: Any, form: str, block: str | None) -> Extracted:
    origin = fetched.origin
    if not isinstance(content, dict):
        raise UpdateRefused(f"{origin} is not an OpenAPI document: its top level is not a mapping")
    if "swagger" in content and "openapi" not in content:
        raise UpdateRefused(
            f"{origin} is a Swagger {content['swagger']} document; only OpenAPI 3.x is taken"
        )
    version = content.get("openapi")
    if not isinstance(version, str) or not version.startswith("3."):
        keys = ", ".join(sorted(map(str, content))[:8])
        raise UpdateRefused(
            f"{origin} is not an OpenAPI 3.x document: it has no `openapi: 3.x` field "
            f"(top-level keys: {keys})"
        )
    if form == "json" and yaml.safe_load(raw.decode("utf-8")) != json.loads(raw):
        # The merge reads every document as YAML: a JSON text must read the same there.
        raise UpdateRefused(f"{origin}: this JSON document does not read the same as YAML")
    try:
        validate_openapi(content)
    except OpenAPIValidationError as exc:
        where = "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in exc.path)
        raise UpdateRefused(
            f"{origin} is not valid OpenAPI {version}: {exc.message.splitlines()[0]}"
            + (f" (at {where})" if where else "")
        ) from None
    return Extracted(origin, fetched.name, raw, content, form, block)


# --- which pinned document it replaces --------------------------------------------


@attrs.frozen
class Known:
    """A document of `openapi/merge.toml`, and whether it is a pinned vendor document."""

    file: str  # relative to openapi/
    pinned: bool
    operations: tuple[OperationKey, ...]
    title: str | None


def known_documents(openapi_dir: Path) -> list[Known]:
    """Every document the merge reads, with the operations it defines."""
    pins = tomllib.loads((openapi_dir / "upstream" / "pins.toml").read_text("utf-8"))
    pinned = set(pins.get("files", {}))
    documents, _ = spec_merge.load_manifest(openapi_dir)
    known = []
    for doc in documents:
        relative = doc.path.relative_to(openapi_dir).as_posix()
        is_pinned = relative.startswith("upstream/") and doc.path.name in pinned
        operations = operations_of(doc.content)
        if not is_pinned:
            # A project document may only add to an operation (links, a response):
            # it defines one only where it gives it an operationId.
            operations = [op for op in operations if op.operation_id]
        known.append(
            Known(relative, is_pinned, tuple(operations), doc.content.get("info", {}).get("title"))
        )
    return known


def _same_operation(a: OperationKey, b: OperationKey) -> bool:
    """Path and method are not enough: the vendor serves several models on one path."""
    if (a.method, a.path) != (b.method, b.path):
        return False
    if a.models and b.models:
        return bool(a.models & b.models)
    if a.operation_id and b.operation_id:
        return a.operation_id == b.operation_id
    return True


def identify(extracted: Extracted, openapi_dir: Path) -> Known:
    """The pinned document the new one replaces; refuse when it is new, ours or ambiguous."""
    incoming = operations_of(extracted.content)
    if not incoming:
        raise UpdateRefused(f"{extracted.origin} defines no operation, so it replaces nothing")
    known = known_documents(openapi_dir)
    matches = [
        k for k in known if any(_same_operation(i, o) for i in incoming for o in k.operations)
    ]
    pinned = [k for k in matches if k.pinned]
    ours = [k for k in matches if not k.pinned]
    described = "; ".join(op.label() for op in incoming)
    if len(pinned) > 1:
        by_name = [k for k in pinned if _name_parts(Path(k.file).name)[0] == extracted.stem]
        by_title = [
            k
            for k in pinned
            if k.title and k.title == extracted.content.get("info", {}).get("title")
        ]
        for narrowed in (by_name, by_title):
            if len(narrowed) == 1:
                pinned = narrowed
                break
        else:
            raise UpdateRefused(
                f"{extracted.origin} is ambiguous: it describes {described}, which "
                + " and ".join(
                    f"openapi/{k.file} ({'; '.join(o.label() for o in k.operations)})"
                    for k in pinned
                )
                + " each define, and neither its name nor its title tells them apart. "
                "Give one document per operation."
            )
    if ours:
        files = ", ".join(f"openapi/{k.file}" for k in ours)
        ops = "; ".join(o.label() for k in ours for o in k.operations)
        raise UpdateRefused(
            f"{extracted.origin} describes {described}; {ops} is written by this project in "
            f"{files}, not pinned from the vendor. Compare the vendor's versions with "
            "`scripts/update-spec --diff OLD NEW`, then carry what matters into that file by hand "
            "(and run scripts/regenerate)."
        )
    if not pinned:
        sharing = [
            f"openapi/{k.file} ({o.label()})"
            for k in known
            if k.pinned
            for o in k.operations
            if any((i.method, i.path) == (o.method, o.path) for i in incoming)
        ]
        note = (
            f" It shares the path of {', '.join(sharing)}, but its request's `model` or "
            "operationId tells it apart."
            if sharing
            else ""
        )
        raise UpdateRefused(
            f"{extracted.origin} is a new document: it describes {described}, which no pinned "
            f"upstream document defines.{note} To build on it, save it byte for byte under "
            "openapi/upstream/, add its table to openapi/upstream/pins.toml and its file to "
            "openapi/merge.toml, then run scripts/regenerate (docs/spec-updates.md)."
        )
    return pinned[0]


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
        files = regenerate.build(staged_openapi, built_root)
    except spec_merge.MergeConflict as exc:
        raise UpdateRefused(
            f"the new {target.file} contradicts the project's own documents, so the merge "
            f"stops:\n{exc}"
        ) from None
    except SystemExit as exc:  # regenerate.build reports its failures this way
        raise UpdateRefused(f"regeneration failed, so nothing was taken:\n{exc.code}") from None
    except (ValueError, FileNotFoundError) as exc:
        raise UpdateRefused(f"regeneration failed, so nothing was taken:\n{exc}") from None
    merged_relative = files[0]
    generated_changes = _changed_files(built_root, root, merged_relative)
    changed_paths = [path for _, path in generated_changes]

    old_upstream = yaml.safe_load(current)
    old_merged = yaml.safe_load((root / merged_relative).read_text("utf-8"))
    new_merged = yaml.safe_load((built_root / merged_relative).read_text("utf-8"))
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
