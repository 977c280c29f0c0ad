"""How the CLI shows a wait: rich's progress bar, a one-line display, plain or JSON lines.

A terminal gets rich's bar when the ``cli`` extra is installed (rich is a dependency of the
CLI only: the SDK needs httpx and attrs alone) and a one-line display rewritten in place
without it; anything else gets one plain line per change, and ``--json`` one JSON object
per change, like every other line the CLI writes to stderr then.
"""

from __future__ import annotations

import importlib
import json
import shutil
from typing import Any, TextIO

from ._models import Task

__all__ = ["JsonProgress", "ProgressDisplay", "RichProgress", "printable", "progress_display"]


def printable(text: str) -> str:
    """``text`` with control characters escaped, for a terminal.

    Titles, statuses and messages come from the service; printed raw, an escape sequence in
    one could rewrite the user's terminal. (JSON output escapes them already.)
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == "\n" else repr(c)[1:-1] for c in text)


class ProgressDisplay:
    """Live one-line progress on a terminal (without rich); one plain line per change elsewhere.

    Every display keeps ``task``, the last task it was shown, so an interrupted wait can say
    which task to resume.
    """

    def __init__(self, out: TextIO, *, live: bool, width: int | None = None) -> None:
        self.out = out
        self.live = live
        # A line longer than the terminal wraps, and "\r" then rewrites only its last row.
        self.width = width if width is not None else shutil.get_terminal_size().columns
        self.last: tuple[str, int | None] | None = None
        self.task: Task | None = None

    def __call__(self, task: Task) -> None:
        self.task = task
        state = (task.status, task.progress)
        if state == self.last:
            return
        self.last = state
        percent = task.progress if task.progress is not None else 0
        if self.live:
            filled = max(0, min(20, percent // 5))
            bar = "#" * filled + "." * (20 - filled)
            line = printable(f"{task.id}  [{bar}] {percent:3d}%  {task.status:<12}")
            self.out.write("\r" + line[: max(1, self.width - 1)])
        else:
            self.out.write(printable(f"{task.id}: {task.status} {percent}%") + "\n")
        self.out.flush()

    def finish(self) -> None:
        if self.live and self.last is not None:
            self.out.write("\n")
            self.out.flush()


class JsonProgress(ProgressDisplay):
    """With ``--json``: one JSON object per change on stderr, like every other stderr line."""

    def __init__(self, out: TextIO) -> None:
        super().__init__(out, live=False, width=0)

    def __call__(self, task: Task) -> None:
        self.task = task
        state = (task.status, task.progress)
        if state == self.last:
            return
        self.last = state
        event = {"event": "progress", "task_id": task.id, "status": task.status}
        self.out.write(json.dumps({**event, "progress": task.progress}) + "\n")
        self.out.flush()

    def finish(self) -> None:
        pass


class RichProgress(ProgressDisplay):
    """On a terminal with the ``cli`` extra installed: rich's progress bar, updated in place."""

    def __init__(self, out: TextIO, rich_progress: Any) -> None:
        super().__init__(out, live=True, width=0)
        self._module = rich_progress
        self._progress: Any = None
        self._bar: Any = None

    def __call__(self, task: Task) -> None:
        self.task = task
        if self._progress is None:
            rich = self._module
            console = importlib.import_module("rich.console").Console(file=self.out)
            self._progress = rich.Progress(
                rich.TextColumn("{task.description}"),
                rich.BarColumn(),
                rich.TaskProgressColumn(),
                rich.TextColumn("{task.fields[status]}"),
                rich.TimeElapsedColumn(),
                console=console,
            )
            self._progress.start()
            self._bar = self._progress.add_task(printable(task.id), total=100, status="")
        self._progress.update(
            self._bar, completed=task.progress or 0, status=printable(task.status)
        )

    def finish(self) -> None:
        if self._progress is not None:
            self._progress.stop()


def progress_display(err: TextIO, *, json_lines: bool) -> ProgressDisplay:
    """The display of a wait: JSON lines, rich on a terminal, else plain lines."""
    if json_lines:
        return JsonProgress(err)
    if not err.isatty():
        return ProgressDisplay(err, live=False)
    try:
        rich_progress = importlib.import_module("rich.progress")
    except ImportError:  # the optional `cli` extra: the one-line display does without it
        return ProgressDisplay(err, live=True)
    return RichProgress(err, rich_progress)
