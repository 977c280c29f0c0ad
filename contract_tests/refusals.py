"""Requests a correct server must refuse: they cost no credits, so they are safe anywhere.

The safe mode of the live runner sends only these (and free task reads): a missing or
unknown token, bodies that break a rule of the spec's prose, a malformed or unknown task
id. Each probe is a named check with the status the spec gives it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import attrs
import httpx
from evolink_persona._tls import shared_tls

from .probing import CheckTally
from .report import redact

__all__ = ["REFUSALS", "Refusal", "run_refusals"]

_CREATE: Final = "/v1/audios/generations"
_VALID_PARAMS: Final = {
    "source_task_id": "task-unified-1774169216-ocqaqde7",
    "result_id": "4fcc4507-a7ae-4441-ad8a-465c2f61d5bb",
    "name": "Contract probe",
    "description": "must be refused before any work is done",
}


def _create(**params: Any) -> dict[str, Any]:
    merged = {**_VALID_PARAMS, **params}
    return {
        "model": "suno-persona",
        "model_params": {k: v for k, v in merged.items() if v is not None},
    }


@attrs.frozen
class Refusal:
    """One request and the status a correct server answers it with."""

    name: str
    method: str
    path: str
    expected: int
    body: dict[str, Any] | None = None
    #: "valid" sends the caller's key, "none" no Authorization, "unknown" a made-up key.
    key: str = "valid"


REFUSALS: Final = (
    Refusal("refuses_a_missing_token", "POST", _CREATE, 401, _create(), key="none"),
    Refusal("refuses_an_unknown_token", "POST", _CREATE, 401, _create(), key="unknown"),
    Refusal(
        "refuses_a_31s_vocal_window", "POST", _CREATE, 400, _create(vocal_start=0, vocal_end=31)
    ),
    Refusal(
        "refuses_a_9s_vocal_window", "POST", _CREATE, 400, _create(vocal_start=0, vocal_end=9.999)
    ),
    Refusal("refuses_vocal_start_alone", "POST", _CREATE, 400, _create(vocal_start=15)),
    Refusal(
        "refuses_a_negative_vocal_time", "POST", _CREATE, 400, _create(vocal_start=-1, vocal_end=15)
    ),
    Refusal(
        "refuses_a_result_id_that_is_no_uuid", "POST", _CREATE, 400, _create(result_id="song-1")
    ),
    Refusal("refuses_a_missing_source_task_id", "POST", _CREATE, 400, _create(source_task_id=None)),
    Refusal("refuses_another_model", "POST", _CREATE, 400, {**_create(), "model": "suno-v5"}),
    Refusal("refuses_a_malformed_task_id", "GET", "/v1/tasks/not-a-task", 400),
    Refusal(
        "answers_404_for_an_unknown_task", "GET", "/v1/tasks/task-unified-1000000000-zzzzzzzz", 404
    ),
)


def run_refusals(
    base_url: str,
    api_key: str,
    *,
    send: Callable[[httpx.Request], httpx.Response] | None = None,
    timeout: float = 30.0,
    answers: CheckTally | None = None,
) -> list[CheckTally]:
    """Send each refusal probe; a tally per probe (status and error shape).

    ``timeout`` bounds each answer; ``answers`` counts every probe sent and those that
    got no answer (a timeout or a dropped connection).
    """
    tallies = []
    with httpx.Client(base_url=base_url, timeout=timeout, verify=shared_tls()) as client:
        for probe in REFUSALS:
            headers = {}
            if probe.key == "valid":
                headers["Authorization"] = f"Bearer {api_key}"
            elif probe.key == "unknown":
                headers["Authorization"] = "Bearer sk-contract-probe-not-a-real-key"
            request = client.build_request(
                probe.method, probe.path, json=probe.body, headers=headers
            )
            tally = CheckTally(probe.name, judged=1)
            try:
                response = send(request) if send is not None else client.send(request)
                problem = _problem(probe, response, (api_key,))
            except httpx.HTTPError as error:
                problem = f"no answer: {type(error).__name__}"
                if answers is not None:
                    answers.fail(f"{probe.method} {probe.path}: {problem}")
            if answers is not None:
                answers.judged += 1
            if problem is not None:
                tally.failed = 1
                tally.first_failure = f"{probe.method} {probe.path}: {problem}"
            tallies.append(tally)
    return tallies


def _problem(probe: Refusal, response: httpx.Response, secrets: tuple[str, ...] = ()) -> str | None:
    # Masked before it is cut: a key across the cut would leave its start in the report.
    text = redact(response.text, secrets)
    if response.status_code != probe.expected:
        return f"expected {probe.expected}, got {response.status_code}: {text[:300]}"
    try:
        error = response.json().get("error")
    except ValueError:
        return f"{response.status_code} body is not JSON: {text[:200]}"
    if not isinstance(error, dict) or not all(
        isinstance(error.get(k), str) and error[k] for k in ("code", "message", "type")
    ):
        return f"{response.status_code} body lacks error{{code, message, type}}: {text[:200]}"
    return None
