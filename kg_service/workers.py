"""Worker processes: every query and update runs where it can be stopped.

pyoxigraph and rdflib cannot be interrupted inside one call, so the HTTP process never runs a
query itself. It hands the query to an idle *reader* process through a pipe and awaits the
answer on the event loop; past the deadline the worker is killed (SIGKILL) and replaced, and
the client gets a clear timeout error while the other workers go on serving.

Readers open an immutable *snapshot* of the store. When writes are enabled a single *writer*
process owns the read-write store; after each committed update it writes a new snapshot (a
cheap hard-link checkpoint for pyoxigraph) and readers move to it on their next request.

Messages, worker → HTTP process::

    ("whole", kind, format, body)          a small result, in one message
    ("head", kind, format, first_chunk)    a large result starts; then
    ("chunk", bytes) … ("end",)            the rest of it
    ("ok",)                                an update or snapshot is done
    ("value", object)                      the return value of a ``call`` (any picklable)
    ("error", KGError)                     anything that went wrong, with its status
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import importlib
import logging
import multiprocessing as mp
import os
import resource
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from .errors import KGError, Overloaded, QueryTimeout, ResourceExhausted
from .formats import GRAPH_FORMATS, RESULT_FORMATS, Format
from .store import QueryRequest

__all__ = ["EngineSpec", "QueryResult", "Worker", "WorkerPool"]

log = logging.getLogger("kg_service.workers")

CHUNK = 64 * 1024
_FORMATS = {f.name: f for f in (*RESULT_FORMATS, *GRAPH_FORMATS)}


@dataclass(frozen=True)
class EngineSpec:
    """Which engine a worker opens (picklable: sent to the worker process)."""

    backend: str = "oxigraph"
    union_default_graph: bool = True
    memory_mb: int = 0  # a cap on each worker's heap (RLIMIT_DATA); 0: none

    def open(self, path: str, writable: bool) -> Any:
        if self.backend == "rdflib":
            from .backends.rdflib import RdflibEngine

            return RdflibEngine.open(path, writable, self.union_default_graph)
        from .engine import OxigraphEngine

        opener = OxigraphEngine.writer if writable else OxigraphEngine.reader
        return opener(path, self.union_default_graph)


@dataclass
class QueryResult:
    """A result on its way: its kind and format are known, its bytes may still be coming."""

    kind: str
    format: Format
    body: AsyncIterator[bytes]
    data: bytes | None = None  # the whole body, when it came in one piece
    closer: Callable[[], Awaitable[None]] | None = None

    async def close(self) -> None:
        """Release what the result holds (a worker mid-stream); safe to call twice."""
        if self.closer is not None:
            await self.closer()


# --- inside the worker process -------------------------------------------------------------


class _PipeSink:
    """Buffers a result and sends it in chunks of :data:`CHUNK` bytes."""

    def __init__(self, conn: Connection) -> None:
        self.conn, self.buffer, self.started = conn, bytearray(), False
        self.kind, self.format = "", ""

    def head(self, kind: str, fmt: Format) -> None:
        self.kind, self.format = kind, fmt.name

    def write(self, data: bytes) -> int:
        self.buffer += data
        if len(self.buffer) >= CHUNK:
            self._send_chunk()
        return len(data)

    def flush(self) -> None:
        pass

    def _send_chunk(self) -> None:
        chunk, self.buffer = bytes(self.buffer), bytearray()
        if self.started:
            self.conn.send(("chunk", chunk))
        else:
            self.conn.send(("head", self.kind, self.format, chunk))
            self.started = True

    def finish(self) -> None:
        if not self.started:
            self.conn.send(("whole", self.kind, self.format, bytes(self.buffer)))
            return
        if self.buffer:
            self._send_chunk()
        self.conn.send(("end",))


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when its parent dies (no orphan keeps a store locked)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _limit_memory(megabytes: int) -> None:
    """Cap the heap: a query that needs more aborts this worker, not the machine."""
    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def _open_writer(spec: EngineSpec, path: str, attempts: int = 50) -> Any:
    """Open the read-write store, waiting while a dying predecessor still holds its lock."""
    for attempt in range(attempts):
        try:
            return spec.open(path, True)
        except OSError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.2)
    raise AssertionError("unreachable")


def _worker_main(conn: Connection, spec: EngineSpec, path: str | None, writable: bool) -> None:
    """The loop of one worker: receive an operation, run it, answer."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    _limit_memory(spec.memory_mb)
    engine, opened = (_open_writer(spec, path), path) if writable and path else (None, None)
    while True:
        try:
            op, payload, snapshot = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if not writable and snapshot and snapshot != opened:
                engine, opened = None, None
                engine, opened = spec.open(snapshot, False), snapshot
            _run(conn, engine, op, payload)
        except KGError as exc:
            conn.send(("error", exc))
        except Exception as exc:  # a bug or an engine failure: report it, keep the worker
            conn.send(("error", KGError(f"{type(exc).__name__}: {exc}")))


def _run(conn: Connection, engine: Any, op: str, payload: Any) -> None:
    if op == "query":
        sink = _PipeSink(conn)
        engine.query(payload, sink)
        sink.finish()
    elif op == "update":
        text, base_iri, target = payload
        engine.update(text, base_iri)
        engine.snapshot(Path(target))
        conn.send(("ok",))
    elif op == "snapshot":
        engine.snapshot(Path(payload))
        conn.send(("ok",))
    elif op == "call":
        target, args = payload
        module, _, name = target.partition(":")
        conn.send(("value", getattr(importlib.import_module(module), name)(*args)))
    else:
        raise KGError(f"unknown worker operation {op!r}")


# --- in the HTTP process -------------------------------------------------------------------


def _context() -> mp.context.BaseContext:
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["kg_service.workers", "kg_service.engine", "pyoxigraph"])
    return ctx


class Worker:
    """One worker process and its end of the pipe."""

    def __init__(self, spec: EngineSpec, path: str | None = None, writable: bool = False) -> None:
        parent, child = _context().Pipe(duplex=True)
        self.process = _context().Process(
            target=_worker_main, args=(child, spec, path, writable), daemon=True
        )
        self.process.start()
        child.close()
        self.conn = parent
        self.snapshot: str | None = None

    def send(self, op: str, payload: Any, snapshot: str | None = None) -> None:
        self.snapshot = snapshot or self.snapshot
        self.conn.send((op, payload, snapshot))

    async def recv(self, deadline: float) -> tuple:
        """The next message, or :class:`QueryTimeout` once ``deadline`` (loop time) passes."""
        if not self.conn.poll():
            loop = asyncio.get_running_loop()
            ready = loop.create_future()
            fd = self.conn.fileno()
            loop.add_reader(fd, lambda: ready.done() or ready.set_result(None))
            try:
                await asyncio.wait_for(ready, max(0.0, deadline - loop.time()))
            except TimeoutError:
                raise QueryTimeout("The query ran past the time limit and was stopped.") from None
            finally:
                loop.remove_reader(fd)
                os.set_blocking(fd, True)  # uvloop's add_reader leaves the pipe non-blocking
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            self.process.join(1)
            if self.process.exitcode == -signal.SIGABRT:  # an allocation over RLIMIT_DATA
                raise ResourceExhausted(
                    "The request needed more memory than a worker may use and was stopped."
                ) from None
            raise KGError("The worker running this request died; it has been replaced.") from None

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, OSError):
            if self.process.pid:
                os.kill(self.process.pid, signal.SIGKILL)
        self.process.join(5)
        self.conn.close()

    @property
    def pid(self) -> int | None:
        return self.process.pid


class WorkerPool:
    """Reader workers, an admission cap, and the per-request deadline."""

    def __init__(self, spec: EngineSpec, size: int, max_concurrent: int, timeout: float) -> None:
        self.spec, self.size, self.timeout = spec, size, timeout
        self.max_concurrent = max(max_concurrent, 1)
        self.idle: asyncio.Queue[Worker] = asyncio.Queue()
        self.workers: set[Worker] = set()
        self.inflight = 0
        self.timeouts = 0
        self.rejections = 0
        self._replacing: set[asyncio.Task] = set()

    async def start(self) -> None:
        for _ in range(self.size):
            await self._add()

    async def _add(self) -> None:
        worker = await asyncio.to_thread(Worker, self.spec)
        self.workers.add(worker)
        self.idle.put_nowait(worker)

    async def close(self) -> None:
        for worker in list(self.workers):
            worker.kill()
        self.workers.clear()

    def snapshots_in_use(self) -> set[str]:
        return {w.snapshot for w in self.workers if w.snapshot}

    async def _acquire(self) -> Worker:
        """An idle worker, or :class:`Overloaded` when the cap of requests in flight is reached."""
        if self.inflight >= self.max_concurrent:
            self.rejections += 1
            raise Overloaded(
                f"Too many requests at once (limit {self.max_concurrent}); retry shortly.",
                headers={"Retry-After": "1"},
            )
        self.inflight += 1
        try:
            return await asyncio.wait_for(self.idle.get(), self.timeout)
        except TimeoutError:
            self.inflight -= 1
            self.rejections += 1
            raise Overloaded(
                f"No query worker became free within {self.timeout:g} s; retry shortly.",
                headers={"Retry-After": "1"},
            ) from None
        except BaseException:
            self.inflight -= 1
            raise

    async def call(self, target: str, *args: Any) -> Any:
        """Run ``module:function(*args)`` in a worker, stopped at the deadline; its value."""
        worker = await self._acquire()
        deadline = asyncio.get_running_loop().time() + self.timeout
        try:
            worker.send("call", (target, args))
            msg = await worker.recv(deadline)
        except BaseException as exc:
            self._finish(worker, healthy=False, error=exc)
            raise
        self._finish(worker, healthy=True)
        if msg[0] == "error":
            raise msg[1]
        return msg[1]

    async def query(self, request: QueryRequest, snapshot: str) -> QueryResult:
        """Run ``request`` on ``snapshot`` in a worker; stream the answer back."""
        worker = await self._acquire()
        deadline = asyncio.get_running_loop().time() + self.timeout
        try:
            worker.send("query", request, snapshot)
            first = await worker.recv(deadline)
        except BaseException as exc:
            self._finish(worker, healthy=False, error=exc)
            raise
        return await self._first(worker, first, deadline)

    async def _first(self, worker: Worker, msg: tuple, deadline: float) -> QueryResult:
        if msg[0] == "whole":
            self._finish(worker, healthy=True)
            return QueryResult(msg[1], _FORMATS[msg[2]], _single(msg[3]), msg[3])
        if msg[0] == "head":
            stream = _Stream(self, worker, msg[3], deadline)
            return QueryResult(msg[1], _FORMATS[msg[2]], stream.chunks(), closer=stream.close)
        self._finish(worker, healthy=True)
        raise msg[1] if msg[0] == "error" else KGError(f"unexpected worker message {msg[0]!r}")

    def _finish(self, worker: Worker, healthy: bool, error: BaseException | None = None) -> None:
        """Give a worker back, or kill it and start a replacement in a task of its own.

        Synchronous on purpose: it runs in ``finally`` blocks of requests that may already be
        cancelled (a client that went away), where an ``await`` would be cancelled too and the
        pool would lose the worker for good.
        """
        self.inflight -= 1
        if healthy:
            self.idle.put_nowait(worker)
            return
        if isinstance(error, QueryTimeout):
            self.timeouts += 1
        reason = type(error).__name__ if error else "aborted"
        log.warning("replacing worker %s (%s)", worker.pid, reason)
        self.workers.discard(worker)
        worker.kill()
        task = asyncio.get_running_loop().create_task(self._add())
        self._replacing.add(task)
        task.add_done_callback(self._replacing.discard)


class _Stream:
    """A result arriving in chunks; the worker goes back to the pool (or is replaced) once."""

    def __init__(self, pool: WorkerPool, worker: Worker, first: bytes, deadline: float) -> None:
        self.pool, self.worker, self.first, self.deadline = pool, worker, first, deadline
        self.released = False

    async def chunks(self) -> AsyncIterator[bytes]:
        healthy = False
        try:
            yield self.first
            while True:
                msg = await self.worker.recv(self.deadline)
                if msg[0] == "chunk":
                    yield msg[1]
                elif msg[0] == "end":
                    healthy = True
                    return
                else:
                    raise msg[1]
        finally:
            await self.close(healthy)

    async def close(self, healthy: bool = False) -> None:
        """Give the worker back; unless the stream ended cleanly, it is killed and replaced."""
        if not self.released:
            self.released = True
            self.pool._finish(self.worker, healthy)


async def _single(body: bytes) -> AsyncIterator[bytes]:
    yield body
