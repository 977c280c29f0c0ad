"""The API key, wrapped so that no repr, str or log line can show it by accident."""

from __future__ import annotations

from typing import Final

_MASK: Final = "***"


class ApiKey:
    """Holds the key; ``reveal()`` is the only way to read it (used to build one header)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def redact(self, text: str) -> str:
        """Replace every occurrence of the key in ``text`` (e.g. a server echoing a header)."""
        if self._value and self._value in text:
            return text.replace(self._value, _MASK)
        return text

    def __repr__(self) -> str:
        return f"ApiKey({_MASK!r})"

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("an API key is not picklable")
