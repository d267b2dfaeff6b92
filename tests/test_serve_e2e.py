"""End to end: ``benelux-kg serve`` on a loopback port answers /healthz and real queries."""

import json

import pytest

pytestmark = pytest.mark.e2e

INSTITUTIONS = """
PREFIX bkg: <https://w3id.org/benelux-kg/def/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?i ?label WHERE { ?i a bkg:Institution ; rdfs:label ?label FILTER(lang(?label) = "nl") }
ORDER BY ?label
"""


def test_healthz(server):
    with server.client() as http:
        r = http.get("/healthz")
    assert r.status_code == 200 and r.text.strip() == "ok"


def test_get_query_returns_json_results(server):
    with server.client() as http:
        r = http.get("/sparql", params={"query": INSTITUTIONS})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    rows = json.loads(r.content)["results"]["bindings"]
    labels = {row["label"]["value"] for row in rows}
    assert len(rows) == 5 and "Beneluxparlement" in labels


def test_form_post_and_direct_post_agree(server):
    with server.client() as http:
        form = http.post("/sparql", data={"query": INSTITUTIONS})
        direct = http.post(
            "/sparql",
            content=INSTITUTIONS,
            headers={"Content-Type": "application/sparql-query"},
        )
    assert form.status_code == direct.status_code == 200
    assert json.loads(form.content) == json.loads(direct.content)


def test_construct_is_turtle_by_default(server):
    q = "CONSTRUCT { ?s a ?c } WHERE { ?s a ?c } LIMIT 3"
    with server.client() as http:
        r = http.get("/sparql", params={"query": q})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")


def test_syntax_error_is_400_with_position(server):
    with server.client() as http:
        r = http.get("/sparql", params={"query": "SELECT * WHERE {\n ?s ?p }"})
    assert r.status_code == 400
    assert "line 2" in r.text


def test_served_store_holds_the_build(server, built):
    with server.client() as http:
        r = http.get(
            "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"}
        )
    n = int(json.loads(r.content)["results"]["bindings"][0]["n"]["value"])
    assert n == built.quads
