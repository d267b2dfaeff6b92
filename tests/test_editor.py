"""The editor's server side over HTTP: the live syntax check, the views' libraries served from
our origin, the editor page's configuration, and the permalink the plain query page links to.
"""

from __future__ import annotations

import json
import re

import pytest

from kg_service.web.routes import ui
from kg_service.web.routes.ui import VENDOR_FILES

pytestmark = pytest.mark.e2e

BROWSER = {"Accept": "text/html"}


def check(server, query: str) -> dict:
    with server.client() as http:
        r = http.post("/editor/check", data={"query": query})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    return r.json()


def test_a_query_that_parses_is_valid(server):
    assert check(server, "SELECT * WHERE { ?s ?p ?o } LIMIT 1") == {"valid": True}


def test_a_mistake_is_the_sentence_with_its_line_and_column(server):
    assert check(server, "PREFIX x: <http://x/>\nSELECT * WHER { ?s ?p ?o }") == {
        "valid": False,
        "message": "`WHER` at line 2, column 10 is not a SPARQL keyword: did you mean WHERE?",
        "line": 2,
        "column": 10,
    }
    assert check(server, "SELECT * WHERE {\n  ?s ?p ?o")["line"] == 1


def test_what_would_have_to_run_is_not_checked(server):
    assert check(server, "ASK { ?s ?p ?o }") == {"valid": None}
    assert check(server, "PREFIX x: <http://x/> INSERT DATA { x:a x:b x:c }") == {"valid": None}
    assert check(server, "LOAD <http://example.org/x>") == {"valid": None}


def test_the_policy_comes_before_the_parser(server):
    deep = "SELECT * WHERE " + "{" * 400 + "}" * 400
    answer = check(server, deep)
    assert answer["valid"] is False and "nest" in answer["message"]
    refused = check(server, "SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }")
    assert refused["valid"] is False and "SERVICE" in refused["message"]


def test_a_check_without_a_query_is_a_400(server):
    with server.client() as http:
        r = http.post("/editor/check", data={"q": "x"})
    assert r.status_code == 400


@pytest.mark.parametrize("name", sorted(VENDOR_FILES))
def test_the_views_libraries_come_from_our_origin(server, name: str):
    with server.client() as http:
        r = http.get(f"/static/vendor/{name}")
    assert r.status_code == 200
    assert r.headers["content-type"] == VENDOR_FILES[name][1]
    assert len(r.content) > 10_000


@pytest.mark.parametrize("name", ["package.json", "..%2F..%2Fpackage.json", "echarts.js"])
def test_nothing_else_of_node_modules_is_served(server, name: str):
    with server.client() as http:
        assert http.get(f"/static/vendor/{name}").status_code == 404


def _config(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="kg-config">(.*?)</script>', page, re.S)
    assert match
    return json.loads(match.group(1))


def test_the_editor_page_loads_our_scripts_and_speaks_the_readers_language(server):
    with server.client() as http:
        page = http.get("/sparql", headers={**BROWSER, "Accept-Language": "nl"}).text
    assert re.search(r'<script type="module" src="/static/editor.js\?v=\w+">', page)
    assert re.search(r'<link rel="stylesheet" href="/static/editor.css\?v=\w+">', page)
    assert not re.search(r'(src|href)="(https?:)?//', page)
    config = _config(page)
    assert config["words"]["examples"] == "Voorbeelden"
    assert config["checkUrl"] == "/editor/check"
    assert set(config["vendor"]) == set(VENDOR_FILES)
    assert all(url.startswith("/static/vendor/") for url in config["vendor"].values())
    assert 'aria-controls="examples-list"' in page and ">Voorbeelden (" in page


def test_the_editors_scripts_are_served(server):
    with server.client() as http:
        for name in ("editor.js", "editor-examples.js", "editor-chart.js", "editor-share.js"):
            r = http.get(f"/static/{name}")
            assert r.status_code == 200 and "javascript" in r.headers["content-type"], name


def test_the_plain_query_page_links_to_the_editors_permalink(server):
    with server.client() as http:
        page = http.get(
            "/query",
            params={"example": "06-actions-per-theme-count", "lang": "fr"},
            headers=BROWSER,
        ).text
    link = re.search(r'<a href="(/sparql\?lang=fr#query=[^"]+)">', page)
    assert link and link.group(1).endswith("&amp;outputFormat=chart")


def test_the_permalink_is_what_encodeURIComponent_makes():  # noqa: N802
    # the editor (editor-share.js) builds the same link from the same three things
    assert ui.permalink("SELECT * { ?s ?p 'x' } # é", "table", "nl") == (
        "/sparql?lang=nl#query=SELECT%20*%20%7B%20%3Fs%20%3Fp%20'x'%20%7D%20%23%20%C3%A9"
        "&outputFormat=table"
    )


# --- the terms the editor completes --------------------------------------------------------

BKG = "https://w3id.org/benelux-kg/def/"


def _terms(server, lang: str) -> dict[str, dict]:
    with server.client() as http:
        r = http.get("/editor/terms.json", params={"lang": lang})
    assert r.status_code == 200
    body = r.json()
    assert body["lang"] == lang
    return {t["iri"]: t for t in body["terms"]}


@pytest.mark.parametrize(
    ("lang", "label"), [("fr", "institution"), ("nl", "instelling"), ("en", "institution")]
)
def test_the_ontology_terms_come_with_labels_in_the_page_language(server, lang, label):
    term = _terms(server, lang)[BKG + "Institution"]
    assert term == {"iri": BKG + "Institution", "kind": "class", "label": label, "uses": 5}


def test_the_terms_are_the_ontologys_and_what_the_data_uses(server):
    terms = _terms(server, "en")
    assert terms[BKG + "institutionOf"]["kind"] == "property"
    assert terms[BKG + "institutionOf"]["uses"] > 0
    skos = "http://www.w3.org/2004/02/skos/core#prefLabel"  # used, not ours: no label
    assert terms[skos] == {
        "iri": skos,
        "kind": "property",
        "label": "",
        "uses": terms[skos]["uses"],
    }
    assert terms[skos]["uses"] > 100
    uses = [t["uses"] for t in terms.values()]
    assert uses == sorted(uses, reverse=True)  # most used first


def test_prefix_completion_knows_ours_and_the_common_ones(server):
    with server.client() as http:
        known = http.get("/static/yasgui/prefixes.json").json()
    assert known["bkg"] == BKG and known["dcat"] == "http://www.w3.org/ns/dcat#"
    assert known["wdt"] == "http://www.wikidata.org/prop/direct/"
