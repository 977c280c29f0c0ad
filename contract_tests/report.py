"""The live runner's report: a JUnit XML file for CI and a summary a person can read.

One test case per check, named after it, so a CI dashboard shows which promise broke.
Texts come from check failures, which never contain the API key (schemathesis filters
``Authorization``, and the harness never prints it); ``redact`` is the last guard.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from evolink_persona._secret import mask_secrets

from .probing import CheckTally

__all__ = ["redact", "summary_text", "write_junit"]


def redact(text: str, secrets: Sequence[str]) -> str:
    """``text`` without any spelling of the secrets (JSON-escaped, URL-encoded, as is)."""
    return mask_secrets(text, secrets, "[redacted]")


def summary_text(
    target: str, mode: str, tallies: Sequence[CheckTally], notes: Sequence[str] = ()
) -> str:
    failed = [t for t in tallies if not t.passed]
    lines = [
        f"EvoLink contract against {target} ({mode} mode)",
        *(f"note: {note}" for note in notes),
        f"{len(tallies) - len(failed)} of {len(tallies)} checks passed",
        "",
    ]
    width = max((len(t.name) for t in tallies), default=10)
    for tally in tallies:
        verdict = "PASS" if tally.passed else "FAIL"
        ran = "not exercised" if tally.judged == 0 else f"{tally.judged} responses judged"
        lines.append(f"{verdict}  {tally.name:{width}}  {ran}, {tally.failed} failed")
    for tally in failed:
        lines += ["", f"--- {tally.name}", (tally.first_failure or "").strip()[:2000]]
    return "\n".join(lines) + "\n"


def write_junit(path: Path, target: str, tallies: Sequence[CheckTally]) -> None:
    suite = ET.Element(
        "testsuite",
        name="evolink-contract",
        tests=str(len(tallies)),
        failures=str(sum(1 for t in tallies if not t.passed)),
        skipped=str(sum(1 for t in tallies if t.judged == 0)),
    )
    ET.SubElement(ET.SubElement(suite, "properties"), "property", name="target", value=target)
    for tally in tallies:
        case = ET.SubElement(suite, "testcase", classname="evolink.contract", name=tally.name)
        if not tally.passed:
            failure = ET.SubElement(
                case, "failure", message=f"{tally.failed} of {tally.judged} responses failed"
            )
            failure.text = tally.first_failure
        elif tally.judged == 0:
            ET.SubElement(case, "skipped", message="no response exercised this check")
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)
