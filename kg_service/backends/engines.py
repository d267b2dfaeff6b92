"""The SPARQL servers the remote backend knows, and what differs between them, in one table.

An :class:`Engine` says where a server's update and Graph Store endpoints are, how it is asked
for the union default graph, which graphs are its own, and whether its answers must be
rewritten before a client sees them. Three are known:

* ``oxigraph``: the Oxigraph server (``/query``, ``/update``, ``/store``); it reads the union
  when asked with its ``union-default-graph`` parameter;
* ``virtuoso``: OpenLink Virtuoso 7 (``/sparql`` for queries and updates,
  ``/sparql-graph-crud`` for the Graph Store); a query without a dataset reads every graph,
  its own system graphs included; see :mod:`kg_service.backends.virtuoso`;
* ``sparql11``: any other SPARQL 1.1 server, asked exactly as the standard says.

Code that only one engine needs (Virtuoso's) lives in that engine's module and is called where
``engine is VIRTUOSO``; what is plain data (paths, graphs, parameters) is in this table.

The engine is named by ``Settings.remote_engine`` or, with ``auto`` (the default), told from
the ``Server`` header of the endpoint's answer to ``ASK {}``.

>>> engine_from_server_header("Virtuoso/07.20.3229 (Linux) x86_64-pc-linux-gnu").name
'virtuoso'
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from kg_service.settings import Settings

__all__ = [
    "ENGINES",
    "PROBE",
    "OXIGRAPH",
    "SPARQL11",
    "VIRTUOSO",
    "Engine",
    "RemoteURLs",
    "engine_from_server_header",
    "engine_named",
    "remote_urls",
]


#: A query every SPARQL endpoint answers at once; the ``Server`` header of its answer names the
#: engine (``Oxigraph/0.5.13``, ``Virtuoso/07.20.3229 …``).
PROBE = "ASK {}"


@dataclass(frozen=True)
class Engine:
    """What the remote backend must know of one kind of SPARQL server."""

    name: str
    #: the update endpoint, relative to the query endpoint's folder (``None``: the endpoint)
    update_path: str | None = None
    #: the Graph Store endpoint, relative to the query endpoint's folder (``None``: unknown)
    store_path: str | None = None
    #: the union default graph is asked for with Oxigraph's ``union-default-graph=true``
    union_parameter: bool = False
    #: graphs the server makes for itself: never shown to clients, never deleted by ``load``
    system_graphs: tuple[str, ...] = ()
    #: the server has no default graph of its own: this named graph plays the stored one
    stored_default_graph: str | None = None


OXIGRAPH = Engine("oxigraph", update_path="update", store_path="store", union_parameter=True)

VIRTUOSO = Engine(
    "virtuoso",
    store_path="sparql-graph-crud",
    system_graphs=(
        "http://www.openlinksw.com/schemas/virtrdf#",
        "http://www.w3.org/ns/ldp#",
        "http://localuriqaserver/sparql",
    ),
    # under the service's internal prefix (kg_service.query.union.INTERNAL): hidden from clients
    stored_default_graph="urn:x-benelux-kg:default",
)

SPARQL11 = Engine("sparql11")

ENGINES = {engine.name: engine for engine in (OXIGRAPH, VIRTUOSO, SPARQL11)}


def engine_named(name: str) -> Engine | None:
    """The engine called ``name``; ``None`` for ``auto`` (detect it)."""
    if name == "auto":
        return None
    try:
        return ENGINES[name]
    except KeyError:
        known = ", ".join(["auto", *ENGINES])
        raise ValueError(f"unknown remote engine {name!r} (one of: {known})") from None


def engine_from_server_header(server: str, endpoint: str = "") -> Engine:
    """The engine a ``Server`` header names (an endpoint ending in ``/query``: Oxigraph-like)."""
    product = server.split("/", 1)[0].strip().lower()
    if product in ENGINES:
        return ENGINES[product]
    return OXIGRAPH if httpx.URL(endpoint).path.endswith("/query") else SPARQL11


@dataclass(frozen=True)
class RemoteURLs:
    """Where the remote answers queries, updates and Graph Store requests (may be unknown)."""

    query: str
    update: str
    store: str | None


def remote_urls(settings: Settings, engine: Engine | None = None) -> RemoteURLs:
    """The query, update and Graph Store URLs of the remote, given settings and its engine.

    Without ``engine`` the endpoint's shape decides (``…/query``: the Oxigraph server).

    >>> remote_urls(Settings(endpoint="http://127.0.0.1:7878/query")).store
    'http://127.0.0.1:7878/store'
    >>> remote_urls(Settings(endpoint="http://h:8890/sparql"), VIRTUOSO).store
    'http://h:8890/sparql-graph-crud'
    """
    if not settings.endpoint:
        raise ValueError("the remote backend needs --endpoint URL (or BENELUX_KG_ENDPOINT)")
    url = httpx.URL(settings.endpoint)
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"the remote endpoint must be an http(s) URL, not {settings.endpoint!r}")
    engine = engine or engine_from_server_header("", settings.endpoint)
    parent = url.path.rpartition("/")[0]

    def sibling(path: str | None) -> str | None:
        return str(url.copy_with(path=f"{parent}/{path}", query=None)) if path else None

    update = settings.remote_update_url or sibling(engine.update_path) or str(url)
    return RemoteURLs(str(url), update, settings.remote_store_url or sibling(engine.store_path))
