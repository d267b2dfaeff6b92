"""The three query operations of the SPARQL 1.1 Protocol, parsed into one request."""

from urllib.parse import parse_qsl, quote_plus

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg_service.errors import BadRequest, UnsupportedMediaType
from kg_service.web.routes.sparql import form_pairs, parse_query_request

FORM = "application/x-www-form-urlencoded"


def parse(method="GET", ctype="", url=b"", body=b"", accept=None):
    return parse_query_request(method, ctype, url, body, accept)


def test_get_with_dataset():
    req = parse(url=b"query=ASK%7B%7D&default-graph-uri=http%3A%2F%2Fa&named-graph-uri=http://b")
    assert req.query == "ASK{}"
    assert req.default_graphs == ("http://a",)
    assert req.named_graphs == ("http://b",)


def test_get_without_query_is_none():
    assert parse() is None


def test_form_post_decodes_once():
    req = parse("POST", FORM, body=b"query=SELECT%20%2A%20%7B%7D%20%23%2050%2525")
    assert req.query == "SELECT * {} # 50%25"


def test_form_post_takes_dataset_from_the_url_too():
    req = parse("POST", FORM, url=b"default-graph-uri=http://a", body=b"query=ASK{}")
    assert req.default_graphs == ("http://a",)


def test_direct_post():
    req = parse(
        "POST",
        "application/sparql-query; charset=utf-8",
        url=b"named-graph-uri=x",
        body='ASK { ?s ?p "é" }'.encode(),
    )
    assert req.query.endswith('"é" }')
    assert req.named_graphs == ("x",)


def test_two_queries_are_refused():
    with pytest.raises(BadRequest, match="exactly one 'query'"):
        parse(url=b"query=ASK{}&query=ASK{}")


def test_update_on_query_endpoint_is_refused():
    with pytest.raises(BadRequest, match="/update"):
        parse("POST", FORM, body=b"update=CLEAR%20ALL")


def test_wrong_media_type_is_415():
    with pytest.raises(UnsupportedMediaType):
        parse("POST", "text/plain", body=b"ASK{}")


def test_missing_media_type_is_415():
    with pytest.raises(UnsupportedMediaType):
        parse("POST", "", body=b"ASK{}")


def test_non_utf8_is_400():
    with pytest.raises(BadRequest, match="UTF-8"):
        parse("POST", "application/sparql-query", body=b"ASK { \xff }")


def test_form_without_query_is_400():
    with pytest.raises(BadRequest, match="no 'query'"):
        parse("POST", FORM, body=b"foo=bar")


# --- the form decoder: the same pairs as parse_qsl, whatever the bytes ----------------------

_FORM_CASES = [
    b"query=SELECT+*+%7B%3Fs+%3Fp+%3Fo%7D",
    b"query=a%5Cnb+%5C%5C+\\x41+%25",  # backslashes, encoded and raw, and an encoded '%'
    b"query=%E9t%C3%A9",  # %E9 alone is not UTF-8: parse_qsl's replacement character
    b"query=100%+sure&x=%4G&y=%",  # stray '%': left as it is
    b"a&b=&=c&&d=1=2",  # no '=', empty value, empty name, empty part, '=' in the value
    "query=caf\u00e9+%C3%A9".encode(),
    b"",
]


@pytest.mark.parametrize("raw", _FORM_CASES)
def test_form_pairs_decode_as_parse_qsl(raw: bytes) -> None:
    assert form_pairs(raw, "form body") == parse_qsl(raw.decode(), keep_blank_values=True)


@given(st.binary(max_size=64) | st.text(max_size=64).map(lambda t: quote_plus(t).encode()))
def test_form_pairs_match_parse_qsl_on_any_bytes(raw: bytes) -> None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        with pytest.raises(BadRequest, match="not valid UTF-8"):
            form_pairs(raw, "form body")
        return
    assert form_pairs(raw, "form body") == parse_qsl(text, keep_blank_values=True)
