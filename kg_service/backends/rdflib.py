"""The pure-Python rdflib engine, for users who need rdflib plug-ins (small data only).

It runs inside the same worker processes as the pyoxigraph engine (so the timeout stops it
too). A store folder holds one N-Quads file, ``data.nq``; the writer applies each update to a
copy of the dataset (atomic: the copy replaces the original only on success), writes the file
back, and publishes a snapshot folder with the same file for the readers.

rdflib's own behaviour is tightened: graphs named in FROM are never fetched
(``SPARQL_LOAD_GRAPHS = False``), literal lexical forms are kept as loaded, and ``INSERT DATA``
into the default graph of a Dataset works (rdflib 7.6 raises "not enough values to unpack").
Results are serialised by pyoxigraph, so both engines write byte-identical formats.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pyoxigraph as ox
import rdflib
import rdflib.plugins.sparql as rdflib_sparql
from pyparsing import ParseException
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.graph import ConjunctiveGraph
from rdflib.namespace import XSD
from rdflib.plugins.sparql import update as rdflib_update
from rdflib.plugins.sparql.processor import prepareQuery, prepareUpdate
from rdflib.plugins.sparql.sparql import Query

from ..engine import Sink
from ..errors import BadRequest, QuerySyntaxError
from ..namespaces import PREFIXES
from ..rdfio import to_ox
from ..store import QueryRequest, negotiate_for

__all__ = ["RdflibEngine"]

rdflib.NORMALIZE_LITERALS = False
rdflib_sparql.SPARQL_LOAD_GRAPHS = False
rdflib_sparql.SPARQL_DEFAULT_GRAPH_UNION = True  # the Dataset's default_union then decides

DATA_FILE = "data.nq"


def _default_graph_target(ctx):  # type: ignore[no-untyped-def]
    graph = ctx.graph
    return graph.default_context if isinstance(graph, ConjunctiveGraph) else graph


def _insert_data(ctx, u) -> None:  # type: ignore[no-untyped-def]
    target = _default_graph_target(ctx)
    for triple in u.triples or []:
        target.add(triple)
    for g in u.quads:
        context = ctx.dataset.get_context(g)
        for triple in u.quads[g]:
            context.add(triple)


def _delete_data(ctx, u) -> None:  # type: ignore[no-untyped-def]
    target = _default_graph_target(ctx)
    for triple in u.triples or []:
        target.remove(triple)
    for g in u.quads:
        context = ctx.dataset.get_context(g)
        for triple in u.quads[g]:
            context.remove(triple)


rdflib_update.evalInsertData = _insert_data
rdflib_update.evalDeleteData = _delete_data

_POSITION = re.compile(r"\(line:(\d+), col:(\d+)\)")


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
        candidate = Dataset(default_union=self.union)
        candidate.addN(
            (s, p, o, candidate.graph(_context_id(c))) for s, p, o, c in self.dataset.quads()
        )
        try:
            prepared = prepareUpdate(text, base=base_iri)
        except ParseException as exc:
            raise _syntax_error(exc, "update") from None
        candidate.update(prepared)
        self.dataset = candidate
        self._write(self.path / DATA_FILE)

    def snapshot(self, target: Path) -> None:
        target.mkdir(parents=True, exist_ok=False)
        self._write(target / DATA_FILE)

    def _write(self, path: Path) -> None:
        quads = [
            ox.Quad(to_ox(s), to_ox(p), to_ox(o), _graph_name(c))
            for s, p, o, c in self.dataset.quads()
        ]
        tmp = path.with_suffix(".tmp")
        ox.serialize(quads, str(tmp), format=ox.RdfFormat.N_QUADS)
        os.replace(tmp, path)


def _prepare(text: str, base: str | None) -> Query:
    try:
        return prepareQuery(text, base=base)
    except ParseException as exc:
        raise _syntax_error(exc, "query") from None
    except Exception as exc:  # rdflib raises plain Exceptions for some static errors
        raise QuerySyntaxError(f"SPARQL query error: {exc}") from None


def _syntax_error(exc: ParseException, what: str) -> QuerySyntaxError:
    where = _POSITION.search(str(exc))
    position = f"line {where.group(1)}, column {where.group(2)}" if where else "?"
    return QuerySyntaxError(f"SPARQL {what} syntax error at {position}: {exc.msg}")


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
