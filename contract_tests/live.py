"""``scripts/contract``: run the checks that make sense remotely against any base URL.

    EVOLINK_API_KEY=... scripts/contract --base-url https://staging.example [--full]

Safe mode (the default unless the URL is loopback) sends only requests a correct server
refuses or answers for free: the refusal probes, negative persona creations and task
reads; it cannot spend credits on a correct server. Full mode also sends valid
creations; with the mock's control API (``EVOLINK_MOCK_ADMIN_TOKEN``, loopback) each
creation gets a fresh song. Writes ``contract-junit.xml`` and ``contract-summary.txt``
to ``--report-dir`` and exits 1 when any check fails.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from schemathesis import GenerationMode

from . import budget, checks
from .probing import CheckTally, tally_checks
from .reachability import REACHABLE_CHECK, unreachable
from .refusals import run_refusals
from .report import redact, summary_text, write_junit
from .spec import CREATE_OPERATION, TASK_OPERATION, conformance_schema
from .steering import SongSupply

__all__ = ["is_loopback", "main"]

#: A well-formed task id nobody owns: a positive task read is steered here (404 expected).
UNOWNED_TASK_ID = "task-unified-1000000000-unknown0"
KEY_ENV = "EVOLINK_API_KEY"
SECOND_KEY_ENV = "EVOLINK_SECOND_API_KEY"
ADMIN_TOKEN_ENV = "EVOLINK_MOCK_ADMIN_TOKEN"


def is_loopback(base_url: str) -> bool:
    host = urlsplit(base_url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="scripts/contract", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--base-url", required=True, help="server to check, e.g. http://127.0.0.1:8000"
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--full", action="store_true", help="also send valid (paid) creations")
    mode.add_argument("--safe", action="store_true", help="only requests a server must refuse")
    parser.add_argument("--report-dir", default="contract-report", type=Path)
    parser.add_argument("--examples", type=int, default=budget.LIVE_EXAMPLES)
    parser.add_argument(
        "--task-id", action="append", default=[], help="a task of yours to read (repeatable)"
    )
    return parser


def _control_songs(base_url: str, api_key: str, token: str) -> SongSupply:
    """Fresh songs from the mock's control API (a loopback mock only)."""
    client = httpx.Client(base_url=base_url, headers={"X-Mock-Admin-Token": token}, timeout=30)

    def fresh_song() -> tuple[str, str]:
        task = client.post("/_mock/music-tasks", json={"user": api_key, "songs": 1})
        task.raise_for_status()
        body = task.json()
        return body["id"], body["result_data"]["songs"][0]["result_id"]

    return SongSupply(fresh_song=fresh_song, readable_tasks=())


#: Why a full run sent no valid creation (it then sends what a safe run sends).
NO_FRESH_SONGS = (
    "valid creations skipped: no fresh songs (only a loopback mock with "
    f"{ADMIN_TOKEN_ENV} set supplies them), so this run sent what safe mode sends"
)
#: Why ``other_user_cannot_read_task`` judged nothing.
NO_SECOND_READS = (
    f"other_user_cannot_read_task not exercised: it needs {SECOND_KEY_ENV} and a task "
    "read answered 200 (--task-id naming a task of yours)"
)


def _run(args: argparse.Namespace, api_key: str, full: bool) -> tuple[list[CheckTally], list[str]]:
    base_url = args.base_url.rstrip("/")
    readable = tuple(args.task_id) or (UNOWNED_TASK_ID,)
    token = os.environ.get(ADMIN_TOKEN_ENV)
    supply = SongSupply(fresh_song=None, readable_tasks=readable)
    if full and token and is_loopback(base_url):
        supply = SongSupply(_control_songs(base_url, api_key, token).fresh_song, readable)
    schema = conformance_schema(api_key=api_key, base_url=base_url, examples=args.examples)
    notes: list[str] = []
    if full and supply.fresh_song is None:
        notes.append(NO_FRESH_SONGS)
    checks.set_second_user_key(os.environ.get(SECOND_KEY_ENV))
    try:
        reads = tally_checks(schema, supply, examples=args.examples, operations=(TASK_OPERATION,))
        creation_modes: tuple[GenerationMode, ...] = (GenerationMode.NEGATIVE,)
        if full and supply.fresh_song is not None:
            creation_modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        creations = tally_checks(
            schema,
            supply,
            examples=args.examples,
            modes=creation_modes,
            operations=(CREATE_OPERATION,),
        )
        second_user_reads = checks.second_user_probes() if os.environ.get(SECOND_KEY_ENV) else 0
    finally:
        checks.set_second_user_key(None)
    merged: list[CheckTally] = []
    for name, tally in reads.items():
        other = creations[name]
        judged = tally.judged + other.judged
        if name == checks.other_user_cannot_read_task.__name__:
            # It passes every response it cannot judge; count only the reads it resent.
            judged = second_user_reads
            if not judged:
                notes.append(NO_SECOND_READS)
        merged.append(
            CheckTally(
                name,
                judged,
                tally.failed + other.failed,
                tally.first_failure or other.first_failure,
            )
        )
    return run_refusals(base_url, api_key) + merged, notes


def _report_unreachable(args: argparse.Namespace, mode: str, cause: str) -> int:
    """A run whose server never answered: failed, the cause first, no check run."""
    first = f"FAILED: cannot reach {args.base_url} ({cause}); no check was run"
    tally = CheckTally(REACHABLE_CHECK, judged=1, failed=1, first_failure=first)
    args.report_dir.mkdir(parents=True, exist_ok=True)
    write_junit(args.report_dir / "contract-junit.xml", args.base_url, [tally])
    advice = "check --base-url (scheme, host, port) and that the server is up"
    summary = f"{first}\n{advice}\n\n" + summary_text(args.base_url, mode, [tally])
    (args.report_dir / "contract-summary.txt").write_text(summary, encoding="utf-8")
    print(summary, end="")
    print(f"reports in {args.report_dir}: contract-junit.xml, contract-summary.txt")
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    api_key = os.environ.get(KEY_ENV, "")
    if not api_key:
        print(f"set {KEY_ENV} to the API key to check with", file=sys.stderr)
        return 2
    full = args.full or (not args.safe and is_loopback(args.base_url))
    mode = "full" if full else "safe"
    cause = unreachable(args.base_url, f"/v1/tasks/{UNOWNED_TASK_ID}")
    if cause is not None:
        return _report_unreachable(args, mode, cause)
    tallies, notes = _run(args, api_key, full)
    secrets = [api_key, os.environ.get(SECOND_KEY_ENV, ""), os.environ.get(ADMIN_TOKEN_ENV, "")]
    for tally in tallies:
        if tally.first_failure:
            tally.first_failure = redact(tally.first_failure, secrets)
    args.report_dir.mkdir(parents=True, exist_ok=True)
    write_junit(args.report_dir / "contract-junit.xml", args.base_url, tallies)
    summary = summary_text(args.base_url, mode, tallies, notes)
    (args.report_dir / "contract-summary.txt").write_text(summary, encoding="utf-8")
    print(summary, end="")
    print(f"reports in {args.report_dir}: contract-junit.xml, contract-summary.txt")
    return 0 if all(t.passed for t in tallies) else 1


if __name__ == "__main__":
    raise SystemExit(main())
