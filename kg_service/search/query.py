"""A search request, checked: the text, the language and class filters, the page wanted.

Odd input never reaches the index: an empty text, one over :data:`MAX_CHARS` characters or
:data:`MAX_WORDS` words, an unknown language or class, a limit or offset out of range are
refused with a sentence (:class:`~kg_service.errors.BadRequest`, a ``400``). Query-syntax
characters (quotes, ``*``, ``:``, brackets) are not syntax here: the text is cut into words
(:mod:`kg_service.search.analysis`), so ``"coopé`` searches for ``coopé``.

>>> make_query("Coopération Benel", lang="fr", types=["bkg:Theme"]).types
('https://w3id.org/benelux-kg/def/Theme',)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kg_service.errors import BadRequest
from kg_service.rdf.namespaces import BKG, PREFIXES
from kg_service.search.analysis import LANGUAGES, words

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_CHARS",
    "MAX_LIMIT",
    "MAX_OFFSET",
    "MAX_WORDS",
    "SearchQuery",
    "make_query",
    "type_iri",
]

MAX_CHARS = 500
MAX_WORDS = 24
DEFAULT_LIMIT = 10
MAX_LIMIT = 100
MAX_OFFSET = 10_000


@dataclass(frozen=True)
class SearchQuery:
    """What to look for: the folded words, where, and which page of the results."""

    text: str
    words: tuple[str, ...]
    langs: tuple[str, ...] = ()  # empty: every language (and text without a language tag)
    types: tuple[str, ...] = ()  # empty: every class; else instances of any of them
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    display: str | None = None  # the language of the labels shown (None: the match's)


def make_query(
    text: str | None,
    lang: str | None = None,
    types: Sequence[str] = (),
    limit: int | str | None = None,
    offset: int | str | None = None,
    display: str | None = None,
    max_limit: int = MAX_LIMIT,
) -> SearchQuery:
    """A checked :class:`SearchQuery`, or :class:`BadRequest` saying what is wrong."""
    text = (text or "").strip()
    if not text:
        raise BadRequest("Give the words to search for in the 'q' parameter.")
    if len(text) > MAX_CHARS:
        raise BadRequest(
            f"The search text has {len(text)} characters; at most {MAX_CHARS} are searched."
        )
    found = words(text)
    if len(found) > MAX_WORDS:
        raise BadRequest(f"The search text has {len(found)} words; at most {MAX_WORDS} are used.")
    langs = _langs(lang)
    return SearchQuery(
        text,
        found,
        langs,
        tuple(type_iri(t) for t in types),
        _number(limit, "limit", DEFAULT_LIMIT, 1, max_limit),
        _number(offset, "offset", 0, 0, MAX_OFFSET),
        display if display in LANGUAGES else (langs[0] if langs else None),
    )


def _langs(lang: str | None) -> tuple[str, ...]:
    if not lang:
        return ()
    if lang not in LANGUAGES:
        raise BadRequest(f"lang must be one of {', '.join(LANGUAGES)}, not {lang[:20]!r}.")
    return (lang,)


def type_iri(value: str) -> str:
    """A class as an IRI: a full IRI, a prefixed name of the graph (``org:Organization``) or a
    name of our ontology (``Theme``)."""
    value = value.strip().removeprefix("<").removesuffix(">")
    if value.startswith(("http://", "https://")):
        return value
    prefix, colon, local = value.partition(":")
    if colon and prefix in PREFIXES:
        return PREFIXES[prefix] + local
    if not colon and value.isidentifier():
        return str(BKG[value])
    raise BadRequest(
        f"type must be a class IRI, a prefixed name such as bkg:Theme, or a name of our "
        f"ontology, not {value[:60]!r}."
    )


def _number(raw: int | str | None, name: str, default: int, low: int, high: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number, not {str(raw)[:20]!r}.") from None
    if not low <= value <= high:
        raise BadRequest(f"{name} must be between {low} and {high}, not {value}.")
    return value
