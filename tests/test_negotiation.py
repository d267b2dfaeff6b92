"""One named test per Accept edge case of the single negotiation function."""

import pytest

from kg_service.errors import BadRequest, NotAcceptable
from kg_service.rdf.formats import GRAPH_FORMATS, RESULT_FORMATS
from kg_service.rdf.negotiation import choose, parse_accept


def name(accept, offers=RESULT_FORMATS, override=None):
    return choose(accept, offers, override).name


def test_missing_accept_gives_the_first_offer():
    assert name(None) == "json"
    assert name(None, GRAPH_FORMATS) == "turtle"


def test_empty_accept_counts_as_anything():
    assert name("   ") == "json"


def test_star_star_gives_the_default():
    assert name("*/*") == "json"


def test_exact_media_type():
    assert name("text/csv") == "csv"
    assert name("application/sparql-results+xml") == "xml"
    assert name("application/rdf+xml", GRAPH_FORMATS) == "rdfxml"


def test_higher_q_wins_whatever_the_order():
    assert name("text/csv;q=0.5, text/tab-separated-values;q=0.9") == "tsv"


def test_q_zero_excludes_even_with_wildcard():
    assert name("application/sparql-results+json;q=0, */*") == "xml"


def test_more_specific_range_sets_the_quality():
    # text/* would allow csv at 1.0, but text/csv itself says q=0.1; tsv keeps text/*'s 1.0
    assert name("text/*, text/csv;q=0.1") == "tsv"
    assert name("text/csv;q=0.1, text/tab-separated-values") == "tsv"


def test_type_wildcard():
    assert name("application/*", GRAPH_FORMATS) == "ntriples"


def test_alias_application_json_means_sparql_json():
    assert name("application/json") == "json"


def test_wildcards_do_not_match_aliases():
    assert name("text/*", GRAPH_FORMATS) == "turtle"
    with pytest.raises(NotAcceptable):
        name("text/plain", RESULT_FORMATS)


def test_nothing_acceptable_raises_406():
    with pytest.raises(NotAcceptable) as info:
        name("image/png")
    assert "text/csv" in info.value.message


def test_all_zero_raises_406():
    with pytest.raises(NotAcceptable):
        name("*/*;q=0")


def test_malformed_elements_are_ignored():
    assert name("garbage, text/csv, ;;;, */json") == "csv"


def test_bad_q_value_drops_that_element():
    assert name("text/csv;q=abc, text/tab-separated-values") == "tsv"


def test_parameters_other_than_q_are_ignored():
    assert name("text/turtle; charset=utf-8", GRAPH_FORMATS) == "turtle"


def test_case_insensitive():
    assert name("TEXT/CSV") == "csv"


def test_format_override_beats_accept():
    assert name("text/csv", override="tsv") == "tsv"
    assert name(None, GRAPH_FORMATS, override="application/ld+json") == "jsonld"


def test_unknown_override_is_a_400_naming_the_options():
    with pytest.raises(BadRequest) as info:
        name(None, override="text/csv\r\nX-Injected: 1")
    assert "json" in info.value.message
    assert "\r\n" not in info.value.message.split("for this result")[1]


def test_parse_accept_default_and_q_clamping():
    assert parse_accept(None)[0].q == 1.0
    assert parse_accept("text/csv;q=7")[0].q == 1.0
