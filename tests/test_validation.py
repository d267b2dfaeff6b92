"""SHACL validation, in-process: parsing as written, options, reports, records and pages."""

import asyncio
import json

import pytest
from conftest import ROOT
from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.term import _toPythonMapping

from kg_service.errors import (
    BadRequest,
    RDFSyntaxError,
    RefusedOperation,
    ResourceExhausted,
    UnsupportedMediaType,
)
from kg_service.process.workers import WorkerPool
from kg_service.rdf.formats import JSONLD, NQUADS, RDFXML, TRIG, TURTLE
from kg_service.rdf.io import check_xml_entities, read_graph, serialize_graph
from kg_service.validation.core import (
    Defaults,
    Document,
    Job,
    Options,
    input_format,
    load_files,
    path_text,
    read_documents,
    run_job,
    short_text,
    validate,
)
from kg_service.web.routes.validation import group_by_focus, input_kind, parse_options

SH = Namespace("http://www.w3.org/ns/shacl#")
EX = "http://example.org/"
DEFAULTS = Defaults(str(ROOT / "shapes"), str(ROOT / "ontology"))
INSTITUTION = b"""@prefix bkg: <https://w3id.org/benelux-kg/def/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/benelux-kg/id/institution/x> a bkg:Institution ;
    rdfs:label "<script>alert(1)</script>"@de ."""
NAME_SHAPES = b"""@prefix sh: <http://www.w3.org/ns/shacl#> .
<http://example.org/S> a sh:NodeShape ; sh:targetClass <http://example.org/C> ;
  sh:property [ sh:path <http://example.org/name> ; sh:minCount 1 ;
    sh:message "Il faut un nom."@fr, "Er is een naam nodig."@nl, "A name is needed."@en ] ."""


def doc(text: bytes, fmt: str = "turtle") -> Document:
    return Document(text, fmt, "http://example.org/base")


def job(data: bytes, shapes: bytes | None = NAME_SHAPES, **kw) -> Job:
    return Job((doc(data),), DEFAULTS, shapes=(doc(shapes),) if shapes else None, **kw)


# --- parsing -------------------------------------------------------------------------------


def test_literals_are_kept_as_written():
    g = read_graph(
        b'<http://e/a> <http://e/p> "01"^^<http://www.w3.org/2001/XMLSchema#integer>, '
        b'"2011-01-01"^^<http://www.w3.org/2001/XMLSchema#dateTime>, "s" .',
        TURTLE,
    )
    objects = {str(o) for o in g.objects()}
    assert objects == {"01", "2011-01-01", "s"}
    assert Literal("s") in set(g.objects())  # a simple literal, not "s"^^xsd:string


def test_each_document_gets_its_own_blank_nodes():
    text = b"_:b <http://e/p> 1 ."
    merged = read_documents([doc(text), doc(text)])
    assert len(set(merged.subjects())) == 2


def test_shapes_read_booleans_as_pyshacl_does_and_restore_rdflib():
    before = _toPythonMapping[XSD.boolean]
    text = b'<http://e/s> <http://e/p> "1"^^<http://www.w3.org/2001/XMLSchema#boolean> .'
    assert next(iter(read_graph(text, TURTLE, shapes=True)))[2].value is False
    assert next(iter(read_graph(text, TURTLE)))[2].value is True
    assert _toPythonMapping[XSD.boolean] is before


def test_unique_lang_one_is_not_true_w3c_unique_lang_002():
    data = b'<http://e/i> <http://e/message> "HI"@en, "Hi"@en .'
    shapes = b"""@prefix sh: <http://www.w3.org/ns/shacl#> .
    <http://e/s1> a sh:PropertyShape ; sh:targetNode <http://e/i> ; sh:path <http://e/message> ;
      sh:uniqueLang "1"^^<http://www.w3.org/2001/XMLSchema#boolean> ."""
    assert run_job(job(data, shapes)).conforms is True
    true_shapes = shapes.replace(b'"1"^^<http://www.w3.org/2001/XMLSchema#boolean>', b"true")
    assert run_job(job(data, true_shapes)).conforms is False


def test_quads_are_merged_into_one_data_graph():
    g = read_graph(b"<http://e/a> <http://e/p> <http://e/b> <http://e/g> .", NQUADS)
    assert len(g) == 1
    g = read_graph(
        b"<http://e/g> { <http://e/a> <http://e/p> 1 } <http://e/a> <http://e/q> 2 .", TRIG
    )
    assert len(g) == 2


def test_syntax_error_names_the_line():
    with pytest.raises(RDFSyntaxError, match="line 2"):
        read_graph(b"<http://e/a> <http://e/p> 1 .\n<http://e/a> <http://e/p> .", TURTLE)


@pytest.mark.parametrize(
    "data, fmt, said",
    [
        (b"<http://e/a> <http://e/p> 1 .\n<http://e/a> <http://e/p> .", TURTLE, "line 2"),
        (b'{"@id": "http://e/a",\n "http://e/p": [1,,]}', JSONLD, "line 2 column"),
        (
            b'<r:RDF xmlns:r="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n<x:y/>',
            RDFXML,
            "line 2,",
        ),
    ],
)
def test_a_syntax_error_names_the_document_and_where(data, fmt, said):
    with pytest.raises(RDFSyntaxError) as caught:
        read_graph(data, fmt, what="shapes graph")
    assert "shapes graph: " in caught.value.message
    assert said in caught.value.message


def test_a_token_over_the_parsers_buffer_is_a_syntax_error_not_a_memory_error():
    """pyoxigraph raises MemoryError for one token over 16 MiB: the input's fault (was a 500)."""
    huge = b'<http://e/a> <http://e/p> "' + b"x" * (17 * 1024 * 1024) + b'" .'
    with pytest.raises(RDFSyntaxError, match="longer than the parser's limit of 16 MiB"):
        read_graph(huge, TURTLE, what="data graph")


def test_a_memory_error_in_a_worker_is_a_503_and_the_worker_stays():
    """A MemoryError in a worker (its heap is capped) is ResourceExhausted, not a 500 bug."""

    async def run() -> tuple[BaseException, int]:
        pool = WorkerPool(memory_mb=512, size=1, max_concurrent=2, timeout=30)
        try:
            with pytest.raises(ResourceExhausted) as caught:
                await pool.call("builtins:bytearray", 2**60)  # refused at once: MemoryError
            return caught.value, await pool.call("builtins:len", "still here")
        finally:
            await pool.close()

    error, after = asyncio.run(run())
    assert error.status == 503 and "more memory than a worker may use" in error.message
    assert after == 10


def test_triple_terms_are_refused_not_crashed():
    with pytest.raises(RDFSyntaxError, match="triple terms"):
        read_graph(b"<http://a> <http://b> <<( <http://c> <http://d> <http://e> )>> .", TURTLE)


def test_remote_jsonld_context_refused():
    with pytest.raises(RefusedOperation):
        read_graph(b'{"@context": "http://127.0.0.1:9/c", "@id": "http://e/a"}', JSONLD)


@pytest.mark.parametrize(
    "declaration",
    [
        '<!ENTITY f SYSTEM "file:///etc/hostname">',
        '<!ENTITY % p PUBLIC "-//x//EN" "http://127.0.0.1:9/x.dtd"> %p;',
    ],
)
def test_external_xml_entities_refused(declaration):
    text = f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ {declaration} ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>"""
    with pytest.raises(RefusedOperation):
        check_xml_entities(text)
    with pytest.raises(RefusedOperation):
        read_graph(text.encode(), RDFXML)


def test_internal_xml_entities_still_work():
    text = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY ex "http://example.org/"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="&ex;">
<rdf:Description rdf:about="&ex;a"><ex:p>v</ex:p></rdf:Description></rdf:RDF>"""
    assert (URIRef(EX + "a"), URIRef(EX + "p"), Literal("v")) in read_graph(text, RDFXML)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("turtle", "turtle"),
        ("json-ld", "jsonld"),
        ("xml", "rdfxml"),
        ("nt", "ntriples"),
        ("application/n-quads", "nquads"),
        ("TriG", "trig"),
        ("n3", "turtle"),
    ],
)
def test_input_format_names(name, expected):
    assert input_format(name).name == expected


def test_input_format_guesses_and_refuses():
    assert input_format("auto", b'  {"@id": "x"}') is JSONLD
    assert input_format(None, b'<?xml version="1.0"?><rdf:RDF/>') is RDFXML
    assert input_format("auto", b"@prefix ex: <x> .") is TURTLE
    with pytest.raises(BadRequest):
        input_format("yaml")


# --- request checks ------------------------------------------------------------------------


def test_input_kind():
    assert input_kind("application/json; charset=utf-8") == "json"
    assert input_kind("multipart/form-data; boundary=x") == "multipart"
    assert input_kind("text/turtle;charset=utf-8") is TURTLE
    assert input_kind("application/ld+json") is JSONLD
    for bad in ("image/png", "", "application/x-www-form-urlencoded"):
        with pytest.raises(UnsupportedMediaType):
            input_kind(bad)


def test_options():
    options, ontology = parse_options(
        {"inference": "RDFS", "abort_on_first": "true", "ontology": "on"}
    )
    assert options == Options("rdfs", abort_on_first=True) and ontology is True
    assert parse_options({})[0] == Options()
    assert parse_options({"allow_warnings": ""})[0].allow_warnings is True
    for bad in ({"inference": "both"}, {"allow_warnings": "maybe"}):
        with pytest.raises(BadRequest):
            parse_options(bad)


# --- validating and reporting --------------------------------------------------------------


def test_our_shapes_by_default_with_messages_in_three_languages():
    records = json.loads(run_job(job(INSTITUTION, None, output="json", lang="nl")).body)
    focus = "https://w3id.org/benelux-kg/id/institution/x"
    assert records["conforms"] is False
    assert all(r["focus_node"] == focus for r in records["results"])
    nl = [
        r
        for r in records["results"]
        if r["source_shape"].endswith("InstitutionShape-institutionOf")
    ]
    assert nl and nl[0]["message"].startswith("Een instelling")
    assert set(nl[0]["messages"]) == {"fr", "nl", "en"}


def test_json_answer_fields():
    answer = json.loads(
        run_job(job(b"<http://example.org/a> a <http://example.org/C> .", output="json")).body
    )
    assert set(answer) == {"conforms", "results", "report"}
    (result,) = answer["results"]
    assert result["focus_node"] == EX + "a"
    assert result["path"] == EX + "name"
    assert result["severity"] == "Violation"
    assert result["component"] == "MinCountConstraintComponent"
    assert result["source_shape"].startswith("_:")
    assert result["message"] == "A name is needed."
    assert (None, RDF.type, SH.ValidationReport) in Graph().parse(data=answer["report"])


@pytest.mark.parametrize(
    "output, rdflib_format",
    [("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld"), ("rdfxml", "xml")],
)
def test_report_formats(output, rdflib_format):
    body = run_job(job(b"<http://example.org/a> a <http://example.org/C> .", output=output)).body
    report = Graph().parse(data=body, format=rdflib_format)
    node = next(report.subjects(RDF.type, SH.ValidationReport))
    assert report.value(node, SH.conforms) == Literal(False)
    assert len(list(report.objects(node, SH.result))) == 1


def test_the_turtle_report_says_each_node_once():
    """Each result (each subject) is one block of the Turtle report, not one line per triple
    scattered over the document in rdflib's order."""
    data = b"<http://e/a> a <http://example.org/C> .\n<http://e/b> a <http://example.org/C> ."
    body = run_job(job(data, output="turtle")).body.decode()
    report = Graph().parse(data=body, format="turtle")
    statements = [line for line in body.splitlines() if line[:1] not in ("", "@", " ", "\t")]
    assert len(list(report.objects(None, SH.result))) == 2
    assert len(statements) == len(set(report.subjects()))


def test_ill_typed_values_stay_quoted_in_the_report():
    shapes = b"""@prefix sh: <http://www.w3.org/ns/shacl#> .
    <http://e/S> a sh:NodeShape ; sh:targetNode <http://e/a> ;
      sh:property [ sh:path <http://e/p> ;
        sh:datatype <http://www.w3.org/2001/XMLSchema#boolean> ] ."""
    data = b'<http://e/a> <http://e/p> "none"^^<http://www.w3.org/2001/XMLSchema#boolean> .'
    body = run_job(job(data, shapes)).body
    assert b'"none"^^xsd:boolean' in body


def test_page_data_is_sorted_records_and_counts():
    outcome = run_job(job(INSTITUTION, None, output="html"))
    assert outcome.counts["Violation"] == len(outcome.results) > 0
    groups = group_by_focus(outcome.results)
    assert len(groups) == 1 and groups[0]["href"] == "/id/institution/x"


def test_options_reach_pyshacl():
    data = b"<http://example.org/a> a <http://example.org/C> ."
    two = NAME_SHAPES + (
        b"<http://example.org/T> a sh:NodeShape ; sh:targetClass <http://example.org/C> ;"
        b" sh:property [ sh:path <http://example.org/age> ; sh:minCount 1 ] ."
    )
    assert len(run_job(job(data, two, output="html")).results) == 2
    first = run_job(job(data, two, output="html", options=Options(abort_on_first=True)))
    assert len(first.results) == 1
    warning = NAME_SHAPES.replace(b"sh:minCount 1 ;", b"sh:minCount 1 ; sh:severity sh:Warning ;")
    assert run_job(job(data, warning)).conforms is False
    assert run_job(job(data, warning, options=Options(allow_warnings=True))).conforms is True


def test_our_ontology_adds_subclasses():
    data = b"""<https://w3id.org/benelux-kg/id/institution/x>
      a <https://w3id.org/benelux-kg/def/Institution> ;
      <http://xmlns.com/foaf/0.1/homepage> "not an IRI" ."""
    without = json.loads(run_job(job(data, None, output="json")).body)["results"]
    with_ontology = json.loads(run_job(job(data, None, output="json", our_ontology=True)).body)
    homepage = [r for r in with_ontology["results"] if "homepage" in (r["path"] or "")]
    assert homepage and not [r for r in without if "homepage" in (r["path"] or "")]


def test_unusable_shapes_are_a_bad_request():
    shapes = b"""@prefix sh: <http://www.w3.org/ns/shacl#> .
    <http://e/S> a sh:NodeShape ; sh:targetNode <http://e/a> ; sh:uniqueLang true ."""
    with pytest.raises(BadRequest, match="shapes graph"):
        run_job(job(b"<http://e/a> <http://e/p> 1 .", shapes))


def test_text_groups_results_by_focus_node_with_prefixes():
    g = read_documents([doc(INSTITUTION)])
    outcome = validate(g, load_files([ROOT / "shapes"], shapes=True))
    text = outcome.text("fr")
    assert text.startswith("Does NOT conform")
    assert text.count("https://w3id.org/benelux-kg/id/institution/x") == 1
    assert "bkgsh:InstitutionShape-institutionOf" in text
    assert '"<script>alert(1)</script>"@de' in text
    assert "Une institution" in text


def test_path_text():
    g = Graph().parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> .
        <http://e/s>
          sh:path [ sh:alternativePath ( <http://e/p> [ sh:inversePath <http://e/q> ] ) ] ;
          sh:name ( <http://e/a> [ sh:zeroOrMorePath <http://e/b> ] ) .""",
        format="turtle",
    )
    s = URIRef("http://e/s")
    assert path_text(g, g.value(s, SH.path)) == "(<http://e/p> | ^<http://e/q>)"
    assert path_text(g, g.value(s, SH.name)) == "(<http://e/a> / <http://e/b>*)"
    assert path_text(g, URIRef("http://e/p")) == "http://e/p"


def test_short_text_keeps_literals_intact():
    assert short_text('"<b>x</b>"@en') == '"<b>x</b>"@en'
    assert short_text("(<http://www.w3.org/2000/01/rdf-schema#label> | ^<http://x/y>)") == (
        "(rdfs:label | ^http://x/y)"
    )
    assert short_text("https://w3id.org/benelux-kg/id/institution/x").startswith("https://")


def test_serialize_graph_round_trips():
    g = Graph()
    g.add(
        (URIRef(EX + "a"), URIRef(EX + "p"), Literal("01", datatype=XSD.integer, normalize=False))
    )
    again = read_graph(serialize_graph(g, TURTLE), TURTLE)
    assert str(next(iter(again))[2]) == "01"
