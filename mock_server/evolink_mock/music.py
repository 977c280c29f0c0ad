"""Request checking for music generation: the schema, then the rules of the vendor's prose.

The merged spec's `SunoMusicGenerationRequest` says the types, enums, the title and
negative-tag lengths, the weights' range and step and the duration's range. What its
prose adds is checked here, each rule with its own message naming the field, in the
order a reader meets them in the vendor's document:

- simple mode (`custom_mode` false or absent) needs `prompt`, at most 500 characters;
- custom mode needs `style` and `title`, and `prompt` (the lyrics) unless instrumental;
  its prompt is at most 3000 characters on V4 and 5000 on V4.5+, its style 200 and 1000;
- `duration` only with `suno-v5.5-beta` (or `suno-v5.5`) in custom mode;
- `persona_id` only in custom mode, and only on V5-family models;
- `callback_url` at most 2048 characters, HTTPS, not an internal address (`callbacks`).

Fields the prose calls unsupported in simple mode "have no effect" there, and the API
"is not guaranteed to reject them": the mock accepts and ignores them. This module never
imports the SDK: the mock is the independent oracle.
"""

from __future__ import annotations

import functools
from typing import Any

import attrs
import jsonschema_rs

from .callbacks import callback_url_problem
from .errors import invalid_request
from .validation import _schema_message, _spec

__all__ = [
    "COMPATIBLE_MODELS",
    "MUSIC_CREDITS",
    "MUSIC_MODELS",
    "SONGS_PER_TASK",
    "MusicRequest",
    "canonical_model",
    "check_music_request",
    "credits_for",
    "music_schema",
    "song_titles",
]

#: The vendor's model names, newest first (the schema's enum).
MUSIC_MODELS: tuple[str, ...] = (
    "suno-v5.5-beta",
    "suno-v5-beta",
    "suno-v4.5plus-beta",
    "suno-v4.5all-beta",
    "suno-v4.5-beta",
    "suno-v4-beta",
)
#: "Previously integrated model names ... are still supported and will be automatically
#: mapped to the corresponding `-beta` versions."
COMPATIBLE_MODELS: dict[str, str] = {m.removesuffix("-beta"): m for m in MUSIC_MODELS}

SIMPLE_PROMPT_MAX = 500
V4_PROMPT_MAX, V45_PROMPT_MAX = 3000, 5000
V4_STYLE_MAX, V45_STYLE_MAX = 200, 1000
CALLBACK_URL_MAX = 2048
V5_FAMILY = frozenset({"suno-v5-beta", "suno-v5.5-beta"})
DURATION_MODELS = frozenset({"suno-v5.5-beta"})


#: Credits one music task reserves, by model. The vendor's document gives no prices (its
#: example reserves 10 on suno-v5-beta): these are the mock's own, newer models dearer.
MUSIC_CREDITS: dict[str, float] = {
    "suno-v5.5-beta": 12.0,
    "suno-v5-beta": 10.0,
    "suno-v4.5plus-beta": 8.0,
    "suno-v4.5all-beta": 8.0,
    "suno-v4.5-beta": 8.0,
    "suno-v4-beta": 6.0,
}
#: "Each request generates multiple music variations": the mock makes two.
SONGS_PER_TASK = 2


def credits_for(model: str) -> float:
    """Credits a music task on `model` (any accepted name) reserves."""
    return MUSIC_CREDITS[canonical_model(model)]


def song_titles(request: MusicRequest) -> list[str]:
    """The titles of a task's songs: the request's title (custom mode) or the mock's own."""
    base = request.title or "Untitled"
    return [base if n == 0 else f"{base} ({n + 1})" for n in range(SONGS_PER_TASK)]


def canonical_model(model: str) -> str:
    """The `-beta` name a model runs as (`suno-v5` -> `suno-v5-beta`)."""
    return COMPATIBLE_MODELS.get(model, model)


@attrs.frozen
class MusicRequest:
    """A music-generation request that passed every rule; `model` is the canonical name."""

    model: str
    requested_model: str
    custom_mode: bool
    instrumental: bool
    prompt: str | None
    style: str | None
    title: str | None
    persona_id: str | None
    persona_model: str | None
    duration: int | None
    callback_url: str | None


@functools.cache
def music_schema() -> dict[str, Any]:
    """The request schema of music generation, as the merged spec states it."""
    schema: dict[str, Any] = _spec()["components"]["schemas"]["SunoMusicGenerationRequest"]
    return schema


@functools.cache
def _validator() -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for(music_schema(), validate_formats=True)


def _limit(field: str, text: str | None, limit: int, why: str) -> None:
    if text is not None and len(text) > limit:
        raise invalid_request(
            f"{field} must be at most {limit} characters{' ' + why if why else ''} "
            f"(got {len(text)})",
            field,
        )


def check_music_request(body: Any, *, allow_loopback_callbacks: bool = False) -> MusicRequest:
    """Apply the schema, then the prose's rules; raise a 400 naming the first violation."""
    validator = _validator()
    if not validator.is_valid(body):
        first = next(iter(validator.iter_errors(body)))
        message, param = _schema_message(body, first)
        raise invalid_request(message, param)
    requested = body["model"]
    model = canonical_model(requested)
    custom = bool(body.get("custom_mode", False))
    instrumental = bool(body.get("instrumental", False))
    prompt, style, title = body.get("prompt"), body.get("style"), body.get("title")
    v4 = model == "suno-v4-beta"
    if not custom:
        if prompt is None:
            raise invalid_request("prompt is required in simple mode (custom_mode=false)", "prompt")
        _limit("prompt", prompt, SIMPLE_PROMPT_MAX, "in simple mode")
    else:
        if style is None:
            raise invalid_request("style is required in custom mode (custom_mode=true)", "style")
        if title is None:
            raise invalid_request("title is required in custom mode (custom_mode=true)", "title")
        if prompt is None and not instrumental:
            raise invalid_request(
                "prompt (the lyrics) is required in custom mode unless instrumental=true",
                "prompt",
            )
        limit = V4_PROMPT_MAX if v4 else V45_PROMPT_MAX
        _limit("prompt", prompt, limit, f"in custom mode on {requested}")
        _limit("style", style, V4_STYLE_MAX if v4 else V45_STYLE_MAX, f"on {requested}")
    if "duration" in body and (model not in DURATION_MODELS or not custom):
        raise invalid_request(
            "duration is available only with suno-v5.5-beta (or suno-v5.5) and custom_mode=true",
            "duration",
        )
    persona_id = body.get("persona_id")
    if persona_id is not None:
        if not custom:
            raise invalid_request(
                "persona_id is only available with custom_mode=true", "persona_id"
            )
        if model not in V5_FAMILY:
            raise invalid_request(
                f"persona_id is only supported by V5-family models (suno-v5-beta, suno-v5.5-beta), "
                f"not {requested}",
                "persona_id",
            )
    callback_url = body.get("callback_url")
    if callback_url is not None:
        _limit("callback_url", callback_url, CALLBACK_URL_MAX, "")
        problem = callback_url_problem(callback_url, allow_loopback=allow_loopback_callbacks)
        if problem is not None:
            raise invalid_request(f"callback_url {problem}", "callback_url")
    return MusicRequest(
        model=model,
        requested_model=requested,
        custom_mode=custom,
        instrumental=instrumental,
        prompt=prompt,
        style=style if custom else None,
        title=title if custom else None,
        persona_id=persona_id,
        persona_model=body.get("persona_model") if persona_id is not None else None,
        duration=body.get("duration"),
        callback_url=callback_url,
    )
