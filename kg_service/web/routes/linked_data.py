"""Dereferenceable IRIs: ``/id/…``, ``/def/…`` and the named graphs' ``/graph/…`` answer for
people (HTML) and machines (RDF).

Direct content negotiation, no 303: the IRI itself answers ``200`` with the representation the
``Accept`` header asks for, says which one in ``Content-Location`` (``/id/x.ttl``, …) and lists
the others in ``Link: <…>; rel="alternate"``. Each representation also has its own URL (the
IRI path plus an extension, or ``?format=``), so a harvester that prefers 303-style document
URLs can fetch those directly. The RDF of a resource is a concise bounded description: its own
triples, the labels of what it links to, and the incoming links with their subjects' labels.

The HTML page shows, after each statement, where it comes from: the slide, section or external
source whose named graph holds it ("slide 12", linked to that slide's page), or the
interpretation that explains it (:mod:`kg_service.web.provenance`). The page of a slide (or of
an external source) also shows its text verbatim and every statement the graph takes from it.

The same ``Link`` header carries FAIR Signposting: ``cite-as`` (the IRI), ``describedby`` (the
RDF forms), ``type`` (the resource's classes), ``license``.
"""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response
from fastapi import Path as PathParam

from kg_service.errors import NotFound
from kg_service.publish.signposting import link_header, resource_signposts
from kg_service.query.contract import QueryRequest, Store, ask, select
from kg_service.rdf.formats import GRAPH_FORMATS, HTML, Format
from kg_service.rdf.namespaces import BASE, GRAPH, INFERRED_GRAPH, PROV_DERIVED, RDFS_LABEL
from kg_service.rdf.negotiation import choose
from kg_service.web import openapi
from kg_service.web.i18n import (
    choose_language,
    class_label,
    datatype_label,
    pick_literal,
    property_label,
    t,
)
from kg_service.web.pages import render
from kg_service.web.provenance import (
    SourceRef,
    Sources,
    load_sources,
    property_name,
    readings_of,
    repeats_a_heading,
    short_name,
    source_statements,
)
from kg_service.web.routes.sparql import result_response
from kg_service.web.routes.ui import COUNTED_CLASSES, ENTRY_POINTS

__all__ = ["Described", "checked_iri", "local_path", "router"]

router = APIRouter(tags=["Linked data"], default_response_class=Response)

SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
SCHEMA_TEXT = "https://schema.org/text"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
#: What can stand under the title as the resource's description, best first.
DESCRIPTIONS = (
    "http://www.w3.org/2004/02/skos/core#definition",
    "http://purl.org/dc/terms/description",
    "https://schema.org/description",
    "http://www.w3.org/2000/01/rdf-schema#comment",
)
#: Properties that repeat the labels shown under the title when their values are the same.
LABEL_LIKE = frozenset(
    {
        SKOS_PREF,
        "http://xmlns.com/foaf/0.1/name",
        "https://schema.org/name",
        "http://purl.org/dc/terms/title",
    }
)
#: Outside datasets a "Same as" link names, by the start of their IRIs.
EXTERNAL_SITES = (
    ("http://www.wikidata.org/entity/", "Wikidata"),
    ("https://www.wikidata.org/wiki/", "Wikidata"),
    ("http://dbpedia.org/resource/", "DBpedia"),
    ("https://d-nb.info/gnd/", "GND"),
    ("http://sws.geonames.org/", "GeoNames"),
    ("https://sws.geonames.org/", "GeoNames"),
    ("http://viaf.org/viaf/", "VIAF"),
)
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: The classes whose page also shows the source's text and what the graph takes from it.
SOURCE_CLASSES = frozenset(
    f"https://w3id.org/benelux-kg/def/{c}" for c in ("DocumentSection", "Slide", "ExternalSource")
)
_EXTENSIONS = {f.extension: f for f in (*GRAPH_FORMATS, HTML)}


def local_path(iri: str) -> str | None:
    """The path on this site that dereferences ``iri``, if it is one of ours."""
    return "/" + iri[len(BASE) :] if iri.startswith(BASE) else None


def _split_extension(path: str) -> tuple[str, Format | None]:
    stem, dot, ext = path.rpartition(".")
    if dot and "/" not in ext and ext in _EXTENSIONS:
        return stem, _EXTENSIONS[ext]
    return path, None


def describe_query(iri: str) -> str:
    """The CONSTRUCT of a resource's concise bounded description, with labels."""
    return f"""CONSTRUCT {{ <{iri}> ?p ?o . ?o <{RDFS_LABEL}> ?ol . ?s ?q <{iri}> .
  ?s <{RDFS_LABEL}> ?sl . }}
WHERE {{ {{ <{iri}> ?p ?o OPTIONAL {{ ?o <{RDFS_LABEL}> ?ol }} }}
  UNION {{ ?s ?q <{iri}> OPTIONAL {{ ?s <{RDFS_LABEL}> ?sl }} }} }}"""


_UNSAFE = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def checked_iri(iri: str) -> str:
    """``iri`` if it is a well-formed IRI safe to write between ``<…>`` in SPARQL; else 404.

    Paths become IRIs inside our own internal queries, which skip the query policy, so a
    path must never be able to close the ``<…>`` and add SPARQL of its own.
    """
    if _UNSAFE.search(iri):
        raise NotFound(f"{iri[:200]!r} is not an IRI of this knowledge graph.")
    try:
        return ox.NamedNode(iri).value
    except ValueError:
        raise NotFound(f"{iri[:200]!r} is not an IRI of this knowledge graph.") from None


async def _exists(store: Store, iri: str) -> bool:
    return await ask(store, f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} }}")


async def _types(store: Store, iri: str) -> list[str]:
    rows = await select(store, f"SELECT DISTINCT ?t WHERE {{ <{iri}> a ?t FILTER(isIRI(?t)) }}")
    return [row["t"]["value"] for row in rows]


async def dereference(request: Request, path: str) -> Response:
    """Answer a request for one of our IRIs by content negotiation."""
    stem, by_extension = _split_extension(path)
    iri = checked_iri(BASE + stem.lstrip("/"))
    offers = (*GRAPH_FORMATS, HTML)
    override = request.query_params.get("format")
    fmt = by_extension or choose(request.headers.get("accept"), offers, override)
    store: Store = request.app.state.store
    exists, types = await asyncio.gather(_exists(store, iri), _types(store, iri))
    if not exists:
        raise NotFound(f"<{iri}> is not described in this knowledge graph.")
    headers = _link_headers(iri, "/" + stem.lstrip("/"), fmt, types)
    if fmt is HTML:
        response = render(request, "resource.html", **(await page_context(store, iri, request)))
    else:
        result = await store.query(QueryRequest(describe_query(iri), format=fmt.name))
        response = result_response(result)
    response.headers.update(headers)
    return response


def _link_headers(iri: str, path: str, chosen: Format, types: list[str]) -> dict[str, str]:
    links = [
        f'<{path}.{f.extension}>; rel="alternate"; type="{f.media_type}"'
        for f in (*GRAPH_FORMATS, HTML)
        if f is not chosen
    ]
    links.append(link_header(resource_signposts(iri, path, types)))
    return {
        "Link": ", ".join(links),
        "Content-Location": f"{path}.{chosen.extension}",
        "Vary": "Accept, Accept-Language, Cookie",
    }


@dataclass
class Described:
    """One property of a resource, ready for a page: its label and its values."""

    iri: str
    label: str
    values: list[dict] = field(default_factory=list)


async def page_context(store: Store, iri: str, request: Request) -> dict:
    """What the resource page shows, in the language the request asks for."""
    lang = choose_language(request)
    rows, sources = await asyncio.gather(
        select(store, _page_query(iri)),
        request.app.state.derived.get("statement-sources", lambda: load_sources(store)),
    )
    outgoing, incoming, _ = _group(rows, lang, _Provenance(iri, sources, lang))
    own = list({(str(v), v.language): v for v in _own(rows, RDFS_LABEL)}.values())
    title = pick_literal(own, lang) or short_name(iri)
    types = {str(v) for v in _own(rows, RDF_TYPE)}
    texts = _own(rows, SCHEMA_TEXT)
    # the text of a source is shown as such, not as one more property value; sameAs on its
    # own line; rows that only repeat the labels above go
    same_as, provenance = _same_as(outgoing), _summary(outgoing)
    outgoing = _readable(outgoing, own, provenance)
    incoming = [_incoming(prop, lang) for prop in incoming]
    return {
        "iri": iri,
        "title": title,
        "all_labels": sorted(own, key=lambda v: v.language or ""),
        "lead": _lead(rows, provenance, lang),
        "outgoing": outgoing,
        "incoming": [prop for prop in incoming if prop.values],
        "same_as": same_as,
        "provenance": provenance,
        "is_slide": "https://w3id.org/benelux-kg/def/Slide" in types,
        "source_text": texts[0] if texts else None,
        "taken": await source_statements(store, iri, lang) if types & SOURCE_CLASSES else None,
        "readings": await readings_of(store, iri, lang) if types & SOURCE_CLASSES else [],
        "path": local_path(iri),
        "formats": GRAPH_FORMATS,
        "sparql": describe_query(iri),
        # a named graph's page links to the triples it holds (Graph Store Protocol)
        "graph_store": f"/store?{urlencode({'graph': iri})}" if iri.startswith(GRAPH) else None,
    }


def _same_as(outgoing: list[Described]) -> list[dict]:
    """The resource's owl:sameAs links, each named by its site ("Wikidata Q13116")."""
    links = []
    for prop in outgoing:
        if prop.iri == OWL_SAME_AS:
            for value in prop.values:
                if value.get("iri") and _linkable({"type": "uri", "value": value["iri"]}):
                    links.append({**value, "text": external_name(value["iri"])})
    return sorted(links, key=lambda v: v["text"])


def external_name(iri: str) -> str:
    """An outside IRI as a reader names it: the site, then the id.

    >>> external_name("http://www.wikidata.org/entity/Q13116")
    'Wikidata Q13116'
    """
    for start, site in EXTERNAL_SITES:
        if iri.startswith(start):
            return f"{site} {iri[len(start) :]}"
    host = iri.split("/")[2] if iri.count("/") >= 2 else iri
    return f"{host.removeprefix('www.')} {short_name(iri)}"


def _lead(rows: list[dict], provenance: list[SourceRef], lang: str) -> str | None:
    """The description shown under the title, or None when the only one is a source's title
    (a slide's heading copied as a "description" tells a reader nothing)."""
    titles = [f"{ref.text} {ref.title}" for ref in provenance]
    for predicate in DESCRIPTIONS:
        text = pick_literal(_own(rows, predicate), lang)
        if text and not repeats_a_heading(text, titles):
            return text
    return None


def _readable(
    outgoing: list[Described], labels: list[_Lit], provenance: list[SourceRef]
) -> list[Described]:
    """The property rows a reader needs: no sameAs (it has its own line), no source text,
    no row that repeats the labels or the Provenance section, no inferred copies of values
    under an outside id."""
    said = {(str(v), v.language) for v in labels}
    cited = {ref.href for ref in provenance}
    rows = []
    for prop in outgoing:
        if prop.iri in (OWL_SAME_AS, SCHEMA_TEXT):
            continue
        if prop.iri == PROV_DERIVED and all(v["href"] in cited for v in prop.values):
            continue
        texts = {(v["text"], v["lang"]) for v in prop.values}
        if prop.iri in LABEL_LIKE and texts <= said:
            continue
        prop = _without_copies(prop)
        if prop.values:
            rows.append(prop)
    return rows


def _incoming(prop: Described, lang: str) -> Described:
    """An incoming group as a reader reads it: anonymous nodes left out (a list cell of a
    class expression leads nowhere), and "type" pointing here called "instances"."""
    prop = _without_copies(prop)
    prop.values = [
        v
        for v in prop.values
        if v.get("iri") is not None
        or v["lang"] is not None
        or v["href"] is not None
        or v["datatype"] is not None
    ]
    if prop.iri == RDF_TYPE:
        prop.label = t("instances", lang)
    return prop


def _without_copies(prop: Described) -> Described:
    """``prop`` without the inferred values that are an outside IRI with no label (the
    owl:sameAs copies of values the page already shows by name), and sorted by number."""
    copies = prop.iri != RDF_TYPE  # a type without a label is still shown, in words
    kept = [v for v in prop.values if not (copies and v["inferred"] and v.get("bare"))]
    kept.sort(key=lambda v: (v["inferred"], _natural(v["text"])))
    return Described(prop.iri, prop.label, kept)


def _natural(text: str) -> tuple:
    """A sort key that puts "slide 2" before "slide 10"."""
    return tuple(int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", text))


def _own(rows: list[dict], predicate: str) -> list[_Lit]:
    """The values of the resource's own statements with ``predicate`` (literals keep their tag)."""
    return [
        _term_lit(r["x"])
        for r in rows
        if r["dir"]["value"] == "out" and r["p"]["value"] == predicate
    ]


def _page_query(iri: str) -> str:
    return f"""SELECT ?dir ?p ?x ?g ?pl ?xl WHERE {{
  {{ BIND("out" AS ?dir) GRAPH ?g {{ <{iri}> ?p ?x }} }}
  UNION {{ BIND("in" AS ?dir) GRAPH ?g {{ ?x ?p <{iri}> }} }}
  OPTIONAL {{ ?p <{RDFS_LABEL}> ?pl }}
  OPTIONAL {{ ?x <{RDFS_LABEL}> ?xl }}
}}"""


class _Lit(str):
    """A literal string that remembers its language (for pick_literal)."""

    language: str | None

    def __new__(cls, value: str, language: str | None) -> _Lit:
        obj = super().__new__(cls, value)
        obj.language = language
        return obj


def _term_lit(term: dict) -> _Lit:
    return _Lit(term["value"], term.get("xml:lang"))


@dataclass
class _Provenance:
    """Where the statements of one page come from (their graphs' slides or sources)."""

    iri: str
    sources: Sources
    lang: str

    def refs(self, direction: str, p: str, x: dict, graph: str) -> list[SourceRef]:
        triple = (self.iri, p, x["value"]) if direction == "out" else (x["value"], p, self.iri)
        return self.sources.refs(graph, triple, self.lang)


def _group(
    rows: list[dict], lang: str, provenance: _Provenance | None = None
) -> tuple[list[Described], list[Described], dict]:
    """Outgoing and incoming properties with their values (each with the sources of its
    statement), and every label seen."""
    # keyed by text and language: a set of _Lit (str) would keep one of "Terrorisme"@fr and
    # "Terrorisme"@nl, and a Dutch page would then fall back to "Terrorism"@en
    labels: dict[str, dict[tuple[str, str | None], _Lit]] = defaultdict(dict)
    seen: dict[tuple[str, str], dict[tuple, tuple[dict, bool, list]]] = {}
    for row in rows:
        d, p, x = row["dir"]["value"], row["p"]["value"], row["x"]
        for named, label in ((p, row.get("pl")), (x["value"], row.get("xl"))):
            if label and (named == p or x["type"] != "literal"):
                labels[named][label["value"], label.get("xml:lang")] = _term_lit(label)
        key = (x["type"], x["value"], x.get("xml:lang"), x.get("datatype"))
        graph = row["g"]["value"]
        inferred = graph == str(INFERRED_GRAPH)
        values = seen.setdefault((d, p), {})
        _, was_inferred, refs = values.get(key, (x, True, []))
        if provenance and not inferred:
            refs += [r for r in provenance.refs(d, p, x, graph) if r not in refs]
        # a value is shown as inferred only if no asserted graph states it too
        values[key] = (x, was_inferred and inferred, refs)
    found = {iri: list(texts.values()) for iri, texts in labels.items()}
    return _described("out", seen, found, lang), _described("in", seen, found, lang), found


def _described(direction: str, triples: dict, labels: dict, lang: str) -> list[Described]:
    out = []
    for (d, p), values in triples.items():
        if d != direction:
            continue
        item = Described(p, property_name(p, labels, lang))
        for x, inferred, refs in values.values():  # type: ignore[union-attr]
            value = _value(x, inferred, labels, lang)
            value["sources"] = sorted(refs, key=lambda r: r.order)
            item.values.append(value)
        item.values.sort(key=lambda v: (v["inferred"], v["text"]))
        out.append(item)
    return sorted(out, key=lambda d: (d.iri != RDF_TYPE, d.label.lower()))


def _value(x: dict, inferred: bool, labels: dict, lang: str) -> dict:
    if x["type"] == "literal":
        datatype = datatype_label(x.get("datatype"), lang) or short_name(x.get("datatype"))
        return {
            "text": x["value"],
            "lang": x.get("xml:lang"),
            "datatype": datatype,
            "href": None,
            "inferred": inferred,
        }
    iri = x["value"]
    if x["type"] == "bnode":  # never a hex id: a reader cannot use it
        return {
            "text": t("anonymous", lang),
            "lang": None,
            "datatype": None,
            "href": None,
            "iri": None,
            "inferred": inferred,
            "bare": False,
        }
    label = (
        pick_literal(list(labels.get(iri, [])), lang)
        or class_label(iri, lang)
        or property_label(iri, lang)
    )
    href = local_path(iri) or (iri if _linkable(x) else None)
    return {
        "bare": label is None and local_path(iri) is None,
        "text": label or _words(short_name(iri)),
        "lang": None,
        "datatype": None,
        "href": href,
        "iri": iri,
        "inferred": inferred,
    }


def _words(name: str) -> str:
    """A CamelCase local name in words ("FormalOrganization" → "Formal organization")."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)
    return spaced[:1] + spaced[1:].lower() if spaced != name else name


def _linkable(term: dict) -> bool:
    """Only http(s) IRIs become links (never ``javascript:`` or ``data:``)."""
    return term["type"] == "uri" and term["value"].lower().startswith(("http://", "https://"))


def _summary(outgoing: list[Described]) -> list[SourceRef]:
    """Every slide, section, source or interpretation that states something about the page's
    resource, once each, slides first in their order."""
    found: dict[tuple, SourceRef] = {}
    for prop in outgoing:
        for value in prop.values:
            for ref in value["sources"]:
                found.setdefault((ref.text, ref.href), ref)
    return sorted(found.values(), key=lambda r: r.order)


#: What a dereferenced IRI answers (:func:`dereference`), and the parameters it reads.
DEREFERENCED = {
    "200": openapi.ok(
        "The representation Accept, format= or the path's extension asks for.",
        openapi.content(*openapi.media((*GRAPH_FORMATS, HTML))),
        Vary="Accept, Accept-Language, Cookie",
        **{
            "Content-Location": "the URL of the representation sent",
            "Link": "the other representations (alternate) and FAIR Signposting: cite-as (the "
            "IRI), describedby (its RDF forms), type (its classes), license",
        },
    ),
    **openapi.errors(*openapi.NEGOTIATED, 404, *openapi.STORE),
}
NEGOTIATION = openapi.inputs(openapi.format_param((*GRAPH_FORMATS, HTML)), openapi.LANG)


@router.api_route(
    "/id/{path:path}",
    methods=["GET", "HEAD"],
    operation_id="resource",
    summary="A resource of the graph",
    responses=DEREFERENCED,
    openapi_extra=NEGOTIATION,
)
async def resource(
    request: Request,
    path: Annotated[
        str,
        PathParam(
            description="kind/slug, optionally with an extension (.ttl .nt .jsonld .rdf .html).",
            examples=[*ENTRY_POINTS, ENTRY_POINTS[0] + ".ttl"],
        ),
    ],
) -> Response:
    """A resource of the graph (``https://w3id.org/benelux-kg/id/…``)."""
    return await dereference(request, "id/" + path)


@router.api_route(
    "/def/{term}",
    methods=["GET", "HEAD"],
    operation_id="term",
    summary="An ontology term",
    responses=DEREFERENCED,
    openapi_extra=NEGOTIATION,
)
async def term(
    request: Request,
    term: Annotated[
        str,
        PathParam(
            description="An ontology term, optionally with an extension.",
            examples=[*COUNTED_CLASSES, "Institution.jsonld"],
        ),
    ],
) -> Response:
    """An ontology term (``https://w3id.org/benelux-kg/def/{Term}``)."""
    return await dereference(request, "def/" + term)


@router.api_route(
    "/graph/{path:path}",
    methods=["GET", "HEAD"],
    operation_id="graph_description",
    summary="A named graph of the knowledge graph, described",
    responses=DEREFERENCED,
    openapi_extra=NEGOTIATION,
)
async def graph_description(
    request: Request,
    path: Annotated[
        str,
        PathParam(
            description="The graph's name (section/…, external/…), optionally with an extension.",
            examples=["section/benelux-cooperation-deck-12", "external/uia-benelux-profile"],
        ),
    ],
) -> Response:
    """What the graph ``https://w3id.org/benelux-kg/graph/…`` holds and where it comes from
    (its label, ``prov:wasDerivedFrom``, ``dcterms:source``), as pages link to it from a
    document's ``source``; its triples themselves are at ``/store?graph=…``."""
    return await dereference(request, "graph/" + path)
