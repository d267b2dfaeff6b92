"""The example queries as data (``kg_service.build.examples``, ``/.well-known/sparql-examples``).

Every ``queries/*.rq`` has a sidecar with its title, comment and keywords in fr, nl and en and
a topic; the build turns them into ``sh:SPARQLExecutable`` resources in ``graph/examples``,
which a shape validates; the served document holds every example, each of which parses and
runs against the served endpoint.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kg_service.build.examples import (
    ENDPOINT,
    EXAMPLES,
    EXAMPLES_GRAPH,
    LANGUAGES,
    SCHEMA,
    SH,
    SPEX,
    declared_prefixes,
    examples_graph,
    form_of,
    load_examples,
    load_topics,
)
from kg_service.errors import BuildError
from kg_service.validation.core import load_files, validate

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "queries"
TEXT_PROPERTIES = (SH.select, SH.ask, SH.construct, SPEX.describe)
TURTLE = "text/turtle"
JSONLD = "application/ld+json"
JSON = "application/sparql-results+json"


@pytest.fixture(scope="module")
def examples():
    return load_examples(QUERIES)


@pytest.fixture(scope="module")
def graph(examples) -> Graph:
    return examples_graph(examples, load_topics(QUERIES))


# --- the sources ---------------------------------------------------------------------------


def test_every_query_has_a_sidecar_and_every_sidecar_a_query():
    queries = {p.stem for p in QUERIES.glob("*.rq")}
    sidecars = {p.stem for p in QUERIES.glob("*.toml")} - {"topics"}
    assert queries == sidecars


def test_every_example_speaks_to_a_researcher_in_three_languages(examples):
    assert len(examples) == len(list(QUERIES.glob("*.rq"))) >= 15
    for example in examples:
        for lang in LANGUAGES:
            assert example.title(lang).strip() and example.comment(lang).strip(), example.id
            assert example.keywords[lang], example.id
        # written for a researcher: what it answers, not which terms it exercises
        assert "exercises" not in example.comment("en"), example.id
        # translated, not copied
        assert example.title("fr") != example.title("en"), example.id
        assert example.comment("nl") != example.comment("en"), example.id


def test_french_typography_keeps_its_no_break_spaces(examples):
    questions = [e.title("fr") for e in examples if e.title("fr").endswith("?")]
    assert questions and all(q.endswith("\u00a0?") for q in questions)


def test_every_topic_is_named_in_three_languages_and_used(examples):
    topics = load_topics(QUERIES)
    assert {t.id for t in topics} == {e.topic for e in examples}
    assert all(t.labels[lang] for t in topics for lang in LANGUAGES)


def test_examples_with_a_natural_picture_open_on_it(examples):
    views = {e.id: e.view for e in examples}
    assert views["06-actions-per-theme-count"] == "chart"
    assert views["12-history-milestones"] == "timeline"
    assert views["04-senningen-groups-hierarchy"] == "graph"
    assert views["16-construct-senningen-skos"] == "graph"


def test_form_and_prefixes_are_read_from_the_query():
    text = 'PREFIX a: <http://a/>\nPREFIX b:<http://b/> # CONSTRUCT\nDESCRIBE ?x { ?x a:p "ASK" }'
    assert form_of(text) == "DESCRIBE"
    assert declared_prefixes(text) == {"a": "http://a/", "b": "http://b/"}


SIDECAR_WITHOUT_DUTCH = """topic = "institutions"
[title]
fr = "Qui ?"
en = "Who?"
[comment]
fr = "Tous."
nl = "Allemaal."
en = "All."
[keywords]
fr = ["qui"]
nl = ["wie"]
en = ["who"]
"""


def test_a_sidecar_without_dutch_is_refused(tmp_path: Path):
    shutil.copy(QUERIES / "topics.toml", tmp_path)
    (tmp_path / "01-x.rq").write_text("SELECT * {} ORDER BY ?x", encoding="utf-8")
    (tmp_path / "01-x.toml").write_text(SIDECAR_WITHOUT_DUTCH, encoding="utf-8")
    with pytest.raises(BuildError, match=r"01-x.toml: \[title\] has no text in nl"):
        load_examples(tmp_path)


def test_a_query_without_a_sidecar_is_refused(tmp_path: Path):
    shutil.copy(QUERIES / "topics.toml", tmp_path)
    (tmp_path / "99-x.rq").write_text("SELECT * {} ORDER BY ?x", encoding="utf-8")
    with pytest.raises(BuildError, match="99-x.toml is missing"):
        load_examples(tmp_path)


# --- the generated graph -----------------------------------------------------------------


def test_each_example_is_a_sparql_executable_of_its_kind(graph, examples):
    kinds = {
        "SELECT": SH.SPARQLSelectExecutable,
        "ASK": SH.SPARQLAskExecutable,
        "CONSTRUCT": SH.SPARQLConstructExecutable,
    }
    for example in examples:
        node = example.iri
        assert (node, RDF.type, SH.SPARQLExecutable) in graph
        assert (node, RDF.type, kinds[example.form]) in graph
        texts = [o for p in TEXT_PROPERTIES for o in graph.objects(node, p)]
        assert texts == [Literal(example.query)]
        assert (node, SCHEMA.target, ENDPOINT) in graph
        for lang in LANGUAGES:
            assert Literal(example.title(lang), lang=lang) in set(graph.objects(node, RDFS.label))


def test_the_prefixes_every_example_uses_are_declared(graph, examples):
    declared = {
        str(graph.value(d, SH.prefix)): str(graph.value(d, SH.namespace))
        for node in graph.objects(None, SH.prefixes)
        for d in graph.objects(node, SH.declare)
    }
    for example in examples:
        assert declared_prefixes(example.query).items() <= declared.items(), example.id


def test_the_generated_graph_conforms_to_the_examples_shape(graph):
    outcome = validate(graph, load_files([ROOT / "shapes"]), allow_warnings=True)
    assert outcome.conforms and not outcome.results, outcome.text()


def test_an_example_without_its_comment_in_dutch_does_not_conform(graph, examples):
    broken = Graph()
    for triple in graph:
        broken.add(triple)
    node = examples[0].iri
    broken.remove((node, RDFS.comment, Literal(examples[0].comment("nl"), lang="nl")))
    outcome = validate(broken, load_files([ROOT / "shapes"]))
    assert not outcome.conforms
    assert {r.focus_node for r in outcome.results} == {node}


def test_the_build_puts_them_in_their_named_graph(built):
    assert built.graphs[str(EXAMPLES_GRAPH)] > 22 * 10


# --- served: /.well-known/sparql-examples ------------------------------------------------


def _document(server, accept: str) -> Graph:
    with server.client() as http:
        response = http.get("/.well-known/sparql-examples", headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(accept)
    assert "Accept" in response.headers["vary"]
    fmt = "json-ld" if accept == JSONLD else "turtle"
    return Graph().parse(data=response.content, format=fmt)


@pytest.mark.e2e
def test_the_well_known_document_is_turtle_by_default_and_json_ld_on_request(server, graph):
    with server.client() as http:
        default = http.get("/.well-known/sparql-examples")
    assert default.headers["content-type"].startswith(TURTLE)
    assert b"@prefix ex: <https://w3id.org/benelux-kg/.well-known/sparql-examples/>" in (
        default.content
    )
    assert isomorphic(_document(server, TURTLE), graph)
    assert isomorphic(_document(server, JSONLD), graph)
    with server.client() as http:
        context = http.get("/.well-known/sparql-examples", headers={"Accept": JSONLD}).json()
    # the prefixes the document uses, not every namespace rdflib knows (brick, csvw, …)
    assert set(context["@context"]) == {
        *("dcterms", "ex", "owl", "rdf", "rdfs", "schema", "sh", "skos", "spex", "xsd")
    }


@pytest.mark.e2e
def test_the_well_known_document_is_the_named_graph(server):
    with server.client() as http:
        stored = http.get(
            "/store", params={"graph": str(EXAMPLES_GRAPH)}, headers={"Accept": TURTLE}
        )
    assert stored.status_code == 200
    named_graph = Graph().parse(data=stored.content, format="turtle")
    assert isomorphic(named_graph, _document(server, TURTLE))


@pytest.mark.e2e
def test_every_published_example_has_three_languages_parses_and_runs(server):
    doc = _document(server, JSONLD)
    executables = sorted(doc.subjects(RDF.type, SH.SPARQLExecutable))
    assert len(executables) == len(list(QUERIES.glob("*.rq")))
    with server.client() as http:
        for node in executables:
            assert str(node).startswith(str(EXAMPLES))
            for prop in (RDFS.label, RDFS.comment):
                langs = sorted(o.language for o in doc.objects(node, prop))
                assert langs == ["en", "fr", "nl"], (node, prop)
            (text,) = [o for p in TEXT_PROPERTIES for o in doc.objects(node, p)]
            response = http.post("/sparql", data={"query": str(text)})
            assert response.status_code == 200, (node, response.text)


@pytest.mark.e2e
def test_the_endpoint_finds_the_examples_as_the_sib_editor_asks(server):
    query = """PREFIX sh: <http://www.w3.org/ns/shacl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?sq ?comment ?query WHERE {
  ?sq a sh:SPARQLExecutable ; rdfs:comment ?comment ; sh:select|sh:ask|sh:construct ?query .
  FILTER (lang(?comment) = "nl")
} ORDER BY ?sq"""
    with server.client() as http:
        response = http.post("/sparql", data={"query": query}, headers={"Accept": JSON})
    rows = json.loads(response.content)["results"]["bindings"]
    assert len(rows) == len(list(QUERIES.glob("*.rq")))
    assert rows[0]["sq"]["value"] == str(URIRef(EXAMPLES["01-institutions-labels"]))
