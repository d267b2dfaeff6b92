"""POST /validate, GET /validate and GET /shapes against the real served process.

Each input form, each output form, each status; the safety cases (owl:imports and a remote
JSON-LD @context pointing at a loopback listener that must see no connection, an RDF/XML
external entity naming a local file); the time and size caps on a server of their own.
"""

import html
import json
import re
import time

import httpx
import pytest
from conftest import ROOT, start_server, stop_server
from rdflib import RDF, Graph, Literal, Namespace

pytestmark = pytest.mark.e2e

SH = Namespace("http://www.w3.org/ns/shacl#")
FOCUS = "https://w3id.org/benelux-kg/id/institution/x"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
INSTITUTION = "https://w3id.org/benelux-kg/def/Institution"
SCRIPT = "\"<script>alert('x')</script>\"@de"
#: An institution with no organisation and a label in the wrong language. (It needs no
#: provenance of its own: provenance is on statements, through their graph.)
BAD = {
    "turtle": f"""@prefix bkg: <https://w3id.org/benelux-kg/def/> .
<{FOCUS}> a bkg:Institution ;
    <http://www.w3.org/2000/01/rdf-schema#label> "<script>alert('x')</script>"@de .""",
    "ntriples": f"<{FOCUS}> <{RDF_TYPE}> <{INSTITUTION}> .\n<{FOCUS}> <{LABEL}> {SCRIPT} .",
    "nquads": f"<{FOCUS}> <{RDF_TYPE}> <{INSTITUTION}> <http://g> .\n"
    f"<{FOCUS}> <{LABEL}> {SCRIPT} .",
    "trig": f"<http://e/g> {{ <{FOCUS}> a <{INSTITUTION}> }}\n<{FOCUS}> <{LABEL}> {SCRIPT} .",
    "jsonld": json.dumps(
        {
            "@context": {"rdfs": "http://www.w3.org/2000/01/rdf-schema#"},
            "@id": FOCUS,
            "@type": "https://w3id.org/benelux-kg/def/Institution",
            "rdfs:label": {"@value": "<script>alert('x')</script>", "@language": "de"},
        }
    ),
    "rdfxml": f"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="{FOCUS}">
    <rdf:type rdf:resource="https://w3id.org/benelux-kg/def/Institution"/>
    <rdfs:label xml:lang="de">&lt;script&gt;alert('x')&lt;/script&gt;</rdfs:label>
  </rdf:Description>
</rdf:RDF>""",
}
MEDIA = {
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "nquads": "application/n-quads",
    "trig": "application/trig",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
GOOD = "<http://example.org/a> <http://example.org/p> 1 ."
NAME_SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
<http://example.org/S> a sh:NodeShape ; sh:targetClass <http://example.org/C> ;
  sh:property [ sh:path <http://example.org/name> ; sh:minCount 1 ] ."""
NAMELESS = "<http://example.org/a> a <http://example.org/C> ."
UNUSABLE_SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
<http://e/S> a sh:NodeShape ; sh:targetNode <http://e/a> ; sh:uniqueLang true ."""
OWL = "http://www.w3.org/2002/07/owl#"


@pytest.fixture(scope="module")
def client(server):
    with server.client() as c:
        yield c


def post_rdf(client, text: str, media: str = "text/turtle", accept: str = "application/json",
             **params) -> httpx.Response:  # fmt: skip
    headers = {"Content-Type": media, "Accept": accept}
    return client.post("/validate", content=text.encode(), headers=headers, params=params)


def institution_results(response: httpx.Response) -> list[dict]:
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["conforms"] is False
    return [r for r in answer["results"] if r["focus_node"] == FOCUS]


# --- input forms ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(BAD))
def test_raw_body_in_each_format_against_our_shapes(client, fmt):
    results = institution_results(post_rdf(client, BAD[fmt], MEDIA[fmt]))
    shapes = {r["source_shape"].rsplit("/", 1)[-1] for r in results}
    assert "InstitutionShape-institutionOf" in shapes
    assert "LabelledShape-label" in shapes  # the @de label


def test_multipart_data_and_shapes_parts(client):
    files = [
        ("data", ("data.ttl", NAMELESS.encode(), "text/turtle")),
        ("shapes", ("shapes.ttl", NAME_SHAPES.encode(), "text/turtle")),
    ]
    r = client.post("/validate", files=files, headers={"Accept": "application/json"})
    (result,) = r.json()["results"]
    assert result["path"] == "http://example.org/name"


def test_multipart_without_shapes_uses_ours_and_merges_files(client):
    files = [
        ("data", ("a.ttl", BAD["turtle"].encode(), "application/octet-stream")),
        ("data", ("b.jsonld", b'{"@id": "http://example.org/b", "http://example.org/p": 1}', "")),
    ]
    accept = {"Accept": "application/json"}
    assert institution_results(client.post("/validate", files=files, headers=accept))


def test_multipart_pasted_text_and_form_options(client):
    fields = {"text": NAMELESS, "data_format": "turtle", "allow_warnings": "true"}
    warning = NAME_SHAPES.replace("sh:minCount 1 ]", "sh:minCount 1 ; sh:severity sh:Warning ]")
    files = {"shapes": ("shapes.ttl", warning.encode(), "text/turtle")}
    r = client.post("/validate", data=fields, files=files, headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.json()["conforms"] is True
    del fields["allow_warnings"]
    r = client.post("/validate", data=fields, files=files, headers={"Accept": "application/json"})
    assert r.json()["conforms"] is False


def test_pyshacl_json_request(client):
    body = {
        "data_graph": NAMELESS,
        "data_graph_format": "turtle",
        "shapes_graph": NAME_SHAPES,
        "shapes_graph_format": "turtle",
    }
    r = client.post("/validate", json=body, headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.json()["conforms"] is False
    body = {"data_graph": BAD["jsonld"], "data_graph_format": "json-ld"}
    accept = {"Accept": "application/json"}
    assert institution_results(client.post("/validate", json=body, headers=accept))


def test_options_ontology_and_inference(client):
    data = (
        f"<{FOCUS}> a <https://w3id.org/benelux-kg/def/Institution> ;"
        ' <http://xmlns.com/foaf/0.1/homepage> "no IRI" .'
    )

    def homepage(**params):
        results = post_rdf(client, data, **params).json()["results"]
        return [r for r in results if r["path"] == "http://xmlns.com/foaf/0.1/homepage"]

    assert not homepage()
    assert homepage(ontology="true")
    assert homepage(ontology="true", inference="rdfs")


def test_abort_on_first(client):
    all_results = post_rdf(client, BAD["turtle"]).json()["results"]
    first = post_rdf(client, BAD["turtle"], abort_on_first="true").json()["results"]
    assert len(all_results) > len(first) >= 1


# --- output forms --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "accept, media, rdflib_format",
    [
        (None, "text/turtle", "turtle"),
        ("text/turtle", "text/turtle", "turtle"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/n-triples;q=0.5, text/turtle;q=0.4", "application/n-triples", "nt"),
    ],
)
def test_report_as_rdf(client, accept, media, rdflib_format):
    headers = {"Content-Type": "text/turtle", **({"Accept": accept} if accept else {})}
    r = client.post("/validate", content=BAD["turtle"].encode(), headers=headers)
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media
    report = Graph().parse(data=r.content, format=rdflib_format)
    node = next(report.subjects(RDF.type, SH.ValidationReport))
    assert report.value(node, SH.conforms) == Literal(False)
    assert len(list(report.objects(node, SH.result))) >= 3


def test_format_parameter_overrides_accept(client):
    r = post_rdf(client, BAD["turtle"], accept="text/turtle", format="ntriples")
    assert r.headers["content-type"].startswith("application/n-triples")


def test_json_answer_has_every_field(client):
    answer = post_rdf(client, BAD["turtle"]).json()
    assert set(answer) == {"conforms", "results", "report"}
    keys = {"focus_node", "path", "value", "severity", "source_shape", "component", "message"}
    assert all(keys <= set(r) for r in answer["results"])
    label = next(r for r in answer["results"] if r["component"] == "LanguageInConstraintComponent")
    assert label["value"] == "\"<script>alert('x')</script>\"@de"
    assert label["path"] == "http://www.w3.org/2000/01/rdf-schema#label"
    Graph().parse(data=answer["report"], format="turtle")


@pytest.mark.parametrize(
    "language, words",
    [("fr", "Une institution est"), ("nl", "Een instelling is"), ("en", "An institution is")],
)
def test_html_report_grouped_escaped_in_the_language_asked(client, language, words):
    headers = {"Accept-Language": f"{language},en;q=0.5"}
    r = client.post(
        "/validate",
        content=BAD["turtle"].encode(),
        headers={"Content-Type": "text/turtle", "Accept": "text/html", **headers},
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    assert '<meta charset="utf-8">' in page and f'lang="{language}"' in page
    assert words in page
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert page.count('<a href="/id/institution/x">') == 1  # one group for the one focus node
    assert "<article>" in page


@pytest.mark.parametrize(
    "language, summary",
    [
        ("fr", r"(\d+) résultats\u00a0: \1 violations\."),
        ("nl", r"(\d+) resultaten: \1 overtredingen\."),
        ("en", r"(\d+) results: \1 violations\."),
    ],
)
def test_html_report_counts_its_results_in_the_readers_words(client, language, summary):
    """Not "4 résultats: 4 Violation." nor "4 Overtreding.": plurals, the French colon."""
    r = client.post(
        "/validate",
        content=BAD["turtle"].encode(),
        headers={"Content-Type": "text/turtle", "Accept": "text/html", "Accept-Language": language},
    )
    found = re.search(summary, html.unescape(r.text))
    assert found and int(found.group(1)) > 1, re.findall(r'role="status">.*?</p>', r.text, re.S)


def test_html_report_of_conforming_data(client):
    r = client.post(
        "/validate",
        content=GOOD.encode(),
        headers={"Content-Type": "text/turtle", "Accept": "text/html"},
    )
    assert r.status_code == 200 and "The data conforms." in r.text


# --- statuses ------------------------------------------------------------------------------


def test_200_when_conforming(client):
    r = post_rdf(client, GOOD)
    assert r.status_code == 200 and r.json()["conforms"] is True


def test_400_syntax_error_with_the_parser_message_and_line(client):
    broken = "<http://e/a> <http://e/p> 1 .\n<http://e/a> <http://e/p> ."
    r = post_rdf(client, broken, accept="*/*")
    assert r.status_code == 400
    assert "line 2" in r.text and "turtle" in r.text
    json_accept = {"Accept": "application/json"}
    r = client.post("/validate", json={"data_graph": "<a> <b>"}, headers=json_accept)
    assert r.status_code == 400 and "line 1" in r.json()["message"]


def test_400_says_which_graph_does_not_parse(client):
    """Data and shapes are both RDF: the message names the one that is broken."""
    broken = "<http://e/a> <http://e/p> 1 .\n<http://e/a> <http://e/p> ."
    accept = {"Accept": "application/json"}
    bad_shapes = client.post(
        "/validate", json={"data_graph": NAMELESS, "shapes_graph": broken}, headers=accept
    )
    bad_data = client.post(
        "/validate", json={"data_graph": broken, "shapes_graph": NAME_SHAPES}, headers=accept
    )
    assert bad_shapes.status_code == bad_data.status_code == 400
    assert "turtle shapes graph" in bad_shapes.json()["message"]
    assert "line 2" in bad_shapes.json()["message"]
    assert "turtle data graph" in bad_data.json()["message"]


def test_400_rdfxml_syntax_error_says_where(client):
    """pyoxigraph's RDF/XML errors carry no position: the XML's own line and column are added."""
    broken = (
        BAD["rdfxml"].replace("<rdfs:label", "<dc:title", 1).replace("</rdfs:label>", "</dc:title>")
    )
    r = post_rdf(client, broken, media="application/rdf+xml")
    assert r.status_code == 400
    assert "rdfxml data graph" in r.json()["message"]
    assert "(at line 6, column 5: unbound prefix)" in r.json()["message"], r.text


def test_400_empty_body(client):
    """An empty body is a mistake (a wrong file name, a lost pipe), not an empty graph that
    conforms."""
    r = post_rdf(client, "  \n", accept="text/plain")
    assert r.status_code == 400 and "No data" in r.text


@pytest.mark.parametrize(
    "params, body",
    [
        ({"inference": "both"}, None),
        ({"allow_warnings": "perhaps"}, None),
        ({}, {"data_graph": 5}),
        ({}, {"shapes_graph": NAME_SHAPES}),
        ({}, {"data_graph": NAMELESS, "data_graph_format": "yaml"}),
        ({}, {"data_graph": NAMELESS, "do_owl_imports": True}),
        ({}, {"data_graph": NAMELESS, "shapes_graph": UNUSABLE_SHAPES}),
    ],
)
def test_400_bad_options_and_requests(client, params, body):
    if body is None:
        r = post_rdf(client, GOOD, **params)
    else:
        r = client.post("/validate", json=body, params=params)
    assert r.status_code == 400, r.text


def test_400_empty_multipart(client):
    r = client.post("/validate", files={"data": ("a.ttl", b"", "text/turtle")})
    assert r.status_code == 400


@pytest.mark.parametrize("media", ["image/png", "application/x-www-form-urlencoded", ""])
def test_415_unknown_media_type(client, media):
    headers = {"Content-Type": media} if media else {}
    r = client.post("/validate", content=GOOD.encode(), headers=headers)
    assert r.status_code == 415


def test_415_multipart_part_of_unknown_type(client):
    r = client.post("/validate", files={"data": ("a.png", b"\x89PNG....", "image/png")})
    assert r.status_code == 415


def test_406_when_nothing_acceptable(client):
    assert post_rdf(client, GOOD, accept="text/csv").status_code == 406


# --- the page and the shapes ---------------------------------------------------------------


def test_form_page(client):
    r = client.get("/validate", headers={"Accept": "text/html", "Accept-Language": "nl"})
    assert r.status_code == 200
    page = r.text
    assert '<meta charset="utf-8">' in page
    assert 'enctype="multipart/form-data"' in page and 'method="post"' in page
    for name in ('name="text"', 'name="data"', 'name="shapes"', 'name="inference"'):
        assert name in page
    assert "Gegevens valideren" in page
    # no script but the header search box's type-ahead (the form works without it)
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/search.js" defer>']


def test_form_submission_as_a_browser_sends_it(client):
    fields = {"text": BAD["turtle"], "data_format": "auto", "inference": "none", "ontology": "true"}
    nothing = ("", b"", "application/octet-stream")
    empty = {"data": nothing, "shapes": nothing}
    r = client.post("/validate", data=fields, files=empty, headers={"Accept": "text/html"})
    assert r.status_code == 200 and "does not conform" in r.text


@pytest.mark.parametrize(
    "accept, path, media, rdflib_format",
    [
        (None, "/shapes", "text/turtle", "turtle"),
        ("application/n-triples", "/shapes", "application/n-triples", "nt"),
        ("application/ld+json", "/shapes", "application/ld+json", "json-ld"),
        ("application/rdf+xml", "/shapes", "application/rdf+xml", "xml"),
        (None, "/shapes.ttl", "text/turtle", "turtle"),
        (None, "/shapes?format=jsonld", "application/ld+json", "json-ld"),
    ],
)
def test_shapes_served_by_content_negotiation(client, accept, path, media, rdflib_format):
    r = client.get(path, headers={"Accept": accept} if accept else {})
    assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == media
    assert "Accept" in r.headers["vary"]
    shapes = Graph().parse(data=r.content, format=rdflib_format)
    expected = Graph()
    for file in (ROOT / "shapes").glob("*.ttl"):
        expected.parse(file, format="turtle")
    assert len(shapes) == len(expected)


def test_shapes_page(client):
    r = client.get("/shapes", headers={"Accept": "text/html", "Accept-Language": "fr"})
    assert r.status_code == 200 and "Nos formes SHACL" in r.text
    assert "bkgsh:InstitutionShape" in r.text and 'href="/shapes.ttl"' in r.text
    assert client.get("/shapes.csv").status_code == 404
    assert client.get("/shapes", headers={"Accept": "text/csv"}).status_code == 406


# --- safety --------------------------------------------------------------------------------


def test_owl_imports_are_never_fetched(client, listener):
    url = f"http://127.0.0.1:{listener.port}/x"
    imports = f"<http://example.org/o> a <{OWL}Ontology> ; <{OWL}imports> <{url}> ."
    for params in ({}, {"ontology": "true"}, {"ontology": "true", "inference": "owlrl"}):
        assert post_rdf(client, imports, **params).status_code == 200
    shapes = NAME_SHAPES + "\n" + imports
    body = {"data_graph": imports, "shapes_graph": shapes, "ontology_graph": imports}
    assert client.post("/validate", json=body).status_code == 200
    files = {"data": ("d.ttl", imports.encode()), "shapes": ("s.ttl", shapes.encode())}
    assert client.post("/validate", files=files).status_code == 200
    time.sleep(0.3)
    assert listener.connections == 0


def test_remote_jsonld_context_is_refused_and_not_fetched(client, listener):
    remote = f"http://127.0.0.1:{listener.port}/ctx"
    doc = json.dumps({"@context": remote, "@id": "http://e/a", "p": 1})
    r = post_rdf(client, doc, "application/ld+json")
    assert r.status_code == 400 and "@context" in r.json()["message"]
    r = client.post("/validate", json={"data_graph": doc, "data_graph_format": "json-ld"})
    assert r.status_code == 400
    r = client.post("/validate", files={"data": ("d.jsonld", doc.encode(), "application/ld+json")})
    assert r.status_code == 400
    nested = json.dumps({"@context": [{"@import": remote}], "@id": "http://e/a"})
    assert post_rdf(client, nested, "application/ld+json").status_code == 400
    time.sleep(0.3)
    assert listener.connections == 0


def test_rdfxml_external_entity_is_not_read(client, tmp_path, listener):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-4f1c")
    for target in (secret.as_uri(), f"http://127.0.0.1:{listener.port}/e"):
        doc = f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY f SYSTEM "{target}"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/a"><ex:p>&f;</ex:p></rdf:Description>
</rdf:RDF>"""
        for accept in ("application/json", "text/turtle", "text/html"):
            r = post_rdf(client, doc, "application/rdf+xml", accept=accept)
            assert r.status_code == 400 and "TOP-SECRET" not in r.text
    time.sleep(0.3)
    assert listener.connections == 0


def test_request_strings_are_never_paths_or_urls(client, tmp_path, listener):
    local = tmp_path / "data.ttl"
    local.write_text(NAMELESS)
    for text in (str(local), local.as_uri(), f"http://127.0.0.1:{listener.port}/data.ttl"):
        body = {"data_graph": text, "shapes_graph": NAME_SHAPES}
        r = client.post("/validate", json=body, headers={"Accept": "application/json"})
        assert r.status_code == 400, text  # not Turtle: it is parsed, never opened
        body = {"data_graph": NAMELESS, "shapes_graph": text}
        assert client.post("/validate", json=body).status_code == 400
    time.sleep(0.3)
    assert listener.connections == 0


def test_bad_input_loses_nothing(client):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    accept = {"Accept": "application/sparql-results+json"}
    before = client.get("/sparql", params={"query": count}, headers=accept).json()
    reference = post_rdf(client, BAD["turtle"]).json()
    for bad in ("<a", "@prefix : <x", "\x00\xff", "{" * 5000, "[" * 5000 + "]" * 5000):
        assert post_rdf(client, bad, accept="*/*").status_code == 400
    assert post_rdf(client, "\x00", "application/ld+json").status_code == 400
    assert post_rdf(client, "<x", "application/rdf+xml").status_code == 400
    assert client.get("/sparql", params={"query": count}, headers=accept).json() == before
    assert post_rdf(client, BAD["turtle"]).json()["results"] == reference["results"]


# --- the time and size caps ----------------------------------------------------------------


@pytest.fixture(scope="module")
def capped(settings, built, tmp_path_factory):
    log = tmp_path_factory.mktemp("validation-caps") / "serve.log"
    env = {
        "BENELUX_KG_VALIDATION_TIMEOUT": "1",
        "BENELUX_KG_VALIDATION_MAX_BYTES": "300000",
        "BENELUX_KG_VALIDATION_WORKERS": "1",
    }
    srv = start_server(settings.build_path, log, env=env)
    yield srv
    stop_server(srv)


def slow_payload(n: int = 1500) -> str:
    """Concepts of one scheme with positions: a SPARQL constraint per pair (quadratic)."""
    lines = [
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix bkg: <https://w3id.org/benelux-kg/def/> .",
        "<https://w3id.org/benelux-kg/id/s> a skos:ConceptScheme .",
    ]
    for i in range(n):
        lines.append(
            f"<https://w3id.org/benelux-kg/id/c{i}> a skos:Concept ; "
            f"skos:inScheme <https://w3id.org/benelux-kg/id/s> ; bkg:position {i} ."
        )
    return "\n".join(lines)


def test_413_over_the_size_cap(capped):
    big = "\n".join(f"<http://e/s{i}> <http://e/p> {i} ." for i in range(20000))
    with capped.client() as c:
        r = c.post("/validate", content=big.encode(), headers={"Content-Type": "text/turtle"})
        assert r.status_code == 413
        r = c.post("/validate", json={"data_graph": big})
        assert r.status_code == 413
        r = c.post("/validate", files={"data": ("d.ttl", big.encode(), "text/turtle")})
        assert r.status_code == 413
        assert post_rdf(c, GOOD).status_code == 200


def test_runaway_validation_is_stopped_and_the_service_answers(capped):
    with capped.client() as c:
        payload = slow_payload()
        assert len(payload) < 300000
        started = time.monotonic()
        r = post_rdf(c, payload)
        assert r.status_code == 503 and "stopped" in r.json()["message"]
        assert time.monotonic() - started < 10
        assert c.get("/healthz").status_code == 200
        assert post_rdf(c, GOOD).json()["conforms"] is True  # a fresh worker took over
    assert re.search(r"replacing worker \d+ \(QueryTimeout\)", capped.log.read_text())
