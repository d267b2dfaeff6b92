"""Reading RDF safely, and moving terms between rdflib and pyoxigraph.

Client-sent RDF is parsed here and only here: never from a path or URL, never fetching a
remote JSON-LD ``@context`` (rdflib would), and with parser errors turned into
:class:`~kg_service.errors.RDFSyntaxError` with the parser's own message.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from .errors import RDFSyntaxError, RefusedOperation
from .formats import JSONLD, Format

__all__ = ["check_jsonld_contexts", "from_ox", "parse_graph", "to_ox", "to_ox_quad"]


def parse_graph(data: bytes | str, fmt: Format, base: str | None = None) -> Graph | Dataset:
    """Parse client-sent RDF into an rdflib graph (a Dataset for quad formats)."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    if fmt is JSONLD:
        check_jsonld_contexts(text)
    graph: Graph = Dataset() if fmt.name in ("nquads", "trig") else Graph()
    try:
        graph.parse(data=text, format=fmt.rdflib, publicID=base)
    except Exception as exc:  # rdflib raises many unrelated types for bad syntax
        raise RDFSyntaxError(f"Could not parse the {fmt.name} input: {exc}") from exc
    return graph


def check_jsonld_contexts(text: str) -> None:
    """Refuse JSON-LD that names a remote ``@context`` (only inline contexts are allowed)."""
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise RDFSyntaxError(f"Could not parse the JSON-LD input: {exc}") from exc
    for context in _contexts(document):
        if isinstance(context, str) or (isinstance(context, dict) and "@import" in context):
            raise RefusedOperation(
                "JSON-LD with a remote @context is refused: this service never fetches "
                "documents; inline the context instead."
            )


def _contexts(node: Any) -> Iterator[Any]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                yield from value if isinstance(value, list) else [value]
            else:
                yield from _contexts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _contexts(item)


def to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as a pyoxigraph term, keeping the lexical form."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def to_ox_quad(s: Node, p: Node, o: Node, g: Node | None) -> ox.Quad:
    """An rdflib triple in graph ``g`` (``None``: default graph) as a pyoxigraph Quad."""
    graph = ox.DefaultGraph() if g is None else to_ox(g)
    return ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph)


def from_ox(term: Any) -> Node:
    """A pyoxigraph term as an rdflib term, keeping the lexical form."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)
    raise TypeError(f"not an RDF term: {term!r}")


def triples_to_ox(triples: Iterable[tuple[Node, Node, Node]], graph: Node) -> list[ox.Quad]:
    """rdflib triples as pyoxigraph quads in one named graph."""
    return [to_ox_quad(s, p, o, graph) for s, p, o in triples]
