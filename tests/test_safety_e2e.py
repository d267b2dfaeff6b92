"""Refusals, writes, timeouts and the concurrency cap, each against a real served process."""

import hashlib
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from conftest import start_server, stop_server

pytestmark = pytest.mark.e2e

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"  # the union default graph


@pytest.fixture(scope="module")
def writable(settings, built, tmp_path_factory):
    log = tmp_path_factory.mktemp("writable") / "serve.log"
    srv = start_server(
        settings.build_path,
        log,
        "--update-token",
        TOKEN,
        env={"BENELUX_KG_MAX_BODY_BYTES": "100000"},
    )
    yield srv
    stop_server(srv)


@pytest.fixture(scope="module")
def limited(settings, built, tmp_path_factory):
    log = tmp_path_factory.mktemp("limited") / "serve.log"
    srv = start_server(
        settings.build_path,
        log,
        "--query-timeout",
        "2",
        "--max-concurrent",
        "2",
        "--max-queue",
        "1",
        "--workers",
        "1",
    )
    yield srv
    stop_server(srv)


def count(client: httpx.Client) -> int:
    r = client.get("/sparql", params={"query": COUNT})
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_service_is_refused_and_nothing_is_reached(server, listener):
    q = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}"
    with server.client() as http:
        r = http.get("/sparql", params={"query": q})
    time.sleep(0.3)
    assert r.status_code == 400 and "SERVICE" in r.text
    assert listener.connections == 0


def test_from_file_is_refused(server):
    with server.client() as http:
        r = http.get("/sparql", params={"query": "SELECT * FROM <file:///etc/passwd> { ?s ?p ?o }"})
    assert r.status_code == 400 and "file" in r.text
    assert "root:" not in r.text


def test_load_is_refused_and_nothing_changes(writable, listener):
    with writable.client() as http:
        before = count(http)
        for target in ("file:///etc/passwd", f"http://127.0.0.1:{listener.port}/data.ttl"):
            r = http.post("/update", data={"update": f"LOAD <{target}>"}, headers=AUTH)
            assert r.status_code == 400 and "LOAD" in r.text
        assert count(http) == before
    assert listener.connections == 0


def test_write_without_or_with_wrong_token(writable):
    with writable.client() as http:
        before = count(http)
        update = {
            "update": "INSERT DATA { GRAPH <http://example.org/g> "
            "{ <http://example.org/a> <http://example.org/b> 1 } }"
        }
        assert http.post("/update", data=update).status_code == 401
        bad = {"Authorization": "Bearer wrong"}
        r = http.post("/update", data=update, headers=bad)
        assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
        assert count(http) == before
        assert http.post("/update", data=update, headers=AUTH).status_code == 204
        assert count(http) == before + 1


def test_update_is_atomic(writable):
    with writable.client() as http:
        before = count(http)
        update = (
            "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/x> "
            "<http://example.org/y> 2 } } ; DROP GRAPH <http://example.org/never-there>"
        )
        r = http.post("/update", data={"update": update}, headers=AUTH)
        assert r.status_code >= 400
        assert count(http) == before


def test_oversized_body_is_413_and_nothing_changes(writable):
    with writable.client() as http:
        before = count(http)
        big = "INSERT DATA { " + "<http://example.org/s> <http://example.org/p> 1 . " * 5000 + "}"
        r = http.post(
            "/update",
            content=big.encode(),
            headers={**AUTH, "Content-Type": "application/sparql-update"},
        )
        assert r.status_code == 413
        assert count(http) == before


def test_graph_store_writes(writable):
    g = "http://example.org/graph/gsp"
    with writable.client() as http:
        ttl = {"Content-Type": "text/turtle", **AUTH}
        assert (
            http.put(
                "/store",
                params={"graph": g},
                content="<http://a/s> <http://a/p> 1, 2 .",
                headers=ttl,
            ).status_code
            == 201
        )
        assert (
            http.post(
                "/store", params={"graph": g}, content="<http://a/s> <http://a/p> 3 .", headers=ttl
            ).status_code
            == 204
        )
        nt = http.get("/store", params={"graph": g}, headers={"Accept": "application/n-triples"})
        assert len(nt.text.strip().splitlines()) == 3
        bad = http.put("/store", params={"graph": g}, content="<a> <b", headers=ttl)
        assert bad.status_code == 400
        assert http.delete("/store", params={"graph": g}, headers=AUTH).status_code == 204
        assert http.get("/store", params={"graph": g}).status_code == 404


def test_union_default_graph_is_a_set_and_the_inferred_graph_not_writable(writable):
    with writable.client() as http:
        twice = (
            "INSERT DATA { GRAPH <http://example.org/g1> { <http://example.org/t> "
            "<http://example.org/p> 1 } GRAPH <http://example.org/g2> { <http://example.org/t> "
            "<http://example.org/p> 1 } }"
        )
        assert http.post("/update", data={"update": twice}, headers=AUTH).status_code == 204
        q = "SELECT (COUNT(*) AS ?n) WHERE { <http://example.org/t> ?p ?o }"
        r = http.get("/sparql", params={"query": q})
        assert r.json()["results"]["bindings"][0]["n"]["value"] == "1"
        put = http.put(
            "/store",
            params={"graph": "https://w3id.org/benelux-kg/graph/inferred"},
            content=b"<http://a/b> <http://a/c> 1 .",
            headers={**AUTH, "Content-Type": "application/n-triples"},
        )
        assert put.status_code == 409 and "derived" in put.text


def test_memory_store_writes_never_touch_the_build(writable, settings):
    dump = settings.build_path / "benelux-kg.nq"
    before = hashlib.sha256(dump.read_bytes()).hexdigest()
    with writable.client() as http:
        r = http.post("/update", data={"update": "DROP ALL"}, headers=AUTH)
        assert r.status_code == 204 and count(http) == 0
    assert hashlib.sha256(dump.read_bytes()).hexdigest() == before


def test_timeout_stops_the_query_and_the_next_one_answers(limited):
    with limited.client() as http:
        start = time.monotonic()
        r = http.get("/sparql", params={"query": SLOW})
        took = time.monotonic() - start
        assert r.status_code == 503 and "time limit" in r.text
        assert took < 10
        assert http.get("/sparql", params={"query": "ASK {}"}).json()["boolean"] is True


def test_past_the_queue_bound_answers_503_with_retry_after(limited):
    def ask(_):
        with limited.client() as http:
            return http.get("/sparql", params={"query": SLOW})

    # 2 evaluating + 1 waiting per process; a process retiring after an earlier timeout may
    # still take its share beside its replacement: 16 at once overflow both
    with ThreadPoolExecutor(16) as pool:
        responses = list(pool.map(ask, range(16)))
    rejected = [r for r in responses if r.status_code == 503 and "Retry-After" in r.headers]
    assert rejected, [r.status_code for r in responses]
    # every one of those queries was a runaway: their processes retire and are replaced, and
    # the service answers again (within a deadline: replacements take a few seconds to start)
    deadline, status = time.monotonic() + 60, 0
    while status != 200 and time.monotonic() < deadline:
        with limited.client() as http:
            status = http.get("/sparql", params={"query": "ASK {}"}).status_code
    assert status == 200


def test_allow_listed_service_is_federated(server, settings, built, tmp_path):
    endpoint = f"{server.url}/sparql"
    env = {"BENELUX_KG_SERVICE_ALLOWLIST": endpoint}
    federating = start_server(settings.build_path, tmp_path / "fed.log", env=env)
    try:
        institution = "<https://w3id.org/benelux-kg/def/Institution>"
        q = f"SELECT ?i WHERE {{ SERVICE <{endpoint}> {{ ?i a {institution} }} }} ORDER BY ?i"
        with federating.client() as http:
            r = http.get("/sparql", params={"query": q})
            assert r.status_code == 200, r.text
            assert len(r.json()["results"]["bindings"]) == 5
            other = q.replace(endpoint, "http://127.0.0.1:9/sparql")
            assert http.get("/sparql", params={"query": other}).status_code == 400
    finally:
        stop_server(federating)
