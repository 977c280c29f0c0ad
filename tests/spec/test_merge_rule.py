"""The merge rule: documents may add to one another but never contradict one another."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import spec_merge


def _doc(label: str, content: dict[str, Any]) -> spec_merge.SourceDocument:
    return spec_merge.SourceDocument(Path(label), label, content, "0" * 64)


def _error_schema(**error_properties: Any) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "components": {
            "schemas": {
                "ErrorResponse": {
                    "type": "object",
                    "properties": {
                        "error": {"type": "object", "properties": dict(error_properties)}
                    },
                }
            }
        },
    }


def _error_properties(merged: dict[str, Any]) -> dict[str, Any]:
    schema = merged["components"]["schemas"]["ErrorResponse"]
    properties: dict[str, Any] = schema["properties"]["error"]["properties"]
    return properties


def test_a_property_added_by_a_later_document_is_united() -> None:
    without_param = _error_schema(code={"type": "string"})
    with_param = _error_schema(code={"type": "string"}, param={"type": "string"})
    merged = spec_merge.merge_documents([_doc("a.yaml", without_param), _doc("b.yaml", with_param)])
    assert set(_error_properties(merged)) == {"code", "param"}


def test_a_contradicting_type_stops_the_merge_naming_both_files_and_the_place() -> None:
    as_string = _error_schema(code={"type": "string"})
    as_integer = _error_schema(code={"type": "integer"})
    with pytest.raises(spec_merge.MergeConflict) as caught:
        spec_merge.merge_documents([_doc("vendor.yaml", as_string), _doc("ours.yaml", as_integer)])
    assert caught.value.pointer == (
        "/components/schemas/ErrorResponse/properties/error/properties/code/type"
    )
    message = str(caught.value)
    assert "vendor.yaml says 'string'" in message
    assert "ours.yaml says 'integer'" in message


def test_a_required_list_that_differs_is_a_contradiction() -> None:
    first = _error_schema(code={"type": "string"})
    second = _error_schema(code={"type": "string"})
    first["components"]["schemas"]["ErrorResponse"]["required"] = ["error"]
    second["components"]["schemas"]["ErrorResponse"]["required"] = []
    with pytest.raises(spec_merge.MergeConflict, match="required"):
        spec_merge.merge_documents([_doc("a.yaml", first), _doc("b.yaml", second)])


def test_annotations_never_conflict_and_the_earlier_document_wins() -> None:
    vendor = _error_schema(code={"type": "string", "description": "vendor wording"})
    ours = _error_schema(code={"type": "string", "description": "our wording"})
    merged = spec_merge.merge_documents([_doc("a.yaml", vendor), _doc("b.yaml", ours)])
    assert _error_properties(merged)["code"]["description"] == "vendor wording"


def test_a_property_named_like_an_annotation_is_still_compared() -> None:
    # `description` here is a field of the request body, not an annotation.
    vendor = _error_schema(description={"type": "string"})
    ours = _error_schema(description={"type": "integer"})
    with pytest.raises(spec_merge.MergeConflict, match="properties/description/type"):
        spec_merge.merge_documents([_doc("a.yaml", vendor), _doc("b.yaml", ours)])


def test_tags_unite_by_name() -> None:
    a = {"openapi": "3.1.0", "tags": [{"name": "Audio", "description": "x"}]}
    b = {"openapi": "3.1.0", "tags": [{"name": "Audio", "description": "y"}, {"name": "Tasks"}]}
    merged = spec_merge.merge_documents([_doc("a.yaml", a), _doc("b.yaml", b)])
    assert merged["tags"] == [{"name": "Audio", "description": "x"}, {"name": "Tasks"}]


def test_the_merged_info_records_every_source_and_its_hash() -> None:
    a = {"openapi": "3.1.0", "info": {"title": "A", "version": "1.0.0"}}
    b = {"openapi": "3.1.0", "info": {"title": "B", "version": "2.0.0"}}
    merged = spec_merge.merge_documents([_doc("a.yaml", a), _doc("b.yaml", b)])
    sources = merged["info"]["x-merged-from"]
    assert [(s["file"], s["version"]) for s in sources] == [
        ("a.yaml", "1.0.0"),
        ("b.yaml", "2.0.0"),
    ]
    assert list(merged)[:2] == ["openapi", "info"]


def test_enums_unite_the_earlier_documents_values_first() -> None:
    a = _error_schema(code={"type": "string", "enum": ["a", "b"]})
    b = _error_schema(code={"type": "string", "enum": ["b", "c"]})
    merged = spec_merge.merge_documents([_doc("a.yaml", a), _doc("b.yaml", b)])
    assert _error_properties(merged)["code"]["enum"] == ["a", "b", "c"]


_SHARED = spec_merge.SharedOperation(
    path="/things", method="post", operation_id="createThing", discriminator="kind", summary="s"
)


def _operation_document(operation_id: str, schema: str, kinds: list[str]) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": operation_id, "version": "1"},
        "paths": {
            "/things": {
                "post": {
                    "operationId": operation_id,
                    "summary": f"{operation_id} summary",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{schema}"},
                                "examples": {operation_id: {"value": {"kind": kinds[0]}}},
                            }
                        },
                    },
                    "responses": {"200": {"description": f"{operation_id} ok"}},
                }
            }
        },
        "components": {
            "schemas": {
                schema: {
                    "type": "object",
                    "required": ["kind"],
                    "properties": {"kind": {"type": "string", "enum": kinds}},
                }
            }
        },
    }


def test_two_operations_on_one_path_and_method_become_one_discriminated_operation() -> None:
    first = _operation_document("createA", "A", ["a"])
    second = _operation_document("createB", "B", ["b1", "b2"])
    links = {
        "openapi": "3.1.0",
        "info": {"title": "ours", "version": "1"},
        "paths": {"/things": {"post": {"responses": {"200": {"links": {"L": {}}}}}}},
    }
    merged = spec_merge.merge_documents(
        [_doc("a.yaml", first), _doc("b.yaml", second), _doc("ours.yaml", links)], [_SHARED]
    )
    operation = merged["paths"]["/things"]["post"]
    assert operation["operationId"] == "createThing"
    body = operation["requestBody"]["content"]["application/json"]
    assert body["schema"]["oneOf"] == [
        {"$ref": "#/components/schemas/A"},
        {"$ref": "#/components/schemas/B"},
    ]
    assert body["schema"]["discriminator"] == {
        "propertyName": "kind",
        "mapping": {
            "a": "#/components/schemas/A",
            "b1": "#/components/schemas/B",
            "b2": "#/components/schemas/B",
        },
    }
    assert set(body["examples"]) == {"createA", "createB"}  # every vendor's examples kept
    assert operation["responses"]["200"]["links"] == {"L": {}}  # a project addition still unites
    assert [(v["operationId"], v["kind"]) for v in operation["x-vendor-operations"]] == [
        ("createA", ["a"]),
        ("createB", ["b1", "b2"]),
    ]


def test_shared_operation_variants_that_accept_one_value_stop_the_merge() -> None:
    first = _operation_document("createA", "A", ["a", "x"])
    second = _operation_document("createB", "B", ["x"])
    with pytest.raises(ValueError, match=r"`kind` = 'x' is accepted by both a.yaml and b.yaml"):
        spec_merge.merge_documents([_doc("a.yaml", first), _doc("b.yaml", second)], [_SHARED])


def test_without_the_shared_declaration_two_operation_ids_still_conflict() -> None:
    first = _operation_document("createA", "A", ["a"])
    second = _operation_document("createB", "B", ["b"])
    with pytest.raises(spec_merge.MergeConflict) as caught:
        spec_merge.merge_documents([_doc("a.yaml", first), _doc("b.yaml", second)])
    assert caught.value.pointer == "/paths/~1things/post/operationId"


def test_the_merged_document_holds_one_audio_generation_operation_for_both_vendors(
    repo_root: Path,
) -> None:
    documents, _ = spec_merge.load_manifest(repo_root / "openapi")
    shared = spec_merge.load_shared_operations(repo_root / "openapi")
    merged = spec_merge.merge_documents(documents, shared)
    operation = merged["paths"]["/v1/audios/generations"]["post"]
    assert operation["operationId"] == "createAudioGeneration"
    mapping = operation["requestBody"]["content"]["application/json"]["schema"]["discriminator"][
        "mapping"
    ]
    assert mapping["suno-persona"] == "#/components/schemas/SunoPersonaCreationRequest"
    assert mapping["suno-v5-beta"] == "#/components/schemas/SunoMusicGenerationRequest"
    assert mapping["suno-v5"] == "#/components/schemas/SunoMusicGenerationRequest"  # ours
    assert {"400", "401", "402", "403", "429", "500", "503"} <= set(operation["responses"])
    status = merged["components"]["schemas"]["AudioGenerationResponse"]["properties"]["status"]
    assert "cancelled" in status["enum"]  # the music document's, united
