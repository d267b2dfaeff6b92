"""The lexical scan and the refusals it drives (no parsing, no engine)."""

import pytest

from kg_service.errors import RefusedOperation
from kg_service.query.policy import MAX_CALL_DEPTH, MAX_DEPTH, check_query, check_update, scan
from kg_service.settings import Settings

OPEN = Settings.load({})


def test_keywords_ignore_strings_comments_variables_and_prefixed_names():
    found = scan('PREFIX ex: <http://e/> SELECT ?service { ?s ex:service "SERVICE" } # SERVICE')
    assert "SERVICE" not in found.keywords


def test_less_than_is_not_an_iri():
    found = scan("SELECT * { ?s ?p ?o FILTER(?a < ?b && ?c > 1) SERVICE <http://x/> { } }")
    assert found.iris_after == {"SERVICE": ["http://x/"]}


def test_long_strings_are_skipped():
    assert scan('SELECT * { ?s ?p """a " SERVICE\n b""" }').keywords == {"SELECT"}


def test_depth():
    assert scan("{" * 300 + "}" * 300).max_depth == 300


def nested(template: str, depth: int) -> str:
    expression = "?o"
    for _ in range(depth):
        expression = template.format(expression)
    return f"SELECT * WHERE {{ ?s ?p ?o FILTER({expression}) }}"


def test_call_depth_counts_only_calls_within_calls():
    assert scan(nested('REPLACE({}, "a", "b")', 5)).max_call_depth == 5
    assert scan(nested('regex(STR(({})), "a")', 4)).max_call_depth == 4  # any case, any depth
    assert scan(nested("STR({})", 30)).max_call_depth == 0
    siblings = 'SELECT * { FILTER(REGEX(?a, "x") && SUBSTR(?b, 1) && REPLACE(?c, "a", "b")) }'
    assert scan(siblings).max_call_depth == 1
    assert scan('SELECT * { FILTER(REGEX(?a, "REGEX(REGEX(")) }').max_call_depth == 1


@pytest.mark.parametrize(
    "template", ['REPLACE({}, "a", "b")', 'REGEX({}, "a")', "SUBSTR({}, 1)", "SUBSTR(STR({}), 1)"]
)
def test_calls_that_stall_the_parser_are_refused_past_the_limit(template):
    check_query(nested(template, MAX_CALL_DEPTH), OPEN)
    with pytest.raises(RefusedOperation, match=f"{MAX_CALL_DEPTH + 1} deep.*BIND"):
        check_query(nested(template, MAX_CALL_DEPTH + 1), OPEN)
    with pytest.raises(RefusedOperation, match="deep"):
        check_update(
            "DELETE WHERE { ?s ?p ?o }; INSERT { ?s ?p ?o } WHERE { ?s ?p ?o "
            + nested(template, 21).split("?o ", 1)[1],
            OPEN,
        )


@pytest.mark.parametrize(
    "query, words",
    [
        ("SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE"),
        ("SELECT * { SERVICE SILENT <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE"),
        ("SELECT * FROM <file:///etc/passwd> { ?s ?p ?o }", "file"),
        ("SELECT * FROM NAMED <FILE:///etc/passwd> { ?s ?p ?o }", "file"),
        ("ASK " + "{" * (MAX_DEPTH + 1) + "}" * (MAX_DEPTH + 1), "levels"),
    ],
)
def test_refused_queries(query, words):
    with pytest.raises(RefusedOperation, match=words):
        check_query(query, OPEN)


def test_allow_listed_service_passes():
    allowed = Settings.load({}, service_allowlist=("http://example.org/sparql",))
    check_query("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", allowed)
    with pytest.raises(RefusedOperation, match="example.org"):
        check_query("SELECT * { SERVICE <http://other.example/sparql> { ?s ?p ?o } }", allowed)


@pytest.mark.parametrize(
    "update",
    [
        "LOAD <http://example.org/x.ttl>",
        "LOAD SILENT <file:///etc/passwd> INTO GRAPH <g>",
        "load <file:///etc/passwd>",
    ],
)
def test_load_is_refused_by_default(update):
    with pytest.raises(RefusedOperation):
        check_update(update, OPEN)


def test_load_when_allowed_takes_only_http():
    allowing = Settings.load({}, allow_load=True)
    check_update("LOAD <http://example.org/x.ttl> INTO GRAPH <http://g>", allowing)
    with pytest.raises(RefusedOperation):
        check_update("LOAD <file:///etc/passwd>", allowing)


def test_ordinary_queries_pass():
    for q in (
        "SELECT * WHERE { ?s ?p ?o } LIMIT 1",
        "ASK {}",
        "DESCRIBE <http://x>",
        "SELECT * FROM <http://g> { ?s ?p ?o }",
    ):
        check_query(q, OPEN)


def test_too_many_operators_are_refused_before_parsing():
    many = "SELECT * { " + " UNION ".join(["{ ?s ?p ?o }"] * 1500) + " }"
    with pytest.raises(RefusedOperation, match="operators"):
        check_query(many, OPEN)
    with pytest.raises(RefusedOperation, match="levels"):
        check_query("SELECT * { ?s ?p " + "[ <p> " * 300 + "1" + " ]" * 300 + " }", OPEN)


def test_big_insert_data_with_typed_literals_is_not_refused():
    rows = " ".join(f'<http://e/s{i}> <http://e/p> "{i}"^^<http://e/t> .' for i in range(3000))
    check_update(f"INSERT DATA {{ GRAPH <http://e/g> {{ {rows} }} }}", OPEN)
