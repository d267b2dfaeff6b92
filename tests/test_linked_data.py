"""Dereferenceable IRIs and the ontology documentation, over real HTTP."""

import html
import re

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from kg_service.rdf.namespaces import BKG, ID

pytestmark = pytest.mark.e2e

PARLIAMENT = "/id/institution/benelux-parliament"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def http(server):
    with server.client() as client:
        yield client


@pytest.mark.parametrize(
    "accept, media, fmt",
    [
        (None, "text/turtle", "turtle"),
        ("text/turtle", "text/turtle", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
    ],
)
def test_rdf_by_content_negotiation(http, accept, media, fmt):
    r = http.get(PARLIAMENT, headers={"Accept": accept} if accept else {})
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    g = Graph().parse(data=r.content, format=fmt)
    me = ID["institution/benelux-parliament"]
    assert (me, RDFS.label, Literal("Beneluxparlement", lang="nl")) in g
    # incoming links and the labels of linked things are part of the description
    assert (ID["organisation/benelux-union"], BKG.hasInstitution, me) in g
    assert (ID["organisation/benelux-union"], RDFS.label, Literal("Union Benelux", lang="fr")) in g
    assert "Accept" in r.headers["vary"]


@pytest.mark.parametrize(
    "ext, media",
    [
        ("ttl", "text/turtle"),
        ("nt", "application/n-triples"),
        ("jsonld", "application/ld+json"),
        ("rdf", "application/rdf+xml"),
        ("html", "text/html"),
    ],
)
def test_extension_urls(http, ext, media):
    r = http.get(f"{PARLIAMENT}.{ext}")
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)


def test_format_parameter(http):
    r = http.get(PARLIAMENT, params={"format": "jsonld"}, headers={"Accept": "text/turtle"})
    assert r.headers["content-type"].startswith("application/ld+json")


def test_link_and_content_location_headers(http):
    r = http.get(PARLIAMENT, headers={"Accept": "text/turtle"})
    assert r.headers["content-location"] == f"{PARLIAMENT}.ttl"
    links = r.headers["link"]
    for ext in ("nt", "jsonld", "rdf", "html"):
        assert f'<{PARLIAMENT}.{ext}>; rel="alternate"' in links


def test_unknown_iri_is_404_with_a_page_for_people(http):
    r = http.get("/id/institution/does-not-exist", headers={"Accept": BROWSER})
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert 'href="/sparql"' in r.text
    assert http.get("/id/institution/does-not-exist").status_code == 404


def test_406_when_nothing_fits(http):
    assert http.get(PARLIAMENT, headers={"Accept": "image/png"}).status_code == 406


def test_head(http):
    r = http.head(PARLIAMENT, headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.content == b""


@pytest.mark.parametrize(
    "lang, title",
    [("fr", "Parlement Benelux"), ("nl", "Beneluxparlement"), ("en", "Benelux Parliament")],
)
def test_html_page_in_the_language_asked(http, lang, title):
    r = http.get(PARLIAMENT, headers={"Accept": BROWSER, "Accept-Language": f"{lang},en;q=0.5"})
    assert r.status_code == 200
    assert re.search(rf"<h1>\s*{re.escape(title)}\s*</h1>", r.text)
    assert f'<html lang="{lang}">' in r.text


def test_html_page_links_provenance_and_formats(http):
    page = http.get(PARLIAMENT, headers={"Accept": BROWSER}).text
    assert 'href="/id/organisation/benelux-union"' in page  # related resource, local link
    assert 'href="/id/section/benelux-cooperation-deck-07"' in page  # provenance: the slide
    assert f'href="{PARLIAMENT}.ttl"' in page and f'href="{PARLIAMENT}.jsonld"' in page
    assert 'href="/query?query=' in page  # query this in SPARQL
    assert "(inferred)" in page  # org:subOrganizationOf comes from the OWL RL closure


SLIDE_GRAPH = "/graph/section/benelux-cooperation-deck-12"


@pytest.mark.parametrize(
    "lang, title, derived, triples",
    [
        ("fr", "Énoncés de la diapositive 12 :", "tiré de", "Les triplets de ce graphe"),
        ("nl", "Uitspraken van dia 12:", "afgeleid van", "De triples van deze graaf"),
        ("en", "Statements of slide 12:", "derived from", "The triples of this graph"),
    ],
)
def test_a_named_graphs_iri_is_a_page_that_leads_to_its_slide_and_triples(
    http, lang, title, derived, triples
):
    """Pages link a document's graphs (its ``source``); each graph IRI answers, in the reader's
    language, with where it comes from and a link to the triples it holds."""
    document = http.get("/id/document/benelux-cooperation-deck", headers={"Accept": BROWSER}).text
    assert f'href="{SLIDE_GRAPH}"' in document
    page = http.get(SLIDE_GRAPH, headers={"Accept": BROWSER, "Accept-Language": lang})
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert re.search(rf"<h1>{re.escape(title)} ", text), text[:2000]
    assert f">{derived}</a></th>" in text
    assert 'href="/id/section/benelux-cooperation-deck-12"' in text
    store = "/store?graph=https%3A%2F%2Fw3id.org%2Fbenelux-kg%2Fgraph%2Fsection%2F"
    link = re.search(rf'<a href="({re.escape(store)}[^"]+)" type="text/turtle">{triples}', text)
    assert link, "no link to the graph's triples"
    held = http.get(html.unescape(link.group(1)), headers={"Accept": "text/turtle"})
    assert held.status_code == 200 and len(Graph().parse(data=held.text, format="turtle")) > 5


def test_a_named_graphs_iri_gives_its_description_to_machines(http):
    r = http.get(SLIDE_GRAPH, headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=r.text, format="turtle")
    derived = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
    iri = URIRef("https://w3id.org/benelux-kg" + SLIDE_GRAPH)
    assert set(g.objects(iri, derived)) == {ID["section/benelux-cooperation-deck-12"]}
    assert http.get("/graph/section/no-such-slide", headers={"Accept": BROWSER}).status_code == 404


def test_a_page_names_outside_properties_classes_and_formats_in_its_language(http):
    """schema:contactPoint, org:hasPrimarySite, org:FormalOrganization … are not labelled in
    the graph: a French page names them in French, not "contactPoint"; formats read as people
    write them; the footer too is French."""
    page = http.get(
        "/id/institution/general-secretariat",
        headers={"Accept": BROWSER, "Accept-Language": "fr"},
    ).text
    for name in ("point de contact", "site principal", "a pour site", "page d&#39;accueil"):
        assert f">{name}</a></th>" in page, name
    assert ">organisation formelle</a>" in page
    assert "contactPoint<" not in page and "Formal organization" not in page
    assert ">Turtle</a><a " in page and ">N-Triples</a>" in page and ">RDF/XML</a>" in page
    assert "données sous licence CC BY 4.0" in page and "data CC BY" not in page
    term = http.get("/def/Institution", headers={"Accept": BROWSER, "Accept-Language": "nl"})
    # the ontology it is defined by, by its name rather than "def"
    assert ">benelux-kg-ontologie van de Benelux-samenwerking</a>" in term.text


@pytest.mark.parametrize(
    "lang, label", [("nl", "Terrorisme"), ("fr", "Terrorisme"), ("en", "Terrorism")]
)
def test_a_label_spelt_alike_in_two_languages_is_shown_in_the_readers(http, lang, label):
    """ "Terrorisme"@fr and "Terrorisme"@nl are one string: the page once kept one of them,
    and a Dutch reader got the English "Terrorism"."""
    page = http.get(
        "/id/group/benelux-countries-consultation",
        headers={"Accept": BROWSER, "Accept-Language": lang},
    ).text
    assert f'<a href="/id/group/benelux-terrorism">{label}</a>' in page


@pytest.mark.parametrize(
    "lang, year, integer", [("fr", "année", "entier"), ("nl", "jaar", "geheel getal")]
)
def test_a_values_datatype_is_named_in_the_readers_language(http, lang, year, integer):
    treaty = http.get(
        "/id/agreement/benelux-union-treaty-2008",
        headers={"Accept": BROWSER, "Accept-Language": lang},
    ).text
    parliament = http.get(PARLIAMENT, headers={"Accept": BROWSER, "Accept-Language": lang}).text
    assert f'<span class="lang-tag">{year}</span>' in treaty and ">gYear<" not in treaty
    assert (
        f'<span class="lang-tag">{integer}</span>' in parliament and ">integer<" not in parliament
    )


def test_the_language_switch_without_a_language_keeps_the_readers_choice(server):
    with server.client(follow_redirects=False, cookies={"lang": "nl"}) as http:
        r = http.get("/lang", params={"next": PARLIAMENT})
        assert r.status_code == 303 and r.headers["location"] == PARLIAMENT
        assert "set-cookie" not in r.headers  # no lang=en behind the reader's back
        page = http.get(PARLIAMENT, headers={"Accept": BROWSER})
    assert "<h1>Beneluxparlement</h1>" in page.text


def test_language_switch_persists_in_a_cookie(server):
    with server.client(follow_redirects=False) as http:
        r = http.get("/lang", params={"lang": "nl", "next": PARLIAMENT})
        assert r.status_code == 303 and r.headers["location"] == PARLIAMENT
        page = http.get(PARLIAMENT, headers={"Accept": BROWSER, "Accept-Language": "fr"})
        assert "<h1>Beneluxparlement</h1>" in page.text


def test_language_switch_keeps_the_pages_parameters_but_its_language(server):
    """Switching language on a search keeps the words searched for; a ``lang`` parameter of the
    page goes (it would outweigh the new choice)."""
    with server.client(follow_redirects=False) as http:
        page = http.get(
            "/search", params={"q": "parlement", "lang": "fr"}, headers={"Accept": BROWSER}
        )
        hidden = re.search(r'<input type="hidden" name="next" value="([^"]+)"', page.text)
        assert hidden and html.unescape(hidden.group(1)) == "/search?q=parlement&lang=fr"
        r = http.get("/lang", params={"lang": "nl", "next": html.unescape(hidden.group(1))})
        assert r.status_code == 303 and r.headers["location"] == "/search?q=parlement"
        dutch = http.get(r.headers["location"], headers={"Accept": BROWSER})
    assert '<html lang="nl">' in dutch.text and 'value="parlement"' in dutch.text


def test_every_named_graph_dereferences(server):
    """A harvester that follows the graph names the VoID and the service description list gets
    each graph's description, the four that describe rather than state included."""
    with server.client() as http:
        found = http.get(
            "/sparql",
            params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"},
            headers={"Accept": "application/sparql-results+json"},
        ).json()["results"]["bindings"]
        graphs = [row["g"]["value"] for row in found]
        answers = {
            g: http.get("/" + g.split("/benelux-kg/", 1)[1], headers={"Accept": "text/turtle"})
            for g in graphs
        }
    assert len(graphs) > 30 and all(
        g.startswith("https://w3id.org/benelux-kg/graph/") for g in graphs
    )
    assert {g: r.status_code for g, r in answers.items() if r.status_code != 200} == {}
    for g, r in answers.items():
        labels = Graph().parse(data=r.text, format="turtle").objects(URIRef(g), RDFS.label)
        assert {label.language for label in labels} >= {"fr", "nl", "en"}, g


def test_language_switch_never_redirects_off_site(server):
    with server.client(follow_redirects=False) as http:
        r = http.get("/lang", params={"lang": "nl", "next": "//evil.example/x"})
        assert r.headers["location"] == "/"


def test_ontology_term_pages(http):
    r = http.get("/def/Institution", headers={"Accept": "text/turtle"})
    g = Graph().parse(data=r.content, format="turtle")
    assert len(set(g.objects(URIRef(str(BKG.Institution)), RDFS.label))) == 3
    page = http.get("/def/Institution", headers={"Accept": BROWSER, "Accept-Language": "nl"})
    assert "<h1>instelling</h1>" in page.text.lower()


def test_ontology_documentation(http):
    page = http.get("/def/", headers={"Accept": BROWSER, "Accept-Language": "en"}).text
    for term in ("Institution", "institutionOf", "signatureDate", "ActionPlan"):
        assert f'id="{term}"' in page
    assert "Index of terms" in page and "Class hierarchy" in page and "Statements using it" in page
    assert "https://creativecommons.org/licenses/by/4.0" in page


def test_ontology_iri_gives_the_ontology_graph(http):
    r = http.get("/def", headers={"Accept": "application/rdf+xml"})
    g = Graph().parse(data=r.content, format="xml")
    assert (URIRef("https://w3id.org/benelux-kg/def"), None, None) in g
    assert len(g) > 500
