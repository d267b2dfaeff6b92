"""The people-facing pages over plain HTTP: the landing page, the editor page, the YASGUI assets,
the HTML query page (what works without JavaScript)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pyoxigraph as ox
import pytest
from starlette.requests import Request

from kg_service.build.examples import load_examples
from kg_service.rdf.namespaces import COMMON_PREFIXES, PREFIXES
from kg_service.settings import Settings
from kg_service.web.routes import ui

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def h1(page: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
    assert match, "the page has no h1"
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()


def hrefs(page: str) -> set[str]:
    return {html.unescape(h) for h in re.findall(r'href="([^"]*)"', page)}


def config_of(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="kg-config">(.*?)</script>', page, re.S)
    assert match, "the editor page carries no configuration"
    return json.loads(match.group(1))


# --- the landing page ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "tagline", "parliament", "holds"),
    [
        (
            "fr",
            "Un graphe de connaissances ouvert",
            "Parlement Benelux",
            "Ce que contient le graphe",
        ),
        ("nl", "Een open kennisgraaf", "Beneluxparlement", "Wat de graaf bevat"),
        ("en", "An open knowledge graph", "Benelux Parliament", "What the graph holds"),
    ],
)
def test_landing_page_speaks_the_readers_language(server, lang, tagline, parliament, holds):
    with server.client() as http:
        r = http.get("/", headers={**BROWSER, "Accept-Language": f"{lang},en;q=0.5"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert r.headers["content-language"] == lang
    page = r.text
    assert f'<html lang="{lang}">' in page
    assert h1(page) == "benelux-kg"
    assert tagline in page and holds in page
    assert parliament in page  # an entry point's label, from the data


def test_an_entry_points_card_shows_no_slide_heading_as_its_description(server):
    """The Union's dcterms:description is slide 2's heading ("Benelux : plus de 50 ans ..."):
    as on its own page, its card leaves it out; a real description stays (the Senningen plan)."""
    with server.client() as http:
        pages = {
            lang: http.get("/", headers={**BROWSER, "Accept-Language": lang}).text
            for lang in ("fr", "en")
        }
    assert "plus de 50 ans" not in pages["fr"] and "more than 50 years" not in pages["en"]
    card = re.search(r'<li><a href="/id/action-plan/senningen-3"[^>]*>.*?</li>', pages["en"], re.S)
    assert card and "ministerial approval on 6 June 2013" in card.group(0)


def test_landing_page_counts_what_the_graph_holds(server, built, settings):
    with server.client() as http:
        page = http.get("/", headers={**BROWSER, "Accept-Language": "en"}).text
    triples = re.search(r'data-count="triples">([\d,]+)<', page)
    graphs = re.search(r'data-count="graphs">(\d+)<', page)
    assert triples and graphs
    # distinct triples (the union as a set), as VoID and the service description count them
    dump = ox.parse(path=str(settings.build_path / "benelux-kg.nq"), format=ox.RdfFormat.N_QUADS)
    distinct = len({q.triple for q in dump})
    assert int(triples.group(1).replace(",", "")) == distinct < built.quads
    assert int(graphs.group(1)) == len(built.graphs)
    # class labels come from the ontology, counts from the graph (inferred types included)
    # each count opens the list of that class's instances
    institutions = r'href="/browse/Institution"[^>]*>Institution</a></th><td class="num">5<'
    assert re.search(institutions, page)
    assert re.search(r'href="/browse/Action"[^>]*>Action</a></th><td class="num">21<', page)


def test_landing_page_uses_the_cookie_language_and_nl_separators(server):
    with server.client(cookies={"lang": "nl"}) as http:
        page = http.get("/", headers=BROWSER).text
    assert "Wat de graaf bevat" in page
    assert re.search(r'data-count="triples">\d\.\d{3}<', page)  # 2.889, not 2,889


def test_landing_page_in_dutch_calls_shapes_as_the_validation_page_does(server):
    with server.client() as http:
        landing = http.get("/", headers={**BROWSER, "Accept-Language": "nl"}).text
        validate = http.get("/validate", headers={**BROWSER, "Accept-Language": "nl"}).text
    assert "SHACL-vormen" in validate
    assert landing.count("SHACL-vormen") == 2 and "SHACL-shapes" not in landing


def test_landing_page_links_everywhere_a_newcomer_needs(server):
    with server.client() as http:
        links = hrefs(http.get("/", headers=BROWSER).text)
    for target in ("/sparql", "/def/", "/download", "/catalog", "/.well-known/void", "/validate"):
        assert target in links, target
    assert "/id/organisation/benelux-union" in links
    assert "/id/action-plan/senningen-3" in links
    assert "/id/document/benelux-cooperation-deck" in links  # a source document, from the data
    assert any(h.startswith("/query?example=") for h in links)


def test_landing_page_loads_nothing_from_elsewhere(server):
    with server.client() as http:
        page = http.get("/", headers=BROWSER).text
    # signposting links name other resources (the licence, the dataset's IRI); they load nothing
    signposts = r'<link rel="(?:cite-as|describedby|item|license|type|collection)"[^>]*>'
    assert not re.search(
        r'(src|href)="(https?:)?//', re.sub(signposts, "", page.split("<main>")[0])
    )
    # usable without JavaScript: the one script is the search box's type-ahead, from our origin
    # (the schema.org JSON-LD is data, not a program), and the box is a plain form that
    # submits to /search
    scripts = re.findall(r"<script(?![^>]*application/ld\+json)[^>]*>", page)
    assert scripts == ['<script src="/static/search.js" defer>']
    assert '<form class="site-search" role="search" method="get" action="/search"' in page


def test_entry_points_exist(server):
    with server.client() as http:
        for path in ui.ENTRY_POINTS:
            r = http.get(f"/id/{path}", headers=BROWSER)
            assert r.status_code == 200, path


# --- the editor page -------------------------------------------------------------------


def test_a_browser_asking_sparql_gets_the_editor(server):
    with server.client() as http:
        r = http.get("/sparql", headers={**BROWSER, "Accept-Language": "fr"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    page = r.text
    assert h1(page) == "Interroger le graphe en SPARQL"
    assert '<meta charset="utf-8">' in page
    assert 'src="/static/yasgui/yasgui.min.js?v=' in page
    assert 'href="/static/yasgui/yasgui.min.css?v=' in page
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing from another origin
    assert '<form method="get" action="/query">' in page  # the plain form, without JavaScript


def test_editor_offers_every_example_in_the_pages_language_and_the_prefixes(server):
    with server.client() as http:
        config = config_of(http.get("/sparql", headers={**BROWSER, "Accept-Language": "nl"}).text)
    examples = load_examples(ROOT / "queries")
    assert len(examples) == len(list((ROOT / "queries").glob("*.rq"))) > 0
    assert [e["title"] for e in config["examples"]] == [e.title("nl") for e in examples]
    assert [e["comment"] for e in config["examples"]] == [e.comment("nl") for e in examples]
    assert config["lang"] == "nl"
    assert config["endpoint"] == "/sparql"
    assert config["prefixes"] == PREFIXES
    for prefix, iri in PREFIXES.items():
        assert re.search(rf"PREFIX {prefix}:\s+<{re.escape(iri)}>", config["defaultQuery"])


def test_machines_still_get_the_service_description(server):
    with server.client() as http:
        r = http.get("/sparql", headers={"Accept": "text/turtle"})
        plain = http.get("/sparql")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    assert "sd:Service" in r.text or "ns/sparql-service-description#Service" in r.text
    assert not plain.headers["content-type"].startswith("text/html")


def test_yasgui_assets_are_served_from_our_origin(server):
    with server.client() as http:
        js = http.get("/static/yasgui/yasgui.min.js")
        css = http.get("/static/yasgui/yasgui.min.css")
        head = http.head("/static/yasgui/yasgui.min.js")
        prefixes = http.get("/static/yasgui/prefixes.json")
        other = http.get("/static/yasgui/package.json")
        traversal = http.get("/static/yasgui/..%2F..%2Fpackage.json")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert "charset=utf-8" in js.headers["content-type"]
    assert len(js.content) > 100_000 and b"Yasgui" in js.content
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert head.status_code == 200
    assert prefixes.json() == {**COMMON_PREFIXES, **PREFIXES}  # ours, and the common ones
    assert other.status_code == 404 and traversal.status_code == 404
    with server.client() as http:  # the site's own static files still come from the mount
        assert http.get("/static/style.css").status_code == 200


def _request(settings: Settings, lang: str = "en") -> Request:
    """A bare request to ``/sparql`` for an app holding ``settings`` (no store needed)."""
    app = SimpleNamespace(state=SimpleNamespace(settings=settings))
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/sparql",
        "raw_path": b"/sparql",
        "root_path": "",
        "scheme": "http",
        "server": ("testserver", 80),
        "headers": [(b"accept-language", lang.encode())],
        "query_string": b"",
        "app": app,
    }
    return Request(scope)


def test_without_yasgui_the_page_is_a_plain_form_that_says_how_to_install(tmp_path):
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "a.rq").write_text("ASK {}\n", encoding="utf-8")
    for name in ("a.toml", "topics.toml"):
        (tmp_path / "queries" / name).write_text(SIDECARS[name], encoding="utf-8")
    response = ui.query_page(_request(Settings.load(project_dir=tmp_path), "nl"))
    page = response.body.decode("utf-8")
    assert 'id="yasgui-missing"' in page and "make setup" in page and "npm ci" in page
    assert "yasgui.min.js" not in page
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/search.js" defer>']
    assert '<form method="get" action="/query">' in page
    assert 'href="/query?example=a"' in page


TEXTS = (("title", "A"), ("comment", "B"))
SIDECARS = {
    "topics.toml": '[[topic]]\nid = "t"\nfr = "T"\nnl = "T"\nen = "T"\n',
    "a.toml": 'topic = "t"\n'
    + "".join(f'[{k}]\nfr = "{v}"\nnl = "{v}"\nen = "{v}"\n' for k, v in TEXTS)
    + '[keywords]\nfr = ["a"]\nnl = ["a"]\nen = ["a"]\n',
}


def test_with_yasgui_installed_the_page_loads_it(settings):
    assert ui.yasgui_dir(settings).is_dir(), "YASGUI is not installed: run 'make setup' (npm ci)"
    page = ui.query_page(_request(settings)).body.decode("utf-8")
    assert 'id="yasgui"' in page and 'id="yasgui-missing"' not in page


# --- the HTML query page (no JavaScript needed) -----------------------------------------


def test_an_example_runs_as_an_html_table(server):
    example = next(e for e in load_examples(ROOT / "queries") if e.id.startswith("01-"))
    with server.client() as http:
        r = http.get("/query", params={"example": example.id, "lang": "fr"}, headers=BROWSER)
    assert r.status_code == 200
    page = r.text
    assert h1(page) == example.title("fr")
    assert example.comment("fr") in html.unescape(page)
    assert '<table class="results-table">' in page
    assert "Beneluxparlement" in page and "Benelux Parliament" in page
    # our IRIs link to this server's pages
    assert 'href="/id/institution/benelux-parliament"' in page
    assert "/sparql?lang=fr#query=" in page  # the editor's permalink of the same query
    assert "format=csv" in page


def test_a_typed_query_runs_ask_and_construct(server):
    ask = "ASK { ?s a <https://w3id.org/benelux-kg/def/Institution> }"
    construct = "CONSTRUCT { ?s a ?c } WHERE { ?s a ?c } LIMIT 2"
    with server.client() as http:
        yes = http.get("/query", params={"query": ask}, headers=BROWSER)
        graph = http.get("/query", params={"query": construct}, headers=BROWSER)
    assert yes.status_code == 200 and 'data-boolean="true"' in yes.text
    assert graph.status_code == 200 and '<pre class="turtle">' in graph.text
    assert "format=turtle" in graph.text and "format=csv" not in graph.text


def test_a_typed_querys_page_has_one_results_heading_and_counts_one_row(server):
    one = "SELECT ?s WHERE { ?s a <https://w3id.org/benelux-kg/def/ActionPlan> }"
    with server.client() as http:
        r = http.get("/query", params={"query": one, "lang": "fr"}, headers=BROWSER)
    assert r.status_code == 200
    page = html.unescape(r.text)
    assert h1(page) == "Interroger le graphe en SPARQL"  # not a second "Résultats"
    assert len(re.findall(r"<h[12][^>]*>Résultats</h[12]>", page)) == 1
    assert '<p class="count">1 ligne</p>' in page  # not "1 lignes"


def test_a_bad_query_is_shown_with_its_error_on_the_same_page(server):
    with server.client() as http:
        r = http.get("/query", params={"query": "SELECT * WHERE {\n ?s ?p }"}, headers=BROWSER)
        service = http.get(
            "/query", params={"query": "SELECT * { SERVICE <http://x/> { ?s ?p ?o } }"}
        )
    assert r.status_code == 400
    assert 'role="alert"' in r.text and "line 2" in r.text
    assert "SELECT * WHERE {\n ?s ?p }" in html.unescape(r.text)  # kept in the form to fix it
    assert service.status_code == 400  # the policy applies here too


def test_query_page_without_a_query_goes_to_the_editor(server):
    with server.client() as http:
        r = http.get("/query", headers=BROWSER)
        unknown = http.get("/query", params={"example": "no-such-example"}, headers=BROWSER)
    assert r.status_code == 303 and r.headers["location"] == "/sparql"
    assert unknown.status_code == 404


# --- units ------------------------------------------------------------------------------


def test_numbers_use_the_languages_separator():
    assert ui.number(2889, "en") == "2,889"
    assert ui.number(2889, "nl") == "2.889"
    assert ui.number(2889, "fr") == "2\u202f889"


def test_shorten_uses_the_graphs_prefixes():
    assert ui.shorten("https://w3id.org/benelux-kg/def/Institution") == "bkg:Institution"
    assert ui.shorten("http://www.w3.org/2000/01/rdf-schema#label") == "rdfs:label"
    assert ui.shorten("https://w3id.org/benelux-kg/id/institution/x") == "id:institution/x"
    assert ui.shorten("https://w3id.org/benelux-kg/") == "https://w3id.org/benelux-kg/"
    assert ui.shorten("http://example.org/x") == "http://example.org/x"
