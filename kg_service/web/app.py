"""The FastAPI application: ``create_app(settings, store=None)``.

The lifespan opens the store (unless one is given) and closes it; routers are mounted here;
every :class:`~kg_service.errors.KGError` is turned into its HTTP status in one handler.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount
from starlette.types import Receive, Scope, Send

from kg_service import __version__
from kg_service.backends import open_store
from kg_service.errors import (
    KGError,
    MethodNotAllowed,
    NotAcceptable,
    NotFound,
    QuerySyntaxError,
)
from kg_service.process import lifecycle
from kg_service.query.contract import Store
from kg_service.rdf.formats import HTML, JSON, TEXT, Format
from kg_service.rdf.negotiation import choose
from kg_service.settings import Settings
from kg_service.web import observability, openapi, pages
from kg_service.web.derived import DerivedCache
from kg_service.web.i18n import choose_language, error_reason
from kg_service.web.pages import render
from kg_service.web.query_path import QueryPath
from kg_service.web.routes import (
    browse,
    editor,
    graph_store,
    linked_data,
    ontology_docs,
    organisation,
    publishing,
    reconcile,
    search,
    sparql,
    timeline,
    ui,
)
from kg_service.web.routes import (
    validation as validation_http,
)

__all__ = ["create_app"]

log = logging.getLogger("kg_service")


#: Cross-origin requests: any origin, no credentials (one set of options, for the app's CORS
#: middleware and for the /sparql hot path).
CORS = {
    "allow_origins": ["*"],
    "allow_credentials": False,
    "allow_methods": ["GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE"],
    "allow_headers": ["*"],
    "expose_headers": ["*"],
}
#: What ``/healthz`` answers: a line of plain text.
PLAIN = openapi.content(TEXT.media_type)


class KnowledgeGraphApp(FastAPI):
    """FastAPI, with SPARQL queries answered before it (see ``query_path``)."""

    _queries: QueryPath | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/sparql":
            await super().__call__(scope, receive, send)
            return
        if self._queries is None:  # what is not a query goes on to FastAPI, as any request
            self._queries = QueryPath(super().__call__, on_error=_kg_error, cors=CORS)
        if self.middleware_stack is None:  # it makes the access log the hot path shares
            self.middleware_stack = self.build_middleware_stack()
        scope["app"] = self
        await self._queries(scope, receive, send)


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """The service, configured by ``settings``, serving ``store`` (opened from settings if None)."""
    settings = settings or Settings.load()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.store = store or open_store(settings)
        await app.state.store.start()
        as_built = settings.backend != "remote" and not settings.writes_enabled
        app.state.derived = DerivedCache(app.state.store, as_built)
        app.state.metrics.pool_source = getattr(app.state.store, "stats", None)
        app.state.validator = await validation_http.open_validator(settings)
        app.state.ready = True
        lifecycle.ready()
        try:
            yield
        finally:
            app.state.ready = False
            await validation_http.close_validator(app.state.validator)
            await app.state.store.close()

    app = KnowledgeGraphApp(
        title="benelux-kg",
        version=__version__,
        summary="A knowledge graph of Benelux cooperation: SPARQL, linked data, SHACL.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.ready = False
    app.state.metrics = observability.Metrics()
    observability.configure_logging()
    app.add_middleware(observability.AccessLog, metrics=app.state.metrics)
    app.add_middleware(CORSMiddleware, **CORS)
    app.add_exception_handler(KGError, _kg_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.include_router(observability.router)
    app.include_router(sparql.router)
    app.include_router(graph_store.router)
    app.include_router(ontology_docs.router)
    app.include_router(linked_data.router)
    app.include_router(pages.router)
    app.include_router(publishing.router)
    app.include_router(ui.router)
    app.include_router(editor.router)
    app.include_router(search.router)
    app.include_router(reconcile.router)
    app.include_router(browse.router)
    app.include_router(timeline.router)
    app.include_router(organisation.router)
    app.include_router(validation_http.router)
    app.mount("/static", pages.static_files(), name="static")
    app.add_api_route(
        "/healthz",
        healthz,
        methods=["GET", "HEAD"],
        operation_id="healthz",
        tags=["Operations"],
        response_class=Response,
        summary="Liveness: 200 once the store is open",
        responses={"200": openapi.ok("ok", PLAIN), "503": openapi.ok("Starting.", PLAIN)},
    )
    openapi.install(app, ui.document_examples)
    return app


async def healthz(request: Request) -> Response:
    """200 once the store is open."""
    if not request.app.state.ready:
        return PlainTextResponse("starting\n", status_code=503)
    return PlainTextResponse("ok\n")


async def _kg_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, KGError)
    if exc.status >= 500:
        log.warning("%s %s: %s", request.method, request.url.path, exc.message)
    if isinstance(exc, QuerySyntaxError) and exc.parser_message:
        observability.note_parser_message(request.scope, exc.parser_message)
    headers = {**exc.headers, "Vary": "Accept"}
    fmt = _error_format(request.headers.get("accept"))
    if fmt is HTML:
        return _error_page(request, exc.status, exc.title, exc.message, headers)
    if fmt is JSON:
        body = {"error": exc.title, "status": exc.status, "message": exc.message}
        return JSONResponse(body, status_code=exc.status, headers=headers)
    return PlainTextResponse(f"{exc.title}: {exc.message}\n", exc.status, headers=headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own errors (no such route, wrong method): a page for browsers, else as before.

    A wrong method is told as our own errors are, with every method of the path in ``Allow``
    (Starlette names only those of the first route it finds: ``POST`` alone for ``/sparql``);
    ``OPTIONS`` that is no CORS preflight (those the CORS middleware answers) gets ``204`` and
    that ``Allow``, as RFC 9110 §9.3.7 has it.
    """
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 405:
        allowed = ", ".join(allowed_methods(request.app, request.scope))
        if request.method == "OPTIONS":
            return Response(status_code=204, headers={"Allow": allowed})
        message = f"{request.url.path} answers {allowed}, not {request.method}."
        return await _kg_error(request, MethodNotAllowed(message, headers={"Allow": allowed}))
    if _error_format(request.headers.get("accept")) is HTML:
        detail = exc.detail if exc.detail != HTTPStatus(exc.status_code).phrase else ""
        return _error_page(request, exc.status_code, "", detail, dict(exc.headers or {}))
    if exc.status_code == 404:  # no such route: told as our own errors are, not {"detail": …}
        message = f"Nothing is served at {request.url.path}; /openapi.json lists the paths."
        return await _kg_error(request, NotFound(message))
    return await http_exception_handler(request, exc)


#: The methods :func:`allowed_methods` tries, in the order ``Allow`` names them.
_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH")


def allowed_methods(app: FastAPI, scope: Scope) -> list[str]:
    """Every method some route of ``app`` answers at the path of ``scope``, and ``OPTIONS``.

    Routing has already updated ``scope`` (a mount moves ``root_path``), so each probe is a
    fresh scope of the request's path from the application's root.
    """
    root = scope.get("app_root_path", scope.get("root_path", ""))
    base = {"type": "http", "path": scope["path"], "root_path": root, "headers": []}
    allowed = []
    for method in _METHODS:
        probe = {**base, "method": method, "query_string": b""}
        for route in app.router.routes:
            if isinstance(route, Mount):  # static files: GET and HEAD
                found = method in ("GET", "HEAD") and route.matches(probe)[0] is Match.FULL
            else:
                found = route.matches(probe)[0] is Match.FULL
            if found:
                allowed.append(method)
                break
    return [*allowed, "OPTIONS"]


def _error_page(
    request: Request, status: int, title: str, message: str, headers: dict[str, str]
) -> Response:
    """The error page in the page language: status, translated reason, what to do, links.

    ``render`` takes ``status`` as the response's own, so the template gets it as ``code``.
    """
    lang = choose_language(request)
    guess = request.url.path.rstrip("/").rsplit("/", 1)[-1].replace("-", " ")[:100]
    page = render(
        request,
        "error.html",
        status=status,
        code=status,
        reason=error_reason(status, lang),
        title=title,
        message=message,
        guess=guess,
    )
    page.headers.update(headers)
    return page


#: What an error can be told in; plain text first (curl's ``*/*``, no ``Accept``).
_ERROR_FORMATS = (TEXT, JSON, HTML)


def _error_format(accept: str | None) -> Format:
    """The error body's format, by the one negotiation function; never a 406 for an error."""
    try:
        return choose(accept, _ERROR_FORMATS)
    except NotAcceptable:  # e.g. a SPARQL client that accepts results formats only
        return TEXT
