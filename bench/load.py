"""Drive one query at one concurrency with wrk, and read back what it measured.

wrk (C, epoll, one thread here) POSTs the form ``query=…`` over keep-alive connections for a
fixed time; a small Lua script sets the request and prints the result as one JSON line.
Latencies are wrk's (microseconds, requests that completed); ``errors`` adds up connect,
read, write and timeout errors and non-2xx/3xx answers.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlencode

__all__ = ["Cell", "drive", "wrk_version"]

MARK = "BENCH-JSON "

LUA = """\
wrk.method = "POST"
wrk.body = "{body}"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Accept"] = "{accept}"

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{mark}{{"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,' ..
    '"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d,"mean_us":%.1f,' ..
    '"max_us":%d}}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(99), latency.mean,
    latency.max))
end
"""


@dataclass
class Cell:
    """What one wrk run measured."""

    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    mean_ms: float
    errors: int
    non_2xx: int
    bytes: int

    def to_dict(self) -> dict:
        return asdict(self)


def _script(query: str, accept: str, folder: Path) -> Path:
    body = urlencode({"query": query})  # only [A-Za-z0-9_.~%+-]: safe in a Lua string
    path = folder / "post.lua"
    path.write_text(LUA.format(body=body, accept=accept, mark=MARK), encoding="utf-8")
    return path


def _cell(raw: dict) -> Cell:
    seconds = raw["duration_us"] / 1e6
    ok = raw["requests"] - raw["status"]
    errors = sum(raw[k] for k in ("connect", "read", "write", "status", "timeout"))
    return Cell(
        requests=raw["requests"],
        seconds=round(seconds, 3),
        rps=round(max(ok, 0) / seconds, 2) if seconds else 0.0,
        p50_ms=round(raw["p50_us"] / 1000, 3),
        p99_ms=round(raw["p99_us"] / 1000, 3),
        mean_ms=round(raw["mean_us"] / 1000, 3),
        errors=errors,
        non_2xx=raw["status"],
        bytes=raw["bytes"],
    )


def drive(
    url: str, query: str, accept: str, concurrency: int, duration: float, timeout: float
) -> Cell:
    """Run wrk for ``duration`` seconds with ``concurrency`` connections on one thread."""
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        script = _script(query, accept, Path(tmp))
        argv = [
            "wrk",
            "-t1",
            f"-c{concurrency}",
            f"-d{max(1, round(duration))}s",
            f"--timeout={max(1, round(timeout))}s",
            "-s",
            str(script),
            url,
        ]
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=duration + timeout + 30, check=False
        )
    for line in done.stdout.splitlines():
        if line.startswith(MARK):
            return _cell(json.loads(line[len(MARK) :]))
    raise RuntimeError(f"wrk gave no result (exit {done.returncode}): {done.stderr.strip()}")


def wrk_version() -> str:
    done = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    return (
        (done.stdout or done.stderr).splitlines()[0].strip() if done.stdout or done.stderr else ""
    )
