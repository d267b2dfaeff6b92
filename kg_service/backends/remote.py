"""The ``remote`` backend: a SPARQL 1.1 server (Oxigraph server, Virtuoso, any other) over HTTP.

``Settings.endpoint`` is the query URL. Which server it is (``Settings.remote_engine``, told
from its ``Server`` header by default) decides the update and Graph Store URLs and the few
ways a query or an update is adapted to it (:mod:`kg_service.backends.engines`; Virtuoso's
departures from the standard are undone in :mod:`kg_service.backends.virtuoso`).

The remote is asked for the format the client wants, restricted to the formats this service
offers, so its answer usually streams through untouched. When it answers in another format
(or, for Virtuoso, always for SELECT and ASK) the result is parsed and re-serialised with
pyoxigraph (in a thread). Errors keep their meaning (:mod:`kg_service.backends.remote_errors`).
Nothing broken is cached: each request tries the remote again, and fails at once while it is
down.

``push(settings)`` (:mod:`kg_service.backends.push`) uploads the build's named graphs.
"""

from __future__ import annotations

import asyncio
import contextlib

import httpx
import pyoxigraph as ox

from kg_service.backends import virtuoso
from kg_service.backends.engines import (
    PROBE,
    VIRTUOSO,
    Engine,
    engine_from_server_header,
    engine_named,
    remote_urls,
)
from kg_service.backends.push import Pushed, push
from kg_service.backends.remote_errors import (
    MESSAGE_CHARS,
    client_timeout,
    shown,
    status_error,
    transport_error,
)
from kg_service.errors import BackendUnavailable, KGError, QueryTimeout
from kg_service.query.contract import QueryRequest, QueryResult, negotiate_for, single
from kg_service.query.policy import scan
from kg_service.query.union import plain_graph_write
from kg_service.rdf.formats import (
    CSV,
    GRAPH_FORMATS,
    NTRIPLES,
    RESULT_FORMATS,
    SPARQL_JSON,
    Format,
    by_media_type,
)
from kg_service.rdf.negotiation import choose
from kg_service.settings import Settings

__all__ = ["Pushed", "RemoteStore", "push", "remote_accept", "remote_urls"]

#: Results up to this size are read before answering, to tell an ASK result from a SELECT one.
PEEK = 1024
#: Formats we can parse back (CSV results are lossy: pyoxigraph refuses to parse them).
_PARSEABLE = tuple(f for f in (*RESULT_FORMATS, *GRAPH_FORMATS) if f is not CSV)


class RemoteStore:
    """A store behind a SPARQL endpoint, reached with one ``httpx.AsyncClient``.

    ``transport`` replaces the network (``httpx.MockTransport`` in tests).
    """

    def __init__(
        self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.settings, self.transport = settings, transport
        self.engine: Engine | None = engine_named(settings.remote_engine)
        self.urls = remote_urls(settings, self.engine)  # refines once the engine is known
        self.client: httpx.AsyncClient | None = None
        self.generation = 0  # our own writes only: the remote may change under us

    @property
    def writable(self) -> bool:
        return self.settings.writes_enabled

    async def start(self) -> None:
        """Make the client; the remote need not be up yet (each request tries it anew)."""
        limits = httpx.Limits(max_connections=self.settings.max_concurrent)
        self.client = httpx.AsyncClient(
            timeout=client_timeout(self.settings.query_timeout),
            limits=limits,
            trust_env=False,
            follow_redirects=False,
            transport=self.transport,
        )

    async def close(self) -> None:
        if self.client is not None:
            await self.client.aclose()
            self.client = None

    async def query(self, request: QueryRequest) -> QueryResult:
        """Run ``request`` on the remote; stream its answer or convert it to the wanted format."""
        accept = remote_accept(request)  # raises 406 before the remote is asked
        engine = await self._engine()
        text, shift = _with_base(request.query, request.base_iri)
        if engine is VIRTUOSO:
            text, accept = virtuoso.prepare_query(text), virtuoso.accept(text)
        form = [("query", text), *_dataset(request, self.settings.union_default_graph, engine)]
        deadline = asyncio.get_running_loop().time() + self.settings.query_timeout
        response = await self._send("POST", self.urls.query, form, {"Accept": accept})
        body = _Body(response, self.urls.query, deadline)
        try:
            await self._check(response, "query", shift, engine, request.query)
            source = _source_format(response, self.urls.query)
            target = negotiate_for("graph" if source in GRAPH_FORMATS else "solutions", request)
            fix = engine is VIRTUOSO and source is SPARQL_JSON
            if source.name == target.name and not fix:
                return QueryResult(await _stream_kind(source, body), source, body)
            data = b"".join([chunk async for chunk in body])
        except BaseException:
            await body.aclose()
            raise
        if fix:
            data = virtuoso.results_json(data, virtuoso.query_form(request.query) == "ASK")
        kind, converted = await asyncio.to_thread(_convert, data, source, target, self.urls.query)
        return QueryResult(kind, target, single(converted))

    async def update(self, text: str, base_iri: str | None = None) -> None:
        """Send a SPARQL update to the remote's update URL."""
        engine = await self._engine()
        sent, shift = _with_base(text, base_iri)
        if engine is VIRTUOSO:
            sent = virtuoso.prepare_update(sent, engine.stored_default_graph or "")
        response = await self._send("POST", self.urls.update, [("update", sent)], {})
        await self._finish(response, "update", shift, engine, text)

    async def write_graph(self, graph: str | None, ntriples: str, replace: bool) -> None:
        """A Graph Store ``PUT``/``POST``: to the remote's Graph Store when its updates cannot
        carry the body (Virtuoso refuses blank nodes in ``INSERT DATA``), else as one update."""
        engine = await self._engine()
        if not (engine is VIRTUOSO and self.urls.store):
            await self.update(plain_graph_write(graph, ntriples, replace))
            return
        name = graph or engine.stored_default_graph
        if self.client is None:
            raise KGError("The remote store is not started.")
        request = self.client.build_request(
            "PUT" if replace else "POST",
            self.urls.store,
            params={"graph": name} if name else {"default": ""},
            content=ntriples.encode(),
            headers={"Content-Type": NTRIPLES.media_type},
        )
        await self._finish(await self._send_request(request), "graph write", 0, engine)

    async def _engine(self) -> Engine:
        """The remote's engine, told once from the ``Server`` header of its answer to a probe."""
        if self.engine is None:
            response = await self._send("POST", self.urls.query, [("query", PROBE)], {})
            await response.aclose()
            server = response.headers.get("server", "")
            self.engine = engine_from_server_header(server, self.urls.query)
            self.urls = remote_urls(self.settings, self.engine)
        return self.engine

    async def _send(
        self, method: str, url: str, form: list[tuple[str, str]], headers: dict[str, str]
    ) -> httpx.Response:
        if self.client is None:
            raise KGError("The remote store is not started.")
        request = self.client.build_request(method, url, data=_form(form), headers=headers)
        return await self._send_request(request)

    async def _send_request(self, request: httpx.Request) -> httpx.Response:
        assert self.client is not None
        try:
            return await self.client.send(request, stream=True)
        except httpx.TransportError as exc:
            raise transport_error(exc, str(request.url), self.settings.query_timeout) from None

    async def _finish(
        self,
        response: httpx.Response,
        what: str,
        shift: int,
        engine: Engine,
        client_text: str | None = None,
    ) -> None:
        """Check a write's answer, release it, and count the write."""
        try:
            await self._check(response, what, shift, engine, client_text)
        finally:
            await response.aclose()
        self.generation += 1

    async def _check(
        self,
        response: httpx.Response,
        what: str,
        shift: int,
        engine: Engine,
        client_text: str | None = None,
    ) -> None:
        if response.is_success:
            if engine is VIRTUOSO and virtuoso.PARTIAL_RESULT_HEADER in response.headers:
                raise QueryTimeout(
                    f"The SPARQL endpoint {shown(self.urls.query)} cut the result short at its "
                    "time limit; a partial result is not served."
                )
            return
        message = await _read_message(response)
        raise status_error(response, message, what, shift, engine, client_text)


# --- the request ----------------------------------------------------------------------------


def remote_accept(request: QueryRequest) -> str:
    """The Accept header for the remote: what the client wants (per result family), first.

    Formats we can convert from follow at a lower q, so the remote always has a choice we can
    use. Raises (like the local engines would) when neither family can satisfy the client.
    """
    wanted: list[Format] = []
    errors: list[KGError] = []
    for offers in (RESULT_FORMATS, GRAPH_FORMATS):
        try:
            wanted.append(choose(request.accept, offers, request.format))
        except KGError as exc:
            errors.append(exc)
    if not wanted:
        raise errors[0]
    rest = [f for f in _PARSEABLE if f not in wanted]
    return ", ".join([f.media_type for f in wanted] + [f"{f.media_type};q=0.5" for f in rest])


def _dataset(request: QueryRequest, union: bool, engine: Engine) -> list[tuple[str, str]]:
    """The protocol dataset; without one (nor a FROM in the query), the engine's way to the
    union default graph, or to the stored default graph.

    ``union-default-graph`` is the Oxigraph server's parameter; it would override the query's
    own FROM, so it is not sent when the query has one. Virtuoso reads every graph unless told
    otherwise; its stored default graph is a named graph of ours.
    """
    pairs = [("default-graph-uri", g) for g in request.default_graphs]
    pairs += [("named-graph-uri", g) for g in request.named_graphs]
    if pairs or "FROM" in scan(request.query).keywords:
        return pairs
    stored = request.stored_default or not union
    if stored and engine.stored_default_graph:
        return [("default-graph-uri", engine.stored_default_graph)]
    if not stored and engine.union_parameter:
        return [("union-default-graph", "true")]
    return []


def _form(pairs: list[tuple[str, str]]) -> dict[str, str | list[str]]:
    """Repeated form fields the way httpx takes them (a list per name)."""
    form: dict[str, list[str]] = {}
    for key, value in pairs:
        form.setdefault(key, []).append(value)
    return {k: v[0] if len(v) == 1 else v for k, v in form.items()}


def _with_base(text: str, base_iri: str | None) -> tuple[str, int]:
    """``text`` with a ``BASE`` declaration prepended on its first line, and its length.

    The SPARQL protocol has no base IRI parameter; this resolves relative IRIs against our
    endpoint as the local stores do. Line numbers of errors do not move; columns of line 1
    are shifted back by the returned length.
    """
    if not base_iri:
        return text, 0
    try:
        prefix = f"BASE <{ox.NamedNode(base_iri).value}> "
    except ValueError:
        return text, 0
    return prefix + text, len(prefix)


# --- the response ---------------------------------------------------------------------------


def _source_format(response: httpx.Response, url: str) -> Format:
    ctype = response.headers.get("content-type", "")
    fmt = by_media_type(ctype, RESULT_FORMATS) or by_media_type(ctype, GRAPH_FORMATS)
    if fmt is None:
        raise BackendUnavailable(
            f"The SPARQL endpoint {shown(url)} answered with an unsupported media type "
            f"{ctype or '(none)'!r}."
        )
    return fmt


async def _stream_kind(source: Format, body: _Body) -> str:
    """The result kind; a small results document is read first to tell ASK from SELECT."""
    if source in GRAPH_FORMATS:
        return "graph"
    head, complete = await body.peek(PEEK)
    return "boolean" if complete and _is_boolean(head, source) else "solutions"


def _is_boolean(data: bytes, source: Format) -> bool:
    if source is CSV:
        return data.strip() in (b"true", b"false")
    with contextlib.suppress(SyntaxError, ValueError):
        return isinstance(ox.parse_query_results(data, format=source.oxigraph), ox.QueryBoolean)
    return False


def _convert(data: bytes, source: Format, target: Format, url: str) -> tuple[str, bytes]:
    """Re-serialise the remote's ``data`` from ``source`` into ``target`` (blocking)."""
    try:
        if source in GRAPH_FORMATS:
            quads = ox.parse(data, format=source.oxigraph)
            return "graph", ox.serialize(quads, format=target.oxigraph)
        result = ox.parse_query_results(data, format=source.oxigraph)
        kind = "boolean" if isinstance(result, ox.QueryBoolean) else "solutions"
        return kind, result.serialize(format=target.oxigraph)
    except (SyntaxError, ValueError) as exc:
        raise BackendUnavailable(
            f"The answer of the SPARQL endpoint {shown(url)} ({source.media_type}) could not "
            f"be converted to {target.media_type}: {str(exc)[:MESSAGE_CHARS]}"
        ) from None


class _Body:
    """The remote's response body as an async iterator of bytes.

    It checks the query deadline between chunks, maps transport errors to service errors and
    closes the response when done, failed, or dropped unread.
    """

    def __init__(self, response: httpx.Response, url: str, deadline: float) -> None:
        self.response, self.url, self.deadline = response, url, deadline
        self.chunks = response.aiter_bytes()
        self.buffer: list[bytes] = []
        self.done = False
        self.loop = asyncio.get_running_loop()

    def __aiter__(self) -> _Body:
        return self

    async def __anext__(self) -> bytes:
        if self.buffer:
            return self.buffer.pop(0)
        return await self._read()

    async def _read(self) -> bytes:
        if self.done:
            raise StopAsyncIteration
        try:
            if self.loop.time() > self.deadline:
                raise QueryTimeout("The remote query ran past the time limit and was stopped.")
            return await anext(self.chunks)
        except StopAsyncIteration:
            await self.aclose()
            raise
        except httpx.TransportError as exc:
            await self.aclose()
            raise transport_error(exc, self.url, 0) from None
        except BaseException:
            await self.aclose()
            raise

    async def peek(self, size: int) -> tuple[bytes, bool]:
        """Read at least ``size`` bytes (kept for iteration); ``True`` if that is all of it."""
        while sum(map(len, self.buffer)) < size:
            try:
                self.buffer.append(await self._read())
            except StopAsyncIteration:
                return b"".join(self.buffer), True
        return b"".join(self.buffer), False

    async def aclose(self) -> None:
        self.done = True
        await self.response.aclose()

    def __del__(self) -> None:  # never iterated (client gone): give the connection back
        if not self.response.is_closed and not self.loop.is_closed():
            with contextlib.suppress(RuntimeError):
                self.loop.call_soon_threadsafe(self.loop.create_task, self.response.aclose())


async def _read_message(response: httpx.Response, limit: int = 4 * MESSAGE_CHARS) -> str:
    data = b""
    with contextlib.suppress(httpx.HTTPError):
        async for chunk in response.aiter_bytes():
            data += chunk
            if len(data) > limit:
                break
    await response.aclose()
    return data.decode("utf-8", "replace")
