"""Request checking for persona creation: parse safely, schema-check, then cross-field rules.

The schema comes from the merged spec (package `evolink_openapi`), loaded and compiled
once per process; a valid request costs one `is_valid` call, and only an invalid one pays
for walking its errors to word a message that names the field and the reason. The rules
the schema cannot say (the vocal window) follow, each with its own message. This module
never imports the SDK: the mock is the independent oracle.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable
from typing import Any, NamedTuple, cast

import evolink_openapi
import jsonschema_rs
import orjson

from .errors import invalid_request

__all__ = [
    "PersonaRequest",
    "check_persona_request",
    "creation_schema",
    "parse_json_body",
]

#: Bounds of the vocal window in seconds, inclusive (from the spec's prose).
VOCAL_WINDOW_MIN = 10.0
VOCAL_WINDOW_MAX = 30.0
WINDOW_MESSAGE = "vocal_end - vocal_start must be between 10 and 30 seconds"


class PersonaRequest(NamedTuple):
    """A creation request that passed every client-side rule (a named tuple: one per
    creation, and cheaper to make than a frozen attrs instance)."""

    source_task_id: str
    result_id: str
    name: str
    description: str
    vocal_start: float | None = None
    vocal_end: float | None = None
    style: str | None = None


#: A PersonaRequest from a tuple of its fields in order, made in C.
_new_request = cast(
    "Callable[[tuple[Any, ...]], PersonaRequest]", functools.partial(tuple.__new__, PersonaRequest)
)


@functools.cache
def _spec() -> dict[str, Any]:
    return evolink_openapi.spec_document()


@functools.cache
def creation_schema() -> dict[str, Any]:
    """The request schema of persona creation, as the merged spec states it."""
    schema: dict[str, Any] = _spec()["components"]["schemas"]["SunoPersonaCreationRequest"]
    return schema


@functools.cache
def _validator() -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for(creation_schema(), validate_formats=True)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON (numbers must be finite)")


#: One strict decoder for every body (`json.loads` with options builds a new one per call).
_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


#: A run of 19 digits anywhere (in a number or a string) means the body may hold an integer
#: beyond 64 bits, which orjson reads as a float and the standard library as an int. Found
#: by mapping every digit to "0" and every other byte to " " and looking for nineteen "0"s:
#: a tenth of what a regular expression's search costs.
_DIGITS_ONLY = bytes(0x30 if 0x30 <= byte <= 0x39 else 0x20 for byte in range(256))
_LONG_DIGITS = b"0" * 19


def parse_json_body(raw: bytes) -> Any:
    """Decode a request body as strict JSON (UTF-8, no NaN/Infinity), or raise a 400.

    orjson decodes the common body several times faster than the standard library and
    agrees with it on every document it accepts, but for integers beyond 64 bits; those
    bodies, and every body orjson refuses (whose 400 then words the standard library's
    reason, or which it accepts after all, such as an escaped lone surrogate), take the
    standard library's path, so what a body means never depends on which decoder read it.
    """
    if _LONG_DIGITS not in raw.translate(_DIGITS_ONLY):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    return _parse_strictly(raw)


def _parse_strictly(raw: bytes) -> Any:
    """The standard library's decoder, with the 400 that names what is wrong."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise invalid_request(
            f"Request body is not valid UTF-8: {exc.reason} at byte {exc.start}"
        ) from None
    if not text.strip():
        raise invalid_request("Request body is empty; send a JSON object")
    try:
        if text.startswith("\ufeff"):  # what json.loads says, which decode() skips
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
        return _DECODER.decode(text)
    except RecursionError:
        raise invalid_request("Request body is nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise invalid_request(
            f"Request body is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except ValueError as exc:
        raise invalid_request(f"Request body is not valid JSON: {exc}") from None


_TYPE_WORDS = {
    "object": "a JSON object",
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "boolean": "a boolean",
    "array": "an array",
}


def _field(path: list[str | int]) -> str:
    return ".".join(str(part) for part in path)


def _at(document: Any, path: list[str | int]) -> Any:
    for part in path:
        document = document[part]
    return document


def _schema_message(body: Any, error: jsonschema_rs.ValidationError) -> tuple[str, str | None]:
    """Word one schema violation as '<field> <reason>' and name the field."""
    path = list(error.instance_path)
    field = _field(path)
    keyword = str(error.schema_path[-1]) if error.schema_path else ""
    kind: Any = error.kind
    if keyword == "required":
        missing = _field([*path, str(kind.property)])
        return f"{missing} is required", missing
    if keyword == "type":
        instance = _at(body, path)
        if isinstance(instance, float) and not math.isfinite(instance):
            return f"{field} must be a finite number", field
        wanted = " or ".join(_TYPE_WORDS.get(str(t), str(t)) for t in kind.types)
        if not field:
            return f"Request body must be {wanted}", None
        return f"{field} must be {wanted}", field
    if keyword == "enum":
        options = ", ".join(f"'{o}'" for o in kind.options)
        return f"{field} must be {options}", field
    if keyword == "format":
        word = "a UUID" if kind.format == "uuid" else f"a valid {kind.format}"
        return f"{field} must be {word}", field
    if keyword == "minimum":
        return f"{field} must be >= {kind.limit}", field
    return f"{field or 'Request body'} is invalid: {error.message}", field or None


def _finite(params: dict[str, Any], key: str) -> float | None:
    value = params.get(key)
    if value is None:
        return None
    try:
        number = float(value)
    except OverflowError:  # an integer literal beyond the float range
        number = math.inf
    if not math.isfinite(number):
        raise invalid_request(f"model_params.{key} must be a finite number", f"model_params.{key}")
    return number


def check_persona_request(body: Any) -> PersonaRequest:
    """Apply the schema, then the cross-field rules; raise a 400 naming the first violation."""
    validator = _validator()
    if not validator.is_valid(body):
        first = next(iter(validator.iter_errors(body)))
        message, param = _schema_message(body, first)
        raise invalid_request(message, param)
    params: dict[str, Any] = body["model_params"]
    has_start = "vocal_start" in params
    has_end = "vocal_end" in params
    if has_start != has_end:
        missing = "vocal_end" if has_start else "vocal_start"
        raise invalid_request(
            "model_params.vocal_start and model_params.vocal_end must be given together "
            f"(model_params.{missing} is missing)",
            f"model_params.{missing}",
        )
    start = _finite(params, "vocal_start")
    end = _finite(params, "vocal_end")
    if start is not None and end is not None:
        if end <= start:
            raise invalid_request(
                "model_params.vocal_end must be greater than model_params.vocal_start",
                "model_params.vocal_end",
            )
        if not VOCAL_WINDOW_MIN <= end - start <= VOCAL_WINDOW_MAX:
            raise invalid_request(WINDOW_MESSAGE, "model_params.vocal_end")
    style = params.get("style")
    # The tuple made directly, in PersonaRequest's field order (its generated `__new__` is a
    # Python frame of its own, a fifth of the rules' cost).
    return _new_request(
        (
            params["source_task_id"],
            params["result_id"],
            params["name"],
            params["description"],
            start,
            end,
            style if style else None,
        )
    )
