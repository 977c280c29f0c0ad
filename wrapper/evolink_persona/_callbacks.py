"""Reading a task callback: the body the service POSTs to ``callback_url`` when a task ends.

The vendor: "The callback body matches the task detail structure returned by
`GET /v1/tasks/{id}`". So a callback is read exactly like a task read: the same tolerant
parser (unknown statuses and extra fields pass, a missing ``id`` or ``status`` does not),
and the same redaction (an error quotes at most a short excerpt of the body, with the API
key, when given, masked). Nothing here does I/O: call it from any web framework.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ._errors import UnexpectedResponseError, body_excerpt, decode_json
from ._models import SchemaError, Task, parse_task
from ._secret import ApiKey

__all__ = ["read_callback"]


def read_callback(
    body: bytes | bytearray | str | Mapping[str, Any], *, api_key: str | None = None
) -> Task:
    """The ``Task`` a received callback body describes (bytes as received, or parsed JSON).

    Raises ``UnexpectedResponseError`` (with a redacted excerpt) when the body is not the
    task-detail JSON: not UTF-8 JSON, not an object, or without a task ``id``/``status``.
    """
    key = ApiKey(api_key) if api_key else None
    if isinstance(body, Mapping):
        data: Any = body
        raw = _as_bytes(body)
    else:
        raw = body.encode("utf-8", errors="replace") if isinstance(body, str) else bytes(body)
        try:
            data = decode_json(raw)
        except ValueError as exc:
            raise UnexpectedResponseError(
                f"the callback body is not JSON ({type(exc).__name__})",
                body_excerpt=body_excerpt(raw, key),
            ) from None
    try:
        return parse_task(data)
    except SchemaError as exc:
        raise UnexpectedResponseError(
            f"the callback body is not a task detail: {exc}",
            body_excerpt=body_excerpt(raw, key),
        ) from None


def _as_bytes(data: Mapping[str, Any]) -> bytes:
    try:
        return json.dumps(data, default=str).encode("utf-8", errors="replace")
    except (ValueError, TypeError, RecursionError):
        return repr(type(data)).encode()
