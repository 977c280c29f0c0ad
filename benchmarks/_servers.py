"""Servers under load run as separate processes on 127.0.0.1, started and stopped here.

A server in its own process is what users run and keeps the load generator's CPU out of
its numbers. Every wait here is bounded, and `stop()` always reaps the child.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from ._report import ROOT

BENCH_DIR = ROOT / ".bench"
HOST = "127.0.0.1"
#: Server logs kept in `.bench/logs`: one is written per server start (per port), so
#: without pruning every run of the suite or a benchmark left a few more behind.
LOGS_KEPT = 32
#: A log touched this recently (seconds) is never pruned: its server may still be running.
LOG_IN_USE_FOR = 3600.0


def free_port() -> int:
    """A port nothing listens on right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def rss_mib(pid: int) -> float:
    """Resident memory of a process from /proc (no psutil needed)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def open_sockets(pid: int | None = None) -> int:
    """How many socket file descriptors a process holds (this one by default)."""
    fd_dir = Path(f"/proc/{pid or os.getpid()}/fd")
    count = 0
    for entry in fd_dir.iterdir():
        with contextlib.suppress(OSError):
            if os.readlink(entry).startswith("socket:"):
                count += 1
    return count


def prune_logs(directory: Path, *, keep: int = LOGS_KEPT, now: float | None = None) -> list[Path]:
    """Remove all but the newest `keep` logs, sparing any touched in the last hour.

    Returns what it removed. Test workers start servers at once, so a log another
    process removed first is no error.
    """
    moment = time.time() if now is None else now
    dated: list[tuple[float, Path]] = []
    for path in directory.glob("*.log"):
        with contextlib.suppress(FileNotFoundError):
            dated.append((path.stat().st_mtime, path))
    dated.sort(reverse=True)
    removed = []
    for modified, path in dated[keep:]:
        if moment - modified < LOG_IN_USE_FOR:
            continue
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed.append(path)
    return removed


class ServerProcess:
    """A child process serving HTTP on `port`; a context manager that always stops it."""

    def __init__(
        self,
        argv: Sequence[str],
        port: int,
        *,
        name: str,
        cwd: Path = ROOT,
        ready_within: float = 60.0,
    ) -> None:
        self.argv = list(argv)
        self.port = port
        self.name = name
        self.cwd = cwd
        self.ready_within = ready_within
        # One log per port: servers of the same name may run at once (test workers).
        self.log_path = BENCH_DIR / "logs" / f"{name}-{port}.log"
        self._log: IO[bytes] | None = None
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        prune_logs(self.log_path.parent)
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - argv is ours, no shell
            self.argv,
            cwd=self.cwd,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + self.ready_within
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited early; see {self.log_path}")
            with contextlib.suppress(OSError), socket.create_connection((HOST, self.port), 0.2):
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not listen on {self.port} in {self.ready_within}s")

    def stop(self) -> None:
        process = self.process
        if process is not None and process.poll() is None:
            # The whole session: Prism runs under npx-like wrappers with children of its own.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def mock_argv(port: int, **flags: float | int) -> list[str]:
    """Command line of our standalone mock (`python -m evolink_mock`), request log off.

    `flags` are its options with `_` for `-` (`persona_duration=0.3`, `credits=1e12`).
    """
    argv = [sys.executable, "-m", "evolink_mock", "--port", str(port), "--quiet"]
    for flag, value in flags.items():
        argv += [f"--{flag.replace('_', '-')}", str(value)]
    return argv


@contextlib.contextmanager
def running_mock(name: str = "mock", **flags: float | int) -> Iterator[ServerProcess]:
    """Our mock's own standalone command on a free loopback port, stopped on exit."""
    port = free_port()
    with ServerProcess(mock_argv(port, **flags), port, name=name) as server:
        yield server
