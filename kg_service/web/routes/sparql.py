"""The SPARQL 1.1 Protocol at ``/sparql``: request → :class:`QueryRequest` → store → response.

Query via ``GET ?query=``, ``POST`` form (``application/x-www-form-urlencoded``) or ``POST``
``application/sparql-query``; ``default-graph-uri`` / ``named-graph-uri`` set the dataset.
The response format is chosen after the query, from the result kind and ``Accept`` (or a
``format=`` parameter).
"""

from __future__ import annotations

import codecs
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask
from starlette.datastructures import URL
from starlette.requests import ClientDisconnect
from starlette.types import Receive, Scope

from kg_service.errors import BadRequest, NotAcceptable, PayloadTooLarge, UnsupportedMediaType
from kg_service.publish.service_description import dataset_sizes, describe_service
from kg_service.query.contract import QueryRequest, QueryResult
from kg_service.query.lexer import operations
from kg_service.query.policy import check_update, without_silent_loads
from kg_service.rdf.formats import GRAPH_FORMATS, HTML, RESULT_FORMATS
from kg_service.rdf.negotiation import choose
from kg_service.web import openapi
from kg_service.web.auth import WRITER
from kg_service.web.routes.ui import query_page

__all__ = [
    "endpoint_url",
    "endpoint_url_of",
    "form_pairs",
    "parse_query_request",
    "parse_update_request",
    "read_body",
    "receive_body",
    "result_response",
    "router",
]

router = APIRouter()

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing more than ``limit`` bytes without reading them all."""
    return await receive_body(request.headers.get("content-length"), request.receive, limit)


async def receive_body(declared: bytes | str | None, receive: Receive, limit: int) -> bytes:
    """The body of an ASGI request whose ``Content-Length`` header is ``declared``; 413 over
    ``limit`` bytes (declared or counted), without reading the rest."""
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"The request body is over the limit of {limit} bytes.")
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"The request body is over the limit of {limit} bytes.")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _decode(raw: bytes, what: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"The {what} is not valid UTF-8 (byte {exc.start}).") from None


def form_pairs(raw: bytes, what: str) -> list[tuple[str, str]]:
    """``application/x-www-form-urlencoded`` pairs, as ``parse_qsl(keep_blank_values=True)``.

    Well-formed input (every ``%`` followed by two hex digits, UTF-8 throughout) is decoded
    by the C codec ``escape_decode``: measured, ``parse_qsl`` spends ~15 µs on a point
    lookup's form, 7% of the whole request, where this takes 1 µs. Anything else takes
    ``parse_qsl``'s path, so odd input is decoded exactly as before.
    """
    try:
        return [_fast_pair(part) for part in raw.split(b"&") if part]
    except ValueError:  # a stray '%', or not UTF-8 (UnicodeDecodeError is a ValueError)
        return parse_qsl(_decode(raw, what), keep_blank_values=True)


def _fast_pair(part: bytes) -> tuple[str, str]:
    name, _, value = part.replace(b"+", b" ").partition(b"=")
    return _unquote(name), _unquote(value)


def _unquote(raw: bytes) -> str:
    if b"%" not in raw:
        return raw.decode("utf-8")
    # every original backslash doubled, so the only escapes left are the '\xHH' made here
    escaped = raw.replace(b"\\", b"\\\\").replace(b"%", b"\\x")
    return codecs.escape_decode(escaped)[0].decode("utf-8")


def _params(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for key, value in pairs:
        params.setdefault(key, []).append(value)
    return params


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise BadRequest(f"Give exactly one '{name}' parameter; {len(values)} were given.")
    return values[0] if values else None


def parse_query_request(
    method: str,
    content_type: str,
    url_query: bytes,
    body: bytes,
    accept: str | None,
    base_iri: str | None = None,
) -> QueryRequest | None:
    """The protocol's three query operations as one request; ``None`` when there is no query.

    ``base_iri``: the endpoint's URL, against which the query's relative IRIs resolve.
    """
    url_params = _params(form_pairs(url_query, "query string"))
    media = content_type.split(";", 1)[0].strip().lower()
    if method == "GET":
        params, query = url_params, _one(url_params, "query")
    elif media == FORM:
        form = form_pairs(body, "form body")
        params = _params(form)
        for key in ("default-graph-uri", "named-graph-uri", "format"):
            params.setdefault(key, url_params.get(key, []))
        query = _one(params, "query")
        if "update" in params:
            raise BadRequest("This is the query endpoint; send updates to /update.")
        if query is None:
            raise BadRequest("The form has no 'query' field.")
    elif media == DIRECT:
        params, query = url_params, _decode(body, "query")
    elif not media:
        raise UnsupportedMediaType(f"A POST query needs a Content-Type: {FORM} or {DIRECT}.")
    else:
        raise UnsupportedMediaType(
            f"Content-Type {media!r} is not a SPARQL query; use {FORM} or {DIRECT}."
        )
    if query is None:
        return None
    return QueryRequest(
        query=query,
        default_graphs=tuple(params.get("default-graph-uri", [])),
        named_graphs=tuple(params.get("named-graph-uri", [])),
        accept=accept,
        format=_one(params, "format"),
        base_iri=base_iri,
    )


# the whole path's operations: queries are answered in front of FastAPI (web/query_path.py),
# requests without one by this route
@router.api_route(
    "/sparql",
    methods=["GET", "HEAD"],
    operation_id="sparql",
    tags=["SPARQL"],
    response_class=Response,
    summary="SPARQL query by GET, or the service description",
    responses={
        "200": openapi.ok(
            "SELECT/ASK results, a CONSTRUCT/DESCRIBE graph, the service description (RDF) or "
            "the query editor page (text/html), as Accept or format= asks.",
            openapi.content(*openapi.media(RESULT_FORMATS + GRAPH_FORMATS), HTML.media_type),
            Vary="Accept",
        ),
        **openapi.errors(*openapi.NEGOTIATED, *openapi.STORE),
    },
    openapi_extra=openapi.inputs(
        openapi.query_param(
            "query",
            {
                "type": "string",
                "examples": [
                    openapi.EXAMPLE_SELECT,
                    "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 5",
                    "ASK {}",
                ],
            },
            "A SPARQL 1.1 query; without it, the service description (a page for browsers).",
        ),
        *openapi.DATASET,
        openapi.format_param(RESULT_FORMATS + GRAPH_FORMATS),
        openapi.LANG,
    ),
)
@router.post(
    "/sparql",
    operation_id="sparql",
    tags=["SPARQL"],
    response_class=Response,
    summary="SPARQL query by POST (form or application/sparql-query)",
    responses={
        "200": openapi.ok(
            "The query's result, as Accept or format= asks.",
            openapi.content(*openapi.media(RESULT_FORMATS + GRAPH_FORMATS)),
        ),
        **openapi.errors(*openapi.NEGOTIATED, 413, 415, *openapi.STORE),
    },
    openapi_extra=openapi.inputs(
        *openapi.DATASET,
        openapi.format_param(RESULT_FORMATS + GRAPH_FORMATS),
        body={
            "required": True,
            "content": {
                FORM: {
                    "schema": {
                        "type": "object",
                        "required": ["query"],
                        "properties": {
                            "query": openapi.STRING,
                            "default-graph-uri": openapi.STRINGS,
                            "named-graph-uri": openapi.STRINGS,
                            "format": openapi.format_param(RESULT_FORMATS + GRAPH_FORMATS)[
                                "schema"
                            ],
                        },
                    },
                    "encoding": {
                        "default-graph-uri": openapi.REPEATED,
                        "named-graph-uri": openapi.REPEATED,
                    },
                    "examples": {"select": {"value": {"query": openapi.EXAMPLE_SELECT}}},
                },
                DIRECT: {
                    "schema": {"type": "string", "examples": [openapi.EXAMPLE_SELECT, "ASK {}"]}
                },
            },
        },
    ),
)
async def sparql(request: Request) -> Response:
    """Describe the service (or show the editor): a request without a query.

    Queries never get here: :class:`kg_service.query_path.QueryPath` answers them first.
    """
    return await _describe(request)


def result_response(result: QueryResult) -> Response:
    """The HTTP response for a query result: whole when small, streamed when large.

    For HEAD the server sends the headers only (with the real Content-Length).
    """
    headers = {"Content-Type": result.format.content_type, "Vary": "Accept"}
    if result.data is not None:
        return Response(result.data, headers=headers)
    # the background task frees the worker even when the client leaves before the first chunk
    return StreamingResponse(result.body, headers=headers, background=BackgroundTask(result.close))


UPDATE_DIRECT = "application/sparql-update"


def parse_update_request(content_type: str, url_query: bytes, body: bytes) -> str:
    """The update of a POST: a form ``update=`` field or an ``application/sparql-update`` body."""
    media = content_type.split(";", 1)[0].strip().lower()
    url_params = _params(form_pairs(url_query, "query string"))
    if media == FORM:
        params = _params(form_pairs(body, "form body"))
        if "query" in params:
            raise BadRequest("This is the update endpoint; send queries to /sparql.")
        text = _one(params, "update")
        if text is None:
            raise BadRequest("The form has no 'update' field.")
    elif media == UPDATE_DIRECT:
        params, text = url_params, _decode(body, "update")
    else:
        raise UnsupportedMediaType(
            f"An update needs a Content-Type: {FORM} or {UPDATE_DIRECT}"
            + (f", not {media!r}." if media else ".")
        )
    if params.get("using-graph-uri") or params.get("using-named-graph-uri"):
        raise BadRequest(
            "using-graph-uri / using-named-graph-uri are not supported; write USING in the update."
        )
    return text


@router.post(
    "/update",
    operation_id="update",
    tags=["SPARQL"],
    status_code=204,
    response_class=Response,
    dependencies=[WRITER],
    summary="SPARQL 1.1 Update, applied atomically (needs the update token)",
    responses={
        "204": openapi.ok("The update was applied."),
        **openapi.errors(400, 401, 403, 413, 415, *openapi.STORE),
    },
    openapi_extra=openapi.inputs(
        openapi.graphs_param("using-graph-uri", "Not supported (400): write USING in the update."),
        openapi.graphs_param("using-named-graph-uri", "Not supported (400)."),
        body={
            "required": True,
            "content": {
                FORM: {
                    "schema": {
                        "type": "object",
                        "required": ["update"],
                        "properties": {
                            "update": openapi.STRING,
                            "using-graph-uri": openapi.STRINGS,
                            "using-named-graph-uri": openapi.STRINGS,
                        },
                    }
                },
                UPDATE_DIRECT: {
                    "schema": {
                        "type": "string",
                        "examples": [
                            "INSERT DATA { GRAPH <http://example.org/g> "
                            "{ <urn:a> <urn:b> <urn:c> } }"
                        ],
                    }
                },
            },
        },
    ),
)
async def update(request: Request) -> Response:
    """Apply a SPARQL 1.1 Update atomically (needs the update token)."""
    settings = request.app.state.settings
    body = await read_body(request, settings.max_body_bytes)
    text = parse_update_request(
        request.headers.get("content-type", ""),
        request.url.query.encode("latin-1", "replace"),
        body,
    )
    found = check_update(text, settings)
    if "LOAD" in found.keywords:
        text = without_silent_loads(text, settings)
        empty = not any(op.body for op in operations(text))
    else:
        empty = found.keywords <= {"PREFIX", "BASE"}
    if empty:  # valid, and changes nothing
        return Response(status_code=204)
    await request.app.state.store.update(text, endpoint_url(request))
    return Response(status_code=204)


async def _describe(request: Request) -> Response:
    """The service description, or a page for a browser."""
    accept = request.headers.get("accept")
    if wants_html(accept):
        return query_page(request, QUERY_PAGE)
    fmt = choose(accept, GRAPH_FORMATS, request.query_params.get("format"))
    settings, store = request.app.state.settings, request.app.state.store
    sizes = await request.app.state.derived.get("dataset-sizes", lambda: dataset_sizes(store))
    endpoint = endpoint_url(request)
    updates = endpoint.rsplit("/", 1)[0] + "/update" if settings.writes_enabled else None
    graph = describe_service(
        endpoint, sizes, union=settings.union_default_graph, update_endpoint=updates
    )
    body = (
        graph.serialize(format=fmt.rdflib, auto_compact=True)
        if fmt.name == "jsonld"
        else (graph.serialize(format=fmt.rdflib))
    )
    return Response(body, headers={"Content-Type": fmt.content_type, "Vary": "Accept"})


def endpoint_url(request: Request) -> str:
    """The URL of the endpoint itself (no query string): the base IRI of relative IRIs."""
    return endpoint_url_of(request.scope)


def endpoint_url_of(scope: Scope) -> str:
    """:func:`endpoint_url` from the ASGI scope (no request object needed).

    Remembered per (scheme, server, host, root path, path): Starlette's ``URL`` costs, measured,
    several times a point lookup, and the answer only depends on those.
    """
    host = next((v for k, v in scope["headers"] if k == b"host"), None)
    key = (scope["scheme"], scope.get("server"), host, scope.get("root_path"), scope["path"])
    found = _ENDPOINTS.get(key)
    if found is None:
        found = str(URL(scope=scope).replace(query="", fragment=""))
        if len(_ENDPOINTS) > 256:
            _ENDPOINTS.clear()
        _ENDPOINTS[key] = found
    return found


_ENDPOINTS: dict[tuple, str] = {}


def wants_html(accept: str | None) -> bool:
    """True when a browser asks: text/html preferred over every RDF and results format."""
    if not accept or "html" not in accept:
        return False
    try:
        return choose(accept, (HTML, *GRAPH_FORMATS)) is HTML
    except NotAcceptable:  # e.g. "text/html;q=0": not a browser page then
        return False


#: The page a browser gets from ``GET /sparql``: the YASGUI editor (kg_service/ui.py).
QUERY_PAGE = "query.html"
