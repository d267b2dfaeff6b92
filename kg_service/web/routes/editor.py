"""What the query editor asks of us besides queries: a live syntax check and the terms it
completes.

- ``POST /editor/check`` (form ``query=``): does the query parse? ``{"valid": true}``, or
  ``{"valid": false, "message": …, "line": …, "column": …}`` with the sentence of
  :mod:`kg_service.query.syntax`, or ``{"valid": null}`` when it is not checked here (an
  update, an ASK: checking those would mean running them). The policy scan comes first (it
  refuses the nesting that overflows the parser's stack); the query is parsed on an empty
  store and never evaluated (pyoxigraph evaluates SELECT, CONSTRUCT and DESCRIBE lazily).
- ``GET /editor/terms.json?lang=``: the classes and properties to complete: the ontology's
  terms and every class and property the data uses (the VoID partitions), each with its label
  in the page's language and how often the data uses it. Resources are completed by label
  through the search API (``/search``), in the browser.
"""

from __future__ import annotations

import asyncio
import re

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from kg_service.errors import BadRequest
from kg_service.publish.void import VoidStatistics, void_statistics
from kg_service.query.contract import Store, select
from kg_service.query.lexer import tokens
from kg_service.query.policy import check_query
from kg_service.query.syntax import syntax_error
from kg_service.rdf.namespaces import ONTOLOGY_GRAPH, PREFIXES
from kg_service.settings import Settings
from kg_service.web import openapi
from kg_service.web.i18n import LANGUAGES, choose_language, pick_literal
from kg_service.web.routes.sparql import form_pairs, read_body

__all__ = ["router", "term_list"]

router = APIRouter(tags=["Pages"])

SYNTAX_CHECK = openapi.component(
    "SyntaxCheck",
    {
        "type": "object",
        "required": ["valid"],
        "properties": {
            "valid": {
                "type": ["boolean", "null"],
                "description": "null: not checked here (an update or an ASK would have to run)",
            },
            "message": {"type": "string", "description": "the mistake, in words"},
            "line": {"type": "integer", "minimum": 1},
            "column": {"type": "integer", "minimum": 1},
        },
        "additionalProperties": False,
    },
)
EDITOR_TERMS = openapi.component(
    "EditorTerms",
    {
        "type": "object",
        "required": ["lang", "terms"],
        "properties": {
            "lang": {"type": "string", "enum": list(LANGUAGES)},
            "terms": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["iri", "kind", "label", "uses"],
                    "properties": {
                        "iri": {"type": "string"},
                        "kind": {"type": "string", "enum": ["class", "property"]},
                        "label": {"type": "string"},
                        "uses": {"type": "integer", "minimum": 0},
                    },
                    "additionalProperties": False,
                },
            },
        },
        "additionalProperties": False,
    },
)

#: The first keywords of an update request (an update is never run to check it).
UPDATES = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)
_WHERE = re.compile(r"line (\d+)(?:, column (\d+))?")
#: An empty store to parse on: nothing to read, nothing to change.
_EMPTY = ox.Store()


@router.post(
    "/editor/check",
    operation_id="editor_check",
    summary="Does a query parse? (the editor's live check; nothing is evaluated)",
    responses={
        "200": openapi.ok(
            "Valid, or the mistake in words.", {"application/json": {"schema": SYNTAX_CHECK}}
        ),
        **openapi.errors(400, 413),
    },
    openapi_extra=openapi.inputs(
        body={
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": ["query"],
                        "properties": {"query": {"type": "string"}},
                    },
                    "examples": {"select": {"value": {"query": openapi.EXAMPLE_SELECT}}},
                }
            },
        }
    ),
)
async def check(request: Request) -> JSONResponse:
    """Does ``query`` parse? The sentence and its line and column when it does not."""
    settings: Settings = request.app.state.settings
    raw = await read_body(request, settings.max_body_bytes)
    pairs = form_pairs(raw, "form")
    text = next((value for name, value in pairs if name == "query"), None)
    if text is None:
        raise BadRequest("Send the query to check as the form field 'query'.")
    if _runs_to_check(text):
        return JSONResponse({"valid": None})
    try:
        check_query(text, settings)
        await asyncio.to_thread(_parse, text)
    except BadRequest as exc:
        return JSONResponse({"valid": False, "message": exc.message, **_place(exc.message)})
    return JSONResponse({"valid": True})


def _runs_to_check(text: str) -> bool:
    """True for an update or an ASK: pyoxigraph would evaluate them to parse them."""
    for token in tokens(text):
        if token.keyword in ("PREFIX", "BASE") or token.kind in ("pname", "iri"):
            continue  # the prologue
        return token.keyword in UPDATES or token.keyword == "ASK"
    return False


def _parse(text: str) -> None:
    try:
        _EMPTY.query(text)  # a lazy iterator: nothing is evaluated
    except SyntaxError as exc:
        raise syntax_error(str(exc), "query", text) from None


def _place(sentence: str) -> dict[str, int]:
    """The first line and column a sentence names (what the editor marks)."""
    match = _WHERE.search(sentence)
    if not match:
        return {}
    return {"line": int(match.group(1)), "column": int(match.group(2) or 1)}


# --- the terms to complete ------------------------------------------------------------------

_OWL, _RDFS, _RDF = PREFIXES["owl"], PREFIXES["rdfs"], PREFIXES["rdf"]
#: The ontology's terms by kind, and every label any graph gives them.
ONTOLOGY_TERMS = f"""SELECT ?term ?type ?label WHERE {{
  VALUES ?type {{ <{_OWL}Class> <{_RDFS}Class> <{_OWL}ObjectProperty> <{_OWL}DatatypeProperty>
                 <{_OWL}AnnotationProperty> <{_RDF}Property> }}
  GRAPH <{ONTOLOGY_GRAPH}> {{ ?term a ?type }}
  FILTER (isIRI(?term))
  OPTIONAL {{ ?term <{_RDFS}label> ?label }}
}}"""
_CLASS_TYPES = frozenset({_OWL + "Class", _RDFS + "Class"})


class _Label(str):
    """A label that remembers its language tag (what :func:`pick_literal` reads)."""

    language: str | None

    def __new__(cls, term: dict) -> _Label:
        obj = super().__new__(cls, term["value"])
        obj.language = term.get("xml:lang")
        return obj


async def ontology_terms(store: Store) -> dict[str, dict]:
    """The ontology's classes and properties: kind and labels (computed once per generation)."""
    found: dict[str, dict] = {}
    for row in await select(store, ONTOLOGY_TERMS):
        term = found.setdefault(row["term"]["value"], {"kind": "property", "labels": []})
        if row["type"]["value"] in _CLASS_TYPES:
            term["kind"] = "class"
        if "label" in row:
            term["labels"].append(_Label(row["label"]))
    return found


def term_list(ontology: dict[str, dict], stats: VoidStatistics, lang: str) -> list[dict]:
    """Every term to complete, most used first: its IRI, kind, label in ``lang``, uses."""
    terms: dict[str, dict] = {}
    for kind, counts in (("class", stats.classes), ("property", stats.properties)):
        for iri, uses in counts.items():
            terms[iri] = {"iri": iri, "kind": kind, "label": "", "uses": uses}
    for iri, known in ontology.items():
        term = terms.setdefault(iri, {"iri": iri, "kind": known["kind"], "uses": 0})
        term["label"] = pick_literal(known["labels"], lang) or ""
    return sorted(terms.values(), key=lambda t: (-t["uses"], t["iri"]))


@router.get(
    "/editor/terms.json",
    operation_id="editor_terms",
    summary="The classes and properties the editor completes (ontology and VoID partitions)",
    responses={
        "200": openapi.ok(
            "Most used first, labelled in the page's language.",
            {"application/json": {"schema": EDITOR_TERMS}},
        ),
        **openapi.errors(*openapi.STORE),
    },
    openapi_extra=openapi.inputs(openapi.LANG),
)
async def terms(request: Request) -> JSONResponse:
    """The classes and properties the editor completes, labelled in the page's language."""
    store: Store = request.app.state.store
    derived = request.app.state.derived
    # "void" is the key /.well-known/void keeps the same statistics under: computed once
    stats = await derived.get("void", lambda: void_statistics(store))
    ontology = await derived.get("editor-terms", lambda: ontology_terms(store))
    lang = choose_language(request)
    body = {"lang": lang, "terms": term_list(ontology, stats, lang)}
    return JSONResponse(body, headers={"Vary": "Accept-Language, Cookie"})
