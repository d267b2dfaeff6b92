"""Worker processes for pure-Python work that must be stoppable: SHACL validation, RDF parsing.

pySHACL and rdflib hold the GIL and cannot be interrupted, so they never run in an HTTP
process: :meth:`WorkerPool.call` hands ``module:function(*args)`` to an idle worker through a
pipe and awaits the answer on the event loop; past the deadline the worker is killed (SIGKILL)
and replaced, and the client gets a clear timeout error while the other workers go on serving.
Each worker's heap is capped (``RLIMIT_DATA``): an allocation over it stops that worker only.
(Queries do not come here: they run in the HTTP process's threads, :mod:`kg_service.query.runner`.)

Each message is a pickle behind an 8-byte length, on one pipe to the worker and one back (the
one back is watched by the event loop for the worker's whole life). Worker → HTTP process::

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
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from kg_service.errors import KGError, Overloaded, QueryTimeout, ResourceExhausted
from kg_service.rdf.formats import GRAPH_FORMATS, RESULT_FORMATS

__all__ = ["Worker", "WorkerPool", "die_with_parent"]

log = logging.getLogger("kg_service.process.workers")

CHUNK = 64 * 1024
_FORMATS = {f.name: f for f in (*RESULT_FORMATS, *GRAPH_FORMATS)}


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


def _worker_main(inbox: Connection, outbox: Connection, memory_mb: int) -> None:
    """The loop of one worker: receive a call, run it, answer."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
    _limit_memory(memory_mb)
    source, sink = inbox.fileno(), outbox.fileno()
    while True:
        try:
            op, payload = _read_message(source)
        except (EOFError, OSError):
            return
        try:
            if op != "call":
                raise KGError(f"unknown worker operation {op!r}")
            target, args = payload
            module, _, name = target.partition(":")
            _write_message(sink, ("value", getattr(importlib.import_module(module), name)(*args)))
        except KGError as exc:
            _write_message(sink, ("error", exc))
        except MemoryError:  # Python's heap under RLIMIT_DATA: the request's fault, not a bug
            message = "The request needed more memory than a worker may use and was stopped."
            _write_message(sink, ("error", ResourceExhausted(message)))
        except Exception as exc:  # a bug or a library failure: report it, keep the worker
            _write_message(sink, ("error", KGError(f"{type(exc).__name__}: {exc}")))


# --- in the HTTP process -------------------------------------------------------------------


def _context() -> mp.context.BaseContext:
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["kg_service.process.workers", "kg_service.rdf.io", "pyshacl"])
    return ctx


class Worker:
    """One worker process, a pipe to it and a pipe back.

    The pipe back is non-blocking and watched by the event loop for the worker's whole life
    (no reader added and removed per request): what arrives is split into messages and kept in
    an inbox until :meth:`recv` takes it. Messages to the worker are small and the worker is
    idle when it gets one, so they are written directly.
    """

    def __init__(self, memory_mb: int = 0) -> None:
        ctx = _context()
        inbox_r, inbox_w = ctx.Pipe(duplex=False)
        outbox_r, outbox_w = ctx.Pipe(duplex=False)
        self.process = ctx.Process(
            target=_worker_main, args=(inbox_r, outbox_w, memory_mb), daemon=True
        )
        self.process.start()
        inbox_r.close()
        outbox_w.close()
        self._pipes = (inbox_w, outbox_r)  # they own the two descriptors below
        self.fd_out, self.fd_in = inbox_w.fileno(), outbox_r.fileno()
        os.set_blocking(self.fd_in, False)
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

    def send(self, op: str, payload: Any) -> None:
        try:
            _write_message(self.fd_out, (op, payload))
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
        waiter.set_exception(QueryTimeout("The request ran past the time limit and was stopped."))


class WorkerPool:
    """Workers, an admission cap, and the per-request deadline.

    The workers start with the first call, not with the service: each is a process with
    pySHACL loaded (~60 MB, and a forkserver beside them), which a service nobody sends data to
    validate should not hold. ``on_started`` runs once they are up (e.g. to warm them).
    """

    def __init__(
        self,
        memory_mb: int,
        size: int,
        max_concurrent: int,
        timeout: float,
        on_started: Callable[[], None] | None = None,
    ) -> None:
        self.memory_mb, self.size, self.timeout = memory_mb, size, timeout
        self.on_started = on_started
        self.started = False
        self.max_concurrent = max(max_concurrent, 1)
        self.idle: asyncio.Queue[Worker] = asyncio.Queue()
        self.workers: set[Worker] = set()
        self.inflight = 0
        self.timeouts = 0
        self.rejections = 0
        self._replacing: set[asyncio.Task] = set()

    async def start(self) -> None:
        """Start the workers now (they start with the first call otherwise)."""
        if self.started:
            return
        self.started = True  # before the await: a call meanwhile waits for an idle worker
        await asyncio.gather(*(self._add() for _ in range(self.size)))
        if self.on_started is not None:
            self.on_started()

    async def _add(self) -> None:
        worker = await asyncio.to_thread(Worker, self.memory_mb)
        self.workers.add(worker)
        self.idle.put_nowait(worker)

    async def close(self) -> None:
        for worker in list(self.workers):
            worker.kill()
        self.workers.clear()

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
        if not self.started:
            await self.start()
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
