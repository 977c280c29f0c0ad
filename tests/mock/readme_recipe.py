"""The README's fixture recipe, read from the README itself, so the tests run it as written."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARKER = "<!-- fixture-recipe"


def readme_recipe(readme: Path = ROOT / "README.md") -> str:
    """The Python block that follows the fixture-recipe marker in ``readme``."""
    text = readme.read_text(encoding="utf-8")
    start = text.index("```python\n", text.index(MARKER)) + len("```python\n")
    return text[start : text.index("```\n", start)]
