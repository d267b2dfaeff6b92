"""For people: the landing page ``/``, the YASGUI query editor and a plain-HTML query page.

- ``/`` says what the graph holds (counted with SPARQL at request time), where to go next, and
  offers entry points; labels and descriptions come from the graph in the reader's language.
- The editor is the page a browser gets from ``GET /sparql`` (see :func:`query_page`): YASGUI
  (``@zazuko/yasgui`` from npm, installed by ``make setup`` into ``node_modules/``, never
  committed) served from our own origin at ``/static/yasgui/…``, pointed at ``/sparql``, with
  the example queries of ``queries/`` (:mod:`kg_service.build.examples`) in a searchable list
  grouped by topic, in the reader's language. Its scripts are ``static/editor*.js``; the
  result views' libraries (ECharts, vis-timeline, Cytoscape.js, from npm) are served at
  ``/static/vendor/…``. Nothing is fetched from another host: completion reads our own data
  (``/static/yasgui/prefixes.json``, the terms, the search API), never a remote vocabulary
  service.
- Progressive enhancement: without JavaScript, or before ``npm ci`` has run, the same page is a
  plain form whose answer ``/query?query=…`` is an HTML table rendered by the server.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
from pathlib import Path
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse

from kg_service.build.examples import Example, Topic, load_examples, load_topics
from kg_service.errors import BadRequest, NotFound, QuerySyntaxError
from kg_service.publish.service_description import dataset_sizes
from kg_service.publish.signposting import link_header
from kg_service.query.contract import QueryRequest, Store, select
from kg_service.query.policy import check_query
from kg_service.rdf.formats import GRAPH_FORMATS, HTML, JSON, RESULT_FORMATS
from kg_service.rdf.namespaces import (
    BASE,
    BKG,
    COMMON_PREFIXES,
    ID,
    PREFIXES,
    PROV_DERIVED,
    RDFS_LABEL,
)
from kg_service.settings import Settings
from kg_service.web import openapi
from kg_service.web.i18n import choose_language, editor_words, pick_literal
from kg_service.web.observability import note_parser_message
from kg_service.web.pages import STATIC_DIR, render
from kg_service.web.provenance import repeats_a_heading
from kg_service.web.published import landing_metadata

__all__ = [
    "VENDOR_FILES",
    "default_query",
    "capitalised",
    "document_examples",
    "example_groups",
    "permalink",
    "query_page",
    "router",
    "vendor_version",
    "yasgui_dir",
]

router = APIRouter(tags=["Pages"], default_response_class=Response)

YASGUI_BUILD = Path("node_modules/@zazuko/yasgui/build")
#: The files of the YASGUI build we serve, and their media types (nothing else is reachable).
YASGUI_FILES = {
    "yasgui.min.js": "text/javascript; charset=utf-8",
    "yasgui.min.css": "text/css; charset=utf-8",
    "yasgui.min.js.map": "application/json",
}
#: The libraries the result views load, by the name we serve them under: (file in
#: node_modules/, media type).
VENDOR_FILES = {
    "echarts.min.js": ("echarts/dist/echarts.common.min.js", "text/javascript; charset=utf-8"),
    "vis-timeline.min.js": (
        "vis-timeline/standalone/umd/vis-timeline-graph2d.min.js",
        "text/javascript; charset=utf-8",
    ),
    "vis-timeline.min.css": (
        "vis-timeline/styles/vis-timeline-graph2d.min.css",
        "text/css; charset=utf-8",
    ),
    "cytoscape.min.js": ("cytoscape/dist/cytoscape.min.js", "text/javascript; charset=utf-8"),
}
#: The largest result the HTML query page reads; past it the page offers the downloads.
PAGE_BYTES = 4 * 1024 * 1024
#: The most rows the HTML query page shows.
PAGE_ROWS = 1000
#: What the HTML query page asks the store for: JSON results, or Turtle for graphs.
PAGE_ACCEPT = "application/sparql-results+json, text/turtle"

DCT_TITLE = "http://purl.org/dc/terms/title"
DESCRIPTIONS = (
    "http://purl.org/dc/terms/description",
    "http://www.w3.org/2004/02/skos/core#definition",
)

#: What the landing page counts: classes of the ontology (their labels come from the graph).
COUNTED_CLASSES = (
    "Institution",
    "Agreement",
    "Theme",
    "Action",
    "ActionPlan",
    "WorkingGroup",
    "PoliceCooperationObjective",
    "Partnership",
    "Initiative",
    "Milestone",
    "DocumentSection",
    "ExternalSource",
)
#: Where a newcomer may start reading the graph (shown only if the graph describes them).
ENTRY_POINTS = (
    "organisation/benelux-union",
    "institution/benelux-parliament",
    "agreement/benelux-union-treaty-2008",
    "action-plan/senningen-3",
    "programme/multiannual-plan-2021-2024",
)
#: The themes card: both documents' themes and the work programme's annual plan.
THEME_LINKS = (
    "scheme/multiannual-plan-2021-2024-themes",
    "scheme/benelux-themes",
    "programme/annual-plan-2014",
)


# --- the example queries ---------------------------------------------------------------


@functools.cache
def _examples_in(queries_dir: Path) -> tuple[tuple[Example, ...], tuple[Topic, ...]]:
    """The example queries and their topics, read once per process (not on every page)."""
    examples = tuple(load_examples(queries_dir))
    return examples, tuple(load_topics(queries_dir)) if examples else ()


def _examples(request: Request) -> list[Example]:
    settings: Settings = request.app.state.settings
    return list(_examples_in(settings.project_dir / "queries")[0])


def example_groups(request: Request, lang: str) -> list[dict]:
    """The examples by topic, in the topics' order, titled in ``lang`` (empty topics left out)."""
    settings: Settings = request.app.state.settings
    examples, topics = _examples_in(settings.project_dir / "queries")
    groups = [
        {"id": t.id, "label": t.labels[lang], "examples": [e for e in examples if e.topic == t.id]}
        for t in topics
    ]
    return [g for g in groups if g["examples"]]


# --- the YASGUI editor -------------------------------------------------------------------


def prefix_block() -> str:
    """``PREFIX`` lines for every prefix of the graph."""
    width = max(len(p) for p in PREFIXES) + 1
    return "\n".join(f"PREFIX {p + ':':<{width}} <{iri}>" for p, iri in PREFIXES.items())


def default_query(lang: str) -> str:
    """The query a new tab starts with: the prefixes, then the institutions in ``lang``."""
    return (
        f"{prefix_block()}\n\n"
        "SELECT ?institution ?label WHERE {\n"
        "  ?institution a bkg:Institution ;\n"
        "    rdfs:label ?label .\n"
        f'  FILTER (lang(?label) = "{lang}")\n'
        "}\nORDER BY ?label\n"
    )


def yasgui_dir(settings: Settings) -> Path:
    """Where ``npm ci`` puts the YASGUI build (it may not exist)."""
    return settings.project_dir / YASGUI_BUILD


def _yasgui_assets(settings: Settings) -> dict[str, str] | None:
    """The URLs of YASGUI's script and stylesheet, or ``None`` when it is not installed."""
    build = yasgui_dir(settings)
    if not all((build / name).is_file() for name in ("yasgui.min.js", "yasgui.min.css")):
        return None
    version = _yasgui_version(build.parent / "package.json")
    return {
        "js": f"/static/yasgui/yasgui.min.js?v={version}",
        "css": f"/static/yasgui/yasgui.min.css?v={version}",
        "version": version,
        "assets": _editor_assets_version(),
    }


@functools.cache
def _editor_assets_version() -> str:
    """A cache key of the editor's own scripts and stylesheet (they change with the code)."""
    digest = hashlib.sha256()
    for path in sorted(STATIC_DIR.glob("editor*")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _yasgui_version(package_json: Path) -> str:
    try:
        return str(json.loads(package_json.read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError):
        return "0"


def query_page_context(request: Request) -> dict:
    """What the editor page shows: examples, prefixes, the endpoint, YASGUI if installed."""
    settings: Settings = request.app.state.settings
    lang = choose_language(request)
    examples = _examples(request)
    assets = _yasgui_assets(settings)
    vendor = vendor_version(settings)
    config = {
        "endpoint": "/sparql",
        "base": BASE,
        "lang": lang,
        "prefixes": PREFIXES,
        "prefixesUrl": "/static/yasgui/prefixes.json",
        "checkUrl": "/editor/check",
        "vendor": {name: f"/static/vendor/{name}?v={vendor}" for name in VENDOR_FILES},
        "defaultQuery": default_query(lang),
        # the reader's own tabs persist; the examples are no longer tabs of their own
        "persistenceId": "benelux-kg-editor",
        "examples": [_example_config(e, lang) for e in examples],
        "words": editor_words(lang),
    }
    return {
        "ew": editor_words(lang),
        "examples": examples,
        "example_groups": example_groups(request, lang),
        "yasgui": assets,
        "endpoint": _site(request) + "/sparql",
        "union": settings.union_default_graph,
        "default_query": default_query(lang),
        "config": config,
    }


def _example_config(example: Example, lang: str) -> dict:
    """What the editor needs of an example, in the reader's language."""
    return {
        "id": example.id,
        "title": example.title(lang),
        "comment": example.comment(lang),
        "keywords": list(example.keywords[lang]),
        "topic": example.topic,
        "view": example.view,
        "query": example.query,
    }


def _site(request: Request) -> str:
    """This deployment's address: ``settings.base_url``, else the request's (no final ``/``)."""
    return (request.app.state.settings.base_url or str(request.base_url)).rstrip("/")


def query_page(request: Request, template: str = "query.html") -> Response:
    """The editor page (what a browser gets from ``GET /sparql``)."""
    return render(request, template, **query_page_context(request))


@router.api_route(
    "/static/yasgui/prefixes.json",
    methods=["GET", "HEAD"],
    operation_id="yasgui_prefixes",
    summary="The graph's prefixes (for the editor's autocompleter)",
    responses={
        "200": openapi.ok(
            "prefix → namespace",
            {
                JSON.media_type: {
                    "schema": openapi.component(
                        "Prefixes", {"type": "object", "additionalProperties": openapi.STRING}
                    )
                }
            },
        )
    },
)
async def yasgui_prefixes() -> Response:
    """Our prefixes and the common ones, for YASQE's prefix completion (prefix.cc's shape)."""
    known = {**COMMON_PREFIXES, **PREFIXES}
    return JSONResponse(known, headers={"Cache-Control": "public, max-age=3600"})


@router.api_route(
    "/static/yasgui/{name}",
    methods=["GET", "HEAD"],
    operation_id="yasgui_asset",
    summary="A file of the YASGUI build (installed by make setup)",
    responses={
        **openapi.file_responses(tuple(YASGUI_FILES.values())),
        "400": openapi.range_error(),
        **openapi.errors(404),
    },
    openapi_extra=openapi.inputs(*openapi.RANGED),
)
async def yasgui_asset(
    request: Request,
    name: Annotated[
        str,
        PathParam(
            description="A file of the YASGUI build (another name, or none installed: 404)",
            json_schema_extra={"enum": sorted(YASGUI_FILES)},
        ),
    ],
) -> Response:
    """A file of the YASGUI build in ``node_modules/`` (installed by ``make setup``)."""
    if name not in YASGUI_FILES:
        raise NotFound(f"/static/yasgui/{name} is not a file of the YASGUI build.")
    path = yasgui_dir(request.app.state.settings) / name
    if not path.is_file():
        raise NotFound(
            "The YASGUI editor is not installed: run 'make setup' (npm ci) in the checkout."
        )
    headers = {"Cache-Control": "public, max-age=86400"}
    return FileResponse(path, media_type=YASGUI_FILES[name], headers=headers)


def vendor_version(settings: Settings) -> str:
    """A cache key that changes when ``npm ci`` installs other versions of the libraries."""
    stamps = []
    for relative, _ in VENDOR_FILES.values():
        path = settings.project_dir / "node_modules" / relative
        stamps.append(str(int(path.stat().st_mtime)) if path.is_file() else "0")
    return hashlib.sha256(" ".join(stamps).encode()).hexdigest()[:10]


@router.api_route(
    "/static/vendor/{name}",
    methods=["GET", "HEAD"],
    operation_id="vendor_asset",
    summary="A library of the editor's result views (installed by make setup)",
    responses={
        **openapi.file_responses(tuple(sorted({m for _, m in VENDOR_FILES.values()}))),
        "400": openapi.range_error(),
        **openapi.errors(404),
    },
    openapi_extra=openapi.inputs(*openapi.RANGED),
)
async def vendor_asset(
    request: Request,
    name: Annotated[
        str,
        PathParam(
            description="A library of the editor (another name, or none installed: 404).",
            json_schema_extra={"enum": sorted(VENDOR_FILES)},
        ),
    ],
) -> Response:
    """A library of the result views, from ``node_modules/`` (installed by ``make setup``)."""
    if name not in VENDOR_FILES:
        raise NotFound(f"/static/vendor/{name} is not a library of the editor.")
    relative, media_type = VENDOR_FILES[name]
    path = request.app.state.settings.project_dir / "node_modules" / relative
    if not path.is_file():
        raise NotFound(
            "The editor's libraries are not installed: run 'make setup' (npm ci) in the checkout."
        )
    headers = {"Cache-Control": "public, max-age=86400"}
    return FileResponse(path, media_type=media_type, headers=headers)


# --- the plain-HTML query page ----------------------------------------------------------


@router.get(
    "/query",
    operation_id="query_results",
    summary="A query's result as an HTML table (the editor without JavaScript)",
    responses={
        "200": openapi.ok("The result page.", openapi.content(HTML.media_type)),
        "303": openapi.ok("No query: go to the editor.", Location=openapi.header("/sparql", True)),
        **openapi.errors(400, 404, *openapi.STORE),
    },
    openapi_extra=openapi.inputs(
        openapi.query_param(
            "query", {"type": "string", "examples": [openapi.EXAMPLE_SELECT]}, "A query."
        ),
        # its examples are this deployment's queries/: see document_examples
        openapi.query_param("example", {"type": "string"}, "A query of queries/ (404)."),
        openapi.LANG,
    ),
)
async def query_results(request: Request) -> Response:
    """Run ``?query=`` (or the example ``?example=``) and show the result as an HTML page."""
    text, example = _requested_query(request)
    if text is None:
        return RedirectResponse("/sparql", status_code=303)
    context: dict = {"query": text, "example": example, "error": None, "result": None}
    status = 200
    try:
        context["result"] = await _run(request, text)
    except BadRequest as exc:
        context["error"], status = exc.message, exc.status
        if isinstance(exc, QuerySyntaxError) and exc.parser_message:
            note_parser_message(request.scope, exc.parser_message)
    result = context["result"]
    view = example.view if example else "table"
    lang = choose_language(request)
    context.update(_links(text, result["kind"] if result else None, view, lang))
    return render(request, "query_results.html", status=status, **context)


def document_examples(schema: dict, settings: Settings) -> None:
    """The OpenAPI document's ``/query?example=`` values: the example queries of ``settings``
    (a deployment's own, so not known when the route is declared)."""
    examples, _topics = _examples_in(settings.project_dir / "queries")
    ids = [e.id for e in examples]
    for parameter in schema["paths"]["/query"]["get"]["parameters"]:
        if parameter["name"] == "example":
            parameter["schema"]["examples"] = ids


def _requested_query(request: Request) -> tuple[str | None, Example | None]:
    params = request.query_params
    if len(params.getlist("query")) > 1:
        raise BadRequest("Give exactly one 'query' parameter.")
    name = params.get("example")
    if name is not None:
        found = [e for e in _examples(request) if e.id == name]
        if not found:
            raise NotFound(f"There is no example query {name!r} in queries/.")
        return found[0].query, found[0]
    text = params.get("query")
    return (text if text and text.strip() else None), None


async def _run(request: Request, text: str) -> dict:
    """The result of ``text``, ready for the page: rows, a boolean or Turtle."""
    settings: Settings = request.app.state.settings
    check_query(text, settings)
    req = QueryRequest(text, accept=PAGE_ACCEPT, base_iri=_site(request) + "/sparql")
    result = await request.app.state.store.query(req)
    try:
        data = await _read_capped(result.body, PAGE_BYTES)
    finally:
        await result.close()
    if data is None:
        return {"kind": result.kind, "too_large": True}
    if result.kind == "graph":
        return {"kind": "graph", "text": data.decode("utf-8")}
    doc = json.loads(data)
    if "boolean" in doc:
        return {"kind": "boolean", "value": bool(doc["boolean"])}
    return _solutions(doc)


async def _read_capped(body, limit: int) -> bytes | None:  # type: ignore[no-untyped-def]
    """All of ``body``, or ``None`` as soon as it passes ``limit`` bytes."""
    chunks, size = [], 0
    async for chunk in body:
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _solutions(doc: dict) -> dict:
    names = doc["head"].get("vars", [])
    bindings = doc["results"]["bindings"]
    rows = [[_cell(b.get(v)) for v in names] for b in bindings[:PAGE_ROWS]]
    return {"kind": "solutions", "vars": names, "rows": rows, "count": len(bindings)}


def _cell(term: dict | None) -> dict | None:
    """One term of a result row, for the page."""
    if term is None:
        return None
    value = term["value"]
    if term["type"] == "uri":
        return {"text": shorten(value), "href": _local_path(value) or value, "iri": value}
    if term["type"] == "bnode":
        return {"text": "_:" + value}
    datatype = term.get("datatype")
    return {"text": value, "lang": term.get("xml:lang"), "datatype": datatype and shorten(datatype)}


def shorten(iri: str) -> str:
    """``prefix:local`` for an IRI in one of the graph's namespaces (for reading, as YASR shows
    them: the local part may hold a ``/``), else the IRI."""
    best = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(PREFIXES.get(best, "")):
            best = prefix
    if not best:
        return iri
    local = iri[len(PREFIXES[best]) :]
    return f"{best}:{local}" if local else iri


def _local_path(iri: str) -> str | None:
    return (
        "/" + iri[len(BASE) :] if iri.startswith(BASE + "id/") or iri.startswith(str(BKG)) else None
    )


FORMAT_NAMES = {
    "json": "JSON",
    "xml": "XML",
    "csv": "CSV",
    "tsv": "TSV",
    "turtle": "Turtle",
    "ntriples": "N-Triples",
    "jsonld": "JSON-LD",
    "rdfxml": "RDF/XML",
}


def _links(text: str, kind: str | None, view: str, lang: str) -> dict:
    """The editor's permalink of a query, and links to its result in every format of its kind."""
    formats = GRAPH_FORMATS if kind == "graph" else RESULT_FORMATS if kind else ()
    downloads = [
        (
            FORMAT_NAMES.get(f.name, f.name),
            "/sparql?" + urlencode({"query": text, "format": f.name}),
        )
        for f in formats
    ]
    return {"downloads": downloads, "editor": permalink(text, view, lang)}


#: What JavaScript's encodeURIComponent leaves as it is (the editor makes the same links).
_UNRESERVED = "!'()*-._~"


def permalink(text: str, view: str, lang: str) -> str:
    """The editor opened on ``text``, shown in ``view``, in ``lang`` (editor-share.js makes
    the same link)."""
    query = quote(text, safe=_UNRESERVED)
    return f"/sparql?lang={lang}#query={query}&outputFormat={quote(view, safe=_UNRESERVED)}"


# --- the landing page -------------------------------------------------------------------


@router.api_route(
    "/",
    methods=["GET", "HEAD"],
    operation_id="landing",
    summary="The landing page (with a schema.org Dataset in JSON-LD)",
    responses={
        "200": openapi.ok(
            "The page.",
            openapi.content(HTML.media_type),
            Link="FAIR Signposting: cite-as (the dataset's IRI), describedby (catalogue, VoID), "
            "item (each dump), license, type",
        ),
        **openapi.errors(*openapi.STORE),
    },
    openapi_extra=openapi.inputs(openapi.LANG),
)
async def landing(request: Request) -> Response:
    """What the graph is and holds, where to go from here, in the reader's language."""
    lang = choose_language(request)
    store: Store = request.app.state.store
    derived = request.app.state.derived
    sizes, counts, entries, themes, sources, (signposts, dataset) = await asyncio.gather(
        derived.get("dataset-sizes", lambda: dataset_sizes(store)),
        _class_counts(store, lang),
        _described(store, [str(ID[p]) for p in ENTRY_POINTS], lang),
        _described(store, [str(ID[p]) for p in THEME_LINKS], lang),
        _sources(store, lang),
        landing_metadata(request),
    )
    inferred = sum(n for g, n in sizes.named.items() if g.endswith("/graph/inferred"))
    context = {
        "triples": number(sizes.default, lang),
        "inferred": number(inferred, lang),
        "graphs": len(sizes.named),
        "counts": counts,
        "entries": entries,
        "themes": themes,
        "sources": sources,
        "examples": _examples(request)[:6],
        "signposts": signposts,
        "dataset": dataset,
    }
    response = render(request, "index.html", **context)
    response.headers["Link"] = link_header(signposts)  # FAIR Signposting, level 1
    return response


def number(n: int, lang: str) -> str:
    """``n`` with the thousands separator of ``lang`` (2,889 · 2.889 · 2\u202f889)."""
    grouped = f"{n:,}"
    return grouped.replace(",", {"fr": "\u202f", "nl": "."}.get(lang, ","))


class _Text(str):
    """A literal that remembers its language tag (what :func:`pick_literal` looks at)."""

    language: str | None

    def __new__(cls, term: dict) -> _Text:
        obj = super().__new__(cls, term["value"])
        obj.language = term.get("xml:lang")
        return obj


async def _class_counts(store: Store, lang: str) -> list[dict]:
    """Each counted class with its label and number of instances (asserted or inferred)."""
    values = " ".join(f"<{BKG[name]}>" for name in COUNTED_CLASSES)
    rows = await select(
        store,
        f"""SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  VALUES ?class {{ {values} }}
  OPTIONAL {{ GRAPH ?g {{ ?s a ?class }} }}
}} GROUP BY ?class""",
    )
    numbers = {r["class"]["value"]: int(r["n"]["value"]) for r in rows}
    labels = await _labels(store, list(numbers))
    return [
        {
            "iri": str(BKG[name]),
            "href": f"/browse/{name}",
            "label": capitalised(pick_literal(labels.get(str(BKG[name]), []), lang) or name),
            "count": numbers.get(str(BKG[name]), 0),
        }
        for name in COUNTED_CLASSES
    ]


def capitalised(text: str) -> str:
    """``text`` with its first letter upper-case (a label at the head of a line)."""
    return text[:1].upper() + text[1:]


async def _labels(store: Store, iris: list[str]) -> dict[str, list[_Text]]:
    if not iris:
        return {}
    values = " ".join(f"<{iri}>" for iri in iris)
    rows = await select(
        store,
        f"""SELECT DISTINCT ?x ?l WHERE {{
  VALUES ?x {{ {values} }} GRAPH ?g {{ ?x <{RDFS_LABEL}> ?l }}
}}""",
    )
    out: dict[str, list[_Text]] = {}
    for row in rows:
        out.setdefault(row["x"]["value"], []).append(_Text(row["l"]))
    return out


async def _described(store: Store, iris: list[str], lang: str) -> list[dict]:
    """Resources with their label and description in ``lang``, in the order given."""
    if not iris:
        return []
    values = " ".join(f"<{iri}>" for iri in iris)
    props = " ".join(f"<{p}>" for p in DESCRIPTIONS)
    # with the headings of the sources that state each description: a slide's heading copied
    # as a description is left out, as on the entity pages
    rows = await select(
        store,
        f"""SELECT DISTINCT ?x ?d ?heading WHERE {{
  VALUES ?x {{ {values} }} VALUES ?p {{ {props} }} GRAPH ?g {{ ?x ?p ?d }}
  OPTIONAL {{ ?g <{PROV_DERIVED}> ?source .
             ?source <{DCT_TITLE}>|<{RDFS_LABEL}> ?heading }}
}}""",
    )
    terms: dict[tuple[str, str], dict] = {}
    headings: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        key = (row["x"]["value"], row["d"]["value"])
        terms[key] = row["d"]
        found = headings.setdefault(key, [])
        if "heading" in row:
            found.append(row["heading"]["value"])
    descriptions: dict[str, list[_Text]] = {}
    for (iri, text), term in terms.items():
        if not repeats_a_heading(text, headings[(iri, text)]):
            descriptions.setdefault(iri, []).append(_Text(term))
    labels = await _labels(store, iris)
    return [
        {
            "iri": iri,
            "href": _local_path(iri) or iri,
            "label": pick_literal(labels[iri], lang),
            "description": pick_literal(descriptions.get(iri, []), lang),
        }
        for iri in iris
        if iri in labels
    ]


async def _sources(store: Store, lang: str) -> list[dict]:
    """The source documents the graph was made from."""
    rows = await select(
        store,
        f"SELECT DISTINCT ?d WHERE {{ GRAPH ?g {{ ?d a <{BKG.SourceDocument}> }} }} ORDER BY ?d",
    )
    return await _described(store, [r["d"]["value"] for r in rows], lang)
