"""One benchmark's outcome, and how it is written: JSON for machines, Markdown for people.

Every benchmark returns a `BenchReport`; the runner merges them into
`benchmarks/results/latest.json` (one entry per benchmark, so running one benchmark keeps
the others' last results) and rewrites the generated part of `BENCHMARKS.md`.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS_JSON = ROOT / "benchmarks" / "results" / "latest.json"
BENCHMARKS_MD = ROOT / "BENCHMARKS.md"
GENERATED_START = "<!-- bench:results:start -->"
GENERATED_END = "<!-- bench:results:end -->"

_SPARK = "▁▂▃▄▅▆▇█"


@dataclass
class Target:
    """A goal from the issue, what was measured against it, and whether it holds."""

    goal: str
    measured: str
    met: bool
    why: str = ""


@dataclass
class Table:
    """A titled table: column names and one list of cells per row."""

    title: str
    columns: list[str]
    rows: list[list[Any]]


@dataclass
class BenchReport:
    """What one benchmark found: tables, targets, notes and raw numbers for the JSON."""

    name: str
    title: str
    command: str
    tables: list[Table] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def fmt(value: Any) -> str:
    """A cell: floats to three significant-ish digits, everything else as text."""
    if isinstance(value, bool) or value is None:
        return "—" if value is None else ("yes" if value else "no")
    if isinstance(value, float):
        if math.isnan(value):
            return "—"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value).replace("|", "\\|")


def markdown_table(table: Table) -> str:
    head = "| " + " | ".join(table.columns) + " |"
    rule = "|" + "|".join(" --- " for _ in table.columns) + "|"
    body = ["| " + " | ".join(fmt(cell) for cell in row) + " |" for row in table.rows]
    return "\n".join([f"**{table.title}**", "", head, rule, *body])


def sparkline(values: list[float]) -> str:
    """A one-line plot of a curve (e.g. RSS over creations), scaled from its min to its max."""
    if not values:
        return ""
    low, span = min(values), (max(values) - min(values)) or 1.0
    top = len(_SPARK) - 1
    return "".join(_SPARK[min(top, int((v - low) / span * top))] for v in values)


def markdown_report(report: BenchReport) -> str:
    parts = [f"### {report.title}", "", f"`{report.command}` ({report.seconds:.0f} s)", ""]
    for table in report.tables:
        parts += [markdown_table(table), ""]
    if report.targets:
        parts += ["| target | measured | met | why |", "| --- | --- | --- | --- |"]
        parts += [
            f"| {t.goal} | {t.measured} | {'**met**' if t.met else '**missed**'} | {t.why} |"
            for t in report.targets
        ]
        parts.append("")
    parts += [f"- {note}" for note in report.notes]
    return "\n".join(parts).rstrip() + "\n"


def load_results(path: Path = RESULTS_JSON) -> dict[str, Any]:
    if path.exists():
        loaded: dict[str, Any] = json.loads(path.read_text())
        return loaded
    return {"machine": {}, "benchmarks": {}}


def save_results(
    reports: list[BenchReport], machine: dict[str, Any], command: str, path: Path = RESULTS_JSON
) -> dict[str, Any]:
    """Merge this run's reports into the results file; other benchmarks' entries stay."""
    results = load_results(path)
    results["machine"] = machine
    results["command"] = command
    for report in reports:
        results["benchmarks"][report.name] = report.to_json()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return results


def report_from_json(entry: dict[str, Any]) -> BenchReport:
    return BenchReport(
        name=entry["name"],
        title=entry["title"],
        command=entry["command"],
        tables=[Table(**t) for t in entry["tables"]],
        targets=[Target(**t) for t in entry["targets"]],
        notes=list(entry["notes"]),
        data=dict(entry["data"]),
        seconds=float(entry["seconds"]),
    )


def machine_markdown(machine: dict[str, Any]) -> str:
    return (
        f"Machine: {machine.get('nproc')} cores, {machine.get('cpu_model')}, "
        f"{machine.get('memory_gib')} GiB, {machine.get('os')}, "
        f"{machine.get('implementation')} {machine.get('python')}."
    )


def splice_generated(document: str, generated: str) -> str:
    """Replace the generated region of BENCHMARKS.md, or append one if it has none."""
    block = f"{GENERATED_START}\n{generated.rstrip()}\n{GENERATED_END}"
    start, end = document.find(GENERATED_START), document.find(GENERATED_END)
    if start == -1 or end == -1 or end < start:
        return document.rstrip() + "\n\n" + block + "\n"
    return document[:start] + block + document[end + len(GENERATED_END) :]


def write_markdown(results: dict[str, Any], order: list[str], path: Path = BENCHMARKS_MD) -> None:
    """Rewrite the generated region of BENCHMARKS.md from the merged results."""
    sections = [machine_markdown(results.get("machine", {})), ""]
    sections.append(f"Command of the last run: `{results.get('command', 'scripts/bench')}`\n")
    benchmarks = results.get("benchmarks", {})
    for name in order:
        if name in benchmarks:
            sections.append(markdown_report(report_from_json(benchmarks[name])))
    document = path.read_text() if path.exists() else "# Benchmarks\n"
    path.write_text(splice_generated(document, "\n".join(sections)))
