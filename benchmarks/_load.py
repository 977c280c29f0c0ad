"""The load generator: wrk (from Debian's packages) driven by a Lua script written here.

The script reads the requests to send from a file, one `PATH<TAB>BODY` per line, each wrk
thread taking every n-th line, and cycles through them; so a benchmark can send the same
request every time (Prism) or a fresh song per creation (our mock, one persona per song).
With `once`, a thread sends each of its lines at most once and stops when they are used up
(so a fresh-song run can never drift into refusals; wrk's duration is then the time it
really ran). It counts statuses per thread and prints one JSON line that `parse_wrk_json`
reads.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._servers import BENCH_DIR

WRK_MARK = "WRK_JSON "

_LUA = r"""
local requests = {}
local sent = 0
statuses = {}
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local file, nthreads, method, key = args[1], tonumber(args[2]), args[3], args[4]
  once = args[5] == "once"
  local index = 0
  for line in io.lines(file) do
    if index % nthreads == id then
      local tab = string.find(line, "\t", 1, true)
      table.insert(requests, {string.sub(line, 1, tab - 1), string.sub(line, tab + 1)})
    end
    index = index + 1
  end
  wrk.method = method
  wrk.headers["Authorization"] = "Bearer " .. key
  if method == "POST" then wrk.headers["Content-Type"] = "application/json" end
end

function request()
  sent = sent + 1
  if once and sent >= #requests then wrk.thread:stop() end
  local r = requests[((sent - 1) % #requests) + 1]
  if r[2] == "" then return wrk.format(nil, r[1]) end
  return wrk.format(nil, r[1], nil, r[2])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    local seen = thread:get("statuses")
    for status, n in pairs(seen) do counts[status] = (counts[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(counts) do table.insert(parts, string.format('"%d": %d', status, n)) end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"mean": %.1f, "p50": %d, "p90": %d, "p99": %d, "max": %d}, ' ..
    '"statuses": {%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, table.concat(parts, ", ")))
end
"""


@dataclass
class LoadResult:
    """What wrk saw: throughput, latency percentiles (ms) and the statuses it got."""

    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    statuses: dict[str, int] = field(default_factory=dict)
    socket_errors: int = 0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "seconds": self.seconds,
            "rps": round(self.rps, 1),
            "p50_ms": self.p50_ms,
            "p90_ms": self.p90_ms,
            "p99_ms": self.p99_ms,
            "max_ms": self.max_ms,
            "statuses": self.statuses,
            "socket_errors": self.socket_errors,
        }


def parse_wrk_json(output: str) -> LoadResult:
    """Read the line our Lua `done()` printed out of wrk's whole output."""
    for line in output.splitlines():
        if line.startswith(WRK_MARK):
            raw = json.loads(line[len(WRK_MARK) :])
            latency, errors = raw["latency_us"], raw["errors"]
            return LoadResult(
                requests=raw["requests"],
                seconds=raw["duration_us"] / 1e6,
                p50_ms=latency["p50"] / 1000,
                p90_ms=latency["p90"] / 1000,
                p99_ms=latency["p99"] / 1000,
                max_ms=latency["max"] / 1000,
                statuses={str(k): int(v) for k, v in raw["statuses"].items()},
                socket_errors=sum(errors[k] for k in ("connect", "read", "write", "timeout")),
            )
    raise ValueError(f"no {WRK_MARK.strip()} line in wrk output:\n{output[-2000:]}")


def request_lines(requests: Iterable[tuple[str, str]]) -> str:
    """The requests file: `PATH<TAB>BODY` per line (an empty body for a GET)."""
    lines = []
    for path, body in requests:
        if "\t" in path or "\n" in body or "\t" in body:
            raise ValueError("paths and bodies must be single-line, without tabs")
        lines.append(f"{path}\t{body}")
    return "\n".join(lines) + "\n"


def wrk_path() -> str:
    """wrk's path, installing Debian's package when missing (we are root on these machines)."""
    found = shutil.which("wrk")
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt is None:
        raise RuntimeError("wrk is missing and there is no apt-get to install it with")
    subprocess.run([apt, "update", "-qq"], check=True, timeout=300)  # noqa: S603 - fixed argv
    subprocess.run([apt, "install", "-y", "-qq", "wrk"], check=True, timeout=300)  # noqa: S603
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is not installed and apt-get could not install it")
    return found


def run_wrk(
    base_url: str,
    requests: Iterable[tuple[str, str]],
    *,
    method: str,
    api_key: str,
    name: str,
    seconds: float = 8.0,
    connections: int = 16,
    threads: int = 1,
    once: bool = False,
) -> LoadResult:
    """Load `base_url` for `seconds` with `connections` keep-alive connections.

    `once`: send each request line at most once, stopping early when they run out.
    """
    work = BENCH_DIR / "wrk"
    work.mkdir(parents=True, exist_ok=True)
    script, table = work / "requests.lua", work / f"{name}.tsv"
    script.write_text(_LUA)
    table.write_text(request_lines(requests))
    argv = [
        wrk_path(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "5s",
        "-s",
        str(script),
        base_url,
        "--",
        str(table),
        str(threads),
        method,
        api_key,
        "once" if once else "cycle",
    ]
    done = subprocess.run(  # noqa: S603 - argv is built here, no shell
        argv, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr[-1000:]}")
    return parse_wrk_json(done.stdout)


def run_wrk_background(
    base_url: str, table: Path, *, method: str, api_key: str, seconds: float, connections: int = 16
) -> subprocess.Popen[str]:
    """Start wrk without waiting (the memory benchmark samples the server meanwhile)."""
    script = BENCH_DIR / "wrk" / "requests.lua"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(_LUA)
    argv = [
        wrk_path(),
        "-t1",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "5s",
        "-s",
        str(script),
        base_url,
        "--",
        str(table),
        "1",
        method,
        api_key,
    ]
    return subprocess.Popen(  # noqa: S603 - argv is built here, no shell
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
