"""Read a vendor OpenAPI document from where it is published: a page or the bare document.

The vendor's documentation site serves each operation as a Markdown page with the
OpenAPI document in one fenced block (```` ````yaml PATH METHOD ````); its source stores
the same documents as JSON. Either form, from a URL or a file, gives one `Extracted`
document whose bytes are exactly the vendor's, or an `UpdateRefused` saying why not.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import httpx
import spec_yaml
import yaml

__all__ = [
    "Extracted",
    "Fetched",
    "UpdateRefused",
    "extract",
    "fenced_blocks",
    "fetch",
    "name_parts",
]

FETCH_TIMEOUT_S = 30.0
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
DATED_NAME = re.compile(
    r"^(?P<stem>.+?)(?:\.(?P<date>\d{4}-\d{2}-\d{2}))?(?:\.(?:json|ya?ml|md|markdown|txt))?$"
)


class UpdateRefused(Exception):
    """The update cannot be taken; the message says why and what to do. Nothing was changed."""


@attrs.frozen
class Fetched:
    """A source as read: its bytes and where they came from."""

    origin: str
    name: str
    raw: bytes


@attrs.frozen
class Extracted:
    """The OpenAPI document found in a source, byte for byte, and what it holds."""

    origin: str
    name: str
    raw: bytes
    content: Mapping[str, Any]
    form: str  # "yaml" or "json": how the vendor published this text
    block: str | None  # the info string of the page's fenced block, for a page

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()

    @property
    def stem(self) -> str:
        """The document's own name: from the page's block, else from the source's name."""
        if self.block:
            words = self.block.split()
            if len(words) > 1:
                return name_parts(words[1].rsplit("/", 1)[-1])[0]
        return name_parts(self.name)[0]

    @property
    def published(self) -> str | None:
        """The date in a dated file name (`name.2026-08-02.json`), the history's convention."""
        return name_parts(self.name)[1]


def name_parts(name: str) -> tuple[str, str | None]:
    match = DATED_NAME.match(name)
    return (match["stem"], match["date"]) if match else (name, None)


def fetch(source: str, cwd: Path) -> Fetched:
    """Read a URL or a file; a relative path is taken from `cwd` (the caller's folder)."""
    if re.match(r"^https?://", source):
        try:
            name = httpx.URL(source).path.rstrip("/").rsplit("/", 1)[-1] or "document"
            response = httpx.get(source, timeout=FETCH_TIMEOUT_S, follow_redirects=True)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise UpdateRefused(f"could not fetch {source}: {exc}") from None
        if response.status_code != 200:
            raise UpdateRefused(f"GET {source} answered {response.status_code}, not 200")
        return Fetched(source, name, response.content)
    path = Path(source)
    if not path.is_absolute():
        path = cwd / path
    if not path.is_file():
        raise UpdateRefused(f"{source}: no such file (and not an http(s) URL)")
    try:
        return Fetched(source, path.name, path.read_bytes())
    except OSError as exc:
        raise UpdateRefused(f"{source}: cannot be read ({exc.strerror})") from None


@attrs.frozen
class _Block:
    info: str
    line: int
    body: str


def fenced_blocks(text: str) -> list[_Block]:
    """The fenced code blocks of a Markdown page, bodies kept byte for byte."""
    lines = text.splitlines(keepends=True)
    blocks: list[_Block] = []
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index].rstrip("\r\n"))
        if not opening or (opening[1][0] == "`" and "`" in opening[2]):
            index += 1
            continue
        fence = opening[1]
        closing = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        end = index + 1
        while end < len(lines) and not closing.match(lines[end].rstrip("\r\n")):
            end += 1
        blocks.append(_Block(opening[2].strip(), index + 1, "".join(lines[index + 1 : end])))
        index = end + 1
    return blocks


def _openapi_mapping(text: str) -> Mapping[str, Any] | None:
    try:
        content = spec_yaml.load(text)
    except yaml.YAMLError:
        return None
    if isinstance(content, dict) and ("openapi" in content or "swagger" in content):
        return content
    return None


def extract(fetched: Fetched) -> Extracted:
    """Find the one OpenAPI document of a page or a bare document; refuse anything else."""
    try:
        text = fetched.raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UpdateRefused(
            f"{fetched.origin} is not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("{"):
        try:
            content = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise UpdateRefused(
                f"{fetched.origin} looks like JSON but does not parse: {exc.msg} "
                f"(line {exc.lineno}, column {exc.colno})"
            ) from None
        return _checked(fetched, fetched.raw, content, "json", None)
    blocks = [b for b in fenced_blocks(text) if _openapi_mapping(b.body) is not None]
    if len(blocks) > 1:
        where = ", ".join(f"line {b.line} (```{b.info})" for b in blocks)
        raise UpdateRefused(
            f"{fetched.origin} holds {len(blocks)} OpenAPI blocks ({where}); a page must hold "
            "exactly one. Save the one you mean as a file and give that file."
        )
    if blocks:
        block = blocks[0]
        content = _openapi_mapping(block.body)
        form = "json" if block.body.lstrip().startswith("{") else "yaml"
        return _checked(fetched, block.body.encode("utf-8"), content, form, block.info)
    try:
        loaded = spec_yaml.load(text)
    except yaml.YAMLError:
        loaded = None
    if isinstance(loaded, dict):
        return _checked(fetched, fetched.raw, loaded, "yaml", None)
    raise UpdateRefused(
        f"{fetched.origin} has no OpenAPI block: looked for a fenced block (```yaml or ```json) "
        "holding a document with an `openapi` field, and the text is not such a document "
        "itself. Give the vendor's page for one operation, or the bare YAML/JSON document."
    )


def _checked(fetched: Fetched, raw: bytes, content: Any, form: str, block: str | None) -> Extracted:
    origin = fetched.origin
    if not isinstance(content, dict):
        raise UpdateRefused(f"{origin} is not an OpenAPI document: its top level is not a mapping")
    if "swagger" in content and "openapi" not in content:
        raise UpdateRefused(
            f"{origin} is a Swagger {content['swagger']} document; only OpenAPI 3.x is taken"
        )
    version = content.get("openapi")
    if not isinstance(version, str) or not version.startswith("3."):
        keys = ", ".join(sorted(map(str, content))[:8])
        raise UpdateRefused(
            f"{origin} is not an OpenAPI 3.x document: it has no `openapi: 3.x` field "
            f"(top-level keys: {keys})"
        )
    if form == "json" and spec_yaml.load(raw.decode("utf-8")) != json.loads(raw):
        # The merge reads every document as YAML: a JSON text must read the same there.
        raise UpdateRefused(f"{origin}: this JSON document does not read the same as YAML")
    # Imported here: half a second to import, which a process that imports this module and
    # never reads a document (each test worker, when it collects) need not pay.
    from openapi_spec_validator import validate as validate_openapi
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    try:
        validate_openapi(content)
    except OpenAPIValidationError as exc:
        where = "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in exc.path)
        raise UpdateRefused(
            f"{origin} is not valid OpenAPI {version}: {exc.message.splitlines()[0]}"
            + (f" (at {where})" if where else "")
        ) from None
    return Extracted(origin, fetched.name, raw, content, form, block)
