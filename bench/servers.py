"""The three SPARQL servers of the benchmark: start, wait until they answer, stop.

Each server runs in its own session (process group), so stopping it also stops whatever it
forked (HTTP processes, helper processes). :class:`Servers` stops every server it started
when its ``with`` block ends, whatever the reason (error, Ctrl-C, SIGTERM). :func:`pinned`
puts a command under ``taskset``; :func:`process_memory` reads the memory of every process
of a running server.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

__all__ = [
    "Server",
    "Servers",
    "Unavailable",
    "free_port",
    "group_cpu_seconds",
    "pinned",
    "process_memory",
    "sigterm_as_interrupt",
    "wait_answer",
]

FORM = "application/x-www-form-urlencoded"


class Unavailable(RuntimeError):
    """A server did not start, or died, or did not answer in time."""


@dataclass
class Server:
    """One running server: what it is, where it answers, its process and log."""

    name: str
    url: str
    process: subprocess.Popen
    log: Path
    started: float
    argv: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    info: dict = field(default_factory=dict)

    @property
    def pid(self) -> int:
        return self.process.pid


def group_cpu_seconds(pgid: int) -> float:
    """CPU seconds (user + system) used so far by the live processes of process group ``pgid``."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended meanwhile
            continue
        fields = text[text.rfind(")") + 2 :].split()  # from field 3 (state) on
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int | str) -> list[str] | None:
    """Fields 3… of ``/proc/PID/stat`` (state, ppid, pgrp, …), None once the process is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rfind(")") + 2 :].split()


def family(pid: int) -> list[int]:
    """``pid``, the other processes of its process group and all their descendants, sorted."""
    parents: dict[int, int] = {}
    found = {pid}
    for entry in Path("/proc").glob("[0-9]*"):
        fields = _stat_fields(entry.name)
        if fields is None:
            continue
        parents[int(entry.name)] = int(fields[1])
        if int(fields[2]) == pid:
            found.add(int(entry.name))
    grew = True
    while grew:
        more = {child for child, parent in parents.items() if parent in found} - found
        found |= more
        grew = bool(more)
    return sorted(found)


def _status_value(pid: int, key: str, name: str = "status") -> str | None:
    """The value of a ``Key:`` line of ``/proc/PID/status`` (or ``smaps_rollup``)."""
    try:
        text = Path(f"/proc/{pid}/{name}").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(f"{key}:"):
            return line.split(":", 1)[1].strip()
    return None


def _kb(value: str | None) -> int | None:
    return int(value.split()[0]) if value else None


_ROLES = (  # what a Python child of a server is, from its command line
    ("multiprocessing.resource_tracker", "resource tracker"),
    ("multiprocessing.spawn", "spawned"),
    ("multiprocessing.forkserver", "forkserver"),
)


def _role(pid: int, main: int) -> str:
    """``main``, ``spawned``, ``forkserver``, ``resource tracker``, or the process' name."""
    if pid == main:
        return "main"
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "?"
    return next((name for marker, name in _ROLES if marker in cmdline), comm)


def _roles(pids: list[int], main: int) -> dict[int, str]:
    """The role of each process; a child the forkserver forked (same command line) is
    ``forked``."""
    raw = {pid: _role(pid, main) for pid in pids}
    parents = {pid: int(f[1]) for pid in pids if (f := _stat_fields(pid))}
    return {
        pid: "forked"
        if role == "forkserver" and raw.get(parents.get(pid, -1)) == "forkserver"
        else role
        for pid, role in raw.items()
    }


def process_memory(pid: int) -> dict:
    """VmRSS (and PSS, when readable), role and CPUs allowed of every process of the server
    started as ``pid`` (its process group and descendants), and the totals.

    RSS counts pages shared between processes (code, the store's mapped files) in each of
    them, so the RSS total overstates what a forked server costs; PSS splits shared pages
    between their users and adds up (``/proc/PID/smaps_rollup``; None when not readable).
    """
    members = family(pid)
    roles, rows = _roles(members, pid), []
    for member in members:
        rss = _kb(_status_value(member, "VmRSS"))
        if rss is None:  # ended meanwhile, or a kernel thread
            continue
        rows.append(
            {
                "pid": member,
                "role": roles[member],
                "main": member == pid,
                "cpus": _status_value(member, "Cpus_allowed_list"),
                "rss_kb": rss,
                "pss_kb": _kb(_status_value(member, "Pss", "smaps_rollup")),
            }
        )
    pss_all = [r["pss_kb"] for r in rows]
    return {
        "processes": rows,
        "rss_kb": sum(r["rss_kb"] for r in rows),
        "pss_kb": sum(pss_all) if rows and None not in pss_all else None,
    }


def pinned(argv: Sequence[str], cpus: str | None) -> list[str]:
    """``argv`` under ``taskset -c CPUS`` (its children inherit the affinity), or as it is."""
    return ["taskset", "-c", cpus, *argv] if cpus else list(argv)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _post(client: httpx.Client, url: str, query: str, accept: str) -> httpx.Response:
    headers = {"Content-Type": FORM, "Accept": accept}
    return client.post(url, data={"query": query}, headers=headers)


def wait_answer(
    server: Server,
    query: str,
    accept: str,
    timeout: float,
    interval: float = 0.01,
) -> float:
    """Seconds from the server's start until it answers ``query`` with a 200 (polling)."""
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=httpx.Timeout(timeout)) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise Unavailable(
                    f"{server.name} exited ({server.process.returncode}); "
                    f"see {server.log}:\n{_tail(server.log)}"
                )
            with contextlib.suppress(httpx.TransportError):
                if _post(client, server.url, query, accept).status_code == 200:
                    return time.monotonic() - server.started
            time.sleep(interval)
    raise Unavailable(f"{server.name} gave no answer within {timeout:.0f} s; see {server.log}")


def _tail(path: Path, lines: int = 15) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return ""


def stop(process: subprocess.Popen, grace: float = 5.0) -> None:
    """SIGTERM the process group, then SIGKILL it if it is still there after ``grace``."""
    if process.poll() is None:
        _signal_group(process, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(grace)
    _signal_group(process, signal.SIGKILL)  # stragglers of the group, if any
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(grace)


def _signal_group(process: subprocess.Popen, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


class Servers(contextlib.AbstractContextManager):
    """Starts servers and guarantees they are all stopped at the end of the ``with`` block."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.running: list[Server] = []

    def start(
        self, name: str, argv: Sequence[str], url: str, env: dict[str, str] | None = None
    ) -> Server:
        """Start ``argv`` in a new session, its output in ``<log_dir>/<name>.log``."""
        log = self.log_dir / f"{name}.log"
        with log.open("ab") as out:
            started = time.monotonic()
            process = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, **(env or {})},
                start_new_session=True,
            )
        server = Server(name, url, process, log, started, list(argv), dict(env or {}))
        self.running.append(server)
        return server

    def restart(self, server: Server) -> Server:
        """Stop ``server`` and start it again, same command, same port."""
        self.stop(server)
        again = self.start(server.name, server.argv, server.url, server.env)
        again.info = {**server.info, "restarts": server.info.get("restarts", 0) + 1}
        return again

    def stop(self, server: Server) -> None:
        stop(server.process)
        if server in self.running:
            self.running.remove(server)

    def __exit__(self, *exc: object) -> None:
        for server in reversed(self.running):
            stop(server.process)
        self.running.clear()


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM and SIGINT raise KeyboardInterrupt, so ``with`` blocks clean up on either.

    SIGINT is set explicitly: a process started in the background by a shell inherits it
    ignored, and Ctrl-C or ``kill -INT`` would then do nothing.
    """

    def raise_interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    sigs = (signal.SIGTERM, signal.SIGINT)
    previous = {sig: signal.signal(sig, raise_interrupt) for sig in sigs}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
