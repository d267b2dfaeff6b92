"""Full-text search, in-process: analysis, the index on the real graph, ranking, filters, odd
input, and the ``SERVICE <…/search>`` rewrite of SPARQL queries."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg_service.build.layout import SEARCH_INDEX
from kg_service.errors import BadRequest, Overloaded, RefusedOperation
from kg_service.query.policy import check_query, check_update
from kg_service.rdf.namespaces import BKG, ID, SEARCH_SERVICE
from kg_service.search.analysis import analyse, fold, words
from kg_service.search.generations import Indexer, IndexFolder, IndexReader
from kg_service.search.index import SearchIndex, collect, write_index
from kg_service.search.query import MAX_CHARS, make_query
from kg_service.search.service import rewrite
from kg_service.settings import Settings

SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
DCT = "http://purl.org/dc/terms/"
PARLIAMENT = str(ID["institution/benelux-parliament"])


@pytest.fixture(scope="module")
def index(built, settings) -> SearchIndex:
    """The index the build wrote beside its store."""
    return SearchIndex(settings.build_path / SEARCH_INDEX)


def search(index: SearchIndex, text: str, **options):
    return index.search(make_query(text, **options))


def ids(results) -> list[str]:
    return [hit.id for hit in results.results]


# --- analysis ------------------------------------------------------------------------------


def test_case_accents_and_ligatures_are_folded():
    assert fold("Coopération ÉCONOMIQUE") == "cooperation economique"
    assert words("Œuvre, l'ambition") == ("oeuvre", "l", "ambition")


@pytest.mark.parametrize(
    ("plural", "singular", "lang"),
    [
        ("coopérations", "coopération", "fr"),
        ("samenwerkingen", "samenwerking", "nl"),
        ("cooperations", "cooperation", "en"),
        ("sécurités", "securite", "fr"),  # accents or none: the same stem
    ],
)
def test_plural_and_singular_share_a_stem(plural, singular, lang):
    assert analyse(plural, lang).stems == analyse(singular, lang).stems


def test_text_without_a_language_is_not_stemmed():
    assert analyse("Samenwerkingen", None).stems == ("samenwerkingen",)


# --- the real graph --------------------------------------------------------------------------


def test_french_plural_finds_the_singular(index):
    found = search(index, "coopérations", lang="fr")
    assert found.total > 5
    assert all(hit.lang == "fr" for hit in found.results)
    assert all("coopération" in hit.matched.lower() for hit in found.results[:5])


def test_dutch_plural_finds_the_singular(index):
    found = search(index, "samenwerkingen", lang="nl")
    assert found.total > 5
    assert any("samenwerking" in hit.matched.lower() for hit in found.results)
    assert all(hit.lang == "nl" for hit in found.results)


def test_accents_are_optional(index):
    with_accents = search(index, "sécurité", lang="fr", limit=50)
    without = search(index, "SECURITE", lang="fr", limit=50)
    assert ids(with_accents) == ids(without) and with_accents.total > 0


def test_the_last_word_matches_as_a_prefix(index):
    found = search(index, "benelux parl")
    assert found.results[0].id == PARLIAMENT
    assert search(index, "parlem", lang="fr").results[0].id == PARLIAMENT


def test_filter_by_class_keeps_only_its_instances(index):
    found = search(index, "coopération", types=["bkg:Theme"], limit=50)
    assert found.total > 0
    assert all(str(BKG.Theme) in hit.types for hit in found.results)
    # inferred types count: an institution is an org:FormalOrganization by the ontology
    org = search(index, "parlement", types=["org:FormalOrganization"])
    assert PARLIAMENT in ids(org)


def test_filter_by_language(index):
    assert search(index, "Beneluxparlement", lang="fr").total == 0
    dutch = search(index, "Beneluxparlement", lang="nl")
    assert dutch.results[0].id == PARLIAMENT and dutch.results[0].lang == "nl"


def test_results_carry_the_issues_fields(index):
    hit = search(index, "Benelux Parliament", lang="en").results[0]
    assert hit.id == PARLIAMENT
    assert hit.label == "Benelux Parliament" and hit.matched == "Benelux Parliament"
    assert hit.lang == "en" and str(BKG.Institution) in hit.types
    assert isinstance(hit.score, float)


def test_labels_are_shown_in_the_display_language(index):
    hit = search(index, "Benelux Parliament", lang="en", display="nl").results[0]
    assert hit.label == "Beneluxparlement" and hit.matched == "Benelux Parliament"


def test_pages_follow_one_total_order(index):
    everything = search(index, "benelux", limit=100)
    pages = [search(index, "benelux", limit=7, offset=o) for o in range(0, 21, 7)]
    assert [i for page in pages for i in ids(page)] == ids(everything)[:21]
    assert {page.total for page in pages} == {everything.total}
    scores = [hit.score for hit in everything.results]
    assert scores == sorted(scores, reverse=True)


def test_an_offset_past_the_end_still_counts(index):
    total = search(index, "benelux").total
    past = search(index, "benelux", offset=total + 5)
    assert past.results == [] and past.total == total


# --- ranking, on a graph made for it ---------------------------------------------------------


def _graph(*triples: tuple[str, str, str, str]) -> list[ox.Quad]:
    return [
        ox.Quad(
            ox.NamedNode(f"http://example.org/{s}"), ox.NamedNode(p), ox.Literal(o, language=lang)
        )
        for s, p, o, lang in triples
    ]


@pytest.fixture
def small(tmp_path: Path) -> SearchIndex:
    quads = _graph(
        ("desc-exact", DCT + "description", "Un texte sur la coopération", "fr"),
        ("alt-exact", SKOS + "altLabel", "Coopération", "fr"),
        ("label-exact", RDFS + "label", "Coopération Benelux", "fr"),
        ("label-stem", RDFS + "label", "Coopérations transfrontalières", "fr"),
        ("label-prefix", RDFS + "label", "Coopérationnelle", "fr"),
        ("alt-stem", SKOS + "altLabel", "Les coopérations", "fr"),
        ("label-whole", RDFS + "label", "coopération", "fr"),
    )
    return SearchIndex(write_index(collect(quads), tmp_path / "small.sqlite"))


def test_label_then_alternative_label_then_description(small):
    found = [i.rsplit("/", 1)[1] for i in ids(search(small, "coopération"))]
    assert found.index("label-exact") < found.index("alt-exact") < found.index("desc-exact")


def test_exact_then_stemmed_then_prefix(small):
    found = [i.rsplit("/", 1)[1] for i in ids(search(small, "coopération"))]
    assert found[:3] == ["label-whole", "label-exact", "label-stem"]
    assert found.index("label-stem") < found.index("alt-exact")  # the field comes first
    prefix = [i.rsplit("/", 1)[1] for i in ids(search(small, "coopé"))]
    assert "label-prefix" in prefix and "desc-exact" in prefix


def test_a_prefix_match_ranks_below_a_stemmed_one(small):
    found = search(small, "coopération")
    scores = {h.id.rsplit("/", 1)[1]: h.score for h in found.results}
    assert scores["label-whole"] > scores["label-stem"] > scores["label-prefix"]
    assert scores["label-prefix"] > scores["alt-exact"]  # a label still beats an alternative


# --- odd input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ['"unbalanced', "(((", "a AND b OR NOT c", "title:x*", "NEAR(a b)", "^*-+{}[]:", "'\"'"],
)
def test_query_syntax_characters_are_only_text(index, text):
    found = search(index, text)
    assert found.total >= 0  # an answer, no error


@pytest.mark.parametrize(
    ("options", "words_in_message"),
    [
        ({"text": ""}, "'q'"),
        ({"text": "   "}, "'q'"),
        ({"text": "x" * 20_000}, str(MAX_CHARS)),
        ({"text": "a " * 200}, "words"),
        ({"text": "a", "lang": "de"}, "lang"),
        ({"text": "a", "limit": "ten"}, "limit"),
        ({"text": "a", "limit": 0}, "limit"),
        ({"text": "a", "offset": -1}, "offset"),
        ({"text": "a", "types": ["not a class!"]}, "type"),
    ],
)
def test_odd_requests_are_refused_with_a_sentence(options, words_in_message):
    text = options.pop("text")
    with pytest.raises(BadRequest) as caught:
        make_query(text, **options)
    assert words_in_message in caught.value.message and caught.value.message.endswith(".")


# --- generations -----------------------------------------------------------------------------


def test_the_reader_keeps_the_previous_index_until_the_next_is_published(tmp_path):
    folder = IndexFolder(tmp_path / "search")
    generation = [0]
    graphs = {
        0: _graph(("a", RDFS + "label", "Premier", "fr")),
        1: _graph(("b", RDFS + "label", "Second", "fr")),
    }
    indexer = Indexer(folder, lambda: generation[0], lambda g: graphs[g])
    reader = IndexReader(folder, lambda: generation[0])
    indexer.start()
    try:
        _wait(lambda: reader.current() is not None)
        assert search(reader.current(), "premier").total == 1
        generation[0] = 1  # a write: until its index is built, the previous one answers
        assert reader.current() is not None
        _wait(lambda: reader.current().generation == 1)
        assert search(reader.current(), "second").total == 1
        assert search(reader.current(), "premier").total == 0
    finally:
        indexer.stop()


def _wait(condition, seconds: float = 10.0) -> None:
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


# --- SPARQL ----------------------------------------------------------------------------------

PROLOGUE = "PREFIX search: <https://w3id.org/benelux-kg/search#>\n"


def test_a_search_block_becomes_values_in_ranking_order(index):
    query = (
        PROLOGUE
        + "SELECT ?x ?s WHERE { SERVICE <"
        + SEARCH_SERVICE
        + '> { ?x search:query "benelux parl" ; search:score ?s ; search:limit 2 } }'
    )
    text = rewrite(query, index, Settings())
    assert "SERVICE" not in text and "VALUES (?x ?s)" in text
    assert text.index(PARLIAMENT) < text.index("decimal")


def test_other_service_endpoints_stay_refused(index):
    query = (
        PROLOGUE + f'SELECT * {{ SERVICE <{SEARCH_SERVICE}> {{ ?x search:query "a" }} '
        "SERVICE <http://127.0.0.1:9/sparql> { ?x ?p ?o } }"
    )
    with pytest.raises(RefusedOperation):
        check_query(query, Settings())
    by_variable = query.replace("<http://127.0.0.1:9/sparql>", "?endpoint")
    check_query(by_variable, Settings())  # ours is let through the first check …
    with pytest.raises(RefusedOperation):
        rewrite(by_variable, index, Settings())  # … the rest is checked again without it


def test_the_search_service_is_never_let_through_in_updates_or_to_a_remote():
    update = f'INSERT {{ ?x a <u:c> }} WHERE {{ SERVICE <{SEARCH_SERVICE}> {{ ?x ?p "a" }} }}'
    with pytest.raises(RefusedOperation):
        check_update(update, Settings())
    query = f'SELECT * {{ SERVICE <{SEARCH_SERVICE}> {{ ?x ?p "a" }} }}'
    with pytest.raises(RefusedOperation, match="oxigraph or rdflib"):
        check_query(query, Settings(backend="remote", endpoint="http://127.0.0.1:1/query"))


@pytest.mark.parametrize(
    "block",
    [
        '?x search:query "a" . ?y search:lang "fr"',
        'search:query "a"',
        "?x search:lang 'fr'",
        '?x search:query "a" ; search:score "not a variable"',
        '?x search:query "a" ; <http://example.org/p> "b"',
        '?x undeclared:query "a"',
        '?x search:query "a", "b"',
    ],
)
def test_a_block_that_cannot_be_read_is_a_400(index, block):
    query = PROLOGUE + f"SELECT * {{ SERVICE <{SEARCH_SERVICE}> {{ {block} }} }}"
    with pytest.raises(BadRequest):
        rewrite(query, index, Settings())


def test_before_the_first_index_a_search_query_is_told_to_retry():
    query = PROLOGUE + f'SELECT * {{ SERVICE <{SEARCH_SERVICE}> {{ ?x search:query "a" }} }}'
    with pytest.raises(Overloaded) as caught:
        rewrite(query, None, Settings())
    assert caught.value.headers["Retry-After"]
