"""The query hot path: framed worker pipes, queries proven cheap answered inline, and
/sparql answered in front of FastAPI — units, then over real HTTP against ``serve``."""

from __future__ import annotations

import pickle
import time

import pytest
from conftest import serving

from kg_service.formats import RESULT_FORMATS
from kg_service.inline import InlineRunner
from kg_service.observability import query_hash
from kg_service.store import QueryRequest
from kg_service.workers import _HEADER, CHUNK, QueryResult, _Frames, single

JSON = "application/sparql-results+json"
TOKEN = "hot-path-token"
GRAPH = "http://example.org/hot-path"


# --- units ---------------------------------------------------------------------------------


def _framed(*messages: object) -> bytes:
    out = b""
    for message in messages:
        data = pickle.dumps(message)
        out += _HEADER.pack(len(data)) + data
    return out


def test_frames_are_split_whatever_the_reads_cut():
    messages = [("whole", "solutions", "json", b"x" * 70_000, 0.001), ("end",), ("ok",)]
    stream = _framed(*messages)
    for step in (1, 7, 4096, len(stream)):
        frames, got = _Frames(), []
        for start in range(0, len(stream), step):
            got += frames.feed(stream[start : start + step])
        assert got == messages and not frames.buffer


def _result(cpu: float | None, size: int = 10, wall: float | None = None) -> QueryResult:
    data = b"x" * size
    cost = None if cpu is None else (cpu, cpu if wall is None else wall)
    return QueryResult("solutions", RESULT_FORMATS[0], single(data), data, cost=cost)


def test_only_cheap_whole_results_are_learnt():
    runner = InlineRunner(limit_ms=1.0, union_default_graph=True)
    cheap, slow, big, service, waited = (QueryRequest(f"ASK {{ ?s ?p {i} }}") for i in range(5))
    runner.learn(cheap, "snap-1", _result(0.0005, wall=0.004))  # a busy machine: fine
    runner.learn(slow, "snap-1", _result(0.002))
    runner.learn(waited, "snap-1", _result(0.0005, wall=0.05))  # waited for a disk: no
    runner.learn(big, "snap-1", _result(0.0001, size=CHUNK))
    service_query = QueryRequest("ASK { SERVICE <http://x.test/> { ?s ?p ?o } }")
    runner.learn(service_query, "snap-1", _result(0.0001))
    assert runner.knows(cheap, "snap-1")
    not_learnt = (slow, big, service_query, service, waited)
    assert not any(runner.knows(r, "snap-1") for r in not_learnt)


def test_a_new_snapshot_forgets_what_was_proven():
    runner = InlineRunner(limit_ms=1.0, union_default_graph=True)
    request = QueryRequest("ASK {}")
    runner.learn(request, "snap-1", _result(0.0001))
    assert not runner.knows(request, "snap-2")
    runner.learn(QueryRequest("ASK { ?s ?p ?o }"), "snap-2", _result(0.0001))
    assert not runner.knows(request, "snap-1") and not runner.knows(request, "snap-2")


def test_the_memo_is_bounded_and_keeps_the_recently_used():
    runner = InlineRunner(limit_ms=1.0, union_default_graph=True, capacity=3)
    requests = [QueryRequest(f"ASK {{ ?s ?p {i} }}") for i in range(4)]
    for request in requests[:3]:
        runner.learn(request, "s", _result(0.0001))
    assert runner.knows(requests[0], "s")  # now the most recently used
    runner.learn(requests[3], "s", _result(0.0001))
    assert len(runner.proven) == 3
    assert runner.knows(requests[0], "s") and not runner.knows(requests[1], "s")


def test_request_digests_cannot_be_forged_by_moving_text_between_fields():
    one = QueryRequest("ASK {}\x01x", default_graphs=())
    other = QueryRequest("ASK {}", default_graphs=("x",))
    assert one.digest != other.digest
    assert QueryRequest("ASK {}", accept=JSON).digest == QueryRequest("ASK {}", accept=JSON).digest
    assert QueryRequest("ASK {}").digest != QueryRequest("ASK {}", base_iri="http://a/").digest


# --- over real HTTP ------------------------------------------------------------------------


def _inline_runs(http) -> float:
    for line in http.get("/metrics").text.splitlines():
        if line.startswith("benelux_kg_inline_queries_total "):
            return float(line.split()[1])
    raise AssertionError("benelux_kg_inline_queries_total not in /metrics")


@pytest.fixture(scope="module")
def writable(settings, built, tmp_path_factory):
    log = tmp_path_factory.mktemp("hot") / "serve.log"
    with serving(settings, log, "--update-token", TOKEN) as srv:
        yield srv


def test_a_repeated_cheap_query_is_answered_inline_with_the_same_bytes(server):
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 5"
    with server.client() as http:
        before = _inline_runs(http)
        answers = [http.post("/sparql", data={"query": query}, headers={"Accept": JSON})]
        answers += [http.post("/sparql", data={"query": query}, headers={"Accept": JSON})]
        assert all(r.status_code == 200 for r in answers)
        assert answers[0].content == answers[1].content
        assert answers[0].headers["content-type"] == answers[1].headers["content-type"]
        assert _inline_runs(http) == before + 1


def test_inline_answers_follow_updates(writable):
    query = f"SELECT ?o WHERE {{ GRAPH <{GRAPH}> {{ <http://a/s> <http://a/p> ?o }} }}"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with writable.client() as http:

        def values() -> list[str]:
            r = http.get("/sparql", params={"query": query}, headers={"Accept": JSON})
            return [b["o"]["value"] for b in r.json()["results"]["bindings"]]

        assert values() == [] and values() == []  # the second one inline
        runs = _inline_runs(http)
        assert runs >= 1
        update = f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <http://a/s> <http://a/p> 1 }} }}"
        assert http.post("/update", data={"update": update}, headers=auth).status_code == 204
        assert values() == ["1"]  # a new snapshot: from a worker, not the old memo
        assert values() == ["1"]  # and inline again
        assert _inline_runs(http) == runs + 1


def test_inline_can_be_turned_off(settings, built, tmp_path):
    with serving(settings, tmp_path / "serve.log", "--inline-ms", "0") as srv, srv.client() as http:
        for _ in range(3):
            assert http.get("/sparql", params={"query": "ASK {}"}).status_code == 200
        assert _inline_runs(http) == 0


def test_cors_and_vary_on_fast_and_slow_answers(server):
    origin = {"Origin": "https://portal.example", "Accept": JSON}
    with server.client() as http:
        fast = http.get("/sparql", params={"query": "ASK {}"}, headers=origin)
        error = http.get("/sparql", params={"query": "ASK {"}, headers=origin)
        turtle = {**origin, "Accept": "text/turtle"}
        page = http.get("/sparql", headers=turtle)  # the service description, by the app
    assert (fast.status_code, error.status_code, page.status_code) == (200, 400, 200)
    for r in (fast, error, page):
        assert r.headers["access-control-allow-origin"] == "*"
        assert r.headers["access-control-expose-headers"] == "*"
        assert "access-control-allow-credentials" not in r.headers
        assert "Origin" in r.headers["vary"]
    assert {v.strip() for v in fast.headers["vary"].split(",")} == {"Accept", "Origin"}


def test_head_query_has_the_headers_of_get_and_no_body(server):
    params = {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"}
    with server.client() as http:
        got = http.get("/sparql", params=params, headers={"Accept": JSON})
        head = http.head("/sparql", params=params, headers={"Accept": JSON})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(got.content))
    assert head.headers["content-type"] == got.headers["content-type"]


def test_a_repeated_refused_query_is_refused_every_time(server):
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    with server.client() as http:
        codes = [http.get("/sparql", params={"query": query}).status_code for _ in range(3)]
    assert codes == [400, 400, 400]


def test_access_log_lines_reach_stderr_promptly(server):
    marker = f"ASK {{ <http://a/{time.time_ns()}> ?p ?o }}"
    with server.client() as http:
        assert http.get("/sparql", params={"query": marker}).status_code == 200
    wanted = f'"query_hash": "{query_hash(marker)}"'
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        if wanted in server.log.read_text():
            return
        time.sleep(0.01)
    raise AssertionError("no access line for the query within 2 s")


def test_costly_and_timed_out_queries_never_run_inline(settings, built, tmp_path):
    costly = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d a ?e }"  # ~ millions of rows
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    args = ("--query-timeout", "2")
    with serving(settings, tmp_path / "serve.log", *args) as srv, srv.client() as http:
        answers = [http.get("/sparql", params={"query": costly}) for _ in range(3)]
        assert [r.status_code for r in answers] == [200, 200, 200]
        assert len({r.content for r in answers}) == 1
        stopped = [http.get("/sparql", params={"query": endless}) for _ in range(2)]
        assert all(r.status_code == 503 and "time limit" in r.text for r in stopped)
        assert _inline_runs(http) == 0
