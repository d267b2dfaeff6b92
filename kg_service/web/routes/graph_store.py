"""The SPARQL 1.1 Graph Store HTTP Protocol at ``/store`` (``?default`` or ``?graph=IRI``).

``?default`` is the *stored* default graph, the one updates without ``GRAPH`` write: what a
``PUT`` stores a ``GET`` returns, even when queries read the union (:mod:`kg_service.query.union`).
The inferred graph is derived from the build: writing it is a ``409``.

Reads (GET, HEAD) are open; writes (PUT, POST, DELETE) need the update token. Reads run as
CONSTRUCT queries through the worker pool (so they obey the timeout and stream); writes are
turned into one atomic SPARQL update, the body parsed by pyoxigraph (which never fetches a
remote JSON-LD context nor expands external XML entities).
"""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response

from kg_service.errors import (
    BadRequest,
    Conflict,
    KGError,
    NotFound,
    RDFSyntaxError,
    RefusedOperation,
    UnsupportedMediaType,
)
from kg_service.query.contract import QueryRequest
from kg_service.query.union import INTERNAL, is_internal
from kg_service.rdf.formats import GRAPH_FORMATS, by_media_type
from kg_service.rdf.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH
from kg_service.web import openapi
from kg_service.web.auth import WRITER
from kg_service.web.routes.sparql import read_body, result_response

__all__ = ["router"]

router = APIRouter(tags=["Graph Store"], default_response_class=Response)


def _target_params(*examples: str) -> tuple[dict, ...]:
    """``?graph=IRI`` or ``?default``: the graph a request names (:func:`_target`)."""
    return (
        openapi.query_param(
            "graph",
            {"type": "string", "examples": list(examples)},
            "The graph's absolute IRI. Give exactly one of graph and default (else 400).",
        ),
        openapi.query_param(
            "default",
            {"type": "string"},
            "Present (with any value, usually none): the default graph.",
            allowEmptyValue=True,
        ),
    )


def _rdf_body() -> dict:
    """Every media type a write parses (:func:`_payload`)."""
    types = [m for f in GRAPH_FORMATS for m in (f.media_type, *f.aliases) if "/" in m]
    example = "<urn:a> <urn:b> <urn:c> ."
    body = {m: {"schema": {"type": "string", "examples": [example]}} for m in types}
    body["application/ld+json"] = {"schema": openapi.ref("JsonLd")}
    return {"required": True, "content": body}


#: What PUT and POST answer.
WRITTEN = {
    "201": openapi.ok("The graph did not exist and was created."),
    "204": openapi.ok("The graph was replaced (PUT) or added to (POST)."),
    **openapi.errors(400, 401, 403, 413, 415, *openapi.STORE),
}
#: What the PUT and POST decorators share (their summaries differ); writes name a scratch graph.
WRITE = {
    "operation_id": "store",
    "status_code": 204,  # the usual answer; 201 when the graph is new
    "dependencies": [WRITER],
    "responses": WRITTEN,
    "openapi_extra": openapi.inputs(*_target_params("http://example.org/g"), body=_rdf_body()),
}


def _target(request: Request) -> str | None:
    """The graph IRI, or ``None`` for the default graph."""
    params = request.query_params
    graphs = params.getlist("graph")
    if ("default" in params) == bool(graphs) or len(graphs) > 1:
        raise BadRequest("Name exactly one graph: '?default' or '?graph=<IRI>'.")
    if not graphs:
        return None
    try:
        graph = ox.NamedNode(graphs[0]).value
    except ValueError:
        raise BadRequest(f"?graph is not an absolute IRI: {graphs[0][:100]!r}") from None
    if is_internal(graph):
        raise RefusedOperation(f"Graphs under {INTERNAL} are this service's own; name another.")
    return graph


async def _exists(request: Request, graph: str) -> bool:
    store = request.app.state.store
    result = await store.query(
        QueryRequest(f"ASK {{ GRAPH <{graph}> {{ }} }}", accept="application/sparql-results+json")
    )
    body = b"".join([chunk async for chunk in result.body])
    return b"true" in body


@router.api_route(
    "/store",
    methods=["GET", "HEAD"],
    operation_id="store",
    summary="Graph Store Protocol: read a graph",
    responses={
        "200": openapi.ok(
            "The graph, as Accept or format= asks.",
            openapi.content(*openapi.media(GRAPH_FORMATS)),
        ),
        **openapi.errors(*openapi.NEGOTIATED, 404, *openapi.STORE),
    },
    openapi_extra=openapi.inputs(
        *_target_params(str(ONTOLOGY_GRAPH)), openapi.format_param(GRAPH_FORMATS)
    ),
)
async def read(request: Request) -> Response:
    """A graph of the store, in the negotiated RDF format."""
    graph = _target(request)
    if graph is not None and not await _exists(request, graph):
        raise NotFound(f"There is no graph <{graph}> in this store.")
    where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    query = QueryRequest(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }}",
        accept=request.headers.get("accept"),
        format=request.query_params.get("format"),
        stored_default=graph is None,
    )
    result = await request.app.state.store.query(query)
    if request.method == "HEAD":
        async for _ in result.body:
            pass
    return result_response(result)


async def _payload(request: Request) -> str:
    """The request's RDF body as N-Triples text, parsed in a worker process (never here)."""
    ctype = request.headers.get("content-type", "")
    fmt = by_media_type(ctype, GRAPH_FORMATS)
    if fmt is None:
        known = ", ".join(f.media_type for f in GRAPH_FORMATS)
        raise UnsupportedMediaType(
            f"Cannot read {ctype or 'a body without Content-Type'}; send one of: {known}."
        )
    body = await read_body(request, request.app.state.settings.max_body_bytes)
    pool = request.app.state.validator.pool
    try:
        return await pool.call("kg_service.rdf.io:to_ntriples", body, fmt.name, str(request.url))
    except KGError as exc:
        if type(exc) is not KGError:  # a 4xx the parser raised on purpose
            raise
        raise RDFSyntaxError(f"The {fmt.name} body could not be parsed: {exc.message}") from None


def _writable_target(request: Request) -> str | None:
    """The graph to write (``None``: the stored default graph); never the inferred graph."""
    graph = _target(request)
    if graph == str(INFERRED_GRAPH):
        raise Conflict(
            f"The graph <{graph}> holds what the build inferred; it is derived, not written. "
            "Change the asserted graphs and rebuild."
        )
    return graph


@router.put("/store", summary="Graph Store Protocol: replace a graph", **WRITE)
@router.post("/store", summary="Graph Store Protocol: add to a graph", **WRITE)
async def write(request: Request) -> Response:
    """PUT replaces the graph, POST adds to it; 201 when the graph is new, else 204."""
    graph = _writable_target(request)
    existed = graph is None or await _exists(request, graph)
    data = await _payload(request)
    replace = request.method == "PUT"
    await request.app.state.store.write_graph(graph, data, replace)
    return Response(status_code=204 if existed else 201)


@router.delete(
    "/store",
    operation_id="store",
    status_code=204,
    dependencies=[WRITER],
    summary="Graph Store Protocol: delete a graph (empty the default graph)",
    responses={
        "204": openapi.ok("The graph was removed."),
        **openapi.errors(400, 401, 403, 404, *openapi.STORE),
    },
    openapi_extra=openapi.inputs(*_target_params("http://example.org/g")),
)
async def delete(request: Request) -> Response:
    """Remove the graph (empty the default graph); 404 if there is no such graph."""
    graph = _writable_target(request)
    if graph is not None and not await _exists(request, graph):
        raise NotFound(f"There is no graph <{graph}> in this store.")
    await request.app.state.store.update(
        "DROP DEFAULT" if graph is None else f"DROP GRAPH <{graph}>"
    )
    return Response(status_code=204)
