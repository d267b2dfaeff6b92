"""``/reconcile``: the W3C Reconciliation Service API 0.2, the version OpenRefine 3.3+ speaks.

* ``GET /reconcile`` with no ``queries`` nor ``extend``: the manifest (the service's name in
  the page language, our IRI spaces, default types, the preview, suggest and extension URLs).
* ``queries`` (``POST`` form field, the MUST form, or ``GET ?queries=``): a batch of queries;
  the candidates come from the full-text index (:mod:`kg_service.search.reconcile` scores them).
* ``extend`` (``POST`` form field or ``GET``): property values of reconciled entities, typed as
  the spec says (``{id, name}``, ``{str}``, ``{date}``, ``{int}``, ``{float}``).
* ``/reconcile/suggest/{entity,type,property}``, ``/reconcile/propose_properties`` and
  ``/reconcile/preview`` (an HTML card for OpenRefine's iframe).

Entities are named by their path below ``https://w3id.org/benelux-kg/id/`` (the manifest's
``identifierSpace``), so ``view.url`` leads to their page here; classes and properties by their
name in our ontology (``Institution``), else a prefixed name or an IRI. CORS comes from the app's
middleware, as on every route; a JSONP ``callback`` must be a plain identifier (else ``400``).
"""

from __future__ import annotations

import asyncio
import html
import json
import re
from collections.abc import AsyncIterator, Iterable
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.formparsers import MultiPartException, MultiPartParser

from kg_service.errors import BadRequest, NotFound, UnsupportedMediaType
from kg_service.query.contract import select
from kg_service.rdf.namespaces import BKG, ID, PREFIXES
from kg_service.search.analysis import words
from kg_service.search.index import Hit, SearchIndex, pick_label
from kg_service.search.query import make_query, type_iri
from kg_service.search.reconcile import (
    BATCH_SIZE,
    Candidate,
    ReconQuery,
    candidates,
    is_match,
    parse_queries,
    rank,
)
from kg_service.web import openapi
from kg_service.web.i18n import choose_language, t
from kg_service.web.routes.search import current_index
from kg_service.web.routes.sparql import form_pairs, read_body
from kg_service.web.routes.ui import COUNTED_CLASSES

__all__ = ["router"]

router = APIRouter(tags=["Reconciliation"], default_response_class=Response)

_OWL, _RDFS, _RDF = PREFIXES["owl"], PREFIXES["rdfs"], PREFIXES["rdf"]
_XSD = PREFIXES["xsd"]
_CLASSES = (_OWL + "Class", _RDFS + "Class")
_PROPERTIES = (_OWL + "ObjectProperty", _OWL + "DatatypeProperty", _RDF + "Property")
_DESCRIPTIONS = ("dcterms:description", "skos:definition", "rdfs:comment")
#: A JSONP callback: a plain identifier, nothing a page could be made to run.
_CALLBACK = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]{0,63}")
#: Characters no IRI of ours holds (they would break the SPARQL the ids go into).
_NOT_IN_IRI = re.compile(r'[\s<>"{}|\\^`]')
#: Candidates asked of the index per query, before the ones that are not entities are dropped.
_FETCHED = 100
_INT = {"integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger", "gYear"}
_FLOAT = {"decimal", "double", "float"}
_JS = "application/javascript"

JSON_BODY = {openapi.JSON: {"schema": {"type": "object"}}, _JS: {"schema": openapi.STRING}}
CALLBACK = openapi.query_param(
    "callback",
    {"type": "string", "pattern": "^[A-Za-z_$][A-Za-z0-9_$]*$"},
    "JSONP: the reply wrapped in a call to this function (a plain identifier, else 400).",
)
QUERIES = openapi.query_param(
    "queries",
    openapi.STRING,
    'A batch, JSON: {"q0": {"query": "…", "type": "Institution", "limit": 3}}. Not JSON, or '
    f"a malformed query: 400; over {BATCH_SIZE} queries: 413.",
)
EXTEND = openapi.query_param(
    "extend",
    openapi.STRING,
    'JSON: {"ids": ["institution/benelux-parliament"], "properties": [{"id": "…"}]}. '
    "Not JSON, an unknown id or property: 400.",
)
FORM = {
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "properties": {"queries": openapi.STRING, "extend": openapi.STRING},
            }
        }
    }
}


# --- helpers ---------------------------------------------------------------------------------


#: Names, types and descriptions are in the reader's language (``choose_language``): a cache
#: must keep one answer per language.
VARY = {"Vary": "Accept-Language, Cookie"}


def _reply(request: Request, body: Any) -> Response:
    """``body`` as JSON, or wrapped in the JSONP ``callback`` the request names."""
    callback = request.query_params.get("callback")
    if callback is None:
        return JSONResponse(body, headers=VARY)
    if not _CALLBACK.fullmatch(callback):
        raise BadRequest("callback must be a plain identifier (letters, digits, _ and $).")
    text = json.dumps(body, ensure_ascii=False)
    return Response(f"/**/{callback}({text});", media_type=_JS, headers=VARY)


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def compact(iri: str) -> str:
    """The id of a class or property: its name in our ontology, a prefixed name, or the IRI."""
    if iri.startswith(str(BKG)):
        return iri[len(str(BKG)) :]
    for prefix, space in PREFIXES.items():
        if iri.startswith(space) and iri[len(space) :].isidentifier():
            return f"{prefix}:{iri[len(space) :]}"
    return iri


def entity_id(iri: str) -> str:
    return iri[len(str(ID)) :]


def entity_iri(value: str) -> str:
    """An entity's IRI from its id (its path below our id space, or the IRI); else 400."""
    value = value.strip()
    iri = value if value.startswith(str(ID)) else str(ID) + value
    if not value or value.startswith(("http://", "https://")) and iri != value:
        raise BadRequest(f"{value[:80]!r} is not an entity of this service.")
    if _NOT_IN_IRI.search(iri):
        raise BadRequest(f"{value[:80]!r} is not an entity id.")
    return iri


def _values(iris: Iterable[str]) -> str:
    return " ".join(f"<{iri}>" for iri in iris)


def _prefixes() -> str:
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


async def _descriptions(request: Request, iris: list[str], lang: str) -> dict[str, str]:
    """A description of each of ``iris`` that has one, in ``lang`` if it can."""
    if not iris:
        return {}
    rows = await select(
        request.app.state.store,
        _prefixes() + f"SELECT ?s ?d WHERE {{ VALUES ?s {{ {_values(iris)} }} "
        f"GRAPH ?g {{ ?s {'|'.join(_DESCRIPTIONS)} ?d }} }}",
    )
    found: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        found.setdefault(row["s"]["value"], []).append(
            (row["d"].get("xml:lang", ""), row["d"]["value"])
        )
    return {iri: pick_label(texts, lang) or "" for iri, texts in found.items()}


async def _existing(request: Request, iris: list[str], position: str) -> set[str]:
    """Those of ``iris`` used as subjects (``?x ?p ?o``) or predicates (``?s ?x ?o``)."""
    pattern = "?x ?p ?o" if position == "subject" else "?s ?x ?o"
    rows = await select(
        request.app.state.store,
        f"SELECT DISTINCT ?x WHERE {{ VALUES ?x {{ {_values(iris)} }} GRAPH ?g {{ {pattern} }} }}",
    )
    return {row["x"]["value"] for row in rows}


def _type_list(index: SearchIndex, iris: list[str], lang: str) -> list[dict]:
    names = index.labels_for(iris, lang)
    return [{"id": compact(i), "name": names.get(i, compact(i))} for i in iris]


# --- the manifest ----------------------------------------------------------------------------


def manifest(request: Request, index: SearchIndex) -> dict:
    """The service manifest, in the page language."""
    base, lang = _base(request), choose_language(request)
    classes = [str(BKG[name]) for name in COUNTED_CLASSES]
    return {
        "versions": ["0.2"],
        "name": t("reconcile_name", lang),
        "identifierSpace": str(ID),
        "schemaSpace": str(BKG),
        "documentation": base + "/openapi.json",
        "view": {"url": base + "/id/{{id}}"},
        "preview": {"url": base + "/reconcile/preview?id={{id}}", "width": 400, "height": 160},
        "defaultTypes": _type_list(index, classes, lang),
        "suggest": {
            kind: {"service_url": base, "service_path": f"/reconcile/suggest/{kind}"}
            for kind in ("entity", "type", "property")
        },
        "extend": {
            "propose_properties": {
                "service_url": base,
                "service_path": "/reconcile/propose_properties",
            }
        },
        "batchSize": BATCH_SIZE,
    }


# --- reconciliation --------------------------------------------------------------------------


async def _property_values(
    request: Request, queries: Iterable[ReconQuery], found: dict[str, list[Candidate]]
) -> dict[str, dict[str, list[str]]]:
    """Per candidate and property asked, its values: literals' text, resources' IRI and labels."""
    pids = sorted({pid for q in queries for pid, _ in q.properties})
    iris = sorted({c.hit.id for cs in found.values() for c in cs})
    if not pids or not iris:
        return {}
    rows = await select(
        request.app.state.store,
        f"""SELECT ?s ?p ?o ?label WHERE {{
  VALUES ?s {{ {_values(iris)} }} VALUES ?p {{ {_values(pids)} }}
  GRAPH ?g {{ ?s ?p ?o }}
  OPTIONAL {{ GRAPH ?h {{ ?o <{_RDFS}label> ?label }} }}
}}""",
    )
    values: dict[str, dict[str, list[str]]] = {}
    for row in rows:
        texts = values.setdefault(row["s"]["value"], {}).setdefault(row["p"]["value"], [])
        texts.append(row["o"]["value"])
        if "label" in row:
            texts.append(row["label"]["value"])
    return values


def _result(candidate: Candidate, ranked: list[Candidate], index: SearchIndex, lang: str) -> dict:
    hit: Hit = candidate.hit
    return {
        "id": entity_id(hit.id),
        "name": index.labels_for([hit.id], lang).get(hit.id, hit.label),
        "score": candidate.score,
        "match": is_match(candidate, ranked),
        "type": _type_list(index, candidate.types, lang),
    }


async def reconcile(request: Request, raw: str) -> dict:
    """The reply to a batch: ``{"q0": {"result": [...]}, ...}``, best first."""
    index, lang = current_index(request), choose_language(request)
    queries = parse_queries(raw)
    _known_types(index, queries.values())
    found = {}
    for key, query in queries.items():
        found[key] = await asyncio.to_thread(candidates, index, query, str(ID))
    values = await _property_values(request, queries.values(), found)
    reply = {}
    for key, query in queries.items():
        ranked = rank(query, found[key], values)
        results = [_result(c, ranked, index, lang) for c in ranked]
        descriptions = await _descriptions(request, [c.hit.id for c in ranked], lang)
        for result, candidate in zip(results, ranked, strict=True):
            if descriptions.get(candidate.hit.id):
                result["description"] = descriptions[candidate.hit.id]
        reply[key] = {"result": results}
    return reply


def _known_types(index: SearchIndex, queries: Iterable[ReconQuery]) -> None:
    """A type no class of ours has: 400 (a typo would otherwise silently find nothing)."""
    asked = sorted({t for q in queries for t in q.types})
    known = index.labels_for(asked, None)
    unknown = [compact(t) for t in asked if t not in known]
    if unknown:
        raise BadRequest(f"Unknown type: {', '.join(unknown)[:200]} (see suggest/type).")


# --- data extension --------------------------------------------------------------------------


def _parse_extend(raw: str) -> tuple[list[str], list[str]]:
    """The entity and property IRIs of an ``extend`` request, or a 400."""
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise BadRequest(f"extend is not JSON: {exc}.") from None
    ids, props = (body.get("ids"), body.get("properties")) if isinstance(body, dict) else (0, 0)
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise BadRequest('extend must be {"ids": ["…"], "properties": [{"id": "…"}]}.')
    if not isinstance(props, list) or not all(isinstance(p, dict) and "id" in p for p in props):
        raise BadRequest('extend must be {"ids": ["…"], "properties": [{"id": "…"}]}.')
    if len(ids) > BATCH_SIZE * 4:
        raise BadRequest(f"extend asks for {len(ids)} ids; at most {BATCH_SIZE * 4}.")
    return [entity_iri(i) for i in ids], [type_iri(str(p["id"])) for p in props]


def _typed(term: dict, names: dict[str, str]) -> dict:
    """A SPARQL JSON term as a value of the spec: an entity, a number, a date or a string."""
    value = term["value"]
    if term["type"] == "uri":
        if value.startswith(str(ID)):
            return {"id": entity_id(value), "name": names.get(value, entity_id(value))}
        return {"str": value}
    kind = term.get("datatype", "").removeprefix(_XSD)
    if kind in _INT and re.fullmatch(r"[+-]?\d+", value):
        return {"int": int(value)}
    if kind in _FLOAT and re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", value):
        return {"float": float(value)}
    if kind == "date" and re.fullmatch(r"-?\d{4,}-\d\d-\d\d", value):
        return {"date": value + "T00:00:00Z"}
    if kind == "dateTime" and re.fullmatch(r"-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?", value):
        return {"date": value + "Z"}
    return {"str": value}


def _in_language(terms: list[dict], lang: str) -> list[dict]:
    """Literals in the reader's language when some are, so a label is not given thrice."""
    tagged = [t for t in terms if t.get("xml:lang")]
    mine = [t for t in tagged if t["xml:lang"].split("-")[0] == lang]
    if not tagged or not mine:
        return terms
    return [t for t in terms if not t.get("xml:lang") or t in mine]


async def extend(request: Request, raw: str) -> dict:
    """``{meta, rows}``: each property's values for each entity."""
    index, lang = current_index(request), choose_language(request)
    ids, props = _parse_extend(raw)
    await _check_known(request, ids, props)
    rows = await select(
        request.app.state.store,
        f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?s {{ {_values(ids)} }} "
        f"VALUES ?p {{ {_values(props)} }} GRAPH ?g {{ ?s ?p ?o }} }}",
    )
    objects = [r["o"]["value"] for r in rows if r["o"]["type"] == "uri"]
    names = index.labels_for(sorted(set(objects)), lang)
    terms: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        terms.setdefault((row["s"]["value"], row["p"]["value"]), []).append(row["o"])
    table = {
        entity_id(s): {
            compact(p): [_typed(o, names) for o in _in_language(terms.get((s, p), []), lang)]
            for p in props
        }
        for s in ids
    }
    prop_names = index.labels_for(props, lang)
    meta = [{"id": compact(p), "name": prop_names.get(p, compact(p))} for p in props]
    return {"meta": meta, "rows": table}


async def _check_known(request: Request, ids: list[str], props: list[str]) -> None:
    if ids:
        unknown = sorted(set(ids) - await _existing(request, ids, "subject"))
        if unknown:
            raise BadRequest(f"Unknown id: {', '.join(map(entity_id, unknown))[:200]}.")
    if props:
        unknown = sorted(set(props) - await _existing(request, props, "predicate"))
        if unknown:
            raise BadRequest(f"Unknown property: {', '.join(map(compact, unknown))[:200]}.")


# --- the routes ------------------------------------------------------------------------------


#: What a POST may send its fields as (the Reconciliation API 0.2 sends a form).
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


async def _field(request: Request, name: str) -> str | None:
    """A field of the query string or, on POST, of the form (a JSON body is a 415, never
    read as no field at all, which would answer the manifest)."""
    if name in request.query_params:
        return request.query_params[name]
    if request.method == "POST":
        media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media and media not in _FORMS:
            raise UnsupportedMediaType(
                f"Content-Type {media[:80]!r} is not a form: send 'queries' or 'extend' as a "
                "form field (application/x-www-form-urlencoded), as the Reconciliation API 0.2 "
                "does."
            )
        value = (await _form(request, media)).get(name)
        return value if isinstance(value, str) else None
    return None


async def _form(request: Request, media: str) -> dict[str, Any]:
    """The POST's form fields, read once per request within the body cap (413 past it)."""
    found = getattr(request.state, "reconcile_form", None)
    if found is None:
        body = await read_body(request, request.app.state.settings.max_body_bytes)
        if media == "multipart/form-data":
            parser = MultiPartParser(request.headers, _once(body), max_files=0, max_fields=16)
            try:
                found = dict((await parser.parse()).multi_items())
            except MultiPartException as exc:
                raise BadRequest(
                    f"The multipart form does not parse: {exc.message} Send 'queries' or "
                    "'extend' as text fields."
                ) from None
        else:
            found = dict(form_pairs(body, "form body"))  # the last of a repeated name, as before
        request.state.reconcile_form = found
    return found


async def _once(body: bytes) -> AsyncIterator[bytes]:
    yield body


@router.api_route(
    "/reconcile",
    methods=["GET", "HEAD", "POST"],
    operation_id="reconcile",
    summary="Reconciliation (W3C Reconciliation Service API 0.2): manifest, queries, extension",
    responses={
        "200": openapi.ok(
            "The manifest (no queries nor extend), a batch of results, or the data extension "
            "{meta, rows}; JSONP with a callback.",
            JSON_BODY,
        ),
        **openapi.errors(400, 413, 415, 501, *openapi.STORE),
    },
    openapi_extra=openapi.inputs(QUERIES, EXTEND, CALLBACK, body=FORM),
)
async def reconcile_endpoint(request: Request) -> Response:
    """The manifest, a reconciliation batch, or a data extension, by the fields given."""
    queries = await _field(request, "queries")
    if queries is not None:
        return _reply(request, await reconcile(request, queries))
    extension = await _field(request, "extend")
    if extension is not None:
        return _reply(request, await extend(request, extension))
    return _reply(request, manifest(request, current_index(request)))


PREFIX = openapi.query_param("prefix", openapi.STRING, "What the person typed so far.")
CURSOR = openapi.query_param("cursor", {"type": "integer", "minimum": 0}, "Results to skip.")
SUGGESTED = openapi.ok("Suggestions: {result: [{id, name, …}]}; JSONP with a callback.", JSON_BODY)


def _suggested(index: SearchIndex, prefix: str, types: tuple[str, ...], cursor: str) -> list[Hit]:
    if not words(prefix):
        return []
    try:
        offset = max(0, int(cursor or 0))
    except ValueError:
        raise BadRequest("cursor must be a whole number.") from None
    query = make_query(prefix, types=types, limit=_FETCHED, offset=min(offset, 10_000))
    return index.search(query).results


async def _suggest(request: Request, types: tuple[str, ...], space: str) -> list[Hit]:
    params = request.query_params
    prefix, cursor = params.get("prefix", ""), params.get("cursor", "")
    hits = await asyncio.to_thread(_suggested, current_index(request), prefix, types, cursor)
    return [h for h in hits if h.id.startswith(space)][:10]


@router.get(
    "/reconcile/suggest/entity",
    operation_id="reconcileSuggestEntity",
    summary="Suggest entities by the start of their name (fr/nl/en)",
    responses={"200": SUGGESTED, **openapi.errors(400, 501, *openapi.STORE)},
    openapi_extra=openapi.inputs(PREFIX, CURSOR, CALLBACK),
)
async def suggest_entity(request: Request) -> Response:
    """Entities whose names start with ``prefix``."""
    index, lang = current_index(request), choose_language(request)
    hits = await _suggest(request, (), str(ID))
    result = [
        {
            "id": entity_id(h.id),
            "name": index.labels_for([h.id], lang).get(h.id, h.label),
            "notable": _type_list(index, h.types, lang),
        }
        for h in hits
    ]
    return _reply(request, {"result": result})


@router.get(
    "/reconcile/suggest/type",
    operation_id="reconcileSuggestType",
    summary="Suggest classes by the start of their name (fr/nl/en)",
    responses={"200": SUGGESTED, **openapi.errors(400, 501, *openapi.STORE)},
    openapi_extra=openapi.inputs(PREFIX, CURSOR, CALLBACK),
)
async def suggest_type(request: Request) -> Response:
    """Classes whose names start with ``prefix``."""
    return _reply(request, {"result": await _terms(request, _CLASSES)})


@router.get(
    "/reconcile/suggest/property",
    operation_id="reconcileSuggestProperty",
    summary="Suggest properties by the start of their name (fr/nl/en)",
    responses={"200": SUGGESTED, **openapi.errors(400, 501, *openapi.STORE)},
    openapi_extra=openapi.inputs(PREFIX, CURSOR, CALLBACK),
)
async def suggest_property(request: Request) -> Response:
    """Properties whose names start with ``prefix``."""
    return _reply(request, {"result": await _terms(request, _PROPERTIES)})


async def _terms(request: Request, kinds: tuple[str, ...]) -> list[dict]:
    index, lang = current_index(request), choose_language(request)
    hits = await _suggest(request, kinds, "")
    names = index.labels_for([h.id for h in hits], lang)
    return [{"id": compact(h.id), "name": names.get(h.id, h.label)} for h in hits]


@router.get(
    "/reconcile/propose_properties",
    operation_id="reconcileProposeProperties",
    summary="The properties the instances of a class have, to fetch with extend",
    responses={
        "200": openapi.ok("{type, properties: [{id, name}]}; JSONP with a callback.", JSON_BODY),
        **openapi.errors(400, 501, *openapi.STORE),
    },
    openapi_extra=openapi.inputs(
        openapi.query_param("type", openapi.STRING, "A class (Institution). Unknown: 400."),
        openapi.query_param("limit", {"type": "integer", "minimum": 1}, "Default 50."),
        CALLBACK,
    ),
)
async def propose_properties(request: Request) -> Response:
    """The properties used by instances of ``type``, by name."""
    index, lang = current_index(request), choose_language(request)
    type_ = type_iri(request.query_params.get("type") or "")
    if type_ not in index.labels_for([type_], None):
        raise BadRequest(f"Unknown type: {compact(type_)[:80]} (see suggest/type).")
    limit = _whole(request.query_params.get("limit"), 50)
    rows = await select(
        request.app.state.store,
        f"SELECT DISTINCT ?p WHERE {{ GRAPH ?g {{ ?s a <{type_}> }} GRAPH ?h {{ ?s ?p ?o }} "
        f"FILTER (?p != <{_RDF}type>) }}",
    )
    props = sorted(r["p"]["value"] for r in rows)
    names = index.labels_for(props, lang)
    proposed = [{"id": compact(p), "name": names.get(p, compact(p))} for p in props]
    proposed.sort(key=lambda p: p["name"].casefold())
    body = {"type": compact(type_), "limit": limit, "properties": proposed[:limit]}
    return _reply(request, body)


def _whole(raw: str | None, default: int) -> int:
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise BadRequest("limit must be a positive whole number.")
    return int(raw)


@router.get(
    "/reconcile/preview",
    operation_id="reconcilePreview",
    summary="An HTML card of an entity, for OpenRefine's preview iframe",
    responses={
        "200": openapi.ok("A small HTML page.", openapi.content("text/html")),
        **openapi.errors(400, 404, 501, *openapi.STORE),
    },
    openapi_extra=openapi.inputs(
        openapi.query_param("id", openapi.STRING, "An entity id (institution/…). Unknown: 404."),
        openapi.LANG,
    ),
)
async def preview(request: Request) -> Response:
    """Name, types and description of one entity, linked to its page."""
    index, lang = current_index(request), choose_language(request)
    iri = entity_iri(request.query_params.get("id") or "")
    if not await _existing(request, [iri], "subject"):
        raise NotFound(f"No entity {entity_id(iri)[:80]!r} here.")
    name = index.labels_for([iri], lang).get(iri, entity_id(iri))
    rows = await select(
        request.app.state.store, f"SELECT DISTINCT ?c WHERE {{ GRAPH ?g {{ <{iri}> a ?c }} }}"
    )
    types = _type_list(
        index, sorted(r["c"]["value"] for r in rows if r["c"]["value"].startswith(str(BKG))), lang
    )
    description = (await _descriptions(request, [iri], lang)).get(iri, "")
    return HTMLResponse(
        _card(f"{_base(request)}/id/{entity_id(iri)}", name, types, description, lang),
        headers=VARY,
    )


def _card(href: str, name: str, types: list[dict], description: str, lang: str) -> str:
    kinds = ", ".join(html.escape(t["name"]) for t in types)
    return (
        f'<!doctype html><html lang="{lang}"><meta charset="utf-8">'
        f"<title>{html.escape(name)}</title>"
        '<body style="font:14px sans-serif;margin:8px">'
        f'<p><a href="{html.escape(href)}" target="_blank"><strong>{html.escape(name)}</strong></a>'
        f"<br><small>{kinds}</small></p><p>{html.escape(description[:400])}</p></body></html>"
    )
