"""The curated competency questions in ``queries/`` give exactly their expected results.

Every ``queries/NN-short-name.rq`` has its sidecar ``NN-short-name.toml`` (what it answers, in
fr, nl and en: ``tests/test_examples.py``) and its expected result next to it:
``NN-short-name.srj`` (SPARQL 1.1 JSON results, as written
by ``benelux-kg query FILE --format json``) for SELECT and ASK, ``NN-short-name.ttl`` for
CONSTRUCT and DESCRIBE. The queries run in-process against the session's build (the default
graph is the union of the named graphs, OWL RL inferences included; a ``SERVICE <…/search>``
block is answered from the build's search index, as the served process does); SELECT results
are compared exactly, row order included, graphs up to blank-node renaming. A few queries also
run over HTTP against the served process.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from kg_service.build.layout import SEARCH_INDEX
from kg_service.query.contract import QueryRequest
from kg_service.query.engines import run_to_bytes
from kg_service.query.engines.oxigraph import OxigraphEngine
from kg_service.search.index import SearchIndex
from kg_service.search.service import rewrite

ROOT = Path(__file__).resolve().parent.parent
QUERY_DIR = ROOT / "queries"
QUERIES = sorted(QUERY_DIR.glob("*.rq"))
RESULTS_JSON = "application/sparql-results+json"
TURTLE = "text/turtle"
HTTP_QUERIES = [
    "01-institutions-labels",
    "04-senningen-groups-hierarchy",
    "15-inferred-sub-organizations",
    "23-full-text-search-themes",
]


def _id(path: Path) -> str:
    return path.stem


def expected_file(query: Path) -> Path:
    """The one expected-result file of ``query`` (``.srj`` or ``.ttl``)."""
    found = [p for p in (query.with_suffix(".srj"), query.with_suffix(".ttl")) if p.exists()]
    assert len(found) == 1, f"{query.name}: expected exactly one .srj or .ttl, found {found}"
    return found[0]


def _rows_diff(actual: list[dict], expected: list[dict]) -> str:
    for index, (got, want) in enumerate(zip(actual, expected, strict=False)):
        if got != want:
            return f"first difference at row {index}:\n  got  {got}\n  want {want}"
    return f"{len(actual)} rows instead of {len(expected)}"


def assert_same_results(actual: dict, expected: dict, name: str) -> None:
    """SPARQL JSON results: same variables (in order), same bindings in the same order."""
    if "boolean" in expected:
        assert actual.get("boolean") == expected["boolean"], name
        return
    assert actual["head"]["vars"] == expected["head"]["vars"], name
    got, want = actual["results"]["bindings"], expected["results"]["bindings"]
    assert got == want, f"{name}: {_rows_diff(got, want)}"


@pytest.fixture(scope="module")
def engine(built, settings) -> OxigraphEngine:
    return OxigraphEngine.reader(str(settings.build_path / "store"))


def test_there_are_at_least_15_queries():
    assert len(QUERIES) >= 15, [q.name for q in QUERIES]


def test_every_expected_file_belongs_to_a_query():
    orphans = [
        p.name
        for p in sorted(QUERY_DIR.iterdir())
        if p.suffix in {".srj", ".ttl"} and not p.with_suffix(".rq").exists()
    ]
    assert not orphans


@pytest.mark.parametrize("query", QUERIES, ids=_id)
def test_name_sidecar_and_expected_result(query: Path):
    assert re.fullmatch(r"\d{2}-[a-z0-9]+(-[a-z0-9]+)*\.rq", query.name), query.name
    assert query.with_suffix(".toml").is_file(), f"{query.name}: no sidecar .toml beside it"
    assert expected_file(query)


@pytest.mark.parametrize("query", QUERIES, ids=_id)
def test_select_queries_are_totally_ordered(query: Path):
    body = "\n".join(
        line for line in query.read_text(encoding="utf-8").splitlines() if not line.startswith("#")
    )
    if re.search(r"^\s*SELECT\b", body, re.MULTILINE | re.IGNORECASE):
        assert re.search(r"\bORDER\s+BY\b", body, re.IGNORECASE), f"{query.name}: no ORDER BY"


@pytest.fixture(scope="module")
def search_index(built, settings) -> SearchIndex:
    return SearchIndex(settings.build_path / SEARCH_INDEX)


@pytest.mark.parametrize("query", QUERIES, ids=_id)
def test_query_gives_expected_result(query: Path, engine: OxigraphEngine, search_index, settings):
    expected = expected_file(query)
    text = rewrite(query.read_text(encoding="utf-8"), search_index, settings)
    if expected.suffix == ".srj":
        response = run_to_bytes(engine, QueryRequest(text, accept=RESULTS_JSON))
        assert response.kind in {"solutions", "boolean"}, response.kind
        assert_same_results(
            json.loads(response.body), json.loads(expected.read_bytes()), query.name
        )
    else:
        response = run_to_bytes(engine, QueryRequest(text, accept=TURTLE))
        assert response.kind == "graph", response.kind
        actual = Graph().parse(data=response.body, format="turtle")
        wanted = Graph().parse(expected, format="turtle")
        if not isomorphic(actual, wanted):
            _, only_actual, only_wanted = graph_diff(to_isomorphic(actual), to_isomorphic(wanted))
            pytest.fail(
                f"{query.name}: graphs differ\n"
                f"only in the result:\n{only_actual.serialize(format='nt')}\n"
                f"only in the expected file:\n{only_wanted.serialize(format='nt')}"
            )


@pytest.mark.e2e
@pytest.mark.parametrize("name", HTTP_QUERIES)
def test_query_over_http_gives_expected_rows(server, name: str):
    query = QUERY_DIR / f"{name}.rq"
    with server.client() as client:
        response = client.post(
            "/sparql",
            data={"query": query.read_text(encoding="utf-8")},
            headers={"Accept": RESULTS_JSON},
        )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(RESULTS_JSON)
    assert_same_results(response.json(), json.loads(expected_file(query).read_bytes()), name)
