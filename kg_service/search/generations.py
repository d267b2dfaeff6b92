"""One index per store generation: built in the background, read by every HTTP process.

The indexes of a run live in its run folder (:mod:`kg_service.process.rundir`)::

    search/<n>.sqlite     the index of the store as it was after write n (immutable)

* :class:`Indexer` (a thread of the supervisor, or of an in-process store) watches the run's
  generation and builds the index of each new one from that generation's snapshot, aside, then
  renames it into place. Writes that come while it builds are folded into the next build: it
  always builds the newest generation.
* :class:`IndexReader` (in each HTTP process) answers with the newest published index. A search
  never waits for a build: until the index of the newest generation is ready, the previous one
  answers (it may miss what the last writes changed, for a moment); before the first is ready,
  :meth:`IndexReader.current` is ``None`` (``503``, "being built").

Old files are removed some time after a newer one is published (a process that still reads
one keeps its open file; a reader whose file went away looks again).
"""

from __future__ import annotations

import contextlib
import logging
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import pyoxigraph as ox

from kg_service.search.index import SearchIndex, collect, write_index

__all__ = ["IndexFolder", "IndexReader", "Indexer"]

log = logging.getLogger("kg_service.search")

_NAME = re.compile(r"^(\d+)\.sqlite$")
#: How often a reader looks for a newer index while its generation has none yet (seconds).
_LOOK_EVERY = 0.1
#: How long a superseded index stays on disk (seconds): readers move on well before.
_GRACE = 60.0


class IndexFolder:
    """The folder of a run's indexes, one file per generation."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def file(self, generation: int) -> Path:
        return self.path / f"{generation}.sqlite"

    def published(self) -> list[int]:
        """The generations that have an index, oldest first."""
        found = []
        with contextlib.suppress(OSError):
            for entry in self.path.iterdir():
                match = _NAME.match(entry.name)
                if match:
                    found.append(int(match.group(1)))
        return sorted(found)

    def prune(self, superseded: dict[int, float]) -> None:
        """Remove the files superseded more than :data:`_GRACE` seconds ago."""
        cutoff = time.monotonic() - _GRACE
        for generation, when in list(superseded.items()):
            if when < cutoff:
                self.file(generation).unlink(missing_ok=True)
                del superseded[generation]


Source = Callable[[int], Iterable[ox.Quad]]


class Indexer:
    """A thread that keeps the index of the newest generation built."""

    def __init__(self, folder: IndexFolder, generation: Callable[[], int], source: Source) -> None:
        self.folder, self.generation, self.source = folder, generation, source
        self.stopping = threading.Event()
        self.superseded: dict[int, float] = {}
        self.thread = threading.Thread(target=self._run, name="search-indexer", daemon=True)

    def start(self, first: Path | None = None) -> None:
        """Start watching; ``first``: an index of generation 0 made already (the build's)."""
        self.folder.path.mkdir(parents=True, exist_ok=True)
        if first is not None and first.is_file() and not self.folder.published():
            with contextlib.suppress(OSError):
                self._adopt(first)
        self.thread.start()

    def _adopt(self, first: Path) -> None:
        tmp = self.folder.path / "0.sqlite.tmp"
        tmp.write_bytes(first.read_bytes())
        SearchIndex(tmp).close()  # it opens: an index, not a stray file
        tmp.rename(self.folder.file(0))

    def _run(self) -> None:
        built = self.folder.published()[-1] if self.folder.published() else -1
        while not self.stopping.is_set():
            wanted = self.generation()
            if wanted != built:
                built = self._build(wanted, built)
            self.folder.prune(self.superseded)
            self.stopping.wait(0.1)

    def _build(self, generation: int, previous: int) -> int:
        """Build the index of ``generation``; the generation now published (the old one if the
        build failed, e.g. its snapshot was removed meanwhile: the next round tries again)."""
        started = time.monotonic()
        try:
            write_index(collect(self.source(generation)), self.folder.file(generation), generation)
        except (OSError, ValueError, sqlite3.Error) as exc:
            log.warning("search index of generation %s not built: %s", generation, exc)
            self.stopping.wait(1.0)
            return previous
        if previous >= 0:
            self.superseded[previous] = time.monotonic()
        log.info(
            "search index of generation %s built in %.2f s", generation, time.monotonic() - started
        )
        return generation

    def stop(self) -> None:
        self.stopping.set()
        if self.thread.is_alive():
            self.thread.join(5)


class IndexReader:
    """The newest published index, for the searches of one process."""

    def __init__(self, folder: IndexFolder, generation: Callable[[], int]) -> None:
        self.folder, self.generation = folder, generation
        self.index: SearchIndex | None = None
        self.looked = 0.0
        self.lock = threading.Lock()

    def current(self) -> SearchIndex | None:
        """The index to search now (``None`` while the first one is being built)."""
        index = self.index
        if index is not None and index.generation == self.generation():
            return index
        if time.monotonic() - self.looked < _LOOK_EVERY:
            return index
        with self.lock:
            self.looked = time.monotonic()
            return self._newest()

    def _newest(self) -> SearchIndex | None:
        for generation in reversed(self.folder.published()):
            if self.index is not None and self.index.generation == generation:
                return self.index
            try:
                self.index = SearchIndex(self.folder.file(generation), generation)
                return self.index
            except sqlite3.Error:  # removed as we opened it: an older one will do
                continue
        return self.index

    def forget(self) -> None:
        """Drop the index in use (its file went away): the next search looks again."""
        with self.lock:
            self.index, self.looked = None, 0.0
