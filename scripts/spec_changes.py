"""Classify every change between two OpenAPI documents by what it breaks for a client.

The rule set follows the practice of OpenAPI breaking-change tools (oasdiff's
published checks are the model): a change is judged by its *direction*. A request
constraint that tightens refuses calls that worked; the same constraint relaxed in
a response lets the server send values an old client never had to handle.

The rule set is the table of `spec_rules.py`, one entry per rule, each with its
level and one example; `classify(old, new)` returns one `Change` per difference,
named by its rule and located by a JSON pointer. Two passes make sure nothing goes unreported:

1. a walk of every operation (parameters, request body, responses) that follows
   `$ref`s into the components and compares schemas by direction;
2. a plain structural diff of the two documents: every difference the walk did
   not explain is classified by where it is (wording, examples, `info`), and what
   is left is reported as `unclassified-change` (needs attention), never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
from spec_rules import RULES, RULES_BY_ID, Level, Rule, rules_markdown

__all__ = [
    "RULES",
    "RULES_BY_ID",
    "Change",
    "Level",
    "OperationKey",
    "Rule",
    "classify",
    "operations_of",
    "resolve",
    "rules_markdown",
    "unescape",
]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Keys whose value is wording or illustration: a change there changes no behaviour.
ANNOTATIONS = frozenset({"description", "summary", "title", "example", "examples", "externalDocs"})
# Words with which this API's prose states a rule ("must be provided together",
# "only one Persona", "between 10 - 30 seconds"): a changed description that holds
# one may move a rule the SDK and the mock enforce.
RULE_PROSE = re.compile(
    r"\b(must|only|cannot|can't|required|requires?|between|at least|at most|strictly|"
    r"together|limit|not supported|or above|or below|forbidden|duplicate)\b|>=|<=",
    re.IGNORECASE,
)
UPPER_BOUNDS = ("maxLength", "maxItems", "maximum", "exclusiveMaximum", "maxProperties")
LOWER_BOUNDS = ("minLength", "minItems", "minimum", "exclusiveMinimum", "minProperties")


@attrs.frozen
class Change:
    """One difference between two documents, named by its rule and located by a JSON pointer."""

    rule: Rule
    pointer: str
    detail: str
    operation: str | None = None

    @property
    def level(self) -> Level:
        return self.rule.level

    @property
    def property_path(self) -> tuple[str, ...]:
        """The property names the pointer passes through (`('usage', 'user_group')`)."""
        parts = [unescape(p) for p in self.pointer.split("/")[1:]]
        return tuple(parts[i + 1] for i, p in enumerate(parts[:-1]) if p == "properties")

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule.id,
            "level": self.level.value,
            "pointer": self.pointer,
            "operation": self.operation,
            "detail": self.detail,
        }


@attrs.frozen
class OperationKey:
    """What tells one operation from another: method, path, operationId and request `model`."""

    method: str
    path: str
    operation_id: str | None
    models: frozenset[str]

    def label(self) -> str:
        parts = [f"{self.method.upper()} {self.path}"]
        if self.operation_id:
            parts.append(self.operation_id)
        if self.models:
            parts.append("model " + ", ".join(sorted(self.models)))
        return f"{parts[0]} ({'; '.join(parts[1:])})" if len(parts) > 1 else parts[0]


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


def _short(value: object, limit: int = 80) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def resolve(document: Mapping[str, Any], node: Any, pointer: str) -> tuple[Any, str]:
    """Follow local `$ref`s from `node`: the target and its own pointer."""
    seen: set[str] = set()
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if not ref.startswith("#/") or ref in seen:
            break
        seen.add(ref)
        target: Any = document
        for part in ref[2:].split("/"):
            key = unescape(part)
            if not isinstance(target, Mapping) or key not in target:
                return node, pointer
            target = target[key]
        node, pointer = target, ref[1:]
    return node, pointer


def operations_of(document: Mapping[str, Any]) -> list[OperationKey]:
    """Every operation of a document, with the `model` values its request body allows."""
    found = []
    paths = document.get("paths") or {}
    for path, item in paths.items() if isinstance(paths, Mapping) else ():
        if not isinstance(item, Mapping):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if not isinstance(operation, Mapping):
                continue
            found.append(
                OperationKey(
                    method,
                    str(path),
                    operation.get("operationId"),
                    frozenset(_request_models(document, operation)),
                )
            )
    return found


def _request_models(document: Mapping[str, Any], operation: Mapping[str, Any]) -> list[str]:
    body, _ = resolve(document, operation.get("requestBody"), "")
    if not isinstance(body, Mapping):
        return []
    models: list[str] = []
    for media in (body.get("content") or {}).values():
        schema, _ = resolve(document, (media or {}).get("schema"), "")
        if not isinstance(schema, Mapping):
            continue
        model, _ = resolve(document, (schema.get("properties") or {}).get("model"), "")
        if isinstance(model, Mapping):
            values = model.get("enum") or ([model["const"]] if "const" in model else [])
            models += [str(v) for v in values]
    return models


def _types(schema: Mapping[str, Any]) -> frozenset[str] | None:
    declared = schema.get("type")
    if declared is None:
        return None
    names = {declared} if isinstance(declared, str) else {str(t) for t in declared}
    if schema.get("nullable") is True:
        names.add("null")
    if "number" in names:
        names.add("integer")  # every integer is a number
    return frozenset(names)


class _Walk:
    """The operation walk: compares what two documents say about each operation."""

    def __init__(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        self.old, self.new = old, new
        self.changes: dict[tuple[str, str], Change] = {}
        self._seen: set[tuple[str, str, str]] = set()
        self.operation: str | None = None
        # Places the walk looked through without a change of its own to report
        # (a `$ref` now naming another component whose content it compared).
        self.explained: set[str] = set()

    def add(self, rule_id: str, pointer: str, detail: str) -> None:
        key = (rule_id, pointer)
        if key not in self.changes:
            self.changes[key] = Change(RULES_BY_ID[rule_id], pointer, detail, self.operation)

    def run(self) -> None:
        for name in ("servers", "security"):
            if self.old.get(name) != self.new.get(name):
                rule = "servers-changed" if name == "servers" else "security-changed"
                self.add(
                    rule,
                    f"/{name}",
                    f"{name}: {_short(self.old.get(name))} → {_short(self.new.get(name))}",
                )
        old_ops = self._operations(self.old)
        new_ops = self._operations(self.new)
        for key in sorted(old_ops.keys() | new_ops.keys()):
            method, path = key
            self.operation = f"{method.upper()} {path}"
            pointer = f"/paths/{_escape(path)}/{method}"
            if key not in new_ops:
                self.add("api-removed", pointer, f"{self.operation} removed")
            elif key not in old_ops:
                self.add("api-added", pointer, f"{self.operation} added")
            else:
                self._operation(pointer, old_ops[key], new_ops[key])
        self.operation = None

    @staticmethod
    def _operations(document: Mapping[str, Any]) -> dict[tuple[str, str], Mapping[str, Any]]:
        found = {}
        for path, item in (document.get("paths") or {}).items():
            for method in HTTP_METHODS:
                if isinstance(item, Mapping) and isinstance(item.get(method), Mapping):
                    found[(method, str(path))] = item[method]
        return found

    def _operation(self, pointer: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        if old.get("operationId") != new.get("operationId"):
            self.add(
                "operation-id-changed",
                f"{pointer}/operationId",
                f"operationId {old.get('operationId')} → {new.get('operationId')}",
            )
        if old.get("security") != new.get("security"):
            self.add("security-changed", f"{pointer}/security", "operation security changed")
        if not old.get("deprecated") and new.get("deprecated"):
            self.add("property-deprecated", f"{pointer}/deprecated", "operation deprecated")
        self._parameters(pointer, old, new)
        self._request_body(pointer, old.get("requestBody"), new.get("requestBody"))
        self._responses(pointer, old.get("responses") or {}, new.get("responses") or {})

    def _parameters(self, pointer: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        def index(document: Mapping[str, Any], params: Any) -> dict[tuple[str, str], Any]:
            found = {}
            for position, raw in enumerate(params or []):
                param, where = resolve(document, raw, f"{pointer}/parameters/{position}")
                if isinstance(param, Mapping):
                    found[(str(param.get("in")), str(param.get("name")))] = (where, param)
            return found

        old_params = index(self.old, old.get("parameters"))
        new_params = index(self.new, new.get("parameters"))
        for key in sorted(old_params.keys() | new_params.keys()):
            label = f"{key[0]} parameter `{key[1]}`"
            if key not in new_params:
                self.add("request-parameter-removed", old_params[key][0], f"{label} removed")
                continue
            where, param = new_params[key]
            if key not in old_params:
                rule = (
                    "new-required-request-parameter"
                    if param.get("required")
                    else "new-optional-request-parameter"
                )
                self.add(rule, where, f"{label} added")
                continue
            old_where, old_param = old_params[key]
            was, now = bool(old_param.get("required")), bool(param.get("required"))
            if was != now:
                rule = (
                    "request-parameter-became-required"
                    if now
                    else "request-parameter-became-optional"
                )
                self.add(rule, f"{where}/required", f"{label}: required {was} → {now}")
            self._schema(
                f"{old_where}/schema",
                old_param.get("schema"),
                f"{where}/schema",
                param.get("schema"),
                "request",
                key[1],
            )

    def _request_body(self, pointer: str, old_raw: Any, new_raw: Any) -> None:
        old, old_ptr = resolve(self.old, old_raw, f"{pointer}/requestBody")
        new, new_ptr = resolve(self.new, new_raw, f"{pointer}/requestBody")
        old = old if isinstance(old, Mapping) else {}
        new = new if isinstance(new, Mapping) else {}
        if new.get("required") and not old.get("required"):
            self.add("request-body-became-required", f"{new_ptr}/required", "body now required")
        self._media(old_ptr, old, new_ptr, new, "request")

    def _responses(
        self, pointer: str, old_map: Mapping[Any, Any], new_map: Mapping[Any, Any]
    ) -> None:
        # YAML reads an unquoted status as an integer: compare statuses as text.
        old = {str(status): value for status, value in old_map.items()}
        new = {str(status): value for status, value in new_map.items()}
        for status in sorted(old.keys() | new.keys()):
            old_raw, new_raw = old.get(status), new.get(status)
            where = f"{pointer}/responses/{_escape(status)}"
            success = status.startswith("2")
            if new_raw is None:
                rule = (
                    "response-success-status-removed"
                    if success
                    else "response-non-success-status-removed"
                )
                self.add(rule, where, f"status {status} removed")
            elif old_raw is None:
                rule = (
                    "response-success-status-added"
                    if success
                    else "response-non-success-status-added"
                )
                self.add(rule, where, f"status {status} added")
            else:
                old_resp, old_ptr = resolve(self.old, old_raw, where)
                new_resp, new_ptr = resolve(self.new, new_raw, where)
                if isinstance(old_resp, Mapping) and isinstance(new_resp, Mapping):
                    self._media(old_ptr, old_resp, new_ptr, new_resp, "response")

    def _media(
        self,
        old_ptr: str,
        old: Mapping[str, Any],
        new_ptr: str,
        new: Mapping[str, Any],
        direction: str,
    ) -> None:
        old_content = old.get("content") or {}
        new_content = new.get("content") or {}
        for media in sorted(old_content.keys() | new_content.keys()):
            where = f"{new_ptr}/content/{_escape(media)}"
            if media not in new_content:
                self.add(
                    f"{direction}-media-type-removed",
                    f"{old_ptr}/content/{_escape(media)}",
                    f"{direction} media type {media} removed",
                )
            elif media not in old_content:
                self.add(
                    f"{direction}-media-type-added", where, f"{direction} media type {media} added"
                )
            else:
                self._schema(
                    f"{old_ptr}/content/{_escape(media)}/schema",
                    (old_content[media] or {}).get("schema"),
                    f"{where}/schema",
                    (new_content[media] or {}).get("schema"),
                    direction,
                    "body",
                )

    def _schema(
        self, old_ptr: str, old_raw: Any, new_ptr: str, new_raw: Any, direction: str, name: str
    ) -> None:
        if (
            isinstance(old_raw, Mapping)
            and isinstance(new_raw, Mapping)
            and old_raw.get("$ref") != new_raw.get("$ref")
        ):
            self.explained.add(f"{new_ptr}/$ref")
        old, old_ptr = resolve(self.old, old_raw, old_ptr)
        new, new_ptr = resolve(self.new, new_raw, new_ptr)
        if not isinstance(old, Mapping) or not isinstance(new, Mapping):
            return
        visit = (old_ptr, new_ptr, direction)
        if visit in self._seen:
            return
        self._seen.add(visit)
        request = direction == "request"
        self._type(new_ptr, old, new, request, name)
        self._format(new_ptr, old, new, request, name)
        self._enum(new_ptr, old, new, request, name)
        self._bounds(new_ptr, old, new, request, name)
        for key, rule in (("default", f"{direction}-property-default-changed"),):
            if old.get(key) != new.get(key):
                self.add(
                    rule,
                    f"{new_ptr}/{key}",
                    f"`{name}`: default {_short(old.get(key))} → {_short(new.get(key))}",
                )
        if not old.get("deprecated") and new.get("deprecated"):
            self.add("property-deprecated", f"{new_ptr}/deprecated", f"`{name}` deprecated")
        self._properties(old_ptr, old, new_ptr, new, direction)
        for key in ("items", "not"):
            if key in old and key in new:
                self._schema(
                    f"{old_ptr}/{key}", old[key], f"{new_ptr}/{key}", new[key], direction, name
                )
        for key in ("allOf", "anyOf", "oneOf"):
            old_list, new_list = old.get(key) or [], new.get(key) or []
            if len(old_list) != len(new_list):
                self.add(
                    "schema-composition-changed",
                    f"{new_ptr}/{key}",
                    f"`{name}`: {key} has {len(old_list)} → {len(new_list)} branches",
                )
                continue
            for i, (a, b) in enumerate(zip(old_list, new_list, strict=True)):
                self._schema(f"{old_ptr}/{key}/{i}", a, f"{new_ptr}/{key}/{i}", b, direction, name)
        if isinstance(old.get("additionalProperties"), Mapping) and isinstance(
            new.get("additionalProperties"), Mapping
        ):
            self._schema(
                f"{old_ptr}/additionalProperties",
                old["additionalProperties"],
                f"{new_ptr}/additionalProperties",
                new["additionalProperties"],
                direction,
                name,
            )

    def _type(
        self, ptr: str, old: Mapping[str, Any], new: Mapping[str, Any], request: bool, name: str
    ) -> None:
        was, now = _types(old), _types(new)
        if was == now:
            return
        detail = f"`{name}`: type {old.get('type', 'any')} → {new.get('type', 'any')}"
        if request:
            wider = now is None or (was is not None and was <= now)
            rule = "request-property-type-generalized" if wider else "request-property-type-changed"
        else:
            narrower = now is not None and (was is None or now <= was)
            rule = (
                "response-property-type-narrowed" if narrower else "response-property-type-changed"
            )
        self.add(rule, f"{ptr}/type", detail)

    def _format(
        self, ptr: str, old: Mapping[str, Any], new: Mapping[str, Any], request: bool, name: str
    ) -> None:
        was, now = old.get("format"), new.get("format")
        if was == now:
            return
        detail = f"`{name}`: format {was or 'none'} → {now or 'none'}"
        if request:
            rule = (
                "request-property-format-removed"
                if now is None
                else "request-property-format-changed"
            )
        else:
            rule = "response-property-format-changed"
        self.add(rule, f"{ptr}/format", detail)

    def _enum(
        self, ptr: str, old: Mapping[str, Any], new: Mapping[str, Any], request: bool, name: str
    ) -> None:
        was, now = old.get("enum"), new.get("enum")
        if was == now:
            return
        side = "request" if request else "response"
        where = f"{ptr}/enum"
        if now is None:
            self.add(
                f"{side}-property-enum-removed",
                where,
                f"`{name}`: enum {_short(was)} removed; any value of its type allowed",
            )
        elif was is None:
            self.add(f"{side}-property-enum-added", where, f"`{name}`: enum {_short(now)} set")
        else:
            removed = [v for v in was if v not in now]
            added = [v for v in now if v not in was]
            if removed:
                self.add(
                    f"{side}-property-enum-value-removed",
                    where,
                    f"`{name}`: enum lost {_short(removed)}",
                )
            if added:
                self.add(
                    f"{side}-property-enum-value-added",
                    where,
                    f"`{name}`: enum gained {_short(added)}",
                )

    def _bounds(
        self, ptr: str, old: Mapping[str, Any], new: Mapping[str, Any], request: bool, name: str
    ) -> None:
        side = "request" if request else "response"
        for key in (
            *UPPER_BOUNDS,
            *LOWER_BOUNDS,
            "multipleOf",
            "pattern",
            "uniqueItems",
            "additionalProperties",
            "const",
        ):
            was, now = old.get(key), new.get(key)
            if was == now or (isinstance(was, Mapping) and isinstance(now, Mapping)):
                continue
            tightened = _tightens(key, was, now)
            if tightened is None:
                continue
            # A response constraint that tightens is harmless, one that relaxes is not:
            # the mirror image of the request side.
            rule = f"{side}-property-constraint-{'tightened' if tightened else 'relaxed'}"
            self.add(rule, f"{ptr}/{key}", f"`{name}`: {key} {_short(was)} → {_short(now)}")

    def _properties(
        self,
        old_ptr: str,
        old: Mapping[str, Any],
        new_ptr: str,
        new: Mapping[str, Any],
        direction: str,
    ) -> None:
        old_props = old.get("properties") or {}
        new_props = new.get("properties") or {}
        old_req = set(old.get("required") or [])
        new_req = set(new.get("required") or [])
        request = direction == "request"
        if old_req != new_req:
            # Each property's change of `required` is reported with the property.
            self.explained.add(f"{new_ptr}/required")
        for prop in sorted(old_props.keys() | new_props.keys()):
            where = f"{new_ptr}/properties/{_escape(prop)}"
            if prop not in new_props:
                self.add(
                    f"{direction}-property-removed",
                    f"{old_ptr}/properties/{_escape(prop)}",
                    f"`{prop}` removed",
                )
                continue
            if prop not in old_props:
                if request:
                    required = prop in new_req
                    rule = (
                        "new-required-request-property"
                        if required
                        else ("new-optional-request-property")
                    )
                else:
                    rule = "response-property-added"
                self.add(
                    rule, where, f"`{prop}` added" + (" (required)" if prop in new_req else "")
                )
                continue
            if (prop in old_req) != (prop in new_req):
                now_required = prop in new_req
                rule = f"{direction}-property-became-{'required' if now_required else 'optional'}"
                self.add(
                    rule,
                    f"{new_ptr}/required",
                    f"`{prop}` {'now required' if now_required else 'no longer required'}",
                )
            self._schema(
                f"{old_ptr}/properties/{_escape(prop)}",
                old_props[prop],
                where,
                new_props[prop],
                direction,
                prop,
            )


def _tightens(key: str, was: Any, now: Any) -> bool | None:
    """Whether a constraint's change refuses values it used to accept (None: not a bound)."""
    numeric = all(
        v is None or (isinstance(v, int | float) and not isinstance(v, bool)) for v in (was, now)
    )
    if key in UPPER_BOUNDS or key in LOWER_BOUNDS:
        if not numeric:
            return None
        if was is None or now is None:
            return now is not None
        return bool(now < was) if key in UPPER_BOUNDS else bool(now > was)
    if key == "multipleOf":
        if not numeric:
            return None
        if now is None:
            return False
        return was is None or (was % now) != 0
    if key == "uniqueItems":
        return bool(now) and not bool(was)
    if key == "additionalProperties":
        return now is False
    # pattern and const: setting or changing one narrows what is allowed.
    return now is not None


def _raw_differences(a: Any, b: Any, pointer: str = "") -> Iterable[tuple[str, Any, Any]]:
    """Every place two documents differ; annotations and lists are compared whole."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        for key in list(a) + [k for k in b if k not in a]:
            child = f"{pointer}/{_escape(str(key))}"
            if key not in a or key not in b:
                yield child, a.get(key), b.get(key)
            elif key in ANNOTATIONS or str(key).startswith("x-"):
                if a[key] != b[key]:
                    yield child, a[key], b[key]
            else:
                yield from _raw_differences(a[key], b[key], child)
    elif a != b:
        yield pointer, a, b


def _covers(explained: str, raw: str) -> bool:
    return raw == explained or raw.startswith(explained + "/") or explained.startswith(raw + "/")


def _fallback(pointer: str, old: Any, new: Any) -> Change:
    parts = [unescape(p) for p in pointer.split("/")[1:]]
    key = parts[-1] if parts else ""
    in_examples = any(p in ("example", "examples") for p in parts[-2:])
    if parts and parts[0] == "info":
        rule = "info-changed"
    elif key.startswith("x-"):
        rule = "extension-changed"
    elif key in ("example", "examples") or in_examples:
        rule = "example-changed"
    elif key == "description":
        states_rule = any(isinstance(t, str) and RULE_PROSE.search(t) for t in (old, new))
        rule = "rule-description-changed" if states_rule else "description-changed"
    elif key in ANNOTATIONS:
        rule = "description-changed"
    else:
        rule = "unclassified-change"
    if rule == "example-changed":
        detail = f"{key or 'document'} " + (
            "added" if old is None else "removed" if new is None else "changed"
        )
    else:
        detail = f"{key or 'document'}: {_short(old, 60)} → {_short(new, 60)}"
    return Change(RULES_BY_ID[rule], pointer, detail)


def classify(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Every change from `old` to `new`, worst level first, then by pointer."""
    walk = _Walk(old, new)
    walk.run()
    changes = list(walk.changes.values())
    explained = [change.pointer for change in changes] + sorted(walk.explained)
    for pointer, was, now in _raw_differences(old, new):
        if not any(_covers(done, pointer) for done in explained):
            changes.append(_fallback(pointer, was, now))
    return sorted(changes, key=lambda c: (-c.level.rank, c.pointer, c.rule.id))
