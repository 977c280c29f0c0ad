"""``scripts/contract``: run the checks that make sense remotely against any base URL.

    EVOLINK_API_KEY=... scripts/contract --base-url https://staging.example [--full]

Safe mode (the default unless the URL is loopback) sends only requests a correct server
refuses or answers for free: the refusal probes, negative persona creations, the
requests the SDK refuses, a second persona for ``--used-song`` and task reads; it cannot
spend credits on a correct server. Full mode also sends valid creations; with the mock's
control API (``EVOLINK_MOCK_ADMIN_TOKEN``, loopback) each creation gets a fresh song.
Music generation gets the same treatment: the SDK's music rules against the server (in
safe mode only the requests the SDK refuses) and, in full mode on a loopback server, a
music task whose callback goes to a loopback receiver. Every task created, and every
``--task-id``, is followed to its end and each read held to the lifecycle invariants.
Writes ``contract-junit.xml`` and ``contract-summary.txt`` to
``--report-dir`` and exits 1 when any check fails.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import attrs
import httpx
import requests
from evolink_mock.server import is_loopback as host_is_loopback
from evolink_persona._tls import shared_tls
from schemathesis import Case, GenerationMode

from . import budget, checks
from .deadline import RunDeadline
from .follow import LIFECYCLE_CHECKS, Follower, TaskLedger
from .free_text import free_text_cases
from .live_differential import SDK_AND_SERVER_AGREE, tally_sdk_against_server
from .live_music import (
    CALLBACK_BODY,
    CALLBACK_ONCE,
    MUSIC_AGREE,
    CallbackProbe,
    tally_music_against_server,
)
from .mock_control import MockControl
from .probing import SERVER_ANSWERS, CheckTally, all_checks, tally_checks
from .reachability import REACHABLE_CHECK, unreachable
from .refusals import run_refusals
from .report import redact, summary_text, write_junit
from .song_rule import (
    ONE_PERSONA_PER_SONG,
    SPEC_EXAMPLE_SONG,
    Song,
    parse_song,
    probe_song_rule,
)
from .spec import CREATE_OPERATION, TASK_OPERATION, conformance_schema
from .steering import SongSupply

__all__ = ["LiveRun", "is_loopback", "main", "run"]

#: A well-formed task id nobody owns: a positive task read is steered here (404 expected).
UNOWNED_TASK_ID = "task-unified-1000000000-unknown0"
KEY_ENV = "EVOLINK_API_KEY"
SECOND_KEY_ENV = "EVOLINK_SECOND_API_KEY"
ADMIN_TOKEN_ENV = "EVOLINK_MOCK_ADMIN_TOKEN"
_CREATE_PATH = "/v1/audios/generations"
#: The least time the first request waits before the server counts as unreachable (seconds).
REACHABILITY_TIMEOUT = 10.0


def is_loopback(base_url: str) -> bool:
    """Is the server on this machine? The mock's own rule for a host, applied to a URL."""
    return host_is_loopback(urlsplit(base_url).hostname or "")


def _song(text: str) -> tuple[str, str]:
    try:
        return parse_song(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _positive(kind: type[float] | type[int]) -> Any:
    def parse(text: str) -> float | int:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if value < 0:
            raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
        return value

    return parse


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="scripts/contract", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--base-url", required=True, help="server to check, e.g. http://127.0.0.1:8000"
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--full", action="store_true", help="also send valid (paid) creations")
    mode.add_argument("--safe", action="store_true", help="only requests a server must refuse")
    parser.add_argument("--report-dir", default="contract-report", type=Path)
    parser.add_argument(
        "--examples",
        type=_positive(int),
        default=budget.LIVE_EXAMPLES,
        help=f"generated cases per operation and mode (default {budget.LIVE_EXAMPLES})",
    )
    parser.add_argument(
        "--differential-cases",
        type=_positive(int),
        default=budget.LIVE_DIFFERENTIAL_CASES,
        help="generated SDK-against-server requests, after the boundary ones "
        f"(default {budget.LIVE_DIFFERENTIAL_CASES}; 0 turns the differential off)",
    )
    parser.add_argument(
        "--task-id", action="append", default=[], help="a task of yours to read (repeatable)"
    )
    parser.add_argument(
        "--used-song",
        type=_song,
        metavar="TASK_ID:RESULT_ID",
        help="a song of yours that already has a persona: a second one must be refused",
    )
    parser.add_argument(
        "--follow-deadline",
        type=_positive(float),
        default=budget.LIVE_FOLLOW_DEADLINE,
        metavar="SECONDS",
        help="how long to follow tasks to their end, in all "
        f"(default {budget.LIVE_FOLLOW_DEADLINE:g})",
    )
    parser.add_argument(
        "--poll-interval",
        type=_positive(float),
        default=budget.LIVE_POLL_INTERVAL,
        metavar="SECONDS",
        help=f"pause between rounds of task reads (default {budget.LIVE_POLL_INTERVAL:g})",
    )
    parser.add_argument(
        "--run-budget",
        type=_positive(float),
        default=budget.LIVE_RUN_BUDGET,
        metavar="SECONDS",
        help="the whole run's time; past it nothing more is sent, and the report says so "
        f"(default {budget.LIVE_RUN_BUDGET:g})",
    )
    parser.add_argument(
        "--timeout",
        type=_positive(float),
        default=budget.LIVE_REQUEST_TIMEOUT,
        metavar="SECONDS",
        help="longest wait for one answer; a request past it counts as unanswered "
        f"(default {budget.LIVE_REQUEST_TIMEOUT:g})",
    )
    return parser


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


@attrs.frozen
class LiveRun:
    """What one run found: a tally per check, notes for the reader, and the mode."""

    tallies: list[CheckTally]
    notes: list[str]
    mode: str

    @property
    def passed(self) -> bool:
        return all(t.passed for t in self.tallies)

    def failing(self) -> set[str]:
        return {t.name for t in self.tallies if not t.passed}


def _merge(name: str, parts: Iterable[CheckTally]) -> CheckTally:
    merged = CheckTally(name)
    for part in parts:
        merged.judged += part.judged
        merged.failed += part.failed
        merged.first_failure = merged.first_failure or part.first_failure
    return merged


def _control(args: argparse.Namespace, api_key: str, notes: list[str]) -> MockControl | None:
    token = os.environ.get(ADMIN_TOKEN_ENV)
    if not token:
        return None
    if not is_loopback(args.base_url):
        notes.append(f"{ADMIN_TOKEN_ENV} ignored: the mock's control API is loopback only")
        return None
    control = MockControl.open(args.base_url, token, api_key, timeout=args.timeout)
    if isinstance(control, str):
        notes.append(
            f"{ADMIN_TOKEN_ENV} is set, but this is not the mock's control API: {control}; "
            "went on without it (no fresh songs, no task counts)"
        )
        return None
    return control


class _Creations:
    """Sends a creation case, enters the task an accepted one answers with, and lets the
    follower read the tasks that are due."""

    def __init__(
        self,
        ledger: TaskLedger,
        follower: Follower,
        session: requests.Session,
        auth: dict[str, str] | None = None,
    ) -> None:
        self.ledger = ledger
        self.follower = follower
        self.session = session
        self.auth = auth

    def __call__(self, case: Case[Any]) -> Any:
        # A drawn case carries the key from its strategy; an explicit one (no metadata: the
        # free-text creations) is given it at the call, or it is only ever a 401.
        extra = self.auth if case.meta is None else None
        response = case.call(session=self.session, headers=extra)
        # The request's `model` says which vendor operation answered: music is no persona.
        asked = case.body.get("model") if isinstance(case.body, dict) else None
        persona = asked == "suno-persona" or not isinstance(asked, str)
        self.ledger.record_creation(response.status_code, response.content, persona=persona)
        self.follower.tick()
        return response


class _RunSession(requests.Session):
    """A requests session that reads the environment's proxy and CA settings once per host.

    requests reads them on every request (every variable, each time: about a twentieth of
    a live run's CPU). What it finds depends only on the request's scheme and host and on
    what the call passed, so the answer is kept for each of those and given again as is.
    """

    def __init__(self) -> None:
        super().__init__()
        self._found: dict[tuple[Any, ...], dict[str, Any]] = {}

    def merge_environment_settings(
        self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> dict[str, Any]:
        parts = urlsplit(str(url))
        given = tuple(sorted((proxies or {}).items()))
        key = (parts.scheme, parts.netloc, given, stream, verify, cert)
        if key not in self._found:
            self._found[key] = super().merge_environment_settings(
                url, proxies, stream, verify, cert
            )
        found = self._found[key]
        return {**found, "proxies": dict(found["proxies"])}


def _run(args: argparse.Namespace, api_key: str, full: bool) -> tuple[list[CheckTally], list[str]]:
    base_url = args.base_url.rstrip("/")
    notes: list[str] = []
    ledger = TaskLedger()
    for task_id in args.task_id:
        ledger.given(task_id)
    control = _control(args, api_key, notes)
    fresh_song = control.fresh_song if control is not None and full else None
    if full and fresh_song is None:
        notes.append(NO_FRESH_SONGS)
    readable = tuple(args.task_id) or (UNOWNED_TASK_ID,)
    supply = SongSupply(fresh_song=fresh_song, readable_tasks=readable)
    schema = conformance_schema(
        api_key=api_key, base_url=base_url, examples=args.examples, request_timeout=args.timeout
    )
    reachable = CheckTally(SERVER_ANSWERS)
    deadline = RunDeadline(args.run_budget)
    refusals = run_refusals(base_url, api_key, timeout=args.timeout, answers=reachable)
    chosen = all_checks()
    checks.set_second_user_key(os.environ.get(SECOND_KEY_ENV))
    http = httpx.Client(
        base_url=base_url,
        headers={"Authorization": f"Bearer {api_key}"},
        timeout=args.timeout,
        verify=shared_tls(),
    )
    session = _RunSession()
    sent_with = {"session": session}
    followed: dict[str, CheckTally] = {}
    follower = Follower(
        schema,
        ledger,
        interval=args.poll_interval,
        # Every read of a task would be resent twice without a valid key: the first reads
        # and the refusal probes have shown how the server treats those already.
        checks=[c for c in chosen if c.__name__ != "ignored_auth"],
        tallies=followed,
        headers={"Authorization": f"Bearer {api_key}"},
        session=session,
        deadline=deadline,
    )

    def post(body: str) -> httpx.Response:
        response = http.post(
            _CREATE_PATH, content=body, headers={"Content-Type": "application/json"}
        )
        follower.tick()
        return response

    probe = CallbackProbe() if full and is_loopback(base_url) else None
    finished = CheckTally(RUNNER_FINISHED)
    reads: dict[str, CheckTally] = {}
    creations: dict[str, CheckTally] = {}
    song_rule = CheckTally(ONE_PERSONA_PER_SONG)
    differential = CheckTally(SDK_AND_SERVER_AGREE)
    music = CheckTally(MUSIC_AGREE)
    callbacks = (CheckTally(CALLBACK_ONCE), CheckTally(CALLBACK_BODY))
    lifecycle: dict[str, CheckTally] = {}
    try:
        if probe is not None:
            probe.__enter__()
        with _part("task reads", finished):
            # Positive reads only: a task id has no negative form (WITHOUT_NEGATIVE_CASES).
            reads = tally_checks(
                schema,
                supply,
                examples=args.examples,
                operations=(TASK_OPERATION,),
                checks=chosen,
                send=lambda case: case.call(session=session),
                deadline=deadline,
                transport_kwargs=sent_with,
            )
        creation_modes: tuple[GenerationMode, ...] = (GenerationMode.NEGATIVE,)
        if fresh_song is not None:
            creation_modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        with _part("persona creations", finished):
            creations = tally_checks(
                schema,
                supply,
                examples=args.examples,
                modes=creation_modes,
                operations=(CREATE_OPERATION,),
                checks=chosen,
                send=_Creations(ledger, follower, session, {"Authorization": f"Bearer {api_key}"}),
                explicit=free_text_cases,
                deadline=deadline,
                transport_kwargs=sent_with,
            )
        with _part("the one-persona-per-song probe", finished):
            song_rule, song_note = _song_rule(args, full, fresh_song, control, http, ledger)
            if song_note:
                notes.append(song_note)
        with _part("the SDK-against-server differential", finished):
            differential = tally_sdk_against_server(
                fresh_song or (lambda: SPEC_EXAMPLE_SONG),
                post,
                cases=args.differential_cases,
                refused_only=fresh_song is None,
                ledger=ledger,
                reachable=reachable,
                deadline=deadline,
            )
        with _part("the music differential", finished):
            music = _music(args, full, control, post, ledger, reachable, deadline, notes)
        if probe is not None:
            with _part("the callback probe", finished):
                probe.create(post, ledger)
        with _part("following tasks", finished):
            lifecycle = follower.finish(args.follow_deadline)
        if probe is not None:
            with _part("the callback checks", finished):
                callbacks = probe.judge(ledger)
        second_user_reads = checks.second_user_probes() if os.environ.get(SECOND_KEY_ENV) else 0
    finally:
        checks.set_second_user_key(None)
        if probe is not None:
            probe.__exit__(None, None, None)
        http.close()
        session.close()
        if control is not None:
            control.close()
    notes.extend(_callback_notes(full, base_url, probe))
    if deadline.skipped:
        notes.append(
            f"the run budget of {args.run_budget:g} s ran out: {deadline.skipped} requests "
            "were not sent (raise --run-budget, or lower --timeout for a server that hangs)"
        )
    merged: list[CheckTally] = []
    for name in (check.__name__ for check in chosen):
        tally = _merge(name, (t[name] for t in (reads, creations, followed) if name in t))
        if name == checks.other_user_cannot_read_task.__name__:
            # It passes every response it cannot judge; count only the reads it resent.
            tally.judged = second_user_reads
            if not tally.judged:
                notes.append(NO_SECOND_READS)
        merged.append(tally)
    answers = [t[SERVER_ANSWERS] for t in (reads, creations, followed) if SERVER_ANSWERS in t]
    merged.append(_merge(SERVER_ANSWERS, [*answers, reachable]))
    lifecycle = lifecycle or {name: CheckTally(name) for name in LIFECYCLE_CHECKS}
    found = [*refusals, song_rule, *merged, differential, music, *lifecycle.values()]
    return [*found, *callbacks, finished], notes


#: Why the callback checks judged nothing, where the run could not exercise them.
NO_CALLBACKS_SAFE = (
    f"{CALLBACK_ONCE}, {CALLBACK_BODY} not exercised: they need a music creation "
    "(a paid one), which only full mode sends"
)
NO_CALLBACKS_REMOTE = (
    f"{CALLBACK_ONCE}, {CALLBACK_BODY} not exercised: the server is not on loopback, so it "
    "cannot reach the run's loopback callback receiver"
)


def _callback_notes(full: bool, base_url: str, probe: CallbackProbe | None) -> list[str]:
    if probe is None:
        return [NO_CALLBACKS_REMOTE if full else NO_CALLBACKS_SAFE]
    if probe.refused is not None:
        return [
            f"{CALLBACK_ONCE}, {CALLBACK_BODY} not exercised: a music creation with a loopback "
            f"http callback_url was refused ({probe.refused}); a mock must run with "
            "callback_mode test for them"
        ]
    return []


def _music(
    args: argparse.Namespace,
    full: bool,
    control: MockControl | None,
    post: Any,
    ledger: TaskLedger,
    reachable: CheckTally,
    deadline: RunDeadline,
    notes: list[str],
) -> CheckTally:
    """The music differential: every request in full mode (a persona of the caller from
    the mock's control API), only those the SDK refuses in safe mode."""
    persona = (
        control.fresh_persona()
        if control is not None and full and args.differential_cases
        else None
    )
    if full and not is_loopback(args.base_url) and args.differential_cases:
        notes.append(
            f"{MUSIC_AGREE}: full mode sent valid (paid) music creations to {args.base_url}"
        )
    tally, unsent = tally_music_against_server(
        post,
        persona=persona,
        cases=args.differential_cases,
        refused_only=not full,
        keep_callbacks_local=is_loopback(args.base_url),
        ledger=ledger,
        reachable=reachable,
        deadline=deadline,
    )
    if unsent:
        notes.append(
            f"{MUSIC_AGREE}: {unsent} valid persona uses not sent: the run has no completed "
            "persona of the caller (the mock's control API makes one)"
        )
    return tally


#: The tally of the runner's own parts: each finished, or the error that stopped it.
RUNNER_FINISHED = "runner_finished_every_part"


@contextlib.contextmanager
def _part(name: str, finished: CheckTally) -> Iterator[None]:
    """Run one part of the run; an error stops that part only, and fails the tally, so a
    server broken in a way nobody foresaw still gets its report."""
    finished.judged += 1
    try:
        yield
    except Exception as error:
        finished.fail(f"{name} stopped: {type(error).__name__}: {error}")


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


def _song_rule(
    args: argparse.Namespace,
    full: bool,
    fresh_song: Any,
    control: MockControl | None,
    http: httpx.Client,
    ledger: TaskLedger,
) -> tuple[CheckTally, str | None]:
    song: Song | None = None
    if fresh_song is not None:
        source, result = fresh_song()
        song = Song(source, result, create_first=True)
    elif args.used_song is not None:
        song = Song(args.used_song[0], args.used_song[1], create_first=False)
    elif full:
        song = Song(SPEC_EXAMPLE_SONG[0], SPEC_EXAMPLE_SONG[1], create_first=True)
    task_count = control.task_count if control is not None else None
    return probe_song_rule(
        lambda body: http.post(_CREATE_PATH, json=body), song, ledger, task_count=task_count
    )


def run(argv: Sequence[str] | None = None) -> tuple[LiveRun, argparse.Namespace] | int:
    """Parse ``argv`` and run; the findings (with the parsed arguments), or an exit code."""
    args = _parser().parse_args(argv)
    api_key = os.environ.get(KEY_ENV, "")
    if not api_key:
        print(f"set {KEY_ENV} to the API key to check with", file=sys.stderr)
        return 2
    full = args.full or (not args.safe and is_loopback(args.base_url))
    mode = "full" if full else "safe"
    # A first answer may be slow (a cold server, a loaded machine) where later ones are not:
    # --timeout bounds the checks' requests, not how long "unreachable" waits.
    reach_timeout = max(args.timeout, REACHABILITY_TIMEOUT)
    cause = unreachable(args.base_url, f"/v1/tasks/{UNOWNED_TASK_ID}", timeout=reach_timeout)
    if cause is not None:
        return _report_unreachable(args, mode, cause)
    tallies, notes = _run(args, api_key, full)
    secrets = [api_key, os.environ.get(SECOND_KEY_ENV, ""), os.environ.get(ADMIN_TOKEN_ENV, "")]
    for tally in tallies:
        if tally.first_failure:
            tally.first_failure = redact(tally.first_failure, secrets)
    notes = [redact(note, secrets) for note in notes]
    return LiveRun(tallies, notes, "full" if full else "safe"), args


def main(argv: Sequence[str] | None = None) -> int:
    outcome = run(argv)
    if isinstance(outcome, int):
        return outcome
    found, args = outcome
    args.report_dir.mkdir(parents=True, exist_ok=True)
    write_junit(args.report_dir / "contract-junit.xml", args.base_url, found.tallies)
    summary = summary_text(args.base_url, found.mode, found.tallies, found.notes)
    (args.report_dir / "contract-summary.txt").write_text(summary, encoding="utf-8")
    print(summary, end="")
    print(f"reports in {args.report_dir}: contract-junit.xml, contract-summary.txt")
    return 0 if found.passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
