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
* `tags` unite by name; `enum` lists unite (the earlier document's values first):
  a value one document allows and another does not list is an addition.
* `info` is the merged document's own (see `merged_info`).
* Operations on one path and method that several documents define with their own
  operationIds (the vendor serves music generation and persona creation on one
  `POST`, told apart by the body's `model`) become ONE operation, declared in
  `merge.toml` under `[[shared_operations]]`: its operationId is the declared one,
  its request body a `oneOf` of every document's body schema with a discriminator
  on the declared property (mapping each of its enum values to its schema), its
  responses the union of theirs under the rule above, its examples united by name,
  and `x-vendor-operations` records which vendor operation answers which values.
  Two variants that share a discriminator value, or one without an enum for it,
  stop the merge: the merged document could not tell them apart.

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

import spec_yaml
import yaml

__all__ = [
    "MergeConflict",
    "PinMismatch",
    "SharedOperation",
    "SourceDocument",
    "load_manifest",
    "load_shared_operations",
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
class SharedOperation:
    """One operation several documents define on one path and method (`merge.toml`)."""

    path: str
    method: str
    operation_id: str
    discriminator: str  # the request-body property whose value tells the variants apart
    summary: str


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
            content = spec_yaml.load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ValueError(f"openapi/{relative} is not valid YAML: {exc}") from None
        if not isinstance(content, dict):
            raise ValueError(f"openapi/{relative} is not an OpenAPI document (not a mapping)")
        documents.append(SourceDocument(path, f"openapi/{relative}", content, sha256_of(path)))
    return documents, openapi_dir / manifest["output"]


def load_shared_operations(openapi_dir: Path) -> list[SharedOperation]:
    """The `[[shared_operations]]` tables of `merge.toml` (none: no operation is shared)."""
    manifest = tomllib.loads((openapi_dir / "merge.toml").read_text(encoding="utf-8"))
    shared = []
    for table in manifest.get("shared_operations", []):
        try:
            shared.append(
                SharedOperation(
                    path=table["path"],
                    method=table["method"].lower(),
                    operation_id=table["operation_id"],
                    discriminator=table["discriminator"],
                    summary=table.get("summary", table["operation_id"]),
                )
            )
        except KeyError as missing:
            raise ValueError(
                f"openapi/merge.toml: a [[shared_operations]] table lacks {missing}"
                " (path, method, operation_id and discriminator are required)"
            ) from None
    return shared


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
            if (
                not in_name_map
                and key == "enum"
                and isinstance(value, list)
                and isinstance(merged[key], list)
            ):
                merged[key] = merged[key] + [v for v in value if v not in merged[key]]
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


def _take_defined(
    content: Mapping[str, Any], shared: SharedOperation
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Split off the shared operation a document defines (it gives it an operationId)."""
    operation = content.get("paths", {}).get(shared.path, {}).get(shared.method)
    if not isinstance(operation, dict) or "operationId" not in operation:
        return dict(content), None
    # The path item stays (maybe empty) so the merged document keeps the paths' order.
    paths = {
        path: (
            {k: v for k, v in item.items() if k != shared.method} if path == shared.path else item
        )
        for path, item in content["paths"].items()
    }
    return {**content, "paths": paths}, operation


def _variant_values(
    schema: Mapping[str, Any], components: Mapping[str, Any], shared: SharedOperation
) -> list[Any]:
    """The discriminator values a body schema accepts: the enum (or const) of its property."""
    resolved: Any = schema
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        resolved = components.get("schemas", {}).get(ref.rsplit("/", 1)[1], {})
    prop = resolved.get("properties", {}).get(shared.discriminator, {})
    if "const" in prop:
        return [prop["const"]]
    values = prop.get("enum")
    if not isinstance(values, list) or not values:
        raise ValueError(
            f"shared operation {shared.method.upper()} {shared.path}: the body schema "
            f"{ref or schema!r} gives `{shared.discriminator}` no enum or const, so the merged "
            "document could not tell its requests from the other operations'"
        )
    return values


def _combine(
    defined: list[tuple[SourceDocument, dict[str, Any]]],
    merged: Mapping[str, Any],
    shared: SharedOperation,
) -> dict[str, Any]:
    """One operation from every document's own: a `oneOf` body, the union of responses."""
    pointer = f"/paths/{_escape(shared.path)}/{shared.method}"
    combined: dict[str, Any] = {}
    bodies: dict[str, list[dict[str, Any]]] = {}
    examples: dict[str, dict[str, Any]] = {}
    required: list[bool] = []
    vendor_operations: list[dict[str, Any]] = []
    seen: dict[Any, str] = {}
    for doc, operation in defined:
        rest = {
            k: v
            for k, v in operation.items()
            if k not in ("operationId", "requestBody", "summary", "description")
        }
        combined = _unite(combined, rest, pointer, "", doc.label, False)
        body = operation.get("requestBody", {})
        required.append(bool(body.get("required", False)))
        for media, content in body.get("content", {}).items():
            schema = content.get("schema", {})
            values = _variant_values(schema, merged.get("components", {}), shared)
            for value in values:
                if value in seen:
                    raise ValueError(
                        f"shared operation {shared.method.upper()} {shared.path}: "
                        f"`{shared.discriminator}` = {value!r} is accepted by both "
                        f"{seen[value]} and {doc.label}; the variants must not overlap"
                    )
                seen[value] = doc.label
            bodies.setdefault(media, []).append(schema)
            for name, example in content.get("examples", {}).items():
                if name in examples.setdefault(media, {}) and examples[media][name] != example:
                    raise MergeConflict(
                        f"{pointer}/requestBody/content/{_escape(media)}/examples/{name}",
                        "an earlier document",
                        doc.label,
                        examples[media][name],
                        example,
                    )
                examples[media][name] = example
        vendor_operations.append(
            {
                "operationId": operation["operationId"],
                "file": doc.label,
                shared.discriminator: list(values),
                "summary": operation.get("summary", ""),
            }
        )
    content_out: dict[str, Any] = {}
    for media, schemas in bodies.items():
        mapping = {}
        for schema in schemas:
            for value in _variant_values(schema, merged.get("components", {}), shared):
                mapping[str(value)] = schema["$ref"] if "$ref" in schema else str(value)
        entry: dict[str, Any] = {
            "schema": {
                "oneOf": schemas,
                "discriminator": {"propertyName": shared.discriminator, "mapping": mapping}
                if all("$ref" in s for s in schemas)
                else {"propertyName": shared.discriminator},
            }
        }
        if examples.get(media):
            entry["examples"] = examples[media]
        content_out[media] = entry
    description = "\n\n".join(
        f"**{op['summary'] or op['operationId']}** (vendor operation `{op['operationId']}`, "
        f"`{shared.discriminator}`: {', '.join(f'`{v}`' for v in op[shared.discriminator])})"
        f"\n\n{operation.get('description', '')}".rstrip()
        for op, (_, operation) in zip(vendor_operations, defined, strict=True)
    )
    head: dict[str, Any] = {
        "summary": shared.summary,
        "description": description,
        "operationId": shared.operation_id,
    }
    if "tags" in combined:
        head = {"tags": combined.pop("tags"), **head}
    head["requestBody"] = {"required": all(required), "content": content_out}
    head.update(combined)
    head["x-vendor-operations"] = vendor_operations
    return head


def merge_documents(
    documents: list[SourceDocument], shared: list[SharedOperation] | None = None
) -> dict[str, Any]:
    """Unite the documents under the module's rule; raise `MergeConflict` on a contradiction."""
    if not documents:
        raise ValueError("openapi/merge.toml lists no documents")
    contents = [dict(doc.content) for doc in documents]
    defined: dict[SharedOperation, list[tuple[SourceDocument, dict[str, Any]]]] = {}
    for op in shared or []:
        split = [_take_defined(content, op) for content in contents]
        if sum(operation is not None for _, operation in split) < 2:
            continue  # one definition is an ordinary operation: nothing to combine
        for index, (rest, operation) in enumerate(split):
            contents[index] = rest
            if operation is not None:
                defined.setdefault(op, []).append((documents[index], operation))
    result: dict[str, Any] = {}
    for index, doc in enumerate(documents):
        body = {k: v for k, v in contents[index].items() if k != "info"}
        try:
            result = _unite(result, body, "", "", doc.label, False)
        except MergeConflict as conflict:
            earlier = _first_defining(documents[:index], conflict.pointer)
            raise MergeConflict(
                conflict.pointer, earlier, doc.label, conflict.a, conflict.b
            ) from None
    for op, operations in defined.items():
        one = _combine(operations, result, op)
        path_item = result.setdefault("paths", {}).setdefault(op.path, {})
        # What the other documents add to the operation (links) unites with it.
        pointer = f"/paths/{_escape(op.path)}/{op.method}"
        path_item[op.method] = _unite(one, path_item.get(op.method, {}), pointer, "", "", False)
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
