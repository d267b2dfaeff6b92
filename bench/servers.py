"""The three SPARQL servers of the benchmark: start, wait until they answer, stop.

Each server runs in its own session (process group), so stopping it also stops whatever it
forked (uvicorn workers, query worker processes). :class:`Servers` stops every server it
started when its ``with`` block ends, whatever the reason (error, Ctrl-C, SIGTERM).
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
