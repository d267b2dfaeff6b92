"""The ``remote`` backend end to end, against real SPARQL servers on loopback ports.

Every test of this module that talks to a server runs twice: against the Oxigraph server and
against Debian's Virtuoso 7 (``tests/remote_engines.py`` starts them). ``benelux-kg load``
pushes the build into the server; ``benelux-kg serve --backend remote`` answers our protocol
from it: result formats, the W3C protocol runner, every example query with its expected
result, dereferencing (the linked-data tests, imported below), a write with a token; the server
goes away and comes back under a running service. What differs between the engines is handled
in ``kg_service/backends/`` (``engines.py``, ``virtuoso.py``), not here: both engines give
every example query its expected result.

A few in-process tests (``httpx.MockTransport``) cover what a real server never does here:
answering in another format than asked, failing with 5xx, timing out.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from conftest import Server, free_port, shared, start_server, stop_server
from rdflib import Graph
from rdflib.compare import isomorphic
from remote_engines import SparqlServer, start_engine

# Dereferencing: the linked-data tests themselves, collected here too and run against each
# remote through this module's ``http`` fixture.
from test_linked_data import (  # noqa: F401
    test_406_when_nothing_fits,
    test_extension_urls,
    test_format_parameter,
    test_head,
    test_html_page_in_the_language_asked,
    test_html_page_links_provenance_and_formats,
    test_link_and_content_location_headers,
    test_ontology_iri_gives_the_ontology_graph,
    test_ontology_term_pages,
    test_rdf_by_content_negotiation,
    test_unknown_iri_is_404_with_a_page_for_people,
)
from test_queries import QUERIES, assert_same_results, expected_file

# Signposting and the schema.org Dataset (the landing page's coverage query runs on the remote)
from test_signposting import (  # noqa: F401
    dataset,
    landing,
    test_a_resource_signposts_its_iri_forms_types_and_licence,
    test_landing_page_signposts,
    test_the_landing_page_embeds_a_schema_org_dataset,
)

from kg_service.backends import virtuoso
from kg_service.backends.engines import VIRTUOSO, engine_from_server_header, remote_urls
from kg_service.backends.remote import RemoteStore, remote_accept
from kg_service.errors import BackendUnavailable, BadRequest, QuerySyntaxError, QueryTimeout
from kg_service.query.contract import QueryRequest
from kg_service.rdf.namespaces import SEARCH_SERVICE
from kg_service.settings import Settings

pytestmark = pytest.mark.e2e

TOKEN = "remote-test-token"
INSTITUTION = "https://w3id.org/benelux-kg/def/Institution"
INSTITUTIONS = f"SELECT DISTINCT ?i WHERE {{ ?i a <{INSTITUTION}> }} ORDER BY ?i"
STRAY = "https://example.org/stray-graph"


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("oxigraph", marks=pytest.mark.xdist_group("remote-oxigraph")),
        pytest.param("virtuoso", marks=pytest.mark.xdist_group("remote-virtuoso")),
    ],
)
def engine(request, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparqlServer]:
    """A running SPARQL server of each kind, in its own temporary folder (removed after)."""
    folder = tmp_path_factory.mktemp(request.param)
    server = start_engine(request.param, folder)
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


def _cli(*args: str, settings: Settings) -> subprocess.CompletedProcess:
    env = {**os.environ, "BENELUX_KG_BUILD_DIR": str(settings.build_path)}
    return subprocess.run(
        [sys.executable, "-m", "kg_service.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def loaded(engine: SparqlServer, built, settings: Settings) -> subprocess.CompletedProcess:
    """``benelux-kg load`` into a server that already holds a graph the build does not have."""
    engine.update(f"INSERT DATA {{ GRAPH <{STRAY}> {{ <urn:a> <urn:b> <urn:c> }} }}")
    return _cli("load", "--endpoint", engine.endpoint, settings=settings)


@pytest.fixture(scope="module")
def remote(loaded, engine: SparqlServer, settings: Settings, tmp_path_factory) -> Iterator[Server]:
    """Our service on the remote backend, with writes enabled."""
    log = tmp_path_factory.mktemp("logs") / f"serve-remote-{engine.name}.log"
    args = ("--backend", "remote", "--endpoint", engine.endpoint)
    srv = start_server(settings.build_path, log, *args, "--update-token", TOKEN)
    yield srv
    stop_server(srv)


@pytest.fixture(scope="module")
def http(remote: Server) -> Iterator[httpx.Client]:
    """A client of the remote-backed service (the name the linked-data tests use)."""
    with remote.client() as client:
        yield client


def _sparql(server: Server, query: str, accept: str | None = None) -> httpx.Response:
    headers = {"Accept": accept} if accept else {}
    with server.client() as http:
        return http.post("/sparql", data={"query": query}, headers=headers)


# --- load -----------------------------------------------------------------------------------


def test_load_pushes_exactly_the_build(loaded, engine: SparqlServer, built) -> None:
    assert loaded.returncode == 0, loaded.stderr
    rows = engine.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert int(rows[0]["n"]) == built.quads
    per_graph = engine.select(
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


def test_syntax_error_is_400_on_the_clients_line(remote: Server) -> None:
    """The line is the client's (what we prepend to the query stays on its first line)."""
    query = "SELECT * WHERE {\n  ?s ?p }"
    r = _sparql(remote, query)
    assert r.status_code == 400
    assert "syntax error" in r.text.lower() and "line 2" in r.text


def test_from_in_the_query_is_honoured(remote: Server, built) -> None:
    graph = "https://w3id.org/benelux-kg/graph/section/benelux-cooperation-deck-07"
    r = _sparql(remote, f"SELECT (COUNT(*) AS ?n) FROM <{graph}> WHERE {{ ?s ?p ?o }}")
    assert r.status_code == 200
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == built.graphs[graph]


def test_construct_asked_as_csv_is_406(remote: Server) -> None:
    r = _sparql(remote, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1", "text/csv")
    assert r.status_code == 406


def test_graph_store_read_through_the_remote(remote: Server, built) -> None:
    graph = "https://w3id.org/benelux-kg/graph/section/benelux-cooperation-deck-07"
    with remote.client() as http:
        r = http.get("/store", params={"graph": graph}, headers={"Accept": "application/n-triples"})
    assert r.status_code == 200
    assert len(list(ox.parse(r.content, format=ox.RdfFormat.N_TRIPLES))) == built.graphs[graph]


# --- the example queries, with their expected results ---------------------------------------


#: the examples that search the full-text index, which a remote store does not have
SEARCHING = [q for q in QUERIES if SEARCH_SERVICE in q.read_text(encoding="utf-8")]


@pytest.mark.parametrize("query", SEARCHING, ids=lambda q: q.stem)
def test_a_search_example_is_refused_in_words_on_a_remote_store(
    remote: Server, query: Path
) -> None:
    r = _sparql(remote, query.read_text(encoding="utf-8"), None)
    assert r.status_code == 400, r.text
    assert "Full-text search in SPARQL needs" in r.text


@pytest.mark.parametrize("query", [q for q in QUERIES if q not in SEARCHING], ids=lambda q: q.stem)
def test_example_query_gives_its_expected_result(remote: Server, query: Path) -> None:
    expected = expected_file(query)
    graph = expected.suffix == ".ttl"
    r = _sparql(remote, query.read_text(encoding="utf-8"), "text/turtle" if graph else None)
    assert r.status_code == 200, r.text
    if graph:
        wanted = Graph().parse(expected, format="turtle")
        assert isomorphic(Graph().parse(data=r.content, format="turtle"), wanted), query.stem
    else:
        assert_same_results(r.json(), json.loads(expected.read_bytes()), query.stem)


#: Booleans that expressions compute, bound by BIND and by SELECT (Virtuoso types them as
#: xsd:integer 0/1 unless the backend casts them), beside two values that are no booleans.
COMPUTED_BOOLEANS = """SELECT ?exists ?absent ?less ?bound ?constant ?chosen (1 IN (1, 2) AS ?in)
  ?two ?one
WHERE {
  BIND (EXISTS { GRAPH ?g { ?s ?p ?o } } AS ?exists)
  BIND (NOT EXISTS { GRAPH ?g { ?s <urn:nothing> ?o } } AS ?absent)
  BIND ((1 < 2) AS ?less)
  BIND (BOUND(?unbound) AS ?bound)
  BIND (false AS ?constant)
  BIND (IF(1 = 2, true, false) AS ?chosen)
  BIND (1 + 1 AS ?two)
  BIND (IF(1 = 1, 1, 0) AS ?one)
}"""


def _typed(value: str, datatype: str) -> dict:
    return {"type": "literal", "value": value, "datatype": f"{virtuoso.XSD}{datatype}"}


def test_a_computed_boolean_is_a_boolean(remote: Server) -> None:
    r = _sparql(remote, COMPUTED_BOOLEANS, "application/sparql-results+json")
    assert r.status_code == 200, r.text
    truth = {"exists": "true", "absent": "true", "less": "true", "in": "true"}
    falsity = {"bound": "false", "constant": "false", "chosen": "false"}
    expected = {name: _typed(value, "boolean") for name, value in {**truth, **falsity}.items()}
    expected |= {"two": _typed("2", "integer"), "one": _typed("1", "integer")}
    assert r.json()["results"]["bindings"] == [expected]


def test_a_boolean_grouped_by_and_one_constructed_are_booleans(remote: Server) -> None:
    grouped = (
        "SELECT ?institution (COUNT(*) > 0 AS ?any) WHERE { GRAPH ?g { ?s a ?type } }"
        f" GROUP BY (?type = <{INSTITUTION}> AS ?institution) ORDER BY ?institution"
    )
    r = _sparql(remote, grouped, "application/sparql-results+json")
    assert r.status_code == 200, r.text
    rows = [(row["institution"], row["any"]) for row in r.json()["results"]["bindings"]]
    yes, no = _typed("true", "boolean"), _typed("false", "boolean")
    assert rows == [(no, yes), (yes, yes)]
    built = (
        "CONSTRUCT { <urn:x> <urn:y> ?b } WHERE { BIND (EXISTS { GRAPH ?g { ?s ?p ?o } } AS ?b) }"
    )
    r = _sparql(remote, built, "application/n-triples")
    assert r.status_code == 200, r.text
    [triple] = ox.parse(r.content, format=ox.RdfFormat.N_TRIPLES)
    assert triple.object == ox.Literal(True)


def test_the_protocol_runner_passes(remote: Server, tmp_path: Path, monkeypatch) -> None:
    """The W3C protocol runner (../shared/conformance), with updates (the dataset tests)."""
    shared("conformance")
    import test_conformance

    monkeypatch.setattr(test_conformance, "TOKEN", TOKEN)  # the runner's SPARQL_AUTH
    _, out = test_conformance.run_kit(
        "sparql_protocol.py",
        f"{remote.url}/sparql",
        "--update-url",
        f"{remote.url}/update",
        tmp_path=tmp_path,
    )
    assert test_conformance.counts(out) == (37, 0, 0), out


# --- writes with a token --------------------------------------------------------------------

BEARER = {"Authorization": f"Bearer {TOKEN}"}


def test_update_lands_in_the_remote(remote: Server, engine: SparqlServer) -> None:
    graph = "https://example.org/graph/update-test"
    insert = f'INSERT DATA {{ GRAPH <{graph}> {{ <urn:x> <urn:label> "via benelux-kg" }} }}'
    check = f'ASK {{ GRAPH <{graph}> {{ <urn:x> <urn:label> "via benelux-kg" }} }}'
    with remote.client() as http:
        refused = http.post("/update", data={"update": insert})
        assert refused.status_code == 401 and not engine.ask(check)
        try:
            r = http.post("/update", data={"update": insert}, headers=BEARER)
            assert r.status_code == 204, r.text
            assert engine.ask(check)
        finally:
            http.post("/update", data={"update": f"DROP SILENT GRAPH <{graph}>"}, headers=BEARER)
    assert not engine.ask(check)


def test_graph_store_writes_with_blank_nodes(remote: Server) -> None:
    """PUT (201, then 204), GET, POST, DELETE (then 404) of a named graph with a blank node."""
    graph = {"graph": "https://example.org/graph/gsp-test"}
    body = '<urn:s> <urn:p> [ <urn:q> "x"@en ] .'
    turtle = {**BEARER, "Content-Type": "text/turtle"}
    with remote.client() as http:
        assert http.put("/store", params=graph, content=body, headers=turtle).status_code == 201
        assert http.put("/store", params=graph, content=body, headers=turtle).status_code == 204
        more = "<urn:s> <urn:p> <urn:o> ."
        assert http.post("/store", params=graph, content=more, headers=turtle).status_code == 204
        got = http.get("/store", params=graph, headers={"Accept": "application/n-triples"})
        assert got.status_code == 200 and len(got.text.strip().splitlines()) == 3, got.text
        assert http.delete("/store", params=graph, headers=BEARER).status_code == 204
        assert http.get("/store", params=graph).status_code == 404


def test_the_stored_default_graph_is_written_and_read_alone(remote: Server) -> None:
    """A write that names no graph goes to the stored default graph; queries see it in the
    union; ``GET /store?default`` returns it alone; ``DROP DEFAULT`` empties it."""
    triple = '<urn:default-test> <urn:p> "in the default graph"'
    with remote.client() as http:
        r = http.post("/update", data={"update": f"INSERT DATA {{ {triple} }}"}, headers=BEARER)
        assert r.status_code == 204, r.text
        try:
            seen = _sparql(remote, f"ASK {{ {triple} }}").json()["boolean"]
            stored = http.get("/store?default", headers={"Accept": "application/n-triples"})
        finally:
            dropped = http.post("/update", data={"update": "DROP DEFAULT"}, headers=BEARER)
    assert seen is True
    assert stored.status_code == 200 and stored.text.count("\n") == 1, stored.text
    assert dropped.status_code == 204, dropped.text
    assert _sparql(remote, f"ASK {{ {triple} }}").json()["boolean"] is False


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> } }",  # a triple with no object
        "INSERT DATA { GRAPH ?g { <urn:a> <urn:b> <urn:c> } }",  # a variable in DATA
        "INSERT DATA { ex:a ex:b ex:c }",  # an undeclared prefix
    ],
)
def test_a_bad_update_is_a_clear_4xx(remote: Server, update: str) -> None:
    with remote.client() as http:
        r = http.post("/update", data={"update": update}, headers=BEARER)
    assert 400 <= r.status_code < 500 and r.text.strip(), r.text


# --- the remote goes away and comes back ----------------------------------------------------


def test_remote_down_is_502_fast_then_recovers(remote: Server, engine: SparqlServer) -> None:
    query = f"ASK {{ ?i a <{INSTITUTION}> }}"
    assert _sparql(remote, query).status_code == 200
    engine.stop()
    try:
        started = time.monotonic()
        down = _sparql(remote, query)
        elapsed = time.monotonic() - started
        with remote.client() as http:
            health = http.get("/healthz")
    finally:
        engine.start()
    assert down.status_code in (502, 503) and elapsed < 5
    assert f"127.0.0.1:{engine.port}" in down.text
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
    urls = remote_urls(Settings(endpoint=ENDPOINT))
    assert (urls.update, urls.store) == (
        "http://remote.test/sparql/update",
        "http://remote.test/sparql/store",
    )
    other = remote_urls(Settings(endpoint="http://h/sparql"))
    assert (other.update, other.store) == ("http://h/sparql", None)


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


# --- in process: the engines and Virtuoso's departures, unit by unit -------------------------


@pytest.mark.parametrize(
    ("server", "endpoint", "engine"),
    [
        ("Oxigraph/0.5.13", "http://h/x", "oxigraph"),
        ("Virtuoso/07.20.3229 (Linux) x86_64-pc-linux-gnu", "http://h/sparql", "virtuoso"),
        ("Apache-Jena-Fuseki/5.0", "http://h/ds/sparql", "sparql11"),
        ("", "http://h/ds/query", "oxigraph"),  # no header: the endpoint's shape decides
    ],
)
def test_the_engine_is_told_by_its_server_header(server: str, endpoint: str, engine: str) -> None:
    assert engine_from_server_header(server, endpoint).name == engine


def test_virtuoso_urls() -> None:
    urls = remote_urls(Settings(endpoint="http://h:8890/sparql"), VIRTUOSO)
    assert (urls.update, urls.store) == ("http://h:8890/sparql", "http://h:8890/sparql-graph-crud")


@pytest.mark.parametrize(
    ("query", "sent"),
    [
        ("ASK { ?s ?p ?o }", "SELECT * { ?s ?p ?o } LIMIT 1 "),
        ("ask { GRAPH <g> { } }", "SELECT * { GRAPH <g> { ?kg_s ?kg_p ?kg_o  } } LIMIT 1 "),
        ("ASK {} LIMIT 3", "SELECT * {} LIMIT 3"),
        (
            "ASK { ?s ?p ?o } VALUES ?s { <u:a> }",
            "SELECT * { ?s ?p ?o }  LIMIT 1 VALUES ?s { <u:a> }",
        ),
        ("SELECT * { GRAPH ?g { } }", "SELECT * { GRAPH ?g { } }"),  # only ASK is rewritten
    ],
)
def test_virtuoso_gets_an_ask_as_a_select(query: str, sent: str) -> None:
    assert virtuoso.prepare_query(query) == sent


@pytest.mark.parametrize(
    ("expression", "boolean"),
    [
        ("EXISTS { ?s ?p ?o }", True),
        ("NOT EXISTS { ?s ?p ?o }", True),
        ("?a != ?b || ?c", True),
        ("!BOUND(?x)", True),
        ("?x NOT IN (1, 2)", True),
        ("((?a <= 2))", True),
        ("false", True),
        ("sameTerm(?a, ?b)", True),
        ("IF(?c, true, ?a > 1)", True),
        ("COALESCE(?a = 1, false)", True),
        ("?a", False),
        ("1 + 1", False),
        ("(1) + (2)", False),
        ("IF(?a < 1, 1, 0)", False),  # a boolean inside, an integer out
        ("COALESCE(?a = 1, 0)", False),
        ('CONCAT("a", "<", "b")', False),
        ("xsd:boolean(?a)", False),  # already a boolean in Virtuoso
    ],
)
def test_virtuoso_gets_a_computed_boolean_cast(expression: str, boolean: bool) -> None:
    query = f"SELECT ?v {{ BIND ({expression} AS ?v) }}"
    cast = f"SELECT ?v {{ BIND (<{virtuoso.XSD}boolean>({expression}) AS ?v) }}"
    assert virtuoso.prepare_query(query) == (cast if boolean else query)


def test_virtuoso_gets_booleans_cast_where_a_query_binds_them() -> None:
    """In SELECT, GROUP BY and a BIND inside EXISTS; never in a string, comment or FILTER."""
    query = (
        'SELECT (?a = 1 AS ?x) ("(1 = 1 AS ?s)" AS ?t) WHERE {  # (1 = 1 AS ?c)\n'
        "  FILTER (?a > 1) BIND (EXISTS { BIND (2 > 1 AS ?y) } AS ?z) } GROUP BY (?a < 1 AS ?g)"
    )
    xsd = f"<{virtuoso.XSD}boolean>"
    assert virtuoso.prepare_query(query) == (
        f'SELECT ({xsd}(?a = 1) AS ?x) ("(1 = 1 AS ?s)" AS ?t) WHERE {{  # (1 = 1 AS ?c)\n'
        f"  FILTER (?a > 1) BIND ({xsd}(EXISTS {{ BIND ({xsd}(2 > 1) AS ?y) }}) AS ?z) }}"
        f" GROUP BY ({xsd}(?a < 1) AS ?g)"
    )


def test_virtuoso_updates_name_the_stored_default_graph_only_without_where() -> None:
    data = virtuoso.prepare_update("INSERT DATA { <u:a> <u:b> <u:c> } ; DROP GRAPH <g>", "urn:d")
    assert data == (
        "define input:default-graph-uri <urn:d> "
        "INSERT DATA { <u:a> <u:b> <u:c> } ; DROP SILENT GRAPH <g>"
    )
    where = "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"
    assert virtuoso.prepare_update(where, "urn:d") == where


def test_virtuoso_results_are_made_standard() -> None:
    raw = {
        "head": {"link": [], "vars": ["b", "n", "x"]},
        "results": {
            "bindings": [
                {
                    "b": {
                        "type": "typed-literal",
                        "datatype": f"{virtuoso.XSD}boolean",
                        "value": "1",
                    },
                    "n": {"type": "bnode", "value": "nodeID://b10026"},
                    "x": {"type": "literal", "xml:lang": "fr", "value": "é"},
                }
            ]
        },
    }
    fixed = json.loads(virtuoso.results_json(json.dumps(raw).encode(), ask=False))
    assert fixed["results"]["bindings"][0] == {
        "b": {"type": "literal", "datatype": f"{virtuoso.XSD}boolean", "value": "true"},
        "n": {"type": "bnode", "value": "b10026"},
        "x": {"type": "literal", "xml:lang": "fr", "value": "é"},
    }
    assert json.loads(virtuoso.results_json(json.dumps(raw).encode(), ask=True))["boolean"]


@pytest.mark.parametrize(
    ("text", "error", "status"),
    [
        (
            "Virtuoso 37000 Error SP030: SPARQL compiler, line 3: syntax error at ')' "
            "before '}'\n\nSPARQL query:\n…",
            QuerySyntaxError,
            400,
        ),
        (
            "Virtuoso 22023 Error SPARUL_DROP() failed: graph <g> has not been explicitly created",
            BadRequest,
            400,
        ),
        (
            "Virtuoso 42000 Error SR186:SECURITY: No permission to execute procedure "
            "DB.DBA.SPARUL_RUN",
            BackendUnavailable,
            502,
        ),
        ("Virtuoso S1T00 Error SR171: Transaction timed out", QueryTimeout, 503),
    ],
)
def test_virtuoso_errors_keep_their_meaning(text: str, error: type, status: int) -> None:
    found = virtuoso.error(text, "query", "http://h/sparql")
    assert type(found) is error and found.status == status
    assert "SPARQL query:" not in found.message  # the echoed query is left out
