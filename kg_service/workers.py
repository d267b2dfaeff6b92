"""Worker processes: every query and update runs where it can be stopped.

pyoxigraph and rdflib cannot be interrupted inside one call, so the HTTP process never runs a
query itself. It hands the query to an idle *reader* process through a pipe and awaits the
answer on the event loop; past the deadline the worker is killed (SIGKILL) and replaced, and
the client gets a clear timeout error while the other workers go on serving.

Readers open an immutable *snapshot* of the store. When writes are enabled a single *writer*
process owns the read-write store; after each committed update it writes a new snapshot (a
cheap hard-link checkpoint for pyoxigraph) and readers move to it on their next request.

Each message is a pickle behind an 8-byte length, on one pipe to the worker and one back (the
one back is watched by the event loop for the worker's whole life). Worker → HTTP process::

    ("whole", kind, format, body, cost)    a small result, in one message, with the (CPU,
                                           wall) seconds it took
    ("head", kind, format, first_chunk)    a large result starts; then
    ("chunk", bytes) … ("end",)            the rest of it
    ("ok",)                                an update or snapshot is done
    ("value", object)                      the return value of a ``call`` (any picklable)
    ("error", KGError)                     anything that went wrong, with its status
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import ctypes
import importlib
import logging
import multiprocessing as mp
import os
import pickle
import resource
import signal
import struct
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from .errors import KGError, Overloaded, QueryTimeout, ResourceExhausted
from .formats import GRAPH_FORMATS, RESULT_FORMATS, Format
from .store import QueryRequest

__all__ = ["EngineSpec", "QueryResult", "Worker", "WorkerPool", "die_with_parent", "single"]

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
    cost: tuple[float, float] | None = None  # CPU and wall seconds a whole result took

    async def close(self) -> None:
        """Release what the result holds (a worker mid-stream); safe to call twice."""
        if self.closer is not None:
            await self.closer()


# --- the wire: length-prefixed pickles over two pipes ---------------------------------------

_HEADER = struct.Struct("!Q")


def _write_message(fd: int, message: Any) -> None:
    """Write one message (blocking); the reader side knows its length from the header."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def _read_exactly(fd: int, size: int) -> bytes:
    parts, missing = [], size
    while missing:
        part = os.read(fd, missing)
        if not part:
            raise EOFError
        parts.append(part)
        missing -= len(part)
    return b"".join(parts)


def _read_message(fd: int) -> Any:
    """Read one message (blocking): what the worker does while it waits for work."""
    (size,) = _HEADER.unpack(_read_exactly(fd, _HEADER.size))
    return pickle.loads(_read_exactly(fd, size))


class _Frames:
    """Splits a byte stream into the messages :func:`_write_message` framed."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def feed(self, data: bytes) -> list[Any]:
        self.buffer += data
        messages, start, end = [], 0, len(self.buffer)
        while end - start >= _HEADER.size:
            (size,) = _HEADER.unpack_from(self.buffer, start)
            if end - start - _HEADER.size < size:
                break
            begin = start + _HEADER.size
            messages.append(pickle.loads(self.buffer[begin : begin + size]))
            start = begin + size
        del self.buffer[:start]
        return messages


# --- inside the worker process -------------------------------------------------------------


class _PipeSink:
    """Buffers a result and sends it in chunks of :data:`CHUNK` bytes."""

    def __init__(self, fd: int) -> None:
        self.fd, self.buffer, self.started = fd, bytearray(), False
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
            _write_message(self.fd, ("chunk", chunk))
        else:
            _write_message(self.fd, ("head", self.kind, self.format, chunk))
            self.started = True

    def finish(self, cost: tuple[float, float]) -> None:
        """Send what is left; a whole result carries what it cost: CPU and wall-clock seconds."""
        if not self.started:
            whole = ("whole", self.kind, self.format, bytes(self.buffer), cost)
            _write_message(self.fd, whole)
            return
        if self.buffer:
            self._send_chunk()
        _write_message(self.fd, ("end",))


def die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (no orphan keeps a store locked)."""
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


def _worker_main(
    inbox: Connection, outbox: Connection, spec: EngineSpec, path: str | None, writable: bool
) -> None:
    """The loop of one worker: receive an operation, run it, answer."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
    _limit_memory(spec.memory_mb)
    engine, opened = (_open_writer(spec, path), path) if writable and path else (None, None)
    source, sink = inbox.fileno(), outbox.fileno()
    while True:
        try:
            op, payload, snapshot = _read_message(source)
        except (EOFError, OSError):
            return
        try:
            if not writable and snapshot and snapshot != opened:
                engine, opened = None, None
                engine, opened = spec.open(snapshot, False), snapshot
            _run(sink, engine, op, payload)
        except KGError as exc:
            _write_message(sink, ("error", exc))
        except Exception as exc:  # a bug or an engine failure: report it, keep the worker
            _write_message(sink, ("error", KGError(f"{type(exc).__name__}: {exc}")))


def _run(fd: int, engine: Any, op: str, payload: Any) -> None:
    if op == "query":
        sink, cpu, wall = _PipeSink(fd), time.thread_time(), time.perf_counter()
        engine.query(payload, sink)
        sink.finish((time.thread_time() - cpu, time.perf_counter() - wall))
    elif op == "update":
        text, base_iri, target = payload
        engine.update(text, base_iri)
        engine.snapshot(Path(target))
        _write_message(fd, ("ok",))
    elif op == "write_graph":
        graph, ntriples, replace, target = payload
        engine.write_graph(graph, ntriples, replace)
        engine.snapshot(Path(target))
        _write_message(fd, ("ok",))
    elif op == "snapshot":
        engine.snapshot(Path(payload))
        _write_message(fd, ("ok",))
    elif op == "call":
        target, args = payload
        module, _, name = target.partition(":")
        _write_message(fd, ("value", getattr(importlib.import_module(module), name)(*args)))
    else:
        raise KGError(f"unknown worker operation {op!r}")


# --- in the HTTP process -------------------------------------------------------------------


def _context() -> mp.context.BaseContext:
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["kg_service.workers", "kg_service.engine", "pyoxigraph"])
    return ctx


class Worker:
    """One worker process, a pipe to it and a pipe back.

    The pipe back is non-blocking and watched by the event loop for the worker's whole life
    (no reader added and removed per request): what arrives is split into messages and kept in
    an inbox until :meth:`recv` takes it. Messages to the worker are small and the worker is
    idle when it gets one, so they are written directly.
    """

    def __init__(self, spec: EngineSpec, path: str | None = None, writable: bool = False) -> None:
        ctx = _context()
        inbox_r, inbox_w = ctx.Pipe(duplex=False)
        outbox_r, outbox_w = ctx.Pipe(duplex=False)
        self.process = ctx.Process(
            target=_worker_main, args=(inbox_r, outbox_w, spec, path, writable), daemon=True
        )
        self.process.start()
        inbox_r.close()
        outbox_w.close()
        self._pipes = (inbox_w, outbox_r)  # they own the two descriptors below
        self.fd_out, self.fd_in = inbox_w.fileno(), outbox_r.fileno()
        os.set_blocking(self.fd_in, False)
        self.snapshot: str | None = None
        self.inbox: collections.deque[Any] = collections.deque()
        self.frames = _Frames()
        self.waiter: asyncio.Future | None = None
        self.dead = False
        self.loop: asyncio.AbstractEventLoop | None = None

    def _attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start watching the pipe back on ``loop`` (at the first :meth:`recv`)."""
        self.loop = loop
        loop.add_reader(self.fd_in, self._readable)

    def _readable(self) -> None:
        try:
            data = os.read(self.fd_in, 1 << 20)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if data:
            self.inbox.extend(self.frames.feed(data))
        else:  # the worker is gone
            self.dead = True
            self._detach()
        if (self.inbox or self.dead) and self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    def _detach(self) -> None:
        if self.loop is not None:
            with contextlib.suppress(Exception):
                self.loop.remove_reader(self.fd_in)
            self.loop = None

    def send(self, op: str, payload: Any, snapshot: str | None = None) -> None:
        self.snapshot = snapshot or self.snapshot
        try:
            _write_message(self.fd_out, (op, payload, snapshot))
        except OSError:  # the worker is gone; recv() tells the caller
            self.dead = True

    async def recv(self, deadline: float) -> tuple:
        """The next message, or :class:`QueryTimeout` once ``deadline`` (loop time) passes."""
        if not self.inbox and not self.dead:
            loop = asyncio.get_running_loop()
            if self.loop is None:
                self._attach(loop)
            self.waiter = waiter = loop.create_future()
            timer = loop.call_at(deadline, _expire, waiter)
            try:
                await waiter
            finally:
                timer.cancel()
                self.waiter = None
        if self.inbox:
            return self.inbox.popleft()
        raise self._death()

    def _death(self) -> KGError:
        self.process.join(1)
        if self.process.exitcode == -signal.SIGABRT:  # an allocation over RLIMIT_DATA
            return ResourceExhausted(
                "The request needed more memory than a worker may use and was stopped."
            )
        return KGError("The worker running this request died; it has been replaced.")

    def kill(self) -> None:
        self._detach()
        with contextlib.suppress(ProcessLookupError, OSError):
            if self.process.pid:
                os.kill(self.process.pid, signal.SIGKILL)
        self.process.join(5)
        for pipe in self._pipes:
            pipe.close()

    @property
    def pid(self) -> int | None:
        return self.process.pid


def _expire(waiter: asyncio.Future) -> None:
    if not waiter.done():
        waiter.set_exception(QueryTimeout("The query ran past the time limit and was stopped."))


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
            return QueryResult(msg[1], _FORMATS[msg[2]], single(msg[3]), msg[3], cost=msg[4])
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


async def single(body: bytes) -> AsyncIterator[bytes]:
    """A body that is already whole, as the one-chunk stream :class:`QueryResult` holds."""
    yield body
