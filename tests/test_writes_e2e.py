"""Writes that are never lost: the stored default graph, durable updates, views that follow.

Every test runs the real server on an on-disk store, with the union default graph on (the
default), and checks what queries see before and after a write, and after ``kill -9`` and a
restart of the whole server.
"""

from __future__ import annotations

import signal
import threading
import time
from email.utils import parsedate_to_datetime

import httpx
import pytest
from conftest import Server, start_server, stop_server
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF
from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore
from test_faults_e2e import updates

pytestmark = pytest.mark.e2e

TOKEN = "writes-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EX = "http://example.org/"
BASE = "https://w3id.org/benelux-kg/"
VOID = "http://rdfs.org/ns/void#"
INFERRED = "https://w3id.org/benelux-kg/graph/inferred"
INSTITUTIONS = (
    "SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i a <https://w3id.org/benelux-kg/def/Institution> }"
)


class Disk:
    """A server on an on-disk store that can be killed with SIGKILL and started again."""

    def __init__(self, settings, tmp_path) -> None:
        self.settings, self.tmp = settings, tmp_path
        self.args = ("--update-token", TOKEN, "--store", str(tmp_path / "store"))
        self.starts = 0
        self.server = self._start()

    def _start(self) -> Server:
        self.starts += 1
        log = self.tmp / f"serve-{self.starts}.log"
        return start_server(self.settings.build_path, log, *self.args)

    def kill_and_restart(self) -> None:
        self.server.process.send_signal(signal.SIGKILL)
        self.server.process.wait(10)
        self.server = self._start()

    def client(self) -> httpx.Client:
        return self.server.client()

    def close(self) -> None:
        stop_server(self.server)


@pytest.fixture
def disk(settings, built, tmp_path):
    srv = Disk(settings, tmp_path)
    yield srv
    srv.close()


def update(http: httpx.Client, text: str, status: int = 204) -> httpx.Response:
    r = http.post("/update", data={"update": text}, headers=AUTH)
    assert r.status_code == status, r.text
    return r


def values(http: httpx.Client, query: str, var: str = "o") -> list[str]:
    r = http.get("/sparql", params={"query": query})
    assert r.status_code == 200, r.text
    return sorted(b[var]["value"] for b in r.json()["results"]["bindings"] if var in b)


def number(http: httpx.Client, query: str) -> int:
    return int(values(http, query, "n")[0])


def objects(http: httpx.Client, subject: str, predicate: str = "p") -> list[str]:
    return values(http, f"SELECT ?o WHERE {{ <{EX}{subject}> <{EX}{predicate}> ?o }}")


def stored_default(http: httpx.Client) -> Graph:
    r = http.get("/store?default", headers={"Accept": "application/n-triples"})
    assert r.status_code == 200, r.text
    return Graph().parse(data=r.text, format="nt")


#: (name, what runs before, the update without GRAPH, subject, predicate, expected objects)
FORMS = [
    ("insert-data", None, f'INSERT DATA {{ <{EX}x1> <{EX}p> "1" }}', "x1", "p", ["1"]),
    (
        "delete-data",
        f'INSERT DATA {{ <{EX}x2> <{EX}p> "a", "b" }}',
        f'DELETE DATA {{ <{EX}x2> <{EX}p> "a" }}',
        "x2",
        "p",
        ["b"],
    ),
    (
        "insert-where",
        f'INSERT DATA {{ <{EX}x3> <{EX}p> "c" }}',
        f"INSERT {{ ?s <{EX}q> ?o }} WHERE {{ ?s <{EX}p> ?o FILTER(?s = <{EX}x3>) }}",
        "x3",
        "q",
        ["c"],
    ),
    (
        "delete-where",
        f'INSERT DATA {{ <{EX}x4> <{EX}p> "d", "e" }}',
        f"DELETE WHERE {{ <{EX}x4> <{EX}p> ?o }}",
        "x4",
        "p",
        [],
    ),
    (
        "delete-insert-where",
        f'INSERT DATA {{ <{EX}x5> <{EX}p> "old" }}',
        f'DELETE {{ <{EX}x5> <{EX}p> ?o }} INSERT {{ <{EX}x5> <{EX}p> "new" }} '
        f"WHERE {{ <{EX}x5> <{EX}p> ?o }}",
        "x5",
        "p",
        ["new"],
    ),
]


def test_every_update_form_without_graph_is_kept_visible_and_durable(disk):
    with disk.client() as http:
        institutions = number(http, INSTITUTIONS)
        for name, before, text, subject, predicate, expected in FORMS:
            assert objects(http, subject, predicate) == [], name
            if before:
                update(http, before)
            update(http, text)
            assert objects(http, subject, predicate) == expected, name
        stored = stored_default(http)
    assert (URIRef(EX + "x1"), URIRef(EX + "p"), Literal("1")) in stored
    assert (URIRef(EX + "x5"), URIRef(EX + "p"), Literal("new")) in stored
    assert not any(s == URIRef(EX + "x4") for s in stored.subjects())
    disk.kill_and_restart()
    with disk.client() as http:
        for name, _, _, subject, predicate, expected in FORMS:
            assert objects(http, subject, predicate) == expected, f"{name} after kill -9"
        assert number(http, INSTITUTIONS) == institutions  # the named graphs are untouched
        assert set(stored_default(http)) == set(stored)


def test_a_where_clause_reads_the_union_and_the_template_writes_the_default_graph(disk):
    with disk.client() as http:
        institutions = number(http, INSTITUTIONS)
        update(
            http,
            f"INSERT {{ ?i <{EX}flag> true }} "
            "WHERE { ?i a <https://w3id.org/benelux-kg/def/Institution> }",
        )
        assert number(http, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?i <{EX}flag> true }}") == (
            institutions
        )
        assert len(stored_default(http)) == institutions
        flagged = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?i <{EX}flag> ?f }} }}"
        assert number(http, flagged) == 0  # no named graph was written


def test_graph_store_default_graph_put_post_delete(disk):
    nt = {**AUTH, "Content-Type": "application/n-triples"}
    with disk.client() as http:
        r = http.put("/store?default", content=f'<{EX}g1> <{EX}p> "put" .'.encode(), headers=nt)
        assert r.status_code == 204, r.text
        assert objects(http, "g1") == ["put"]
        r = http.post("/store?default", content=f'<{EX}g1> <{EX}p> "post" .'.encode(), headers=nt)
        assert r.status_code == 204, r.text
        assert objects(http, "g1") == ["post", "put"]
        r = http.put("/store?default", content=f'<{EX}g2> <{EX}p> "only" .'.encode(), headers=nt)
        assert objects(http, "g1") == [] and objects(http, "g2") == ["only"]
        assert len(stored_default(http)) == 1
    disk.kill_and_restart()
    with disk.client() as http:
        assert objects(http, "g2") == ["only"]
        assert http.delete("/store?default", headers=AUTH).status_code == 204
        assert objects(http, "g2") == [] and len(stored_default(http)) == 0
        assert number(http, INSTITUTIONS) > 0


def test_a_triple_in_two_graphs_counts_once_and_stays_until_no_graph_holds_it(disk):
    triple = f"<{EX}t> <{EX}p> 1"
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ <{EX}t> ?p ?o }}"
    graphs = f"SELECT ?g WHERE {{ GRAPH ?g {{ {triple} }} }}"
    with disk.client() as http:
        update(
            http,
            f"INSERT DATA {{ {triple} GRAPH <{EX}g1> {{ {triple} }} "
            f"GRAPH <{EX}g2> {{ {triple} }} }}",
        )
        assert number(http, count) == 1
        update(http, f"DELETE DATA {{ GRAPH <{EX}g1> {{ {triple} }} }}")
        assert number(http, count) == 1
        assert values(http, graphs, "g") == [f"{EX}g2"]
        update(http, f"DELETE DATA {{ {triple} }}")
        assert number(http, count) == 1  # g2 still holds it
    disk.kill_and_restart()
    with disk.client() as http:
        assert number(http, count) == 1
        update(http, f"DROP GRAPH <{EX}g2>")
        assert number(http, count) == 0


def test_clear_default_against_clear_all(disk):
    with disk.client() as http:
        update(
            http,
            f"INSERT DATA {{ <{EX}d> <{EX}p> 1 . GRAPH <{EX}named> {{ <{EX}n> <{EX}p> 2 }} }}",
        )
        update(http, "CLEAR DEFAULT")
        assert objects(http, "d") == [] and objects(http, "n") == ["2"]
        assert number(http, INSTITUTIONS) > 0  # the named graphs of the build are kept
        update(http, "CLEAR ALL")
        assert number(http, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == 0
        assert number(http, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == 0


def test_a_failed_operation_leaves_nothing_of_the_request_behind(disk):
    total = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    with disk.client() as http:
        before = number(http, total)
        r = update(
            http,
            f"INSERT DATA {{ <{EX}y1> <{EX}p> 1 }} ;\nDROP GRAPH <{EX}no-such-graph> ;\n"
            f"INSERT DATA {{ <{EX}y2> <{EX}p> 2 }}",
            status=400,
        )
        assert "nothing changed" in r.text
        assert objects(http, "y1") == [] and objects(http, "y2") == []
        assert number(http, total) == before
    disk.kill_and_restart()
    with disk.client() as http:
        assert objects(http, "y1") == [] and number(http, total) == before


def _void_triples(http: httpx.Client) -> int:
    r = http.get("/.well-known/void", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=r.text, format="turtle")
    datasets = set(graph.subjects(RDF.type, URIRef(VOID + "Dataset")))
    counts = [int(graph.value(d, URIRef(VOID + "triples"))) for d in datasets]
    return max(counts)


def _described_default(http: httpx.Client) -> int:
    r = http.get("/sparql", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=r.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    default = next(graph.objects(None, URIRef(sd + "defaultGraph")))
    return int(graph.value(default, URIRef(VOID + "triples")))


def test_void_and_service_description_follow_an_insert(disk):
    with disk.client() as http:
        void_before, sd_before = _void_triples(http), _described_default(http)
        assert void_before == sd_before  # one total: distinct triples of the whole dataset
        update(http, f"INSERT DATA {{ <{EX}v1> <{EX}p> 1, 2, 3 }}")
        assert _void_triples(http) == void_before + 3
        assert _described_default(http) == sd_before + 3
        classes = f"INSERT DATA {{ <{EX}v1> a <{EX}NewClass> }}"
        update(http, classes)
        void = http.get("/.well-known/void", headers={"Accept": "text/turtle"}).text
        assert f"{EX}NewClass" in void


def _last_modified(http: httpx.Client, path: str) -> str:
    """The view's Last-Modified, polled for: it is left out in the second a write is seen."""
    deadline = time.monotonic() + 10
    while True:
        r = http.get(path)
        if "last-modified" in r.headers or time.monotonic() > deadline:
            return r.headers["last-modified"]
        time.sleep(0.05)


def test_if_modified_since_sees_a_write(disk):
    """Views computed from the store change with a write: their Last-Modified moves too, so a
    harvester that sends only If-Modified-Since gets the new view, not a 304."""
    views = ("/.well-known/void", "/catalog", "/sitemap.xml")
    with disk.client() as http:
        before = {path: _last_modified(http, path) for path in views}
        for path in views:
            assert http.get(path, headers={"If-Modified-Since": before[path]}).status_code == 304
        update(http, f"INSERT DATA {{ <{BASE}id/institution/lm> a <{EX}LastModifiedClass> }}")
        for path in views:
            after = http.get(path, headers={"If-Modified-Since": before[path]})
            assert after.status_code == 200, path
        assert f"{EX}LastModifiedClass" in http.get("/.well-known/void").text
        for path in views:
            later = _last_modified(http, path)
            assert parsedate_to_datetime(later) > parsedate_to_datetime(before[path])
            assert http.get(path, headers={"If-Modified-Since": later}).status_code == 304


def test_the_service_description_names_the_update_endpoint(disk):
    """With writes on, /update is described as the service that speaks SPARQL 1.1 Update;
    /sparql, which refuses updates, speaks queries only."""
    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    with disk.client() as http:
        graph = Graph().parse(data=http.get("/sparql", headers={"Accept": "text/turtle"}).text)
    query, updates = URIRef(disk.server.url + "/sparql"), URIRef(disk.server.url + "/update")
    assert set(graph.subjects(RDF.type, sd.Service)) == {query, updates}
    assert set(graph.objects(query, sd.supportedLanguage)) == {sd.SPARQL11Query}
    assert set(graph.objects(updates, sd.supportedLanguage)) == {sd.SPARQL11Update}
    assert graph.value(updates, sd.endpoint) == updates
    assert graph.value(updates, sd.defaultDataset) == graph.value(query, sd.defaultDataset)


def test_the_inferred_graph_is_derived_and_cannot_be_written(disk):
    nt = {**AUTH, "Content-Type": "application/n-triples"}
    with disk.client() as http:
        r = http.put(
            "/store", params={"graph": INFERRED}, content=b"<a:b> <a:c> <a:d> .", headers=nt
        )
        assert r.status_code == 409 and "derived" in r.text
        r = update(http, f"INSERT DATA {{ GRAPH <{INFERRED}> {{ <a:b> <a:c> <a:d> }} }}", 409)
        assert "rebuild" in r.text
        r = update(http, f"DROP GRAPH <{INFERRED}>", 409)
        read = f"INSERT {{ <{EX}r> <{EX}p> ?c }} WHERE {{ GRAPH <{INFERRED}> {{ ?c a ?t }} }}"
        update(http, read)  # reading it is fine


def test_the_service_graphs_are_hidden_and_cannot_be_named(disk):
    with disk.client() as http:
        update(http, f"INSERT DATA {{ <{EX}h> <{EX}p> 1 }}")
        graphs = values(http, "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }", "g")
        assert graphs and not [g for g in graphs if g.startswith("urn:x-benelux-kg:")]
        r = update(http, "DROP GRAPH <urn:x-benelux-kg:union>", 400)
        assert "own graphs" in r.text


def test_a_syntax_error_points_into_the_clients_text(disk):
    with disk.client() as http:
        r = update(http, f"INSERT DATA {{ <{EX}a> <{EX}b> <{EX}c> }} ;\nDELETE DATA {{ ?x }}", 400)
        assert "line 2" in r.text, r.text


def test_rdflib_sparql_update_store_writes_and_reads_back(disk):
    url = disk.server.url
    store = SPARQLUpdateStore(
        query_endpoint=f"{url}/sparql", update_endpoint=f"{url}/update", headers=dict(AUTH)
    )
    graph = Graph(store=store, identifier=DATASET_DEFAULT_GRAPH_ID)  # as a notebook would
    subject = URIRef(EX + "notebook")
    graph.add((subject, URIRef(EX + "p"), Literal("from rdflib")))
    graph.add((subject, URIRef(EX + "p"), Literal(2)))
    assert set(graph.objects(subject, URIRef(EX + "p"))) == {Literal("from rdflib"), Literal(2)}
    graph.remove((subject, URIRef(EX + "p"), Literal(2)))
    assert list(graph.objects(subject, URIRef(EX + "p"))) == [Literal("from rdflib")]
    store.close()
    with disk.client() as http:
        assert objects(http, "notebook") == ["from rdflib"]


def _default_graph_update(i: int) -> str:
    return f"INSERT DATA {{ <{EX}u{i}> <{EX}n> {i} ; <{EX}done> true }}"


def test_kill_9_during_default_graph_updates_keeps_every_acknowledged_one(disk):
    acked: list[int] = []
    stop = threading.Event()
    args = (disk.server.url, acked, stop, _default_graph_update, AUTH)
    writer = threading.Thread(target=updates, args=args)
    writer.start()
    deadline = time.monotonic() + 60
    while len(acked) < 30 and time.monotonic() < deadline:
        time.sleep(0.05)
    disk.server.process.send_signal(signal.SIGKILL)
    disk.server.process.wait(10)
    stop.set()
    writer.join(15)
    assert len(acked) >= 30
    disk.server = disk._start()
    query = f"SELECT ?n ?done WHERE {{ ?u <{EX}n> ?n OPTIONAL {{ ?u <{EX}done> ?done }} }}"
    with disk.client() as http:
        rows = http.get("/sparql", params={"query": query}).json()["results"]["bindings"]
    present = {int(r["n"]["value"]) for r in rows}
    assert set(acked) <= present, sorted(set(acked) - present)[:10]
    assert all("done" in r for r in rows), "an update is only partly visible"


def test_the_sitemap_follows_a_write_and_the_dumps_say_they_are_the_release(disk):
    new = "https://w3id.org/benelux-kg/id/test/written-later"
    with disk.client() as http:
        assert "/id/test/written-later" not in http.get("/sitemap.xml").text
        update(http, f'INSERT DATA {{ <{new}> <http://www.w3.org/2000/01/rdf-schema#label> "x" }}')
        assert "/id/test/written-later" in http.get("/sitemap.xml").text
        page = http.get("/download", headers={"Accept": "text/html", "Accept-Language": "en"})
        assert "published release" in page.text
        catalog = http.get("/catalog", headers={"Accept": "text/turtle"}).text
        assert "writes made since through the SPARQL endpoint are not in it" in catalog
