"""Running the HTTP server: one uvicorn process, or several that each accept their own share.

With ``--workers N`` uvicorn's own supervisor binds one listening socket and hands it to every
process. When a burst of connections arrives, the first process to wake accepts all of them
(uvloop accepts in a loop), and measured here, all 16 connections of a load test landed on one of
two processes about half of the time, leaving the other idle. Queries proven cheap run in the
HTTP process (:mod:`kg_service.inline`), so that halves throughput.

So each process here binds a socket of its own with ``SO_REUSEPORT`` and Linux spreads new
connections across them by a hash of the client's address and port (as nginx's ``reuseport``).
The parent binds the address first, without listening, so a port in use fails at once with a
clear message and nobody else can take the port while the children start; it restarts a child
that dies, and passes SIGTERM/SIGINT on.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import signal
import socket
import time
from typing import Any

import uvicorn

from .settings import Settings

__all__ = ["serve"]

log = logging.getLogger("kg_service.serving")

APP = "kg_service.app:create_app"


def _config(settings: Settings) -> dict[str, Any]:
    return {
        "factory": True,
        "host": settings.host,
        "port": settings.port,
        "log_level": "info",
        "access_log": False,  # kg_service.observability writes one JSON line per request
    }


def serve(settings: Settings) -> None:
    """Serve the app with ``settings.workers`` processes (the environment carries the settings)."""
    if settings.workers <= 1 or not hasattr(socket, "SO_REUSEPORT"):
        uvicorn.run(APP, workers=settings.workers, **_config(settings))
        return
    with _reserved(settings) as family:
        _Supervisor(settings, family).run()


@contextlib.contextmanager
def _reserved(settings: Settings):  # type: ignore[no-untyped-def]
    """Bind the address (not listening: it gets no connections) for as long as we serve."""
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = _bound(family, settings.host, settings.port)
    try:
        yield family
    finally:
        sock.close()


def _bound(family: socket.AddressFamily, host: str, port: int) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise SystemExit(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    return sock


def _child(settings: Settings, family: socket.AddressFamily) -> None:
    """One HTTP process: its own socket in the port's group, one uvicorn server on it."""
    from .workers import die_with_parent

    die_with_parent()
    sock = _bound(family, settings.host, settings.port)
    config = uvicorn.Config(APP, **_config(settings))
    uvicorn.Server(config).run(sockets=[sock])


class _Supervisor:
    """Starts the HTTP processes, restarts one that dies, stops them all on a signal."""

    def __init__(self, settings: Settings, family: socket.AddressFamily) -> None:
        self.settings, self.family = settings, family
        self.context = mp.get_context("spawn")
        self.children: list[tuple[Any, float]] = []  # (process, when it started)
        self.stopping = False

    def run(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._stop)
        self.children = [self._start() for _ in range(self.settings.workers)]
        while not self.stopping:
            for index, (child, started) in enumerate(self.children):
                if child.is_alive() or self.stopping:
                    continue
                log.warning("HTTP process %s exited (%s): restarting", child.pid, child.exitcode)
                if time.monotonic() - started < 1:  # dying at start: do not spin
                    time.sleep(1)
                self.children[index] = self._start()
            time.sleep(0.2)
        self._stop_all()

    def _start(self) -> tuple[Any, float]:
        process = self.context.Process(target=_child, args=(self.settings, self.family))
        process.start()
        return process, time.monotonic()

    def _stop(self, signum: int, _frame: object) -> None:
        self.stopping = True

    def _stop_all(self, grace: float = 10.0) -> None:
        for child, _ in self.children:
            if child.is_alive():
                child.terminate()
        deadline = time.monotonic() + grace
        for child, _ in self.children:
            child.join(max(0.0, deadline - time.monotonic()))
            if child.is_alive():
                child.kill()
                child.join(1)
