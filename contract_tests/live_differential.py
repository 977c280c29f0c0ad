"""The SDK against the server on a live base URL: the differential, tallied, never shrunk.

In full mode with fresh songs (the mock's control API) every drawn request is sent with a
song of its own, so the only reasons left for a refusal are rules the SDK knows. Anywhere
else only requests the SDK refuses are sent, with the spec's example song: a correct
server refuses each (it costs nothing), so a server that accepts one disagrees with the
SDK. Each request is one judged response of ``sdk_and_server_agree``; accepted creations
enter the ledger, to be followed to their end.
"""

from __future__ import annotations

from typing import Any, Final

import httpx
from evolink_persona import validate_persona_request

from .deadline import RunDeadline
from .differential import (
    BOUNDARY_EXAMPLES,
    FreshSong,
    Post,
    disagreement,
    fill_ids,
    judge_arguments,
    persona_arguments,
)
from .drawn import run_cases
from .follow import TaskLedger
from .probing import CheckTally

__all__ = ["SDK_AND_SERVER_AGREE", "tally_sdk_against_server"]

SDK_AND_SERVER_AGREE: Final = "sdk_and_server_agree"


def tally_sdk_against_server(
    fresh_song: FreshSong,
    post: Post,
    *,
    cases: int,
    refused_only: bool,
    ledger: TaskLedger,
    reachable: CheckTally,
    deadline: RunDeadline | None = None,
) -> CheckTally:
    """The boundary requests and ``cases`` drawn ones; a tally of the disagreements."""
    tally = CheckTally(SDK_AND_SERVER_AGREE)
    if cases <= 0:
        return tally

    def sdk_and_server_agree(drawn: dict[str, Any]) -> None:
        arguments = fill_ids(fresh_song, drawn)
        if refused_only and not validate_persona_request(**arguments):
            return  # the server would accept it: a paid creation
        if deadline is not None and not deadline.allows():
            return
        reachable.judged += 1
        try:
            verdicts = judge_arguments(arguments, post)
        except httpx.HTTPError as error:
            reachable.fail(f"persona creation: no answer: {type(error).__name__}: {error}")
            return
        tally.judged += 1
        if verdicts.status == 200:
            ledger.record_creation(200, verdicts.content)
        problem = disagreement(verdicts)
        if problem is not None:
            tally.fail(problem)

    # Each case is judged, never raised, so the recorded draws (once per process) do.
    arguments = persona_arguments()
    run_cases("persona", sdk_and_server_agree, arguments, BOUNDARY_EXAMPLES, cases, shrink=False)
    return tally
