"""The ``remote`` backend end to end, against a real Oxigraph server on a loopback port.

``benelux-kg load`` pushes the build into the server; ``benelux-kg serve --backend remote``
answers our protocol from it; the server goes away and comes back under a running service.
A few in-process tests (``httpx.MockTransport``) cover what a real Oxigraph never does:
answering in another format than asked, failing with 5xx, timing out.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from conftest import Server, free_port, start_server, stop_server

from kg_service.backends.remote import RemoteStore, remote_accept, remote_urls
from kg_service.errors import BackendUnavailable, QuerySyntaxError, QueryTimeout
from kg_service.query.contract import QueryRequest
from kg_service.query.syntax import explain
from kg_service.settings import Settings

pytestmark = pytest.mark.e2e

OXIGRAPH = Path(sys.executable).parent / "oxigraph"
TOKEN = "remote-test-token"
INSTITUTION = "https://w3id.org/benelux-kg/def/Institution"
INSTITUTIONS = f"SELECT DISTINCT ?i WHERE {{ ?i a <{INSTITUTION}> }} ORDER BY ?i"
STRAY = "https://example.org/stray-graph"


@dataclass
class Oxigraph:
    """An ``oxigraph serve`` process that can be stopped and started again in place."""

    location: Path
    port: int
    log: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [str(OXIGRAPH), "serve", "--location", str(self.location)]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [*command, "--bind", f"127.0.0.1:{self.port}"], stdout=out, stderr=out
            )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"oxigraph exited:\n{self.log.read_text()}")
            try:
                if self.ask("ASK {}") is not None:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError(f"oxigraph did not answer:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def select(self, query: str) -> list[dict]:
        """The rows of a SELECT asked of the server directly, as plain strings."""
        r = httpx.post(
            self.url + "/query",
            data={"query": query},
            headers={"Accept": "application/sparql-results+json"},
            timeout=10,
            trust_env=False,
        )
        r.raise_for_status()
        rows = r.json()["results"]["bindings"]
        return [{k: v["value"] for k, v in row.items()} for row in rows]

    def ask(self, query: str) -> bool:
        r = httpx.post(self.url + "/query", data={"query": query}, timeout=2, trust_env=False)
        r.raise_for_status()
        return r.json()["boolean"]

    def update(self, update: str) -> None:
        r = httpx.post(self.url + "/update", data={"update": update}, timeout=10, trust_env=False)
        r.raise_for_status()


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Oxigraph]:
    folder = tmp_path_factory.mktemp("oxigraph")
    server = Oxigraph(folder / "db", free_port(), folder / "oxigraph.log")
    server.start()
    yield server
    server.stop()


def _cli(*args: str, settings: Settings) -> subprocess.CompletedProcess:
    env = {**os.environ, "BENELUX_KG_BUILD_DIR": str(settings.build_path)}
    return subprocess.run(
        [sys.executable, "-m", "kg_service.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def loaded(oxigraph: Oxigraph, built, settings: Settings) -> subprocess.CompletedProcess:
    """``benelux-kg load`` into a server that already holds a graph the build does not have."""
    oxigraph.update(f"INSERT DATA {{ GRAPH <{STRAY}> {{ <urn:a> <urn:b> <urn:c> }} }}")
    return _cli("load", "--endpoint", oxigraph.url + "/query", settings=settings)


@pytest.fixture(scope="module")
def remote(loaded, oxigraph: Oxigraph, settings: Settings, tmp_path_factory) -> Iterator[Server]:
    """Our service on the remote backend, with writes enabled."""
    log = tmp_path_factory.mktemp("logs") / "serve-remote.log"
    args = ("--backend", "remote", "--endpoint", oxigraph.url + "/query")
    srv = start_server(settings.build_path, log, *args, "--update-token", TOKEN)
    yield srv
    stop_server(srv)


def _sparql(server: Server, query: str, accept: str | None = None) -> httpx.Response:
    headers = {"Accept": accept} if accept else {}
    with server.client() as http:
        return http.post("/sparql", data={"query": query}, headers=headers)


# --- load -----------------------------------------------------------------------------------


def test_load_pushes_exactly_the_build(loaded, oxigraph: Oxigraph, built) -> None:
    assert loaded.returncode == 0, loaded.stderr
    rows = oxigraph.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert int(rows[0]["n"]) == built.quads
    per_graph = oxigraph.select(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    )
    assert {row["g"]: int(row["n"]) for row in per_graph} == built.graphs
    assert STRAY in loaded.stdout and f"loaded {built.quads} triples" in loaded.stdout


def test_load_reports_an_unreachable_remote(settings: Settings, built) -> None:
    dead = f"http://127.0.0.1:{free_port()}/query"
    started = time.monotonic()
    result = _cli("load", "--endpoint", dead, settings=settings)
    assert result.returncode == 1
    assert "cannot be reached" in result.stderr and dead in result.stderr
    assert "Traceback" not in result.stderr
    assert time.monotonic() - started < 30


# --- queries through /sparql ----------------------------------------------------------------


def _institutions(r: httpx.Response, fmt: ox.QueryResultsFormat | None) -> list[str]:
    if fmt is None:  # CSV: plain values, header first
        rows = list(csv.reader(io.StringIO(r.text)))
        assert rows[0] == ["i"]
        return [row[0] for row in rows[1:] if row]
    return [solution["i"].value for solution in ox.parse_query_results(r.content, format=fmt)]


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
        ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
        ("text/csv", None),
        ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
    ],
)
def test_select_in_each_results_format(remote: Server, accept: str, fmt) -> None:
    r = _sparql(remote, INSTITUTIONS, accept)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(accept)
    institutions = _institutions(r, fmt)
    assert len(institutions) == 5
    assert all(i.startswith("https://w3id.org/benelux-kg/id/") for i in institutions)


def test_ask_true_and_false(remote: Server) -> None:
    yes = _sparql(remote, f"ASK {{ ?i a <{INSTITUTION}> }}")
    no = _sparql(remote, "ASK { ?s <urn:no-such-property> ?o }", "application/sparql-results+xml")
    assert yes.status_code == no.status_code == 200
    assert yes.headers["content-type"].startswith("application/sparql-results+json")
    assert yes.json()["boolean"] is True
    assert "<boolean>false</boolean>" in no.text


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [("text/turtle", ox.RdfFormat.TURTLE), ("application/ld+json", ox.RdfFormat.JSON_LD)],
)
def test_construct_as_turtle_and_jsonld(remote: Server, accept: str, fmt) -> None:
    query = f"CONSTRUCT {{ ?i a <{INSTITUTION}> }} WHERE {{ ?i a <{INSTITUTION}> }}"
    r = _sparql(remote, query, accept)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(accept)
    triples = list(ox.parse(r.content, format=fmt))
    assert len(triples) == 5 and all(t.object.value == INSTITUTION for t in triples)


def test_syntax_error_is_400_at_the_clients_position(remote: Server) -> None:
    query = "SELECT * WHERE { ?s ?p }"
    with pytest.raises(SyntaxError) as local:
        ox.Store().query(query)
    r = _sparql(remote, query)
    assert r.status_code == 400
    # the same sentence as for a local store: the remote's position, shifted back to the
    # client's text (the base it was sent with is not the client's)
    assert explain(str(local.value), query) in r.text
    assert "line 1, column 18" in r.text


def test_from_in_the_query_is_honoured(remote: Server, built) -> None:
    graph = "https://w3id.org/benelux-kg/graph/organisation"
    r = _sparql(remote, f"SELECT (COUNT(*) AS ?n) FROM <{graph}> WHERE {{ ?s ?p ?o }}")
    assert r.status_code == 200
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == built.graphs[graph]


def test_construct_asked_as_csv_is_406(remote: Server) -> None:
    r = _sparql(remote, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1", "text/csv")
    assert r.status_code == 406


def test_graph_store_read_through_the_remote(remote: Server, built) -> None:
    graph = "https://w3id.org/benelux-kg/graph/organisation"
    with remote.client() as http:
        r = http.get("/store", params={"graph": graph}, headers={"Accept": "application/n-triples"})
    assert r.status_code == 200
    assert len(list(ox.parse(r.content, format=ox.RdfFormat.N_TRIPLES))) == built.graphs[graph]


# --- updates --------------------------------------------------------------------------------


def test_update_lands_in_the_remote(remote: Server, oxigraph: Oxigraph) -> None:
    graph = "https://example.org/graph/update-test"
    insert = f'INSERT DATA {{ GRAPH <{graph}> {{ <urn:x> <urn:label> "via benelux-kg" }} }}'
    check = f'ASK {{ GRAPH <{graph}> {{ <urn:x> <urn:label> "via benelux-kg" }} }}'
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    with remote.client() as http:
        refused = http.post("/update", data={"update": insert})
        assert refused.status_code == 401 and not oxigraph.ask(check)
        try:
            r = http.post("/update", data={"update": insert}, headers=bearer)
            assert r.status_code == 204, r.text
            assert oxigraph.ask(check)
        finally:
            http.post("/update", data={"update": f"DROP SILENT GRAPH <{graph}>"}, headers=bearer)
    assert not oxigraph.ask(check)


# --- the remote goes away and comes back ----------------------------------------------------


def test_remote_down_is_502_fast_then_recovers(remote: Server, oxigraph: Oxigraph) -> None:
    query = f"ASK {{ ?i a <{INSTITUTION}> }}"
    assert _sparql(remote, query).status_code == 200
    oxigraph.stop()
    try:
        started = time.monotonic()
        down = _sparql(remote, query)
        elapsed = time.monotonic() - started
        with remote.client() as http:
            health = http.get("/healthz")
    finally:
        oxigraph.start()
    assert down.status_code in (502, 503) and elapsed < 5
    assert f"127.0.0.1:{oxigraph.port}" in down.text
    assert health.status_code == 200
    back = _sparql(remote, query)
    assert back.status_code == 200 and back.json()["boolean"] is True


# --- in process: what a real Oxigraph never does --------------------------------------------

ENDPOINT = "http://remote.test/sparql/query"
SELECT_JSON = json.dumps(
    {
        "head": {"vars": ["x"]},
        "results": {"bindings": [{"x": {"type": "literal", "value": "a,b"}}]},
    }
).encode()


def _run(handler, request: QueryRequest, **settings) -> tuple[str, str, bytes]:
    """Query a RemoteStore whose remote is ``handler``; return kind, format name, body."""

    async def go() -> tuple[str, str, bytes]:
        store = RemoteStore(
            Settings(endpoint=ENDPOINT, **settings), transport=httpx.MockTransport(handler)
        )
        await store.start()
        try:
            result = await store.query(request)
            body = b"".join([chunk async for chunk in result.body])
            return result.kind, result.format.name, body
        finally:
            await store.close()

    return asyncio.run(go())


def test_urls_of_an_oxigraph_like_endpoint() -> None:
    _, update, store = remote_urls(Settings(endpoint=ENDPOINT))
    assert (update, store) == (
        "http://remote.test/sparql/update",
        "http://remote.test/sparql/store",
    )
    assert remote_urls(Settings(endpoint="http://h/sparql"))[1:] == ("http://h/sparql", None)


def test_the_remote_is_asked_for_the_clients_format_first() -> None:
    accept = remote_accept(QueryRequest("SELECT * {}", accept="text/csv, text/turtle;q=0.5"))
    assert accept.startswith("text/csv, text/turtle,")
    assert "application/sparql-results+json;q=0.5" in accept


def test_results_in_another_format_are_converted() -> None:
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["accept"] = request.headers["accept"]
        seen["form"] = request.content.decode()
        headers = {"Content-Type": "application/sparql-results+json"}
        return httpx.Response(200, content=SELECT_JSON, headers=headers)

    kind, fmt, body = _run(handler, QueryRequest("SELECT ?x {}", format="csv"))
    assert (kind, fmt) == ("solutions", "csv")
    assert body.decode().splitlines() == ["x", '"a,b"']
    assert seen["accept"].startswith("text/csv") and "union-default-graph=true" in seen["form"]


def test_a_graph_in_another_format_is_converted() -> None:
    turtle = b"<urn:s> <urn:p> 'o' ."

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=turtle, headers={"Content-Type": "text/turtle"})

    kind, fmt, body = _run(handler, QueryRequest("CONSTRUCT {} {}", accept="application/ld+json"))
    assert (kind, fmt) == ("graph", "jsonld")
    assert json.loads(body) == [{"@id": "urn:s", "urn:p": [{"@value": "o"}]}]


def test_a_boolean_is_told_from_solutions() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Type": "application/sparql-results+json"}
        return httpx.Response(200, content=b'{"head":{},"boolean":true}', headers=headers)

    assert _run(handler, QueryRequest("ASK {}"))[:2] == ("boolean", "json")


@pytest.mark.parametrize(
    ("status", "error"),
    [(400, QuerySyntaxError), (500, BackendUnavailable), (503, BackendUnavailable)],
)
def test_remote_errors_keep_their_meaning(status: int, error: type) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, text="error at 1:3: " + "x" * 5000)

    with pytest.raises(error) as caught:
        _run(handler, QueryRequest("SELECT * {}"))
    assert 0 < len(caught.value.message) < 700


def test_a_slow_remote_is_a_timeout() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(QueryTimeout):
        _run(handler, QueryRequest("SELECT * {}"), query_timeout=0.5)
