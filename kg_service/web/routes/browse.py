"""``GET /browse/{class}``: the instances of a class, by label in the page language, a page at
a time.

``{class}`` is a name of our ontology (``Theme``), a prefixed name of the graph
(``skos:Concept``) or a full IRI; ``?page=`` (from 1) and ``?size=`` (default 50, at most 200)
choose the page. The list is read from the store with SPARQL at request time
(so it follows writes at once), inferred types included, sorted by the label shown (in the
reader's language, else English, French, Dutch, else any; accents folded, numbers in counting
order: slide 2 before slide 10) and then by IRI: a total order, so pages never overlap. Blank
nodes are not listed (they have no page to link to).
"""

from __future__ import annotations

import asyncio
import math
from typing import Annotated

from fastapi import APIRouter, Request, Response
from fastapi import Path as PathParam

from kg_service.errors import BadRequest, NotFound
from kg_service.query.contract import Store, select
from kg_service.rdf.formats import HTML
from kg_service.rdf.namespaces import BKG, RDFS_LABEL
from kg_service.search.index import pick_label
from kg_service.search.query import type_iri
from kg_service.web import openapi
from kg_service.web.i18n import LANGUAGES, choose_language
from kg_service.web.pages import render
from kg_service.web.routes.linked_data import local_path
from kg_service.web.routes.ui import COUNTED_CLASSES

__all__ = ["PAGE_SIZE", "browse_path", "router"]

router = APIRouter(tags=["Pages"], default_response_class=Response)

PAGE_SIZE = 50
MAX_SIZE = 200
DESCRIPTIONS = (
    "http://www.w3.org/2004/02/skos/core#definition",
    "http://purl.org/dc/terms/description",
)


def browse_path(class_iri: str) -> str:
    """The list page of a class: ``/browse/Theme`` for ours, ``/browse/<IRI>`` otherwise."""
    name = class_iri[len(str(BKG)) :] if class_iri.startswith(str(BKG)) else class_iri
    return "/browse/" + name


@router.api_route(
    "/browse/{name:path}",
    methods=["GET", "HEAD"],
    operation_id="browse",
    summary="The instances of a class, by label in the page language, a page at a time",
    responses={
        "200": openapi.ok("The page.", openapi.content(HTML.media_type)),
        **openapi.errors(400, 404, *openapi.STORE),
    },
    openapi_extra=openapi.inputs(
        openapi.query_param(
            "page", {"type": "integer", "minimum": 1}, "From 1 (past the end: 404)."
        ),
        openapi.query_param(
            "size", {"type": "integer", "minimum": 1, "maximum": MAX_SIZE}, "Default 50."
        ),
        openapi.LANG,
    ),
)
async def browse(
    request: Request,
    name: Annotated[
        str,
        PathParam(
            description="A class: a name of our ontology, a prefixed name or an IRI.",
            json_schema_extra={"enum": sorted({*COUNTED_CLASSES, "skos:Concept"})},
        ),
    ],
) -> Response:
    """One page of the instances of a class."""
    lang = choose_language(request)
    iri = type_iri(name)
    page, size = _number(request, "page", 1, 10**6), _number(request, "size", PAGE_SIZE, MAX_SIZE)
    store: Store = request.app.state.store
    total, about = await asyncio.gather(_count(store, iri), _about(store, iri, lang))
    if total == 0 and about["label"] is None:
        raise NotFound(f"<{iri}> is not a class of this graph, or has no instances.")
    pages = max(1, math.ceil(total / size))
    if page > pages:
        raise NotFound(f"There is no page {page}: the list has {pages}.")
    rows = await _instances(store, iri, lang, (page - 1) * size, size)
    context = {
        "iri": iri,
        "about": about,
        "total": total,
        "instances": rows,
        "first": (page - 1) * size + 1,
        "pager": _pager(request.url.path, page, pages, size),
        "definition": local_path(iri),
    }
    return render(request, "browse.html", **context)


def _number(request: Request, name: str, default: int, high: int) -> int:
    raw = request.query_params.get(name, str(default))
    if not raw.isdigit() or not 1 <= int(raw) <= high:
        raise BadRequest(f"{name} must be a whole number from 1 to {high}, not {raw[:20]!r}.")
    return int(raw)


def _pager(path: str, page: int, pages: int, size: int) -> dict:
    extra = f"&size={size}" if size != PAGE_SIZE else ""
    return {
        "number": page,
        "count": pages,
        "previous": f"{path}?page={page - 1}{extra}" if page > 1 else None,
        "next": f"{path}?page={page + 1}{extra}" if page < pages else None,
    }


async def _count(store: Store, iri: str) -> int:
    rows = await select(
        store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{iri}> FILTER(isIRI(?s)) }}"
    )
    return int(rows[0]["n"]["value"]) if rows else 0


def _label_choice(lang: str) -> tuple[str, str]:
    """The OPTIONAL patterns and the COALESCE of a label in ``lang``, then en, fr, nl, any."""
    order = [lang, *(code for code in ("en", "fr", "nl") if code != lang)]
    optionals = "\n".join(
        f'  OPTIONAL {{ ?s <{RDFS_LABEL}> ?l{i} FILTER(LANGMATCHES(LANG(?l{i}), "{code}")) }}'
        for i, code in enumerate(order)
    )
    optionals += f"\n  OPTIONAL {{ ?s <{RDFS_LABEL}> ?lx }}"
    choice = ", ".join(f"MIN(?l{i})" for i in range(len(order)))
    return optionals, f"COALESCE({choice}, MIN(?lx), STR(?s))"


# The sort key, made from the label one REPLACE at a time (SPARQL has no collation):
# - letters with accents sort with their base letter, as a reader of French or Dutch expects
#   ("Élargir" among the e's, not after "z");
# - numbers sort in counting order: each (up to four digits) is prefixed by "#" and its
#   length, so "slide 2" sorts before "slide 10" ("slide #12" < "slide #210"). Each length is
#   replaced twice: a match takes the separator after it, which the number next to it
#   ("2013-2016") needs before it.
_FOLDS = (("[àáâãäå]", "a"), ("[çć]", "c"), ("[èéêë]", "e"), ("[ìíîï]", "i"),
          ("[ñ]", "n"), ("[òóôõö]", "o"), ("[ùúûü]", "u"), ("[ýÿ]", "y"))  # fmt: skip
_NUMBERS = tuple(
    (f"(^|[^0-9])([0-9]{{{digits}}})([^0-9]|$)", f"$1#{digits}$2$3")
    for digits in (4, 4, 3, 3, 2, 2, 1, 1)
)


def _sort_key(label: str) -> tuple[str, str]:
    """BINDs that make the sort key of the variable ``label``, and the variable holding it.

    One BIND a step, never REPLACE within REPLACE: SPARQL parsers take time exponential in
    that nesting (pyoxigraph: ~0.2 s at 16 levels; 8 levels cost ~2 ms a page).
    """
    steps, variable = [f"BIND(STR({label}) AS ?text)", "BIND(LCASE(?text) AS ?key)"], "?key"
    for step, (pattern, replacement) in enumerate((*_FOLDS, *_NUMBERS)):
        source, variable = variable, f"?key{step}"
        steps.append(f'BIND(REPLACE({source}, "{pattern}", "{replacement}") AS {variable})')
    return "\n  ".join(steps), variable


async def _instances(store: Store, iri: str, lang: str, offset: int, size: int) -> list[dict]:
    """One page of instances: link, label and the label's language."""
    optionals, choice = _label_choice(lang if lang in LANGUAGES else "en")
    keyed, key = _sort_key("?label")
    rows = await select(
        store,
        f"""SELECT ?s ?label WHERE {{
  {{ SELECT ?s ({choice} AS ?label) WHERE {{
      {{ SELECT DISTINCT ?s WHERE {{ ?s a <{iri}> FILTER(isIRI(?s)) }} }}
{optionals}
    }} GROUP BY ?s }}
  {keyed}
}} ORDER BY {key} ?s LIMIT {size} OFFSET {offset}""",
    )
    return [
        {
            "iri": row["s"]["value"],
            "href": local_path(row["s"]["value"]) or row["s"]["value"],
            "label": row["label"]["value"],
            "lang": row["label"].get("xml:lang"),
        }
        for row in rows
    ]


async def _about(store: Store, iri: str, lang: str) -> dict:
    """The class's label and definition in ``lang`` (or the nearest), ``None`` if it has none."""
    props = " ".join(f"<{p}>" for p in (RDFS_LABEL, *DESCRIPTIONS))
    rows = await select(
        store, f"SELECT DISTINCT ?p ?o WHERE {{ VALUES ?p {{ {props} }} <{iri}> ?p ?o }}"
    )
    found: dict[str, list[dict]] = {}
    for row in rows:
        found.setdefault(row["p"]["value"], []).append(row["o"])
    label = _pick(found.get(RDFS_LABEL, []), lang)
    description = _pick([t for p in DESCRIPTIONS for t in found.get(p, [])], lang)
    return {
        "label": label and label[:1].upper() + label[1:],
        "description": description,
    }


def _pick(terms: list[dict], lang: str) -> str | None:
    """The value in ``lang`` (then en, fr, nl, untagged), the same one every time."""
    ordered = sorted(terms, key=lambda t: t["value"])
    return pick_label([(t.get("xml:lang", ""), t["value"]) for t in ordered], lang)
