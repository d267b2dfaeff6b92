"""Full-text search inside SPARQL: a ``SERVICE`` block with our own IRI, answered from the index.

A query combines search with graph patterns like this (``search:`` is
``https://w3id.org/benelux-kg/search#``; the IRI after ``SERVICE`` must be written in full)::

    PREFIX search: <https://w3id.org/benelux-kg/search#>
    SELECT ?theme ?score WHERE {
      SERVICE <https://w3id.org/benelux-kg/search> {
        ?theme search:query "coopération" ; search:lang "fr" ; search:type bkg:Theme ;
               search:limit 20 ; search:score ?score ; search:matched ?text .
      }
      ?theme skos:inScheme ?scheme .
    }

Before the engine sees the query, each such block is replaced by a ``VALUES`` block holding the
hits (the subject variable, and the variables given for ``search:score``, ``search:matched``,
``search:label``), in ranking order, so the rest of the query joins them like any other
solutions and ``ORDER BY DESC(?score)`` keeps the ranking. Inputs: ``search:query`` (required),
``search:lang``, ``search:type`` (repeatable), ``search:limit`` (default 100, at most 1,000),
``search:offset``. Nothing is fetched: the policy (:mod:`kg_service.query.policy`) lets only
this IRI through in a query, and what is left after the rewrite is checked again, so every
other ``SERVICE`` keeps the service's refusal policy.

>>> find_blocks('SELECT * { ?s ?p ?o }')
[]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg_service.errors import BadRequest, KGError, Overloaded
from kg_service.query.lexer import Token, block_end, tokens
from kg_service.query.policy import check_query
from kg_service.rdf.namespaces import SEARCH, SEARCH_SERVICE
from kg_service.search.index import Hit, SearchIndex
from kg_service.search.query import make_query
from kg_service.settings import Settings

__all__ = ["MARK", "SearchBlock", "find_blocks", "rewrite", "unavailable"]

#: Cheap test for the hot path: a query without this text has no search block.
MARK = SEARCH_SERVICE
_IRI = f"<{SEARCH_SERVICE}>"
_INPUTS = {"query", "lang", "type", "limit", "offset"}
_OUTPUTS = ("score", "matched", "label")
_SPARQL_LIMIT, _SPARQL_DEFAULT = 1000, 100
_XSD_DECIMAL = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


@dataclass
class SearchBlock:
    """One ``SERVICE <…/search> { … }`` of a query: where it is, what it asks, what it binds."""

    start: int
    end: int
    subject: str = ""
    inputs: dict[str, list[str]] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)  # "score" → "?s"


def unavailable() -> KGError:
    """The answer while the first index of a run is being built (a few seconds at most here)."""
    return Overloaded(
        "The full-text search index is being built; retry in a moment.",
        headers={"Retry-After": "2"},
    )


def rewrite(text: str, index: SearchIndex | None, settings: Settings) -> str:
    """``text`` with every search block replaced by the ``VALUES`` of its hits.

    ``index`` ``None``: the first index is still being built (a 503 that says so). What is left
    is checked by the query policy again: our block was the only ``SERVICE`` let through.
    """
    blocks = find_blocks(text)
    if not blocks:
        return text
    if index is None:
        raise unavailable()
    out, done = [], 0
    for block in blocks:
        out += [text[done : block.start], _values(block, index)]
        done = block.end
    out.append(text[done:])
    rewritten = "".join(out)
    check_query(rewritten, settings)
    return rewritten


def find_blocks(text: str) -> list[SearchBlock]:
    """The search blocks of ``text``, in order (a ``400`` for one that cannot be read)."""
    if MARK not in text:
        return []
    toks = list(tokens(text))
    prefixes = _prefixes(toks)
    blocks = []
    for i, token in enumerate(toks):
        if token.keyword == "SERVICE" and i + 2 < len(toks) and toks[i + 1].text == _IRI:
            if toks[i + 2].text != "{":
                raise BadRequest(f"SERVICE {_IRI} must be followed by a {{ … }} block.")
            try:
                close = block_end(toks, i + 2)
            except ValueError:
                raise BadRequest(f"The SERVICE {_IRI} block is not closed.") from None
            block = SearchBlock(token.start, toks[close].end)
            _read(block, toks[i + 3 : close], prefixes)
            blocks.append(block)
    return blocks


def _prefixes(toks: list[Token]) -> dict[str, str]:
    found = {}
    for i, token in enumerate(toks[:-2]):
        if token.keyword == "PREFIX" and toks[i + 2].kind == "iri":
            found[toks[i + 1].text.rstrip(":")] = toks[i + 2].text[1:-1]
    return found


def _read(block: SearchBlock, body: list[Token], prefixes: dict[str, str]) -> None:
    """Fill ``block`` from its triple patterns: one subject variable, our predicates only."""
    if not body or body[0].kind != "var":
        raise BadRequest(f"The SERVICE {_IRI} block starts with the variable of the hits.")
    block.subject = "?" + body[0].text[1:]
    for statement in _statements(body, block.subject):
        name = _predicate(statement[0], prefixes)
        for value in _objects(statement[1:], prefixes):
            if name in _OUTPUTS:
                if not value.startswith("?"):
                    raise BadRequest(f"search:{name} takes a variable, not {value[:40]!r}.")
                block.outputs[name] = value
            else:
                block.inputs.setdefault(name, []).append(value)
    if "query" not in block.inputs:
        raise BadRequest(f'The SERVICE {_IRI} block needs search:query "words".')


def _statements(body: list[Token], subject: str) -> list[list[Token]]:
    """The (predicate, objects…) parts of the block, split at ``;`` and at ``. ?subject``."""
    parts: list[list[Token]] = [[]]
    i = 1
    while i < len(body):
        token = body[i]
        if token.kind == "punct" and token.text in ";.":
            if token.text == "." and i + 1 < len(body):
                if body[i + 1].kind != "var" or "?" + body[i + 1].text[1:] != subject:
                    raise BadRequest(f"A SERVICE {_IRI} block describes one variable only.")
                i += 1
            parts.append([])
        else:
            parts[-1].append(token)
        i += 1
    found = [p for p in parts if p]
    if any(len(p) < 2 for p in found):
        raise BadRequest(f"In SERVICE {_IRI}, each predicate needs a value.")
    return found


def _objects(toks: list[Token], prefixes: dict[str, str]) -> list[str]:
    """The values of one predicate (``a, b``); a literal's language tag is ignored."""
    values, expecting = [], True
    for token in toks:
        if token.kind == "lang" and not expecting:
            continue
        if token.text == "," and not expecting:
            expecting = True
            continue
        if not expecting:
            raise BadRequest(f"In SERVICE {_IRI}, {token.text[:40]!r} was not expected.")
        values.append(_value(token, prefixes))
        expecting = False
    if expecting:
        raise BadRequest(f"In SERVICE {_IRI}, a value is missing after ','.")
    return values


def _predicate(token: Token, prefixes: dict[str, str]) -> str:
    iri = _iri(token, prefixes)
    name = iri[len(str(SEARCH)) :] if iri and iri.startswith(str(SEARCH)) else ""
    if name not in _INPUTS and name not in _OUTPUTS:
        raise BadRequest(
            f"In SERVICE {_IRI}, use the predicates search:"
            + ", search:".join(sorted(_INPUTS | set(_OUTPUTS)))
            + f" (search: = <{SEARCH}>), not {token.text[:60]!r}."
        )
    return name


def _iri(token: Token, prefixes: dict[str, str]) -> str | None:
    if token.kind == "iri":
        return token.text[1:-1]
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + local
        raise BadRequest(f"The prefix {prefix!r}: is not declared in the query.")
    return None


def _value(token: Token, prefixes: dict[str, str]) -> str:
    """A variable (``?x``), or the text of a string, number or IRI."""
    if token.kind == "var":
        return "?" + token.text[1:]
    if token.kind == "string":
        return _unquote(token.text)
    if token.kind == "number":
        return token.text
    iri = _iri(token, prefixes)
    if iri is not None:
        return iri
    raise BadRequest(f"In SERVICE {_IRI}, {token.text[:40]!r} is not a value search understands.")


def _unquote(literal: str) -> str:
    quote = 3 if literal[:3] in ('"""', "'''") else 1
    body = literal[quote:-quote]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body)


def _values(block: SearchBlock, index: SearchIndex) -> str:
    """The ``VALUES`` block of ``block``'s hits."""
    query = make_query(
        _one(block, "query"),
        lang=_one(block, "lang"),
        types=block.inputs.get("type", []),
        limit=_one(block, "limit") or _SPARQL_DEFAULT,
        offset=_one(block, "offset"),
        max_limit=_SPARQL_LIMIT,
    )
    hits = index.search(query).results
    names = [block.subject, *(block.outputs[o] for o in _OUTPUTS if o in block.outputs)]
    rows = [" ".join(_terms(hit, block)) for hit in hits]
    body = " ".join(f"({row})" for row in rows)
    return f"VALUES ({' '.join(names)}) {{ {body} }}"


def _terms(hit: Hit, block: SearchBlock) -> list[str]:
    terms = [str(ox.NamedNode(hit.id))]
    for name in _OUTPUTS:
        if name not in block.outputs:
            continue
        if name == "score":
            terms.append(str(ox.Literal(f"{hit.score:.3f}", datatype=_XSD_DECIMAL)))
        elif name == "matched":
            terms.append(str(ox.Literal(hit.matched, language=hit.lang or None)))
        else:
            terms.append(str(ox.Literal(hit.label)))
    return terms


def _one(block: SearchBlock, name: str) -> str | None:
    values = block.inputs.get(name, [])
    if len(values) > 1:
        raise BadRequest(f"Give search:{name} once in a SERVICE {_IRI} block.")
    if values and values[0].startswith("?"):
        raise BadRequest(f"search:{name} takes a value, not a variable.")
    return values[0] if values else None
