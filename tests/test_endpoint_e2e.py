"""The SPARQL endpoint over real HTTP: formats, statuses, dataset, service description, GSP."""

import json

import httpx
import pytest
from rdflib import RDF, Graph, Namespace

pytestmark = pytest.mark.e2e

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
ONTOLOGY = "https://w3id.org/benelux-kg/graph/ontology"
SELECT = "SELECT ?s WHERE { ?s a <https://w3id.org/benelux-kg/def/Institution> } ORDER BY ?s"
CONSTRUCT = "CONSTRUCT { ?s a ?c } WHERE { ?s a ?c } LIMIT 5"


@pytest.fixture(scope="module")
def http(server):
    with server.client() as client:
        yield client


@pytest.mark.parametrize(
    "accept, media",
    [
        (None, "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/json", "application/sparql-results+json"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ],
)
def test_select_formats(http, accept, media):
    headers = {"Accept": accept} if accept else {}
    r = http.get("/sparql", params={"query": SELECT}, headers=headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    assert "institution/" in r.text
    assert "Accept" in r.headers["vary"]


@pytest.mark.parametrize(
    "accept, media, rdflib_format",
    [
        (None, "text/turtle", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
    ],
)
def test_construct_formats_parse_back(http, accept, media, rdflib_format):
    headers = {"Accept": accept} if accept else {}
    r = http.get("/sparql", params={"query": CONSTRUCT}, headers=headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    assert len(Graph().parse(data=r.content, format=rdflib_format)) == 5


def test_describe_is_rdf(http):
    q = "DESCRIBE <https://w3id.org/benelux-kg/id/institution/benelux-parliament>"
    r = http.get("/sparql", params={"query": q})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    assert len(Graph().parse(data=r.content, format="turtle")) > 3


def test_format_parameter_overrides_accept(http):
    r = http.get(
        "/sparql",
        params={"query": SELECT, "format": "csv"},
        headers={"Accept": "application/sparql-results+xml"},
    )
    assert r.headers["content-type"].startswith("text/csv")


def test_nothing_acceptable_is_406(http):
    r = http.get("/sparql", params={"query": SELECT}, headers={"Accept": "image/png"})
    assert r.status_code == 406 and "available" in r.text


def test_construct_as_csv_is_406_not_mislabelled(http):
    r = http.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": "text/csv"})
    assert r.status_code == 406


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_wrong_method_is_405(http, method):
    r = http.request(method, "/sparql")
    assert r.status_code == 405
    # every method of the path, not only those of the first route Starlette finds (POST)
    assert r.headers["allow"] == "GET, HEAD, POST, OPTIONS"
    assert r.text.startswith(
        f"Method Not Allowed: /sparql answers GET, HEAD, POST, OPTIONS, not {method}"
    )


@pytest.mark.parametrize(
    "path, allowed",
    [
        ("/sparql", "GET, HEAD, POST, OPTIONS"),
        ("/update", "POST, OPTIONS"),
        ("/store?default", "GET, HEAD, POST, PUT, DELETE, OPTIONS"),
        ("/validate", "GET, HEAD, POST, OPTIONS"),
        ("/download/benelux-kg.nq.gz", "GET, HEAD, OPTIONS"),
        ("/static/yasgui/prefixes.json", "GET, HEAD, OPTIONS"),  # behind a mount
    ],
)
def test_options_says_what_the_path_allows(http, path, allowed):
    """OPTIONS that is no CORS preflight: 204 with Allow (RFC 9110 §9.3.7), as Fuseki does."""
    r = http.options(path)
    assert r.status_code == 204 and r.headers["allow"] == allowed and r.content == b""


def test_options_of_an_unknown_path_is_404(http):
    assert http.options("/no/such/path").status_code == 404


def test_cors_preflight_for_a_browser_sparql_client(http):
    """What YASGUI on another origin sends before a POST with a SPARQL body."""
    r = http.options(
        "/sparql",
        headers={
            "Origin": "https://yasgui.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, accept",
        },
    )
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*"
    assert "POST" in r.headers["access-control-allow-methods"]
    assert "content-type" in r.headers["access-control-allow-headers"].lower()


def test_head_on_the_service_description(http):
    """Link checkers and harvesters HEAD the endpoint that VoID and DCAT name."""
    get = http.get("/sparql", headers={"Accept": "text/turtle"})
    head = http.head("/sparql", headers={"Accept": "text/turtle"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]


def test_wrong_media_type_is_415(http):
    r = http.post("/sparql", content=SELECT, headers={"Content-Type": "text/plain"})
    assert r.status_code == 415 and "application/sparql-query" in r.text


def test_dataset_parameters(http):
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    only_ontology = http.get("/sparql", params={"query": q, "default-graph-uri": ONTOLOGY})
    everything = http.get("/sparql", params={"query": q})
    n_ont = int(only_ontology.json()["results"]["bindings"][0]["n"]["value"])
    n_all = int(everything.json()["results"]["bindings"][0]["n"]["value"])
    assert 0 < n_ont < n_all


def test_cors_on_queries(http):
    r = http.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://example.org"})
    assert r.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in r.headers


@pytest.mark.parametrize(
    "accept, fmt",
    [
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_service_description(http, built, accept, fmt):
    r = http.get("/sparql", headers={"Accept": accept})
    assert r.status_code == 200
    g = Graph().parse(data=r.content, format=fmt)
    service = next(g.objects(None, SD.endpoint))
    assert str(service).endswith("/sparql")
    names = {str(n) for n in g.objects(None, SD.name)}
    assert names == set(built.graphs)
    assert (None, SD.feature, SD.UnionDefaultGraph) in g
    # read-only: the one service speaks queries only (updates are refused here)
    assert set(g.subjects(RDF.type, SD.Service)) == {service}
    assert set(g.objects(service, SD.supportedLanguage)) == {SD.SPARQL11Query}


def test_browser_gets_a_page(http):
    r = http.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "<form" in r.text


def test_graph_store_get_named_graph(http, built):
    r = http.get("/store", params={"graph": ONTOLOGY}, headers={"Accept": "application/n-triples"})
    assert r.status_code == 200
    assert len(Graph().parse(data=r.content, format="nt")) == built.graphs[ONTOLOGY]


def test_graph_store_head_and_default(http):
    assert http.head("/store", params={"graph": ONTOLOGY}).status_code == 200
    # ?default is the stored default graph (what writes without a graph go to): the build
    # puts everything in named graphs, so it is empty, though queries read the union
    r = http.get("/store?default", headers={"Accept": "application/n-triples"})
    assert r.status_code == 200 and r.text.strip() == ""


def test_graph_store_errors(http):
    assert http.get("/store", params={"graph": "http://example.org/none"}).status_code == 404
    assert http.get("/store").status_code == 400
    assert http.get("/store", params={"graph": "not an iri"}).status_code == 400


def test_writes_are_off_by_default(http):
    r = http.post("/update", data={"update": "CLEAR ALL"})
    assert r.status_code == 403
    r = http.put(
        "/store",
        params={"graph": ONTOLOGY},
        content=b"<a:b> <a:c> <a:d> .",
        headers={"Content-Type": "application/n-triples"},
    )
    assert r.status_code == 403
    q = http.get("/sparql", params={"query": f"ASK {{ GRAPH <{ONTOLOGY}> {{ ?s ?p ?o }} }}"})
    assert q.json()["boolean"] is True


def test_json_error_for_json_clients(http):
    r = http.get("/sparql", params={"query": "SELEC"}, headers={"Accept": "application/json"})
    assert r.status_code == 400
    assert json.loads(r.content)["status"] == 400


def test_no_query_string_on_post_form_is_400(http):
    r = http.post("/sparql", data={"nothing": "here"})
    assert r.status_code == 400


def test_server_unaffected_by_many_bad_requests(http):
    for bad in ("SELECT", "{" * 5000 + "}" * 5000, "ASK { ?s ?p }", "\x00\x01"):
        assert http.get("/sparql", params={"query": bad}).status_code == 400
    assert http.get("/sparql", params={"query": "ASK {}"}).json()["boolean"] is True


def test_connection_reuse_keeps_working(server):
    with httpx.Client(base_url=server.url) as c:
        codes = {c.get("/sparql", params={"query": "ASK {}"}).status_code for _ in range(50)}
    assert codes == {200}


def test_from_in_the_query_wins_over_the_union_default_graph(http, built):
    q = f"SELECT (COUNT(*) AS ?n) FROM <{ONTOLOGY}> WHERE {{ ?s ?p ?o }}"
    r = http.get("/sparql", params={"query": q})
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == built.graphs[ONTOLOGY]


def test_large_results_stream_whole(http, built):
    q = "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
    r = http.get("/sparql", params={"query": q}, headers={"Accept": "text/tab-separated-values"})
    assert r.status_code == 200 and len(r.content) > 256 * 1024
    assert len(r.text.strip().splitlines()) == built.quads + 1
