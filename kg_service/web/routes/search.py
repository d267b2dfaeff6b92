"""``GET /search``: full-text search over the graph, as JSON for programs and a page for people.

``/search?q=&lang=&type=&limit=&offset=`` answers ``application/json`` (the default, and what
``Accept: application/json`` gets) in the issue's shape::

    {"query": "…", "total": N,
     "results": [{"id": IRI, "label": …, "lang": …, "types": [IRI…], "score": …,
                  "matched": the text that matched}]}

and an HTML results page, in the page language, to a browser. ``lang`` filters by the language
of the text that matched; the labels are shown in ``lang``, else in the reader's language (the
``lang`` cookie or ``Accept-Language``), else in the language of the match. ``type`` (a class
IRI, ``bkg:Theme`` or ``Theme``; repeatable) keeps the instances of those classes, inferred
types included. Odd input gets a ``400`` with a sentence (:mod:`kg_service.search.query`); the
remote backend has no index: ``501``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from kg_service.errors import BadRequest, NotSupported, Overloaded
from kg_service.rdf.formats import HTML, JSON
from kg_service.rdf.namespaces import BKG
from kg_service.rdf.negotiation import choose
from kg_service.search.analysis import LANGUAGES
from kg_service.search.index import Results, SearchIndex
from kg_service.search.query import SearchQuery, make_query, type_iri
from kg_service.web import openapi
from kg_service.web.i18n import choose_language, class_label
from kg_service.web.pages import render
from kg_service.web.routes.linked_data import local_path
from kg_service.web.routes.ui import COUNTED_CLASSES, capitalised

__all__ = ["current_index", "router"]

router = APIRouter(tags=["Pages"], default_response_class=Response)

SEARCH_RESULTS = openapi.component(
    "SearchResults",
    {
        "description": "One page of full-text search results, best first (kg_service.search).",
        "type": "object",
        "required": ["query", "total", "results"],
        "properties": {
            "query": {"type": "string"},
            "total": {"type": "integer", "minimum": 0},
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "label", "lang", "types", "score", "matched"],
                    "properties": {
                        "id": {"type": "string", "description": "the resource's IRI"},
                        "label": {"type": "string"},
                        "lang": {"type": ["string", "null"], "description": "of the match"},
                        "types": {"type": "array", "items": {"type": "string"}},
                        "score": {"type": "number"},
                        "matched": {"type": "string", "description": "the text that matched"},
                    },
                    "additionalProperties": False,
                },
            },
        },
        "additionalProperties": False,
    },
)
SEARCH_PARAMETERS = (
    openapi.query_param(
        "q",
        {"type": "string", "examples": ["coopérations", "samenwerking", "benelux parl"]},
        "The words (the last one may be the start of a word). Empty, or over 500 characters "
        "or 24 words: 400 (the HTML page shows its form).",
    ),
    openapi.query_param(
        "lang",
        openapi.enum(LANGUAGES),
        "Only matches in this language; the labels are shown in it (and the page).",
    ),
    openapi.query_param(
        "type",
        {"type": "array", "items": {"type": "string", "examples": ["bkg:Theme"]}},
        "Only instances of these classes (an IRI, bkg:Theme or Theme; unreadable: 400).",
        **openapi.REPEATED,
    ),
    openapi.query_param("limit", {"type": "integer", "minimum": 1, "maximum": 100}, "Default 10."),
    openapi.query_param("offset", {"type": "integer", "minimum": 0, "maximum": 10_000}, "From 0."),
    openapi.format_param((JSON, HTML)),
)

#: The results a page shows.
PAGE_SIZE = 20
_OFFERS = (JSON, HTML)


def current_index(request: Request) -> SearchIndex:
    """The index to search now; ``501`` on a store without one, ``503`` while it is built."""
    reader = getattr(request.app.state.store, "search", None)
    if reader is None:
        raise NotSupported(
            "Full-text search needs the oxigraph or rdflib backend: a remote store has no "
            "index here. Query the remote endpoint with SPARQL instead."
        )
    index = reader.current()
    if index is None:
        raise Overloaded(
            "The search index is being built; retry in a moment.", headers={"Retry-After": "2"}
        )
    return index


def _query(request: Request, display: str | None, limit: int | str | None) -> SearchQuery:
    params = request.query_params
    for name in ("q", "lang", "limit", "offset"):
        if len(params.getlist(name)) > 1:
            raise BadRequest(f"Give at most one '{name}' parameter.")
    return make_query(
        params.get("q"),
        lang=params.get("lang"),
        types=[t for t in params.getlist("type") if t],
        limit=limit,
        offset=params.get("offset"),
        display=display,
    )


@router.api_route(
    "/search",
    methods=["GET", "HEAD"],
    operation_id="search",
    summary="Full-text search: labels, alternative labels, descriptions, definitions (fr/nl/en)",
    responses={
        "200": openapi.ok(
            "A page of results: JSON (the default) or, for browsers, an HTML page.",
            {JSON.media_type: {"schema": SEARCH_RESULTS}, **openapi.content(HTML.media_type)},
            Vary="Accept, Accept-Language, Cookie",
        ),
        **openapi.errors(*openapi.NEGOTIATED, 501, *openapi.STORE),
    },
    openapi_extra=openapi.inputs(*SEARCH_PARAMETERS),
)
async def search(request: Request) -> Response:
    """Search labels, alternative labels, descriptions and definitions in fr, nl and en."""
    fmt = choose(request.headers.get("accept"), _OFFERS, request.query_params.get("format"))
    if fmt is HTML:
        return await _page(request)
    query = _query(request, _display(request), request.query_params.get("limit"))
    results = await asyncio.to_thread(current_index(request).search, query)
    vary = {"Vary": "Accept, Accept-Language, Cookie"}  # labels in the reader's language
    return JSONResponse(dataclasses.asdict(results), headers=vary)


def _display(request: Request) -> str | None:
    """The labels' language for JSON: ``lang``, else the reader's if they said, else none."""
    said = request.query_params.get("lang") in LANGUAGES
    told = "lang" in request.cookies or "accept-language" in request.headers
    return choose_language(request) if said or told else None


# --- the page ------------------------------------------------------------------------------


async def _page(request: Request) -> Response:
    lang = choose_language(request)
    context: dict = {"q": request.query_params.get("q", ""), "results": None, "error": None}
    context["filter_lang"] = request.query_params.get("lang", "")
    context["filter_types"] = _selected_types(request)
    status = 200
    index = current_index(request)
    if context["q"].strip():
        try:
            query = _query(request, lang, request.query_params.get("limit") or PAGE_SIZE)
            results = await asyncio.to_thread(index.search, query)
            context.update(_shown(results, query, index, lang))
        except BadRequest as exc:
            context["error"], status = exc.message, exc.status
    context["classes"] = _class_options(index, lang)
    return render(request, "search.html", status=status, languages_offered=LANGUAGES, **context)


def _selected_types(request: Request) -> set[str]:
    """The classes the request filters by, as IRIs (what cannot be read is left to _query)."""
    selected = set()
    for value in request.query_params.getlist("type"):
        try:
            selected.add(type_iri(value))
        except BadRequest:
            continue
    return selected


def _shown(results: Results, query: SearchQuery, index: SearchIndex, lang: str) -> dict:
    """What the page shows of ``results``: links, type names, the pages around this one."""
    type_iris = sorted({t for hit in results.results for t in hit.types})
    names = index.labels_for(type_iris, lang)
    hits = [
        {
            "href": local_path(hit.id) or hit.id,
            "label": hit.label,
            "matched": hit.matched if hit.matched != hit.label else None,
            "lang": hit.lang,
            "types": [
                capitalised(names.get(t) or class_label(t, lang) or _local_name(t))
                for t in hit.types
            ],
            "id": hit.id,
        }
        for hit in results.results
    ]
    return {"results": results, "hits": hits, "pages": _pages(results.total, query)}


def _pages(total: int, query: SearchQuery) -> dict:
    """Previous and next links, and which page this is."""
    size = query.limit

    def link(offset: int) -> str:
        params = [("q", query.text), *(("type", t) for t in query.types), ("offset", offset)]
        if query.langs:
            params.append(("lang", query.langs[0]))
        if size != PAGE_SIZE:
            params.append(("limit", size))
        return "/search?" + urlencode(params)

    return {
        "first": query.offset + 1,
        "number": query.offset // size + 1,
        "count": max(1, math.ceil(total / size)),
        "previous": link(max(0, query.offset - size)) if query.offset > 0 else None,
        "next": link(query.offset + size) if query.offset + size < total else None,
    }


def _class_options(index: SearchIndex, lang: str) -> list[dict]:
    """The classes a reader may filter by (those the landing page counts), by their label."""
    iris = [str(BKG[name]) for name in COUNTED_CLASSES]
    names = index.labels_for(iris, lang)
    options = [{"iri": iri, "label": capitalised(names.get(iri, iri))} for iri in iris]
    return sorted(options, key=lambda o: o["label"].casefold())


def _local_name(iri: str) -> str:
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
