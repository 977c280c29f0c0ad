"""Unite the vendor's OpenAPI documents and the project's additions into one document.

The merge rule, in one sentence: documents may add to one another but never
contradict one another.

* Mappings unite key by key, recursively, in the order `openapi/merge.toml` lists
  the documents, so the first document decides the order of keys.
* Any other value present in two documents must be equal. A difference is a
  conflict, reported with both files and the JSON pointer, and the merge fails.
* Annotations (`description`, `summary`, `title`, `example`, `examples`,
  `externalDocs`) never conflict: the earlier document wins. Wording changes in a
  vendor document must not block a release, and they change no behaviour.
* `tags` unite by name; `info` is the merged document's own (see `merged_info`).

So `ErrorResponse` defined with `param` in one document and without it in another
unites into one schema with the optional `param` (an addition), while `code`
typed `string` in one and `integer` in the other stops the merge.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "MergeConflict",
    "PinMismatch",
    "SourceDocument",
    "load_manifest",
    "merge_documents",
    "verify_pins",
]

ANNOTATION_KEYS = frozenset(
    {"description", "summary", "title", "example", "examples", "externalDocs"}
)
# Mappings whose keys are names chosen by the author (a property called
# `description`, a response called `200`), never OpenAPI keywords.
NAME_MAPS = frozenset(
    {
        "paths",
        "properties",
        "patternProperties",
        "schemas",
        "responses",
        "parameters",
        "requestBodies",
        "headers",
        "securitySchemes",
        "links",
        "callbacks",
        "content",
        "examples",
        "$defs",
        "variables",
        "mapping",
    }
)


class MergeConflict(Exception):
    """Two documents give different values for the same place of the contract."""

    def __init__(self, pointer: str, first: str, second: str, a: object, b: object) -> None:
        self.pointer = pointer
        self.a = a
        self.b = b
        super().__init__(
            f"merge conflict at {pointer or '/'}:\n"
            f"  {first} says {_short(a)}\n"
            f"  {second} says {_short(b)}\n"
            "Documents may add to one another but never contradict one another: "
            "make the project's document agree with the vendor's, or drop its definition."
        )


class PinMismatch(Exception):
    """An upstream document no longer has the sha256 pinned for it."""


@dataclass(frozen=True)
class SourceDocument:
    """One input of the merge: where it lives and what it holds."""

    path: Path
    label: str
    content: Mapping[str, Any]
    sha256: str


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 160 else text[:157] + "..."


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_manifest(openapi_dir: Path) -> tuple[list[SourceDocument], Path]:
    """Read `merge.toml`: the documents in merge order and where the result goes."""
    manifest = tomllib.loads((openapi_dir / "merge.toml").read_text(encoding="utf-8"))
    documents = []
    for relative in manifest["documents"]:
        path = openapi_dir / relative
        if not path.is_file():
            raise FileNotFoundError(f"openapi/merge.toml lists {relative}, which does not exist")
        try:
            content = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ValueError(f"openapi/{relative} is not valid YAML: {exc}") from None
        if not isinstance(content, dict):
            raise ValueError(f"openapi/{relative} is not an OpenAPI document (not a mapping)")
        documents.append(SourceDocument(path, f"openapi/{relative}", content, sha256_of(path)))
    return documents, openapi_dir / manifest["output"]


def verify_pins(openapi_dir: Path, *, repin: bool = False) -> list[str]:
    """Check every upstream file against `upstream/pins.toml`; with `repin`, rewrite the pins.

    Returns a line per pin that changed (empty when all held). Without `repin` a
    changed or missing pin raises `PinMismatch` naming the file and both hashes.
    """
    pins_path = openapi_dir / "upstream" / "pins.toml"
    text = pins_path.read_text(encoding="utf-8")
    pins = tomllib.loads(text).get("files", {})
    on_disk = sorted(p.name for p in (openapi_dir / "upstream").glob("*.yaml"))
    problems: list[str] = []
    for name in on_disk:
        actual = sha256_of(openapi_dir / "upstream" / name)
        pinned = pins.get(name, {}).get("sha256")
        if pinned is None:
            problems.append(f"openapi/upstream/{name} has no pin (sha256 {actual})")
        elif pinned != actual:
            problems.append(
                f"openapi/upstream/{name} changed: pinned sha256 {pinned}, file has {actual}"
            )
            if repin:
                text = text.replace(pinned, actual)
    for name in sorted(set(pins) - set(on_disk)):
        problems.append(
            f"openapi/upstream/pins.toml pins {name}, which is not in openapi/upstream/"
        )
    if problems and not repin:
        raise PinMismatch(
            "\n".join(problems)
            + "\nUpstream documents are kept verbatim. If the change is deliberate (a new vendor"
            " version), run `scripts/regenerate --repin` and review the changed pin."
        )
    if repin and problems:
        missing = [p for p in problems if "has no pin" in p or "which is not in" in p]
        if missing:
            raise PinMismatch(
                "\n".join(missing) + "\nAdd or remove the table in pins.toml by hand."
            )
        pins_path.write_text(text, encoding="utf-8")
    return problems


def _unite(a: Any, b: Any, pointer: str, first: str, second: str, in_name_map: bool) -> Any:
    if isinstance(a, dict) and isinstance(b, dict):
        merged = dict(a)
        for key, value in b.items():
            if key not in merged:
                merged[key] = value
                continue
            child = f"{pointer}/{_escape(str(key))}"
            if not in_name_map and key in ANNOTATION_KEYS:
                continue  # earlier document's wording wins
            if not in_name_map and key == "tags" and pointer == "":
                merged[key] = _unite_tags(merged[key], value)
                continue
            merged[key] = _unite(
                merged[key], value, child, first, second, not in_name_map and key in NAME_MAPS
            )
        return merged
    if a == b:
        return a
    raise MergeConflict(pointer, first, second, a, b)


def _unite_tags(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> list[dict[str, Any]]:
    names = {tag["name"] for tag in a}
    return list(a) + [tag for tag in b if tag["name"] not in names]


def merged_info(documents: list[SourceDocument]) -> dict[str, Any]:
    """The merged document's `info`: the first document's, plus where every part came from."""
    first = dict(documents[0].content.get("info", {}))
    first["title"] = "EvoLink Suno Persona API (merged)"
    first["description"] = (
        "Persona creation and task detail, merged by scripts/regenerate from the documents "
        "listed in openapi/merge.toml. Do not edit: change a source document and regenerate."
    )
    first["x-merged-from"] = [
        {
            "file": doc.label,
            "version": doc.content.get("info", {}).get("version"),
            "sha256": doc.sha256,
        }
        for doc in documents
    ]
    return first


def merge_documents(documents: list[SourceDocument]) -> dict[str, Any]:
    """Unite the documents under the module's rule; raise `MergeConflict` on a contradiction."""
    if not documents:
        raise ValueError("openapi/merge.toml lists no documents")
    result: dict[str, Any] = {}
    for index, doc in enumerate(documents):
        body = {k: v for k, v in doc.content.items() if k != "info"}
        try:
            result = _unite(result, body, "", "", doc.label, False)
        except MergeConflict as conflict:
            earlier = _first_defining(documents[:index], conflict.pointer)
            raise MergeConflict(
                conflict.pointer, earlier, doc.label, conflict.a, conflict.b
            ) from None
    ordered: dict[str, Any] = {"openapi": result.pop("openapi"), "info": merged_info(documents)}
    ordered.update(result)
    return ordered


def _first_defining(documents: list[SourceDocument], pointer: str) -> str:
    """The label of the first document that holds a value at `pointer`."""
    for doc in documents:
        node: Any = doc.content
        for part in pointer.split("/")[1:]:
            key = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or key not in node:
                break
            node = node[key]
        else:
            return doc.label
    return "an earlier document"


def dump_yaml(document: Mapping[str, Any], header: str) -> str:
    """Deterministic YAML text: insertion order kept, no line folding surprises."""
    body = yaml.safe_dump(
        dict(document), sort_keys=False, allow_unicode=True, width=100, default_flow_style=False
    )
    return header + body
