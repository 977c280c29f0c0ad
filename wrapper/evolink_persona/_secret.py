"""The API key, wrapped so that no repr, str or log line can show it by accident."""

from __future__ import annotations

from typing import Final

_MASK: Final = "***"


class ApiKey:
    """Holds the key; ``reveal()`` is the only way to read it (used to build one header)."""

    __slots__ = ("_bytes", "_value")

    def __init__(self, value: str) -> None:
        self._value = value
        self._bytes = value.encode("utf-8", errors="replace")

    def reveal(self) -> str:
        return self._value

    def redact(self, text: str) -> str:
        """Replace every occurrence of the key in ``text`` (e.g. a server echoing a header)."""
        if self._value and self._value in text:
            return text.replace(self._value, _MASK)
        return text

    def scrub(self, content: bytes) -> bytes:
        """``content`` with every occurrence of the key masked (one substring search when absent).

        Applied to each response body before anything reads it, so no parsed field, error
        message or excerpt can carry a key the service echoed back.
        """
        if self._bytes and self._bytes in content:
            return content.replace(self._bytes, _MASK.encode())
        return content

    def __repr__(self) -> str:
        return f"ApiKey({_MASK!r})"

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("an API key is not picklable")
