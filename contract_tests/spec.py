"""The merged OpenAPI document as the harness reads it, and schemathesis schemas built on it.

Every schemathesis schema here comes from ``evolink_openapi`` (the shipped merged
document), with the harness's seed and budgets, aimed either at an in-process ASGI app or
at a base URL. Nothing reads ``openapi/`` sources or shared reference files at runtime.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

import evolink_openapi
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.schemas import OpenApiSchema

from . import budget

CREATE_OPERATION = "POST /v1/audios/generations"
TASK_OPERATION = "GET /v1/tasks/{task_id}"
#: Operations without a negative case: a task id is a free-form string in the path, so every
#: negative draw is rejected, and hypothesis spends about 460 of them (most of a second of
#: CPU) before it gives up. ``test_probing`` holds the spec to this.
WITHOUT_NEGATIVE_CASES = frozenset({TASK_OPERATION})


@functools.cache
def _merged_spec() -> dict[str, Any]:
    return evolink_openapi.spec_document()


def merged_spec() -> dict[str, Any]:
    """A private copy of the merged document (schemathesis annotates what it is given)."""
    return copy.deepcopy(_merged_spec())


def component_schema(name: str) -> dict[str, Any]:
    """One schema of ``components.schemas``, with the document's other components reachable."""
    spec = merged_spec()
    schema: dict[str, Any] = spec["components"]["schemas"][name]
    return {**schema, "components": spec["components"]}


def conformance_schema(
    *,
    api_key: str,
    app: Any = None,
    base_url: str | None = None,
    examples: int = budget.CONFORMANCE_EXAMPLES,
    phases: tuple[str, ...] = ("examples", "coverage", "fuzzing", "stateful"),
    mode: str = "all",
    request_timeout: float | None = None,
) -> OpenApiSchema:
    """A schemathesis schema of the merged spec, seeded, authenticated with ``api_key``.

    ``app`` (an ASGI app) sends every request in-process; otherwise ``base_url`` is used,
    each request bounded by ``request_timeout`` seconds.
    """
    if (app is None) == (base_url is None):
        raise ValueError("give exactly one of app or base_url")
    known = ("examples", "coverage", "fuzzing", "stateful")
    settings: dict[str, Any] = {
        "seed": budget.SEED,
        "generation": {
            "max-examples": examples,
            "deterministic": True,
            "database": "none",
            "mode": mode,
        },
        "headers": {"Authorization": f"Bearer {api_key}"},
        "phases": {
            name: (
                {"enabled": name in phases, "max-steps": budget.STATEFUL_STEPS}
                if name == "stateful"
                else {"enabled": name in phases}
            )
            for name in known
        },
    }
    if base_url is not None:
        settings["base-url"] = base_url
    if request_timeout is not None:
        settings["request-timeout"] = request_timeout
    config = SchemathesisConfig.from_dict(settings)
    schema = schemathesis.openapi.from_dict(merged_spec(), config=config)
    if app is not None:
        schema.app = app
    return schema
