"""The pyoxigraph engine: a store folder opened in this process, read-only or read-write.

It serialises results with pyoxigraph itself (no Python object per row on the hot path) and,
with the union default graph on, reads the union graph and rewrites every update to keep it
current (:mod:`kg_service.query.union`).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg_service.errors import BadRequest, KGError
from kg_service.query.contract import QueryRequest, Sink, negotiate_for
from kg_service.query.policy import scan
from kg_service.query.syntax import syntax_error
from kg_service.query.union import UNION, graph_write, is_internal, plain_graph_write, rewrite
from kg_service.rdf.namespaces import PREFIXES

__all__ = ["OxigraphEngine"]


_UNION_NODE = ox.NamedNode(UNION)
#: one statement per line, full IRIs: no prefixes to give
_LINE_FORMATS = frozenset({ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS})


class OxigraphEngine:
    """pyoxigraph on disk: read-only snapshots for queries, read-write for the writer.

    With ``union_default_graph`` a query without a dataset of its own reads the union graph
    (:mod:`kg_service.query.union`) as its default graph and sees only the graphs that are not
    internal; every update is rewritten to keep that union current in the same transaction.
    """

    def __init__(
        self, store: ox.Store, union_default_graph: bool = True, writable: bool = False
    ) -> None:
        self.store = store
        self.union = union_default_graph
        self.writable = writable
        self._visible: list[ox.NamedNode] | None = None

    @classmethod
    def reader(cls, path: str, union_default_graph: bool = True) -> OxigraphEngine:
        return cls(ox.Store.read_only(path), union_default_graph)

    @classmethod
    def writer(cls, path: str, union_default_graph: bool = True) -> OxigraphEngine:
        return cls(ox.Store(path), union_default_graph, writable=True)

    def visible_graphs(self) -> list[ox.NamedNode]:
        """The named graphs a client may see (listed once on a read-only snapshot)."""
        if self._visible is None or self.writable:
            graphs = (g for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))
            self._visible = sorted((g for g in graphs if not is_internal(g.value)), key=str)
        return self._visible

    def query(self, request: QueryRequest, sink: Sink) -> None:
        try:
            result = self.store.query(
                request.query, base_iri=request.base_iri, **self._dataset(request)
            )
        except SyntaxError as exc:
            raise syntax_error(str(exc), text=request.query) from None
        except OSError as exc:
            raise KGError(f"The store could not be read: {exc}") from None
        kind = _kind(result)
        fmt = negotiate_for(kind, request)
        sink.head(kind, fmt)
        try:
            if kind == "graph":
                ox.serialize(result, sink, format=fmt.oxigraph, **_prefixes(fmt.oxigraph))
            else:
                result.serialize(sink, format=fmt.oxigraph)
        except (OSError, ValueError) as exc:
            raise KGError(f"The query failed while its result was written: {exc}") from None

    def _dataset(self, request: QueryRequest) -> dict:
        """The protocol's dataset; else, with the union on and no FROM, the union graph."""
        options: dict = {}
        lowered = request.query.lower()
        if request.default_graphs:
            options["default_graph"] = [_graph(g) for g in request.default_graphs]
        elif request.stored_default:
            options["default_graph"] = ox.DefaultGraph()
        elif self.union and not request.named_graphs and not _has_from(request.query, lowered):
            options["default_graph"] = _UNION_NODE
        if request.named_graphs:
            options["named_graphs"] = [_graph(g) for g in request.named_graphs]
        elif self.union and options and "graph" in lowered:
            # only GRAPH reads named graphs; listing them costs ~30 µs a query (measured)
            options["named_graphs"] = self.visible_graphs()
        return options

    def update(self, text: str, base_iri: str | None = None) -> None:
        sent = rewrite(text, (g.value for g in self.visible_graphs())) if self.union else text
        try:
            self.store.update(sent, base_iri=base_iri)
        except SyntaxError as exc:
            raise _client_syntax_error(text, sent, base_iri, exc) from None
        except RuntimeError as exc:  # e.g. DROP of a graph that does not exist
            raise BadRequest(f"The update was not applied (nothing changed): {exc}") from None
        except OSError as exc:
            raise KGError(f"The update failed: {exc}") from None

    def write_graph(self, graph: str | None, ntriples: str, replace: bool) -> None:
        """A Graph Store ``PUT`` (``replace``) or ``POST`` of parsed N-Triples (no re-reading)."""
        plan = graph_write if self.union else plain_graph_write
        try:
            self.store.update(plan(graph, ntriples, replace))
        except (SyntaxError, RuntimeError, OSError) as exc:
            raise KGError(f"The graph could not be written: {exc}") from None

    def snapshot(self, target: Path) -> None:
        self.store.flush()
        self.store.backup(str(target))


def _client_syntax_error(text: str, sent: str, base_iri: str | None, exc: SyntaxError) -> KGError:
    """The syntax error with its line and column in the client's text, not the rewritten one.

    Parsing comes before any change, so the client's own text is parsed on an empty,
    throw-away store: its error is the one to show.
    """
    if sent == text:
        return syntax_error(str(exc), "update", text)
    try:
        ox.Store().update(text, base_iri=base_iri)
    except SyntaxError as original:
        return syntax_error(str(original), "update", text)
    except (OSError, RuntimeError):
        pass
    return KGError(f"The update could not be applied here (rewritten for the union): {exc}")


def _prefixes(fmt: ox.RdfFormat) -> dict:
    """Our prefixes for the formats that write them (passing them costs ~7 µs a call)."""
    return {} if fmt in _LINE_FORMATS else {"prefixes": PREFIXES}


def _has_from(query: str, lowered: str) -> bool:
    """True when the query names its own dataset (``FROM``/``FROM NAMED``)."""
    return "from" in lowered and "FROM" in scan(query).keywords


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
