"""Operations: a JSON access log line per request, Prometheus ``/metrics``, ``/readyz``.

The access log never carries query strings, headers or bodies (they may hold tokens or
private queries): method, path, status, duration and, for SPARQL, a short hash of the query
so repeated heavy queries can be spotted. A syntax error's line also carries what the parser
said (``parser``), which the client gets in words instead. uvicorn's own access log is turned
off for it.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import logging
import sys
import time
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kg_service.errors import KGError
from kg_service.process import lifecycle
from kg_service.web import openapi

__all__ = [
    "AccessLog",
    "Metrics",
    "configure_logging",
    "note_parser_message",
    "query_hash",
    "router",
]

log = logging.getLogger("kg_service.access")
router = APIRouter(tags=["Operations"], default_response_class=Response)
#: What the probes answer: a line of plain text.
PLAIN = openapi.content("text/plain")


def configure_logging() -> None:
    """Access lines on (bare JSON on stderr, written by :class:`AccessLog` itself).

    The ``kg_service.access`` logger only carries the switch: set it above INFO to silence them.
    """
    log.setLevel(logging.INFO)
    log.propagate = False


#: The most of a parser's message an access-log line keeps.
PARSER_CHARS = 300


def note_parser_message(scope: dict, message: str) -> None:
    """Keep a parser's own message for this request's access-log line."""
    scope.setdefault("state", {})["parser_message"] = message[:PARSER_CHARS]


def query_hash(text: str) -> str:
    """A short, stable fingerprint of a query (never the query itself)."""
    return hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=8).hexdigest()


class Metrics:
    """The service's Prometheus metrics, in a registry of its own (one per app)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "benelux_kg_requests",
            "HTTP requests",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "benelux_kg_request_duration_seconds",
            "HTTP request duration",
            ["route"],
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )
        self.pool_source = None
        self.access_log: AccessLog | None = None  # set when the middleware is made
        self.registry.register(_PoolCollector(self))


class _PoolCollector:
    """Timeouts, rejections, in-flight work and the store size, read when scraped."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def collect(self):  # type: ignore[no-untyped-def]
        stats = self.metrics.pool_source() if self.metrics.pool_source else {}
        for name, help_text in (
            ("query_timeouts_total", "Queries stopped at the time limit"),
            ("rejections_total", "Queries refused: the line was full or too slow (503)"),
            ("inflight", "Queries evaluating or waiting for their turn"),
            ("store_quads", "Quads in the store (at the last count)"),
            ("cache_hits_total", "Queries answered from the result cache"),
        ):
            if name in stats:
                family = GaugeMetricFamily(f"benelux_kg_{name}", help_text)
                family.add_metric([], stats[name])
                yield family


def _route(scope: Scope) -> str:
    route = scope.get("route")
    return getattr(route, "path", None) or "unmatched"


class _Lines:
    """Access lines on their way to stderr: one write per event-loop turn, however many.

    Not through ``logging``: its record machinery cost more than the rest of a cheap query's
    request (measured with py-spy), and a write per line is a system call per request.
    """

    def __init__(self) -> None:
        self.pending: list[str] = []
        self.scheduled = False

    def add(self, line: str) -> None:
        self.pending.append(line)
        if self.scheduled:
            return
        try:
            asyncio.get_running_loop().call_soon(self.flush)
            self.scheduled = True
        except RuntimeError:  # no loop here (a test calling the middleware by hand)
            self.flush()

    def flush(self) -> None:
        lines, self.pending, self.scheduled = self.pending, [], False
        sys.stderr.write("".join(lines))


_LINES = _Lines()


@functools.lru_cache(maxsize=1024)  # the same few methods and paths, again and again
def _quoted(text: str) -> str:
    """``text`` as a JSON string."""
    return json.dumps(text)


class AccessLog:
    """Pure ASGI middleware: one JSON line and the metrics for every HTTP request."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics
        self._labelled: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        metrics.access_log = self

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500
        if lifecycle.retiring():
            send = lifecycle.closing(send)

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            self.record(scope, status, time.perf_counter() - start)

    def record(self, scope: Scope, status: int, seconds: float) -> None:
        """Count the request and write its line (also called by the /sparql hot path)."""
        route = _route(scope)
        counter, histogram = self._children(scope["method"], route, status)
        counter.inc()
        histogram.observe(seconds)
        if log.isEnabledFor(logging.INFO):
            state = scope.get("state", {})
            digest = state.get("query_hash")
            tail = f', "query_hash": "{digest}"}}\n' if digest else "}\n"
            if "parser_message" in state:  # a syntax error: the parser's words, for us
                tail = f', "parser": {json.dumps(state["parser_message"])}{tail}'
            # by hand: json.dumps costs more than the rest of a cheap query's log line;
            # the method and path are the only free text, so only they are escaped
            _LINES.add(
                f'{{"method": {_quoted(scope["method"])}, "path": {_quoted(scope["path"])}, '
                f'"status": {status}, "duration_ms": {round(seconds * 1000, 2)}{tail}'
            )

    def _children(self, method: str, route: str, status: int) -> tuple[Any, Any]:
        """The labelled counter and histogram of one kind of request, looked up once."""
        key = (method, route, status)
        found = self._labelled.get(key)
        if found is None:
            found = self._labelled[key] = (
                self.metrics.requests.labels(method, route, str(status)),
                self.metrics.duration.labels(route),
            )
        return found


@router.get(
    "/metrics",
    operation_id="metrics",
    summary="Prometheus metrics",
    responses={"200": openapi.ok("The metrics.", openapi.content(CONTENT_TYPE_LATEST))},
)
async def metrics(request: Request) -> Response:
    """Prometheus metrics of this process."""
    registry = request.app.state.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


@router.api_route(
    "/readyz",
    methods=["GET", "HEAD"],
    operation_id="readyz",
    summary="Readiness: 200 when the store answers a query",
    responses={"200": openapi.ok("ready", PLAIN), "503": openapi.ok("Not ready, and why.", PLAIN)},
)
async def readyz(request: Request) -> Response:
    """200 when the store answers a query; 503 otherwise (e.g. a remote store is away)."""
    from kg_service.query.contract import ask

    if not request.app.state.ready:
        return Response("starting\n", status_code=503, media_type="text/plain")
    try:
        await ask(request.app.state.store, "ASK {}")
    except KGError as exc:
        return Response(f"not ready: {exc.message}\n", status_code=503, media_type="text/plain")
    return Response("ready\n", media_type="text/plain")
