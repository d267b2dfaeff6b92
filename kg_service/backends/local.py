"""The embedded backends (``oxigraph``, ``rdflib``): a store folder, reader workers, a writer.

Where the data lives:

* ``--store memory`` (default): a fresh store in a temporary folder (in ``/dev/shm`` when the
  machine has it), loaded from the build's N-Quads dump at start and removed at exit, so writes
  never touch the build;
* ``--store PATH``: that folder, kept across restarts (loaded from the dump if new or empty).

With writes off, readers open the store itself (nobody writes it). With an update token, one
writer process owns the read-write store and publishes a snapshot after each update.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import shutil
import tempfile
from pathlib import Path

import pyoxigraph as ox

from ..build import dump_path
from ..errors import BuildError, KGError
from ..formats import NQUADS
from ..inline import InlineRunner
from ..settings import Settings
from ..store import QueryRequest, select
from ..union import FILL_UNION, UNION
from ..workers import EngineSpec, QueryResult, Worker, WorkerPool

__all__ = ["LocalStore", "adopt_store"]

#: Quads in the stored default graph and in every named graph (the union graph is not one).
_COUNT_QUADS = "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"


class LocalStore:
    """A store on this machine, served through worker processes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.spec = EngineSpec(
            settings.backend, settings.union_default_graph, settings.worker_memory_mb
        )
        size = settings.query_workers
        self.pool = WorkerPool(self.spec, size, settings.max_concurrent, settings.query_timeout)
        self.inline = (
            InlineRunner(settings.inline_ms, settings.union_default_graph)
            if settings.inline_ms > 0 and settings.backend == "oxigraph"
            else None
        )
        self.writer: Worker | None = None
        self.write_lock = asyncio.Lock()
        self._temp: Path | None = None
        self._serial = itertools.count(1)
        self.primary = Path()
        self.snapshot = ""
        self.generation = 0  # bumped by every committed update: derived views follow it
        self.quads = 0
        self._recount: asyncio.Task | None = None

    @property
    def writable(self) -> bool:
        return self.settings.writes_enabled

    async def start(self) -> None:
        self.primary = await asyncio.to_thread(self._prepare)
        self.snapshot = str(self.primary)
        if self.writable:
            self.writer = await asyncio.to_thread(Worker, self.spec, str(self.primary), True)
            await self._publish("snapshot", None)
        await self.pool.start()
        await self._count()

    async def _count(self) -> None:
        """Remember how many quads the graphs hold (for /metrics), until nothing changes."""
        seen = -1
        while seen != self.generation:
            seen = self.generation
            rows = await select(self, _COUNT_QUADS, stored_default=True)
            self.quads = int(rows[0]["n"]["value"])

    def _prepare(self) -> Path:
        if self.settings.store == "memory":
            shm = Path("/dev/shm")
            base = shm if shm.is_dir() and _writable_dir(shm) else None
            self._temp = Path(tempfile.mkdtemp(prefix="benelux-kg-", dir=base))
            primary = self._temp / "store"
        else:
            primary = Path(self.settings.store).resolve()
            self._temp = Path(tempfile.mkdtemp(prefix=".benelux-kg-snapshots-", dir=primary.parent))
        if not primary.exists() or not any(primary.iterdir()):
            _load_dump(self.settings, primary)
        return primary

    def stats(self) -> dict[str, float]:
        """Counters for /metrics."""
        pool = self.pool
        return {
            "query_timeouts_total": pool.timeouts,
            "rejections_total": pool.rejections,
            "inflight": pool.inflight,
            "store_quads": self.quads,
            "inline_queries_total": self.inline.runs if self.inline else 0,
        }

    async def query(self, request: QueryRequest) -> QueryResult:
        """In a worker; in this process once proven cheap on this snapshot (``inline``)."""
        snapshot, inline = self.snapshot, self.inline
        if inline is not None and inline.knows(request, snapshot):
            return inline.run(request)
        result = await self.pool.query(request, snapshot)
        if inline is not None and result.cost is not None:
            inline.learn(request, snapshot, result)
        return result

    async def update(self, text: str, base_iri: str | None = None) -> None:
        """Commit an update; acknowledged only once readers will see it on their next query.

        The quad count for /metrics is refreshed afterwards, off the update's own time: it
        reads the whole store, and a write should cost what it changes.
        """
        await self._publish("update", (text, base_iri))
        self._changed()

    async def write_graph(self, graph: str | None, ntriples: str, replace: bool) -> None:
        """A Graph Store ``PUT``/``POST`` (``graph`` ``None``: the stored default graph)."""
        await self._publish("write_graph", (graph, ntriples, replace))
        self._changed()

    def _changed(self) -> None:
        self.generation += 1
        if self._recount is None or self._recount.done():
            self._recount = asyncio.create_task(self._count())

    async def _publish(self, op: str, update: tuple | None) -> None:
        """Run a write (or just a snapshot) in the writer; move readers to the new snapshot."""
        assert self.writer is not None and self._temp is not None
        async with self.write_lock:
            target = self._temp / f"snapshot-{next(self._serial)}"
            payload = (*update, str(target)) if update else str(target)
            deadline = asyncio.get_running_loop().time() + self.settings.query_timeout
            self.writer.send(op, payload)
            try:
                msg = await self.writer.recv(deadline)
            except KGError:
                await self._restart_writer()
                raise
            if msg[0] == "error":
                raise msg[1]
            self.snapshot = str(target)
            self._drop_old_snapshots()

    async def _restart_writer(self) -> None:
        assert self.writer is not None
        self.writer.kill()
        self.writer = await asyncio.to_thread(Worker, self.spec, str(self.primary), True)

    def _drop_old_snapshots(self) -> None:
        keep = self.pool.snapshots_in_use() | {self.snapshot}
        if self.inline is not None and self.inline.snapshot:
            keep.add(self.inline.snapshot)
        for old in self._temp.glob("snapshot-*") if self._temp else []:
            if str(old) not in keep:
                shutil.rmtree(old, ignore_errors=True)

    async def close(self) -> None:
        if self._recount is not None:
            self._recount.cancel()
        if self.inline is not None:
            self.inline.close()
        await self.pool.close()
        if self.writer:
            self.writer.kill()
        if self._temp:
            shutil.rmtree(self._temp, ignore_errors=True)


def adopt_store(settings: Settings) -> bool:
    """Give a pyoxigraph store folder made elsewhere the union graph queries read; once.

    A store filled by another tool (or an earlier layout) has no union graph: with the union
    default graph on, its queries would see nothing. Its default graph is taken as the stored
    default graph. True when the union graph was added.
    """
    if settings.backend != "oxigraph" or not settings.union_default_graph:
        return False
    folder = Path(settings.store)
    if settings.store == "memory" or not folder.is_dir() or not any(folder.iterdir()):
        return False
    store = ox.Store.read_only(str(folder))
    has_data = next(iter(store), None) is not None
    adopted = has_data and not store.contains_named_graph(ox.NamedNode(UNION))
    del store
    if adopted:
        store = ox.Store(str(folder))
        store.update(FILL_UNION)
        store.flush()
        del store
    return adopted


def _writable_dir(path: Path) -> bool:
    with contextlib.suppress(OSError):
        probe = Path(tempfile.mkdtemp(dir=path))
        probe.rmdir()
        return True
    return False


def _load_dump(settings: Settings, primary: Path) -> None:
    dump = dump_path(settings, NQUADS)
    if not dump.exists():
        raise BuildError(f"no dump at {dump}: run `benelux-kg build` first")
    if settings.backend == "rdflib":
        primary.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(dump, primary / "data.nq")
        return
    store = ox.Store(str(primary))
    store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    if settings.union_default_graph:
        store.update(FILL_UNION)
    store.flush()
    del store
