"""The one writer: a process that owns the read-write store and applies every write in turn.

The supervisor starts it (when an update token is set) before the HTTP processes, and starts
another if it dies. Each HTTP process reaches it through a Unix socket of the run folder
(:mod:`kg_service.process.rundir`), authenticated with the run's key. For each write it:

1. applies it in one transaction (an update that fails leaves nothing behind);
2. writes a checkpoint of the store as ``snapshots/<n+1>`` (hard links: cheap);
3. publishes ``n+1`` in the run folder's ``generation``, so every process's next query reads
   the new snapshot; and only then answers ``("ok", n+1)``: acknowledged means committed,
   durable (RocksDB's log is written before the commit returns) and visible.

A write that runs past the time limit is stopped by the HTTP process that sent it: it kills this
process (nothing half-applied survives a transaction), and the supervisor starts another.
Snapshots older than the last few, and than the query time limit, are removed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time
from multiprocessing.connection import Client, Connection, Listener
from pathlib import Path
from typing import Any

from kg_service.errors import BackendUnavailable, KGError, QueryTimeout
from kg_service.process.rundir import RunDir
from kg_service.settings import Settings

__all__ = ["WriterClient", "run_writer"]

log = logging.getLogger("kg_service.process.writer")

#: Snapshots kept besides the current one, at least (readers may still be on them).
_KEEP = 2


def run_writer(settings: Settings, run_path: str, store_path: str, ready: Connection) -> None:
    """The writer process: open the store, take writes until the supervisor stops it."""
    from kg_service.process.workers import die_with_parent

    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    run = RunDir(Path(run_path))
    engine = _open(settings, store_path)
    generation = run.generation
    if not run.snapshot(generation).exists():
        engine.snapshot(run.snapshot(generation))
    (run.path / "writer.pid").write_text(str(os.getpid()))
    with contextlib.suppress(FileNotFoundError):
        os.unlink(run.writer_address)
    listener = Listener(run.writer_address, family="AF_UNIX", authkey=run.authkey)
    ready.send(generation)
    ready.close()
    _serve(listener, engine, run, settings)


def _open(settings: Settings, path: str) -> Any:
    """The read-write engine, waiting while a killed predecessor still holds the store's lock."""
    from kg_service.query.engines import open_engine

    for attempt in range(100):
        try:
            return open_engine(settings, path, writable=True)
        except OSError:
            if attempt == 99:
                raise
            time.sleep(0.1)
    raise AssertionError("unreachable")


def _serve(listener: Listener, engine: Any, run: RunDir, settings: Settings) -> None:
    """Each HTTP process's connection in a thread of its own; one write at a time."""
    lock = threading.Lock()
    published: dict[int, float] = {run.generation: time.monotonic()}

    def client(conn: Connection) -> None:
        while True:
            try:
                op, payload = conn.recv()
            except (EOFError, OSError):
                return
            with lock:
                answer = _apply(engine, run, op, payload)
                if answer[0] == "ok":
                    published[answer[1]] = time.monotonic()
                    _forget(run, published, settings.query_timeout)
            with contextlib.suppress(OSError):
                conn.send(answer)

    while True:
        with contextlib.suppress(OSError, EOFError):
            conn = listener.accept()
            threading.Thread(target=client, args=(conn,), daemon=True).start()


def _apply(engine: Any, run: RunDir, op: str, payload: tuple) -> tuple:
    try:
        if op == "update":
            engine.update(*payload)
        elif op == "write_graph":
            engine.write_graph(*payload)
        else:
            raise KGError(f"unknown write {op!r}")
        generation = run.generation + 1
        engine.snapshot(run.snapshot(generation))
        run.publish(generation)
        return ("ok", generation)
    except KGError as exc:
        return ("error", exc)
    except Exception as exc:  # an engine failure: report it, keep the writer
        return ("error", KGError(f"{type(exc).__name__}: {exc}"))


def _forget(run: RunDir, published: dict[int, float], grace: float) -> None:
    """Drop the snapshots no query can still be reading (older than the time limit + 5 s)."""
    newest = sorted(published)[-_KEEP - 1 :]
    cutoff = time.monotonic() - grace - 5
    keep = {g for g, when in published.items() if g in newest or when > cutoff}
    for g in list(published):
        if g not in keep:
            del published[g]
    run.drop_snapshots(keep)


class WriterClient:
    """An HTTP process's line to the writer (blocking calls: run them in a thread)."""

    def __init__(self, run: RunDir) -> None:
        self.run = run
        self.conn: Connection | None = None
        self.lock = threading.Lock()  # one write at a time on the one connection

    def send(self, op: str, payload: tuple, timeout: float) -> int:
        """Apply a write; the generation it made. Past ``timeout`` the writer is stopped."""
        with self.lock:
            return self._send(op, payload, timeout)

    def _send(self, op: str, payload: tuple, timeout: float) -> int:
        conn = self._connect(timeout)
        try:
            conn.send((op, payload))
            if not conn.poll(timeout):
                self._stop_writer()
                raise QueryTimeout("The update ran past the time limit and was stopped.")
            answer = conn.recv()
        except (OSError, EOFError):
            self.close()
            raise BackendUnavailable(
                "The writer stopped while applying the update; nothing of it was kept."
            ) from None
        except QueryTimeout:
            self.close()
            raise
        if answer[0] == "error":
            raise answer[1]
        return int(answer[1])

    def _connect(self, timeout: float) -> Connection:
        deadline = time.monotonic() + timeout
        while self.conn is None:
            try:
                self.conn = Client(self.run.writer_address, "AF_UNIX", authkey=self.run.authkey)
            except (OSError, EOFError):
                if time.monotonic() > deadline:
                    raise BackendUnavailable("The writer is not running; retry shortly.") from None
                time.sleep(0.05)  # a new writer is starting (the supervisor replaces it)
        return self.conn

    def _stop_writer(self) -> None:
        pid = self.run.writer_pid()
        if pid:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)

    def close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(OSError):
                self.conn.close()
            self.conn = None
