"""Which document of the project a new vendor document replaces, told by its operations.

Path and method are not enough: the vendor serves persona creation and music
generation on the same `POST /v1/audios/generations`, told apart by the request's
`model`. A document that matches no pinned document is new; one that matches a
document the project writes itself (task detail) is not the vendor's to replace;
one that matches several is ambiguous unless its name or title settles it.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import attrs
import spec_merge
from spec_changes import OperationKey, operations_of
from spec_source import Extracted, UpdateRefused, name_parts

__all__ = ["Known", "identify", "known_documents"]


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
        by_name = [k for k in pinned if name_parts(Path(k.file).name)[0] == extracted.stem]
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
