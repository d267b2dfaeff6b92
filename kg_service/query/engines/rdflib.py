"""The pure-Python rdflib engine, for users who need rdflib plug-ins (small data only).

It runs inside the same worker processes as the pyoxigraph engine (so the timeout stops it
too). A store folder holds one N-Quads file, ``data.nq``. rdflib answers the queries; updates
are applied by the pyoxigraph engine to an in-memory copy of the dataset (rdflib 7.6's own
update code fails 18 of the 94 W3C update tests, five of them with exceptions: ``ADD``/
``COPY``/``MOVE`` from the default graph, ``DROP DEFAULT``), so both backends write alike. The
copy replaces the dataset only on success; the file is written back and a snapshot folder with
the same file is published for the readers.

rdflib's own behaviour is tightened: graphs named in FROM are never fetched
(``SPARQL_LOAD_GRAPHS = False``) and literal lexical forms are kept as loaded. Results are
serialised by pyoxigraph, so both engines write byte-identical formats.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyoxigraph as ox
import rdflib
import rdflib.plugins.sparql as rdflib_sparql
from pyparsing import ParseException
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.sparql.processor import prepareQuery
from rdflib.plugins.sparql.sparql import Query

from kg_service.errors import BadRequest
from kg_service.query.contract import QueryRequest, Sink, negotiate_for
from kg_service.query.engines.oxigraph import OxigraphEngine
from kg_service.query.syntax import syntax_error
from kg_service.query.union import FILL_UNION, is_internal, plain_graph_write
from kg_service.rdf.io import to_ox
from kg_service.rdf.namespaces import PREFIXES

__all__ = ["RdflibEngine"]

rdflib.NORMALIZE_LITERALS = False
rdflib_sparql.SPARQL_LOAD_GRAPHS = False
rdflib_sparql.SPARQL_DEFAULT_GRAPH_UNION = True  # the Dataset's default_union then decides

DATA_FILE = "data.nq"


class RdflibEngine:
    """An rdflib ``Dataset`` loaded from a store folder."""

    def __init__(self, dataset: Dataset, path: Path, union: bool) -> None:
        self.dataset, self.path, self.union = dataset, path, union

    @classmethod
    def open(cls, path: str, writable: bool, union: bool) -> RdflibEngine:
        folder = Path(path)
        dataset = Dataset(default_union=union)
        data = folder / DATA_FILE
        if data.exists():
            dataset.parse(data, format="nquads")
        return cls(dataset, folder, union)

    # --- queries --------------------------------------------------------------------------

    def query(self, request: QueryRequest, sink: Sink) -> None:
        query = _prepare(request.query, request.base_iri)
        result = self._view(request, query).query(query)
        kind = {"ASK": "boolean", "CONSTRUCT": "graph", "DESCRIBE": "graph"}.get(
            result.type, "solutions"
        )
        fmt = negotiate_for(kind, request)
        sink.head(kind, fmt)
        if kind == "graph":
            triples = [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in result.graph]
            ox.serialize(triples, sink, format=fmt.oxigraph, prefixes=PREFIXES)
            return
        ox.parse_query_results(_json_results(result), format=ox.QueryResultsFormat.JSON).serialize(
            sink, format=fmt.oxigraph
        )

    def _view(self, request: QueryRequest, query: Query) -> Dataset:
        """The dataset the protocol (or else the query's FROM clauses) describes."""
        clause = query.algebra.datasetClause or []
        default = list(request.default_graphs) or [str(d.default) for d in clause if d.default]
        named = list(request.named_graphs) or [str(d.named) for d in clause if d.named]
        query.algebra.datasetClause = None
        if request.stored_default:
            view = Dataset(default_union=False)
            for triple in self.dataset.default_context:
                view.default_context.add(triple)
            return view
        if not (request.default_graphs or request.named_graphs or clause):
            return self.dataset
        view = Dataset(default_union=False)
        for name in default:
            for triple in self.dataset.graph(_iri(name)):
                view.default_context.add(triple)
        for name in named:
            target = view.graph(_iri(name))
            for triple in self.dataset.graph(_iri(name)):
                target.add(triple)
        return view

    # --- updates --------------------------------------------------------------------------

    def update(self, text: str, base_iri: str | None = None) -> None:
        store = ox.Store()
        store.bulk_extend(self._quads())
        if self.union:
            store.update(FILL_UNION)
        OxigraphEngine(store, self.union, writable=True).update(text, base_iri)
        kept = (q for q in store if not _internal(q.graph_name))
        data = ox.serialize(kept, format=ox.RdfFormat.N_QUADS)
        dataset = Dataset(default_union=self.union)
        dataset.parse(data=data, format="nquads")
        self.dataset = dataset
        self._write(self.path / DATA_FILE)

    def write_graph(self, graph: str | None, ntriples: str, replace: bool) -> None:
        self.update(plain_graph_write(graph, ntriples, replace))

    def snapshot(self, target: Path) -> None:
        target.mkdir(parents=True, exist_ok=False)
        self._write(target / DATA_FILE)

    def _quads(self) -> list[ox.Quad]:
        return [
            ox.Quad(to_ox(s), to_ox(p), to_ox(o), _graph_name(c))
            for s, p, o, c in self.dataset.quads()
        ]

    def _write(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        ox.serialize(self._quads(), str(tmp), format=ox.RdfFormat.N_QUADS)
        os.replace(tmp, path)


def _prepare(text: str, base: str | None) -> Query:
    try:
        return prepareQuery(text, base=base)
    except ParseException as exc:
        raise syntax_error(str(exc), "query", text) from None
    except Exception as exc:  # rdflib raises plain Exceptions for some static errors
        raise syntax_error(str(exc), "query", text) from None


def _internal(graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> bool:
    return isinstance(graph, ox.NamedNode) and is_internal(graph.value)


def _iri(name: str) -> URIRef:
    try:
        return URIRef(ox.NamedNode(name).value)
    except ValueError:
        raise BadRequest(f"Not an absolute IRI in the dataset parameters: {name[:100]!r}") from None


def _context_id(context) -> URIRef | BNode:  # type: ignore[no-untyped-def]
    return context.identifier if hasattr(context, "identifier") else context


def _graph_name(context) -> ox.NamedNode | ox.BlankNode | ox.DefaultGraph:  # type: ignore[no-untyped-def]
    identifier = _context_id(context)
    if identifier == rdflib.graph.DATASET_DEFAULT_GRAPH_ID:
        return ox.DefaultGraph()
    return to_ox(identifier)


def _json_results(result) -> bytes:  # type: ignore[no-untyped-def]
    if result.type == "ASK":
        return json.dumps({"head": {}, "boolean": bool(result.askAnswer)}).encode()
    rows = [
        {str(v): _term(b[v]) for v in result.vars if b.get(v) is not None} for b in result.bindings
    ]
    head = {"vars": [str(v) for v in result.vars]}
    return json.dumps({"head": head, "results": {"bindings": rows}}).encode()


def _term(term) -> dict:  # type: ignore[no-untyped-def]
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    assert isinstance(term, Literal)
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype and term.datatype != XSD.string:
        out["datatype"] = str(term.datatype)
    return out
