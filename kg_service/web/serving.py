"""Running the HTTP server: a supervisor, its HTTP processes, and the writer.

``serve`` runs a supervisor that prepares the store and the run folder
(:mod:`kg_service.process.rundir`), starts the writer when writes are on
(:mod:`kg_service.process.writer`), then ``--workers`` HTTP
processes (default ``max(2, CPUs)``), each a uvicorn server on a socket of its own bound with
``SO_REUSEPORT``: Linux spreads new connections across them by a hash of the client's address
and port (as nginx's ``reuseport``; uvicorn's own shared socket let one process take a whole
burst). The supervisor binds the address first, without listening, so a port in use fails at
once with a clear message and nobody else can take the port while the children start.

A process retires (:mod:`kg_service.process.lifecycle`) when it holds a query it cannot stop: it
tells the supervisor through its pipe, and the supervisor starts its replacement at once, so the
port never has fewer than ``--workers`` processes accepting. A process that dies is replaced
too, and so is the writer. Every child dies with the supervisor (``PR_SET_PDEATHSIG``), even
on SIGKILL; the run folder of a killed supervisor is removed by the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing as mp
import os
import signal
import socket
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

import uvicorn

from kg_service.settings import Settings

__all__ = ["serve"]

log = logging.getLogger("kg_service.web.serving")

APP = "kg_service.web.app:create_app"


def _config(settings: Settings) -> dict[str, Any]:
    return {
        "factory": True,
        "host": settings.host,
        "port": settings.port,
        "log_level": "info",
        "access_log": False,  # kg_service.web.observability writes one JSON line per request
        "proxy_headers": False,  # no proxy is trusted by default: the client's own address
        "timeout_graceful_shutdown": int(settings.query_timeout) + 5,
    }


def serve(settings: Settings) -> None:
    """Serve the app until SIGTERM or SIGINT (the environment carries the settings)."""
    if not hasattr(socket, "SO_REUSEPORT"):
        raise SystemExit("serve needs SO_REUSEPORT (Linux, BSD, macOS)")
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


def _child(settings: Settings, family: socket.AddressFamily, pipe: Connection) -> None:
    """One HTTP process: its own socket in the port's group, one uvicorn server on it."""
    from kg_service.process import lifecycle
    from kg_service.process.workers import die_with_parent

    die_with_parent()
    sock = _bound(family, settings.host, settings.port)
    server = uvicorn.Server(uvicorn.Config(APP, **_config(settings)))

    lock = threading.Lock()  # the pipe is written from the loop and read by the waiting thread

    def send(message: tuple) -> None:
        with lock, contextlib.suppress(OSError):
            pipe.send(message)

    def retire(reason: str) -> None:
        send(("retiring", reason))
        loop = asyncio.get_running_loop()
        args = (pipe, loop, server, sock)
        threading.Thread(target=_await_successor, args=args, daemon=True).start()

    lifecycle.install(retire, on_ready=lambda: send(("ready",)))
    # uvicorn hands a SIGTERM back once it has shut down: leave as a process of
    # multiprocessing does then (its finalizers remove the temp folder the validation pool's
    # forkserver made), not killed by the signal
    signal.signal(signal.SIGTERM, _leave)
    try:
        server.run(sockets=[sock])
    finally:  # a runaway query may still hold a thread of the pool: it is not waited for
        threading.Thread(target=_exit_after, args=(_EXIT_GRACE,), daemon=True).start()


def _leave(_signum: int, _frame: object) -> None:
    raise SystemExit(0)


#: How long a stopping HTTP process may take to leave before it is made to.
_EXIT_GRACE = 3.0


def _exit_after(seconds: float) -> None:
    time.sleep(seconds)
    logging.shutdown()
    os._exit(0)


#: How long a retiring process waits for its replacement to serve before it stops accepting.
_SUCCESSOR_WAIT = 30.0


def _await_successor(
    pipe: Connection, loop: asyncio.AbstractEventLoop, server: Any, sock: socket.socket
) -> None:
    """Keep the socket until the supervisor says the replacement serves; then stop accepting,
    finish the requests in flight and exit (uvicorn's graceful shutdown).

    Closing a listening socket resets the connections still queued on it. So first its queue is
    shrunk to nothing (a new connection hashed to it is not queued: the client sends its SYN
    again and reaches a sibling), and what is queued is accepted before it closes.
    """
    with contextlib.suppress(OSError, EOFError):
        if pipe.poll(_SUCCESSOR_WAIT):
            pipe.recv()
    with contextlib.suppress(OSError):
        sock.listen(0)
    time.sleep(_DRAIN)
    loop.call_soon_threadsafe(setattr, server, "should_exit", True)


#: How long a retiring process keeps accepting what is already queued on its socket, and
#: answering on its keep-alive connections (each answer closing its connection), before it
#: closes the idle ones.
_DRAIN = 1.0


@dataclass
class _Child:
    process: Any
    pipe: Connection
    started: float
    retiring: bool = False
    replaces: _Child | None = None  # the retiring process it stands in for


class _Supervisor:
    """Starts the processes, replaces one that retires or dies, stops them all on a signal."""

    def __init__(self, settings: Settings, family: socket.AddressFamily) -> None:
        self.settings, self.family = settings, family
        self.context = mp.get_context("spawn")
        self.children: list[_Child] = []
        self.prepared: Any = None
        self.writer: Any = None
        self.indexer: Any = None
        self.stopping = False

    def run(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._stop)
        try:
            self._prepare()
            self.children = [self._start() for _ in range(max(self.settings.workers, 1))]
            while not self.stopping:
                self._watch()
        finally:
            self._stop_all()

    def _prepare(self) -> None:
        if self.settings.backend == "remote":
            return
        from kg_service.backends.local import prepare, start_indexer, start_writer

        self.prepared = prepare(self.settings)
        self.settings = self.settings.with_(run_dir=str(self.prepared.run.path))
        os.environ.update(self.settings.to_environ())  # the apps read their settings there
        if self.settings.writes_enabled:
            self.writer = start_writer(self.settings, self.prepared)
        self.indexer = start_indexer(self.settings, self.prepared)  # a thread: search indexes

    def _start(self) -> _Child:
        ours, theirs = self.context.Pipe(duplex=True)
        process = self.context.Process(
            target=_child, args=(self.settings, self.family, theirs), name="benelux-kg-http"
        )
        process.start()
        theirs.close()
        return _Child(process, ours, time.monotonic())

    def _watch(self) -> None:
        pipes = {c.pipe: c for c in self.children}
        sentinels = {c.process.sentinel: c for c in self.children}
        watched: list[Any] = [*pipes, *sentinels]
        if self.writer is not None:
            watched.append(self.writer.sentinel)
        for ready in wait(watched, timeout=0.5):
            if self.stopping:
                return
            if ready in pipes:
                self._message(pipes[ready])
            elif ready in sentinels:
                self._exited(sentinels[ready])
            elif self.writer is not None and ready == self.writer.sentinel:
                self._restart_writer()

    def _message(self, child: _Child) -> None:
        try:
            message = child.pipe.recv()
        except (EOFError, OSError):
            return  # it exited: its sentinel says so
        if message[0] == "retiring" and not child.retiring:
            log.warning("HTTP process %s retires (%s): replacing it", child.process.pid, message[1])
            child.retiring = True
            successor = self._start()
            successor.replaces = child
            self.children.append(successor)
        elif message[0] == "ready" and child.replaces is not None:
            with contextlib.suppress(OSError):
                child.replaces.pipe.send(("close",))  # the port is served: the old one may go
            child.replaces = None

    def _exited(self, child: _Child) -> None:
        child.process.join(1)
        self.children.remove(child)
        child.pipe.close()
        if child.retiring:
            return
        code = child.process.exitcode
        log.warning("HTTP process %s exited (%s): restarting", child.process.pid, code)
        if time.monotonic() - child.started < 1:  # dying at start: do not spin
            time.sleep(1)
        self.children.append(self._start())

    def _restart_writer(self) -> None:
        from kg_service.backends.local import start_writer

        log.warning("the writer exited (%s): restarting it", self.writer.exitcode)
        self.writer.join(1)
        self.writer = start_writer(self.settings, self.prepared)

    def _stop(self, signum: int, _frame: object) -> None:
        self.stopping = True

    def _stop_all(self, grace: float = 10.0) -> None:
        for child in self.children:
            if child.process.is_alive():
                child.process.terminate()
        deadline = time.monotonic() + grace
        for child in self.children:
            child.process.join(max(0.0, deadline - time.monotonic()))
            if child.process.is_alive():
                child.process.kill()
                child.process.join(1)
        if self.writer is not None and self.writer.is_alive():
            self.writer.kill()
            self.writer.join(5)
        if self.indexer is not None:
            self.indexer.stop()
        if self.prepared is not None:
            self.prepared.run.remove()
