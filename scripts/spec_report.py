"""The change report of a spec update: each change, its level, and what it touches here.

A change is only useful to a reviewer with its consequences attached, so each one
says which parts of this project it reaches:

* the generated client: the files of `generated_client/evolink_api` that the
  regeneration changed and that belong to the changed schema or operation (with
  `--diff`, which does not regenerate, the existing files it would reach);
* the hand-written parts that restate the contract (`PROJECT_PARTS`): a part is
  touched when it names the changed property, and the parts that hold the
  operation's prose rules are touched when that prose changes.

The report renders as a terminal table, as Markdown (a review's description) and as JSON.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
from spec_changes import Change, Level, unescape

__all__ = ["PROJECT_PARTS", "Finding", "Report", "Section", "find_touches"]


@attrs.frozen
class ProjectPart:
    """A hand-written file that restates part of the contract."""

    name: str
    path: str
    # Whether it holds the operation's cross-field rules, stated in the spec's prose.
    holds_prose_rules: bool


PROJECT_PARTS: tuple[ProjectPart, ...] = (
    ProjectPart("SDK rules", "wrapper/evolink_persona/_rules.py", True),
    ProjectPart("SDK models", "wrapper/evolink_persona/_models.py", False),
    ProjectPart("mock validation", "mock_server/evolink_mock/validation.py", True),
    ProjectPart("contract checks", "contract_tests/checks.py", True),
)
GENERATED_PREFIX = "generated_client/evolink_api/"


@attrs.frozen
class Finding:
    """A change and the parts of the project it touches."""

    change: Change
    touches: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {**self.change.as_json(), "touches": list(self.touches)}


@attrs.frozen
class Section:
    """The changes between one old and one new document."""

    title: str
    old: str
    new: str
    findings: tuple[Finding, ...]


@attrs.frozen
class Report:
    """Everything a spec update or a `--diff` found, ready to render."""

    heading: str
    facts: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...]
    generated_files: tuple[tuple[str, str], ...] | None = None

    @property
    def worst(self) -> Level | None:
        levels = [f.change.level for s in self.sections for f in s.findings]
        return max(levels, key=lambda level: level.rank) if levels else None

    def counts(self) -> dict[str, int]:
        counts = {level.value: 0 for level in Level}
        for section in self.sections:
            for finding in section.findings:
                counts[finding.change.level.value] += 1
        return counts

    def as_json(self) -> dict[str, Any]:
        return {
            "heading": self.heading,
            **{key: value for key, value in self.facts},
            "counts": self.counts(),
            "worst": self.worst.value if self.worst else None,
            "sections": [
                {
                    "title": s.title,
                    "old": s.old,
                    "new": s.new,
                    "changes": [f.as_json() for f in s.findings],
                }
                for s in self.sections
            ],
            "generated_files": (
                None
                if self.generated_files is None
                else [{"status": st, "path": p} for st, p in self.generated_files]
            ),
        }

    def markdown(self) -> str:
        lines = [f"## {self.heading}", ""]
        lines += [f"- **{key}:** {value}" for key, value in self.facts]
        counts = self.counts()
        lines += [
            "- **changes:** " + ", ".join(f"{n} {level}" for level, n in counts.items()),
            "",
        ]
        for section in self.sections:
            lines += [f"### {section.title}", "", f"`{section.old}` → `{section.new}`", ""]
            if not section.findings:
                lines += ["No change.", ""]
                continue
            lines += [
                "| level | rule | where | what | touches |",
                "| --- | --- | --- | --- | --- |",
            ]
            for f in section.findings:
                cells = [
                    f.change.level.value,
                    f"`{f.change.rule.id}`",
                    f"`{f.change.pointer}`",
                    _md(f.change.detail),
                    _md("; ".join(f.touches)) or "—",
                ]
                lines.append("| " + " | ".join(cells) + " |")
            lines.append("")
        if self.generated_files is not None:
            lines += ["### Generated files that changed", ""]
            lines += [f"- {status} `{path}`" for status, path in self.generated_files] or ["None."]
            lines.append("")
        return "\n".join(lines)

    def table(self) -> str:
        lines = [self.heading, "=" * len(self.heading)]
        width = max((len(k) for k, _ in self.facts), default=0)
        lines += [f"{key.ljust(width)}  {value}" for key, value in self.facts]
        lines.append(
            "changes".ljust(width)
            + "  "
            + ", ".join(f"{n} {level}" for level, n in self.counts().items())
        )
        for section in self.sections:
            lines += ["", f"{section.title}: {section.old} -> {section.new}"]
            if not section.findings:
                lines.append("  no change")
                continue
            rule_width = max(len(f.change.rule.id) for f in section.findings)
            lines.append(f"  {'LEVEL'.ljust(15)}  {'RULE'.ljust(rule_width)}  WHERE")
            for f in section.findings:
                c = f.change
                lines.append(
                    f"  {c.level.value.ljust(15)}  {c.rule.id.ljust(rule_width)}  {c.pointer}"
                )
                lines.append(f"  {'':15}  {'':{rule_width}}    {c.detail}")
                if f.touches:
                    lines.append(f"  {'':15}  {'':{rule_width}}    touches: {'; '.join(f.touches)}")
        if self.generated_files is not None:
            lines += ["", f"generated files that changed: {len(self.generated_files)}"]
            lines += [f"  {status:8} {path}" for status, path in self.generated_files]
        return "\n".join(lines)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _snake(name: str) -> str:
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()


def _module_stems(change: Change, documents: Sequence[Mapping[str, Any]]) -> set[str]:
    """Names the generated client gives to what the change is about."""
    parts = [unescape(p) for p in change.pointer.split("/")[1:]]
    stems: set[str] = set()
    if parts[:2] == ["components", "schemas"] and len(parts) > 2:
        stem = _snake(parts[2])
        stems.add(stem)
        for name in change.property_path:
            stem = f"{stem}_{_snake(name)}"
            stems.add(stem)
    if parts and parts[0] == "paths" and len(parts) > 2:
        for document in documents:
            operation = (document.get("paths") or {}).get(parts[1], {}).get(parts[2], {})
            if isinstance(operation, Mapping) and operation.get("operationId"):
                stems.add(_snake(str(operation["operationId"])))
    return stems


def _mentions(text: str, name: str) -> bool:
    return re.search(rf"[\"'.]{re.escape(name)}\b", text) is not None


def find_touches(
    change: Change,
    documents: Sequence[Mapping[str, Any]],
    project_root: Path,
    generated_changed: Sequence[str] | None,
) -> tuple[str, ...]:
    """What the change reaches in the project (see the module's docstring)."""
    touches: list[str] = []
    stems = _module_stems(change, documents)
    if generated_changed is not None:
        hit = [p for p in generated_changed if Path(p).stem in stems]
        if hit:
            touches.append(
                "generated client: " + ", ".join(p.removeprefix(GENERATED_PREFIX) for p in hit)
            )
    else:
        package = project_root / GENERATED_PREFIX
        hit = (
            sorted(
                p.relative_to(package).as_posix() for p in package.rglob("*.py") if p.stem in stems
            )
            if package.is_dir()
            else []
        )
        if hit:
            touches.append("generated client (on regeneration): " + ", ".join(hit))
    names = change.property_path[-1:]
    prose = change.rule.id == "rule-description-changed" and not change.property_path
    for part in PROJECT_PARTS:
        path = project_root / part.path
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        named = [n for n in names if _mentions(text, n)]
        if named:
            touches.append(f"{part.name} ({part.path}: names `{named[0]}`)")
        elif prose and part.holds_prose_rules:
            touches.append(f"{part.name} ({part.path}: restates the operation's prose rules)")
    return tuple(touches)
