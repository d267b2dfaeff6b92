"""The ``remote`` backend: any SPARQL 1.1 endpoint (with the Graph Store Protocol) over HTTP.

``Settings.endpoint`` is the query URL. The update URL and the Graph Store URL default to its
siblings when it ends in ``/query`` (Oxigraph server: ``/query`` → ``/update``, ``/store``);
otherwise updates go to the endpoint itself and ``push`` needs ``remote_store_url``.

The remote is asked for the format the client wants, restricted to the formats this service
offers, so its answer usually streams through untouched. When it answers in another format the
result is parsed and re-serialised with pyoxigraph (in a thread). Errors keep their meaning: the
remote unreachable or failing (5xx) → 502, its 400 → a syntax error, too slow → timeout. Nothing
broken is cached: each request tries the remote again, and fails at once while it is down.

``push(settings)`` uploads the build's named graphs to the remote's Graph Store.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyoxigraph as ox

from kg_service.errors import (
    BackendUnavailable,
    BadRequest,
    BuildError,
    KGError,
    Overloaded,
    QueryTimeout,
)
from kg_service.query.contract import (
    QueryRequest,
    QueryResult,
    negotiate_for,
    single,
)
from kg_service.query.policy import scan
from kg_service.query.syntax import syntax_error
from kg_service.query.union import plain_graph_write
from kg_service.rdf.formats import (
    CSV,
    GRAPH_FORMATS,
    NQUADS,
    NTRIPLES,
    RESULT_FORMATS,
    Format,
    by_media_type,
)
from kg_service.rdf.negotiation import choose
from kg_service.settings import Settings

__all__ = ["Pushed", "RemoteStore", "push", "remote_urls"]

#: How long to wait for the remote to accept a TCP connection (fail fast while it is down).
CONNECT_TIMEOUT = 5.0
#: How long a request waits for a free connection when ``max_concurrent`` are in use.
POOL_TIMEOUT = 1.0
#: Results up to this size are read before answering, to tell an ASK result from a SELECT one.
PEEK = 1024
#: How much of the remote's error message is shown to the client.
MESSAGE_CHARS = 500
#: Formats we can parse back (CSV results are lossy: pyoxigraph refuses to parse them).
_PARSEABLE = tuple(f for f in (*RESULT_FORMATS, *GRAPH_FORMATS) if f is not CSV)
_POSITION = re.compile(r"^error at (\d+):(\d+)")


def remote_urls(settings: Settings) -> tuple[str, str, str | None]:
    """The query, update and Graph Store URLs of the remote (the store URL may be unknown).

    >>> remote_urls(Settings(endpoint="http://127.0.0.1:7878/query"))[1:]
    ('http://127.0.0.1:7878/update', 'http://127.0.0.1:7878/store')
    """
    if not settings.endpoint:
        raise ValueError("the remote backend needs --endpoint URL (or BENELUX_KG_ENDPOINT)")
    url = httpx.URL(settings.endpoint)
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"the remote endpoint must be an http(s) URL, not {settings.endpoint!r}")
    parent, _, last = url.path.rpartition("/")
    oxigraph_like = last == "query"
    update = str(url.copy_with(path=f"{parent}/update")) if oxigraph_like else str(url)
    store = str(url.copy_with(path=f"{parent}/store")) if oxigraph_like else None
    return str(url), settings.remote_update_url or update, settings.remote_store_url or store


class RemoteStore:
    """A store behind a SPARQL endpoint, reached with one ``httpx.AsyncClient``.

    ``transport`` replaces the network (``httpx.MockTransport`` in tests).
    """

    def __init__(
        self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.settings, self.transport = settings, transport
        self.query_url, self.update_url, self.store_url = remote_urls(settings)
        self.client: httpx.AsyncClient | None = None
        self.generation = 0  # our own writes only: the remote may change under us

    @property
    def writable(self) -> bool:
        return self.settings.writes_enabled

    async def start(self) -> None:
        """Make the client; the remote need not be up yet (each request tries it anew)."""
        limits = httpx.Limits(max_connections=self.settings.max_concurrent)
        self.client = httpx.AsyncClient(
            timeout=_timeout(self.settings.query_timeout),
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
        accept = remote_accept(request)
        text, shift = _with_base(request.query, request.base_iri)
        form = [("query", text), *_dataset(request, self.settings.union_default_graph)]
        deadline = asyncio.get_running_loop().time() + self.settings.query_timeout
        response = await self._send("POST", self.query_url, form, {"Accept": accept})
        body = _Body(response, self.query_url, deadline)
        try:
            await self._check(response, "query", shift, request.query)
            source = _source_format(response, self.query_url)
            target = negotiate_for("graph" if source in GRAPH_FORMATS else "solutions", request)
            if source.name == target.name:
                return QueryResult(await _stream_kind(source, body), source, body)
            data = b"".join([chunk async for chunk in body])
        except BaseException:
            await body.aclose()
            raise
        kind, converted = await asyncio.to_thread(_convert, data, source, target, self.query_url)
        return QueryResult(kind, target, single(converted))

    async def update(self, text: str, base_iri: str | None = None) -> None:
        """Send a SPARQL update to the remote's update URL."""
        sent, shift = _with_base(text, base_iri)
        response = await self._send("POST", self.update_url, [("update", sent)], {})
        try:
            await self._check(response, "update", shift, text)
        finally:
            await response.aclose()
        self.generation += 1

    async def write_graph(self, graph: str | None, ntriples: str, replace: bool) -> None:
        """A Graph Store ``PUT``/``POST``, sent to the remote as one update."""
        await self.update(plain_graph_write(graph, ntriples, replace))

    async def _send(
        self, method: str, url: str, form: list[tuple[str, str]], headers: dict[str, str]
    ) -> httpx.Response:
        if self.client is None:
            raise KGError("The remote store is not started.")
        request = self.client.build_request(method, url, data=_form(form), headers=headers)
        try:
            return await self.client.send(request, stream=True)
        except httpx.TransportError as exc:
            raise transport_error(exc, url, self.settings.query_timeout) from None

    async def _check(
        self, response: httpx.Response, what: str, shift: int, sent: str | None = None
    ) -> None:
        if response.is_success:
            return
        message = await _read_message(response)
        raise status_error(response, message, what, shift, sent)


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


def _dataset(request: QueryRequest, union: bool) -> list[tuple[str, str]]:
    """The protocol dataset; without one (nor FROM), ask for the union default graph.

    ``union-default-graph`` is Oxigraph server's parameter; other endpoints ignore it. Oxigraph
    lets it override the query's own FROM, so it is not sent when the query has one.
    """
    pairs = [("default-graph-uri", g) for g in request.default_graphs]
    pairs += [("named-graph-uri", g) for g in request.named_graphs]
    wants_union = union and not pairs and not request.stored_default
    if wants_union and "FROM" not in scan(request.query).keywords:
        pairs.append(("union-default-graph", "true"))
    return pairs


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
            f"The SPARQL endpoint {_shown(url)} answered with an unsupported media type "
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
            f"The answer of the SPARQL endpoint {_shown(url)} ({source.media_type}) could not "
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


# --- errors ---------------------------------------------------------------------------------


def _shown(url: str) -> str:
    """A URL fit for a message: no user name, password or query string."""
    u = httpx.URL(url)
    port = f":{u.port}" if u.port else ""
    return f"{u.scheme}://{u.host}{port}{u.path}"


def transport_error(exc: httpx.TransportError, url: str, timeout: float) -> KGError:
    """The service error for a request that got no (complete) answer."""
    if isinstance(exc, httpx.PoolTimeout):
        return Overloaded(
            "Too many queries to the remote store at once; retry shortly.",
            headers={"Retry-After": "1"},
        )
    if isinstance(exc, httpx.ConnectTimeout):
        return BackendUnavailable(
            f"The SPARQL endpoint {_shown(url)} did not accept a connection within "
            f"{CONNECT_TIMEOUT:g} s."
        )
    if isinstance(exc, httpx.TimeoutException):
        limit = f" within {timeout:g} s" if timeout else " in time"
        return QueryTimeout(f"The SPARQL endpoint {_shown(url)} did not answer{limit}.")
    reason = str(exc) or type(exc).__name__
    return BackendUnavailable(f"The SPARQL endpoint {_shown(url)} cannot be reached: {reason}.")


def status_error(
    response: httpx.Response, message: str, what: str, shift: int = 0, sent: str | None = None
) -> KGError:
    """The service error for a remote's non-2xx answer (``what``: query, update, …; ``sent``:
    the client's text, for a syntax error in words)."""
    status, url = response.status_code, str(response.request.url)
    text = " ".join(message.split())[:MESSAGE_CHARS] or response.reason_phrase
    if status == 400 and what in ("query", "update"):
        match = _POSITION.match(text)
        if match:
            line, col = int(match.group(1)), int(match.group(2))
            col = col - shift if line == 1 and col > shift else col
            return syntax_error(f"error at {line}:{col}{text[match.end() :]}", what, sent)
        return BadRequest(f"The SPARQL endpoint refused the {what}: {text}")
    if status in (408, 504):
        return QueryTimeout(f"The SPARQL endpoint {_shown(url)} timed out: {text}")
    if 300 <= status < 400:
        where = response.headers.get("location", "?")
        return BackendUnavailable(
            f"The SPARQL endpoint {_shown(url)} redirects ({status}) to {where[:200]}; "
            "configure that URL instead."
        )
    return BackendUnavailable(
        f"The SPARQL endpoint {_shown(url)} answered {status} to the {what}: {text}"
    )


def _timeout(seconds: float) -> httpx.Timeout:
    return httpx.Timeout(
        seconds, connect=min(CONNECT_TIMEOUT, seconds), pool=min(POOL_TIMEOUT, seconds)
    )


# --- push: the build into the remote --------------------------------------------------------

LIST_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"


@dataclass
class Pushed:
    """What ``push`` did: triples per graph uploaded, graphs removed, where."""

    store_url: str
    graphs: dict[str, int] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)


def push(settings: Settings, dump_path: Path | None = None) -> Pushed:
    """Make the remote's named graphs exactly the build's: PUT each one, DELETE the others.

    The remote's default graph is replaced only when the dump has default-graph triples.
    """
    from kg_service.build.layout import dump_path as build_dump

    query_url, _, store_url = remote_urls(settings)
    if store_url is None:
        raise BadRequest(
            f"Cannot guess the Graph Store URL of {_shown(query_url)}: "
            "give --store-url (or BENELUX_KG_REMOTE_STORE_URL)."
        )
    dump = dump_path or build_dump(settings, NQUADS)
    if not dump.exists():
        raise BuildError(f"no dump at {dump}: run `benelux-kg build` first")
    graphs = _by_graph(dump)
    done = Pushed(store_url)
    timeout = _timeout(max(settings.query_timeout, 300.0))
    with httpx.Client(timeout=timeout, trust_env=False, follow_redirects=False) as client:
        before = _remote_graphs(client, query_url)
        for name, triples in graphs.items():
            _put(client, store_url, name, triples)
            if name is not None:
                done.graphs[name] = len(triples)
        for name in sorted(before - set(graphs)):
            _call(client, "DELETE", store_url, {"graph": name}, what="graph delete")
            done.removed.append(name)
    return done


def _by_graph(dump: Path) -> dict[str | None, list[ox.Triple]]:
    """The dump's triples by graph name (``None``: the default graph), in file order."""
    graphs: dict[str | None, list[ox.Triple]] = {}
    for quad in ox.parse(path=str(dump), format=ox.RdfFormat.N_QUADS):
        name = None if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value
        graphs.setdefault(name, []).append(quad.triple)
    return graphs


def _remote_graphs(client: httpx.Client, query_url: str) -> set[str]:
    accept = {"Accept": "application/sparql-results+json"}
    response = _call(client, "POST", query_url, data={"query": LIST_GRAPHS}, headers=accept)
    result = ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)
    return {solution["g"].value for solution in result}


def _put(client: httpx.Client, url: str, name: str | None, triples: list[ox.Triple]) -> None:
    params = {"graph": name} if name is not None else {"default": ""}
    body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    headers = {"Content-Type": NTRIPLES.media_type}
    _call(client, "PUT", url, params, content=body, headers=headers, what="graph upload")


def _call(
    client: httpx.Client,
    method: str,
    url: str,
    params: dict[str, str] | None = None,
    what: str = "query",
    **kwargs,
) -> httpx.Response:
    try:
        response = client.request(method, url, params=params, **kwargs)
    except httpx.TransportError as exc:
        raise transport_error(exc, url, client.timeout.read or 0) from None
    if not response.is_success:
        raise status_error(response, response.text, what)
    return response
