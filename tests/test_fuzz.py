"""Property-based fuzzing of every parser entry point, against the real served process.

One ``benelux-kg serve`` for the module (memory store — its copy of the graph is thrown away at
the end —, writes on with a token so ``/update`` and ``PUT /store`` bodies are exercised,
``--query-timeout 3``). Hypothesis drives: SPARQL text (random, and mutations of the competency
queries in ``queries/*.rq``: tokens deleted, duplicated, swapped, replaced by keywords, odd
unicode, NUL bytes, huge numbers), nesting deep and shallow, update bodies, ``Accept`` headers,
``format=`` values, form bodies (duplicate keys, bad percent-encoding, non-UTF-8 bytes), raw
query strings, ``Content-Type`` headers, RDF bodies in every format (random bytes and mutations of
valid documents), ``/id/`` and ``/def/`` paths, ``?graph=`` and dataset IRIs, ``/validate``
bodies (RDF, JSON, multipart) and ``/download/`` names when those routes exist.

The property, for every request: an answer within ``TIME_BOUND`` seconds; never a 5xx (a 503 at
the query time limit excepted); a 4xx with a readable message (not empty, no Python traceback);
no injected header; no connection to a loopback listener that the input names (``SERVICE``,
``LOAD``, JSON-LD contexts, XML entities); and the server still answers ``ASK {}`` afterwards.

Examples are derandomised so the suite is repeatable. To look for new bugs::

    KG_FUZZ_RANDOM=1 KG_FUZZ_EXAMPLES=1000 pytest tests/test_fuzz.py
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote, quote_plus, urlencode

import httpx
import pyoxigraph as ox
import pytest
from conftest import ROOT, Listener, Server, start_server, stop_server
from hypothesis import HealthCheck, Phase, assume, example, given, settings
from hypothesis import strategies as st
from test_attacks import MemoryWatch

from kg_service.errors import NotAcceptable
from kg_service.rdf.formats import GRAPH_FORMATS, HTML
from kg_service.rdf.negotiation import choose

pytestmark = pytest.mark.e2e

TOKEN = "fuzz-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
QUERY_TIMEOUT = 3
TIME_BOUND = QUERY_TIMEOUT + 7.0
EXAMPLES = int(os.environ.get("KG_FUZZ_EXAMPLES", "200"))
RANDOM = os.environ.get("KG_FUZZ_RANDOM") == "1"
LISTENER = "64999"  # a port in the inputs, replaced by the listener's port when sent

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not RANDOM,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
    phases=[Phase.explicit, Phase.generate, *([Phase.shrink] if RANDOM else [])],
)


def fewer(n: int) -> settings:
    """The same settings with fewer examples (for slow endpoints)."""
    return settings(FUZZ, max_examples=max(10, EXAMPLES * n // 100))


# --- the served process ----------------------------------------------------------------------


@dataclass
class Target:
    """The served process under fuzzing, and what the tests need to know about it."""

    server: Server
    http: httpx.Client
    listener: Listener
    memory: MemoryWatch
    routes: set[str]
    entity: str  # an /id/ path that exists
    term: str  # a /def/ path that exists
    small_graph: str  # a named graph small enough to answer in one message
    html_accept_bug: bool = False  # see test_html_refused_in_accept_is_a_406

    def fill(self, text: str) -> str:
        return text.replace(LISTENER, str(self.listener.port))


@pytest.fixture(scope="module")
def target(settings, built, tmp_path_factory) -> Iterator[Target]:
    log = tmp_path_factory.mktemp("fuzz") / "serve.log"
    srv = start_server(
        settings.build_path,
        log,
        "--update-token",
        TOKEN,
        "--query-timeout",
        str(QUERY_TIMEOUT),
        env={"BENELUX_KG_MAX_BODY_BYTES": str(2 * 1024 * 1024)},
    )
    listener = Listener()
    try:
        with (
            # a new connection per request: a connection the server drops after one answer
            # (an unhandled error does that) must not fail the next, unrelated request
            httpx.Client(
                base_url=srv.url,
                timeout=TIME_BOUND + 10,
                limits=httpx.Limits(max_keepalive_connections=0),
            ) as http,
            # any process of this server past 1.5 GB is killed: a memory bomb fails a test
            # instead of taking the shared machine down
            MemoryWatch(srv, limit_s=1800, every=0.25) as memory,
        ):
            routes = set(http.get("/openapi.json").json().get("paths", {}))
            found = Target(srv, http, listener, memory, routes, *_landmarks(http))
            found.html_accept_bug = _html_accept_bug_present(http)
            yield found
    finally:
        listener.close()
        stop_server(srv)


def _landmarks(http: httpx.Client) -> tuple[str, str, str]:
    def first(query: str) -> str:
        r = http.post("/sparql", data={"query": query})
        return r.json()["results"]["bindings"][0]["x"]["value"]

    base = "https://w3id.org/benelux-kg/"
    entity = first(f'SELECT ?x {{ ?x ?p ?o FILTER(STRSTARTS(STR(?x), "{base}id/")) }} LIMIT 1')
    term = first(f'SELECT ?x {{ ?x a ?k FILTER(STRSTARTS(STR(?x), "{base}def/")) }} LIMIT 1')
    small = first(
        "SELECT ?x (COUNT(*) AS ?n) { GRAPH ?x { ?s ?p ?o } } GROUP BY ?x ORDER BY ?n LIMIT 1"
    )
    return "/" + entity[len(base) :], "/" + term[len(base) :], small


def _html_accept_bug_present(http: httpx.Client) -> bool:
    r = http.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "text/html;q=0"})
    return r.status_code == 500


def trips_html_accept_bug(accept: bytes) -> bool:
    """Would this Accept header make ``wants_html`` raise (inside the error handler)?"""
    text = accept.decode("latin-1")
    if "html" not in text:
        return False
    try:
        choose(text, (HTML, *GRAPH_FORMATS))
    except NotAcceptable:
        return True
    return False


def tail(target: Target, lines: int = 30) -> str:
    text = target.server.log.read_text(errors="replace")
    return "\n".join(text.splitlines()[-lines:])


def send(target: Target, method: str, url: str, **kw) -> httpx.Response:
    """One request; a transport error (the server gone, a cut answer) fails with the log."""
    start = time.monotonic()
    try:
        response = target.http.request(method, url, **kw)
    except httpx.TransportError as exc:
        pytest.fail(
            f"{method} {url[:200]}: no complete answer after {time.monotonic() - start:.1f} s "
            f"({exc!r}); server log:\n{tail(target)}"
        )
    response.elapsed_s = time.monotonic() - start  # type: ignore[attr-defined]
    return response


def check(target: Target, response: httpx.Response, what: object) -> None:
    """The property every answer must have, then the server must still answer ``ASK {}``."""
    status, text = response.status_code, response.text
    about = f"{what!r:.600}\n→ {status}: {text[:400]!r}\nserver log:\n{tail(target)}"
    timed_out = status == 503 and "time limit" in text
    assert status < 500 or timed_out, about
    assert response.elapsed_s < TIME_BOUND, f"{response.elapsed_s:.1f} s: {about}"
    if 400 <= status < 500 and response.request.method != "HEAD":
        assert text.strip(), f"empty {status}: {about}"
        assert "Traceback" not in text and 'File "/' not in text, about
    assert "x-injected" not in response.headers, about
    assert target.listener.connections == 0, f"listener reached {target.listener.seen}: {about}"
    assert not target.memory.killed, f"killed for memory (pid, MB) {target.memory.killed}: {about}"
    still = send(target, "GET", "/sparql", params={"query": "ASK {}"})
    assert still.status_code == 200 and still.json()["boolean"] is True, f"after {about}"


def need(target: Target, route: str) -> None:
    if route not in target.routes:
        pytest.skip(f"no {route} route yet")


# --- SPARQL strategies -----------------------------------------------------------------------

QUERIES = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries").glob("*.rq"))]
_TOKEN = re.compile(r'\s+|"(?:[^"\\\n]|\\.)*"|<[^<>\s]*>|[{}()\[\].;,]|[^\s{}()\[\].;,"<]+|.')

KEYWORDS = (
    "SELECT ASK CONSTRUCT DESCRIBE WHERE FILTER OPTIONAL UNION MINUS GRAPH BIND AS VALUES EXISTS "
    "NOT IN HAVING LIMIT OFFSET DISTINCT REDUCED UNDEF PREFIX BASE FROM NAMED DROP ALL CLEAR"
)
# fmt: off
VOCAB = [
    *"{}()[].;,*", "?x", "$y", "_:b", "[]", "()", "a", *KEYWORDS.split(), "GROUP BY", "ORDER BY",
    f"SERVICE <http://127.0.0.1:{LISTENER}/sparql>", f"SERVICE SILENT <http://127.0.0.1:{LISTENER}/>",
    "FROM <file:///etc/passwd>", "<file:///etc/passwd>", f"<http://127.0.0.1:{LISTENER}/g>",
    f"LOAD <http://127.0.0.1:{LISTENER}/x.ttl>",
    '"', "'", '"""', "<", ">", "<>", "#", "\\", "^^", "@en", "@",
    "\x00", "\ufffd", "\u202e", "\U0001d518", "\uffff", "\r\n",
    "9" * 400, "1e999999", "-0.0E-99999", "9223372036854775808", "-9223372036854775809",
    "18446744073709551616", "0.000000000000000000000000000000001",
    '"x"^^<http://www.w3.org/2001/XMLSchema#integer>',
    '"99999999999999999999999999"^^<http://www.w3.org/2001/XMLSchema#decimal>',
    '"-0001-13-45T25:61:61Z"^^<http://www.w3.org/2001/XMLSchema#dateTime>',
    '"P99999999999Y"^^<http://www.w3.org/2001/XMLSchema#duration>',
    'REGEX(?x, "(a+)+$")', 'REGEX(?x, "[")', 'REPLACE(?x, "", "")',
    'SUBSTR("abc", 99999999999, -5)',
    'STRDT("x", <urn:x>)', 'LANGMATCHES("en", "*")', 'IRI("")', 'IRI("file:///etc/passwd")',
    "BNODE()", "NOW()", "RAND()", "COUNT(*)", "SUM(?x)", 'GROUP_CONCAT(?x; SEPARATOR="")',
    "/", "|", "^", "+", "?", "!", "&&", "||", "=", "!=", "<=", ">=", "true", "false",
    "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", "%00", "%",
]
# fmt: on


@st.composite
def mutated(draw, sources: list[str]) -> str:
    """A valid text with 1–5 token-level mutations."""
    tokens = _TOKEN.findall(draw(st.sampled_from(sources)))
    for _ in range(draw(st.integers(1, 5))):
        if not tokens:
            tokens = [draw(st.sampled_from(VOCAB))]
        i = draw(st.integers(0, len(tokens) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "replace", "cut"]))
        if op == "delete":
            del tokens[i]
        elif op == "duplicate":
            tokens.insert(i, tokens[i] * draw(st.integers(1, 3)))
        elif op == "swap":
            j = draw(st.integers(0, len(tokens) - 1))
            tokens[i], tokens[j] = tokens[j], tokens[i]
        elif op == "insert":
            tokens.insert(i, " " + draw(st.sampled_from(VOCAB)) + " ")
        elif op == "replace":
            tokens[i] = draw(st.one_of(st.sampled_from(VOCAB), st.text(max_size=8)))
        else:
            tokens = tokens[:i]
    return "".join(tokens)


SPARQL_CHARS = st.sampled_from(
    [*"{}()[]<>?$.;,:*+-!=/^|&\"'#@_\\ \n\t", *"abcdefSELCTWHRpo01", "\x00", "é", "\u202e", "😀"]
)
RANDOM_TEXT = st.one_of(st.text(max_size=300), st.text(SPARQL_CHARS, max_size=300))


NESTINGS = {
    "groups": lambda d: "SELECT * WHERE " + "{" * d + "}" * d,
    "groups-unbalanced": lambda d: "SELECT * WHERE " + "{ " * d,
    "closing-only": lambda d: "SELECT * WHERE { " + "} " * d,
    "expression": lambda d: "ASK { FILTER(" + "(" * d + "true" + ")" * d + ") }",
    "function-calls": lambda d: "ASK { FILTER(" + "STR(" * d + "1" + ")" * d + ") }",
    "path": lambda d: "ASK { ?s " + "(" * d + "<http://p>" + ")" * d + " ?o }",
    "optional": lambda d: (
        "SELECT * WHERE { " + "OPTIONAL { " * d + "?s ?p ?o" + " }" * d + " } LIMIT 1"
    ),
    "exists": lambda d: "ASK { " + "FILTER EXISTS { " * d + "}" * d + " }",
    "subselect": lambda d: "SELECT * WHERE " + "{ SELECT * WHERE " * d + "{}" + " }" * d,
    "graph": lambda d: "SELECT * WHERE { " + "GRAPH ?g { " * d + "}" * d + " }",
    "values": lambda d: "SELECT * WHERE { VALUES ?x { " + "(" * d + ")" * d + " } }",
}
DEPTHS = st.one_of(st.integers(1, 256), st.integers(257, 12000))
TRANSPORTS = st.sampled_from(["get", "form", "direct"])


def query(target: Target, transport: str, text: str, **params: str) -> httpx.Response:
    text = target.fill(text)
    if transport == "get" and len(quote(text)) > 60_000:  # httpx refuses longer URLs
        transport = "form"
    if transport == "get":
        return send(target, "GET", "/sparql", params={"query": text, **params})
    if transport == "form":
        return send(target, "POST", "/sparql", data={"query": text, **params})
    headers = {"Content-Type": "application/sparql-query"}
    return send(target, "POST", "/sparql", params=params, content=text.encode(), headers=headers)


# --- queries ---------------------------------------------------------------------------------


@FUZZ
@given(text=RANDOM_TEXT, transport=TRANSPORTS)
@example(text="SELECT * WHERE { ?s ?p ?o \x00 }", transport="direct")
@example(text="", transport="get")
def test_random_query_text(target, text, transport):
    check(target, query(target, transport, text), text)


@FUZZ
@given(text=mutated(QUERIES), transport=TRANSPORTS)
def test_mutated_competency_queries(target, text, transport):
    check(target, query(target, transport, text), text)


@FUZZ
@given(shape=st.sampled_from(sorted(NESTINGS)), depth=DEPTHS, transport=TRANSPORTS)
@example(shape="groups", depth=10000, transport="direct")
@example(shape="expression", depth=256, transport="form")
def test_nesting_is_answered_or_refused(target, shape, depth, transport):
    text = NESTINGS[shape](depth)
    response = query(target, transport, text)
    check(target, response, (shape, depth))
    if depth > 256 and shape not in ("closing-only",):
        assert response.status_code == 400, (shape, depth, response.text[:200])


DATASET_IRIS = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "file:///etc/passwd",
            f"http://127.0.0.1:{LISTENER}/g",
            "https://w3id.org/benelux-kg/graph/ontology",
            "urn:x",
            "",
            "http://a b",
            "<http://x>",
            "http://x/\x00",
            "javascript:alert(1)",
        ]
    ),
)


@FUZZ
@given(
    default=st.lists(DATASET_IRIS, max_size=3),
    named=st.lists(DATASET_IRIS, max_size=3),
    transport=TRANSPORTS,
)
def test_dataset_parameters(target, default, named, transport):
    text = "SELECT * WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } } LIMIT 3"
    params = [("default-graph-uri", target.fill(d)) for d in default]
    params += [("named-graph-uri", target.fill(n)) for n in named]
    if transport == "form":
        body = urlencode([("query", text), *params]).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        response = send(target, "POST", "/sparql", content=body, headers=headers)
    else:
        response = send(target, "GET", "/sparql", params=[("query", text), *params])
    check(target, response, (default, named))


# --- headers and parameters --------------------------------------------------------------------

TYPES = ["text", "application", "*", "image", "", "TEXT", "x-foo", "multipart"]
SUBTYPES = [
    "turtle",
    "html",
    "*",
    "sparql-results+json",
    "sparql-results+xml",
    "json",
    "ld+json",
    "n-triples",
    "rdf+xml",
    "csv",
    "tab-separated-values",
    "xml",
    "plain",
    "",
    "x-garbage",
    "xhtml+xml",
    "trig",
]
Q = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(lambda f: f"q={f}"),
    st.sampled_from(["q=0", "q=1", "q=0.5", "q=", "q=1.0000001", "q=-1", "q=abc", "Q=0.9", "q"]),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=10),
)
MEDIA_RANGE = st.builds(
    lambda t, s, params: f"{t}/{s}" + "".join(f";{p}" for p in params),
    st.sampled_from(TYPES),
    st.sampled_from(SUBTYPES),
    st.lists(Q, max_size=3),
)
HEADER_BYTES = st.binary(max_size=120).map(
    lambda b: bytes(c for c in b if c in (9, 32) or 33 <= c <= 126 or c >= 128).strip()
)
ACCEPT = st.one_of(
    st.lists(MEDIA_RANGE, max_size=6).map(", ".join).map(str.encode),
    HEADER_BYTES,
    st.just(b""),
)


def _small_targets(target: Target) -> list[tuple[str, str, dict]]:
    """Requests whose answers are small, each as (method, url, params)."""
    return [
        ("GET", "/sparql", {"query": "ASK {}"}),
        ("GET", "/sparql", {"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 2"}),
        ("GET", "/sparql", {"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 2"}),
        ("GET", "/sparql", {}),
        ("GET", target.entity, {}),
        ("GET", target.term, {}),
        ("GET", "/def/", {}),
        ("GET", "/store", {"graph": target.small_graph}),
        ("HEAD", target.entity, {}),
        *[("GET", r, {}) for r in ("/download", "/.well-known/void", "/", "/validate", "/shapes")],
    ]


@FUZZ
@given(accept=ACCEPT, which=st.integers(0, 100))
@example(accept=b"*/*;q=nan", which=0)
@example(accept=b"text/html;q=0.1, */*;q=0", which=4)
def test_accept_headers(target, accept, which):
    if target.html_accept_bug:  # a known bug with its own test: keep looking for new ones
        assume(not trips_html_accept_bug(accept))
    method, url, params = _pick(target, which)
    response = send(target, method, url, params=params, headers={"Accept": accept})
    check(target, response, (url, accept))


def _pick(target: Target, which: int) -> tuple[str, str, dict]:
    options = [
        t for t in _small_targets(target) if t[1] in target.routes or t[1][:4] in ("/id/", "/def")
    ]
    return options[which % len(options)]


@pytest.mark.parametrize(
    "url, params, accept",
    [
        ("/sparql", {"query": "ASK {}"}, "text/html;q=0"),
        ("/sparql", {}, "text/html;q=0, */*;q=0"),
        ("ENTITY", {}, "text/html;q=0, */*;q=0"),
        ("/sparql", {"query": "SELECT * {"}, "text/html;q=0, image/png"),
    ],
)
def test_html_refused_in_accept_is_a_406(target, url, params, accept):
    url = target.entity if url == "ENTITY" else url
    response = send(target, "GET", url, params=params, headers={"Accept": accept})
    assert response.status_code in (400, 406), (response.status_code, response.text[:200])


FORMAT_NAMES = [
    "json",
    "xml",
    "csv",
    "tsv",
    "turtle",
    "ttl",
    "ntriples",
    "nt",
    "jsonld",
    "json-ld",
    "rdfxml",
    "rdf",
    "html",
    "nquads",
    "trig",
    "text/turtle",
    "application/sparql-results+json",
    "TEXT/TURTLE",
    " ttl ",
    "json\r\nX-Injected: 1",
    "ttl\nX-Injected: 1",
    "\x00",
    "",
]


@FUZZ
@given(
    value=st.one_of(st.sampled_from(FORMAT_NAMES), st.text(max_size=40)), which=st.integers(0, 100)
)
def test_format_parameter(target, value, which):
    method, url, params = _pick(target, which)
    response = send(target, method, url, params={**params, "format": value})
    check(target, response, (url, value))


@FUZZ
@given(
    lang=HEADER_BYTES,
    cookie=st.one_of(HEADER_BYTES, HEADER_BYTES.map(lambda b: b"lang=" + b)),
    which=st.sampled_from(["entity", "term", "ontology", "home"]),
)
def test_language_headers_and_cookies(target, lang, cookie, which):
    url = {"entity": target.entity, "term": target.term, "ontology": "/def/", "home": "/"}[which]
    headers = {"Accept": b"text/html", "Accept-Language": lang, "Cookie": cookie}
    response = send(target, "GET", url, headers=headers)
    check(target, response, (url, lang, cookie))


@FUZZ
@given(lang=st.text(max_size=20), next_=st.text(max_size=60))
@example(lang="fr", next_="/\\evil.example")
@example(lang="fr", next_="//evil.example")
def test_language_switch(target, lang, next_):
    need(target, "/lang")
    response = send(target, "GET", "/lang", params={"lang": lang, "next": next_})
    check(target, response, (lang, next_))
    location = response.headers.get("location", "")
    assert not location.startswith(("//", "/\\")) and "://" not in location.split("?")[0], location


# --- request bodies and their framing ----------------------------------------------------------

FORM_KEYS = st.sampled_from(
    ["query", "update", "default-graph-uri", "named-graph-uri", "format", "using-graph-uri",
     "", "QUERY", "query[]", "q", "&", "="]
)  # fmt: skip
FORM_VALUES = st.one_of(
    st.text(max_size=50),
    st.sampled_from(
        ["ASK {}", "SELECT * {} LIMIT 1", "%", "%zz", "%ff%fe", "%C3%28", "%00", "+", "=", "&",
         "json", "file:///etc/passwd", "ASK {}%"]
    ),
)  # fmt: skip


@st.composite
def form_bodies(draw) -> bytes:
    """x-www-form-urlencoded bodies: odd keys, duplicates, raw and broken escapes, latin-1."""
    if draw(st.integers(0, 4)) == 0:
        return draw(st.binary(max_size=300))
    parts = []
    for key, value in draw(st.lists(st.tuples(FORM_KEYS, FORM_VALUES), max_size=6)):
        how = draw(st.sampled_from(["quoted", "raw", "latin-1"]))
        if how == "quoted":
            parts.append(f"{quote_plus(key)}={quote_plus(value)}".encode())
        elif how == "raw":
            parts.append(f"{key}={value}".encode("utf-8", "replace"))
        else:
            parts.append(
                f"{key}=".encode()
                + quote_plus(value, encoding="latin-1", errors="replace").encode()
            )
    return draw(st.sampled_from([b"&", b"&&", b";"])).join(parts)


@FUZZ
@given(body=form_bodies(), endpoint=st.sampled_from(["/sparql", "/update"]))
@example(body=b"query=ASK%20%7B%7D&query=ASK%20%7B%7D", endpoint="/sparql")
@example(body=b"query=ASK%20%7B%7D%FF", endpoint="/sparql")
@example(body=b"update=%E9", endpoint="/update")
def test_form_bodies(target, body, endpoint):
    headers = {"Content-Type": "application/x-www-form-urlencoded", **AUTH}
    response = send(target, "POST", endpoint, content=body, headers=headers)
    check(target, response, body)


QUERY_STRINGS = st.one_of(
    form_bodies(),
    st.sampled_from([b"query=%ZZ", b"query=%", b"query", b"=", b"&&&", b"query=ASK%7B%7D&query="]),
)


@FUZZ
@given(raw=QUERY_STRINGS, path=st.sampled_from(["/sparql", "/store", "/sparql?default"]))
def test_raw_query_strings(target, raw, path):
    safe = quote(raw, safe="%&=+;/:?@!$'()*,~")  # keep the escapes (and broken ones) as they are
    joiner = "&" if "?" in path else "?"
    response = send(target, "GET", path + joiner + safe)
    check(target, response, raw)


CONTENT_TYPES = st.one_of(
    st.sampled_from(
        [
            "application/sparql-query",
            "application/sparql-query; charset=latin-1",
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded; charset=utf-16",
            "multipart/form-data",
            "multipart/form-data; boundary=x",
            "multipart/form-data; boundary=",
            "application/json",
            "text/plain",
            "text/turtle",
            "",
            ";",
            "application/sparql-update",
            "APPLICATION/SPARQL-QUERY",
        ]
    ),
    HEADER_BYTES.map(lambda b: b.decode("latin-1")),
)


@FUZZ
@given(ctype=CONTENT_TYPES, body=st.one_of(st.binary(max_size=200), st.just(b"ASK {}")))
def test_content_types(target, ctype, body):
    headers = {"Content-Type": ctype.encode("latin-1")}
    response = send(target, "POST", "/sparql", content=body, headers=headers)
    check(target, response, (ctype, body))


# --- paths ---------------------------------------------------------------------------------

PATH_TEXT = st.one_of(
    st.text(max_size=60),
    st.text(st.sampled_from([*"abc/.-_~%<>{}\"'#?&=; \\|^`", "é", "\x00", "😀"]), max_size=60),
)


@FUZZ
@given(
    path=PATH_TEXT,
    base=st.sampled_from(["/id/", "/def/"]),
    accept=st.sampled_from(
        ["text/html", "text/turtle", "*/*", "application/ld+json", "application/n-triples"]
    ),
)
def test_id_and_def_paths(target, path, base, accept):
    url = base + quote(path, safe="/")
    response = send(target, "GET", url, headers={"Accept": accept})
    check(target, response, url)


@FUZZ
@given(name=PATH_TEXT)
@example(name="..")
@example(name="benelux-kg.nt.gz.")
def test_download_names(target, name):
    need(target, "/download/{name}")
    response = send(target, "GET", "/download/" + quote(name, safe=""))
    check(target, response, name)
    assert response.status_code in (200, 304, 307, 400, 404), response.status_code


@FUZZ
@given(
    graph=st.lists(DATASET_IRIS, max_size=2),
    default=st.booleans(),
    method=st.sampled_from(["GET", "HEAD", "DELETE", "PUT", "POST"]),
)
def test_graph_store_parameters(target, graph, default, method):
    params = [("graph", target.fill(g)) for g in graph] + ([("default", "")] if default else [])
    headers = {"Content-Type": "text/turtle", **AUTH}
    body = (
        b"<http://example.org/s> <http://example.org/p> 1 ." if method in ("PUT", "POST") else None
    )
    response = send(target, method, "/store", params=params, headers=headers, content=body)
    check(target, response, (method, graph, default))


# --- RDF bodies ------------------------------------------------------------------------------

RDF_MEDIA = {
    "turtle": ("text/turtle", ox.RdfFormat.TURTLE),
    "ntriples": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
    "rdfxml": ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    "nquads": ("application/n-quads", ox.RdfFormat.N_QUADS),
    "trig": ("application/trig", ox.RdfFormat.TRIG),
}


def _sample_documents() -> dict[str, bytes]:
    """A small valid document in each format: labels, a typed literal, a blank node, a list."""
    ttl = f"""@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:a a ex:Thing ; rdfs:label "Benelux"@fr, "Benelux \\u00e9 \\"q\\""@nl ;
  ex:n 42 ; ex:d "2014-01-01"^^<http://www.w3.org/2001/XMLSchema#date> ;
  ex:b [ ex:c ex:d ] ; ex:l ( 1 "two" ex:three ) ; ex:remote <http://127.0.0.1:{LISTENER}/x> ."""
    triples = list(ox.parse(ttl.encode(), format=ox.RdfFormat.TURTLE))
    quads = [
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode("http://example.org/g"))
        for t in triples
    ]
    docs = {}
    for name, (_, fmt) in RDF_MEDIA.items():
        data = quads if fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG) else triples
        docs[name] = ox.serialize(data, format=fmt)
    docs["jsonld-context"] = json.dumps(
        {"@context": {"ex": "http://example.org/", "@vocab": "http://example.org/"},
         "@id": "ex:a", "ex:p": {"@list": [1, {"@value": "x", "@language": "fr"}]},
         "@graph": [{"@id": "ex:b", "@type": "ex:T"}]}
    ).encode()  # fmt: skip
    return docs


DOCUMENTS = _sample_documents()


@st.composite
def mutated_bytes(draw, source: bytes) -> bytes:
    data = bytearray(source)
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        op = draw(st.sampled_from(["flip", "delete", "insert", "duplicate", "cut", "token"]))
        if op == "flip":
            data[i] = draw(st.integers(0, 255))
        elif op == "delete":
            del data[i : i + draw(st.integers(1, 8))]
        elif op == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=8))
        elif op == "duplicate":
            data[i:i] = data[i : i + draw(st.integers(1, 40))] * draw(st.integers(1, 4))
        elif op == "cut":
            del data[i:]
        else:
            piece = draw(st.sampled_from(
                ['"', "<", ">", "{", "}", "[", "]", "@context", "@id", "<!ENTITY", "&amp;",
                 "\\u0000", "\x00", "9" * 300, "\xed\xa0\x80"]
            ))  # fmt: skip
            data[i:i] = piece.encode("latin-1", "replace")
    return bytes(data)


def rdf_bodies(name: str):
    source = DOCUMENTS[name]
    return st.one_of(mutated_bytes(source), st.binary(max_size=300), st.just(source))


@st.composite
def any_rdf_body(draw) -> tuple[str, bytes]:
    name = draw(st.sampled_from(sorted(DOCUMENTS)))
    media = RDF_MEDIA["jsonld" if name == "jsonld-context" else name][0]
    return media, draw(rdf_bodies(name))


@FUZZ
@given(doc=any_rdf_body(), method=st.sampled_from(["PUT", "POST"]), n=st.integers(0, 3))
def test_rdf_bodies_for_the_graph_store(target, doc, method, n):
    media, body = doc
    body = target.fill(body.decode("latin-1")).encode("latin-1")
    headers = {"Content-Type": media, **AUTH}
    url = f"/store?graph=http://example.org/fuzz/{n}"
    response = send(target, method, url, content=body, headers=headers)
    check(target, response, (media, body[:300]))


_G, _S, _P = "<http://example.org/fuzz>", "<http://example.org/s>", "<http://example.org/p>"
UPDATES = [
    f'INSERT DATA {{ GRAPH {_G} {{ {_S} {_P} "o"@en, 1 }} }}',
    f'DELETE DATA {{ GRAPH {_G} {{ {_S} {_P} "o"@en }} }}',
    f"DELETE {{ GRAPH {_G} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {_G} {{ ?s ?p ?o }} }}",
    f"INSERT {{ GRAPH {_G} {{ ?s {_P} ?o }} }} WHERE {{ GRAPH {_G} {{ ?s ?p ?o }} }}",
    f"CLEAR SILENT GRAPH {_G}",
    "CREATE SILENT GRAPH <http://example.org/f2> ; DROP SILENT GRAPH <http://example.org/f2>",
    f"COPY SILENT {_G} TO <http://example.org/fuzz3>",
    f"WITH {_G} DELETE {{ ?s ?p ?o }} INSERT {{ ?s ?p 1 }} WHERE {{ ?s ?p ?o }}",
    "PREFIX ex: <http://example.org/> INSERT DATA { GRAPH ex:fuzz { ex:a ex:b [ ex:c ( 1 2 ) ] } }",
]


@fewer(70)
@given(
    text=st.one_of(mutated(UPDATES), RANDOM_TEXT),
    form=st.booleans(),
)
@example(
    text="INSERT DATA { GRAPH <http://example.org/c> { <http://a/b> <http://a/c> 1 } } # end",
    form=False,
)
@example(text="", form=False)
def test_update_bodies(target, text, form):
    text = target.fill(text)
    if form:
        response = send(target, "POST", "/update", data={"update": text}, headers=AUTH)
    else:
        headers = {"Content-Type": "application/sparql-update", **AUTH}
        response = send(target, "POST", "/update", content=text.encode(), headers=headers)
    check(target, response, text)


# --- /validate -------------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30)
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
VALIDATE_KEYS = ["data_graph", "data_graph_format", "shapes_graph", "shapes_graph_format",
                 "ontology_graph", "ontology_graph_format", "inference", "abort_on_first",
                 "allow_warnings", "ontology", "advanced", "meta_shacl"]  # fmt: skip


@st.composite
def validate_json(draw) -> bytes:
    if draw(st.integers(0, 5)) == 0:
        return draw(st.binary(max_size=200))
    doc = draw(st.dictionaries(st.sampled_from(VALIDATE_KEYS), JSON_VALUES, max_size=5))
    if draw(st.booleans()):
        name = draw(st.sampled_from(sorted(DOCUMENTS)))
        doc["data_graph"] = draw(rdf_bodies(name)).decode("utf-8", "replace")
        doc["data_graph_format"] = draw(st.sampled_from([*RDF_MEDIA, "json-ld", "xml", "x", None]))
    return json.dumps(doc).encode()


@st.composite
def multipart(draw) -> tuple[str, bytes]:
    boundary = draw(st.sampled_from(["b0undary", "x", "--", "a" * 70, "é"]))
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        name = draw(st.sampled_from(["data", "text", "shapes", "shapes_text", "data_format",
                                     "inference", "ontology", "", 'x"y']))  # fmt: skip
        filename = draw(
            st.one_of(
                st.none(),
                st.sampled_from(["d.ttl", "d.jsonld", "d.rdf", "../../etc/passwd", "d", "é.nt"]),
            )
        )
        ctype = draw(
            st.one_of(
                st.none(),
                st.sampled_from([*(m for m, _ in RDF_MEDIA.values()), "text/plain", "x/y"]),
            )
        )
        doc = draw(st.sampled_from(sorted(DOCUMENTS)))
        content = draw(rdf_bodies(doc))
        head = f'Content-Disposition: form-data; name="{name}"'
        head += f'; filename="{filename}"' if filename else ""
        head += f"\r\nContent-Type: {ctype}" if ctype else ""
        parts.append(f"--{boundary}\r\n{head}\r\n\r\n".encode() + content + b"\r\n")
    closing = draw(st.sampled_from([f"--{boundary}--\r\n", f"--{boundary}", "", "--wrong--\r\n"]))
    body = b"".join(parts) + closing.encode()
    if draw(st.integers(0, 6)) == 0:
        body = draw(mutated_bytes(body or b"--x--"))
    return f"multipart/form-data; boundary={boundary}", body


@st.composite
def validate_requests(draw) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(["rdf", "json", "multipart", "other"]))
    if kind == "rdf":
        media, body = draw(any_rdf_body())
        return media, body
    if kind == "json":
        return "application/json", draw(validate_json())
    if kind == "multipart":
        return draw(multipart())
    return draw(CONTENT_TYPES), draw(st.binary(max_size=100))


@fewer(60)
@given(
    req=validate_requests(),
    accept=st.sampled_from(["text/turtle", "application/json", "text/html", "*/*", "image/png"]),
    inference=st.sampled_from([None, "none", "rdfs", "owlrl", "bogus"]),
)
def test_validate_bodies(target, req, accept, inference):
    need(target, "/validate")
    ctype, body = req
    body = target.fill(body.decode("latin-1")).encode("latin-1")
    params = {"inference": inference} if inference else {}
    headers = {"Content-Type": ctype.encode("latin-1"), "Accept": accept}
    response = send(target, "POST", "/validate", params=params, content=body, headers=headers)
    check(target, response, (ctype, accept, body[:300]))


# --- what fuzzing found: known bugs, each pinned by an explicit example ----------------------


def test_an_update_ending_in_a_comment_is_applied(target):
    text = "INSERT DATA { GRAPH <http://example.org/c> { <http://a/b> <http://a/c> 1 } } # end"
    headers = {"Content-Type": "application/sparql-update", **AUTH}
    response = send(target, "POST", "/update", content=text.encode(), headers=headers)
    assert response.status_code == 204, response.text


def test_the_empty_update_is_applied(target):
    headers = {"Content-Type": "application/sparql-update", **AUTH}
    response = send(target, "POST", "/update", content=b"", headers=headers)
    assert response.status_code == 204, response.text


@pytest.mark.parametrize(
    "path", ["a>b", "x> ?p ?o } #", "a b", 'a"b', "a{b}", "<script>", "a\\u003eb"]
)
def test_id_paths_never_reach_the_sparql_parser(target, path):
    response = send(target, "GET", "/id/" + quote(path, safe=""), headers={"Accept": "text/turtle"})
    assert response.status_code == 404, (response.status_code, response.text[:200])
