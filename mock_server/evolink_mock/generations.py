"""`POST /v1/audios/generations`: one operation, two vendor operations, told apart by `model`.

The merged spec holds one operation whose body is a `oneOf` discriminated by `model`
(README, "Two vendor operations on one path and method"). The mock dispatches the same
way, from the same document: the discriminator's mapping names the schema a `model`
value selects, and that schema's checks and business rules answer the request. A body
with no usable `model` is refused with the values the mapping allows.
"""

from __future__ import annotations

import functools
from typing import Any

import orjson

from .errors import invalid_request
from .music import check_music_request
from .service import MockService
from .validation import _spec, check_persona_request

__all__ = ["create_generation_json", "variants"]

_CREATE_PATH = "/v1/audios/generations"
PERSONA_SCHEMA = "SunoPersonaCreationRequest"
MUSIC_SCHEMA = "SunoMusicGenerationRequest"


@functools.cache
def variants() -> dict[str, str]:
    """`model` value -> the name of the request schema it selects (the spec's mapping)."""
    schema = _spec()["paths"][_CREATE_PATH]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ]
    mapping: dict[str, str] = schema["discriminator"]["mapping"]
    return {value: ref.rsplit("/", 1)[1] for value, ref in mapping.items()}


def create_generation_json(service: MockService, user_id: str, body: Any) -> bytes:
    """Check a creation request under its variant's rules, start its task, and answer with
    the body bytes the app sends (a persona creation's are built directly:
    `MockService.create_persona_json`)."""
    variant = _variant(body)
    if variant == MUSIC_SCHEMA:
        allow_loopback = service.config.callback_mode == "test"
        music = check_music_request(body, allow_loopback_callbacks=allow_loopback)
        return orjson.dumps(service.create_music(user_id, music))
    return service.create_persona_json(user_id, check_persona_request(body))


def _variant(body: Any) -> str:
    """The request schema a creation body selects by its `model`, or the 400 that says why not."""
    if not isinstance(body, dict):
        raise invalid_request("Request body must be a JSON object")
    model = body.get("model")
    if model is None:
        raise invalid_request("model is required", "model")
    variant = variants().get(model) if isinstance(model, str) else None
    if variant is None:
        options = ", ".join(f"'{value}'" for value in variants())
        raise invalid_request(f"model must be {options}", "model")
    return variant
