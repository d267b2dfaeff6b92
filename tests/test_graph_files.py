"""The graph files tested like code: ontology header and terms, data labels and provenance."""

import re
from pathlib import Path

import pytest
from conftest import shared
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from kg_service.rdf.namespaces import BKG, ID, ONTOLOGY_IRI

ROOT = Path(__file__).resolve().parent.parent
VANN = Namespace("http://purl.org/vocab/vann/")
LANGS = {"fr", "nl", "en"}
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


def load(*folders: str) -> Graph:
    g = Graph()
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.ttl")):
            g.parse(path, format="turtle")
    return g


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


def test_every_resource_has_provenance(data):
    exempt = {BKG.SourceDocument, BKG.ExternalSource}
    problems = []
    for r in sorted(resources(data)):
        if set(data.objects(r, RDF.type)) & exempt:
            continue
        if not (set(data.objects(r, PROV.wasDerivedFrom)) | set(data.objects(r, DCTERMS.source))):
            problems.append(str(r))
    assert not problems, "no prov:wasDerivedFrom / dcterms:source:\n" + "\n".join(problems)


def test_provenance_points_to_sections_or_documents(data):
    allowed = (
        set(data.subjects(RDF.type, BKG.DocumentSection))
        | set(data.subjects(RDF.type, BKG.SourceDocument))
        | set(data.subjects(RDF.type, BKG.ExternalSource))
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


def test_same_as_only_to_identifiers_listed_with_a_source(data):
    targets = {str(o) for o in data.objects(None, OWL.sameAs)}
    assert targets, "expected owl:sameAs links to the identifiers in external-facts.md"
    assert targets <= allowed_identifiers(), sorted(targets - allowed_identifiers())


def test_schengen_area_is_not_the_agreement(data):
    # external-facts.md: Q1969730 is the Schengen *Area*, not the 1985 agreement
    assert not list(data.subjects(OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q1969730")))
