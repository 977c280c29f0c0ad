"""``evolink-persona``: the SDK as a command, for people and for scripts.

Every failure ends with the exit code of its error class (see ``EXIT_CODES``), a one-line
message on stderr and, where it helps, what to do. The API key is read from
``EVOLINK_API_KEY`` or from a file (``--api-key-file``), never from an argument that would
land in shell history; ``--mock`` serves the commands from the embedded mock server instead.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import importlib
import json
import os
import shlex
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import IO, Any, NoReturn, TextIO

import attrs

from . import __version__, _cli_music
from ._base import CREATE_PERSONA
from ._client import PersonaClient
from ._constants import API_KEY_ENV, BASE_URL_ENV, DEFAULT_WAIT_TIMEOUT
from ._errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    EvolinkError,
    InsufficientQuotaError,
    NoSongsError,
    NotFoundError,
    PermissionDeniedError,
    PersonaAlreadyExistsError,
    RateLimitedError,
    RequestValidationError,
    ServerError,
    TaskFailedError,
    UnexpectedResponseError,
    WaitTimeoutError,
)
from ._models import Persona, Song, Task
from ._progress import ProgressDisplay, progress_display
from ._progress import printable as _printable

EXIT_OK = 0
EXIT_USAGE = 2  # argparse's own code for a malformed command line
EXIT_INTERRUPTED = 130
#: Exit code of each error class; a subclass not listed uses its nearest listed base.
EXIT_CODES: dict[type[EvolinkError], int] = {
    cls: cls.exit_code
    for cls in (
        EvolinkError,
        ConfigurationError,
        RequestValidationError,
        BadRequestError,
        PersonaAlreadyExistsError,
        AuthenticationError,
        InsufficientQuotaError,
        PermissionDeniedError,
        NotFoundError,
        RateLimitedError,
        ServerError,
        APIConnectionError,
        APITimeoutError,
        UnexpectedResponseError,
        TaskFailedError,
        WaitTimeoutError,
        NoSongsError,
    )
}

MOCK_INSTALL_HINT = (
    "the embedded mock needs the 'mock' extra: pip install 'evolink-suno-persona[mock]'"
)
NO_KEY_MESSAGE = (
    f"no API key. Set {API_KEY_ENV} (export {API_KEY_ENV}=sk-...), or put the key in a file "
    "and pass --api-key-file PATH; or try the embedded mock server with --mock "
    "(no key needed), e.g. 'evolink-persona demo'"
)

ClientFactory = Callable[..., PersonaClient]
#: How the CLI builds its client; tests replace it to run the CLI on a mock transport.
client_factory: ClientFactory = PersonaClient


# --------------------------------------------------------------------------------------------
# Output.


def task_to_json(task: Task) -> dict[str, Any]:
    return attrs.asdict(task, filter=lambda attribute, _: attribute.name != "raw")


def persona_to_json(persona: Persona) -> dict[str, Any]:
    return {
        "persona_id": persona.persona_id,
        "task_id": persona.task_id,
        "task": task_to_json(persona.task),
    }


def _print_json(value: object, out: TextIO) -> None:
    out.write(json.dumps(value, indent=2, sort_keys=True) + "\n")


def _describe_task(task: Task, out: TextIO) -> None:
    status = task.status if task.status_known else f"{task.status} (unknown to this SDK)"
    lines = [f"task      {task.id}", f"status    {status}"]
    if task.progress is not None:
        lines.append(f"progress  {task.progress}%")
    if task.model:
        lines.append(f"model     {task.model}")
    if task.estimated_time is not None:
        lines.append(f"estimated {task.estimated_time:g}s")
    if task.credits_reserved is not None:
        lines.append(f"credits   {task.credits_reserved:g} reserved")
    if task.persona_id:
        lines.append(f"persona   {task.persona_id}")
    if task.songs:
        lines.append(
            f"songs     {len(task.songs)} (list them with: evolink-persona songs {task.id})"
        )
    if task.error is not None:
        lines.append(f"error     {task.error.code}: {task.error.message}")
    out.write(_printable("\n".join(lines)) + "\n")


def _describe_songs(songs: Sequence[Song], out: TextIO) -> None:
    for song in songs:
        duration = f"{song.duration:7.1f}s" if song.duration is not None else "       ?"
        out.write(_printable(f"{song.result_id}  {duration}  {song.title or ''}") + "\n")


# --------------------------------------------------------------------------------------------
# Where the client comes from: the real service with a key, or the embedded mock.


@attrs.frozen
class Target:
    api_key: str
    base_url: str | None
    mock: bool
    #: Where the key came from, as the user would name it in a hint.
    key_source: str = API_KEY_ENV


def _read_key_file(path: str) -> str:
    # utf-8-sig: a byte order mark (Notepad writes one) is not part of the key.
    try:
        with open(path, encoding="utf-8-sig") as handle:
            key = handle.read().strip()
    except OSError as exc:
        raise ConfigurationError(
            f"cannot read the file given to --api-key-file: {exc.strerror}",
            hint="Pass a readable file that holds only the key",
        ) from None
    except UnicodeDecodeError as exc:  # the message would quote bytes of the file: not shown
        raise ConfigurationError(
            f"the --api-key-file file is not UTF-8 text (undecodable byte at offset {exc.start})",
            hint="Save the key as plain text (UTF-8), the key alone on one line",
        ) from None
    if not key:
        raise ConfigurationError("the --api-key-file file is empty", hint="Put the key in it")
    return key


@contextlib.contextmanager
def _target(args: argparse.Namespace) -> Iterator[Target]:
    if args.mock:
        mock = _mock_module()
        # Test mode for callbacks: a receiver on this machine (loopback, http) can get them.
        config = attrs.evolve(mock.MockConfig.demo(), callback_mode="test")
        with mock.serve_in_thread(config) as server:
            yield Target(api_key=mock.fixtures.DEMO_API_KEY, base_url=server.base_url, mock=True)
        return
    if args.api_key_file:
        key = _read_key_file(args.api_key_file)
        source = f"the key file {args.api_key_file} (--api-key-file)"
    else:
        key = os.environ.get(API_KEY_ENV, "").strip()
        if not key:
            raise ConfigurationError(NO_KEY_MESSAGE, hint="")
        source = API_KEY_ENV
    yield Target(api_key=key, base_url=args.base_url, mock=False, key_source=source)


class _MockModule:
    """The pieces of ``evolink_mock`` the CLI uses, imported only when asked for."""

    def __init__(self) -> None:
        try:
            # Optional extra, imported on demand; typed loosely because the core SDK must not
            # depend on it.
            # The package imports its pieces on first use, so a missing extra shows up on the
            # attribute reads, which therefore sit inside the try as well.
            evolink_mock: Any = importlib.import_module("evolink_mock")
            self.fixtures: Any = importlib.import_module("evolink_mock.fixtures")
            self.MockConfig = evolink_mock.MockConfig
            self.serve_in_thread = evolink_mock.serve_in_thread
            self.main: Callable[[list[str]], int] = evolink_mock.main
        except ImportError as exc:
            missing = exc.name or "a module"
            raise ConfigurationError(
                f"{MOCK_INSTALL_HINT} ({missing} is not installed)",
                hint="Or use the real service with a key",
            ) from None


def _mock_module() -> _MockModule:
    return _MockModule()


def _client(target: Target, args: argparse.Namespace) -> PersonaClient:
    kwargs: dict[str, Any] = {"base_url": target.base_url}
    if args.max_retries is not None:
        kwargs["max_retries"] = args.max_retries
    return client_factory(target.api_key, **kwargs)


# --------------------------------------------------------------------------------------------
# Commands.


def _cmd_task(args: argparse.Namespace, target: Target, out: TextIO) -> int:
    with _client(target, args) as client:
        task = client.get_task(args.task_id)
    if args.json:
        _print_json(task_to_json(task), out)
    else:
        _describe_task(task, out)
    return EXIT_OK


def _demo_music_task(args: argparse.Namespace, target: Target) -> str:
    if args.task_id:
        return str(args.task_id)
    if target.mock:
        return str(_mock_module().fixtures.DEMO_MUSIC_TASK_ID)
    raise RequestValidationError([_missing("task_id")])


def _missing(name: str) -> Any:
    from ._rules import Violation

    return Violation(name, "is required (only --mock fills it in with the demo fixture)")


def _cmd_songs(args: argparse.Namespace, target: Target, out: TextIO) -> int:
    with _client(target, args) as client:
        songs = client.list_songs(_demo_music_task(args, target))
    if args.json:
        _print_json([attrs.asdict(song) for song in songs], out)
    else:
        _describe_songs(songs, out)
    return EXIT_OK


def resume_command(task_id: str, args: argparse.Namespace) -> str:
    """The exact command that goes on waiting for ``task_id`` where this one stopped."""
    words = ["evolink-persona", "wait", task_id]
    if args.base_url is not None:
        words += ["--base-url", args.base_url]
    if args.api_key_file is not None:
        words += ["--api-key-file", args.api_key_file]
    return shlex.join(words)


def _unfinished(
    task: Task | None, args: argparse.Namespace, out: TextIO, err: TextIO, *, why: str
) -> str:
    """Say how to resume an unfinished wait: the hint text; with --json, the task on stdout."""
    task_id = task.id if task is not None else getattr(args, "task_id", None)
    if task_id is None:
        return (
            "stopped before the creation was answered, so it may have been submitted: "
            "look for a recent suno-persona task before creating again"
        )
    if args.mock:
        return f"task {task_id} lived in the embedded mock, which stops with this command"
    command = resume_command(task_id, args)
    if args.json:
        resume = {
            "task_id": task_id,
            "status": task.status if task is not None else None,
            "progress": task.progress if task is not None else None,
        }
        _print_json({**resume, "finished": False, "stopped": why, "resume": command}, out)
    return f"task {task_id} is still running; resume waiting with: {command}"


def _wait_and_report(
    client: PersonaClient,
    args: argparse.Namespace,
    out: TextIO,
    err: TextIO,
    run: Callable[[Callable[[Task], None]], Persona],
) -> int:
    display = progress_display(err, json_lines=args.json)
    try:
        try:
            persona = run(display)
        finally:
            display.finish()
    except WaitTimeoutError as error:
        error.hint = _unfinished(display.task, args, out, err, why="wait-timeout")
        raise
    except KeyboardInterrupt:
        hint = _unfinished(display.task, args, out, err, why="interrupted")
        if args.json:
            err.write(json.dumps({"error": {"class": "Interrupted", "hint": hint}}) + "\n")
        else:
            err.write(_printable(f"interrupted: {hint}") + "\n")
        return EXIT_INTERRUPTED
    if args.json:
        _print_json(persona_to_json(persona), out)
    else:
        out.write(_printable(f"persona_id {persona.persona_id}") + "\n")
    return EXIT_OK


def _cmd_create(args: argparse.Namespace, target: Target, out: TextIO, err: TextIO) -> int:
    source_task_id = args.source_task_id
    result_id = args.result_id
    with _client(target, args) as client:
        if target.mock and source_task_id is None:
            source_task_id = _mock_module().fixtures.DEMO_MUSIC_TASK_ID
        if target.mock and result_id is None:
            result_id = client.list_songs(source_task_id)[0].result_id
        params: dict[str, Any] = {
            "source_task_id": source_task_id,
            "result_id": result_id,
            "name": args.name,
            "description": args.description,
            "vocal_start": args.vocal_start,
            "vocal_end": args.vocal_end,
            "style": args.style,
        }
        if not args.wait:
            task = client.create_persona(**params)
            if args.json:
                _print_json(task_to_json(task), out)
            else:
                _describe_task(task, out)
            return EXIT_OK
        return _wait_and_report(
            client,
            args,
            out,
            err,
            lambda progress: client.create_persona_and_wait(
                **params, timeout=args.wait_timeout, on_progress=progress
            ),
        )


def _cmd_wait(args: argparse.Namespace, target: Target, out: TextIO, err: TextIO) -> int:
    with _client(target, args) as client:
        return _wait_and_report(
            client,
            args,
            out,
            err,
            lambda progress: client.wait_for_persona(
                args.task_id, timeout=args.wait_timeout, on_progress=progress
            ),
        )


def _cmd_demo(args: argparse.Namespace, target: Target, out: TextIO, err: TextIO) -> int:
    """The whole story on the embedded mock: a song, a persona from it, a song with it."""

    def say(text: str) -> None:
        if not args.json:
            out.write(_printable(text) + "\n")

    def progress() -> ProgressDisplay:
        if args.json:
            return progress_display(err, json_lines=True)
        return ProgressDisplay(out, live=out.isatty())

    with _client(target, args) as client:
        story = _cli_music.run_demo(
            client,
            str(target.base_url),
            out,
            say,
            progress,
            wait_timeout=args.wait_timeout,
            describe_songs=_describe_songs,
            quiet=args.json,
        )
    if args.json:
        _print_json(story, out)
    else:
        for result_id in story["persona_songs"]:
            out.write(_printable(f"result_id {result_id}") + "\n")
    return EXIT_OK


def _cmd_music(args: argparse.Namespace, target: Target, out: TextIO, err: TextIO) -> int:
    display = progress_display(err, json_lines=args.json)
    try:
        with _client(target, args) as client:
            return _cli_music.run_music(
                args,
                client,
                out,
                display,
                print_json=_print_json,
                describe_task=_describe_task,
                describe_songs=_describe_songs,
            )
    finally:
        display.finish()


def _cmd_mock(argv: list[str]) -> int:
    return _mock_module().main(argv)


# --------------------------------------------------------------------------------------------
# The parser and main.


class UsageError(SystemExit):
    """A malformed command line (exit 2); ``main`` prints it plain, or as JSON with --json.

    A ``SystemExit``, as argparse's own error is, for callers of ``parse_args``.
    """

    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(EXIT_USAGE)
        self.parser = parser
        self.message = message


def _unknown_command(head: str, tail: str) -> str:
    """The message for a word that is no command: a near miss is named, anything else hidden.

    A command name is no secret, and a word that close to one is not a pasted key; any other
    word might be one (``evolink-persona sk-...``), so it is not shown.
    """
    value, _, listed = tail.partition(" (choose from ")
    choices = [choice.strip(" '\"") for choice in listed.rstrip(")").split(",")]
    close = difflib.get_close_matches(value.strip("'\""), choices, n=1, cutoff=0.6)
    if close:
        return f"{head}unknown command {value}; did you mean '{close[0]}'?"
    return f"{head}invalid choice (value not shown) (choose from {listed}"


class _Parser(argparse.ArgumentParser):
    """argparse that does not echo values it could not place: one may be a pasted key.

    ``evolink-persona task X --api-key sk-...`` must not print ``sk-...`` back; option names
    are kept so the user still sees what was wrong. Errors are raised as ``UsageError``.
    """

    def error(self, message: str) -> NoReturn:
        prefix = "unrecognized arguments: "
        if message.startswith(prefix):
            names = [word.split("=", 1)[0] for word in message[len(prefix) :].split()]
            options = [name for name in names if name.startswith("-")]
            hidden = len(names) - len(options)
            shown = " ".join(options)
            if hidden:
                shown = f"{shown} and {hidden} value(s) not shown" if shown else "values not shown"
            message = f"{prefix}{shown}"
        elif "invalid choice: " in message:
            head, _, tail = message.partition("invalid choice: ")
            message = _unknown_command(head, tail)
        raise UsageError(self, message)


def _option_parsers(*, on_command: bool) -> tuple[_Parser, _Parser]:
    """The common options, as parent parsers: (output options, where-to-talk options).

    They are accepted before the command (like ``git -C``) and after it. The main parser holds
    the real defaults; the subcommands' copies default to ``SUPPRESS``, so an option given
    before the command is not overwritten by the subcommand's default (argparse copies every
    attribute of the subcommand's namespace onto the main one). Two sets of parents, because
    parent parsers share their action objects, hence their defaults.
    """

    def default(value: object) -> object:
        return argparse.SUPPRESS if on_command else value

    output = _Parser(allow_abbrev=False, add_help=False)
    output.add_argument(
        "--json", action="store_true", default=default(False), help="print JSON for scripts"
    )
    output.add_argument(
        "--max-retries",
        type=int,
        metavar="N",
        default=default(None),
        help="retries per request",
    )
    target = _Parser(allow_abbrev=False, add_help=False)
    target.add_argument(
        "--mock",
        action="store_true",
        default=default(False),
        help="serve this command from the embedded mock server (no key needed)",
    )
    target.add_argument(
        "--api-key-file",
        metavar="PATH",
        default=default(None),
        help=f"read the API key from this file (default: ${API_KEY_ENV})",
    )
    target.add_argument(
        "--base-url",
        metavar="URL",
        default=default(None),
        help=f"service URL (default: ${BASE_URL_ENV} or https://api.evolink.ai)",
    )
    return output, target


def _parser() -> _Parser:
    output, target = _option_parsers(on_command=True)
    waiting = _Parser(allow_abbrev=False, add_help=False)
    waiting.add_argument(
        "--wait-timeout",
        type=float,
        default=DEFAULT_WAIT_TIMEOUT,
        metavar="SECONDS",
        help=f"stop waiting after this long (default {DEFAULT_WAIT_TIMEOUT:g}); the task goes "
        "on, and the message names the 'evolink-persona wait' command that resumes",
    )

    parser = _Parser(
        prog="evolink-persona",
        # No abbreviations: "--api-key sk-..." must not be taken for --api-key-file.
        allow_abbrev=False,
        parents=list(_option_parsers(on_command=False)),
        description="Create Suno personas on EvoLink and follow their tasks. The options "
        "--json, --mock, --api-key-file, --base-url and --max-retries go before or after "
        "the command.",
        epilog=_exit_code_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = [output, target]

    create = commands.add_parser(
        "create",
        allow_abbrev=False,
        parents=[*common, waiting],
        help="create a persona from a song",
        description="Create a persona from one song of a finished music task (it costs "
        "credits; the rules are checked before anything is sent). Required: --name and "
        "--description, and without --mock also --source-task-id and --result-id (list a "
        "task's songs with: evolink-persona songs TASK_ID).",
    )
    create.add_argument(
        "--source-task-id",
        metavar="TASK_ID",
        help="the finished music task the song belongs to (required; --mock: the demo task)",
    )
    create.add_argument(
        "--result-id",
        metavar="UUID",
        help="the song's result_id, from 'evolink-persona songs TASK_ID' (required; --mock: "
        "the task's first song)",
    )
    create.add_argument("--name", required=True, help="the persona's name (required)")
    create.add_argument(
        "--description", required=True, help="what the persona sounds like (required)"
    )
    create.add_argument(
        "--vocal-start",
        type=float,
        metavar="SECONDS",
        help="start of the vocal sample in the song; give both --vocal-start and --vocal-end "
        "or neither, 10 to 30 s apart (default: the service picks)",
    )
    create.add_argument(
        "--vocal-end", type=float, metavar="SECONDS", help="end of the vocal sample (see above)"
    )
    create.add_argument("--style", help="style tags for the persona (optional)")
    create.add_argument(
        "--wait",
        action="store_true",
        help="wait for the task to end and print the persona_id (else print the submitted task)",
    )

    task = commands.add_parser("task", allow_abbrev=False, parents=common, help="show a task")
    task.add_argument("task_id")

    songs = commands.add_parser(
        "songs", allow_abbrev=False, parents=common, help="list a music task's songs"
    )
    songs.add_argument("task_id", nargs="?", help="(--mock: the demo music task)")

    wait = commands.add_parser(
        "wait",
        allow_abbrev=False,
        parents=[*common, waiting],
        help="wait for a persona task to end",
    )
    wait.add_argument("task_id")

    _cli_music.add_music_parser(commands, [*common, waiting], _Parser)

    commands.add_parser(
        "demo",
        allow_abbrev=False,
        parents=[output, waiting],
        help="the whole flow against the embedded mock (no key needed)",
    )

    commands.add_parser(
        "mock",
        allow_abbrev=False,
        help="run the mock server (arguments go to it; try: mock --help)",
        add_help=False,
    )
    return parser


def _exit_code_epilog() -> str:
    lines = ["exit codes:", f"  {EXIT_OK:3d}  success", f"  {EXIT_USAGE:3d}  usage error"]
    for cls, code in sorted(EXIT_CODES.items(), key=lambda item: item[1]):
        lines.append(f"  {code:3d}  {cls.__name__}")
    lines.append(f"  {EXIT_INTERRUPTED:3d}  interrupted")
    return "\n".join(lines)


def _check_placement(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse a common option given before a command it means nothing to (exits 2).

    ``mock`` takes its own arguments after the word ``mock``; ``demo`` always talks to the
    embedded mock, so a key file or a base URL would be silently ignored there.
    """
    if args.command == "mock":
        parser.error("the mock server takes its options after 'mock' (try: mock --help)")
    if args.command == "demo" and (args.api_key_file is not None or args.base_url is not None):
        parser.error("demo always uses the embedded mock: --api-key-file/--base-url do not apply")
    if args.mock and args.base_url is not None:
        parser.error(
            "--mock serves the command from the embedded mock server, so --base-url would be "
            "ignored: drop --mock to use that server, or --base-url to use the embedded mock"
        )
    if args.mock and args.api_key_file is not None:
        parser.error(
            "--mock uses the embedded mock's demo key, so --api-key-file would be ignored: "
            "drop one of them"
        )


def _run(args: argparse.Namespace, out: TextIO, err: TextIO, targets: list[Target]) -> int:
    """Run the command; ``targets`` receives the target, for the hints of a failure."""
    if args.command == "demo":
        # Not set_defaults(mock=True): parent parsers share their actions, so a default set
        # on one subcommand would leak into all of them.
        args.mock = True
    with _target(args) as target:
        targets.append(target)
        if args.command == "task":
            return _cmd_task(args, target, out)
        if args.command == "songs":
            return _cmd_songs(args, target, out)
        if args.command == "create":
            return _cmd_create(args, target, out, err)
        if args.command == "wait":
            return _cmd_wait(args, target, out, err)
        if args.command == "music":
            return _cmd_music(args, target, out, err)
        return _cmd_demo(args, target, out, err)


def doubled_api_prefix(base_url: str | None) -> str | None:
    """The base URL without its trailing API prefix, when its path repeats the API's (/v1).

    The API's paths start with the prefix already, so ``http://host/v1`` sends every request
    to ``/v1/v1/...``, which no server routes: the 404 then says nothing about the task.
    """
    if not base_url:
        return None
    prefix = "/" + CREATE_PERSONA.path.strip("/").split("/")[0]
    trimmed = base_url.rstrip("/")
    if trimmed.endswith(prefix) and "://" in trimmed[: -len(prefix)]:
        return trimmed[: -len(prefix)]
    return None


def _cli_hint(error: EvolinkError, target: Target | None, args: argparse.Namespace) -> str:
    """The error's hint in the CLI's terms: the options the user actually gave.

    The SDK's hints name its environment variables and arguments; a command line that took
    the key from --api-key-file or the URL from --base-url is told about those instead.
    """
    hint = error.hint
    base_url = getattr(args, "base_url", None)
    if isinstance(error, NotFoundError):
        fixed = doubled_api_prefix(base_url or os.environ.get(BASE_URL_ENV))
        if fixed is not None:
            where = "--base-url" if base_url else BASE_URL_ENV
            return (
                f"The base URL ends with the API's own path prefix, so the request went to a "
                f"doubled path the service does not know: set {where} to {fixed}"
            )
    if target is not None and target.key_source != API_KEY_ENV:
        source = target.key_source
        if isinstance(error, AuthenticationError):
            return f"Check the key in {source}: it is missing, invalid or expired"
        hint = hint.replace(f"{API_KEY_ENV} (or api_key=...)", source)
    if base_url is not None:
        hint = hint.replace(f"base_url or {BASE_URL_ENV}", "--base-url")
        hint = hint.replace(BASE_URL_ENV, f"--base-url {base_url}")
    return hint


def _report(error: EvolinkError, args: argparse.Namespace | None, err: IO[str]) -> int:
    if args is not None and getattr(args, "json", False):
        payload: dict[str, dict[str, Any]] = {
            "error": {
                "class": type(error).__name__,
                "message": error.message,
                "status_code": error.status_code,
                "code": error.code,
                "type": error.type,
                "hint": error.hint,
                "task_id": error.task_id,
            }
        }
        if isinstance(error, RequestValidationError):
            payload["error"]["violations"] = [attrs.asdict(v) for v in error.violations]
        err.write(json.dumps(payload) + "\n")
    else:
        err.write(f"error: {_printable(str(error))}\n")
    return error.exit_code


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (the console script exits with it)."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    out, err = sys.stdout, sys.stderr
    if arguments[:1] == ["mock"]:
        try:
            return _cmd_mock(arguments[1:])
        except EvolinkError as error:
            return _report(error, None, err)
        except SystemExit as exit_request:  # its --help, or a usage error it printed
            return exit_request.code if isinstance(exit_request.code, int) else EXIT_USAGE
    parser = _parser()
    try:
        args = parser.parse_args(arguments)
        _check_placement(parser, args)
    except UsageError as usage:
        return _report_usage(usage, json_lines="--json" in arguments, err=err)
    except SystemExit as exit_request:  # --help, --version
        return exit_request.code if isinstance(exit_request.code, int) else EXIT_USAGE
    targets: list[Target] = []
    try:
        return _run(args, out, err, targets)
    except EvolinkError as error:
        error.hint = _cli_hint(error, targets[0] if targets else None, args)
        return _report(error, args, err)
    except KeyboardInterrupt as interrupt:
        notes = [_printable(str(note)) for note in getattr(interrupt, "__notes__", ())]
        if args.json:
            # e.g. the id of a task just created, so a script can resume it
            err.write(json.dumps({"error": {"class": "Interrupted", "hint": "", "notes": notes}}))
            err.write("\n")
        else:
            err.write("interrupted\n")
            for note in notes:
                err.write(note + "\n")
        return EXIT_INTERRUPTED


def _report_usage(usage: UsageError, *, json_lines: bool, err: TextIO) -> int:
    hint = f"see: {usage.parser.prog} --help"
    if json_lines:
        error = {"class": "UsageError", "message": usage.message, "hint": hint}
        err.write(json.dumps({"error": error}) + "\n")
    else:
        usage.parser.print_usage(err)
        err.write(f"{usage.parser.prog}: error: {usage.message} ({hint})\n")
    return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
