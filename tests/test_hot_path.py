"""The query hot path: framed worker pipes, the runner's admission line and deadlines, and
/sparql answered in front of FastAPI — units, then over real HTTP against ``serve``."""

from __future__ import annotations

import asyncio
import pickle
import time

import pytest
from conftest import serving

from kg_service.errors import Overloaded, QueryTimeout
from kg_service.process import lifecycle
from kg_service.process.workers import _HEADER, _Frames
from kg_service.query.cache import ResultCache
from kg_service.query.contract import QueryRequest
from kg_service.query.runner import SWEEP, Admission, QueryRunner
from kg_service.rdf.formats import RESULT_FORMATS
from kg_service.web.observability import query_hash

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


def test_the_result_cache_is_bounded_least_recently_used_and_per_generation():
    fmt = RESULT_FORMATS[0]
    cache = ResultCache(max_bytes=30)
    cache.put(b"a", 1, "solutions", fmt, b"x" * 10)
    assert cache.get(b"a", 1) is None  # asked once: not kept (most requests are asked once)
    for key in (b"a", b"b", b"b", b"c", b"c"):
        cache.put(key, 1, "solutions", fmt, b"x" * 10)
    assert cache.get(b"a", 1) is not None  # a is now the most recently used
    cache.put(b"d", 1, "solutions", fmt, b"x" * 10)
    cache.put(b"d", 1, "solutions", fmt, b"x" * 10)
    assert cache.get(b"b", 1) is None and cache.get(b"a", 1) is not None
    assert cache.size <= 30
    assert cache.get(b"a", 2) is None  # a new generation: nothing from before
    assert cache.get(b"d", 1) is None and cache.size == 0
    cache.put(b"big", 2, "solutions", fmt, b"x" * 31)
    cache.put(b"big", 2, "solutions", fmt, b"x" * 31)
    assert cache.get(b"big", 2) is None  # larger than the whole cache: never kept


def test_admission_queues_then_refuses_past_the_bound_with_retry_after():
    async def scenario() -> list:
        admission = Admission(limit=1, queue=2, wait=0.2)
        await admission.acquire()  # the one turn
        waiting = [asyncio.create_task(admission.acquire()) for _ in range(2)]
        await asyncio.sleep(0.01)
        with pytest.raises(Overloaded) as full:
            await admission.acquire()  # a third in line: refused at once
        admission.release()
        await waiting[0]  # the first in line got the turn
        with pytest.raises(Overloaded) as slow:
            await waiting[1]  # the second waited past 0.2 s
        return [full.value, slow.value]

    refused = asyncio.run(scenario())
    assert all(exc.status == 503 and exc.headers.get("Retry-After") for exc in refused)


class _StuckEngine:
    """An engine whose query evaluates until it is let go (pyoxigraph has no cancel)."""

    def __init__(self) -> None:
        import threading

        self.release = threading.Event()

    def query(self, request: QueryRequest, sink) -> None:
        self.release.wait(30)


def test_a_query_past_its_deadline_gets_a_timeout_and_the_runner_calls_it_a_runaway():
    async def scenario() -> tuple[float, list[str], float]:
        runaways: list[str] = []
        runner = QueryRunner(2, 8, 5.0, 0.3, 0, runaways.append)
        engine = _StuckEngine()
        start = time.monotonic()
        with pytest.raises(QueryTimeout):
            await asyncio.wait_for(runner.run(engine, QueryRequest("ASK {}"), 0), 20)
        waited = time.monotonic() - start
        deadline = time.monotonic() + 10
        while not runaways and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        engine.release.set()
        left = runner.admission.running
        runner.close()
        return waited, runaways, left

    waited, runaways, left = asyncio.run(scenario())
    # one sweeper checks every deadline: the 503 comes after the limit, at most a sweep late
    # (and a loaded machine's scheduling: a generous margin)
    assert 0.3 <= waited < 0.3 + SWEEP + 2.0
    assert runaways and "time limit" in runaways[0]  # still evaluating a second later
    assert left == 0  # its turn was given back


def test_a_retiring_process_answers_connection_close_whatever_the_app_said():
    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    async def scenario() -> None:
        closing = lifecycle.closing(send)
        headers = [(b"content-type", b"text/plain"), (b"Connection", b"keep-alive")]
        await closing({"type": "http.response.start", "status": 200, "headers": headers})
        await closing({"type": "http.response.body", "body": b"ok"})

    asyncio.run(scenario())
    start, body = sent
    assert start["headers"] == [(b"content-type", b"text/plain"), (b"connection", b"close")]
    assert body == {"type": "http.response.body", "body": b"ok"}


def test_request_digests_cannot_be_forged_by_moving_text_between_fields():
    one = QueryRequest("ASK {}\x01x", default_graphs=())
    other = QueryRequest("ASK {}", default_graphs=("x",))
    assert one.digest != other.digest
    assert QueryRequest("ASK {}", accept=JSON).digest == QueryRequest("ASK {}", accept=JSON).digest
    assert QueryRequest("ASK {}").digest != QueryRequest("ASK {}", base_iri="http://a/").digest


# --- over real HTTP ------------------------------------------------------------------------


def _cache_hits(http) -> float:
    for line in http.get("/metrics").text.splitlines():
        if line.startswith("benelux_kg_cache_hits_total "):
            return float(line.split()[1])
    raise AssertionError("benelux_kg_cache_hits_total not in /metrics")


@pytest.fixture(scope="module")
def writable(settings, built, tmp_path_factory):
    log = tmp_path_factory.mktemp("hot") / "serve.log"
    with serving(settings, log, "--update-token", TOKEN) as srv:
        yield srv


def test_a_repeated_query_is_answered_from_the_cache_with_the_same_bytes(server):
    query = f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} LIMIT 5 # {time.time_ns()}"
    with server.client() as http:  # one connection: one process, whose /metrics we read
        before = _cache_hits(http)
        answers = [
            http.post("/sparql", data={"query": query}, headers={"Accept": JSON}) for _ in range(3)
        ]
        assert all(r.status_code == 200 for r in answers)
        assert answers[0].content == answers[2].content
        assert answers[0].headers["content-type"] == answers[2].headers["content-type"]
        assert _cache_hits(http) == before + 1  # kept on its second run, served on its third


def test_the_cache_is_dropped_by_an_update(writable):
    query = f"SELECT ?o WHERE {{ GRAPH <{GRAPH}> {{ <http://a/s> <http://a/p> ?o }} }}"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with writable.client() as http:

        def values() -> list[str]:
            r = http.get("/sparql", params={"query": query}, headers={"Accept": JSON})
            return [b["o"]["value"] for b in r.json()["results"]["bindings"]]

        assert values() == [] and values() == [] and values() == []  # the third from the cache
        hits = _cache_hits(http)
        update = f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <http://a/s> <http://a/p> 1 }} }}"
        assert http.post("/update", data={"update": update}, headers=auth).status_code == 204
        assert values() == ["1"]  # the store moved on: evaluated again, not the old answer
        assert _cache_hits(http) == hits
        assert values() == ["1"] and values() == ["1"]  # and from the cache again
        assert _cache_hits(http) == hits + 1


def test_the_cache_can_be_turned_off(settings, built, tmp_path):
    log = tmp_path / "serve.log"
    with serving(settings, log, "--cache-mb", "0") as srv, srv.client() as http:
        for _ in range(3):
            assert http.get("/sparql", params={"query": "ASK {}"}).status_code == 200
        assert _cache_hits(http) == 0


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
