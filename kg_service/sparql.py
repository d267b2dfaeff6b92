"""The SPARQL 1.1 Protocol at ``/sparql``: request → :class:`QueryRequest` → store → response.

Query via ``GET ?query=``, ``POST`` form (``application/x-www-form-urlencoded``) or ``POST``
``application/sparql-query``; ``default-graph-uri`` / ``named-graph-uri`` set the dataset.
The response format is chosen after the query, from the result kind and ``Accept`` (or a
``format=`` parameter).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from .errors import BadRequest, PayloadTooLarge, UnsupportedMediaType
from .store import QueryRequest

__all__ = ["router", "parse_query_request", "read_body"]

router = APIRouter()

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing more than ``limit`` bytes without reading them all."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"The request body is over the limit of {limit} bytes.")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"The request body is over the limit of {limit} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)


def _decode(raw: bytes, what: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"The {what} is not valid UTF-8 (byte {exc.start}).") from None


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
    method: str, content_type: str, url_query: bytes, body: bytes, accept: str | None
) -> QueryRequest | None:
    """The protocol's three query operations as one request; ``None`` when there is no query."""
    url_params = _params(parse_qsl(_decode(url_query, "query string"), keep_blank_values=True))
    media = content_type.split(";", 1)[0].strip().lower()
    if method == "GET":
        params, query = url_params, _one(url_params, "query")
    elif media == FORM:
        form = parse_qsl(_decode(body, "form body"), keep_blank_values=True)
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
    )


@router.api_route("/sparql", methods=["GET", "POST"])
async def sparql(request: Request) -> Response:
    """Answer a SPARQL query (or describe the service when there is none)."""
    settings = request.app.state.settings
    body = b"" if request.method == "GET" else await read_body(request, settings.max_body_bytes)
    parsed = parse_query_request(
        request.method,
        request.headers.get("content-type", ""),
        request.url.query.encode("latin-1", "replace"),
        body,
        request.headers.get("accept"),
    )
    if parsed is None:
        return Response("SPARQL endpoint: send a query with ?query=…\n", media_type="text/plain")
    result = await run_in_threadpool(request.app.state.store.query, parsed)
    return Response(
        result.body, headers={"Content-Type": result.format.content_type, "Vary": "Accept"}
    )
