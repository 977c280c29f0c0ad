"""The change classifier: every rule of the table on its own example, and the vendor's history."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import spec_changes
import spec_yaml
from spec_changes import RULES, Level, classify

DATA = Path(__file__).resolve().parents[1] / "data"
HISTORY = DATA / "vendor-history"
PATH = "/things"
OP = "/paths/~1things/post"


def _load(path: Path) -> dict[str, Any]:
    loaded = spec_yaml.load(path.read_text("utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def base() -> dict[str, Any]:
    """A small document: one operation with a request body and a 200 and a 400 response."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Things", "version": "1.0.0"},
        "servers": [{"url": "https://api.example.com"}],
        "security": [{"bearerAuth": []}],
        "paths": {
            PATH: {
                "post": {
                    "operationId": "createThing",
                    "parameters": [],
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["name"],
                                    "properties": {
                                        "name": {"type": "string", "maxLength": 200},
                                        "start": {"type": "number", "minimum": 0},
                                        "kind": {"type": "string", "enum": ["a", "b"]},
                                        "style": {"type": "string"},
                                    },
                                }
                            }
                        }
                    },
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["id"],
                                        "properties": {
                                            "id": {"type": "string"},
                                            "code": {"type": "integer"},
                                            "status": {"type": "string", "enum": ["done"]},
                                            "group": {"type": "string", "description": "Group"},
                                            "progress": {"type": "integer", "maximum": 100},
                                            "extra": {"type": "string"},
                                        },
                                    }
                                }
                            },
                        },
                        "400": {"description": "bad request"},
                    },
                }
            }
        },
    }


def _op(doc: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = doc["paths"][PATH]["post"]
    return operation


def _req(doc: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = _op(doc)["requestBody"]["content"]["application/json"]["schema"]
    return schema


def _resp(doc: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = _op(doc)["responses"]["200"]["content"]["application/json"]["schema"]
    return schema


def edit(*steps: Any) -> dict[str, Any]:
    """A copy of `base()` with each step (a function of the document) applied."""
    doc = base()
    for step in steps:
        step(doc)
    return doc


def _param(required: bool) -> dict[str, Any]:
    return {"name": "lang", "in": "query", "required": required, "schema": {"type": "string"}}


# One example per rule: (rule id, old document, new document). Each must yield exactly
# that rule and nothing else, so a rule that stops firing, or fires on its neighbour's
# example, fails here.
CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("api-removed", edit(lambda d: d["paths"].update({"/x": {"get": {"responses": {}}}})), base()),
    ("api-added", base(), edit(lambda d: d["paths"].update({"/x": {"get": {"responses": {}}}}))),
    ("operation-id-changed", base(), edit(lambda d: _op(d).update(operationId="makeThing"))),
    ("security-changed", base(), edit(lambda d: d.update(security=[{"apiKey": []}]))),
    ("servers-changed", base(), edit(lambda d: d.update(servers=[{"url": "https://b.example"}]))),
    (
        "new-required-request-parameter",
        base(),
        edit(lambda d: _op(d).update(parameters=[_param(True)])),
    ),
    (
        "new-optional-request-parameter",
        base(),
        edit(lambda d: _op(d).update(parameters=[_param(False)])),
    ),
    (
        "request-parameter-removed",
        edit(lambda d: _op(d).update(parameters=[_param(False)])),
        base(),
    ),
    (
        "request-parameter-became-required",
        edit(lambda d: _op(d).update(parameters=[_param(False)])),
        edit(lambda d: _op(d).update(parameters=[_param(True)])),
    ),
    (
        "request-parameter-became-optional",
        edit(lambda d: _op(d).update(parameters=[_param(True)])),
        edit(lambda d: _op(d).update(parameters=[_param(False)])),
    ),
    (
        "request-body-became-required",
        base(),
        edit(lambda d: _op(d)["requestBody"].update(required=True)),
    ),
    (
        "request-media-type-removed",
        edit(lambda d: _op(d)["requestBody"]["content"].update({"text/plain": {}})),
        base(),
    ),
    (
        "request-media-type-added",
        base(),
        edit(lambda d: _op(d)["requestBody"]["content"].update({"text/plain": {}})),
    ),
    (
        "new-required-request-property",
        base(),
        edit(
            lambda d: _req(d)["properties"].update(lyrics={"type": "string"}),
            lambda d: _req(d)["required"].append("lyrics"),
        ),
    ),
    (
        "new-optional-request-property",
        base(),
        edit(lambda d: _req(d)["properties"].update(weight={"type": "number"})),
    ),
    ("request-property-removed", base(), edit(lambda d: _req(d)["properties"].pop("style"))),
    (
        "request-property-became-required",
        base(),
        edit(lambda d: _req(d)["required"].append("style")),
    ),
    ("request-property-became-optional", base(), edit(lambda d: _req(d).update(required=[]))),
    (
        "request-property-type-changed",
        base(),
        edit(lambda d: _req(d)["properties"]["start"].update(type="integer")),
    ),
    (
        "request-property-type-generalized",
        edit(lambda d: _req(d)["properties"]["start"].update(type="integer")),
        base(),
    ),
    (
        "request-property-format-changed",
        base(),
        edit(lambda d: _req(d)["properties"]["style"].update(format="uuid")),
    ),
    (
        "request-property-format-removed",
        edit(lambda d: _req(d)["properties"]["style"].update(format="uuid")),
        base(),
    ),
    (
        "request-property-enum-value-removed",
        base(),
        edit(lambda d: _req(d)["properties"]["kind"].update(enum=["a"])),
    ),
    (
        "request-property-enum-value-added",
        base(),
        edit(lambda d: _req(d)["properties"]["kind"].update(enum=["a", "b", "c"])),
    ),
    (
        "request-property-enum-added",
        base(),
        edit(lambda d: _req(d)["properties"]["style"].update(enum=["jazz"])),
    ),
    (
        "request-property-enum-removed",
        base(),
        edit(lambda d: _req(d)["properties"]["kind"].pop("enum")),
    ),
    (
        "request-property-constraint-tightened",
        base(),
        edit(lambda d: _req(d)["properties"]["name"].update(maxLength=100)),
    ),
    (
        "request-property-constraint-relaxed",
        base(),
        edit(lambda d: _req(d)["properties"]["start"].pop("minimum")),
    ),
    (
        "request-property-default-changed",
        base(),
        edit(lambda d: _req(d)["properties"]["style"].update(default="pop")),
    ),
    (
        "response-success-status-removed",
        edit(lambda d: _op(d)["responses"].update({"202": {"description": "accepted"}})),
        base(),
    ),
    (
        "response-success-status-added",
        base(),
        edit(lambda d: _op(d)["responses"].update({"202": {"description": "accepted"}})),
    ),
    ("response-non-success-status-removed", base(), edit(lambda d: _op(d)["responses"].pop("400"))),
    (
        "response-non-success-status-added",
        base(),
        edit(lambda d: _op(d)["responses"].update({"403": {"description": "forbidden"}})),
    ),
    (
        "response-media-type-removed",
        edit(lambda d: _op(d)["responses"]["200"]["content"].update({"text/plain": {}})),
        base(),
    ),
    (
        "response-media-type-added",
        base(),
        edit(lambda d: _op(d)["responses"]["200"]["content"].update({"text/plain": {}})),
    ),
    ("response-property-removed", base(), edit(lambda d: _resp(d)["properties"].pop("extra"))),
    (
        "response-property-added",
        base(),
        edit(lambda d: _resp(d)["properties"].update(error={"type": "object"})),
    ),
    ("response-property-became-optional", base(), edit(lambda d: _resp(d).update(required=[]))),
    (
        "response-property-became-required",
        base(),
        edit(lambda d: _resp(d)["required"].append("extra")),
    ),
    (
        "response-property-type-changed",
        base(),
        edit(lambda d: _resp(d)["properties"]["code"].update(type="string")),
    ),
    (
        "response-property-type-narrowed",
        edit(lambda d: _resp(d)["properties"]["code"].update(type="number")),
        base(),
    ),
    (
        "response-property-format-changed",
        base(),
        edit(lambda d: _resp(d)["properties"]["id"].update(format="uuid")),
    ),
    (
        "response-property-enum-value-added",
        base(),
        edit(lambda d: _resp(d)["properties"]["status"].update(enum=["done", "cancelled"])),
    ),
    (
        "response-property-enum-value-removed",
        edit(lambda d: _resp(d)["properties"]["status"].update(enum=["done", "lost"])),
        base(),
    ),
    (
        "response-property-enum-removed",
        base(),
        edit(lambda d: _resp(d)["properties"]["status"].pop("enum")),
    ),
    (
        "response-property-enum-added",
        base(),
        edit(lambda d: _resp(d)["properties"]["group"].update(enum=["vip"])),
    ),
    (
        "response-property-constraint-relaxed",
        base(),
        edit(lambda d: _resp(d)["properties"]["progress"].update(maximum=1000)),
    ),
    (
        "response-property-constraint-tightened",
        base(),
        edit(lambda d: _resp(d)["properties"]["progress"].update(minimum=0)),
    ),
    (
        "response-property-default-changed",
        base(),
        edit(lambda d: _resp(d)["properties"]["extra"].update(default="x")),
    ),
    (
        "property-deprecated",
        base(),
        edit(lambda d: _req(d)["properties"]["style"].update(deprecated=True)),
    ),
    (
        "schema-composition-changed",
        edit(lambda d: _resp(d)["properties"].update(extra={"anyOf": [{"type": "string"}]})),
        edit(
            lambda d: _resp(d)["properties"].update(
                extra={"anyOf": [{"type": "string"}, {"type": "array"}]}
            )
        ),
    ),
    (
        "rule-description-changed",
        edit(
            lambda d: _req(d)["properties"]["start"].update(description="Must be between 10 and 30")
        ),
        edit(
            lambda d: _req(d)["properties"]["start"].update(description="Must be between 5 and 30")
        ),
    ),
    (
        "description-changed",
        base(),
        edit(lambda d: _resp(d)["properties"]["group"].update(description="Billing group")),
    ),
    (
        "example-changed",
        base(),
        edit(lambda d: _resp(d)["properties"]["group"].update(example="vip")),
    ),
    ("info-changed", base(), edit(lambda d: d["info"].update(version="1.0.1"))),
    ("extension-changed", base(), edit(lambda d: _op(d).update({"x-codeSamples": []}))),
    (
        "unclassified-change",
        base(),
        edit(lambda d: _resp(d)["properties"]["id"].update(readOnly=True)),
    ),
]


def _rules_of(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return [change.rule.id for change in classify(old, new)]


def test_every_rule_of_the_table_has_an_example_here() -> None:
    assert sorted(rule for rule, _, _ in CASES) == sorted(rule.id for rule in RULES)


def test_rule_ids_are_unique_and_each_has_a_level_a_meaning_and_an_example() -> None:
    assert len({rule.id for rule in RULES}) == len(RULES)
    for rule in RULES:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.id), rule.id
        assert isinstance(rule.level, Level)
        assert rule.meaning
        assert rule.example


@pytest.mark.parametrize(("rule", "old", "new"), CASES, ids=[case[0] for case in CASES])
def test_each_rule_fires_on_its_own_example_and_nothing_else(
    rule: str, old: dict[str, Any], new: dict[str, Any]
) -> None:
    assert _rules_of(old, new) == [rule]


def test_identical_documents_have_no_change() -> None:
    assert classify(base(), base()) == []


def test_the_same_change_reached_through_a_ref_is_reported_once_at_the_component() -> None:
    old = base()
    schema = _resp(old)
    old["components"] = {"schemas": {"Thing": schema}}
    _op(old)["responses"]["200"]["content"]["application/json"]["schema"] = {
        "$ref": "#/components/schemas/Thing"
    }
    _op(old)["responses"]["201"] = copy.deepcopy(_op(old)["responses"]["200"])
    new = copy.deepcopy(old)
    new["components"]["schemas"]["Thing"]["properties"]["code"]["type"] = "string"
    changes = classify(old, new)
    assert [(c.rule.id, c.pointer) for c in changes] == [
        ("response-property-type-changed", "/components/schemas/Thing/properties/code/type")
    ]
    assert changes[0].operation == "POST /things"
    assert changes[0].property_path == ("code",)


def test_a_request_and_a_response_constraint_move_in_opposite_directions() -> None:
    """Relaxing a bound is harmless for what a client sends, not for what it receives."""
    relaxed_request = edit(lambda d: _req(d)["properties"]["name"].update(maxLength=500))
    relaxed_response = edit(lambda d: _resp(d)["properties"]["progress"].update(maximum=500))
    assert _rules_of(base(), relaxed_request) == ["request-property-constraint-relaxed"]
    assert _rules_of(base(), relaxed_response) == ["response-property-constraint-relaxed"]
    assert spec_changes.RULES_BY_ID["request-property-constraint-relaxed"].level is Level.COMPATIBLE
    assert spec_changes.RULES_BY_ID["response-property-constraint-relaxed"].level is Level.ATTENTION


def test_a_multiple_of_that_divides_the_old_one_relaxes_and_any_other_tightens() -> None:
    def multiple(value: float) -> dict[str, Any]:
        return edit(lambda d: _req(d)["properties"]["start"].update(multipleOf=value))

    assert _rules_of(multiple(10), multiple(5)) == ["request-property-constraint-relaxed"]
    assert _rules_of(multiple(5), multiple(10)) == ["request-property-constraint-tightened"]


def test_a_description_that_states_no_rule_is_wording() -> None:
    new = edit(lambda d: _req(d)["properties"]["style"].update(description="Style tags"))
    assert _rules_of(base(), new) == ["description-changed"]


def test_the_operations_prose_rules_changing_needs_attention() -> None:
    old = edit(lambda d: _op(d).update(description="Source must be suno-v4 or above"))
    new = edit(lambda d: _op(d).update(description="Source must be suno-v3.5 or above"))
    changes = classify(old, new)
    assert [(c.rule.id, c.level, c.pointer) for c in changes] == [
        ("rule-description-changed", Level.ATTENTION, f"{OP}/description")
    ]


# --- the vendor's real history (tests/data/vendor-history, see its README) ---------


def _history(old: str, new: str) -> set[tuple[str, str, str]]:
    changes = classify(_load(HISTORY / f"{old}.json"), _load(HISTORY / f"{new}.json"))
    return {(c.level.value, c.rule.id, c.pointer) for c in changes}


def test_history_persona_2026_08_02_dropped_the_user_group_enum_which_needs_attention() -> None:
    usage = "/components/schemas/Usage/properties/user_group"
    assert _history("suno-persona-creation.2026-03-23", "suno-persona-creation.2026-08-02") == {
        ("needs attention", "response-property-enum-removed", f"{usage}/enum"),
        ("compatible", "description-changed", f"{usage}/description"),
    }


def test_history_task_detail_2026_03_05_error_code_integer_to_string_is_breaking() -> None:
    found = _history("get-task-detail.2026-01-20", "get-task-detail.2026-03-05")
    task = "/paths/~1v1~1tasks~1{task_id}/get"
    code = "/components/schemas/ErrorResponse/properties/error/properties/code"
    assert ("breaking", "response-property-type-changed", f"{code}/type") in found
    assert {c for c in found if c[0] == "breaking"} == {
        ("breaking", "response-property-type-changed", f"{code}/type")
    }
    assert ("compatible", "response-non-success-status-removed", f"{task}/responses/502") in found
    assert ("compatible", "response-non-success-status-removed", f"{task}/responses/503") in found
    assert (
        "compatible",
        "response-property-added",
        "/components/schemas/TaskDetailResponse/properties/error",
    ) in found
    assert ("compatible", "description-changed", f"{code}/description") in found
    examples = {c for c in found if c[1] == "example-changed"}
    assert len(examples) == 11  # seven error examples, four schema examples
    assert not {c for c in found if c[0] == "needs attention"}
    assert len(found) == 16


def test_history_task_detail_2026_03_15_only_gained_a_field_in_one_example() -> None:
    assert _history("get-task-detail.2026-03-05", "get-task-detail.2026-03-15") == {
        (
            "compatible",
            "example-changed",
            "/paths/~1v1~1tasks~1{task_id}/get/responses/429/content/application~1json/example",
        )
    }


def test_the_pages_yaml_and_the_vendors_json_of_the_same_date_are_the_same_document() -> None:
    text = (DATA / "vendor-pages" / "suno-persona-creation.md").read_text("utf-8")
    page_block = spec_yaml.load(text.split("````", 2)[1].split("\n", 1)[1])
    same_date = json.loads((HISTORY / "suno-persona-creation.2026-03-23.json").read_text("utf-8"))
    assert page_block["openapi"] == "3.1.0"
    assert classify(page_block, same_date) == []


def test_operations_tell_persona_creation_and_music_generation_apart_by_model() -> None:
    persona = spec_changes.operations_of(_load(HISTORY / "suno-persona-creation.2026-08-02.json"))
    music = spec_changes.operations_of(_load(DATA / "vendor" / "suno-music-generation.json"))
    assert [(o.method, o.path) for o in persona] == [(o.method, o.path) for o in music]
    assert persona[0].models == {"suno-persona"}
    assert "suno-v5-beta" in music[0].models
    assert not persona[0].models & music[0].models


def test_the_docs_rule_table_is_the_rule_table() -> None:
    docs = Path(__file__).resolve().parents[2] / "docs" / "spec-updates.md"
    assert spec_changes.rules_markdown() in docs.read_text("utf-8")
