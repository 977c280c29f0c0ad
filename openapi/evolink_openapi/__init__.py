"""The merged OpenAPI document, shipped as package data so every consumer reads one file.

`scripts/regenerate` writes `evolink-persona.yaml` here from the documents listed in
`openapi/merge.toml`; the mock server and the contract harness load it through this
module so an installed wheel and a source checkout see the same contract.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["SPEC_FILENAME", "spec_document", "spec_path", "spec_text"]

SPEC_FILENAME = "evolink-persona.yaml"


def spec_path() -> Path:
    """Filesystem path of the merged document (for tools that want a path, such as `st run`)."""
    return Path(str(resources.files(__name__).joinpath(SPEC_FILENAME)))


def spec_text() -> str:
    """The merged document as YAML text."""
    return resources.files(__name__).joinpath(SPEC_FILENAME).read_text(encoding="utf-8")


def spec_document() -> dict[str, Any]:
    """The merged document parsed, a new copy each call (callers may annotate it).

    Needs PyYAML (the ``mock`` extra). Its libyaml parser is used where PyYAML was built
    with it: the pure-Python one takes about 0.3 s for this document, which every process
    that reads the spec (each test worker, each mock) would pay.
    """
    import yaml  # only the readers of the parsed document need PyYAML (the mock extra)

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document: dict[str, Any] = yaml.load(spec_text(), Loader=loader)  # noqa: S506 - safe loader
    return document
