"""Reconciliation scoring in-process (:mod:`kg_service.search.reconcile`) and the typing of
data-extension values (:mod:`kg_service.web.routes.reconcile`): the rules, one case each."""

from __future__ import annotations

import json

import pytest

from kg_service.errors import BadRequest, PayloadTooLarge
from kg_service.rdf.namespaces import BKG
from kg_service.search.index import Hit
from kg_service.search.reconcile import (
    Candidate,
    ReconQuery,
    exact,
    is_match,
    parse_queries,
    rank,
    scaled,
    values_agree,
)
from kg_service.web.routes.reconcile import _typed, compact, entity_iri

XSD = "http://www.w3.org/2001/XMLSchema#"


def _hit(iri: str, matched: str, score: float = 8.9) -> Hit:
    return Hit(iri, matched, "fr", [str(BKG.Institution)], score, matched)


def test_openrefines_type_string_and_a_list_are_the_same():
    one = parse_queries(json.dumps({"q": {"query": "x", "type": "Institution"}}))["q"]
    many = parse_queries(json.dumps({"q": {"query": "x", "type": ["bkg:Institution"]}}))["q"]
    assert one.types == many.types == (str(BKG.Institution),)


def test_batch_over_the_size_is_413_and_not_json_is_400():
    with pytest.raises(PayloadTooLarge):
        parse_queries(json.dumps({f"q{i}": {"query": "x"} for i in range(3)}), batch_size=2)
    with pytest.raises(BadRequest):
        parse_queries("{")


def test_exact_folds_accents_and_case_but_not_extra_words():
    assert exact(_hit("a", "Parlement Benelux"), "parlement BÉNÉLUX")
    assert not exact(_hit("a", "Parlement Benelux", 8.5), "Parlement")


def test_scaled_is_a_percentage():
    assert scaled(8.9) == 100 and scaled(0) == 0


def test_two_namesakes_are_no_match():
    a = Candidate(_hit("a", "X"), 100, True)
    b = Candidate(_hit("b", "X"), 100, True)
    ranked = rank(ReconQuery("X"), [a, b], {})
    assert not is_match(a, ranked) and not is_match(b, ranked)


def test_a_property_separates_namesakes():
    a = Candidate(_hit("a", "X"), 100, True)
    b = Candidate(_hit("b", "X"), 100, True)
    query = ReconQuery("X", properties=(("p", ("Brussel",)),))
    ranked = rank(query, [b, a], {"a": {"p": ["Bruxelles", "Brussel"]}, "b": {"p": ["Den Haag"]}})
    assert [c.hit.id for c in ranked] == ["a", "b"] and is_match(a, ranked)


def test_values_agree_by_folded_text_or_id_end():
    assert values_agree(["benelux union"], ["Benelux Union"])
    assert values_agree(
        ["organisation/benelux-union"], ["https://w3id.org/x/organisation/benelux-union"]
    )
    assert not values_agree(["Luxembourg"], ["Brussel"])


@pytest.mark.parametrize(
    ("term", "value"),
    [
        ({"type": "literal", "value": "3", "datatype": XSD + "integer"}, {"int": 3}),
        ({"type": "literal", "value": "2.5", "datatype": XSD + "decimal"}, {"float": 2.5}),
        (
            {"type": "literal", "value": "2008-06-17", "datatype": XSD + "date"},
            {"date": "2008-06-17T00:00:00Z"},
        ),
        ({"type": "literal", "value": "abc", "datatype": XSD + "integer"}, {"str": "abc"}),
        ({"type": "literal", "value": "Benelux", "xml:lang": "nl"}, {"str": "Benelux"}),
        ({"type": "uri", "value": "http://example.org/x"}, {"str": "http://example.org/x"}),
    ],
)
def test_values_are_typed_as_the_spec_says(term, value):
    assert _typed(term, {}) == value


def test_ids_and_names():
    assert compact(str(BKG.Institution)) == "Institution"
    assert entity_iri("institution/x").endswith("/id/institution/x")
    for bad in ("", "a b", "http://example.org/x", "x>"):
        with pytest.raises(BadRequest):
            entity_iri(bad)
