"""The engines: the code that runs a query or an update on a store folder, in this process.

An engine writes a result through a :class:`~kg_service.query.contract.Sink` (head, then bytes),
so the runner can stream it and the command line can collect it in memory. ``open_engine``
gives the one the settings choose: pyoxigraph (:mod:`.oxigraph`) or rdflib (:mod:`.rdflib`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from kg_service.query.contract import QueryRequest, QueryResponse, Sink
from kg_service.rdf.formats import Format
from kg_service.settings import Settings

__all__ = ["BufferSink", "Engine", "open_engine", "run_to_bytes"]


class Engine(Protocol):
    """A store opened inside one process."""

    def query(self, request: QueryRequest, sink: Sink) -> None: ...

    def update(self, text: str) -> None: ...

    def write_graph(self, graph: str | None, ntriples: str, replace: bool) -> None: ...

    def snapshot(self, target: Path) -> None: ...


class BufferSink:
    """Collects a result in memory."""

    def __init__(self) -> None:
        self.kind, self.format, self.chunks = "", None, []

    def head(self, kind: str, fmt: Format) -> None:
        self.kind, self.format = kind, fmt

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def open_engine(settings: Settings, path: str, writable: bool = False) -> Engine:
    """The engine the settings choose, on the store folder ``path``."""
    if settings.backend == "rdflib":
        from kg_service.query.engines.rdflib import RdflibEngine

        return RdflibEngine.open(path, writable, settings.union_default_graph)
    from kg_service.query.engines.oxigraph import OxigraphEngine

    opener = OxigraphEngine.writer if writable else OxigraphEngine.reader
    return opener(path, settings.union_default_graph)


def run_to_bytes(engine: Engine, request: QueryRequest) -> QueryResponse:
    """Run a query in this process and return the whole serialised result."""
    sink = BufferSink()
    engine.query(request, sink)
    return QueryResponse(sink.kind, sink.format, b"".join(sink.chunks))
