"""Both clients against what a server answers: every documented response must parse.

A response that satisfies the spec is useless if the generated client (``evolink_api``)
or the SDK (``evolink_persona``) cannot read it. ``parses_with_clients`` replays each
response the server gave into both, through transports that never touch the network:
the generated client's parser for that operation, and a real ``PersonaClient`` whose
httpx transport answers with the recorded response.
"""

from __future__ import annotations

import threading
from typing import Any, Final

import httpx
import schemathesis
from evolink_api.api.audio_generation import create_audio_generation
from evolink_api.api.task_management import get_task_detail
from evolink_api.client import Client
from evolink_persona import (
    APIStatusError,
    EvolinkError,
    PersonaClient,
    Task,
    UnexpectedResponseError,
)
from schemathesis import Case, CheckContext, Response

from .checks import require
from .spec import CREATE_OPERATION, TASK_OPERATION

__all__ = ["DOCUMENTED_STATUSES", "parses_with_clients", "replay_with_sdk"]

#: The statuses each operation documents; only these are promised to parse.
DOCUMENTED_STATUSES: Final = {
    CREATE_OPERATION: frozenset({200, 400, 401, 402, 429, 500}),
    TASK_OPERATION: frozenset({200, 400, 401, 402, 403, 404, 429, 500}),
}

_REPLAY_BASE_URL: Final = "http://replay.invalid"
_PLACEHOLDER_TASK: Final = "task-unified-1774169216-ocqaqde7"
_PLACEHOLDER_SONG: Final = "4fcc4507-a7ae-4441-ad8a-465c2f61d5bb"


def _recorded(status: int, headers: dict[str, str], content: bytes) -> httpx.Response:
    return httpx.Response(status, headers=headers, content=content)


def _flat_headers(response: Response) -> dict[str, str]:
    flat: dict[str, str] = {}
    for name, values in response.headers.items():
        flat[name] = values[0] if isinstance(values, list) and values else str(values)
    return flat


class _Replayer(threading.local):
    """One SDK client per thread whose transport answers with the response being replayed.

    Built once, not per response: a client costs more to build than a replay costs to parse.
    Nothing of one replay reaches the next (no retries, the cookie jar is emptied).
    """

    def __init__(self) -> None:
        self.answer: httpx.Response | None = None
        self.http = httpx.Client(
            transport=httpx.MockTransport(self._answer), base_url=_REPLAY_BASE_URL
        )
        self.sdk = PersonaClient(
            "sk-replay", base_url=_REPLAY_BASE_URL, http_client=self.http, max_retries=0
        )

    def _answer(self, request: httpx.Request) -> httpx.Response:
        assert self.answer is not None, "a replay sends one request"
        answer, self.answer = self.answer, None
        return answer


_REPLAYER = _Replayer()


def replay_with_sdk(
    operation: str,
    status: int,
    headers: dict[str, str],
    content: bytes,
    task_id: str = _PLACEHOLDER_TASK,
) -> Task | EvolinkError:
    """What the SDK makes of one recorded response: the parsed task, or the error it raised.

    ``task_id`` is the task the recorded read asked for: the SDK refuses a body about another.
    """
    replayer = _REPLAYER
    replayer.http.cookies.clear()
    replayer.answer = _recorded(status, headers, content)
    sdk = replayer.sdk
    try:
        if operation == CREATE_OPERATION:
            return sdk.create_persona(
                source_task_id=_PLACEHOLDER_TASK,
                result_id=_PLACEHOLDER_SONG,
                name="replay",
                description="replay",
            )
        return sdk.get_task(task_id)
    except EvolinkError as error:
        return error
    finally:
        replayer.answer = None


def _parse_generated(operation: str, recorded: httpx.Response) -> Any:
    client = Client(base_url=_REPLAY_BASE_URL, raise_on_unexpected_status=True)
    if operation == CREATE_OPERATION:
        return create_audio_generation._parse_response(client=client, response=recorded)
    return get_task_detail._parse_response(client=client, response=recorded)


@schemathesis.check
def parses_with_clients(ctx: CheckContext, response: Response, case: Case[Any]) -> None:
    """Every documented response parses with the generated client (into its model, no
    exception) and with the SDK (a ``Task`` for a 200, a typed status error otherwise, and
    never ``UnexpectedResponseError``)."""
    operation = str(case.operation.label)
    status = response.status_code
    if status not in DOCUMENTED_STATUSES.get(operation, frozenset()):
        return
    headers = _flat_headers(response)
    recorded = _recorded(status, headers, response.content)
    try:
        parsed = _parse_generated(operation, recorded)
    except Exception as exc:  # the generated parser raises whatever attrs/json raise
        raise AssertionError(
            f"evolink_api cannot parse {operation} {status}: {type(exc).__name__}: {exc}"
        ) from None
    require(parsed is not None, f"evolink_api returned nothing for {operation} {status}")
    # A task read answered 200 is about the task asked for (the SDK refuses another's body).
    asked = (case.path_parameters or {}).get("task_id") if status == 200 else None
    outcome = replay_with_sdk(
        operation, status, headers, response.content, str(asked or _PLACEHOLDER_TASK)
    )
    require(
        not isinstance(outcome, UnexpectedResponseError),
        (f"the SDK called {operation} {status} unexpected: {outcome}"),
    )
    if status == 200:
        require(isinstance(outcome, Task), f"the SDK refused {operation} 200: {outcome!r}")
    else:
        require(
            isinstance(outcome, APIStatusError),
            (f"the SDK did not raise a typed status error for {operation} {status}: {outcome!r}"),
        )
