"""For harvesters: dumps, VoID, the DCAT-AP catalogue, robots.txt and the sitemap.

Routes (all ``GET`` and ``HEAD``):

- ``/download`` lists the dumps (JSON; a page for browsers); ``/download/{name}`` serves one of
  the files the build wrote, with ``ETag`` (its SHA-256), ``Last-Modified``, ``Content-Length``
  and ``304`` on a conditional request. ``.gz`` files are served as ``application/gzip`` files
  to save (``Content-Disposition: attachment``), never with ``Content-Encoding``, so what a
  client stores is byte for byte the file whose size and checksum the catalogue states.
- ``/.well-known/void``: the VoID description (Turtle, N-Triples, JSON-LD, RDF/XML).
- ``/.well-known/sparql-examples``: the example queries as data (``sh:SPARQLExecutable``, the
  SIB sparql-examples convention): the named graph ``graph/examples`` as the store holds it.
- ``/catalog``: the DCAT-AP 3 catalogue (the same formats; a page for browsers).
- ``/robots.txt`` and ``/sitemap.xml`` (every HTML page, resource pages included).
- ``/dataset``: the dataset's persistent IRI (``cite-as`` of the landing page) answers ``303``
  to the landing page for browsers, to the catalogue for RDF clients.

Signposting (``Link`` headers, :mod:`kg_service.publish.signposting`): each dump points to its
``collection`` (the landing page's own come from :mod:`kg_service.web.published`).

Absolute URLs are built from ``settings.base_url`` when set, else from the request.
Statistics and the sitemap's resource list are computed once per process, through the store.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, RedirectResponse
from rdflib import Graph
from rdflib.namespace import DCTERMS, SKOS

from kg_service.build.examples import EXAMPLES, EXAMPLES_GRAPH, SCHEMA, SH, SPEX
from kg_service.build.layout import DUMP_FORMATS, dump_name
from kg_service.errors import NotFound
from kg_service.publish.catalog import Links, describe_catalog, html_context
from kg_service.publish.dumps import (
    GZIP_MEDIA_TYPE,
    Dump,
    DumpIndex,
    not_modified,
    not_modified_response,
    validators,
)
from kg_service.publish.signposting import dump_signposts, link_header
from kg_service.publish.void import describe_void
from kg_service.query.contract import QueryRequest, Store, select
from kg_service.rdf.formats import GRAPH_FORMATS, HTML, JSON, NTRIPLES, Format
from kg_service.rdf.io import read_graph
from kg_service.rdf.namespaces import BASE
from kg_service.rdf.negotiation import choose
from kg_service.web import openapi
from kg_service.web.i18n import choose_language, words
from kg_service.web.pages import render
from kg_service.web.published import (
    cached,
    dataset_coverage,
    dump_index,
    links_for,
    statistics,
    store_modified,
)
from kg_service.web.routes.linked_data import local_path

__all__ = ["DUMP_NAMES", "router", "sitemap_xml"]

router = APIRouter(tags=["Publishing"], default_response_class=Response)

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
#: HTML pages that are not resources of the graph.
SITE_PAGES = ("/", "/def/", "/sparql", "/catalog", "/download")
EXAMPLES_QUERY = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{EXAMPLES_GRAPH}> {{ ?s ?p ?o }} }}"
#: The prefixes the examples document is written with.
EXAMPLE_PREFIXES = {
    "ex": EXAMPLES,
    "sh": SH,
    "spex": SPEX,
    "schema": SCHEMA,
    "dcterms": DCTERMS,
    "skos": SKOS,
}
RESOURCES = f"""SELECT DISTINCT ?s WHERE {{ {{ ?s ?p ?o }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} }}
  FILTER(isIRI(?s) && (STRSTARTS(STR(?s), "{BASE}id/") || STRSTARTS(STR(?s), "{BASE}def/")))
}} ORDER BY ?s"""


def _respond(
    request: Request,
    body: bytes,
    content_type: str,
    modified: datetime | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """A whole response with an ETag of its bytes; ``304`` when the client has it already."""
    cache = validators(f'"{hashlib.sha256(body).hexdigest()[:32]}"', modified)
    cache.update(headers or {})
    if not_modified(request, cache["ETag"], modified):
        return not_modified_response(cache)
    return Response(body, headers={"Content-Type": content_type, **cache})


def _serialize(graph: Graph, fmt: Format) -> bytes:
    extra = {"auto_compact": True} if fmt.name == "jsonld" else {}
    return graph.serialize(format=fmt.rdflib, encoding="utf-8", **extra)


def _rdf(request: Request, graph: Graph, fmt: Format, modified: datetime | None) -> Response:
    return _respond(request, _serialize(graph, fmt), fmt.content_type, modified, {"Vary": "Accept"})


#: The file names ``/download/{name}`` may serve: the build's dumps, plain and gzipped.
DUMP_NAMES = tuple(dump_name(f, gz) for f, _ in DUMP_FORMATS for gz in (False, True))
#: The listing's JSON (:func:`_listing`).
DUMP_LISTING = openapi.component(
    "DumpListing",
    {
        "type": "object",
        "required": ["modified", "catalog", "void", "dumps"],
        "properties": {
            "modified": {"type": ["string", "null"]},
            "catalog": openapi.STRING,
            "void": openapi.STRING,
            "dumps": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": [
                        "name",
                        "url",
                        "format",
                        "media_type",
                        "content_type",
                        "gzip",
                        "named_graphs",
                        "bytes",
                        "sha256",
                    ],
                    "properties": {
                        **dict.fromkeys(
                            ("name", "url", "format", "media_type", "content_type"), openapi.STRING
                        ),
                        "gzip": {"type": "boolean"},
                        "named_graphs": {"type": "boolean"},
                        "bytes": {"type": "integer", "minimum": 0},
                        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                    },
                },
            },
        },
    },
)


@router.api_route(
    "/download",
    methods=["GET", "HEAD"],
    operation_id="downloads",
    summary="The list of dumps (JSON) or the downloads page",
    responses={
        "200": openapi.ok(
            "The dumps with sizes and SHA-256 digests.",
            {JSON.media_type: {"schema": DUMP_LISTING}, **openapi.content(HTML.media_type)},
            **openapi.CACHED,
        ),
        "304": openapi.NOT_MODIFIED,
        **openapi.errors(406),
    },
    openapi_extra=openapi.inputs(openapi.LANG, *openapi.CONDITIONAL),
)
async def downloads(request: Request) -> Response:
    """The list of dumps: JSON for machines, a page for people."""
    fmt = choose(request.headers.get("accept"), (JSON, HTML))
    index, links = await dump_index(request), links_for(request)
    if fmt is HTML:
        page = render(
            request,
            "downloads.html",
            dumps=list(index.dumps.values()),
            modified=index.modified_date,
            links=links,
            w=words(choose_language(request)),
        )
        page.headers["Vary"] = "Accept, Accept-Language, Cookie"
        return page
    body = json.dumps(_listing(index, links), indent=2).encode() + b"\n"
    return _respond(request, body, fmt.content_type, index.modified, {"Vary": "Accept"})


def _listing(index: DumpIndex, links: Links) -> dict[str, Any]:
    return {
        "modified": index.modified.isoformat().replace("+00:00", "Z") if index.modified else None,
        "catalog": links.catalog,
        "void": links.void,
        "dumps": [
            {
                "name": d.name,
                "url": links.download(d.name),
                "format": d.format.name,
                "media_type": d.format.media_type,
                "content_type": d.media_type,
                "gzip": d.gz,
                "named_graphs": d.named_graphs,
                "bytes": d.size,
                "sha256": d.sha256,
            }
            for d in index.dumps.values()
        ],
    }


def _signposted(responses: dict[str, dict]) -> dict[str, dict]:
    """The dump's responses (but 416) with their FAIR Signposting ``Link`` header."""
    link = openapi.header("FAIR Signposting: the collection (the landing page) and the licence")
    return {
        status: r if status == "416" else {**r, "headers": {**r.get("headers", {}), "Link": link}}
        for status, r in responses.items()
    }


@router.api_route(
    "/download/{name}",
    methods=["GET", "HEAD"],
    operation_id="download",
    summary="One dump file (ETag is its SHA-256)",
    responses={
        **_signposted(
            {
                **openapi.file_responses(
                    (*openapi.media(tuple(f for f, _ in DUMP_FORMATS)), GZIP_MEDIA_TYPE)
                ),
                "304": openapi.NOT_MODIFIED,
            }
        ),
        "400": openapi.range_error(),
        **openapi.errors(404),
    },
    openapi_extra=openapi.inputs(*openapi.CONDITIONAL, *openapi.RANGED),
)
async def download(
    request: Request,
    name: Annotated[
        str,
        PathParam(
            description="A dump's file name (any other name: 404).",
            json_schema_extra={"enum": sorted(DUMP_NAMES)},
        ),
    ],
) -> Response:
    """One dump file, by its exact name (anything else, ``..`` included, is a 404)."""
    index = await dump_index(request)
    dump = index.dumps.get(name)
    if dump is None:
        raise NotFound(f"No dump is called {name[:80]!r}; see /download for the list.")
    stat = await asyncio.to_thread(_stat, dump)
    if stat is None or stat.st_size != dump.size:  # rebuilt since this process read it
        index = await dump_index(request, refresh=True)
        dump = index.dumps.get(name)
        stat = await asyncio.to_thread(_stat, dump) if dump else None
        if dump is None or stat is None:
            raise NotFound(f"The dump {name!r} is not available right now.")
    return _file_response(request, dump, index, stat)


def _stat(dump: Dump) -> os.stat_result | None:
    try:
        return dump.path.stat()
    except OSError:
        return None


def _file_response(
    request: Request, dump: Dump, index: DumpIndex, stat: os.stat_result
) -> Response:
    headers = validators(dump.etag, index.modified)
    headers["Link"] = link_header(dump_signposts(links_for(request)))
    if not_modified(request, dump.etag, index.modified):
        return not_modified_response(headers)
    headers["Repr-Digest"] = dump.digest_header
    return FileResponse(
        dump.path,
        media_type=dump.content_type,
        filename=dump.name,
        headers=headers,
        stat_result=stat,
    )


@router.api_route(
    "/.well-known/void",
    methods=["GET", "HEAD"],
    operation_id="void",
    summary="The VoID description of the dataset",
    responses={
        "200": openapi.ok(
            "VoID.", openapi.content(*openapi.media(GRAPH_FORMATS)), **openapi.CACHED
        ),
        "304": openapi.NOT_MODIFIED,
        **openapi.errors(*openapi.NEGOTIATED, *openapi.STORE),
    },
    openapi_extra=openapi.inputs(openapi.format_param(GRAPH_FORMATS), *openapi.CONDITIONAL),
)
async def void(request: Request) -> Response:
    """The VoID description of the dataset."""
    fmt = choose(request.headers.get("accept"), GRAPH_FORMATS, request.query_params.get("format"))
    index, stats = await dump_index(request), await statistics(request)
    graph = describe_void(links_for(request), stats, index)
    return _rdf(request, graph, fmt, store_modified(request, index))


@router.api_route(
    "/.well-known/sparql-examples",
    methods=["GET", "HEAD"],
    operation_id="sparql_examples",
    summary="The example queries as data (SIB sparql-examples: sh:SPARQLExecutable)",
    responses={
        "200": openapi.ok(
            "The graph of the example queries.",
            openapi.content(*openapi.media(GRAPH_FORMATS)),
            **openapi.CACHED,
        ),
        "304": openapi.NOT_MODIFIED,
        **openapi.errors(*openapi.NEGOTIATED, *openapi.STORE),
    },
    openapi_extra=openapi.inputs(openapi.format_param(GRAPH_FORMATS), *openapi.CONDITIONAL),
)
async def sparql_examples(request: Request) -> Response:
    """The example queries as data: ``graph/examples`` (Turtle, JSON-LD, … by ``Accept``)."""
    fmt = choose(request.headers.get("accept"), GRAPH_FORMATS, request.query_params.get("format"))
    store: Store = request.app.state.store
    index = await dump_index(request)  # the build's date: the examples change with it
    graph = await cached(request, "sparql-examples", lambda: examples_graph(store))
    return _rdf(request, graph, fmt, store_modified(request, index))


async def examples_graph(store: Store) -> Graph:
    """The named graph of the example queries, read from the store (what SPARQL sees)."""
    result = await store.query(QueryRequest(EXAMPLES_QUERY, accept=NTRIPLES.media_type))
    try:
        data = b"".join([chunk async for chunk in result.body])
    finally:
        await result.close()
    # only the prefixes it uses (rdflib's own ~30 would fill the JSON-LD @context)
    graph = Graph(bind_namespaces="core")
    for prefix, namespace in EXAMPLE_PREFIXES.items():
        graph.bind(prefix, namespace)
    graph += read_graph(data, NTRIPLES)
    return graph


@router.api_route(
    "/catalog",
    methods=["GET", "HEAD"],
    operation_id="catalog",
    summary="The DCAT-AP 3 catalogue (RDF) or its page",
    responses={
        "200": openapi.ok(
            "The catalogue.", openapi.content(*openapi.media((*GRAPH_FORMATS, HTML)))
        ),
        "304": openapi.NOT_MODIFIED,
        **openapi.errors(*openapi.NEGOTIATED, *openapi.STORE),
    },
    openapi_extra=openapi.inputs(
        openapi.format_param((*GRAPH_FORMATS, HTML)), openapi.LANG, *openapi.CONDITIONAL
    ),
)
async def catalog(request: Request) -> Response:
    """The DCAT-AP 3 catalogue: RDF for harvesters, a page for people."""
    offers = (*GRAPH_FORMATS, HTML)
    fmt = choose(request.headers.get("accept"), offers, request.query_params.get("format"))
    index, period, links = (
        await dump_index(request),
        await dataset_coverage(request),
        links_for(request),
    )
    if fmt is HTML:
        lang = choose_language(request)
        context = html_context(links, index, period)
        return render(request, "catalog.html", formats=GRAPH_FORMATS, w=words(lang), **context)
    graph = describe_catalog(links, index, period)
    return _rdf(request, graph, fmt, store_modified(request, index))


@router.api_route(
    "/dataset",
    methods=["GET", "HEAD"],
    operation_id="dataset",
    summary="The dataset's persistent IRI (cite-as of the landing page)",
    status_code=303,
    responses={
        "303": openapi.ok(
            "To the landing page (HTML), or to the catalogue in the RDF format asked for.",
            Location=openapi.header("/ or /catalog?format=…", True),
            Vary="Accept",
        ),
        **openapi.errors(406),
    },
)
async def dataset(request: Request) -> Response:
    """The dataset's persistent IRI: ``303`` to its landing page, or to the catalogue for RDF."""
    fmt = choose(request.headers.get("accept"), (HTML, *GRAPH_FORMATS))
    target = "/" if fmt is HTML else f"/catalog?format={fmt.name}"
    return RedirectResponse(target, status_code=303, headers={"Vary": "Accept"})


ROBOTS = "User-agent: *\nAllow: /\n\nSitemap: {sitemap}\n"
ROBOTS_TYPE = "text/plain; charset=utf-8"


@router.api_route(
    "/robots.txt",
    methods=["GET", "HEAD"],
    operation_id="robots",
    summary="robots.txt",
    responses={
        "200": openapi.ok("Every crawler is welcome.", openapi.content(ROBOTS_TYPE)),
        "304": openapi.NOT_MODIFIED,
    },
    openapi_extra=openapi.inputs(*openapi.CONDITIONAL),
)
async def robots(request: Request) -> Response:
    """Every crawler is welcome; the sitemap lists the pages."""
    body = ROBOTS.format(sitemap=links_for(request).base + "/sitemap.xml").encode()
    return _respond(request, body, ROBOTS_TYPE)


async def _resource_paths(request: Request) -> list[str]:
    store: Store = request.app.state.store

    async def compute() -> list[str]:
        rows = await select(store, RESOURCES)
        paths = (local_path(r["s"]["value"]) for r in rows)
        return [p for p in paths if p and _is_page(p)]

    return await cached(request, "resources", compute)


def _is_page(path: str) -> bool:
    """``/id/…`` resources, and ``/def/{Term}`` (one segment) ontology terms."""
    if path.startswith("/id/"):
        return len(path) > len("/id/")
    term = path[len("/def/") :]
    return bool(term) and "/" not in term


def sitemap_xml(base: str, paths: list[str], lastmod: str | None) -> bytes:
    """A sitemap (sitemaps.org 0.9) of ``base`` + each path."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{SITEMAP_NS}">']
    stamp = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
    for path in paths:
        loc = escape(base + quote(path, safe="/:@!$&'()*+,;=-._~%"))
        lines.append(f"  <url><loc>{loc}</loc>{stamp}</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode()


SITEMAP_TYPE = "application/xml; charset=utf-8"


@router.api_route(
    "/sitemap.xml",
    methods=["GET", "HEAD"],
    operation_id="sitemap",
    summary="The sitemap of every HTML page",
    responses={
        "200": openapi.ok("A sitemaps.org 0.9 document.", openapi.content(SITEMAP_TYPE)),
        "304": openapi.NOT_MODIFIED,
        **openapi.errors(*openapi.STORE),
    },
    openapi_extra=openapi.inputs(*openapi.CONDITIONAL),
)
async def sitemap(request: Request) -> Response:
    """Every HTML page: the site's pages and the page of every resource and ontology term."""
    index, paths = await dump_index(request), await _resource_paths(request)
    body = sitemap_xml(links_for(request).base, [*SITE_PAGES, *paths], index.modified_date)
    return _respond(request, body, SITEMAP_TYPE, store_modified(request, index))
