"""The OpenAPI document: the pieces the routes describe themselves with, and its wiring.

Every route states its operations on its own decorator, with FastAPI's means: ``summary=``,
``tags``, ``responses=`` (each status and media type it answers), ``openapi_extra=`` (the
parameters and bodies it reads itself: the routes take a bare ``Request``, because the SPARQL
protocol repeats parameters, reads raw bodies and negotiates formats, so FastAPI infers only
path parameters) and, for the writes, the ``HTTPBearer`` dependency of ``web/auth.py``. The
handlers' docstrings are the descriptions; ``response_class=Response`` (or the router's default)
keeps FastAPI from announcing a JSON body, and ``status_code=`` names a success other than 200.
This module holds what they share:

- building blocks: media-type maps (:func:`content`), responses (:func:`ok`, :func:`errors`,
  :func:`file_responses`), parameters (:data:`LANG`, :func:`format_param`, …), and the shared
  component schemas (:data:`SCHEMAS`; a route names one of its own with :func:`component`);
- the path items of what is no FastAPI route: a ``StaticFiles`` mount and this document;
- :func:`install`, which serves FastAPI's document with what FastAPI does per route, not per
  method: an operationId per method (``{operation_id}_{method}``), HEAD answered with headers
  only, and no ``422`` (no route declares a parameter FastAPI could reject); then the
  refinements a route module gives for what depends on the deployment (``ui.document_examples``).

Media types come from the modules that send them (``rdf/formats.py`` above all); nothing here
decides what a route does. Error bodies follow the Accept header (``web/app.py``): plain text,
``application/json`` (:data:`ERROR_BODY`) or an HTML page. A path or method that no route
serves gets Starlette's ``404``/``405``; those are not operations, so not listed.
"""

from __future__ import annotations

import copy
import mimetypes
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles
from starlette.routing import Mount

from kg_service.rdf.formats import HTML, Format
from kg_service.rdf.formats import JSON as JSON_FORMAT
from kg_service.settings import Settings
from kg_service.web.i18n import LANGUAGES

__all__ = [
    "CACHED",
    "CONDITIONAL",
    "DATASET",
    "ERROR_BODY",
    "EXAMPLE_SELECT",
    "LANG",
    "LANG_DESCRIPTION",
    "NEGOTIATED",
    "NOT_MODIFIED",
    "RANGED",
    "REPEATED",
    "STORE",
    "STRING",
    "STRINGS",
    "Refinement",
    "component",
    "content",
    "document",
    "enum",
    "errors",
    "file_responses",
    "format_param",
    "graphs_param",
    "header",
    "inputs",
    "install",
    "media",
    "ok",
    "query_param",
    "range_error",
    "ref",
]

#: Media types of error bodies and of Starlette's own answers.
TEXT = "text/plain"
JSON = JSON_FORMAT.media_type
BYTERANGES = "multipart/byteranges"
STRING = {"type": "string"}
#: A repeatable field or parameter: one string each time it is given.
STRINGS = {"type": "array", "items": STRING}
REPEATED = {"style": "form", "explode": True}
EXAMPLE_SELECT = "SELECT ?i WHERE { ?i a <https://w3id.org/benelux-kg/def/Institution> } LIMIT 5"

REF = "#/components/schemas/"
#: A schema a route names itself (:func:`component`); moved to ``components`` by :func:`document`.
COMPONENT = "x-component"
#: The JSON error body of every ``KGError`` (``kg_service.web.app._kg_error``).
ERROR_BODY = {
    "type": "object",
    "required": ["error", "status", "message"],
    "properties": {
        "error": {"type": "string", "description": "the kind of error, e.g. 'Bad Request'"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "message": {"type": "string", "description": "what went wrong, for a person"},
    },
    "additionalProperties": False,
}
RDF_TERM = {
    "type": "object",
    "required": ["type", "value"],
    "properties": {
        "type": {"enum": ["uri", "literal", "bnode", "triple"]},
        "value": {"type": ["string", "object"]},
        "xml:lang": {"type": "string"},
        "datatype": {"type": "string"},
    },
}
SPARQL_RESULTS = {
    "description": "SPARQL 1.1 Query Results JSON: solutions or a boolean.",
    "type": "object",
    "required": ["head"],
    "properties": {
        "head": {
            "type": "object",
            "properties": {
                "vars": {"type": "array", "items": STRING},
                "link": {"type": "array", "items": STRING},
            },
        },
        "results": {
            "type": "object",
            "required": ["bindings"],
            "properties": {
                "bindings": {
                    "type": "array",
                    "items": {"type": "object", "additionalProperties": {"$ref": REF + "RDFTerm"}},
                }
            },
        },
        "boolean": {"type": "boolean"},
    },
    "oneOf": [{"required": ["results"]}, {"required": ["boolean"]}],
}
#: The schemas more than one operation uses (by a media type, or as every error's body).
SCHEMAS: dict[str, dict[str, Any]] = {
    "ErrorBody": ERROR_BODY,
    "HTTPDetail": {
        "description": "Starlette's own error body (static files).",
        "type": "object",
        "required": ["detail"],
        "properties": {"detail": STRING},
    },
    "RDFTerm": RDF_TERM,
    "SparqlResults": SPARQL_RESULTS,
    "JsonLd": {"description": "A JSON-LD document.", "type": ["object", "array"]},
    "OpenAPI": {"type": "object", "required": ["openapi", "info", "paths"]},
}

# --- bodies and responses ---------------------------------------------------------------


def ref(name: str) -> dict[str, str]:
    """A reference to the component schema ``name``."""
    return {"$ref": REF + name}


def component(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """``schema``, listed as the component ``name`` and referred to where a route uses it."""
    return {COMPONENT: name, **schema}


#: The schema of a body in each JSON media type (anything else is text or bytes).
JSON_BODIES = {
    "application/sparql-results+json": ref("SparqlResults"),
    "application/ld+json": ref("JsonLd"),
    JSON: {"type": "object"},
}


def content(*media_types: str, schema: dict | None = None) -> dict[str, dict]:
    """A ``content`` map; JSON media types get their schema, the others a string."""
    bare = dict.fromkeys(m.split(";", 1)[0].strip() for m in media_types)
    return {m: {"schema": schema or JSON_BODIES.get(m, STRING)} for m in bare}


def media(formats: tuple[Format, ...]) -> tuple[str, ...]:
    """The media types of ``formats``."""
    return tuple(f.media_type for f in formats)


def header(description: str, required: bool = False) -> dict:
    """A response header object."""
    return {"description": description, "required": required, "schema": STRING}


def ok(description: str, body: dict[str, dict] | None = None, **headers: str | dict) -> dict:
    """A response; each header is a description (optional header) or a header object."""
    response: dict[str, Any] = {"description": description}
    if body:
        response["content"] = body
    if headers:
        response["headers"] = {
            name: h if isinstance(h, dict) else header(h) for name, h in headers.items()
        }
    return response


#: What an error looks like, by the Accept header of the request.
ERROR_CONTENT = {
    TEXT: {"schema": STRING},
    JSON: {"schema": ref("ErrorBody")},
    HTML.media_type: {"schema": STRING},
}
ERRORS = {
    400: "Bad request: a parameter, query, update or body the service cannot use.",
    401: "A write without the update token (Authorization: Bearer …).",
    403: "Writes are disabled: the service runs without an update token.",
    404: "Not found.",
    406: "Nothing the Accept header allows can be produced here.",
    413: "The request body is over the body cap (BENELUX_KG_MAX_BODY_BYTES).",
    415: "The request's Content-Type is not one this operation reads.",
    500: "The store failed or a worker process died (logged).",
    501: "This backend cannot do it: full-text search needs the oxigraph or rdflib backend.",
    502: "The remote store cannot be reached (remote backend).",
    503: "Over the concurrency cap or no worker free in time (Retry-After), past the time "
    "limit, or more memory needed than a worker may use.",
}


def error(status: int, description: str | None = None) -> dict:
    """The response of a ``KGError`` with ``status``: its body in each negotiable form."""
    response = {"description": description or ERRORS[status], "content": ERROR_CONTENT}
    if status == 401:
        response["headers"] = {"WWW-Authenticate": header('Bearer realm="benelux-kg"', True)}
    if status == 503:
        response["headers"] = {"Retry-After": header("seconds, when over the cap")}
    return response


def errors(*statuses: int) -> dict[str, dict]:
    """The responses of these error statuses (for a decorator's ``responses=``)."""
    return {str(s): error(s) for s in statuses}


#: What every route that reads the store may answer besides its own statuses.
STORE = (500, 502, 503)
NEGOTIATED = (400, 406)  # an unknown ?format= is 400, an Accept nothing fits is 406

NOT_MODIFIED = ok("The client's copy is current (If-None-Match / If-Modified-Since).")
CACHED = {"ETag": "the representation's strong validator", "Last-Modified": "when it changed"}


def file_responses(media_types: tuple[str, ...]) -> dict[str, dict]:
    """A file served by Starlette: whole, by byte range, or a Range it cannot satisfy."""
    ranged = {m: {} for m in content(*media_types, BYTERANGES)}  # a slice: no schema holds
    return {
        "200": ok("The file.", content(*media_types), **{"Accept-Ranges": "bytes"}),
        "206": ok("The requested byte range(s).", ranged, **{"Content-Range": "the range sent"}),
        "416": ok("The Range lies outside the file.", content(TEXT), **{"Content-Range": "size"}),
    }


def range_error() -> dict:
    """Starlette's answer to a malformed Range header."""
    return ok("A malformed Range header (Starlette's answer).", content(TEXT))


# --- parameters -------------------------------------------------------------------------


def inputs(*parameters: dict, body: dict | None = None) -> dict[str, Any]:
    """The ``openapi_extra`` of a route that reads these parameters (and body) itself."""
    extra: dict[str, Any] = {"parameters": list(parameters)} if parameters else {}
    if body:
        extra["requestBody"] = body
    return extra


def query_param(name: str, schema: dict, description: str, **extra: Any) -> dict:
    return {"name": name, "in": "query", "description": description, "schema": schema, **extra}


def header_param(name: str, description: str) -> dict:
    return {"name": name, "in": "header", "description": description, "schema": STRING}


def enum(values: Any, **extra: Any) -> dict:
    """A string schema allowing ``values`` (sorted, once each)."""
    return {"type": "string", "enum": sorted(set(values)), **extra}


def format_param(formats: tuple[Format, ...]) -> dict:
    """``?format=``: a name, extension or media type of one of ``formats``."""
    names = [name for f in formats for name in f.names]
    return query_param(
        "format",
        enum(names),
        "Overrides Accept: a format name, extension or media type. Unknown: 400.",
    )


def graphs_param(name: str, description: str) -> dict:
    """A query parameter that may be repeated, one IRI each."""
    return query_param(name, STRINGS, description, **REPEATED)


LANG_DESCRIPTION = (
    "Page language (then the 'lang' cookie, then Accept-Language); another value is ignored."
)
LANG = query_param("lang", enum(LANGUAGES), LANG_DESCRIPTION)
CONDITIONAL = (
    header_param("If-None-Match", "ETags the client has; 304 when one matches."),
    header_param("If-Modified-Since", "An HTTP date; 304 when nothing changed since."),
)
RANGED = (
    header_param("Range", "bytes=first-last (several ranges give multipart/byteranges)."),
    header_param("If-Range", "An ETag or date: the Range applies only if it still matches."),
)
DATASET = (
    graphs_param("default-graph-uri", "IRIs whose merge is the default graph of the query."),
    graphs_param("named-graph-uri", "IRIs of the named graphs the query may use."),
)

# --- what no FastAPI route describes ----------------------------------------------------


def _get_and_head(operation: dict) -> dict[str, dict]:
    return {"get": operation, "head": copy.deepcopy(operation)}


def _mounted_files(mount: Mount, files: StaticFiles) -> dict[str, dict]:
    """A ``StaticFiles`` mount: ``{mount}/{file}``, one of the files of its folder."""
    names = sorted(p.name for p in Path(str(files.directory)).iterdir() if p.is_file())
    types = tuple(mimetypes.guess_type(n)[0] or "application/octet-stream" for n in names)
    file = {"name": "file", "in": "path", "required": True, "schema": enum(names)}
    operation = {
        "tags": ["Pages"],
        "summary": "The site's own static files",
        "operationId": f"{mount.name}_file",
        "parameters": [file, *CONDITIONAL, *RANGED],
        "responses": {
            **file_responses(types),
            "304": NOT_MODIFIED,
            "400": range_error(),
            "404": ok("No such file.", {JSON: {"schema": ref("HTTPDetail")}}),
        },
    }
    return {mount.path + "/{file}": _get_and_head(operation)}


def _this_document(app: FastAPI) -> dict[str, dict]:
    """The document itself (FastAPI serves it; the route is not in its own schema)."""
    operation = {
        "tags": ["Operations"],
        "summary": "This document",
        "operationId": "openapi",
        "responses": {"200": ok("OpenAPI 3.1.", {JSON: {"schema": ref("OpenAPI")}})},
    }
    return {app.openapi_url: _get_and_head(operation)} if app.openapi_url else {}


def _unrouted(app: FastAPI) -> dict[str, dict]:
    paths = _this_document(app)
    for route in app.routes:
        if isinstance(route, Mount) and isinstance(route.app, StaticFiles):
            paths.update(_mounted_files(route, route.app))
    return paths


# --- the document -----------------------------------------------------------------------

#: A change to the document that depends on the deployment (not known when routes are made).
Refinement = Callable[[dict, Settings], None]


def _generated(app: FastAPI) -> dict:
    with warnings.catch_warnings():  # the methods of a route share its id; one each below
        warnings.filterwarnings("ignore", message="Duplicate Operation ID")
        return get_openapi(
            title=app.title,
            version=app.version,
            openapi_version=app.openapi_version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
        )


def _per_method(method: str, operation: dict) -> dict:
    """An operation as this method answers it: its own operationId; HEAD without bodies."""
    operation["operationId"] = f"{operation['operationId']}_{method}"
    responses = operation["responses"]
    responses.pop("422", None)  # every declared parameter is a str: FastAPI never rejects one
    if method == "head":
        operation["summary"] += " (headers only)"
        for response in responses.values():
            if "content" in response:
                response["content"] = {m: {} for m in response["content"]}
    operation["responses"] = dict(sorted(responses.items()))
    return operation


#: The order of a path's methods in the document. FastAPI keeps a route's methods in a set,
#: whose order changes from one process to the next (and test collection must not).
METHODS = ("get", "head", "post", "put", "patch", "delete", "options", "trace")


def _in_order(operations: dict[str, dict]) -> list[tuple[str, dict]]:
    return sorted(operations.items(), key=lambda item: METHODS.index(item[0]))


def _hoisted(node: Any, found: dict[str, dict]) -> Any:
    """``node`` with every :func:`component` schema replaced by a reference, kept in ``found``."""
    if isinstance(node, list):
        return [_hoisted(item, found) for item in node]
    if not isinstance(node, dict):
        return node
    if COMPONENT in node:
        name, schema = node[COMPONENT], {k: v for k, v in node.items() if k != COMPONENT}
        if found.setdefault(name, schema) != schema:
            raise ValueError(f"two different schemas are called {name!r}")
        return ref(name)
    return {key: _hoisted(value, found) for key, value in node.items()}


def _still_used(schemas: dict, paths: dict) -> dict:
    """FastAPI's schemas still referenced (its 422 bodies' are not, once those are gone)."""
    text = repr(paths)
    return {name: s for name, s in schemas.items() if f"{REF}{name}'" in text}


def document(app: FastAPI, refinements: tuple[Refinement, ...] = ()) -> dict:
    """The OpenAPI document: FastAPI's, with the unrouted paths, an operation per method."""
    schema = _generated(app)
    paths = {**schema.get("paths", {}), **_unrouted(app)}
    named: dict[str, dict] = {}
    schema["paths"] = {
        path: {m: _per_method(m, op) for m, op in _in_order(_hoisted(methods, named))}
        for path, methods in sorted(paths.items())
    }
    components = schema.setdefault("components", {})
    generated = _still_used(components.get("schemas", {}), schema["paths"])
    components["schemas"] = {**generated, **SCHEMAS, **named}
    for refine in refinements:
        refine(schema, app.state.settings)
    return schema


def install(app: FastAPI, *refinements: Refinement) -> None:
    """Serve :func:`document` (built once) as the app's OpenAPI document."""

    def openapi() -> dict:
        if not app.openapi_schema:
            app.openapi_schema = document(app, refinements)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
