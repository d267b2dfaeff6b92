"""Search and browse against the real served process: ``/search`` as JSON and as a page, odd
input, search in SPARQL, the index following writes, ``/browse/{class}``."""

from __future__ import annotations

import html
import re
import time
import unicodedata
from types import SimpleNamespace

import pyoxigraph as ox
import pytest
from conftest import serving

from kg_service.errors import NotSupported
from kg_service.rdf.namespaces import BKG, ID, SEARCH_SERVICE
from kg_service.web.routes.browse import _sort_key
from kg_service.web.routes.search import current_index

pytestmark = pytest.mark.e2e

JSON = {"Accept": "application/json"}
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
PARLIAMENT = str(ID["institution/benelux-parliament"])
FIELDS = {"id", "label", "lang", "types", "score", "matched"}


def test_json_has_exactly_the_issues_shape(server):
    with server.client() as http:
        r = http.get("/search", params={"q": "coopérations", "lang": "fr"}, headers=JSON)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    body = r.json()
    assert set(body) == {"query", "total", "results"} and body["query"] == "coopérations"
    assert body["total"] >= len(body["results"]) > 0
    for hit in body["results"]:
        assert set(hit) == FIELDS and hit["lang"] == "fr"
        assert "coopération" in hit["matched"].lower()  # the plural found the singular
        assert isinstance(hit["types"], list) and isinstance(hit["score"], float)


def test_dutch_stemming_and_the_display_language(server):
    with server.client() as http:
        r = http.get("/search", params={"q": "samenwerkingen", "lang": "nl"}, headers=JSON)
        nl = http.get("/search", params={"q": "Benelux Parliament"}, headers=JSON)
        fr = http.get(
            "/search", params={"q": "Benelux Parliament"}, headers={**JSON, "Accept-Language": "fr"}
        )
    assert any("samenwerking" in h["matched"].lower() for h in r.json()["results"])
    assert nl.json()["results"][0]["label"] == "Benelux Parliament"  # no language said: the match's
    assert fr.json()["results"][0]["label"] == "Parlement Benelux"
    # the label depends on Accept-Language: a shared cache must keep one answer per language
    assert "accept-language" in fr.headers["vary"].lower().replace(" ", "").split(",")


def test_prefix_and_class_filter(server):
    with server.client() as http:
        r = http.get(
            "/search", params={"q": "parl", "type": "Institution", "limit": 5}, headers=JSON
        )
    results = r.json()["results"]
    assert results[0]["id"] == PARLIAMENT
    assert all(str(BKG.Institution) in h["types"] for h in results)


@pytest.mark.parametrize(
    ("q", "status"),
    [
        ("", 400),
        ("   ", 400),
        ("x" * 20_000, 400),
        ('"unbalanced', 200),
        ("'", 200),
        ("a* OR b:(c) NEAR/2 ^d -e +f {g} [h]", 200),
        ("\u0000\ufffd", 200),
        ("ééé" * 100, 200),
    ],
)
def test_odd_input_gets_a_result_or_a_400_with_a_sentence(server, q, status):
    with server.client() as http:
        as_json = http.get("/search", params={"q": q}, headers=JSON)
        as_page = http.get("/search", params={"q": q}, headers=BROWSER)
    assert as_json.status_code == status, as_json.text
    if status == 400:
        assert as_json.json()["message"].endswith(".")
        assert as_page.status_code in (200, 400)  # the page shows its form (and the error)
    else:
        assert as_page.status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"q": "a", "lang": "de"},
        {"q": "a", "limit": "x"},
        {"q": "a", "limit": "1000"},
        {"q": "a", "offset": "-3"},
        {"q": "a", "type": "no such thing!"},
        {"q": "a", "format": "turtle"},
    ],
)
def test_bad_parameters_are_a_400(server, params):
    with server.client() as http:
        r = http.get("/search", params=params, headers=JSON)
    assert r.status_code == 400 and r.json()["message"]


def test_the_page_speaks_the_readers_language(server):
    with server.client() as http:
        r = http.get(
            "/search", params={"q": "samenwerking"}, headers={**BROWSER, "Accept-Language": "nl"}
        )
    assert r.status_code == 200 and r.headers["content-language"] == "nl"
    assert "resultaten voor" in r.text and '<html lang="nl">' in r.text
    assert 'href="/id/' in r.text


def test_a_results_kinds_are_named_in_the_readers_language(server):
    """Outside classes (org:FormalOrganization, prov:Entity …) are not labelled in the graph:
    the page names them in its language, not by their English local names."""
    with server.client() as http:
        r = http.get(
            "/search", params={"q": "benelux"}, headers={**BROWSER, "Accept-Language": "fr"}
        )
    kinds = {
        k.strip()
        for s in re.findall(r'<span class="types">([^<]*)</span>', r.text)
        for k in html.unescape(s).split(",")
    }
    assert {"Organisation formelle", "Entité", "Institution"} <= kinds, kinds
    assert not [k for k in kinds if re.fullmatch(r"[A-Z][a-z]+[A-Z]\w*", k)], kinds


def test_the_page_without_words_is_a_form(server):
    with server.client() as http:
        r = http.get("/search", headers=BROWSER)
    assert r.status_code == 200 and 'action="/search"' in r.text and "hits" not in r.text


PROLOGUE = "PREFIX search: <https://w3id.org/benelux-kg/search#>\n"


def test_search_inside_sparql(server):
    query = (
        PROLOGUE
        + f"SELECT ?x ?score WHERE {{ SERVICE <{SEARCH_SERVICE}> {{ ?x search:query "
        + '"benelux parl" ; search:score ?score } ?x a ?c } ORDER BY DESC(?score) ?x LIMIT 1'
    )
    with server.client() as http:
        r = http.post("/sparql", data={"query": query}, headers={"Accept": "text/csv"})
        refused = http.post(
            "/sparql",
            data={"query": query.replace(SEARCH_SERVICE, "http://127.0.0.1:9/sparql")},
        )
    assert r.status_code == 200, r.text
    assert PARLIAMENT in r.text
    assert refused.status_code == 400 and "SERVICE" in refused.text


def test_the_index_follows_writes(settings, built, tmp_path):
    token = "search-token"
    label = "Zeldzaamheidsonderzoek"
    rdfs_label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    update = f'INSERT DATA {{ <http://example.org/rare> {rdfs_label} "{label}"@nl }}'
    log = tmp_path / "serve.log"
    with serving(settings, log, "--update-token", token) as srv, srv.client() as http:
        assert http.get("/search", params={"q": label}, headers=JSON).json()["total"] == 0
        r = http.post(
            "/update", data={"update": update}, headers={"Authorization": f"Bearer {token}"}
        )
        assert r.status_code == 204
        deadline = time.monotonic() + 20
        while True:  # the previous index answers until the new one is published
            found = http.get("/search", params={"q": "zeldzaam"}, headers=JSON)
            assert found.status_code == 200
            if found.json()["total"]:
                break
            assert time.monotonic() < deadline, "the index did not follow the write"
            time.sleep(0.1)
    assert found.json()["results"][0]["id"] == "http://example.org/rare"


def test_a_store_without_an_index_says_so():
    request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(store=object())))
    with pytest.raises(NotSupported, match="remote"):
        current_index(request)  # type: ignore[arg-type]


# --- browse -------------------------------------------------------------------------------


def _links(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'<li><a href="(/id/[^"]+)"', page)]


def test_a_class_list_is_paginated_and_sorted_in_the_page_language(server):
    with server.client() as http:
        pages = [
            http.get(
                "/browse/Action",
                params={"page": n, "size": 10},
                headers={**BROWSER, "Accept-Language": "nl"},
            )
            for n in (1, 2, 3)
        ]
        past = http.get("/browse/Action", params={"page": 4, "size": 10}, headers=BROWSER)
    assert [p.status_code for p in pages] == [200, 200, 200] and past.status_code == 404
    links = [link for p in pages for link in _links(p.text)]
    assert len(links) == len(set(links)) == 21  # every action once
    assert 'rel="next" href="/browse/Action?page=2&amp;size=10"' in pages[0].text
    assert 'rel="prev"' in pages[1].text and 'rel="next"' not in pages[2].text
    assert "21 instanties" in pages[0].text and "Pagina 1 van 3" in pages[0].text
    labels = re.findall(r'<li><a href="/id/[^"]+" title="[^"]+"[^>]*>([^<]+)</a>', pages[0].text)
    assert labels == sorted(labels, key=str.lower)


def test_a_class_list_sorts_accented_letters_with_their_base_letter(server):
    with server.client() as http:
        page = http.get(
            "/browse/Objective", params={"size": 200}, headers={**BROWSER, "Accept-Language": "fr"}
        )
    labels = re.findall(r'<li><a href="/id/[^"]+" title="[^"]+"[^>]*>([^<]+)</a>', page.text)
    labels = [html.unescape(label) for label in labels]
    assert "Élargir la coopération transfrontalière" in labels
    folded = [_reading_order(label) for label in labels]
    assert folded == sorted(folded), labels  # "Élargir" among the e's, not after the z's


def _reading_order(label: str) -> tuple:
    """Accents folded, numbers compared as numbers ("Diapositive 2" before "Diapositive 10")."""
    folded = unicodedata.normalize("NFD", label.lower()).encode("ascii", "ignore").decode()
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", folded))


def test_the_counting_order_key_is_shallow_and_right_on_pyoxigraph():
    """pyoxigraph parses nested calls in time exponential in their depth (16 nested REPLACEs:
    ~0.2 s a query; each class list page took 0.3 s): the key is built one BIND a step, each
    at most two calls deep, and puts the numbers in counting order."""
    binds, key = _sort_key("?x")
    for bind in binds.splitlines():
        depth = deepest = 0
        for char in re.sub(r'"[^"]*"', '""', bind):  # parentheses inside the patterns aside
            depth += {"(": 1, ")": -1}.get(char, 0)
            deepest = max(deepest, depth)
        assert deepest <= 2, bind
    labels = ["dia 10 : b", "dia 2 : c", "plan 2013-2016", "dia 1 : a", "plan 2013-2014"]
    values = " ".join(f'"{label}"' for label in labels)
    query = f"SELECT ?x WHERE {{ VALUES ?x {{ {values} }} {binds} }} ORDER BY {key}"
    ordered = [solution["x"].value for solution in ox.Store().query(query)]
    assert ordered == ["dia 1 : a", "dia 2 : c", "dia 10 : b", "plan 2013-2014", "plan 2013-2016"]


def test_a_class_list_counts_slides_as_a_reader_does(server):
    with server.client() as http:
        page = http.get("/browse/DocumentSection", headers={**BROWSER, "Accept-Language": "fr"})
    labels = re.findall(r'<li><a href="/id/[^"]+" title="[^"]+"[^>]*>([^<]+)</a>', page.text)
    slides = [html.unescape(label) for label in labels if label.startswith("Diapositive ")]
    numbers = [int(re.match(r"Diapositive (\d+)", label).group(1)) for label in slides]
    assert len(numbers) == 17 and numbers == sorted(numbers), slides  # 1, 2 … 10, not 1, 10, 11
    assert [_reading_order(label) for label in labels] == sorted(
        _reading_order(label) for label in labels
    )


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/browse/Theme", 200),
        ("/browse/skos:Concept", 200),
        ("/browse/NoSuchClass", 404),
        ("/browse/Theme?page=0", 400),
        ("/browse/Theme?size=100000", 400),
        ("/browse/not%20a%20class!", 400),
    ],
)
def test_browse_answers(server, path, status):
    with server.client() as http:
        assert http.get(path, headers=BROWSER).status_code == status


def test_landing_page_leads_to_the_lists_and_both_documents(server):
    with server.client() as http:
        page = http.get("/", headers={**BROWSER, "Accept-Language": "en"}).text
    assert 'href="/browse/Theme"' in page and 'href="/browse/Institution"' in page
    assert 'href="/id/scheme/multiannual-plan-2021-2024-themes"' in page  # the plan's 5 themes
    assert 'href="/id/scheme/benelux-themes"' in page  # the deck's 3
    assert 'href="/id/programme/annual-plan-2014"' in page
