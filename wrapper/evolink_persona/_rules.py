"""The persona request: one value object that knows its rules and its body.

The schema cannot say "both or neither" or "the window is 10 to 30 seconds"; these rules say
it, before anything is sent. ``PersonaRequest`` is built once, at the public method, from the
same keyword arguments as ``create_persona``: ``violations()`` lists every broken rule at
once, ``body()`` is the JSON the generated request model makes of it. Its fields are the one
place the SDK names the persona parameters. The contract tests hold the rules against the
mock server's verdict, so they must stay free of I/O and of state.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Mapping
from typing import Any, Final, cast

from attrs import frozen
from evolink_api.models.suno_persona_creation_request import SunoPersonaCreationRequest
from evolink_api.models.suno_persona_creation_request_model_params import (
    SunoPersonaCreationRequestModelParams,
)
from evolink_api.types import UNSET

from ._errors import RequestValidationError

PERSONA_MODEL: Final = "suno-persona"
MIN_VOCAL_WINDOW = 10.0
MAX_VOCAL_WINDOW = 30.0

# The spec's format: uuid is the hyphenated 8-4-4-4-12 form; uuid.UUID() alone would also take
# braces, "urn:uuid:" and bare hex, which a server validating the format refuses.
_UUID_TEXT = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
# The text ``str(uuid.UUID(...))`` gives: the same form, lowercase.
_CANONICAL_UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@frozen
class Violation:
    """One broken rule: the parameter (as create_persona names it) and why."""

    field: str
    reason: str


def _is_number(value: object) -> bool:
    # bool is an int subclass, but True is not a time in seconds.
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_time(name: str, value: object, out: list[Violation]) -> bool:
    if not _is_number(value):
        out.append(Violation(name, f"must be a number of seconds, got {type(value).__name__}"))
        return False
    assert isinstance(value, int | float)
    try:
        finite = math.isfinite(value)
    except OverflowError:  # an int beyond float range: no server can take it as seconds
        finite = False
    if not finite:
        out.append(Violation(name, "must be a finite number"))
        return False
    if value < 0:
        out.append(Violation(name, "must be >= 0"))
        return False
    return True


def _violations(
    source_task_id: object,
    result_id: object,
    name: object,
    description: object,
    vocal_start: object,
    vocal_end: object,
    style: object,
) -> list[Violation]:
    arguments = (source_task_id, result_id, name, description, vocal_start, vocal_end, style)
    if _plainly_valid(*arguments):
        return []
    return _all_violations(*arguments)


def _all_violations(
    source_task_id: object,
    result_id: object,
    name: object,
    description: object,
    vocal_start: object,
    vocal_end: object,
    style: object,
) -> list[Violation]:
    out: list[Violation] = []
    _check_string("source_task_id", source_task_id, out)
    _check_result_id(result_id, out)
    _check_string("name", name, out)
    _check_string("description", description, out)

    if (vocal_start is None) != (vocal_end is None):
        missing = "vocal_end" if vocal_end is None else "vocal_start"
        out.append(
            Violation(missing, "vocal_start and vocal_end go together: give both or neither")
        )
    start_ok = vocal_start is not None and _check_time("vocal_start", vocal_start, out)
    end_ok = vocal_end is not None and _check_time("vocal_end", vocal_end, out)
    if start_ok and end_ok:
        assert isinstance(vocal_start, int | float)
        assert isinstance(vocal_end, int | float)
        if not vocal_end > vocal_start:
            out.append(Violation("vocal_end", "must be greater than vocal_start"))
        else:
            window = vocal_end - vocal_start
            if not MIN_VOCAL_WINDOW <= window <= MAX_VOCAL_WINDOW:
                out.append(
                    Violation(
                        "vocal_end",
                        f"vocal_end - vocal_start must be between {MIN_VOCAL_WINDOW:g} and "
                        f"{MAX_VOCAL_WINDOW:g} seconds, got {window:g}",
                    )
                )

    if style is not None and not isinstance(style, str):
        out.append(Violation("style", f"must be a string, got {type(style).__name__}"))
    elif isinstance(style, str) and not _is_sendable(style):
        out.append(Violation("style", _LONE_SURROGATE))
    return out


def _plainly_valid(
    source_task_id: object,
    result_id: object,
    name: object,
    description: object,
    vocal_start: object,
    vocal_end: object,
    style: object,
) -> bool:
    """True for the common valid request (ASCII text, a UUID, no or a plain window).

    Only a shortcut: whatever it cannot tell quickly goes to the full check, which agrees with
    it on everything it accepts (a property in tests/sdk/test_rules.py holds them equal).
    """
    if not (
        type(source_task_id) is str
        and type(name) is str
        and type(description) is str
        and source_task_id.isascii()
        and name.isascii()
        and description.isascii()
        and (style is None or (type(style) is str and style.isascii()))
    ):
        return False
    if type(result_id) is str:
        if _UUID_TEXT.fullmatch(result_id) is None:
            return False
    elif not isinstance(result_id, uuid.UUID):
        return False
    if vocal_start is None and vocal_end is None:
        return True
    if type(vocal_start) not in (int, float) or type(vocal_end) not in (int, float):
        return False
    assert isinstance(vocal_start, int | float)
    assert isinstance(vocal_end, int | float)
    try:
        window = vocal_end - vocal_start
        return (
            math.isfinite(vocal_start)
            and math.isfinite(vocal_end)
            and vocal_start >= 0
            and vocal_end > vocal_start
            and MIN_VOCAL_WINDOW <= window <= MAX_VOCAL_WINDOW
        )
    except OverflowError:
        return False


def _check_string(name: str, value: object, out: list[Violation]) -> None:
    if value is None:
        out.append(Violation(name, "is required"))
    elif not isinstance(value, str):
        out.append(Violation(name, f"must be a string, got {type(value).__name__}"))
    elif not _is_sendable(value):
        out.append(Violation(name, _LONE_SURROGATE))


_LONE_SURROGATE = "must be valid Unicode text (it has a lone surrogate, which JSON cannot send)"


def _is_sendable(text: str) -> bool:
    # A lone surrogate ("\ud800", e.g. from a bad decode) makes the UTF-8 encoding of the body
    # fail inside httpx; found here it is one more violation, reported with the others.
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_result_id(result_id: object, out: list[Violation]) -> None:
    if result_id is None:
        out.append(Violation("result_id", "is required"))
    elif isinstance(result_id, uuid.UUID):
        return
    elif not isinstance(result_id, str):
        out.append(Violation("result_id", f"must be a UUID, got {type(result_id).__name__}"))
    elif _UUID_TEXT.fullmatch(result_id) is None:
        out.append(
            Violation("result_id", "must be a UUID like 4fcc4507-a7ae-4441-ad8a-465c2f61d5bb")
        )


@frozen(kw_only=True)
class PersonaRequest:
    """The arguments of one persona creation, as given (checked by ``violations``, not here).

    Typed as ``create_persona`` types them; any value is accepted at construction so that
    every mistake gets a verdict from ``violations`` instead of a crash.
    """

    source_task_id: str
    result_id: str | uuid.UUID
    name: str
    description: str
    vocal_start: float | None = None
    vocal_end: float | None = None
    style: str | None = None

    def violations(self) -> list[Violation]:
        """Every client-side rule these arguments break, in parameter order; empty when valid.

        Pure: same arguments, same answer; no I/O.
        """
        return _violations(
            self.source_task_id,
            self.result_id,
            self.name,
            self.description,
            self.vocal_start,
            self.vocal_end,
            self.style,
        )

    def check(self) -> PersonaRequest:
        """This request, or ``RequestValidationError`` listing every violation."""
        if _plainly_valid(
            self.source_task_id,
            self.result_id,
            self.name,
            self.description,
            self.vocal_start,
            self.vocal_end,
            self.style,
        ):
            return self
        violations = self.violations()
        if violations:
            raise RequestValidationError(violations)
        return self

    def to_model(self) -> SunoPersonaCreationRequest:
        """The generated request model (for a request that passed ``check``).

        ``model`` is filled in and an empty ``style`` is left out, as the rules say.
        """
        result_id = self.result_id
        return self._model(result_id if isinstance(result_id, uuid.UUID) else uuid.UUID(result_id))

    def _model(self, result_id: uuid.UUID) -> SunoPersonaCreationRequest:
        params = SunoPersonaCreationRequestModelParams(
            source_task_id=self.source_task_id,
            result_id=result_id,
            name=self.name,
            description=self.description,
            vocal_start=UNSET if self.vocal_start is None else self.vocal_start,
            vocal_end=UNSET if self.vocal_end is None else self.vocal_end,
            style=self.style if self.style else UNSET,
        )
        return SunoPersonaCreationRequest(model=PERSONA_MODEL, model_params=params)

    def body(self, extra_body: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The JSON body the generated model makes, with ``extra_body`` merged into it.

        A ``result_id`` already written as the model writes a UUID (lowercase 8-4-4-4-12, the
        form users copy from a task) goes into the model as that text: the model's ``to_dict``
        writes ``str(result_id)``, which for it is the text itself, so a parse into
        ``uuid.UUID`` and a format back to the same text are spared. Any other form goes
        through ``uuid.UUID`` (which also refuses a request that skipped ``check``). The model
        is built here only for its ``to_dict``; ``to_model`` always holds a ``uuid.UUID``.
        """
        result_id = self.result_id
        if type(result_id) is str and _CANONICAL_UUID_TEXT.fullmatch(result_id) is not None:
            model = self._model(cast(uuid.UUID, result_id))
        else:
            model = self.to_model()
        body = model.to_dict()
        return merge_extra(body, extra_body) if extra_body else body


def merge_extra(body: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """``body`` with ``extra`` merged in: objects merge key by key, any other value replaces.

    So ``extra_body={"model_params": {"new_field": 1}}`` adds one parameter to the built ones.
    """
    merged = dict(body)
    for key, value in extra.items():
        current = merged.get(key)
        if isinstance(current, dict) and isinstance(value, Mapping):
            merged[key] = merge_extra(current, value)
        else:
            merged[key] = value
    return merged


def validate_persona_request(**arguments: Any) -> list[Violation]:
    """Every rule the ``create_persona`` arguments break, at once; empty when valid.

    Takes exactly the keyword arguments of ``create_persona`` (an unknown or a missing
    required one is a ``TypeError``, as it is there).
    """
    return PersonaRequest(**arguments).violations()


def check_persona_request(**arguments: Any) -> None:
    """Raise ``RequestValidationError`` listing every violation, or return None when valid."""
    PersonaRequest(**arguments).check()
