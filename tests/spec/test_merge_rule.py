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
