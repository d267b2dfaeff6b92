"""Dereferenceable IRIs: ``/id/…`` and ``/def/…`` answer for people (HTML) and machines (RDF).

Direct content negotiation, no 303: the IRI itself answers ``200`` with the representation the
``Accept`` header asks for, says which one in ``Content-Location`` (``/id/x.ttl``, …) and lists
the others in ``Link: <…>; rel="alternate"``. Each representation also has its own URL (the
IRI path plus an extension, or ``?format=``), so a harvester that prefers 303-style document
URLs can fetch those directly. The RDF of a resource is a concise bounded description: its own
triples, the labels of what it links to, and the incoming links with their subjects' labels.
The same ``Link`` header carries FAIR Signposting: ``cite-as`` (the IRI), ``describedby`` (the
RDF forms), ``type`` (the resource's classes), ``license``.
"""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response

from kg_service.errors import NotFound
from kg_service.publish.signposting import link_header, resource_signposts
from kg_service.query.contract import QueryRequest, Store, ask, select
from kg_service.rdf.formats import GRAPH_FORMATS, HTML, Format
from kg_service.rdf.namespaces import BASE, INFERRED_GRAPH
from kg_service.rdf.negotiation import choose
from kg_service.web.i18n import choose_language, pick_literal
from kg_service.web.pages import render
from kg_service.web.routes.sparql import result_response

__all__ = ["Described", "checked_iri", "local_path", "router"]

router = APIRouter()

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
DCT_TITLE = "http://purl.org/dc/terms/title"
DCT_PART = "http://purl.org/dc/terms/isPartOf"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
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
    rows = await select(store, _page_query(iri))
    outgoing, incoming, _ = _group(rows, lang)
    own = [
        _term_lit(r["x"])
        for r in rows
        if r["dir"]["value"] == "out"
        and r["p"]["value"] == RDFS_LABEL
        and r["x"]["type"] == "literal"
    ]
    own = list({(str(v), v.language): v for v in own}.values())
    title = pick_literal(own, lang) or _short(iri)
    provenance = await _provenance(store, iri, lang)
    return {
        "iri": iri,
        "title": title,
        "all_labels": sorted(own, key=lambda v: v.language or ""),
        "outgoing": outgoing,
        "incoming": incoming,
        "provenance": provenance,
        "path": local_path(iri),
        "formats": GRAPH_FORMATS,
        "sparql": describe_query(iri),
    }


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


def _group(rows: list[dict], lang: str) -> tuple[list[Described], list[Described], dict]:
    """Outgoing and incoming properties with their values, and every label seen."""
    labels: dict[str, set] = defaultdict(set)
    seen: dict[tuple[str, str], dict[tuple, tuple[dict, bool]]] = {}
    for row in rows:
        d, p, x = row["dir"]["value"], row["p"]["value"], row["x"]
        if "pl" in row:
            labels[p].add(_term_lit(row["pl"]))
        if "xl" in row and x["type"] != "literal":
            labels[x["value"]].add(_term_lit(row["xl"]))
        key = (x["type"], x["value"], x.get("xml:lang"), x.get("datatype"))
        inferred = row["g"]["value"] == str(INFERRED_GRAPH)
        values = seen.setdefault((d, p), {})
        # a value is shown as inferred only if no asserted graph states it too
        values[key] = (x, (values[key][1] and inferred) if key in values else inferred)
    return _described("out", seen, labels, lang), _described("in", seen, labels, lang), labels


def _described(direction: str, triples: dict, labels: dict, lang: str) -> list[Described]:
    out = []
    for (d, p), values in triples.items():
        if d != direction:
            continue
        item = Described(p, pick_literal(list(labels.get(p, [])), lang) or _short(p))
        for x, inferred in values.values():  # type: ignore[union-attr]
            item.values.append(_value(x, inferred, labels, lang))
        item.values.sort(key=lambda v: (v["inferred"], v["text"]))
        out.append(item)
    return sorted(out, key=lambda d: (d.iri != RDF_TYPE, d.label.lower()))


def _value(x: dict, inferred: bool, labels: dict, lang: str) -> dict:
    if x["type"] == "literal":
        datatype = _short(x.get("datatype"))
        return {
            "text": x["value"],
            "lang": x.get("xml:lang"),
            "datatype": datatype,
            "href": None,
            "inferred": inferred,
        }
    iri = x["value"]
    text = pick_literal(list(labels.get(iri, [])), lang) or _short(iri)
    href = local_path(iri) or (iri if _linkable(x) else None)
    return {
        "text": text,
        "lang": None,
        "datatype": None,
        "href": href,
        "iri": iri,
        "inferred": inferred,
    }


def _linkable(term: dict) -> bool:
    """Only http(s) IRIs become links (never ``javascript:`` or ``data:``)."""
    return term["type"] == "uri" and term["value"].lower().startswith(("http://", "https://"))


def _short(iri: str | None) -> str:
    if not iri:
        return ""
    for sep in ("#", "/"):
        if sep in iri.rstrip("/"):
            return iri.rstrip("/").rsplit(sep, 1)[-1]
    return iri


async def _provenance(store: Store, iri: str, lang: str) -> list[dict]:
    rows = await select(
        store,
        f"""SELECT ?section ?title ?doc ?doctitle WHERE {{
  <{iri}> <{PROV_DERIVED}> ?section .
  OPTIONAL {{ ?section <{DCT_TITLE}> ?title }}
  OPTIONAL {{ ?section <{DCT_PART}> ?doc . OPTIONAL {{ ?doc <{DCT_TITLE}> ?doctitle }} }}
}} ORDER BY ?section""",
    )
    out: dict[str, dict] = {}
    for row in rows:
        section = row["section"]["value"]
        item = out.setdefault(
            section,
            {
                "href": local_path(section) or section,
                "title": "",
                "document": "",
                "document_href": None,
            },
        )
        if "title" in row:
            item["title"] = row["title"]["value"]
        if "doctitle" in row:
            item["document"] = row["doctitle"]["value"]
            item["document_href"] = local_path(row["doc"]["value"])
    return list(out.values())


@router.api_route("/id/{path:path}", methods=["GET", "HEAD"])
async def resource(request: Request, path: str) -> Response:
    """A resource of the graph (``https://w3id.org/benelux-kg/id/…``)."""
    return await dereference(request, "id/" + path)


@router.api_route("/def/{term}", methods=["GET", "HEAD"])
async def term(request: Request, term: str) -> Response:
    """An ontology term (``https://w3id.org/benelux-kg/def/{Term}``)."""
    return await dereference(request, "def/" + term)
