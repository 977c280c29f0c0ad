"""The client-side rules of music generation, and the request value that knows them.

The schema says types, enums, the title's and negative tags' lengths, the weights' range
and step and the duration's range; the vendor's prose says the rest: what each mode needs,
lengths per model, which models take a duration or a persona, what a callback URL may be.
``validate_music_request`` checks all of it without I/O and returns every violation at once
(the contract tests hold it against the mock's verdict at every boundary); ``MusicRequest``
is the frozen value ``generate_music`` builds once: its violations and its wire body.

The model names, the vocal genders and the persona modes come from the generated client's
``Literal`` types, so a model the spec adds is accepted after regeneration alone.
"""

from __future__ import annotations

import ipaddress
import re
from decimal import Decimal, InvalidOperation
from typing import Any, Final, get_args
from urllib.parse import urlsplit

from attrs import frozen
from evolink_api.models.suno_music_generation_request import SunoMusicGenerationRequest
from evolink_api.models.suno_music_generation_request_model import (
    SunoMusicGenerationRequestModelListed,
)
from evolink_api.models.suno_music_generation_request_persona_model import (
    SunoMusicGenerationRequestPersonaModelListed,
)
from evolink_api.models.suno_music_generation_request_vocal_gender import (
    SunoMusicGenerationRequestVocalGenderListed,
)

from ._errors import RequestValidationError
from ._models import Persona
from ._rules import Violation

__all__ = [
    "DEFAULT_MUSIC_MODEL",
    "MUSIC_MODELS",
    "MusicRequest",
    "canonical_model",
    "check_music_request",
    "validate_music_request",
]

#: Every model name the spec accepts (the vendor's `-beta` names and the older names).
MUSIC_MODELS: Final[tuple[str, ...]] = get_args(SunoMusicGenerationRequestModelListed)
PERSONA_MODES: Final[tuple[str, ...]] = get_args(SunoMusicGenerationRequestPersonaModelListed)
VOCAL_GENDERS: Final[tuple[str, ...]] = get_args(SunoMusicGenerationRequestVocalGenderListed)
#: "`suno-v5-beta`: V5 latest version (default recommended)".
DEFAULT_MUSIC_MODEL: Final = "suno-v5-beta"

SIMPLE_PROMPT_MAX: Final = 500
V4_PROMPT_MAX: Final = 3000
V45_PROMPT_MAX: Final = 5000
V4_STYLE_MAX: Final = 200
V45_STYLE_MAX: Final = 1000
TITLE_MAX: Final = 80
NEGATIVE_TAGS_MAX: Final = 200
DURATION_MIN: Final = 10
DURATION_MAX: Final = 360
CALLBACK_URL_MAX: Final = 2048
WEIGHTS: Final = ("style_weight", "weirdness_constraint", "audio_weight")
_V5_FAMILY: Final = frozenset({"suno-v5-beta", "suno-v5.5-beta"})
_DURATION_MODELS: Final = frozenset({"suno-v5.5-beta"})
_STEP: Final = Decimal("0.01")
# What RFC 3986 lets a URI hold (the spec's `format: uri`), `%` only before two hex digits.
_URI_TEXT = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")
_INTERNAL_SUFFIXES: Final = (".localhost", ".local", ".internal", ".lan", ".home.arpa")


def canonical_model(model: str) -> str:
    """The `-beta` name a model runs as: "previously integrated model names ... are still
    supported and will be automatically mapped to the corresponding `-beta` versions"."""
    return model if model.endswith("-beta") else f"{model}-beta"


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_text(name: str, value: object, out: list[Violation], limit: int | None = None) -> bool:
    if value is None:
        return False
    if not isinstance(value, str):
        out.append(Violation(name, f"must be a string, got {type(value).__name__}"))
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        out.append(Violation(name, "must be valid Unicode text (it has a lone surrogate)"))
        return False
    if limit is not None and len(value) > limit:
        out.append(Violation(name, f"must be at most {limit} characters, got {len(value)}"))
    return True


def _check_choice(name: str, value: object, choices: tuple[str, ...], out: list[Violation]) -> bool:
    if value is None:
        return False
    if not isinstance(value, str) or value not in choices:
        out.append(Violation(name, f"must be one of {', '.join(choices)}; got {value!r}"))
        return False
    return True


def _check_weight(name: str, value: object, out: list[Violation]) -> None:
    if value is None:
        return
    if not _is_number(value):
        out.append(Violation(name, f"must be a number from 0 to 1, got {type(value).__name__}"))
        return
    assert isinstance(value, int | float)
    try:
        exact = Decimal(repr(value))  # the number as it goes on the wire
    except InvalidOperation:
        exact = Decimal("NaN")
    if not exact.is_finite() or not 0 <= exact <= 1:
        out.append(Violation(name, f"must be from 0.0 to 1.0, got {value!r}"))
    elif exact % _STEP != 0:
        out.append(Violation(name, f"must be a multiple of 0.01 (two decimals), got {value!r}"))


def _check_duration(value: object, out: list[Violation]) -> bool:
    if value is None:
        return False
    integral = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if isinstance(value, bool) or not integral:
        out.append(Violation("duration", f"must be a whole number of seconds, got {value!r}"))
        return False
    assert isinstance(value, int | float)
    if not DURATION_MIN <= value <= DURATION_MAX:
        out.append(
            Violation("duration", f"must be from {DURATION_MIN} to {DURATION_MAX}, got {value!r}")
        )
    return True


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def callback_url_problem(url: str, *, service_on_loopback: bool = False) -> str | None:
    """Why the service would refuse this callback URL, or None.

    "HTTPS only"; "Callbacks to internal IP addresses are prohibited". A service on loopback
    (a local mock) can reach a loopback receiver, so there a loopback http URL is allowed.
    """
    if _URI_TEXT.fullmatch(url) is None:
        return "must be a valid URI (RFC 3986: no spaces, no raw non-ASCII characters)"
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises on a port that is not a number in range
    except ValueError:
        return "is not a valid URL"
    if not host:
        return "must name a host"
    address = _address(host)
    loopback = (address is not None and address.is_loopback) or host == "localhost"
    if loopback and service_on_loopback and parts.scheme in ("http", "https"):
        return None
    if parts.scheme != "https":
        return "must use https (the service calls back over HTTPS only)"
    if address is not None:
        if not address.is_global or address.is_multicast:
            return f"must not point at an internal address ({host})"
    elif host == "localhost" or host.endswith(_INTERNAL_SUFFIXES) or "." not in host:
        return f"must not point at an internal host ({host})"
    return None


def validate_music_request(
    *,
    model: object = DEFAULT_MUSIC_MODEL,
    prompt: object = None,
    custom_mode: object = False,
    instrumental: object = False,
    style: object = None,
    title: object = None,
    negative_tags: object = None,
    vocal_gender: object = None,
    style_weight: object = None,
    weirdness_constraint: object = None,
    audio_weight: object = None,
    persona: object = None,
    persona_model: object = None,
    duration: object = None,
    callback_url: object = None,
    service_on_loopback: bool = False,
) -> list[Violation]:
    """Every client-side rule of music generation the arguments break; empty when valid.

    Pure and total: anything a caller (or a fuzzer) passes gets a verdict, never a crash.
    ``persona`` is a ``Persona`` or a persona id.
    """
    out: list[Violation] = []
    model_ok = _check_choice("model", model, MUSIC_MODELS, out)
    if model is None:
        out.append(Violation("model", "is required"))
    canonical = canonical_model(str(model)) if model_ok else None
    v4 = canonical == "suno-v4-beta"
    modes_ok = True
    for name, flag in (("custom_mode", custom_mode), ("instrumental", instrumental)):
        if not isinstance(flag, bool):
            out.append(Violation(name, f"must be True or False, got {flag!r}"))
            modes_ok = False
    custom = custom_mode is True

    has_prompt = _check_text("prompt", prompt, out)
    has_style = _check_text("style", style, out)
    _check_text("title", title, out, TITLE_MAX)
    _check_text("negative_tags", negative_tags, out, NEGATIVE_TAGS_MAX)
    _check_choice("vocal_gender", vocal_gender, VOCAL_GENDERS, out)
    weights = (style_weight, weirdness_constraint, audio_weight)
    for name, value in zip(WEIGHTS, weights, strict=True):
        _check_weight(name, value, out)
    _check_choice("persona_model", persona_model, PERSONA_MODES, out)
    has_duration = _check_duration(duration, out)

    if modes_ok and not custom:
        if prompt is None:
            out.append(Violation("prompt", "is required in simple mode (custom_mode=False)"))
        elif has_prompt and len(str(prompt)) > SIMPLE_PROMPT_MAX:
            out.append(
                Violation(
                    "prompt",
                    f"must be at most {SIMPLE_PROMPT_MAX} characters in simple mode, "
                    f"got {len(str(prompt))}",
                )
            )
    elif modes_ok:
        if style is None:
            out.append(Violation("style", "is required in custom mode (custom_mode=True)"))
        if title is None:
            out.append(Violation("title", "is required in custom mode (custom_mode=True)"))
        if prompt is None and instrumental is False:
            out.append(
                Violation("prompt", "(the lyrics) is required in custom mode unless instrumental")
            )
        if canonical is not None:
            limits = (
                ("prompt", prompt, has_prompt, V4_PROMPT_MAX if v4 else V45_PROMPT_MAX),
                ("style", style, has_style, V4_STYLE_MAX if v4 else V45_STYLE_MAX),
            )
            for name, value, ok, limit in limits:
                if ok and len(str(value)) > limit:
                    out.append(
                        Violation(
                            name,
                            f"must be at most {limit} characters on {model}, got {len(str(value))}",
                        )
                    )

    duration_allowed = canonical in _DURATION_MODELS and custom
    if has_duration and modes_ok and canonical is not None and not duration_allowed:
        out.append(
            Violation(
                "duration",
                "is available only with suno-v5.5-beta (or suno-v5.5) and custom_mode=True",
            )
        )

    persona_id = _persona_id(persona, out)
    if persona_id is not None and modes_ok:
        if not custom:
            out.append(Violation("persona", "is only available with custom_mode=True"))
        elif canonical is not None and canonical not in _V5_FAMILY:
            out.append(
                Violation(
                    "persona",
                    f"is only supported by V5-family models (suno-v5-beta, suno-v5.5-beta), "
                    f"not {model}",
                )
            )

    if _check_text("callback_url", callback_url, out, CALLBACK_URL_MAX):
        assert isinstance(callback_url, str)
        if len(callback_url) <= CALLBACK_URL_MAX:
            problem = callback_url_problem(callback_url, service_on_loopback=service_on_loopback)
            if problem is not None:
                out.append(Violation("callback_url", problem))
    return out


def _persona_id(persona: object, out: list[Violation]) -> str | None:
    if persona is None:
        return None
    if isinstance(persona, Persona):
        return persona.persona_id
    if not isinstance(persona, str) or not persona.strip():
        out.append(
            Violation("persona", f"must be a Persona or a persona id, got {type(persona).__name__}")
        )
        return None
    return persona


def check_music_request(**arguments: Any) -> None:
    """Raise ``RequestValidationError`` listing every violation, or return None when valid."""
    violations = validate_music_request(**arguments)
    if violations:
        raise RequestValidationError(violations)


@frozen
class MusicRequest:
    """One music generation as ``generate_music`` was asked for it: its rules and its body."""

    model: str = DEFAULT_MUSIC_MODEL
    prompt: str | None = None
    custom_mode: bool = False
    instrumental: bool = False
    style: str | None = None
    title: str | None = None
    negative_tags: str | None = None
    vocal_gender: str | None = None
    style_weight: float | None = None
    weirdness_constraint: float | None = None
    audio_weight: float | None = None
    persona: Persona | str | None = None
    persona_model: str | None = None
    duration: int | None = None
    callback_url: str | None = None

    @property
    def persona_id(self) -> str | None:
        return self.persona.persona_id if isinstance(self.persona, Persona) else self.persona

    def violations(self, *, service_on_loopback: bool = False) -> list[Violation]:
        return validate_music_request(
            **{name: getattr(self, name) for name in _FIELDS},
            service_on_loopback=service_on_loopback,
        )

    def body(self) -> dict[str, Any]:
        """The JSON body of a request whose ``violations()`` are empty.

        Only what the caller set is sent (the service's defaults stay the service's), and a
        whole-number float duration goes as the integer the spec types it as.
        """
        body: dict[str, Any] = {"model": self.model}
        if self.custom_mode:
            body["custom_mode"] = True
        if self.instrumental:
            body["instrumental"] = True
        for name in _OPTIONAL:
            value = getattr(self, name)
            if value is not None:
                body[name] = value
        if self.persona is not None:
            body["persona_id"] = self.persona_id
        if self.duration is not None:
            body["duration"] = int(self.duration)
        return body

    def to_generated(self) -> SunoMusicGenerationRequest:
        """The generated request model of the same body (the property tests compare them)."""
        return SunoMusicGenerationRequest.from_dict(self.body())


_FIELDS: Final = (
    "model",
    "prompt",
    "custom_mode",
    "instrumental",
    "style",
    "title",
    "negative_tags",
    "vocal_gender",
    "style_weight",
    "weirdness_constraint",
    "audio_weight",
    "persona",
    "persona_model",
    "duration",
    "callback_url",
)
_OPTIONAL: Final = (
    "prompt",
    "style",
    "title",
    "negative_tags",
    "vocal_gender",
    "style_weight",
    "weirdness_constraint",
    "audio_weight",
    "persona_model",
    "callback_url",
)
