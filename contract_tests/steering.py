"""Steer generated *valid* requests toward real tasks and songs, so they can succeed.

A schema-valid persona request names a random ``source_task_id`` and ``result_id``; a
correct server refuses it (no such task), and the positive-data check would learn nothing.
Rather than widen the statuses a valid request may get, the harness rewrites each positive
request before it is sent: the creation names a fresh song of a finished music task and a
vocal window the prose allows; the task detail names a task the caller can read. Negative
requests are left exactly as generated: the server must refuse them as they are.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import attrs
import jsonschema_rs
from schemathesis import Case, GenerationMode

from .music_steering import steer_music
from .spec import CREATE_OPERATION, TASK_OPERATION, merged_spec

__all__ = ["SongSupply", "steer"]

#: Vocal window (seconds) given to a positive request whose generated window breaks the prose.
_STEERED_WINDOW = 20.0


@attrs.define
class SongSupply:
    """Where steered requests point: fresh songs to create from, tasks the caller can read."""

    #: A new (source_task_id, result_id) pair no persona has been made from yet.
    fresh_song: Callable[[], tuple[str, str]] | None
    #: Ids of tasks the caller owns (music, persona, failed, unfinished...).
    readable_tasks: tuple[str, ...]
    #: A completed persona of the caller, for music requests that apply one.
    persona_id: str | None = None
    #: Where steered music requests ask their callback to go (a loopback receiver).
    callback_url: str | None = None
    _turn: int = 0

    def next_readable(self) -> str:
        """The readable tasks in turn, so every shape of task is read, whatever was generated."""
        task_id = self.readable_tasks[self._turn % len(self.readable_tasks)]
        self._turn += 1
        return task_id


@functools.cache
def _creation_body_validator() -> jsonschema_rs.Validator:
    """The creation's request-body schema (the ``oneOf`` of both operations) as a validator."""
    spec = merged_spec()
    body = spec["paths"]["/v1/audios/generations"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    return jsonschema_rs.validator_for({**schema, "components": spec["components"]})


def _is_positive(case: Case[Any]) -> bool:
    meta = case.meta
    return meta is not None and meta.generation.mode == GenerationMode.POSITIVE


def is_mislabelled_negative(case: Case[Any]) -> bool:
    """A creation drawn as invalid whose body the spec accepts: not a negative case at all.

    Negative generation cannot always break a body whose schema allows extra properties (a
    music request gains an unknown field and stays valid). Such a case is neither a valid
    request steered to succeed nor an invalid one a server must refuse, so it is not sent:
    the positive cases cover valid bodies.
    """
    meta = case.meta
    return (
        meta is not None
        and meta.generation.mode == GenerationMode.NEGATIVE
        and str(case.operation.label) == CREATE_OPERATION
        and isinstance(case.body, dict)
        and _creation_body_validator().is_valid(case.body)
    )


def _steer_window(params: dict[str, Any]) -> None:
    has_start, has_end = "vocal_start" in params, "vocal_end" in params
    if has_start != has_end:
        params.pop("vocal_start", None)
        params.pop("vocal_end", None)
        return
    if not has_start:
        return
    start, end = params["vocal_start"], params["vocal_end"]
    if not 10 <= end - start <= 30:
        params["vocal_end"] = start + _STEERED_WINDOW
        if params["vocal_end"] - start != _STEERED_WINDOW:  # lost to float precision
            params["vocal_start"], params["vocal_end"] = 0, _STEERED_WINDOW


def steer(
    case: Case[Any], supply: SongSupply, *, linked: bool = False, positive: bool | None = None
) -> None:
    """Rewrite a positive case in place so that, on a correct server, it can succeed.

    Only ids and the vocal window change: the free text (``name``, ``description``,
    ``style``) keeps what was drawn. ``linked``: the case follows a link of the spec,
    whose values must be kept. ``positive``: the case's mode, when it has no metadata
    (an explicit case); by default its generation mode.
    """
    if not (_is_positive(case) if positive is None else positive):
        return
    label = str(case.operation.label)
    if label == CREATE_OPERATION and isinstance(case.body, dict):
        if case.body.get("model") != "suno-persona":
            steer_music(case.body, persona_id=supply.persona_id, callback_url=supply.callback_url)
            return
        params = case.body.get("model_params")
        if not isinstance(params, dict):
            return
        if supply.fresh_song is not None:
            params["source_task_id"], params["result_id"] = supply.fresh_song()
        _steer_window(params)
    elif label == TASK_OPERATION and supply.readable_tasks:
        if linked:
            return  # the link chose the id: keep it
        path = case.path_parameters if case.path_parameters is not None else {}
        path["task_id"] = supply.next_readable()
        case.path_parameters = path
