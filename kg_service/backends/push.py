"""``benelux-kg load``: make a remote store's named graphs exactly the build's.

Each graph of the build's N-Quads dump is ``PUT`` to the remote's Graph Store; the remote's
other named graphs are deleted, except the engine's own system graphs (Virtuoso's
``virtrdf#`` graph holds its configuration: deleting it would break the server).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyoxigraph as ox

from kg_service.backends.engines import (
    PROBE,
    Engine,
    RemoteURLs,
    engine_from_server_header,
    engine_named,
    remote_urls,
)
from kg_service.backends.remote_errors import client_timeout, shown, status_error, transport_error
from kg_service.errors import BadRequest, BuildError
from kg_service.query.union import is_internal
from kg_service.rdf.formats import NQUADS, NTRIPLES
from kg_service.settings import Settings

__all__ = ["Pushed", "detect_engine", "push"]
#: Named graphs that hold a triple (Virtuoso answers ``GRAPH ?g { }`` wrongly, and keeps no
#: empty graph anyway).
LIST_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


@dataclass
class Pushed:
    """What ``push`` did: triples per graph uploaded, graphs removed, where, into what."""

    store_url: str
    engine: str = ""
    graphs: dict[str, int] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    #: the engine's own graphs its SPARQL user can see (queries will see them too)
    visible_system_graphs: list[str] = field(default_factory=list)


def detect_engine(settings: Settings, client: httpx.Client) -> Engine:
    """The remote's engine: the one the settings name, else told by its ``Server`` header."""
    named = engine_named(settings.remote_engine)
    if named is not None:
        return named
    endpoint = remote_urls(settings).query
    response = _call(client, "POST", endpoint, data={"query": PROBE})
    return engine_from_server_header(response.headers.get("server", ""), endpoint)


def push(settings: Settings, dump_path: Path | None = None) -> Pushed:
    """Make the remote's named graphs exactly the build's: PUT each one, DELETE the others.

    The remote's default graph is replaced only when the dump has default-graph triples.
    """
    from kg_service.build.layout import dump_path as build_dump

    dump = dump_path or build_dump(settings, NQUADS)
    if not dump.exists():
        raise BuildError(f"no dump at {dump}: run `benelux-kg build` first")
    timeout = client_timeout(max(settings.query_timeout, 300.0))
    with httpx.Client(timeout=timeout, trust_env=False, follow_redirects=False) as client:
        engine = detect_engine(settings, client)
        return _replace_graphs(client, engine, _urls(settings, engine), _by_graph(dump))


def _urls(settings: Settings, engine: Engine) -> RemoteURLs:
    urls = remote_urls(settings, engine)
    if urls.store is None:
        raise BadRequest(
            f"Cannot guess the Graph Store URL of {shown(urls.query)}: "
            "give --store-url (or BENELUX_KG_REMOTE_STORE_URL)."
        )
    return urls


def _replace_graphs(
    client: httpx.Client, engine: Engine, urls: RemoteURLs, graphs: dict[str | None, list]
) -> Pushed:
    assert urls.store is not None
    done = Pushed(urls.store, engine.name)
    keep = set(engine.system_graphs)
    before = _remote_graphs(client, urls.query)
    done.visible_system_graphs = sorted(before & keep)
    before -= keep
    for name, triples in graphs.items():
        _put(client, urls.store, name or engine.stored_default_graph, triples)
        if name is not None:
            done.graphs[name] = len(triples)
    for name in sorted(before - set(graphs)):
        if not is_internal(name):  # the service's own (a stored default graph) is not ours
            _call(client, "DELETE", urls.store, {"graph": name}, what="graph delete")
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
    rows = response.json()["results"]["bindings"]
    return {row["g"]["value"] for row in rows if "g" in row}


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
