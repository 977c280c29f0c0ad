"""Reading YAML for the spec pipeline: libyaml's parser when PyYAML was built with it.

PyYAML's pure-Python parser reads the merged spec about ten times slower than its libyaml
binding, and the pipeline reads every source document on each merge, check and update.
Both build the same plain data (``SafeLoader``'s constructors, same resolver); only the
parser differs. Errors are ``yaml.YAMLError`` either way.
"""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["load"]

_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(text: str | bytes) -> Any:
    """``yaml.safe_load(text)``, on the faster parser where there is one."""
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
