"""Steer a generated *valid* music request so that, on a correct server, it can succeed.

The schema lets a valid music request break the prose's rules (a duration on V4, a
persona on simple mode, a 4000-character V4 prompt, a persona no one made, a callback to
a host the harness must not call). Each positive request is rewritten the least it takes:
the mode its fields need, a model that allows them, the required fields of its mode,
lengths cut to its model's limits, a real persona of the caller, a loopback callback.
Negative requests are left exactly as generated.
"""

from __future__ import annotations

from typing import Any, Final

__all__ = ["MUSIC_MODEL_PREFIX", "steer_music"]

MUSIC_MODEL_PREFIX: Final = "suno-v"
_V5: Final = ("suno-v5-beta", "suno-v5.5-beta", "suno-v5", "suno-v5.5")
_V55: Final = ("suno-v5.5-beta", "suno-v5.5")
_CUSTOM_ONLY: Final = ("duration", "persona_id")


def _is_v4(model: str) -> bool:
    return model in ("suno-v4-beta", "suno-v4")


def steer_music(body: dict[str, Any], *, persona_id: str | None, callback_url: str | None) -> None:
    """Rewrite a schema-valid music body in place so every rule of the prose holds."""
    if "persona_id" in body and persona_id is None:
        del body["persona_id"]
    if any(field in body for field in _CUSTOM_ONLY):
        body["custom_mode"] = True
    if "duration" in body:
        body["model"] = "suno-v5.5-beta"
    if "persona_id" in body:
        body["persona_id"] = persona_id
        if body["model"] not in _V5:
            body["model"] = "suno-v5-beta"
    model = str(body["model"])
    if body.get("custom_mode", False):
        body.setdefault("style", "steered style")
        body.setdefault("title", "Steered")
        if not body.get("instrumental", False):
            body.setdefault("prompt", "[Verse] steered lyrics")
        if "prompt" in body:
            body["prompt"] = body["prompt"][: 3000 if _is_v4(model) else 5000]
        body["style"] = body["style"][: 200 if _is_v4(model) else 1000]
    else:
        body.setdefault("prompt", "a steered song")
        body["prompt"] = body["prompt"][:500]
    if "callback_url" in body:
        if callback_url is None:
            del body["callback_url"]
        else:
            body["callback_url"] = callback_url
