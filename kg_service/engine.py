"""Query engines: the code that runs a query or an update *inside* a worker process.

An engine writes a result through a :class:`Sink` (head, then bytes), so a worker can stream it
to the HTTP process in chunks, and the command line can collect it in memory. The pyoxigraph
engine serialises with pyoxigraph itself: no Python object per row on the hot path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from .errors import BadRequest, KGError
from .formats import Format
from .namespaces import PREFIXES
from .store import QueryRequest, QueryResponse, negotiate_for, syntax_error

__all__ = [
    "UNION_INTO_DEFAULT",
    "BufferSink",
    "Engine",
    "OxigraphEngine",
    "Sink",
    "run_to_bytes",
]


class Sink(Protocol):
    """Where an engine writes a result."""

    def head(self, kind: str, fmt: Format) -> None: ...

    def write(self, data: bytes) -> int: ...

    def flush(self) -> None: ...


class Engine(Protocol):
    """A store opened inside one process."""

    def query(self, request: QueryRequest, sink: Sink) -> None: ...

    def update(self, text: str) -> None: ...

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


def run_to_bytes(engine: Engine, request: QueryRequest) -> QueryResponse:
    """Run a query in this process and return the whole serialised result."""
    sink = BufferSink()
    engine.query(request, sink)
    return QueryResponse(sink.kind, sink.format, b"".join(sink.chunks))


#: The default graph as the RDF merge (a set) of the named graphs. pyoxigraph 0.5.13's own
#: union (``use_default_graph_as_union``) repeats a triple once per graph that holds it, so
#: the union is materialised in the store's default graph instead (not in the dumps).
UNION_INTO_DEFAULT = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
REFRESH_UNION = "DROP SILENT DEFAULT ;\n" + UNION_INTO_DEFAULT


class OxigraphEngine:
    """pyoxigraph on disk: read-only snapshots for queries, read-write for the writer.

    With ``union_default_graph`` the store's default graph holds the union of the named
    graphs (see :data:`UNION_INTO_DEFAULT`); the writer refreshes it in every update.
    """

    def __init__(self, store: ox.Store, union_default_graph: bool = True) -> None:
        self.store = store
        self.union = union_default_graph

    @classmethod
    def reader(cls, path: str, union_default_graph: bool = True) -> OxigraphEngine:
        return cls(ox.Store.read_only(path), union_default_graph)

    @classmethod
    def writer(cls, path: str, union_default_graph: bool = True) -> OxigraphEngine:
        return cls(ox.Store(path), union_default_graph)

    def query(self, request: QueryRequest, sink: Sink) -> None:
        try:
            result = self.store.query(
                request.query, base_iri=request.base_iri, **self._dataset(request)
            )
        except SyntaxError as exc:
            raise syntax_error(str(exc)) from None
        except OSError as exc:
            raise KGError(f"The store could not be read: {exc}") from None
        kind = _kind(result)
        fmt = negotiate_for(kind, request)
        sink.head(kind, fmt)
        try:
            if kind == "graph":
                ox.serialize(result, sink, format=fmt.oxigraph, prefixes=PREFIXES)
            else:
                result.serialize(sink, format=fmt.oxigraph)
        except (OSError, ValueError) as exc:
            raise KGError(f"The query failed while its result was written: {exc}") from None

    def _dataset(self, request: QueryRequest) -> dict:
        options: dict = {}
        if request.default_graphs:
            options["default_graph"] = [_graph(g) for g in request.default_graphs]
        if request.named_graphs:
            options["named_graphs"] = [_graph(g) for g in request.named_graphs]
        return options

    def update(self, text: str, base_iri: str | None = None) -> None:
        if self.union:  # keep the materialised union default graph in step, atomically
            text = _without_trailing_semicolon(text) + "\n;\n" + REFRESH_UNION
        try:
            self.store.update(text, base_iri=base_iri)
        except SyntaxError as exc:
            raise syntax_error(str(exc), "update") from None
        except RuntimeError as exc:  # e.g. DROP of a graph that does not exist
            raise BadRequest(f"The update was not applied (nothing changed): {exc}") from None
        except OSError as exc:
            raise KGError(f"The update failed: {exc}") from None

    def snapshot(self, target: Path) -> None:
        self.store.flush()
        self.store.backup(str(target))


def _without_trailing_semicolon(text: str) -> str:
    """The update without a final ``;`` (a comment on its last line stays a comment)."""
    body = text.rstrip()
    last_line = body.rsplit("\n", 1)[-1]
    if body.endswith(";") and "#" not in last_line:
        body = body[:-1]
    return body


def _graph(iri: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(iri)
    except ValueError:
        raise BadRequest(f"Not an absolute IRI in the dataset parameters: {iri[:100]!r}") from None


def _kind(result: object) -> str:
    if isinstance(result, ox.QueryBoolean):
        return "boolean"
    if isinstance(result, ox.QueryTriples):
        return "graph"
    return "solutions"
