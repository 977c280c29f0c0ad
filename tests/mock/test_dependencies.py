"""What the distribution declares: no unused mock dependency, no known-vulnerable floor."""

from __future__ import annotations

import ast
import importlib.metadata
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]

#: Lowest versions a resolver may pick without our lock, and why.
SAFE_FLOORS = {
    "h11": Version("0.16"),  # CVE-2025-43859: lenient chunked-body parsing, request smuggling
    "httpcore": Version("1.0.9"),  # the first httpcore that allows h11 0.16
}
_FLOORS = {">=", ">", "==", "~="}
#: Mock dependencies the mock never imports because uvicorn loads them by itself.
LOADED_BY_UVICORN = {"uvloop"}


def _requirements(section: list[str]) -> dict[str, Requirement]:
    found = (Requirement(line) for line in section)
    return {canonicalize_name(r.name): r for r in found}


def _distributions_imported_by_the_mock() -> set[str]:
    owners = importlib.metadata.packages_distributions()
    names: set[str] = set()
    # evolink_openapi too: the mock reads the merged spec through its spec_document(), which
    # imports PyYAML (the base install never calls it, so PyYAML stays in the mock extra).
    sources = [*(ROOT / "mock_server" / "evolink_mock").glob("*.py")]
    sources += (ROOT / "openapi" / "evolink_openapi").glob("*.py")
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
    return {canonicalize_name(dist) for name in names for dist in owners.get(name, ())}


def test_every_mock_dependency_is_used() -> None:
    declared = set(_requirements(PROJECT["optional-dependencies"]["mock"]))
    unused = declared - _distributions_imported_by_the_mock() - LOADED_BY_UVICORN
    assert unused == set()


def test_no_dependency_floor_admits_a_known_vulnerable_version() -> None:
    declared = _requirements(PROJECT["dependencies"])
    for extra in PROJECT["optional-dependencies"].values():
        declared.update(_requirements(extra))
    for name, floor in SAFE_FLOORS.items():
        assert name in declared, f"{name} needs a declared floor of {floor}"
        lowest = [Version(s.version) for s in declared[name].specifier if s.operator in _FLOORS]
        assert lowest, f"{name} is declared without a lower bound"
        assert max(lowest) >= floor, f"{name} allows versions below {floor}"
