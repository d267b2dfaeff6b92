"""The graph files tested like code: ontology header and terms, data labels, identifiers, and the
model fixes of issue 14 (the un-merge of NORDIC/BALTIC and the groups of countries, codes as
skos:exactMatch, no provenance on things, unsourced links left out, corrected labels, the
verbatim text of every section). Where each statement lives (its graph) is tested on the build
in tests/test_provenance.py."""

import re
from pathlib import Path

import pytest
from conftest import shared
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, SKOS

from kg_service.rdf.namespaces import BKG, ID, ONTOLOGY_IRI
from kg_service.validation.core import load_files

ROOT = Path(__file__).resolve().parent.parent
VANN = Namespace("http://purl.org/vocab/vann/")
SCHEMA = Namespace("https://schema.org/")
TIME = Namespace("http://www.w3.org/2006/time#")
LANGS = {"fr", "nl", "en"}
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


def load(*folders: str) -> Graph:
    """Every Turtle and TriG file of ``folders``, named graphs merged into one graph."""
    return load_files([ROOT / folder for folder in folders])


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load("ontology")


@pytest.fixture(scope="module")
def data() -> Graph:
    return load("data")


def ours(term) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(str(BKG))


def terms(ontology: Graph) -> set[URIRef]:
    found = set()
    for kind in TERM_TYPES:
        found |= {t for t in ontology.subjects(RDF.type, kind) if ours(t)}
    return found


def label_languages(g: Graph, node, prop=RDFS.label) -> list[str]:
    return sorted(o.language for o in g.objects(node, prop) if isinstance(o, Literal))


def test_ontology_header(ontology):
    o = ONTOLOGY_IRI
    assert (o, RDF.type, OWL.Ontology) in ontology
    for prop in (
        OWL.versionIRI,
        OWL.versionInfo,
        DCTERMS.license,
        DCTERMS.creator,
        VANN.preferredNamespacePrefix,
        VANN.preferredNamespaceUri,
    ):
        assert ontology.value(o, prop) is not None, f"ontology header lacks {prop}"
    assert str(ontology.value(o, DCTERMS.license)).startswith(
        "https://creativecommons.org/licenses/by/4.0"
    )
    assert str(ontology.value(o, VANN.preferredNamespaceUri)) == str(BKG)
    assert (o, OWL.imports, None) not in ontology


def test_every_term_has_one_label_per_language_and_a_definition(ontology):
    problems = []
    for term in sorted(terms(ontology)):
        if label_languages(ontology, term) != sorted(LANGS):
            problems.append(f"{term}: labels {label_languages(ontology, term)}")
        definitions = list(ontology.objects(term, SKOS.definition)) + list(
            ontology.objects(term, RDFS.comment)
        )
        if not any(getattr(d, "language", None) == "en" for d in definitions):
            problems.append(f"{term}: no English definition")
        if (term, RDFS.isDefinedBy, ONTOLOGY_IRI) not in ontology:
            problems.append(f"{term}: no rdfs:isDefinedBy")
    assert len(terms(ontology)) >= 30
    assert not problems, "\n".join(problems)


def test_every_bkg_term_used_anywhere_is_declared(ontology, data):
    declared = terms(ontology) | {s for s in ontology.subjects() if ours(s)}
    used = set()
    for g in (data, load("shapes")):
        for _s, p, o in g:
            used |= {t for t in (p, o) if ours(t)}
            if p == RDF.type and ours(o):
                used.add(o)
    shapes_only = {t for t in used if str(t).endswith("Shape")}
    missing = sorted(used - declared - shapes_only)
    assert not missing, f"used but not declared: {missing}"


def test_properties_are_object_xor_datatype(ontology):
    both = set(ontology.subjects(RDF.type, OWL.ObjectProperty)) & set(
        ontology.subjects(RDF.type, OWL.DatatypeProperty)
    )
    assert not both


def resources(data: Graph) -> set[URIRef]:
    return {s for s in data.subjects(RDF.type, None) if str(s).startswith(str(ID))}


def test_data_has_no_blank_nodes(data):
    assert not [t for t in data if any(isinstance(x, BNode) for x in t)]


def test_every_resource_has_labels_in_fr_nl_en(data):
    problems = [
        f"{r}: {label_languages(data, r)}"
        for r in sorted(resources(data))
        if label_languages(data, r) != sorted(LANGS)
    ]
    assert not problems, "\n".join(problems)


SOURCE_CLASSES = {BKG.SourceDocument, BKG.DocumentSection, BKG.ExternalSource, BKG.Interpretation}


def test_no_provenance_on_real_world_things(data):
    # issue 14: "the Union was derived from a web page" — provenance is on statements (their
    # graph), not on the Union, the countries or any other thing
    problems = [
        f"{r} {p}"
        for r in sorted(resources(data))
        if not set(data.objects(r, RDF.type)) & SOURCE_CLASSES
        for p in (PROV.wasDerivedFrom, DCTERMS.source)
        if (r, p, None) in data
    ]
    assert not problems, "\n".join(problems)


def test_provenance_points_to_sections_or_external_sources(data):
    allowed = set(data.subjects(RDF.type, BKG.DocumentSection)) | set(
        data.subjects(RDF.type, BKG.ExternalSource)
    )
    targets = set(data.objects(None, PROV.wasDerivedFrom))
    assert targets and targets <= allowed, sorted(targets - allowed)


def allowed_identifiers() -> set[str]:
    text = shared("reference", "external-facts.md").read_text()
    ids = {f"http://www.wikidata.org/entity/{q}" for q in re.findall(r"\bQ\d+\b", text)}
    ids |= set(re.findall(r"http://dbpedia\.org/resource/[\w\-]+", text))
    authority = "http://publications.europa.eu/resource/authority/country/"
    ids |= {authority + code for code in re.findall(r"/country/([A-Z]{3})", text)}
    return ids


AUTHORITY = "http://publications.europa.eu/resource/authority/country/"


def test_same_as_only_to_identifiers_listed_with_a_source(data):
    targets = {str(o) for o in data.objects(None, OWL.sameAs)}
    targets |= {str(o) for o in data.objects(None, SKOS.exactMatch)}
    assert targets, "expected identifiers from external-facts.md"
    assert targets <= allowed_identifiers(), sorted(targets - allowed_identifiers())


#: Where the identifiers of external-facts.md live; any IRI there names a real-world thing.
IDENTIFIER_SPACES = (
    "http://www.wikidata.org/",
    "https://www.wikidata.org/",
    "http://dbpedia.org/",
    "http://publications.europa.eu/resource/authority/",
)


def external_identifiers(g: Graph) -> set[str]:
    """The IRIs of ``g`` (in any position, with any property) in an identifier space, except a
    source's own address (``schema:url``, ``foaf:page``: where it was found, not a thing)."""
    pages = set(g.objects(None, SCHEMA.url)) | set(g.objects(None, FOAF.page))
    return {
        str(term)
        for triple in g
        for term in triple
        if isinstance(term, URIRef) and str(term).startswith(IDENTIFIER_SPACES)
        if term not in pages
    }


def test_every_external_identifier_used_anywhere_is_listed(data):
    # issue 14: "use only identifiers listed in external-facts.md", whatever the property
    # (owl:sameAs, skos:exactMatch, rdfs:seeAlso, …)
    used = external_identifiers(data)
    assert "http://www.wikidata.org/entity/Q29999" in used  # the rdfs:seeAlso counts too
    assert used <= allowed_identifiers(), sorted(used - allowed_identifiers())


def test_external_identifiers_are_stated_only_by_external_sources():
    # a seed never gives an identifier: one outside data/external/ would be cited to a slide
    outside = [f for f in sorted((ROOT / "data").glob("*.*")) if f.suffix in (".ttl", ".trig")]
    assert len(outside) >= 8
    for file in outside:
        assert not external_identifiers(load_files([file])), file.name


def test_eu_authority_codes_are_exact_matches_never_same_as(data):
    # the codes are skos:Concepts of a code list: owl:sameAs would make Belgium the same
    # individual as BEL and, through the reasoner, chain Q31 to BEL
    assert not [o for o in data.objects(None, OWL.sameAs) if str(o).startswith(AUTHORITY)]
    country = ID["country/belgium"]
    assert (country, SKOS.exactMatch, URIRef(AUTHORITY + "BEL")) in data
    assert (country, OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q31")) in data
    assert not [o for o in data.objects(None, SKOS.exactMatch) if not str(o).startswith(AUTHORITY)]


def test_schengen_area_is_not_the_agreement(data):
    # external-facts.md: Q1969730 is the Schengen *Area*, not the 1985 agreement
    assert not list(data.subjects(OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q1969730")))


# ---------------------------------------------------------------------------------------
# Model fixes of issue 14
# ---------------------------------------------------------------------------------------


def test_nordic_and_baltic_bodies_are_not_the_groups_of_countries(data, ontology):
    # the deck's "NORDIC, BALTIC" are cooperation bodies; the plan's "pays nordiques / baltes"
    # are groups of countries: two resources each, with classes that cannot meet
    for body, group in (
        ("nordic-cooperation", "nordic-countries"),
        ("baltic-cooperation", "baltic-countries"),
    ):
        b, g = ID[f"partner/{body}"], ID[f"partner/{group}"]
        assert set(data.objects(b, RDF.type)) == {BKG.RegionalCooperation}
        assert set(data.objects(g, RDF.type)) == {BKG.CountryGroup}
        assert (g, SKOS.altLabel, None) not in data, "the group keeps no NORDIC/BALTIC label"
    assert (BKG.CountryGroup, OWL.disjointWith, BKG.RegionalCooperation) in ontology
    assert (ID["partner/nordic-cooperation"], SKOS.altLabel, Literal("NORDIC")) in data
    assert (
        ID["partner/nordic-countries"],
        RDFS.label,
        Literal("Pays nordiques", lang="fr"),
    ) in data
    # each partnership has its own partner: the deck's without a form, the plan's projects
    plan_form = ID["cooperation-form/cooperation-projects"]
    assert (ID["partnership/nordic-countries"], BKG.cooperationForm, plan_form) in data
    assert (ID["partnership/nordic-cooperation"], BKG.cooperationForm, None) not in data


def test_unsourced_links_are_left_out(data):
    plan = ID["action-plan/senningen-3"]
    assert (plan, BKG.workingGroup, None) not in data
    assert (plan, BKG.objective, None) not in data  # the axis holds them (an interpretation)
    assert (ID["orientation/benelux-political-orientation"], DCTERMS.hasPart, None) not in data
    assert (ID["programme/multiannual-plan-2021-2024"], BKG.period, None) not in data
    assert not list(data.subjects(RDF.type, TIME.Duration))
    assert (ID["document/benelux-multiannual-plan"], DCTERMS.publisher, None) not in data
    assert (ID["document/benelux-cooperation-deck"], DCTERMS.publisher, None) not in data
    # slide 15 gives "(Candy V)" as an example of joint training and exercises: not said to be
    # an exercise, let alone a joint one
    candy = ID["initiative/candy-v"]
    assert {str(o) for o in data.objects(candy, RDFS.label)} == {"Candy V"}
    descriptions = " ".join(str(o) for o in data.objects(candy, DCTERMS.description))
    assert not re.search(r"(?i)exercice commun|joint exercise|gezamenlijke oefening ", descriptions)


CANDY_AS_EXERCISE = re.compile(
    r"(?i)\b(exercices?|exercises?|oefening(en)?)\s+Candy\b|\bCandy\s+V[\s-]+(exerci|oefening)"
)


def test_candy_v_is_nowhere_called_an_exercise():
    # slide 15 gives "(Candy V)" only in an example of joint training and exercises: no text a
    # reader sees (data, ontology, the example queries' descriptions, the model) calls it one
    files = [*(ROOT / "data").rglob("*.t*"), *(ROOT / "ontology").glob("*.ttl")]
    files += [*(ROOT / "queries").glob("*.toml"), ROOT / "docs" / "model.md"]
    assert len(files) > 40
    found = [f.name for f in files if CANDY_AS_EXERCISE.search(f.read_text(encoding="utf-8"))]
    assert not found, found
    assert CANDY_AS_EXERCISE.search("the Candy\nV exercise on commercial extortion")
    assert CANDY_AS_EXERCISE.search("l'exercice Candy V")


def test_links_no_source_states_stay_unstated(data):
    # issue 14 asks for these only if a seed or a listed external source states them; none does
    assert (None, BKG.establishes, None) not in data
    assert (None, BKG.establishedBy, None) not in data
    assert (None, BKG.party, None) not in data
    annual = ID["programme/annual-plan-2014"]
    programme = ID["programme/work-programme-2013-2016"]
    assert not [(s, o) for s, _p, o in data.triples((annual, None, programme))]


def test_definitions_claim_nothing_the_sources_do_not_say(ontology):
    annual = " ".join(str(d) for d in ontology.objects(BKG.AnnualPlan, SKOS.definition))
    assert "multiannual" not in annual and "pluriannuel" not in annual and "meerjarig" not in annual
    follow = {d.language: str(d) for d in ontology.objects(BKG.FollowOnAxis, SKOS.definition)}
    assert "suite logistique" in follow["fr"] and "logique" not in follow["fr"]
    assert "logical" not in follow["en"] and "logistical" in follow["en"]
    assert "logisch" not in follow["nl"] and "logistiek" in follow["nl"]


@pytest.mark.parametrize(
    "resource, prop, value, lang",
    [
        (
            "group/ministerial-working-group-jai",
            RDFS.label,
            "Ministeriële werkgroep Justitie en Binnenlandse Zaken (JBZ)",
            "nl",
        ),
        (
            "group/ministerial-working-group-jai",
            RDFS.label,
            "Ministerial working group on Justice and Home Affairs (JHA)",
            "en",
        ),
        ("group/ministerial-working-group-jai", SKOS.altLabel, "JAI", None),
        ("institution/general-secretariat", RDFS.label, "Benelux General Secretariat", "en"),
        ("institution/general-secretariat", SKOS.altLabel, "Secrétariat général", "fr"),
        ("institution/benelux-council", SKOS.altLabel, "Conseil", "fr"),
        ("institution/court-of-justice", SKOS.altLabel, "Cour de Justice", "fr"),
        ("action-plan/senningen-3", BKG.evaluation, "Évaluation régulière", "fr"),
        (
            "objective/police-cybersecurity-cybercrime",
            RDFS.label,
            "Cooperation on cybersecurity and cybercrime",
            "en",
        ),
        (
            "objective/police-eu-un-civilian-crisis-missions",
            DCTERMS.description,
            "A case-by-case approach",
            "en",
        ),
        (
            "objective/police-eu-un-civilian-crisis-missions",
            DCTERMS.description,
            "Een aanpak per geval",
            "nl",
        ),
        (
            "initiative/benelux-charging-operator-registration-service",
            RDFS.label,
            "Benelux registration service for charge point operators",
            "en",
        ),
        (
            "initiative/benelux-charging-operator-registration-service",
            RDFS.label,
            "Benelux-registratiedienst voor laadpuntexploitanten",
            "nl",
        ),
        ("group/benelux-commercial-extortion", RDFS.label, "Bedrijfsafpersing", "nl"),
        (
            "initiative/north-sea-energy-cooperation",
            RDFS.label,
            "North Seas Energy Cooperation",
            "en",
        ),
    ],
)
def test_corrected_labels(data, resource, prop, value, lang):
    assert (ID[resource], prop, Literal(value, lang=lang)) in data


def test_no_logical_follow_on_in_the_data(data):
    # the slide says "une suite logistique"; reading it as "logique" is not stated anywhere
    texts = [str(o) for o in data.objects() if isinstance(o, Literal)]
    assert not [t for t in texts if re.search(r"\blogi(cal|sch|que)\b", t)]


SEEDS = {
    "document/benelux-cooperation-deck": "000_71431b8613e0feb2.txt",
    "document/benelux-multiannual-plan": "004_1cd177969c8457c6.txt",
}


def test_every_section_carries_its_text_verbatim(data):
    """Each section's schema:text is the seed's characters, in the order of the sections, and
    together they hold every word of the seed."""
    for document, seed in SEEDS.items():
        text = shared("seeds", seed).read_text(encoding="utf-8")
        sections = sorted(
            data.subjects(DCTERMS.isPartOf, ID[document]),
            key=lambda s: int(data.value(s, BKG.position)),
        )
        found, position = [], 0
        for section in sections:
            verbatim = str(data.value(section, SCHEMA.text))
            at = text.find(verbatim, position)
            assert verbatim and at >= 0, f"{section}: schema:text is not the seed's, in order"
            found.append(verbatim)
            position = at + len(verbatim)
        markup = {"#", "##", "###", "---", "-----"}
        assert set(" ".join(found).split()) - markup == set(text.split()) - markup
