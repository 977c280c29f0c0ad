"""Validate a response body against the merged spec's schema for that operation and status.

Used where the harness talks to the mock without schemathesis (the lifecycle machine):
the same document, compiled once per schema with jsonschema-rs, formats included.
"""

from __future__ import annotations

import functools
from typing import Any, Final

import jsonschema_rs

from .spec import component_schema

__all__ = ["schema_problem"]

_SCHEMA_FOR: Final = {
    ("create", 200): "AudioGenerationResponse",
    ("detail", 200): "TaskDetailResponse",
}


@functools.cache
def _validator(name: str) -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for(component_schema(name), validate_formats=True)


def schema_problem(operation: str, status: int, body: Any) -> str | None:
    """Why ``body`` breaks the spec for ``operation`` ("create" or "detail") and ``status``;
    None when it conforms. Every documented error status uses ``ErrorResponse``."""
    name = _SCHEMA_FOR.get((operation, status), "ErrorResponse")
    validator = _validator(name)
    for error in validator.iter_errors(body):
        return f"{name}: {error.message} at /{'/'.join(str(p) for p in error.instance_path)}"
    return None
