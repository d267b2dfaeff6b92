"""The ontology's documentation at ``/def/`` (issue 15), over real HTTP in fr, nl and en.

An index of terms whose every link has its section on the page; domain, range and superclass
cells as labelled links or CURIEs, never ``<https://…>`` (a user counted 53 such cells); usage
counts equal to the SPARQL count a reader would run; headings in the page's language.
"""

from __future__ import annotations

import re

import pytest

from kg_service.web.ontology_terms import curie, in_language

pytestmark = pytest.mark.e2e

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PREFIX = "PREFIX bkg: <https://w3id.org/benelux-kg/def/>\n"
#: Headings each language must show: the index, a section, a row of a property's table.
HEADINGS = {
    "fr": ("Index des termes", "Individus nommés", "Domaine", "Employée avec (sujets)"),
    "nl": ("Index van de termen", "Benoemde individuen", "Domein", "Gebruikt bij (onderwerpen)"),
    "en": ("Index of terms", "Named individuals", "Domain", "Used with (subjects)"),
}


@pytest.fixture(scope="module")
def http(server):
    with server.client() as client:
        yield client


@pytest.fixture(scope="module")
def pages(http) -> dict[str, str]:
    return {
        lang: http.get("/def/", params={"lang": lang}, headers={"Accept": BROWSER}).text
        for lang in HEADINGS
    }


def index_links(page: str) -> list[str]:
    nav = re.search(r'<nav class="term-index".*?</nav>', page, re.S)
    assert nav, "no term index"
    return re.findall(r'href="#([^"]+)"', nav.group(0))


def section(page: str, name: str) -> str:
    found = re.search(rf'<article id="{name}".*?</article>', page, re.S)
    assert found, f"no section #{name}"
    return found.group(0)


def shown_count(page: str, name: str) -> int:
    usage = re.search(r'<tr class="usage">.*?<data value="(\d+)">', section(page, name), re.S)
    assert usage, f"#{name} shows no count"
    return int(usage.group(1))


def sparql_count(http, query: str) -> int:
    r = http.get("/sparql", params={"query": PREFIX + query})
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("lang", HEADINGS)
def test_the_index_lists_every_kind_of_term_and_each_link_has_its_section(pages, lang):
    page = pages[lang]
    links = index_links(page)
    for term in ("Institution", "hasInstitution", "signatureDate", "MainAxis", "AxisRoles"):
        assert term in links, f"{term} missing from the index"
    ids = set(re.findall(r'\sid="([^"]+)"', page))
    assert [link for link in links if link not in ids] == []
    assert len(links) >= 70  # 31 classes, 36 properties, 3 individuals, the section headings


@pytest.mark.parametrize("lang", HEADINGS)
def test_headings_are_in_the_page_language(pages, lang):
    page = pages[lang]
    assert f'<html lang="{lang}">' in page
    for heading in HEADINGS[lang]:
        assert heading in page, f"{heading!r} missing from the {lang} page"


@pytest.mark.parametrize("lang", HEADINGS)
def test_no_link_cell_shows_a_raw_iri(pages, lang):
    cells = re.findall(r'<td class="refs">(.*?)</td>', pages[lang], re.S)
    assert len(cells) > 100  # domain, range, superclasses, "used with" of 70 terms
    raw = [cell for cell in cells if "&lt;http" in cell or "<http" in cell]
    assert raw == []
    texts = [text for cell in cells for text in re.findall(r">([^<]+)</a>", cell)]
    assert [text for text in texts if text.startswith("http")] == []
    # outside vocabularies as CURIEs, ours by their label in the page language
    institution = section(pages[lang], "Institution")
    assert ">org:FormalOrganization</a>" in institution
    label = {"fr": "a pour institution", "nl": "heeft als instelling", "en": "has institution"}
    assert f'<a href="#hasInstitution">{label[lang]}</a>' in institution


@pytest.mark.parametrize("lang", HEADINGS)
def test_usage_counts_are_the_sparql_counts(http, pages, lang):
    statements = sparql_count(http, "SELECT (COUNT(*) AS ?n) WHERE { ?s bkg:hasInstitution ?o }")
    instances = sparql_count(http, "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a bkg:Agreement }")
    assert statements > 0 and instances > 0
    assert shown_count(pages[lang], "hasInstitution") == statements
    assert shown_count(pages[lang], "Agreement") == instances


def test_a_property_names_the_classes_it_is_used_with_and_a_class_its_properties(pages):
    has_institution = section(pages["en"], "hasInstitution")
    used = re.search(r"Used with \(values\)</th><td[^>]*>(.*?)</td>", has_institution, re.S)
    assert used and '<a href="#Institution">institution</a>' in used.group(1)
    institution = section(pages["en"], "Institution")
    assert re.search(r"Range of</th><td[^>]*>.*#hasInstitution", institution)


def test_a_label_missing_in_the_page_language_comes_from_another_marked_with_its_language():
    assert in_language({"fr": "accord", "en": "agreement"}, "nl") == ("accord", "fr")
    assert in_language({"nl": "overeenkomst"}, "nl") == ("overeenkomst", None)
    assert in_language({}, "en") is None
    assert curie("http://purl.org/dc/terms/isPartOf") == "dcterms:isPartOf"
    assert curie("https://example.org/vocab#Thing") == "Thing"
