"""``GET /timeline``: the history of Benelux cooperation as a page, read from the graph at
request time: each milestone in its year, each agreement at its signature and its entry into
force, every item linking to its own page.

The page is an ordered list grouped by year (what a screen reader and a phone read), drawn as
a vertical line by CSS; the list is its own text alternative.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from fastapi import APIRouter, Request, Response

from kg_service.query.contract import Store, select
from kg_service.rdf.formats import HTML
from kg_service.rdf.namespaces import BKG, RDFS_LABEL
from kg_service.web import openapi
from kg_service.web.i18n import choose_language, t
from kg_service.web.pages import render
from kg_service.web.routes.linked_data import local_path

__all__ = ["Event", "router", "timeline_events"]

router = APIRouter(tags=["Pages"], default_response_class=Response)

#: What puts a thing on the timeline: a class, the year property, the kind of event it marks.
_EVENTS = (
    ("Milestone", "milestoneYear", "milestone"),
    ("Agreement", "signatureYear", "signed"),
    ("Agreement", "entryIntoForceYear", "in_force"),
)


@dataclass(frozen=True)
class Event:
    """One dated thing: its year, what happened (a word of the i18n table), its label, link."""

    year: int
    kind: str
    label: str
    href: str | None


def _query(lang: str) -> str:
    """The dated things, labelled in ``lang`` (one of LANGUAGES: safe in the query text)."""
    unions = " UNION ".join(
        f'{{ ?x a <{BKG[cls]}> ; <{BKG[prop]}> ?year BIND("{kind}" AS ?kind) }}'
        for cls, prop, kind in _EVENTS
    )
    return f"""SELECT DISTINCT ?x ?year ?kind ?label WHERE {{
  {unions}
  OPTIONAL {{ ?x <{RDFS_LABEL}> ?here FILTER(lang(?here) = "{lang}") }}
  OPTIONAL {{ ?x <{RDFS_LABEL}> ?en FILTER(lang(?en) = "en") }}
  BIND(COALESCE(?here, ?en, STR(?x)) AS ?label)
}}"""


async def timeline_events(store: Store, lang: str) -> list[Event]:
    """Every dated milestone and agreement, oldest first, labelled in ``lang``."""
    events = set()
    for row in await select(store, _query(lang)):
        year = row["year"]["value"][:4]
        if year.isdigit():
            iri = row["x"]["value"]
            events.add(
                Event(int(year), row["kind"]["value"], row["label"]["value"], local_path(iri))
            )
    order = {kind: i for i, (_, _, kind) in enumerate(_EVENTS)}
    return sorted(events, key=lambda e: (e.year, order[e.kind], e.label.lower()))


def by_year(events: list[Event]) -> list[tuple[int, list[Event]]]:
    """The events grouped under their year, in order."""
    years: dict[int, list[Event]] = defaultdict(list)
    for event in events:
        years[event.year].append(event)
    return sorted(years.items())


@router.api_route(
    "/timeline",
    methods=["GET", "HEAD"],
    operation_id="timeline",
    summary="The history: milestones and agreements with their years, from the graph",
    responses={
        "200": openapi.ok("The page.", openapi.content(HTML.media_type)),
        **openapi.errors(*openapi.STORE),
    },
    openapi_extra=openapi.inputs(openapi.LANG),
)
async def timeline(request: Request) -> Response:
    """The timeline page, in the page language."""
    lang = choose_language(request)
    events = await timeline_events(request.app.state.store, lang)
    return render(
        request,
        "timeline.html",
        years=by_year(events),
        total=len(events),
        kinds={kind: t(f"timeline_{kind}", lang) for _, _, kind in _EVENTS},
    )
