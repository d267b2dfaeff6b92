"""Drive one query at one concurrency with wrk, and read back what it measured.

wrk (C, epoll, one thread here) POSTs the form ``query=…`` over keep-alive connections for a
fixed time; a small Lua script sets the request and prints the result as one JSON line.
Latencies are wrk's (microseconds, requests that completed); ``errors`` adds up connect,
read, write and timeout errors and non-2xx/3xx answers (``non_2xx``, counted in ``errors``).

Two modes:

- ``distinct`` (the default): every request has a query text of its own, so no memo or
  cache keyed on the text can answer it. The Lua ``request()`` function appends a comment
  line ``# bench-<nonce>-<counter>`` to the query (URL-encoded: ``%0A%23+…``); the nonce is
  new for each wrk run, so a later cell never repeats a text of an earlier one. A SPARQL
  comment ends at the newline, and this one is the last line: the query means the same.
- ``repeated``: the same body over and over (what a portal's example query looks like).
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlencode

__all__ = ["MODES", "Cell", "done_lua", "drive", "run_script", "wrk_version"]

MARK = "BENCH-JSON "
MODES = ("distinct", "repeated")

LUA = """\
wrk.method = "POST"
wrk.body = "{body}"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Accept"] = "{accept}"
{request}
"""

#: wrk's ``done()``: the result as one JSON line after :data:`MARK` (``{mark}``: MARK).
DONE = """\
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

# one Lua state per wrk thread: with -t1 the counter is unique within the run
DISTINCT = """\
local counter = 0
local tail = "%0A%23+bench-{nonce}-"

request = function()
  counter = counter + 1
  return wrk.format(nil, nil, nil, wrk.body .. tail .. counter)
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


def script_text(query: str, accept: str, mode: str = "distinct") -> str:
    """The Lua script of one wrk run (``mode``: distinct or repeated)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}: {mode!r}")
    body = urlencode({"query": query})  # only [A-Za-z0-9_.~%+-]: safe in a Lua string
    request = DISTINCT.replace("{nonce}", uuid.uuid4().hex[:12]) if mode == "distinct" else ""
    return LUA.format(body=body, accept=accept, request=request) + done_lua()


def done_lua() -> str:
    """The Lua ``done()`` that prints wrk's result for :func:`run_script` to read."""
    return DONE.format(mark=MARK)


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


def wrk_argv(
    url: str, script: Path, concurrency: int, duration: float, timeout: float, cpus: str | None
) -> list[str]:
    """wrk's command line, under ``taskset -c CPUS`` when ``cpus`` is given."""
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
    return ["taskset", "-c", cpus, *argv] if cpus else argv


def drive(
    url: str,
    query: str,
    accept: str,
    concurrency: int,
    duration: float,
    timeout: float,
    mode: str = "distinct",
    cpus: str | None = None,
) -> Cell:
    """Run wrk for ``duration`` seconds with ``concurrency`` connections on one thread.

    ``mode``: ``distinct`` (a new query text per request) or ``repeated`` (one body);
    ``cpus``: run wrk under ``taskset -c cpus`` (None: wherever the kernel puts it).
    """
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        script = Path(tmp) / "post.lua"
        script.write_text(script_text(query, accept, mode), encoding="utf-8")
        return run_script(url, script, concurrency, duration, timeout, cpus)


def run_script(
    url: str, script: Path, concurrency: int, duration: float, timeout: float, cpus: str | None
) -> Cell:
    """Run wrk with the Lua ``script`` (which must end with :func:`done_lua`); its result."""
    argv = wrk_argv(url, script, concurrency, duration, timeout, cpus)
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
