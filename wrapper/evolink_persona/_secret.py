"""The API key, wrapped so that no repr, str or log line can show it by accident.

A server may echo the key in other spellings than its own: JSON allows any character of a
string to be written ``\\uXXXX`` (and ``/`` as ``\\/``), a URL carries ``/ + =`` as ``%2F %2B
%3D``. The masks match each character of the key in any of those spellings, mixed freely, so a
key is masked in the raw body before anything decodes it, and in every text built from it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

_MASK: Final = "***"


def _hex(code: int, width: int) -> str:
    """A hex number matching either case of its letters: 2f -> 2[fF]."""
    return "".join(f"[{d.lower()}{d.upper()}]" if d.isalpha() else d for d in f"{code:0{width}x}")


def _spellings(char: str) -> list[str]:
    """Regular expressions of every way ``char`` is written in JSON text or a URL."""
    code = ord(char)
    forms = [re.escape(char), r"\\u" + _hex(code, 4), "%" + _hex(code, 2)]
    if char in '/"\\':
        forms.append(re.escape("\\" + char))  # JSON's short escapes: \/ \" \\
    return forms


def _key_pattern(value: str) -> str:
    return "".join("(?:" + "|".join(_spellings(char)) + ")" for char in value)


class ApiKey:
    """Holds the key; ``reveal()`` is the only way to read it (used to build one header)."""

    __slots__ = ("_bytes", "_bytes_pattern", "_pattern", "_value")

    def __init__(self, value: str) -> None:
        self._value = value
        self._bytes = value.encode("utf-8", errors="replace")
        pattern = _key_pattern(value) if value else ""
        # Keys are printable ASCII (checked at construction of a client), so the same
        # expression reads bytes.
        self._pattern = re.compile(pattern) if pattern else None
        self._bytes_pattern = (
            re.compile(pattern.encode("ascii")) if pattern and value.isascii() else None
        )

    def reveal(self) -> str:
        return self._value

    def redact(self, text: str) -> str:
        """``text`` with every spelling of the key masked (e.g. a server echoing a header)."""
        if self._pattern is None:
            return text
        if "\\" not in text and "%" not in text:
            return text.replace(self._value, _MASK) if self._value in text else text
        return self._pattern.sub(_MASK, text)

    def scrub(self, content: bytes) -> bytes:
        """``content`` with every spelling of the key masked.

        Applied to each response body before anything reads it, so no parsed field, error
        message or excerpt can carry a key the service echoed back, escaped or not. A body
        without a backslash or a percent sign costs one substring search.
        """
        if not self._bytes:
            return content
        if self._bytes_pattern is not None and (b"\\" in content or b"%" in content):
            return self._bytes_pattern.sub(_MASK.encode(), content)
        if self._bytes in content:
            return content.replace(self._bytes, _MASK.encode())
        return content

    def __repr__(self) -> str:
        return f"ApiKey({_MASK!r})"

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("an API key is not picklable")


def mask_secrets(text: str, secrets: Sequence[str], mask: str = _MASK) -> str:
    """``text`` with every spelling of each non-empty secret replaced by ``mask``.

    For texts built outside a client (the contract runner's reports): mask before cutting a
    text short, or a key across the cut leaves its start behind.
    """
    for secret in secrets:
        if secret:
            text = re.sub(_key_pattern(secret), lambda _: mask, text)
    return text
