"""``GET /organisation``: the organisation of Benelux cooperation drawn from the graph at
request time: the Benelux Union and its institutions, the Senningen action plan and its axes,
the Senningen working groups top-down as on the deck's chart; every box links to its page.

Each part is a tree of nested lists (what a screen reader and a phone read), drawn as boxes
joined by lines by CSS: the lists are their own text alternative, and no script is needed.
A tree is read from one SELECT of (child, parent, position, note) rows, so a part the data
grows (a sixth institution, another plan) appears without a change here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from fastapi import APIRouter, Request, Response

from kg_service.query.contract import Store, select
from kg_service.rdf.formats import HTML
from kg_service.rdf.namespaces import BKG, ID, RDFS_LABEL
from kg_service.search.index import pick_label
from kg_service.web import openapi
from kg_service.web.i18n import choose_language
from kg_service.web.pages import render
from kg_service.web.routes.linked_data import local_path

__all__ = ["Node", "Part", "organisation_parts", "router"]

router = APIRouter(tags=["Pages"], default_response_class=Response)

_SUB_ORGANIZATION_OF = "http://www.w3.org/ns/org#subOrganizationOf"

#: Each part of the page: its heading (a word of the i18n table) and the pattern that binds
#: ?x, its ?parent (unbound at a root), and optionally its ?position and a ?note (an IRI whose
#: label is shown beside the box, e.g. an axis's role).
_PARTS = (
    (
        "organisation_institutions",
        f"""{{ [] <{BKG.institutionOf}> ?x }}
  UNION {{ ?x a <{BKG.Institution}> ; <{BKG.institutionOf}> ?parent }}""",
    ),
    (
        "organisation_axes",
        f"""{{ ?x a <{BKG.ActionPlan}> ; <{BKG.axis}> [] }}
  UNION {{ ?parent <{BKG.axis}> ?x . ?x a <{BKG.ActionPlanAxis}>
           OPTIONAL {{ ?x <{BKG.axisRole}> ?note }} }}""",
    ),
    (
        "organisation_groups",
        f"""?x a <{BKG.WorkingGroup}>
  OPTIONAL {{ ?x <{_SUB_ORGANIZATION_OF}> ?parent . ?parent a <{BKG.WorkingGroup}> }}""",
    ),
)


@dataclass(frozen=True)
class Node:
    """One box: its label in the page language, its link, a note, the boxes under it."""

    iri: str
    label: str
    href: str | None
    note: str | None = None
    children: tuple[Node, ...] = ()


@dataclass(frozen=True)
class Part:
    """One drawn part of the page: its heading word and its trees (usually one root)."""

    key: str
    roots: tuple[Node, ...]


@dataclass(frozen=True)
class _Row:
    iri: str
    parent: str | None
    position: float
    note: str | None


def _query(pattern: str) -> str:
    """The rows of ``pattern`` between our own resources: the inference's owl:sameAs copies
    (the Union's statements about its Wikidata IRI) would draw the Union twice."""
    return f"""SELECT DISTINCT ?x ?parent ?position ?note WHERE {{
  {pattern}
  FILTER(STRSTARTS(STR(?x), "{ID}") && (!BOUND(?parent) || STRSTARTS(STR(?parent), "{ID}")))
  OPTIONAL {{ ?x <{BKG.position}> ?position }}
}}"""


def _value(row: dict, name: str) -> str | None:
    return row[name]["value"] if name in row else None


def _position(row: dict) -> float:
    """The box's place among its siblings; unnumbered ones go last (then by label)."""
    try:
        return float(row["position"]["value"])
    except (KeyError, ValueError):
        return float("inf")


async def _rows(store: Store, pattern: str) -> list[_Row]:
    return [
        _Row(r["x"]["value"], _value(r, "parent"), _position(r), _value(r, "note"))
        for r in await select(store, _query(pattern))
    ]


async def _labels(store: Store, iris: set[str], lang: str) -> dict[str, str]:
    """The label of each IRI in ``lang`` (else en, fr, nl, any), by the search's rule."""
    if not iris:
        return {}
    values = " ".join(f"<{iri}>" for iri in sorted(iris))
    rows = await select(
        store, f"SELECT DISTINCT ?x ?l WHERE {{ VALUES ?x {{ {values} }} ?x <{RDFS_LABEL}> ?l }}"
    )
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: r["l"]["value"]):  # the same pick every time
        found[row["x"]["value"]].append((row["l"].get("xml:lang", ""), row["l"]["value"]))
    return {iri: pick_label(texts, lang) or iri for iri, texts in found.items()}


def _tree(rows: list[_Row], labels: dict[str, str]) -> tuple[Node, ...]:
    """The rows as trees: a root is a row without a parent among the rows."""
    known = {row.iri for row in rows}
    under: dict[str | None, list[_Row]] = defaultdict(list)
    for row in rows:
        under[row.parent if row.parent in known else None].append(row)
    return _grow(under, labels, None, frozenset())


def _grow(
    under: dict[str | None, list[_Row]],
    labels: dict[str, str],
    parent: str | None,
    above: frozenset[str],
) -> tuple[Node, ...]:
    """The boxes under ``parent``, in order; ``above`` stops a cycle in the data."""
    ordered = sorted(
        {r.iri: r for r in under.get(parent, [])}.values(),
        key=lambda r: (r.position, labels.get(r.iri, r.iri).lower()),
    )
    return tuple(
        Node(
            r.iri,
            labels.get(r.iri, r.iri),
            local_path(r.iri),
            labels.get(r.note) if r.note else None,
            _grow(under, labels, r.iri, above | {r.iri}),
        )
        for r in ordered
        if r.iri not in above
    )


async def organisation_parts(store: Store, lang: str) -> list[Part]:
    """The institutions, the action plan's axes and the working groups, labelled in ``lang``."""
    parts = []
    for key, pattern in _PARTS:
        rows = await _rows(store, pattern)
        iris = {row.iri for row in rows} | {row.note for row in rows if row.note}
        parts.append(Part(key, _tree(rows, await _labels(store, iris, lang))))
    return parts


@router.api_route(
    "/organisation",
    methods=["GET", "HEAD"],
    operation_id="organisation",
    summary="The organisation: the Union's institutions, the Senningen plan and groups, drawn",
    responses={
        "200": openapi.ok("The page.", openapi.content(HTML.media_type)),
        **openapi.errors(*openapi.STORE),
    },
    openapi_extra=openapi.inputs(openapi.LANG),
)
async def organisation(request: Request) -> Response:
    """The organisation page, in the page language."""
    lang = choose_language(request)
    return render(
        request, "organisation.html", parts=await organisation_parts(request.app.state.store, lang)
    )
