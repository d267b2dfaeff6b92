"""SPARQL syntax errors in words (``kg_service.query.syntax``).

Each typical mistake, parsed by pyoxigraph as the service parses it, gives one expected
sentence; rdflib's messages (the rdflib backend, SHACL-SPARQL in the validation service) and a
remote endpoint's message without the text give sentences too. End to end: the API's 400 body,
the HTML query page and the validation service say the sentence, and the access log keeps the
parser's own message.
"""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.plugins.sparql import prepareQuery

from kg_service.errors import QuerySyntaxError
from kg_service.query.syntax import explain, position, syntax_error
from kg_service.validation.core import validate

#: (the mistake, the query, the sentence)
MISTAKES = [
    (
        "unknown prefix",
        "SELECT * WHERE { ?s foo:bar ?o }",
        "unknown prefix `foo:` at line 1, column 21: declare it with PREFIX foo: <…>",
    ),
    (
        "misspelt WHERE",
        "SELECT * WHER { ?s ?p ?o }",
        "`WHER` at line 1, column 10 is not a SPARQL keyword: did you mean WHERE?",
    ),
    (
        "unclosed group",
        "SELECT ?s\nWHERE {\n  ?s ?p ?o .\n",
        "the group opened at line 2 is not closed",
    ),
    (
        "one of our prefixes, undeclared",
        "SELECT * WHERE { ?s rdfs:label ?o }",
        "unknown prefix `rdfs:` at line 1, column 21: declare it with "
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>",
    ),
    (
        "misspelt SELECT",
        "SELEC * WHERE { ?s ?p ?o }",
        "`SELEC` at line 1, column 1 is not a SPARQL keyword: did you mean SELECT?",
    ),
    (
        "misspelt function",
        'SELECT ?s WHERE { ?s ?p ?o FILTER(STRSTART(?o, "a")) }',
        "`STRSTART` at line 1, column 35 is not a SPARQL function: did you mean STRSTARTS?",
    ),
    (
        "variable without its ?",
        "SELECT s WHERE { ?s ?p ?o }",
        "`s` at line 1, column 8 is not a SPARQL keyword: did you mean ?s?",
    ),
    (
        "FILTER not closed",
        "SELECT ?s WHERE { ?s ?p ?o  FILTER(?o > 3 }",
        "the parenthesis opened at line 1, column 35 is not closed before `}` at line 1, column 43",
    ),
    (
        "one brace too many",
        "SELECT * WHERE { ?s ?p ?o } }",
        "`}` at line 1, column 29 closes nothing: there is no opening bracket before it",
    ),
    (
        "unclosed string",
        'SELECT * WHERE { ?s ?p "Benelux }',
        "the string that starts at line 1, column 24 is not closed",
    ),
    (
        "space in an IRI",
        "SELECT * WHERE { ?s <http://example.org/a b> ?o }",
        "the IRI <http://example.org/a b> at line 1, column 21 is not valid: an IRI cannot "
        "hold spaces, quotes or any of {}|^`\\ (write a space as %20)",
    ),
    (
        "incomplete triple",
        "SELECT * WHERE { ?s ?p ?o . ?s ?p }",
        "the triple at line 1, column 29 is incomplete: it needs a subject, a predicate and "
        "an object",
    ),
    (
        "missing dot between triples",
        "SELECT * WHERE { ?s ?p ?o ?x ?y ?z }",
        "`?x` at line 1, column 27 starts a new triple: end the one before it with a `.`",
    ),
    (
        "ORDER without BY",
        "SELECT * WHERE { ?s ?p ?o } ORDER ?s",
        "ORDER at line 1, column 29 must be followed by BY (ORDER BY ?x)",
    ),
    (
        "LIMIT without a number",
        "SELECT * WHERE { ?s ?p ?o } LIMIT ten",
        "LIMIT at line 1, column 29 must be followed by a whole number (LIMIT 10)",
    ),
    (
        "OPTIONAL without braces",
        "SELECT * WHERE { ?s ?p ?o OPTIONAL ?s ?q ?x }",
        "OPTIONAL at line 1, column 27 needs a group in braces after it: OPTIONAL { … }",
    ),
    (
        "aggregate without parentheses",
        "SELECT ?s COUNT(?o) WHERE { ?s ?p ?o } GROUP BY ?s",
        "`COUNT(…)` at line 1, column 11 must be written in parentheses with a name: "
        "(COUNT(…) AS ?name)",
    ),
    (
        "expression in SELECT without AS",
        "SELECT (COUNT(?o)) WHERE { ?s ?p ?o }",
        "the expression in parentheses at line 1, column 8 needs a name: write ( … AS ?name)",
    ),
    (
        "selected variable neither grouped nor aggregated",
        "SELECT ?s (COUNT(?o) AS ?n) WHERE { ?s ?p ?o }",
        "`?s` at line 1, column 8 is selected but neither grouped nor aggregated: add it to "
        "GROUP BY, or select (SAMPLE(?s) AS ?name)",
    ),
    (
        "nothing selected",
        "SELECT DISTINCT WHERE { ?s ?p ?o }",
        "SELECT at line 1, column 1 names nothing to select: write SELECT * or SELECT ?x ?y",
    ),
    (
        "PREFIX without its colon",
        "PREFIX bkg <https://w3id.org/benelux-kg/def/>\nSELECT * WHERE { ?s ?p ?o }",
        "the prefix name `bkg` at line 1, column 8 needs a colon: PREFIX bkg: <…>",
    ),
    (
        "empty language tag",
        'SELECT * WHERE { ?s ?p ?o FILTER (?o = "x"@) }',
        'the language tag at line 1, column 43 is empty: write it as "text"@en',
    ),
    (
        "empty query",
        "  # nothing but a comment\n",
        "the query is empty: write a SELECT, ASK, CONSTRUCT or DESCRIBE query",
    ),
    (
        "the mistake on a later line",
        "PREFIX bkg: <https://w3id.org/benelux-kg/def/>\nSELECT ?i WHERE {\n"
        "  ?i a bkg:Institution ;\n     rdfs:label ?l .\n}",
        "unknown prefix `rdfs:` at line 4, column 6: declare it with "
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>",
    ),
]


def parser_message(query: str) -> str:
    """What pyoxigraph says of ``query``, as the engine sees it."""
    with pytest.raises(SyntaxError) as caught:
        ox.Store().query(query)
    return str(caught.value)


@pytest.mark.parametrize(("name", "query", "sentence"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_each_typical_mistake_gets_its_sentence(name: str, query: str, sentence: str):
    assert explain(parser_message(query), query) == sentence


def test_there_are_at_least_ten_mistakes_and_no_grammar_dump():
    assert len(MISTAKES) >= 10
    for _, query, _ in MISTAKES:
        said = explain(parser_message(query), query)
        assert "expected one of" not in said and "\\u{" not in said and len(said) < 240


def test_the_error_carries_the_sentence_and_keeps_the_parsers_words():
    query = "SELECT * WHER { ?s ?p ?o }"
    error = syntax_error(parser_message(query), "query", query)
    assert isinstance(error, QuerySyntaxError) and error.status == 400
    assert error.message.startswith("`WHER` at line 1, column 10")
    assert error.parser_message == parser_message(query)


def test_an_update_is_explained_the_same_way():
    update = "INSERT DATA { <http://e/a> <http://e/p> 'x' "
    with pytest.raises(SyntaxError) as caught:
        ox.Store().update(update)
    assert explain(str(caught.value), update) == "the group opened at line 1 is not closed"


def test_without_the_text_the_parsers_message_is_reworded():
    # a remote endpoint's answer, when the client's text is not at hand
    message = 'error at 1:16: expected one of "&&", ")", "*", "+"'
    assert (
        explain(message) == "the query does not parse at line 1, column 16: expected `&&`, "
        "`)`, `*` or `+`"
    )
    assert explain("error at 2:1: expected one of Prefix not found, ['%']") == (
        "the query does not parse at line 2, column 1"
    )
    assert position("Expected SelectQuery, found 'WHER'  (at char 9), (line:1, col:10)") == (1, 10)


def _rdflib_message(query: str) -> str:
    with pytest.raises(Exception) as caught:  # rdflib raises plain Exceptions too
        prepareQuery(query)
    return str(caught.value)


@pytest.mark.parametrize(
    ("query", "sentence"),
    [
        (
            "SELECT * WHER { ?s ?p ?o }",
            "`WHER` at line 1, column 10 is not a SPARQL keyword: did you mean WHERE?",
        ),
        (
            "SELECT * WHERE { ?s foo:p ?o }",
            "unknown prefix `foo:` at line 1, column 21: declare it with PREFIX foo: <…>",
        ),
        ("SELECT * WHERE {\n ?s ?p ?o .\n", "the group opened at line 1 is not closed"),
    ],
)
def test_rdflibs_messages_get_the_same_sentences(query: str, sentence: str):
    assert explain(_rdflib_message(query), query) == sentence


SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ;
  sh:sparql [ sh:message "x" ; sh:select \"\"\"SELECT $this
WHER { $this ex:p ?o }\"\"\" ] .
"""


def test_a_shapes_sparql_constraint_that_does_not_parse_is_a_sentence():
    shapes = Graph().parse(data=SHAPES, format="turtle")
    data = Graph().parse(data="<http://example.org/a> a <http://example.org/C> .", format="turtle")
    with pytest.raises(QuerySyntaxError) as caught:
        validate(data, shapes)
    assert caught.value.message == (
        "The shapes graph cannot be used: a SPARQL query of its constraints does not parse: "
        "`WHER` at line 2, column 1 is not a SPARQL keyword: did you mean WHERE?"
    )


# --- end to end --------------------------------------------------------------------------


@pytest.mark.e2e
def test_the_apis_400_body_is_the_sentence_in_a_few_lines(server):
    with server.client() as http:
        r = http.get("/sparql", params={"query": "SELECT * WHER { ?s ?p ?o }"})
        as_json = http.post(
            "/sparql",
            content="SELECT * WHERE {\n  ?s rdfs:label ?o }",
            headers={"Content-Type": "application/sparql-query", "Accept": "application/json"},
        )
    assert r.status_code == 400
    assert r.text == (
        "SPARQL syntax error: `WHER` at line 1, column 10 is not a SPARQL keyword: "
        "did you mean WHERE?\n"
    )
    assert as_json.status_code == 400
    assert as_json.json()["message"] == (
        "unknown prefix `rdfs:` at line 2, column 6: declare it with "
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>"
    )


@pytest.mark.e2e
def test_the_access_log_keeps_the_parsers_own_words(server):
    with server.client() as http:
        http.get("/sparql", params={"query": "SELECT * WHER { ?s ?p ?o } # log-me"})
    lines = [json.loads(x) for x in server.log.read_text().splitlines() if x.startswith("{")]
    said = [x["parser"] for x in lines if x.get("status") == 400 and "parser" in x]
    assert any(p.startswith("error at 1:16: expected DISTINCT") for p in said), said
    assert "log-me" not in server.log.read_text()  # never the query itself


@pytest.mark.e2e
def test_the_html_query_page_shows_the_sentence(server):
    with server.client() as http:
        r = http.get(
            "/query",
            params={"query": "SELECT * WHERE {\n  ?s ?p ?o"},
            headers={"Accept": "text/html"},
        )
    assert r.status_code == 400
    assert "the group opened at line 1 is not closed" in r.text
    assert "expected one of" not in r.text


@pytest.mark.e2e
def test_the_validation_service_says_it_of_a_shapes_query(server):
    with server.client() as http:
        r = http.post(
            "/validate",
            json={
                "data_graph": "<http://example.org/a> a <http://example.org/C> .",
                "shapes_graph": SHAPES,
            },
            headers={"Accept": "application/json"},
        )
    assert r.status_code == 400, r.text
    assert (
        "`WHER` at line 2, column 1 is not a SPARQL keyword: did you mean WHERE?"
        in (r.json()["message"])
    )
