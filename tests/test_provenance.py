"""Statement-level provenance, asked the way a researcher asks it: ``GRAPH ?g { s p o }`` and
the section (or external source) that graph is ``prov:wasDerivedFrom``.

- For facts of both seeds, at least one per kind of slide (history, institutions, Senningen,
  police objectives, contact) and one per theme of the plan, the query gives exactly the right
  section; a statement two sections make gives both.
- The model: every asserted statement outside the ontology, inferred and sources graphs is in
  a graph linked to exactly one section or source, or in the interpretation graph; nothing in
  the interpretation graph lacks its note (fr, nl, en).

The queries run in-process against the session's build (the store ``serve`` opens, with the
union default graph); the pages that show this provenance are tested over HTTP at the end.
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import shared

from kg_service.query.contract import QueryRequest
from kg_service.query.engines import run_to_bytes
from kg_service.query.engines.oxigraph import OxigraphEngine

ID = "https://w3id.org/benelux-kg/id/"
BKG = "https://w3id.org/benelux-kg/def/"
GRAPH = "https://w3id.org/benelux-kg/graph/"
DECK = ID + "section/benelux-cooperation-deck-"
PLAN = ID + "section/benelux-multiannual-plan-"
SOURCE = ID + "source/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
ORG = "http://www.w3.org/ns/org#"
XSD = "http://www.w3.org/2001/XMLSchema#"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PREFIXES = """PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX bkg: <https://w3id.org/benelux-kg/def/>
"""


@pytest.fixture(scope="module")
def engine(built, settings) -> OxigraphEngine:
    return OxigraphEngine.reader(str(settings.build_path / "store"))


def rows(engine: OxigraphEngine, query: str) -> list[dict]:
    request = QueryRequest(PREFIXES + query, accept="application/sparql-results+json")
    return json.loads(run_to_bytes(engine, request).body)["results"]["bindings"]


def sections_stating(engine: OxigraphEngine, s: str, p: str, o: str) -> set[str]:
    """Which sections (or external sources) state ``s p o``: the researcher's query."""
    found = rows(
        engine,
        f"""SELECT DISTINCT ?section WHERE {{
  GRAPH ?g {{ <{s}> <{p}> {o} }}
  ?g prov:wasDerivedFrom ?section .
}}""",
    )
    return {r["section"]["value"] for r in found}


def iri(value: str) -> str:
    return f"<{value}>"


FACTS = [
    # the deck: history (slide 2)
    ("history", ID + "milestone/1985-schengen-agreements", BKG + "milestoneYear",
     f'"1985"^^<{XSD}gYear>', DECK + "02"),
    ("history", ID + "agreement/benelux-union-treaty-2008", BKG + "signatureYear",
     f'"2008"^^<{XSD}gYear>', DECK + "02"),
    ("themes", ID + "organisation/benelux-union", BKG + "theme",
     iri(ID + "theme/sustainable-development"), DECK + "03"),
    ("orientation", ID + "orientation/benelux-political-orientation", BKG + "approvedBy",
     iri(ID + "institution/committee-of-ministers"), DECK + "04"),
    ("partners", ID + "partnership/north-rhine-westphalia", BKG + "cooperationForm",
     iri(ID + "cooperation-form/political-declaration"), DECK + "05"),
    ("objectives", ID + "organisation/benelux-union", BKG + "objective",
     iri(ID + "objective/eu-laboratory"), DECK + "06"),
    ("institutions", ID + "institution/benelux-parliament", BKG + "institutionOf",
     iri(ID + "organisation/benelux-union"), DECK + "07"),
    ("institutions", ID + "institution/court-of-justice", SKOS + "altLabel",
     '"Cour de Justice"@fr', DECK + "07"),
    ("treaty", ID + "cooperation-form/ad-hoc-declaration", SKOS + "inScheme",
     iri(ID + "scheme/cooperation-forms"), DECK + "08"),
    ("programme", ID + "programme/work-programme-2013-2016", BKG + "startYear",
     f'"2013"^^<{XSD}gYear>', DECK + "09"),
    ("Senningen", ID + "action-plan/senningen-3", BKG + "approvalDate",
     f'"2013-06-06"^^<{XSD}date>', DECK + "12"),
    ("Senningen", ID + "axis/senningen-3-justice-cooperation", BKG + "axisRole",
     iri(BKG + "FollowOnAxis"), DECK + "12"),
    ("Senningen chart", ID + "group/police-treaty", ORG + "subOrganizationOf",
     iri(ID + "group/senningen-central-consultation"), DECK + "13"),
    ("police objectives (1)", ID + "objective/police-joint-training-exercises", BKG + "involves",
     iri(ID + "initiative/candy-v"), DECK + "15"),
    ("police objectives (2)", ID + "objective/police-eu-un-civilian-crisis-missions",
     DCT + "relation", iri(ID + "organisation/united-nations"), DECK + "16"),
    ("contact", ID + "contact-point/luc-willems", "https://schema.org/telephone",
     '"+32 (0)2 519 38 11"', DECK + "17"),
    # the plan: its introduction and each of its five themes
    ("plan introduction", ID + "programme/multiannual-plan-2021-2024",
     "http://www.w3.org/ns/prov#wasAttributedTo", iri(ID + "organisation/benelux-union"),
     PLAN + "01"),
    ("plan theme 1", ID + "action/new-benelux-police-treaty", BKG + "theme",
     iri(ID + "theme/common-security-area"), PLAN + "02"),
    ("plan theme 2", ID + "action/cleaner-passenger-and-freight-transport", BKG + "involves",
     iri(ID + "initiative/benelux-charging-operator-registration-service"), PLAN + "03"),
    ("plan theme 3", ID + "action/european-model-digital-single-market", BKG + "position",
     f'"11"^^<{XSD}integer>', PLAN + "04"),
    ("plan theme 4", ID + "partnership/nordic-countries", BKG + "partner",
     iri(ID + "partner/nordic-countries"), PLAN + "05"),
    ("plan theme 5", ID + "action/cross-border-health-policy", BKG + "example",
     '"patients, ambulances, etc."@fr', PLAN + "06"),
    # listed external sources
    ("external", ID + "agreement/benelux-union-treaty-2008", BKG + "signatureDate",
     f'"2008-06-17"^^<{XSD}date>', SOURCE + "benelux-int-benelux-treaty"),
    ("external", ID + "country/belgium", SKOS + "exactMatch",
     "<http://publications.europa.eu/resource/authority/country/BEL>",
     SOURCE + "eu-country-authority-table"),
]  # fmt: skip


@pytest.mark.parametrize(
    "kind, s, p, o, section",
    FACTS,
    ids=[f"{s.rsplit('/', 1)[1]}-{p.rsplit('/', 1)[1].split('#')[-1]}" for _k, s, p, *_ in FACTS],
)
def test_the_section_that_states_a_fact(engine, kind, s, p, o, section):
    assert sections_stating(engine, s, p, o) == {section}, kind


def test_at_least_ten_facts_cover_both_seeds_and_every_kind_of_slide():
    kinds = {kind for kind, *_ in FACTS}
    sections = {section for *_, section in FACTS}
    assert len(FACTS) >= 10
    assert {"history", "institutions", "Senningen", "contact"} <= kinds
    assert {k for k in kinds if k.startswith("police objectives")}
    assert {PLAN + f"0{n}" for n in range(2, 7)} <= sections  # each theme of the plan


def test_a_statement_two_sections_make_is_in_both_graphs(engine):
    union, label = ID + "organisation/benelux-union", RDFS + "label"
    assert sections_stating(engine, union, label, '"Union Benelux"@fr') == {
        DECK + "02",
        PLAN + "01",
    }
    # and the union default graph still holds it once
    count = rows(
        engine,
        f'SELECT (COUNT(*) AS ?n) WHERE {{ <{union}> <{label}> "Union Benelux"@fr }}',
    )
    assert count[0]["n"]["value"] == "1"


def test_every_asserted_statement_has_a_home(engine):
    """Outside the ontology, inferred and sources graphs, every statement is in a graph linked
    to exactly one section or external source, or in the interpretation graph (whose notes
    the next test checks). The example queries (graph/examples) are the service's own
    documentation, not statements about cooperation: they are built from queries/."""
    homeless = rows(
        engine,
        f"""SELECT ?g (COUNT(*) AS ?n) WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER (?g NOT IN (<{GRAPH}ontology>, <{GRAPH}inferred>, <{GRAPH}sources>,
                     <{GRAPH}interpretation>, <{GRAPH}examples>))
  FILTER NOT EXISTS {{
    ?g prov:wasDerivedFrom ?source .
    {{ ?source a bkg:DocumentSection }} UNION {{ ?source a bkg:ExternalSource }}
    FILTER NOT EXISTS {{ ?g prov:wasDerivedFrom ?other FILTER (?other != ?source) }}
  }}
}} GROUP BY ?g""",
    )
    assert not homeless, homeless
    graphs = rows(engine, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert len(graphs) > 30  # one per section that states something and per source


def test_nothing_in_the_interpretation_graph_lacks_its_note(engine):
    bare = rows(
        engine,
        f"""SELECT ?s ?p ?o WHERE {{
  GRAPH <{GRAPH}interpretation> {{ ?s ?p ?o }}
  FILTER NOT EXISTS {{ GRAPH <{GRAPH}interpretation> {{ ?s a bkg:Interpretation }} }}
  FILTER NOT EXISTS {{
    GRAPH <{GRAPH}interpretation> {{
      ?i a bkg:Interpretation ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
         skos:editorialNote ?fr , ?nl , ?en .
      FILTER (lang(?fr) = "fr" && lang(?nl) = "nl" && lang(?en) = "en")
    }}
  }}
}}""",
    )
    assert not bare, bare
    kept = rows(engine, "SELECT ?i WHERE { ?i a bkg:Interpretation } ORDER BY ?i")
    assert len(kept) >= 1


def test_the_member_states_are_an_interpretation_with_its_note(engine):
    member = BKG + "memberState"
    for country in ("belgium", "netherlands", "luxembourg"):
        states = rows(
            engine,
            f"""SELECT ?g WHERE {{
  GRAPH ?g {{ <{ID}organisation/benelux-union> <{member}> <{ID}country/{country}> }}
}}""",
        )
        assert [r["g"]["value"] for r in states] == [GRAPH + "interpretation"]


@pytest.mark.parametrize(
    ("s", "p", "o"),
    [
        ("group/police-treaty", "http://purl.org/dc/terms/subject", "benelux-police-treaty-2004"),
        (
            "action/new-benelux-police-treaty",
            "http://purl.org/dc/terms/relation",
            "benelux-police-treaty-2018",
        ),
    ],
)
def test_which_police_treaty_is_an_interpretation_with_its_note(engine, s, p, o):
    """Neither seed says which treaty slide 13's "Traité police" group or the plan's "Un
    nouveau Traité de Police Benelux" mean: each link lives in the interpretation graph only
    (its note is checked by the test above)."""
    found = rows(
        engine,
        f"SELECT ?g WHERE {{ GRAPH ?g {{ <{ID}{s}> <{p}> <{ID}agreement/{o}> }} }}",
    )
    assert [r["g"]["value"] for r in found] == [GRAPH + "interpretation"]


@pytest.mark.parametrize(
    ("s", "p", "o", "read"),
    [
        # slide 4 says the joint work programme and the annual plans are approved by the
        # Committee of Ministers; slides 9 and 10 name the programme and the plan
        ("programme/work-programme-2013-2016", BKG + "approvedBy",
         iri(ID + "institution/committee-of-ministers"), {DECK + "04", DECK + "09"}),
        ("programme/annual-plan-2014", BKG + "approvedBy",
         iri(ID + "institution/committee-of-ministers"), {DECK + "04", DECK + "10"}),
        # slide 5's "nouveau traité" names no treaty; slide 2's is the 2008 one
        ("agreement/benelux-union-treaty-2008", DCT + "description",
         '"The potential of the new treaty for cooperation with other entities."@en',
         {DECK + "05", DECK + "02"}),
    ],
)  # fmt: skip
def test_a_reading_of_several_slides_is_an_interpretation(engine, s, p, o, read):
    """No single slide states these: citing one would send the researcher to a slide that does
    not say it. They live in the interpretation graph only, read from the slides named."""
    found = rows(engine, f"SELECT ?g WHERE {{ GRAPH ?g {{ <{ID}{s}> <{p}> {o} }} }}")
    assert [r["g"]["value"] for r in found] == [GRAPH + "interpretation"]
    sections = rows(
        engine,
        f"""SELECT ?section WHERE {{
  ?i a bkg:Interpretation ; rdf:subject <{ID}{s}> ; rdf:predicate <{p}> ; rdf:object {o} ;
     prov:wasDerivedFrom ?section .
}}""",
    )
    assert {r["section"]["value"] for r in sections} == read


@pytest.mark.parametrize("slide", ["01", "11", "14"])
def test_a_slide_that_is_only_a_heading_states_nothing(engine, slide):
    # slide 14 ("La coopération policière") is a heading: that the police cooperation axis is
    # an axis of the plan is slide 12's statement alone
    graphs = rows(
        engine,
        f"""SELECT ?g WHERE {{
  {{ ?g a bkg:SourceGraph ; prov:wasDerivedFrom <{DECK}{slide}> }}
  UNION {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (?g = <{GRAPH}section/benelux-cooperation-deck-{slide}>)}}
}}""",
    )
    assert not graphs
    axis = ID + "axis/senningen-3-police-cooperation"
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    assert sections_stating(engine, axis, rdf_type, iri(BKG + "ActionPlanAxis")) == {DECK + "12"}


def test_every_section_carries_text_and_every_graph_a_label_saying_which(engine):
    found = rows(
        engine,
        """SELECT ?g ?section ?label ?text WHERE {
  ?g a bkg:SourceGraph ; prov:wasDerivedFrom ?section ; rdfs:label ?label .
  FILTER (lang(?label) = "en")
  OPTIONAL { ?section <https://schema.org/text> ?text }
}""",
    )
    for row in found:
        section, label = row["section"]["value"], row["label"]["value"]
        if section.startswith(DECK):
            number = int(section.rsplit("-", 1)[1])
            assert re.search(rf"\bslide {number}\b", label), label
            assert row.get("text"), section
        elif section.startswith(PLAN):
            assert "multiannual plan" in label and row.get("text"), label


def test_example_query_10_answers_exactly_the_one_slide(engine, settings):
    query = (settings.project_dir / "queries" / "10-source-of-approval-date.rq").read_text()
    request = QueryRequest(query, accept="application/sparql-results+json")
    found = json.loads(run_to_bytes(engine, request).body)["results"]["bindings"]
    assert len(found) == 1
    assert found[0]["section"]["value"] == DECK + "12"
    assert found[0]["slide"]["value"] == "12"


# ---------------------------------------------------------------------------------------
# The pages, over HTTP from the real served process
# ---------------------------------------------------------------------------------------


def _row(page: str, label: str) -> str:
    """The table row of ``page`` whose header is the property ``label``."""
    for row in re.findall(r"<tr>.*?</tr>", page, re.S):
        if re.search(rf"<th[^>]*>\s*<a[^>]*>{re.escape(label)}</a>", row):
            return row
    raise AssertionError(f"no row {label!r}")


@pytest.mark.e2e
def test_entity_page_shows_the_slide_of_each_statement(server):
    with server.client() as http:
        page = http.get("/id/action-plan/senningen-3", headers={"Accept": BROWSER}).text
        french = http.get(
            "/id/action-plan/senningen-3", headers={"Accept": BROWSER, "Accept-Language": "fr"}
        ).text
    row = _row(page, "date of approval")
    assert "2013-06-06" in row
    assert re.search(
        r'\[<a href="/id/section/benelux-cooperation-deck-12"[^>]*>slide 12</a>\]', row
    )
    # only the slide that states it: not the other slides of the Senningen part
    assert re.findall(r"/id/section/[\w-]+", row) == ["/id/section/benelux-cooperation-deck-12"]
    assert ">diapositive 12</a>" in _row(french, "date d&#39;approbation")


@pytest.mark.e2e
def test_a_statement_of_the_plan_names_its_theme_not_its_position(server):
    """Theme 1 is the plan's second section: its reference says "theme 1", never "section 2"."""
    with server.client() as http:
        pages = {
            lang: http.get(
                "/id/action/new-benelux-police-treaty",
                headers={"Accept": BROWSER, "Accept-Language": lang},
            ).text
            for lang in ("en", "fr", "nl")
        }
    link = r'\[<a href="/id/section/benelux-multiannual-plan-02"[^>]*>{}</a>\]'
    assert re.search(link.format("Multiannual plan, theme 1"), pages["en"])
    assert re.search(link.format("Plan pluriannuel, thème 1"), pages["fr"])
    assert re.search(link.format("Meerjarenplan, thema 1"), pages["nl"])
    assert not re.search(r">(section|sectie) \d+</a>", "".join(pages.values()))


@pytest.mark.e2e
def test_entity_page_links_an_interpretation_and_an_external_source(server):
    with server.client() as http:
        union = http.get("/id/organisation/benelux-union", headers={"Accept": BROWSER}).text
        treaty = http.get("/id/agreement/benelux-union-treaty-2008", headers={"Accept": BROWSER})
    members = _row(union, "member state")
    assert members.count('href="/id/interpretation/benelux-union-member-states"') == 3
    assert ">interpretation</a>" in members
    signed = _row(treaty.text, "date of signature")
    assert 'href="/id/source/benelux-int-benelux-treaty"' in signed
    year = _row(treaty.text, "year of signature")
    assert 'href="/id/section/benelux-cooperation-deck-02"' in year


@pytest.mark.e2e
def test_slide_page_shows_its_text_and_what_the_graph_takes_from_it(server):
    with server.client() as http:
        r = http.get("/id/section/benelux-cooperation-deck-12", headers={"Accept": BROWSER})
    assert r.status_code == 200
    page = r.text
    assert '<h2 id="text">Text of the slide</h2>' in page
    text = re.search(r'<pre class="source-text"[^>]*>(.*?)</pre>', page, re.S).group(1)
    seed = shared("seeds", "000_71431b8613e0feb2.txt").read_text(encoding="utf-8")
    unescaped = text.replace("&#39;", "'").replace("&#34;", '"').replace("&amp;", "&")
    assert unescaped in seed and "Approbation ministérielle : 6 juin 2013" in unescaped
    taken = page[page.index('<h2 id="taken">') :]
    assert "What the graph takes from it" in taken
    rows = re.findall(r"<tr>.*?</tr>", taken, re.S)
    approval = [row for row in rows if "2013-06-06" in row]
    assert len(approval) == 1
    assert 'href="/id/action-plan/senningen-3"' in approval[0]
    assert 'href="/def/approvalDate"' in approval[0]
    # and nothing stated by another slide (the chart's groups are slide 13's)
    assert "/id/group/" not in taken


@pytest.mark.e2e
def test_slide_page_lists_the_interpretations_that_read_it(server):
    """Slide 4 does not itself say who approves slide 9's programme (a reading of slides 4 and
    9, in no slide's graph): its page says so apart, linking the interpretation."""
    with server.client() as http:
        dutch = http.get(
            "/id/section/benelux-cooperation-deck-04",
            headers={"Accept": BROWSER, "Accept-Language": "nl"},
        ).text
        themes = http.get("/id/section/benelux-cooperation-deck-03", headers={"Accept": BROWSER})
    start = dutch.index('<h3 id="readings">')
    taken, readings = dutch[dutch.index('<h2 id="taken">') : start], dutch[start:]
    assert "Interpretaties die erop steunen" in readings
    for reading in ("work-programme-2013-2016-approval", "annual-plan-2014-approval"):
        assert f'href="/id/interpretation/{reading}"' in readings
    assert "het Comité van Ministers keurt het jaarplan 2014 goed" in readings
    assert "/id/programme/" not in taken
    assert 'id="readings"' not in themes.text  # no interpretation reads slide 3


@pytest.mark.e2e
def test_slide_page_names_outside_properties_in_the_page_language(server):
    """SKOS carries English labels only: the slide's table names its properties as entity pages
    do, in the page's language ("dans le schéma", not "inScheme")."""
    with server.client() as http:
        french = http.get(
            "/id/section/benelux-cooperation-deck-03",
            headers={"Accept": BROWSER, "Accept-Language": "fr"},
        ).text
    taken = french[french.index('<h2 id="taken">') :]
    assert ">dans le schéma</a>" in taken and ">libellé préféré</a>" in taken
    assert not re.search(r">(inScheme|prefLabel|hasTopConcept|topConceptOf)</a>", taken)
