"""Ontology documentation at ``/def/`` and the ontology IRI ``/def`` (in the spirit of pyLODE).

Every class and property with its labels and definitions in fr/nl/en, superclasses and
superproperties, domain and range, inverse, how often the data uses it, and the class
hierarchy as a nested list. Machines asking ``/def`` for RDF get the ontology graph itself.
The ontology's ``owl:versionIRI`` (``/def/1.0.0``) answers the same while it is the version the
store holds; another version is a ``404``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Request, Response
from fastapi import Path as PathParam
from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.namespace import DCTERMS, SKOS
from starlette.convertors import Convertor, register_url_convertor

from kg_service.errors import NotFound
from kg_service.query.contract import QueryRequest, Store, select
from kg_service.rdf.formats import GRAPH_FORMATS, HTML
from kg_service.rdf.namespaces import BKG, ONTOLOGY_GRAPH, ONTOLOGY_IRI
from kg_service.rdf.negotiation import choose
from kg_service.web import openapi
from kg_service.web.i18n import LANGUAGES, choose_language, pick_literal
from kg_service.web.pages import render
from kg_service.web.routes.linked_data import local_path
from kg_service.web.routes.sparql import result_response

__all__ = ["Term", "router"]

router = APIRouter(tags=["Linked data"], default_response_class=Response)


class _Version(Convertor):
    """A path segment like ``1.0.0``: only those reach :func:`version`; ``/def/Institution``
    goes on to the term pages (:mod:`kg_service.web.routes.linked_data`)."""

    regex = r"\d+(?:\.\d+)+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("version", _Version())

KINDS = (
    ("classes", OWL.Class),
    ("object_properties", OWL.ObjectProperty),
    ("datatype_properties", OWL.DatatypeProperty),
)


@dataclass
class Term:
    """One class or property as the documentation shows it."""

    iri: str
    name: str
    labels: dict[str, str]
    definitions: dict[str, str]
    parents: list[tuple[str, str | None]] = field(default_factory=list)
    domain: list[tuple[str, str | None]] = field(default_factory=list)
    range: list[tuple[str, str | None]] = field(default_factory=list)
    inverse: list[tuple[str, str | None]] = field(default_factory=list)
    usage: int = 0
    children: list[Term] = field(default_factory=list)


async def ontology_graph(request: Request) -> Graph:
    """The ontology graph from the store, parsed again only after an update."""
    store: Store = request.app.state.store

    async def compute() -> Graph:
        query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}"
        result = await store.query(QueryRequest(query, format="ntriples"))
        return Graph().parse(data=b"".join([c async for c in result.body]), format="nt")

    return await request.app.state.derived.get("ontology", compute)


def _by_lang(graph: Graph, node: URIRef, prop: URIRef) -> dict[str, str]:
    return {o.language or "": str(o) for o in graph.objects(node, prop)}


def _links(graph: Graph, node: URIRef, prop: URIRef) -> list[tuple[str, str | None]]:
    return sorted(
        (_curie(graph, o), local_path(str(o)) or str(o))
        for o in graph.objects(node, prop)
        if isinstance(o, URIRef)
    )


def _curie(graph: Graph, iri: URIRef) -> str:
    try:
        return graph.namespace_manager.normalizeUri(iri)
    except Exception:  # rdflib raises for IRIs it cannot split
        return str(iri)


def _term(graph: Graph, node: URIRef) -> Term:
    definitions = _by_lang(graph, node, SKOS.definition) or _by_lang(graph, node, RDFS.comment)
    return Term(
        iri=str(node),
        name=str(node)[len(str(BKG)) :],
        labels=_by_lang(graph, node, RDFS.label),
        definitions=definitions,
        parents=_links(graph, node, RDFS.subClassOf) + _links(graph, node, RDFS.subPropertyOf),
        domain=_links(graph, node, RDFS.domain),
        range=_links(graph, node, RDFS.range),
        inverse=_links(graph, node, OWL.inverseOf),
    )


def _terms(graph: Graph, kind: URIRef, usage: dict[str, int]) -> list[Term]:
    terms = [
        _term(graph, node)
        for node in graph.subjects(RDF.type, kind)
        if isinstance(node, URIRef) and str(node).startswith(str(BKG))
    ]
    for term in terms:
        term.usage = usage.get(term.iri, 0)
    return sorted(terms, key=lambda t: t.name.lower())


def _hierarchy(classes: list[Term], graph: Graph) -> list[Term]:
    by_iri = {c.iri: c for c in classes}
    roots = []
    for c in classes:
        parents = [
            str(p) for p in graph.objects(URIRef(c.iri), RDFS.subClassOf) if str(p) in by_iri
        ]
        for parent in parents:
            by_iri[parent].children.append(c)
        if not parents:
            roots.append(c)
    return roots


async def _usage(store: Store) -> dict[str, int]:
    rows = await select(
        store,
        f"""SELECT ?t (COUNT(*) AS ?n) WHERE {{
  {{ ?x a ?t }} UNION {{ ?x ?t ?y }} FILTER(STRSTARTS(STR(?t), "{BKG}")) }} GROUP BY ?t""",
    )
    return {r["t"]["value"]: int(r["n"]["value"]) for r in rows}


#: The ontology IRI ``/def`` and its documentation ``/def/`` answer alike.
ONTOLOGY = {
    "methods": ["GET", "HEAD"],
    "summary": "The ontology: documentation (HTML) or its graph (RDF)",
    "responses": {
        "200": openapi.ok(
            "The ontology as Accept or format= asks.",
            openapi.content(*openapi.media((*GRAPH_FORMATS, HTML))),
        ),
        **openapi.errors(*openapi.NEGOTIATED, *openapi.STORE),
    },
    "openapi_extra": openapi.inputs(openapi.format_param((*GRAPH_FORMATS, HTML)), openapi.LANG),
}


@router.api_route(
    "/def/{number:version}",
    operation_id="ontology_version",
    **{
        **ONTOLOGY,
        "summary": "The ontology's owl:versionIRI: the ontology, while it is that version",
        "responses": {**ONTOLOGY["responses"], **openapi.errors(404)},
    },
)
async def version(
    request: Request,
    number: Annotated[
        str,
        PathParam(
            description="A version of owl:versionIRI (digits and dots; other paths are terms).",
            examples=["1.0.0"],
        ),
    ],
) -> Response:
    """The ontology's ``owl:versionIRI``: the ontology itself, while it is that version."""
    graph = await ontology_graph(request)
    if str(graph.value(ONTOLOGY_IRI, OWL.versionIRI)) != f"{BKG}{number}":
        raise NotFound(f"This store holds no version {number} of the ontology.")
    return await ontology(request)


@router.api_route("/def", operation_id="ontology", **ONTOLOGY)
@router.api_route("/def/", operation_id="ontology_documentation", **ONTOLOGY)
async def ontology(request: Request) -> Response:
    """The ontology: its documentation for people, its graph for machines."""
    offers = (HTML, *GRAPH_FORMATS)
    fmt = choose(request.headers.get("accept"), offers, request.query_params.get("format"))
    if fmt is not HTML:
        query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}"
        result = await request.app.state.store.query(QueryRequest(query, format=fmt.name))
        return result_response(result)
    graph = await ontology_graph(request)
    usage = await _usage(request.app.state.store)
    sections = {name: _terms(graph, kind, usage) for name, kind in KINDS}
    lang = choose_language(request)
    header = {
        "title": pick_literal(list(graph.objects(ONTOLOGY_IRI, DCTERMS.title)), lang),
        "description": pick_literal(list(graph.objects(ONTOLOGY_IRI, DCTERMS.description)), lang),
        "version": graph.value(ONTOLOGY_IRI, OWL.versionInfo),
        "version_iri": graph.value(ONTOLOGY_IRI, OWL.versionIRI),
        "license": graph.value(ONTOLOGY_IRI, DCTERMS.license),
        "iri": str(ONTOLOGY_IRI),
        "namespace": str(BKG),
    }
    return render(
        request,
        "ontology.html",
        header=header,
        sections=sections,
        hierarchy=_hierarchy(sections["classes"], graph),
        languages=LANGUAGES,
        formats=GRAPH_FORMATS,
    )
