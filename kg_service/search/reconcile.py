"""Reconciliation scoring (W3C Reconciliation Service API 0.2): the index's hits as candidates.

A query's candidates come from the full-text index (:mod:`kg_service.search.index`: accents
folded, stemmed, names in fr, nl or en). Their score, from 0 to 100, is the index's score
scaled (a label equal to the query scores 100), blended with the share of the query's
``properties`` whose values the candidate has. ``match`` is true only for an unambiguous
exact label: one candidate, no other, whose label equals the query (folded) and whose given
properties all agree; two namesakes are both left to the person.

>>> parse_queries('{"q0": {"query": "Benelux", "type": "Theme"}}')["q0"].types
('https://w3id.org/benelux-kg/def/Theme',)
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from kg_service.errors import BadRequest, PayloadTooLarge
from kg_service.search.analysis import words
from kg_service.search.index import Hit, SearchIndex
from kg_service.search.query import MAX_CHARS, MAX_WORDS, make_query, type_iri

__all__ = [
    "BATCH_SIZE",
    "Candidate",
    "candidates",
    "ReconQuery",
    "exact",
    "is_match",
    "parse_queries",
    "rank",
    "scaled",
    "values_agree",
]

#: Queries in one request (the manifest's batchSize); over it: 413.
BATCH_SIZE = 50
#: Candidates per query when the query says no limit, and at most.
DEFAULT_LIMIT, MAX_LIMIT = 5, 50
#: The index's best possible score: a label (field 2 × 3), exact (+2), covering it all (+0.9).
_BEST = 8.9
#: How much the properties weigh against the name when the query gives some.
_PROPERTY_WEIGHT = 0.3
#: ``type_strict: "should"``: a candidate of another type keeps this share of its score.
_OFF_TYPE = 0.8
_STRICT = ("any", "all", "should")
#: Candidates asked of the index per query, before those outside the entity space are dropped.
_FETCHED = 100
#: A name found by some of its words only (no row holds them all) keeps this share of its score.
_PARTIAL = 0.8
#: The words tried one by one when no row holds them all.
_MAX_WORDS_TRIED = 8


@dataclass(frozen=True)
class ReconQuery:
    """One reconciliation query, checked."""

    text: str
    types: tuple[str, ...] = ()
    limit: int = DEFAULT_LIMIT
    strict: str = "any"
    properties: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (property IRI, values)


@dataclass
class Candidate:
    """A candidate being scored: the index's hit and what the properties add."""

    hit: Hit
    score: float
    exact: bool
    agree: bool = True
    types: list[str] = field(default_factory=list)


def parse_queries(raw: str, batch_size: int = BATCH_SIZE) -> dict[str, ReconQuery]:
    """The batch in ``raw`` (the ``queries`` field), or a 400/413 saying what is wrong."""
    try:
        batch = json.loads(raw)
    except ValueError as exc:
        raise BadRequest(f"queries is not JSON: {exc}.") from None
    if not isinstance(batch, dict):
        raise BadRequest('queries must be a JSON object: {"q0": {"query": "…"}, …}.')
    if len(batch) > batch_size:
        raise PayloadTooLarge(
            f"The batch has {len(batch)} queries; at most {batch_size} (batchSize) per request."
        )
    return {str(key): _query(str(key), value) for key, value in batch.items()}


def _query(key: str, value: object) -> ReconQuery:
    if not isinstance(value, dict) or not isinstance(value.get("query"), str):
        raise BadRequest(f"Query {key[:40]!r} must be an object with a 'query' string.")
    strict = value.get("type_strict") or "any"
    if strict not in _STRICT:
        raise BadRequest(f"type_strict must be one of {', '.join(_STRICT)}, not {strict!r:.40}.")
    return ReconQuery(
        value["query"].strip(),
        _types(key, value.get("type")),
        _limit(key, value.get("limit")),
        strict,
        _properties(key, value.get("properties")),
    )


def _types(key: str, raw: object) -> tuple[str, ...]:
    # OpenRefine sends one type as a string; the spec also allows a list.
    listed = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else None
    if raw is None:
        return ()
    if listed is None or not all(isinstance(t, str) for t in listed):
        raise BadRequest(f"The type of query {key[:40]!r} must be a string or a list of them.")
    return tuple(type_iri(t) for t in listed if t.strip())


def _limit(key: str, raw: object) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    if isinstance(raw, bool) or not isinstance(raw, int | float) or raw < 1:
        raise BadRequest(f"The limit of query {key[:40]!r} must be a positive number.")
    return min(int(raw), MAX_LIMIT)


def _properties(key: str, raw: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(p, dict) and "pid" in p for p in raw):
        raise BadRequest(f"The properties of query {key[:40]!r} must be [{{pid, v}}, …].")
    return tuple((type_iri(str(p["pid"])), _values(p.get("v"))) for p in raw)


def _values(raw: object) -> tuple[str, ...]:
    """A property value (or list) as texts: entities by their id, else the value itself."""
    items = raw if isinstance(raw, list) else [raw]
    return tuple(str(v.get("id", "")) if isinstance(v, dict) else str(v) for v in items)


def candidates(index: SearchIndex, query: ReconQuery, space: str) -> list[Candidate]:
    """The entities (IRIs in ``space``) the index finds for ``query``, scored by name alone.

    Every word must match, as in search; when no entity has them all (a spreadsheet cell
    often says more than our label: "Parlement Benelux, Bruxelles"), the entities matching
    some of the words are candidates too, scored by the share of the words they hold.
    """
    folded = words(query.text)
    if not folded:
        return []
    types = query.types if query.strict != "should" else ()
    # A long cell is cut to what a search reads rather than refused (MAX_WORDS, MAX_CHARS).
    hits = _search(index, " ".join(folded[:MAX_WORDS])[:MAX_CHARS], types, space)
    if hits or len(folded) == 1:
        return [Candidate(h, scaled(h.score), exact(h, query.text), types=h.types) for h in hits]
    return _partial(index, folded[:_MAX_WORDS_TRIED], types, space, len(folded))


def _search(index: SearchIndex, text: str, types: tuple[str, ...], space: str) -> list[Hit]:
    found = index.search(make_query(text, types=types, limit=_FETCHED)).results
    return [h for h in found if h.id.startswith(space)]


def _partial(
    index: SearchIndex, folded: tuple[str, ...], types: tuple[str, ...], space: str, n: int
) -> list[Candidate]:
    counts: dict[str, int] = {}
    best: dict[str, Hit] = {}
    for word in dict.fromkeys(folded):
        for hit in _search(index, word, types, space):
            counts[hit.id] = counts.get(hit.id, 0) + 1
            if hit.id not in best or hit.score > best[hit.id].score:
                best[hit.id] = hit
    return [
        Candidate(h, round(scaled(h.score) * _PARTIAL * counts[i] / n, 1), False, types=h.types)
        for i, h in best.items()
    ]


def scaled(score: float) -> float:
    """The index's score as 0-100."""
    return round(min(100.0, 100.0 * score / _BEST), 1)


def exact(hit: Hit, text: str) -> bool:
    """Whether ``hit`` matched on a label equal to ``text`` (accents and case folded)."""
    return hit.score >= _BEST and words(hit.matched) == words(text)


def values_agree(wanted: Sequence[str], found: Sequence[str]) -> bool:
    """Whether any wanted value equals any found one, folded (ids compare by their end)."""
    folded = {words(v) for v in found} | {words(v.rsplit("/", 1)[-1]) for v in found}
    return any(words(v) in folded or words(v.rsplit("/", 1)[-1]) in folded for v in wanted)


def rank(
    query: ReconQuery, candidates: list[Candidate], found: Mapping[str, Mapping[str, list[str]]]
) -> list[Candidate]:
    """``candidates`` rescored with the query's properties and types, best first, limited.

    ``found`` holds, per candidate IRI and property IRI, the candidate's values as texts.
    """
    for candidate in candidates:
        _with_properties(query, candidate, found.get(candidate.hit.id, {}))
        if query.strict == "should" and query.types and not set(query.types) & set(candidate.types):
            candidate.score = round(candidate.score * _OFF_TYPE, 1)
    if query.strict == "all":
        candidates = [c for c in candidates if set(query.types) <= set(c.types)]
    candidates.sort(key=lambda c: (-c.score, c.hit.id))
    return candidates[: query.limit]


def _with_properties(
    query: ReconQuery, candidate: Candidate, values: Mapping[str, list[str]]
) -> None:
    if not query.properties:
        return
    agreeing = sum(values_agree(v, values.get(pid, [])) for pid, v in query.properties)
    share = agreeing / len(query.properties)
    candidate.agree = agreeing == len(query.properties)
    blended = (1 - _PROPERTY_WEIGHT) * candidate.score + _PROPERTY_WEIGHT * 100 * share
    candidate.score = round(blended, 1)


def is_match(candidate: Candidate, ranked: list[Candidate]) -> bool:
    """Exact, agreeing, and the only candidate that is both."""
    sure = [c for c in ranked if c.exact and c.agree]
    return len(sure) == 1 and sure[0] is candidate
