"""``evolink-persona music ...`` and the demo's whole story, kept apart from the persona CLI.

``music create`` submits a music generation (``--wait`` waits for its songs, ``--persona``
applies a persona), ``music wait`` waits for the songs of a music task. The demo runs the
story on the embedded mock: a song, a persona from it, a new song with that persona, with
every id printed and each task's callback caught by a receiver on loopback.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Sequence
from typing import Any, TextIO

import attrs

from ._client import PersonaClient
from ._models import Song, Task
from ._music import DEFAULT_MUSIC_MODEL, MUSIC_MODELS, PERSONA_MODES, VOCAL_GENDERS

__all__ = ["add_music_parser", "run_demo", "run_music"]

Say = Callable[[str], None]


def add_music_parser(
    commands: Any, parents: Sequence[argparse.ArgumentParser], parser_class: type[Any]
) -> None:
    """The ``music`` command and its ``create`` and ``wait`` subcommands."""
    music = commands.add_parser(
        "music", allow_abbrev=False, help="generate music (optionally with a persona)"
    )
    actions = music.add_subparsers(dest="music_command", required=True, metavar="ACTION")
    create = actions.add_parser(
        "create", allow_abbrev=False, parents=list(parents), help="submit a music generation"
    )
    create.add_argument("--model", default=DEFAULT_MUSIC_MODEL, choices=MUSIC_MODELS)
    create.add_argument("--prompt", help="the description (simple mode) or the lyrics (custom)")
    create.add_argument("--custom", action="store_true", help="custom mode: --style, --title")
    create.add_argument("--instrumental", action="store_true")
    create.add_argument("--style")
    create.add_argument("--title")
    create.add_argument("--negative-tags")
    create.add_argument("--vocal-gender", choices=VOCAL_GENDERS)
    create.add_argument("--style-weight", type=float)
    create.add_argument("--weirdness-constraint", type=float)
    create.add_argument("--audio-weight", type=float)
    create.add_argument("--persona", metavar="PERSONA_ID", help="apply a persona (V5 models)")
    create.add_argument("--persona-model", choices=PERSONA_MODES)
    create.add_argument("--duration", type=int, metavar="SECONDS", help="suno-v5.5 only")
    create.add_argument("--callback-url", metavar="URL")
    create.add_argument("--wait", action="store_true", help="wait for the songs")
    wait = actions.add_parser(
        "wait", allow_abbrev=False, parents=list(parents), help="wait for a music task's songs"
    )
    wait.add_argument("task_id")


def _music_arguments(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "model": args.model,
        "prompt": args.prompt,
        "custom_mode": args.custom,
        "instrumental": args.instrumental,
        "style": args.style,
        "title": args.title,
        "negative_tags": args.negative_tags,
        "vocal_gender": args.vocal_gender,
        "style_weight": args.style_weight,
        "weirdness_constraint": args.weirdness_constraint,
        "audio_weight": args.audio_weight,
        "persona": args.persona,
        "persona_model": args.persona_model,
        "duration": args.duration,
        "callback_url": args.callback_url,
    }


def run_music(
    args: argparse.Namespace,
    client: PersonaClient,
    out: TextIO,
    progress: Callable[[Task], None],
    *,
    print_json: Callable[[object, TextIO], None],
    describe_task: Callable[[Task, TextIO], None],
    describe_songs: Callable[[Sequence[Song], TextIO], None],
) -> int:
    """``music create`` / ``music wait``; returns the exit code (errors raise)."""
    if args.music_command == "wait":
        songs = client.wait_for_songs(args.task_id, timeout=args.wait_timeout, on_progress=progress)
    elif not args.wait:
        task = client.generate_music(**_music_arguments(args))
        if args.json:
            print_json(_task_json(task), out)
        else:
            describe_task(task, out)
        return 0
    else:
        songs = client.generate_music_and_wait(
            **_music_arguments(args), timeout=args.wait_timeout, on_progress=progress
        )
    if args.json:
        print_json([attrs.asdict(song) for song in songs], out)
    else:
        describe_songs(songs, out)
    return 0


def _task_json(task: Task) -> dict[str, Any]:
    return {k: v for k, v in attrs.asdict(task).items() if k != "raw"}


def run_demo(
    client: PersonaClient,
    base_url: str,
    out: TextIO,
    say: Say,
    progress_factory: Callable[[], Any],
    *,
    wait_timeout: float,
    describe_songs: Callable[[Sequence[Song], TextIO], None],
    quiet: bool,
) -> dict[str, Any]:
    """The whole story on the embedded mock; returns every id it made (for ``--json``)."""
    receiver_module: Any = importlib.import_module("evolink_mock.receiver")
    with receiver_module.CallbackReceiver(path="/demo-callbacks") as receiver:
        say(f"1. embedded mock server at {base_url} (demo account; no key needed)")
        say(f"   callbacks go to a receiver on loopback: {receiver.url}")

        def make_song(step: str, **arguments: Any) -> tuple[Task, tuple[Song, ...]]:
            task = client.generate_music(callback_url=receiver.url, **arguments)
            estimate = f", estimated {task.estimated_time:g}s" if task.estimated_time else ""
            say(f"{step} music task {task.id} submitted ({task.model}{estimate})")
            display = progress_factory()
            try:
                songs = client.wait_for_songs(
                    task.id,
                    timeout=wait_timeout,
                    on_progress=display,
                    estimated_time=task.estimated_time,
                )
            finally:
                display.finish()
            if not quiet:
                describe_songs(songs, out)
            return task, songs

        first, songs = make_song(
            "2. generating a song (simple mode):",
            prompt="A bright synth-pop song about a night drive",
        )
        song = songs[0]
        say(f"3. creating a persona from song {song.result_id} of task {first.id}")
        submitted = client.create_persona(
            source_task_id=first.id,
            result_id=song.result_id,
            name="Demo Persona",
            description="The vocal character of the demo song",
        )
        say(f"   persona task {submitted.id} submitted")
        display = progress_factory()
        try:
            persona = client.wait_for_persona(
                submitted.id,
                timeout=wait_timeout,
                on_progress=display,
                estimated_time=submitted.estimated_time,
            )
        finally:
            display.finish()
        say(f"   persona_id {persona.persona_id}")
        second, with_persona = make_song(
            f"4. generating a new song with persona {persona.persona_id} (custom mode):",
            model="suno-v5-beta",
            custom_mode=True,
            style="synth-pop, night drive, 118bpm",
            title="Neon Return",
            prompt="[Verse]\nThe city hums our song again\n[Chorus]\nWe drive until the dawn",
            persona=persona,
            persona_model="voice_persona",
        )
        received = receiver.wait_for(2, timeout=wait_timeout)
        say(f"5. callbacks received by {receiver.url}:")
        calls = [
            {
                "task_id": c.json().get("id"),
                "status": c.json().get("status"),
                "answered": c.answered,
            }
            for c in received
        ]
        for call in calls:
            say(f"   POST task {call['task_id']} status={call['status']} -> {call['answered']}")
        say(f"6. songs made with persona {persona.persona_id} (task {second.id}):")
    return {
        "music_task_id": first.id,
        "songs": [s.result_id for s in songs],
        "persona_task_id": submitted.id,
        "persona_id": persona.persona_id,
        "persona_music_task_id": second.id,
        "persona_songs": [s.result_id for s in with_persona],
        "callbacks": calls,
    }
