"""Reading RDF safely, and moving terms between rdflib and pyoxigraph.

Client-sent RDF is parsed here and only here: never from a path or URL, never fetching a
remote JSON-LD ``@context`` (rdflib would) or an RDF/XML external entity, and with parser errors
turned into :class:`~kg_service.errors.RDFSyntaxError` with the parser's own message.

:func:`read_graph` is the parser for SHACL validation: pyoxigraph reads the bytes (it fetches
nothing: no remote context, no entity, no import) and the terms are copied into an rdflib graph
*as written* — no literal normalisation, ``"x"^^xsd:string`` as the simple literal ``"x"``, fresh
blank nodes per document — which is what pySHACL sees when it parses text itself.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from xml.parsers import expat

import pyoxigraph as ox
from rdflib import XSD, BNode, Graph, Literal, URIRef
from rdflib.term import Node, _toPythonMapping

from kg_service.errors import RDFSyntaxError, RefusedOperation
from kg_service.rdf.formats import JSONLD, RDF_INPUT_FORMATS, RDFXML, Format

__all__ = [
    "check_jsonld_contexts",
    "check_xml_entities",
    "from_ox",
    "read_graph",
    "serialize_graph",
    "to_ox",
    "to_ox_quad",
    "xml_position",
]


def read_graph(
    data: bytes,
    fmt: Format,
    base: str | None = None,
    shapes: bool = False,
    what: str = "input",
) -> Graph:
    """Parse RDF bytes into one rdflib graph (named graphs merged), keeping lexical forms.

    ``shapes=True`` reads ``xsd:boolean`` as pySHACL reads a shapes graph: only ``true`` is true
    (so ``sh:uniqueLang "1"^^xsd:boolean`` does not switch the constraint on). ``what`` names
    the document in a syntax error (``data graph``, ``shapes graph``).

    >>> from kg_service.rdf.formats import TURTLE
    >>> g = read_graph(b'<http://e/a> <http://e/p> "01"^^<http://www.w3.org/2001/XMLSchema#int> .',
    ...                TURTLE)
    >>> str(next(iter(g))[2])
    '01'
    """
    if fmt is JSONLD:
        check_jsonld_contexts(data, what)
    elif fmt is RDFXML:
        check_xml_entities(data)
    graph, convert = Graph(), _Converter(shapes)
    try:
        for quad in ox.parse(data, format=fmt.oxigraph, base_iri=base):
            graph.add((convert(quad.subject), convert(quad.predicate), convert(quad.object)))
    except SyntaxError as exc:
        where = xml_position(data) if fmt is RDFXML else ""
        raise RDFSyntaxError(f"Could not parse the {fmt.name} {what}: {exc}{where}") from None
    except MemoryError as exc:
        raise _too_long(exc, f"the {fmt.name} {what}") from None
    return graph


def _too_long(exc: MemoryError, what: str) -> Exception:
    """pyoxigraph's parsers raise ``MemoryError`` for one token (a literal, an IRI) over their
    16 MiB buffer: a fault of the input, said as such. Any other ``MemoryError`` stays one."""
    if "buffer maximal size" not in str(exc):
        return exc
    return RDFSyntaxError(
        f"Could not parse {what}: one token (a literal or an IRI) is longer than the parser's "
        "limit of 16 MiB."
    )


def xml_position(data: bytes) -> str:
    """Where an RDF/XML document stops being well-formed XML (namespaces included), as
    ``" (at line L, column C: reason)"``; ``""`` when the XML is well-formed (an RDF mistake).

    pyoxigraph's RDF/XML errors say what but not where. Only called for a document that failed;
    one that declares entities is not expanded here (nothing is located then).
    """
    if re.search(rb"<!ENTITY", data, re.IGNORECASE):
        return ""
    parser = expat.ParserCreate(namespace_separator=" ")
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        reason = expat.ErrorString(exc.code)
        return f" (at line {exc.lineno}, column {exc.offset + 1}: {reason})"
    return ""


class _Converter:
    """pyoxigraph terms → rdflib terms, as written; one per document (its own blank nodes)."""

    def __init__(self, shapes: bool) -> None:
        self.shapes = shapes
        self.seen: dict[Any, Node] = {}

    def __call__(self, term: Any) -> Node:
        node = self.seen.get(term)
        if node is None:
            node = self.seen[term] = self._new(term)
        return node

    def _new(self, term: Any) -> Node:
        if isinstance(term, ox.NamedNode):
            return URIRef(term.value)
        if isinstance(term, ox.BlankNode):
            return BNode()
        if isinstance(term, ox.Literal):
            return self._literal(term)
        raise RDFSyntaxError("RDF 1.2 triple terms (<<( … )>>) cannot be validated with SHACL.")

    def _literal(self, term: ox.Literal) -> Literal:
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value)
        if datatype == _XSD_BOOLEAN and self.shapes:
            with shapes_booleans():
                return Literal(term.value, datatype=XSD.boolean, normalize=False)
        return Literal(term.value, datatype=URIRef(datatype), normalize=False)


_XSD_STRING = str(XSD.string)
_XSD_BOOLEAN = str(XSD.boolean)
_BOOLEAN_LOCK = threading.Lock()


@contextmanager
def shapes_booleans() -> Iterator[None]:
    """While active, new ``xsd:boolean`` literals are true only when written ``true``.

    That is pySHACL's own rule for shapes graphs (``pyshacl.monkey.rdflib_bool_patch``); rdflib
    keeps the rule in a global table, so it is set and restored under a lock.
    """
    with _BOOLEAN_LOCK:
        saved = _toPythonMapping[XSD.boolean]
        _toPythonMapping[XSD.boolean] = _strict_boolean
        try:
            yield
        finally:
            _toPythonMapping[XSD.boolean] = saved


def _strict_boolean(lexical: str) -> bool:
    return lexical.lower() == "true"


_EXTERNAL_ENTITY = re.compile(rb"<!(ENTITY|DOCTYPE)[^>]*\s(SYSTEM|PUBLIC)\s", re.IGNORECASE)


def check_xml_entities(data: bytes | str) -> None:
    """Refuse RDF/XML that declares an external entity or DTD (``SYSTEM``/``PUBLIC``)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if _EXTERNAL_ENTITY.search(raw):
        raise RefusedOperation(
            "RDF/XML with an external entity or DTD (SYSTEM/PUBLIC) is refused: this service "
            "never reads files or URLs named in a document."
        )


def check_jsonld_contexts(text: str | bytes, what: str = "input") -> None:
    """Refuse JSON-LD that names a remote ``@context`` (only inline contexts are allowed)."""
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise RDFSyntaxError(f"Could not parse the JSON-LD {what}: {exc}") from exc
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


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def from_ox(term: Any) -> Node:
    """A pyoxigraph term as an rdflib term, keeping the lexical form."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:  # a plain literal in RDF 1.1: keep it plain
            return Literal(term.value, normalize=False)
        return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)
    raise TypeError(f"not an RDF term: {term!r}")


def serialize_graph(graph: Graph, fmt: Format, prefixes: dict[str, str] | None = None) -> bytes:
    """An rdflib graph in ``fmt``, written by pyoxigraph: every literal exactly as it is.

    (rdflib's Turtle writer prints an ill-typed ``"none"^^xsd:boolean`` as a bare ``none``.)
    Sorted by subject and predicate: pyoxigraph groups only consecutive triples of a subject,
    so in rdflib's order a report's result was scattered over the whole Turtle document.
    """
    triples = [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in graph]  # type: ignore[arg-type]
    triples.sort(key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    return ox.serialize(triples, format=fmt.oxigraph, prefixes=prefixes)


def triples_to_ox(triples: Iterable[tuple[Node, Node, Node]], graph: Node) -> list[ox.Quad]:
    """rdflib triples as pyoxigraph quads in one named graph."""
    return [to_ox_quad(s, p, o, graph) for s, p, o in triples]


def to_ntriples(body: bytes, format_name: str, base: str | None = None) -> str:
    """A client's RDF graph body as N-Triples text, parsed by pyoxigraph.

    Meant to run in a worker process (``pool.call("kg_service.rdf.io:to_ntriples", …)``): a
    hostile body (deep nesting, entity expansion) can then only take down that worker.
    """
    fmt = next(f for f in RDF_INPUT_FORMATS if f.name == format_name)
    if fmt is RDFXML:
        check_xml_entities(body)
        if re.search(rb"<!ENTITY", body, re.IGNORECASE):
            raise RefusedOperation(
                "RDF/XML that declares entities is refused (entity expansion can exhaust memory)."
            )
    if fmt is JSONLD:
        check_jsonld_contexts(body)
    try:
        triples = ox.parse(body, format=fmt.oxigraph, base_iri=base)
        return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    except (SyntaxError, ValueError) as exc:
        where = xml_position(body) if fmt is RDFXML else ""
        raise RDFSyntaxError(f"Could not parse the {fmt.name} body: {exc}{where}") from None
    except MemoryError as exc:
        raise _too_long(exc, f"the {fmt.name} body") from None
