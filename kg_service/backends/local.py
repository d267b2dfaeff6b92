"""The embedded backends (``oxigraph``, ``rdflib``): queries in this process, writes in one writer.

Where the data lives:

* ``--store memory`` (default): a store loaded from the build's N-Quads dump into the run
  folder (in ``/dev/shm`` when the machine has it) and removed at exit, so writes never touch
  the build. One copy for every process: they share it through the page cache.
* ``--store PATH``: that folder, kept across restarts (loaded from the dump if new or empty).

The supervisor prepares both before it starts the HTTP processes (:func:`prepare`), and the
writer when writes are on (:func:`start_writer`). Each HTTP process then opens the store
read-only (without writes) or the snapshot of the last committed write, and runs its queries
in its own thread pool (:mod:`kg_service.query.runner`); it moves to a newer snapshot before
the first query that follows a write, whichever process sent it.

Full-text search (:mod:`kg_service.search`): the supervisor also starts the indexer
(:func:`start_indexer`), which builds the index of each new generation in the run folder; each
HTTP process searches the newest one published, and answers the ``SERVICE <…/search>`` blocks
of a query from it before the query reaches the runner.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import multiprocessing as mp
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg_service.build.layout import SEARCH_INDEX, dump_path
from kg_service.errors import BuildError, KGError
from kg_service.process.lifecycle import retire
from kg_service.process.rundir import RunDir
from kg_service.process.writer import WriterClient, run_writer
from kg_service.query.contract import QueryRequest, QueryResult, select
from kg_service.query.engines import open_engine
from kg_service.query.runner import MemoryGuard, QueryRunner, stop_oldest
from kg_service.query.union import FILL_UNION, UNION
from kg_service.rdf.formats import NQUADS
from kg_service.search import service as search_service
from kg_service.search.generations import Indexer, IndexFolder, IndexReader
from kg_service.search.index import indexed_quads
from kg_service.settings import Settings

__all__ = [
    "LocalStore",
    "Prepared",
    "adopt_store",
    "prepare",
    "start_indexer",
    "start_writer",
    "store_folder",
]

log = logging.getLogger("kg_service.query.contract")

#: Quads in the stored default graph and in every named graph (the union graph is not one).
_COUNT_QUADS = "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"


@dataclass
class Prepared:
    """What :func:`prepare` made: the run folder and the store folder."""

    run: RunDir
    store: Path
    fresh: bool = False  # loaded from the build's dump just now: the build's index fits it


def store_folder(settings: Settings, run: RunDir) -> Path:
    """The store's folder: in the run folder for ``--store memory``, else the one named."""
    return run.store if settings.store == "memory" else Path(settings.store).resolve()


def prepare(settings: Settings) -> Prepared:
    """The run folder and a loaded store folder (the supervisor calls this once)."""
    if settings.store == "memory":
        run = RunDir.create()
    else:
        parent = Path(settings.store).resolve().parent
        parent.mkdir(parents=True, exist_ok=True)
        run = RunDir.create(parent)  # snapshots are hard links: the same file system
    store = store_folder(settings, run)
    fresh = not store.exists() or not any(store.iterdir())
    if fresh:
        _load_dump(settings, store)
    return Prepared(run, store, fresh)


def start_indexer(settings: Settings, prepared: Prepared) -> Indexer:
    """The thread that keeps the search index of the newest generation built (started).

    A store just loaded from the build's dump starts with the build's own index.
    """
    run, writes = prepared.run, settings.writes_enabled

    def source(generation: int) -> Iterator[ox.Quad]:
        path = run.snapshot(generation) if writes else prepared.store
        if settings.backend == "rdflib":
            yield from ox.parse(path=str(path / "data.nq"), format=ox.RdfFormat.N_QUADS)
        else:
            yield from indexed_quads(ox.Store.read_only(str(path)))

    def generation() -> int:
        return run.generation if writes else 0

    indexer = Indexer(IndexFolder(run.path / "search"), generation, source)
    indexer.start(settings.build_path / SEARCH_INDEX if prepared.fresh else None)
    return indexer


def start_writer(settings: Settings, prepared: Prepared) -> mp.Process:
    """The writer process, started and ready (its first snapshot made)."""
    context = mp.get_context("spawn")
    ours, theirs = context.Pipe(duplex=False)
    args = (settings, str(prepared.run.path), str(prepared.store), theirs)
    process = context.Process(target=run_writer, args=args, name="benelux-kg-writer")
    process.start()
    theirs.close()
    if not ours.poll(120):
        process.kill()
        raise KGError("the writer did not start within 120 s")
    try:
        ours.recv()
    except EOFError:
        process.join(1)
        raise KGError(f"the writer failed to start (exit code {process.exitcode})") from None
    return process


class LocalStore:
    """A store on this machine: queries in this process's threads, writes through the writer."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.run: RunDir | None = None
        self.own: Prepared | None = None  # made here, outside a supervisor
        self.own_writer: mp.Process | None = None
        self.own_indexer: Indexer | None = None
        self.search: IndexReader | None = None
        self.store_path = Path()
        self.engine: Any = None
        self.opened = -1
        self.writer: WriterClient | None = None
        self.runner = QueryRunner(
            settings.max_concurrent,
            settings.max_queue,
            settings.max_wait,
            settings.query_timeout,
            settings.cache_mb * 1024 * 1024,
            retire,
        )
        self.guard: MemoryGuard | None = None
        self.switch = asyncio.Lock()
        self.quads = 0
        self._recount: asyncio.Task | None = None

    @property
    def writable(self) -> bool:
        return self.settings.writes_enabled

    @property
    def generation(self) -> int:
        """The last committed write (every process sees the same number)."""
        return self.run.generation if self.run is not None and self.writable else 0

    async def start(self) -> None:
        if self.settings.run_dir:
            self.run = RunDir(Path(self.settings.run_dir))
            self.store_path = store_folder(self.settings, self.run)
        else:  # an app made without ``serve``'s supervisor (in-process use)
            self.own = await asyncio.to_thread(prepare, self.settings)
            self.run, self.store_path = self.own.run, self.own.store
            if self.writable:
                self.own_writer = await asyncio.to_thread(start_writer, self.settings, self.own)
            self.own_indexer = start_indexer(self.settings, self.own)
        if self.writable:
            self.writer = WriterClient(self.run)
        self.search = IndexReader(IndexFolder(self.run.path / "search"), lambda: self.generation)
        await self._engine()
        self.guard = MemoryGuard(
            self.settings.process_memory_mb, stop_oldest(self.runner, asyncio.get_running_loop())
        )
        self.guard.start()
        self._recount = asyncio.create_task(self._count())

    async def _engine(self) -> Any:
        """The engine on the current snapshot (opened again after a write)."""
        generation = self.generation
        if generation == self.opened:
            return self.engine
        async with self.switch:
            generation = self.generation
            if generation != self.opened:
                assert self.run is not None
                path = self.run.snapshot(generation) if self.writable else self.store_path
                self.engine = await asyncio.to_thread(open_engine, self.settings, str(path))
                self.opened = generation
        return self.engine

    async def _count(self) -> None:
        """Remember how many quads the graphs hold (for /metrics), until nothing changes."""
        seen = -1
        with contextlib.suppress(KGError):
            while seen != self.generation:
                seen = self.generation
                rows = await select(self, _COUNT_QUADS, stored_default=True)
                self.quads = int(rows[0]["n"]["value"])

    def stats(self) -> dict[str, float]:
        """Counters for /metrics."""
        return {**self.runner.stats(), "store_quads": self.quads}

    async def query(self, request: QueryRequest) -> QueryResult:
        if search_service.MARK in request.query:  # SERVICE <…/search>: answered from the index
            request = await self._searched(request)
        engine = self.engine if self.generation == self.opened else await self._engine()
        return await self.runner.run(engine, request, self.opened)

    async def _searched(self, request: QueryRequest) -> QueryRequest:
        """``request`` with its search blocks replaced by their hits (``VALUES``)."""
        assert self.search is not None
        index = self.search.current()
        text = await asyncio.to_thread(search_service.rewrite, request.query, index, self.settings)
        return dataclasses.replace(request, query=text)

    async def update(self, text: str, base_iri: str | None = None) -> None:
        """Commit an update; acknowledged once every process's next query will see it.

        The quad count for /metrics is refreshed afterwards, off the update's own time: it
        reads the whole store, and a write should cost what it changes.
        """
        await self._write("update", (text, base_iri))

    async def write_graph(self, graph: str | None, ntriples: str, replace: bool) -> None:
        """A Graph Store ``PUT``/``POST`` (``graph`` ``None``: the stored default graph)."""
        await self._write("write_graph", (graph, ntriples, replace))

    async def _write(self, op: str, payload: tuple) -> None:
        if self.writer is None:
            raise KGError("this store was opened without a writer")
        timeout = self.settings.query_timeout
        await asyncio.to_thread(self.writer.send, op, payload, timeout)
        if self._recount is None or self._recount.done():
            self._recount = asyncio.create_task(self._count())

    async def close(self) -> None:
        if self._recount is not None:
            self._recount.cancel()
        if self.own_indexer is not None:
            self.own_indexer.stop()
        if self.guard is not None:
            self.guard.stop()
        self.runner.close()
        if self.writer is not None:
            self.writer.close()
        if self.own_writer is not None:
            self.own_writer.kill()
            self.own_writer.join(5)
        if self.own is not None:
            self.own.run.remove()
        elif self.run is not None:
            self.run.close()


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
