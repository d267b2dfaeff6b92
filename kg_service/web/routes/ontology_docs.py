"""Ontology documentation at ``/def/`` and the ontology IRI ``/def`` (in the spirit of pyLODE).

An index of the classes, object and datatype properties and named individuals, then a section
per term (its anchor is its local name): IRI, label and definition in the page language,
superclasses, domain and range as labelled links, what it is used with and how often the data
uses it (:mod:`kg_service.web.ontology_terms`, :mod:`kg_service.web.ontology_usage`), and the
class hierarchy. pyLODE itself was not used: it writes English headings, and these pages speak
fr, nl and en. Machines asking ``/def`` for RDF get the ontology graph itself.
The ontology's ``owl:versionIRI`` (``/def/1.0.0``) answers the same while it is the version the
store holds; another version is a ``404``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response
from fastapi import Path as PathParam
from rdflib import OWL, Graph
from rdflib.namespace import DCTERMS
from starlette.convertors import Convertor, register_url_convertor

from kg_service.errors import NotFound
from kg_service.query.contract import QueryRequest, Store
from kg_service.rdf.formats import GRAPH_FORMATS, HTML
from kg_service.rdf.namespaces import BKG, ONTOLOGY_GRAPH, ONTOLOGY_IRI
from kg_service.rdf.negotiation import choose
from kg_service.web import openapi
from kg_service.web.i18n import LANGUAGES, choose_language, pick_literal
from kg_service.web.ontology_terms import KINDS, OntologyDocs, docs_model
from kg_service.web.ontology_usage import count_usage
from kg_service.web.pages import render
from kg_service.web.routes.browse import browse_path
from kg_service.web.routes.sparql import result_response

__all__ = ["ontology_docs", "ontology_graph", "router"]

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


async def ontology_graph(request: Request) -> Graph:
    """The ontology graph from the store, parsed again only after an update."""
    store: Store = request.app.state.store

    async def compute() -> Graph:
        query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}"
        result = await store.query(QueryRequest(query, format="ntriples"))
        return Graph().parse(data=b"".join([c async for c in result.body]), format="nt")

    return await request.app.state.derived.get("ontology", compute)


async def ontology_docs(request: Request) -> OntologyDocs:
    """The documented terms with the data's counts, computed once per store snapshot."""

    async def compute() -> OntologyDocs:
        graph = await ontology_graph(request)
        return docs_model(graph, await count_usage(request.app.state.store))

    return await request.app.state.derived.get("ontology_docs", compute)


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
    lang = choose_language(request)
    return render(
        request,
        "ontology.html",
        header=_header(graph, lang),
        docs=await ontology_docs(request),
        kinds=list(KINDS),
        browse_path=browse_path,
        languages=LANGUAGES,
        formats=GRAPH_FORMATS,
    )


def _header(graph: Graph, lang: str) -> dict[str, object]:
    return {
        "title": pick_literal(list(graph.objects(ONTOLOGY_IRI, DCTERMS.title)), lang),
        "description": pick_literal(list(graph.objects(ONTOLOGY_IRI, DCTERMS.description)), lang),
        "version": graph.value(ONTOLOGY_IRI, OWL.versionInfo),
        "version_iri": graph.value(ONTOLOGY_IRI, OWL.versionIRI),
        "license": graph.value(ONTOLOGY_IRI, DCTERMS.license),
        "iri": str(ONTOLOGY_IRI),
        "namespace": str(BKG),
    }
