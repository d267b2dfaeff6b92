"""The query contract: what every store and engine speaks, below every one of them.

* :class:`QueryRequest`: a query, its protocol dataset and the client's format wishes;
* :class:`QueryResult`: the answer on its way (kind, negotiated format, bytes that may stream);
* :class:`Sink`: where an engine writes a serialised result (head, then bytes);
* :class:`Store`: what the HTTP layer needs of a backend: ``start``, ``query``, ``update``,
  ``write_graph``, ``close``, and the ``generation`` every committed write moves on.

A store answers with bytes already serialised in the negotiated format (no Python object per
row on the hot path). ``open_store(settings)`` lives in :mod:`kg_service.backends`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from kg_service.rdf.formats import GRAPH_FORMATS, RESULT_FORMATS, Format
from kg_service.rdf.negotiation import choose

__all__ = [
    "QueryRequest",
    "QueryResponse",
    "QueryResult",
    "Sink",
    "Store",
    "ask",
    "negotiate_for",
    "select",
    "single",
]


@dataclass(frozen=True)
class QueryRequest:
    """A SPARQL query with its protocol dataset and the client's format wishes."""

    query: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    accept: str | None = None
    format: str | None = None
    base_iri: str | None = None
    #: read the stored default graph itself, not the union (the Graph Store's ``?default``)
    stored_default: bool = False

    @property
    def digest(self) -> tuple:
        """All the fields, as a key no other request shares (a tuple compares field by field,
        unlike a join of the fields; cheaper than hashing them, measured)."""
        return (
            self.query,
            self.default_graphs,
            self.named_graphs,
            self.accept,
            self.format,
            self.base_iri,
            self.stored_default,
        )


@dataclass(frozen=True)
class QueryResponse:
    """A serialised result: which kind of result, in which format, the bytes."""

    kind: str  # "solutions" | "boolean" | "graph"
    format: Format
    body: bytes


@dataclass
class QueryResult:
    """A result on its way: its kind and format are known, its bytes may still be coming."""

    kind: str
    format: Format
    body: AsyncIterator[bytes]
    data: bytes | None = None  # the whole body, when it came in one piece
    closer: Callable[[], Awaitable[None]] | None = None

    async def close(self) -> None:
        """Release what the result holds (a query mid-stream); safe to call twice."""
        if self.closer is not None:
            await self.closer()


async def single(body: bytes) -> AsyncIterator[bytes]:
    """A body that is already whole, as the one-chunk stream :class:`QueryResult` holds."""
    yield body


class Sink(Protocol):
    """Where an engine writes a result."""

    def head(self, kind: str, fmt: Format) -> None: ...

    def write(self, data: bytes) -> int: ...

    def flush(self) -> None: ...


def negotiate_for(kind: str, request: QueryRequest) -> Format:
    """The response format for a result of ``kind`` (choose after the query, by result kind)."""
    graph = kind == "graph"
    key = (graph, request.accept, request.format)
    found = _NEGOTIATED.get(key)
    if found is None:  # remembered: hashing the offers for choose's own cache costs ~4 µs
        found = choose(request.accept, GRAPH_FORMATS if graph else RESULT_FORMATS, request.format)
        if len(_NEGOTIATED) > 512:
            _NEGOTIATED.clear()
        _NEGOTIATED[key] = found
    return found


_NEGOTIATED: dict[tuple[bool, str | None, str | None], Format] = {}


JSON_RESULTS = "application/sparql-results+json"


class Store(Protocol):
    """What the HTTP layer needs from a backend (all calls are awaited on the event loop)."""

    writable: bool
    #: changes with every committed update: what is derived from the store follows it
    generation: int

    async def start(self) -> None:
        """Open the store (or connect to it); start what serves it."""
        ...

    async def query(self, request: QueryRequest) -> QueryResult:
        """Run a query; the result's bytes may stream."""
        ...

    async def update(self, text: str, base_iri: str | None = None) -> None:
        """Apply a SPARQL update atomically."""
        ...

    async def write_graph(self, graph: str | None, ntriples: str, replace: bool) -> None:
        """Replace (``replace``) or add to a graph (``None``: the default graph), atomically."""
        ...

    async def close(self) -> None:
        """Release files, threads and connections."""
        ...


async def select(store: Store, query: str, stored_default: bool = False) -> list[dict[str, dict]]:
    """Run a SELECT through the store; the bindings as SPARQL JSON term dicts."""
    request = QueryRequest(query, accept=JSON_RESULTS, stored_default=stored_default)
    result = await store.query(request)
    doc = json.loads(b"".join([chunk async for chunk in result.body]))
    return doc["results"]["bindings"]


async def ask(store: Store, query: str) -> bool:
    """Run an ASK through the store."""
    result = await store.query(QueryRequest(query, accept=JSON_RESULTS))
    return bool(json.loads(b"".join([chunk async for chunk in result.body]))["boolean"])
