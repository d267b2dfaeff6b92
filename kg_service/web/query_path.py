"""The hot path of ``/sparql``: a query answered in plain ASGI, in front of FastAPI.

Most requests a SPARQL endpoint gets are queries, and the engine answers the cheap ones in tens
of microseconds, so the layers around the engine decide how fast the endpoint is. Measured with
py-spy on this machine, FastAPI's middleware, routing and request objects cost several times
what a point lookup costs in pyoxigraph. The app (``KnowledgeGraphApp``) therefore hands every
request for ``/sparql`` to :class:`QueryPath`, which answers ``GET``, ``POST`` and ``HEAD``
queries itself:

* the request is parsed by :func:`kg_service.sparql.parse_query_request`, checked by
  :func:`kg_service.policy.check_query` and run by the app's store, as everywhere;
* a result that came whole is sent in two ASGI messages, with the CORS headers Starlette's
  middleware would add (computed by it, from the app's one set of CORS options);
* a streamed result, an error (rendered by the app's one error handler) and anything else go
  through Starlette's responses and CORS middleware;
* every answer is logged and counted by the app's :class:`~kg_service.observability.AccessLog`.

Requests without a query (the service description, the editor page) go on to the app itself.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from kg_service.errors import KGError
from kg_service.process import lifecycle
from kg_service.query.contract import QueryRequest
from kg_service.query.policy import check_query
from kg_service.web.observability import query_hash
from kg_service.web.routes.sparql import (
    endpoint_url_of,
    parse_query_request,
    receive_body,
    result_response,
)

__all__ = ["QueryPath"]

ErrorHandler = Callable[[Request, Exception], Awaitable[Response]]

#: Requests seen lately (a query up to 8 KiB): parsed and checked once, not on every repeat.
_MEMO_ENTRIES, _MEMO_BYTES = 1024, 8192
_METHODS = frozenset({"GET", "POST", "HEAD"})
_READ = (b"content-type", b"accept", b"content-length", b"origin", b"host")


class _Route:
    """What the access log and the metrics read from ``scope["route"]``."""

    path = "/sparql"


class QueryPath:
    """Pure ASGI front of the app for the requests to ``/sparql``: it answers the queries."""

    def __init__(self, app: ASGIApp, on_error: ErrorHandler, cors: Mapping[str, Any]) -> None:
        self.app, self.on_error, self.cors = app, on_error, dict(cors)
        simple = CORSMiddleware(app, **cors).simple_headers
        self.cors_headers = [(k.lower().encode(), v.encode()) for k, v in simple.items()]
        self.seen: OrderedDict[tuple, tuple[QueryRequest, str]] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] not in _METHODS:
            await self.app(scope, receive, send)
            return
        if lifecycle.retiring():
            send = lifecycle.closing(send)
        start, status = time.perf_counter(), 500
        try:
            status = await self._answer(scope, receive, send)
        except KGError as exc:
            status = exc.status
            response = await self.on_error(Request(scope, receive), exc)
            await self._slow(response, scope, receive, send)
        except ClientDisconnect:  # gone before its request was read: nobody to answer
            status = 499
        finally:
            if status:
                scope["app"].state.metrics.access_log.record(
                    scope, status, time.perf_counter() - start
                )
        if not status:  # no query: the service description or the editor, by the app
            await self.app(scope, receive, send)

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> int:
        """Answer the query; 0 when the request holds none (nothing has been read then)."""
        headers, state = _headers(scope), scope["app"].state
        if scope["method"] == "POST":
            limit = state.settings.max_body_bytes
            body = await receive_body(headers.get(b"content-length"), receive, limit)
        else:
            body = b""
        request = self._request(scope, headers, body)
        if request is None:
            return 0
        result = await state.store.query(request)
        if result.data is None:
            await self._slow(result_response(result), scope, receive, send)
            return 200
        head = [
            (b"content-type", result.format.content_type.encode("latin-1")),
            (b"content-length", str(len(result.data)).encode("latin-1")),
            (b"vary", b"Accept, Origin"),
        ]
        if b"origin" in headers:
            head += self.cors_headers
        await send({"type": "http.response.start", "status": 200, "headers": head})
        await send({"type": "http.response.body", "body": result.data})
        return 200

    def _request(
        self, scope: Scope, headers: dict[bytes, bytes], body: bytes
    ) -> QueryRequest | None:
        """The parsed, checked query of a request, from the memo when it was seen before."""
        method = "POST" if scope["method"] == "POST" else "GET"
        query_string = scope["query_string"]
        key = (method, query_string, body, headers.get(b"content-type"), headers.get(b"accept"))
        key += (headers.get(b"host"), scope["scheme"], scope.get("root_path"), scope.get("server"))
        found = self.seen.get(key)
        if found is not None:
            self.seen.move_to_end(key)
            request, digest = found
        else:
            request = parse_query_request(
                method,
                headers.get(b"content-type", b"").decode("latin-1"),
                query_string,
                body,
                _text(headers.get(b"accept")),
                endpoint_url_of(scope),
            )
            if request is None:
                return None
            check_query(request.query, scope["app"].state.settings)
            digest = query_hash(request.query)
            if len(body) + len(query_string) <= _MEMO_BYTES:
                self.seen[key] = (request, digest)
                if len(self.seen) > _MEMO_ENTRIES:
                    self.seen.popitem(last=False)
        scope["route"] = _Route
        scope.setdefault("state", {})["query_hash"] = digest
        return request

    async def _slow(self, response: Response, scope: Scope, receive: Receive, send: Send) -> None:
        """Send a Starlette response through Starlette's CORS middleware."""
        await CORSMiddleware(response, **self.cors)(scope, receive, send)


def _headers(scope: Scope) -> dict[bytes, bytes]:
    """The request headers this path reads (the first of each), in one pass."""
    found: dict[bytes, bytes] = {}
    for name, value in scope["headers"]:
        if name in _READ and name not in found:
            found[name] = value
    return found


def _text(value: bytes | None) -> str | None:
    return None if value is None else value.decode("latin-1")
