"""The OpenAPI document of the service, made honest: FastAPI's schema corrected from a table.

The routes take a bare ``Request`` and read their parameters and bodies themselves (the SPARQL
protocol repeats parameters, reads raw bodies and negotiates formats), so FastAPI's generated
document lists no parameters or bodies, a bare ``200``, a ``422`` the service never answers,
and one operationId shared by every method of a route. :func:`install` replaces
``app.openapi`` with :func:`document`: the generated schema (its descriptions come from the
handlers' docstrings) corrected from :func:`table`, which states for every path and method
the real query and header parameters, request bodies and media types, and every status the
route answers with its media types. Media types come from the modules that send them
(``formats.py`` above all); nothing here decides what a route does.

Error bodies follow the Accept header (``kg_service.web.app``): ``text/plain``, ``application/json``
(:data:`ERROR_BODY`) or an HTML page. Requests to a path or method that no route serves get
Starlette's ``404``/``405`` with ``{"detail": …}``; they are not operations, so not listed.

>>> from kg_service.settings import Settings
>>> paths = table(Settings.load())
>>> sorted(paths["/sparql"].methods)
['get', 'post']
"""

from __future__ import annotations

import mimetypes
import warnings
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from prometheus_client import CONTENT_TYPE_LATEST

from kg_service.build.examples import load_examples
from kg_service.build.layout import DUMP_FORMATS, dump_path
from kg_service.publish.dumps import GZIP_MEDIA_TYPE
from kg_service.rdf.formats import GRAPH_FORMATS, HTML, RDF_INPUT_FORMATS, RESULT_FORMATS, Format
from kg_service.rdf.formats import JSON as JSON_FORMAT
from kg_service.rdf.namespaces import ONTOLOGY_GRAPH
from kg_service.settings import Settings
from kg_service.validation.core import INFERENCE_MODES
from kg_service.web.i18n import LANGUAGES
from kg_service.web.pages import STATIC_DIR
from kg_service.web.routes.sparql import DIRECT, FORM, UPDATE_DIRECT
from kg_service.web.routes.ui import COUNTED_CLASSES, ENTRY_POINTS, VENDOR_FILES, YASGUI_FILES
from kg_service.web.routes.validation import JSON_REQUEST, MULTIPART, OUTPUTS, SHAPES_OUTPUTS

__all__ = ["ERROR_BODY", "Operation", "PathItem", "document", "install", "table"]

#: Media types no module of the service names once (error bodies, Starlette's own answers).
TEXT = "text/plain"
JSON = JSON_FORMAT.media_type
XML = "application/xml"
BYTERANGES = "multipart/byteranges"
PROMETHEUS = CONTENT_TYPE_LATEST.split(";", 1)[0]

REF = "#/components/schemas/"
#: The JSON error body of every ``KGError`` (``kg_service.app._kg_error``).
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
SCHEMAS: dict[str, dict[str, Any]] = {
    "ErrorBody": ERROR_BODY,
    "HTTPDetail": {
        "description": "Starlette's own error body (static files).",
        "type": "object",
        "required": ["detail"],
        "properties": {"detail": {"type": "string"}},
    },
    "RDFTerm": {
        "type": "object",
        "required": ["type", "value"],
        "properties": {
            "type": {"enum": ["uri", "literal", "bnode", "triple"]},
            "value": {"type": ["string", "object"]},
            "xml:lang": {"type": "string"},
            "datatype": {"type": "string"},
        },
    },
    "SparqlResults": {
        "description": "SPARQL 1.1 Query Results JSON: solutions or a boolean.",
        "type": "object",
        "required": ["head"],
        "properties": {
            "head": {
                "type": "object",
                "properties": {
                    "vars": {"type": "array", "items": {"type": "string"}},
                    "link": {"type": "array", "items": {"type": "string"}},
                },
            },
            "results": {
                "type": "object",
                "required": ["bindings"],
                "properties": {
                    "bindings": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": {"$ref": REF + "RDFTerm"},
                        },
                    }
                },
            },
            "boolean": {"type": "boolean"},
        },
        "oneOf": [{"required": ["results"]}, {"required": ["boolean"]}],
    },
    "JsonLd": {"description": "A JSON-LD document.", "type": ["object", "array"]},
    "DumpListing": {
        "type": "object",
        "required": ["modified", "catalog", "void", "dumps"],
        "properties": {
            "modified": {"type": ["string", "null"]},
            "catalog": {"type": "string"},
            "void": {"type": "string"},
            "dumps": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": [
                        "name",
                        "url",
                        "format",
                        "media_type",
                        "content_type",
                        "gzip",
                        "named_graphs",
                        "bytes",
                        "sha256",
                    ],
                    "properties": {
                        "name": {"type": "string"},
                        "url": {"type": "string"},
                        "format": {"type": "string"},
                        "media_type": {"type": "string"},
                        "content_type": {"type": "string"},
                        "gzip": {"type": "boolean"},
                        "named_graphs": {"type": "boolean"},
                        "bytes": {"type": "integer", "minimum": 0},
                        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                    },
                },
            },
        },
    },
    "Prefixes": {"type": "object", "additionalProperties": {"type": "string"}},
    "EditorTerms": {
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
    "SyntaxCheck": {
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
    "ValidationReport": {
        "description": "A SHACL validation's outcome (the report itself as Turtle).",
        "type": "object",
        "required": ["conforms", "results", "report"],
        "properties": {
            "conforms": {"type": "boolean"},
            "results": {"type": "array", "items": {"type": "object"}},
            "report": {"type": "string"},
        },
    },
    "ValidationRequest": {
        "description": "pySHACL's HTTP server request: RDF documents as text.",
        "type": "object",
        "required": ["data_graph"],
        "properties": {
            **{
                f"{graph}{suffix}": {"type": "string"}
                for graph in ("data_graph", "shapes_graph", "ontology_graph")
                for suffix in ("", "_format")
            },
            "inference": {"type": "string"},
            **{
                name: {"type": ["boolean", "string"]}
                for name in ("abort_on_first", "allow_warnings", "ontology")
            },
            "do_owl_imports": {"description": "refused (400) when true"},
            "js": {"description": "refused (400) when true"},
        },
    },
    "OpenAPI": {"type": "object", "required": ["openapi", "info", "paths"]},
    "SearchResults": {
        "description": "One page of full-text search results, best first (kg_service.search).",
        "type": "object",
        "required": ["query", "total", "results"],
        "properties": {
            "query": {"type": "string"},
            "total": {"type": "integer", "minimum": 0},
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "label", "lang", "types", "score", "matched"],
                    "properties": {
                        "id": {"type": "string", "description": "the resource's IRI"},
                        "label": {"type": "string"},
                        "lang": {"type": ["string", "null"], "description": "of the match"},
                        "types": {"type": "array", "items": {"type": "string"}},
                        "score": {"type": "number"},
                        "matched": {"type": "string", "description": "the text that matched"},
                    },
                    "additionalProperties": False,
                },
            },
        },
        "additionalProperties": False,
    },
}
SECURITY_SCHEMES = {
    "updateToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "The update token (--update-token / BENELUX_KG_UPDATE_TOKEN).",
    }
}

# --- building blocks --------------------------------------------------------------------


def _ref(name: str) -> dict[str, str]:
    return {"$ref": REF + name}


#: The schema of a body in each JSON media type (anything else is text or bytes).
JSON_BODIES = {
    "application/sparql-results+json": _ref("SparqlResults"),
    "application/ld+json": _ref("JsonLd"),
    JSON: {"type": "object"},
}
STRING = {"type": "string"}


def content(*media_types: str, schema: dict | None = None) -> dict[str, dict]:
    """A ``content`` map; JSON media types get their schema, the others a string."""
    bare = dict.fromkeys(m.split(";", 1)[0].strip() for m in media_types)
    return {m: {"schema": schema or JSON_BODIES.get(m, STRING)} for m in bare}


def media(formats: tuple[Format, ...]) -> tuple[str, ...]:
    return tuple(f.media_type for f in formats)


def ok(description: str, body: dict[str, dict] | None = None, **headers: str | dict) -> dict:
    """A response; each header is a description (optional header) or a header object."""
    response: dict[str, Any] = {"description": description}
    if body:
        response["content"] = body
    if headers:
        response["headers"] = {
            name: h if isinstance(h, dict) else _header(h) for name, h in headers.items()
        }
    return response


def _header(description: str, required: bool = False) -> dict:
    return {"description": description, "required": required, "schema": STRING}


#: What an error looks like, by the Accept header of the request.
ERROR_CONTENT = {
    TEXT: {"schema": STRING},
    JSON: {"schema": _ref("ErrorBody")},
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
    response = {"description": description or ERRORS[status], "content": ERROR_CONTENT}
    if status == 401:
        response["headers"] = {
            "WWW-Authenticate": _header('Bearer realm="benelux-kg"', required=True)
        }
    if status == 503:
        response["headers"] = {"Retry-After": _header("seconds, when over the cap")}
    return response


def errors(*statuses: int) -> dict[str, dict]:
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
    return ok("A malformed Range header (Starlette's answer).", content(TEXT))


# --- parameters -------------------------------------------------------------------------


def query_param(name: str, schema: dict, description: str, **extra: Any) -> dict:
    return {"name": name, "in": "query", "description": description, "schema": schema, **extra}


def header_param(name: str, description: str) -> dict:
    return {"name": name, "in": "header", "description": description, "schema": STRING}


def enum(values: Any, **extra: Any) -> dict:
    return {"type": "string", "enum": sorted(set(values)), **extra}


def format_param(formats: tuple[Format, ...]) -> dict:
    names = [name for f in formats for name in f.names]
    return query_param(
        "format",
        enum(names),
        "Overrides Accept: a format name, extension or media type. Unknown: 400.",
    )


def graphs_param(name: str, description: str) -> dict:
    return query_param(
        name,
        {"type": "array", "items": {"type": "string"}},
        description,
        style="form",
        explode=True,
    )


LANG = query_param(
    "lang",
    enum(LANGUAGES),
    "Page language (then the 'lang' cookie, then Accept-Language); another value is ignored.",
)
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


def target(*examples: str) -> tuple[dict, ...]:
    """``?graph=IRI`` or ``?default``: the graph a Graph Store request names."""
    return (
        query_param(
            "graph",
            {"type": "string", "examples": list(examples)},
            "The graph's absolute IRI. Give exactly one of graph and default (else 400).",
        ),
        query_param(
            "default",
            {"type": "string"},
            "Present (with any value, usually none): the default graph.",
            allowEmptyValue=True,
        ),
    )


# --- the table --------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    """One method of one path as the service really serves it."""

    summary: str
    responses: dict[str, dict]
    parameters: tuple[dict, ...] = ()
    body: dict | None = None
    writes: bool = False

    def head(self) -> Operation:
        """The same operation for HEAD: the same statuses and headers, bodies left out."""
        responses = {status: _headers_only(r) for status, r in self.responses.items()}
        return Operation(self.summary + " (headers only)", responses, self.parameters)


def _headers_only(response: dict) -> dict:
    out = dict(response)
    if "content" in out:
        out["content"] = {m: {} for m in out["content"]}
    return out


@dataclass(frozen=True)
class PathItem:
    """A path: the name its operationIds start with, its tag and its operations."""

    name: str
    tag: str
    methods: dict[str, Operation] = field(default_factory=dict)


def readable(name: str, tag: str, op: Operation) -> PathItem:
    """A path answering GET and HEAD alike."""
    return PathItem(name, tag, {"get": op, "head": op.head()})


def table(settings: Settings) -> dict[str, PathItem]:
    """Every path the service serves, with every method, as it really answers."""
    return {
        **_sparql_paths(),
        **_store_paths(),
        **_linked_data_paths(),
        **_publishing_paths(settings),
        **_page_paths(settings),
        **_search_paths(),
        **_validation_paths(),
        **_operations_paths(),
        **_editor_paths(),
    }


def _editor_paths() -> dict[str, PathItem]:
    check = Operation(
        "Does a query parse? (the editor's live check; nothing is evaluated)",
        {
            "200": ok("Valid, or the mistake in words.", {JSON: {"schema": _ref("SyntaxCheck")}}),
            **errors(400, 413),
        },
        body={
            "required": True,
            "content": {
                FORM: {
                    "schema": {
                        "type": "object",
                        "required": ["query"],
                        "properties": {"query": {"type": "string"}},
                    },
                    "examples": {"select": {"value": {"query": EXAMPLE_SELECT}}},
                }
            },
        },
    )
    vendor = Operation(
        "A library of the editor's result views (installed by make setup)",
        {
            **file_responses(tuple(sorted({m for _, m in VENDOR_FILES.values()}))),
            "400": range_error(),
            **errors(404),
        },
        (
            {
                "name": "name",
                "in": "path",
                "required": True,
                "schema": enum(VENDOR_FILES),
                "description": "A library of the editor (another name, or none installed: 404)",
            },
            *RANGED,
        ),
    )
    terms = Operation(
        "The classes and properties the editor completes (ontology and VoID partitions)",
        {
            "200": ok(
                "Most used first, labelled in the page's language.",
                {JSON: {"schema": _ref("EditorTerms")}},
            ),
            **errors(*STORE),
        },
        (LANG,),
    )
    return {
        "/editor/check": PathItem("editor_check", "Pages", {"post": check}),
        "/editor/terms.json": PathItem("editor_terms", "Pages", {"get": terms}),
        "/static/vendor/{name}": readable("vendor_asset", "Pages", vendor),
    }


def _query_body() -> dict:
    fields = {
        "query": {"type": "string"},
        "default-graph-uri": {"type": "array", "items": STRING},
        "named-graph-uri": {"type": "array", "items": STRING},
        "format": format_param(RESULT_FORMATS + GRAPH_FORMATS)["schema"],
    }
    form = {"type": "object", "required": ["query"], "properties": fields}
    listed = {"style": "form", "explode": True}
    return {
        "required": True,
        "content": {
            FORM: {
                "schema": form,
                "encoding": {"default-graph-uri": listed, "named-graph-uri": listed},
                "examples": {"select": {"value": {"query": EXAMPLE_SELECT}}},
            },
            DIRECT: {"schema": {"type": "string", "examples": [EXAMPLE_SELECT, "ASK {}"]}},
        },
    }


EXAMPLE_SELECT = "SELECT ?i WHERE { ?i a <https://w3id.org/benelux-kg/def/Institution> } LIMIT 5"
EXAMPLE_CONSTRUCT = "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 5"
EXAMPLE_UPDATE = "INSERT DATA { GRAPH <http://example.org/g> { <urn:a> <urn:b> <urn:c> } }"


def _sparql_paths() -> dict[str, PathItem]:
    results = media(RESULT_FORMATS) + media(GRAPH_FORMATS)
    query = query_param(
        "query",
        {"type": "string", "examples": [EXAMPLE_SELECT, EXAMPLE_CONSTRUCT, "ASK {}"]},
        "A SPARQL 1.1 query; without it, the service description (a page for browsers).",
    )
    answered = ok(
        "SELECT/ASK results, a CONSTRUCT/DESCRIBE graph, the service description (RDF) or the "
        "query editor page (text/html), as Accept or format= asks.",
        content(*results, HTML.media_type),
        Vary="Accept",
    )
    get = Operation(
        "SPARQL query by GET, or the service description",
        {"200": answered, **errors(*NEGOTIATED, *STORE)},
        (query, *DATASET, format_param(RESULT_FORMATS + GRAPH_FORMATS), LANG),
    )
    post = Operation(
        "SPARQL query by POST (form or application/sparql-query)",
        {
            "200": ok("The query's result, as Accept or format= asks.", content(*results)),
            **errors(*NEGOTIATED, 413, 415, *STORE),
        },
        (*DATASET, format_param(RESULT_FORMATS + GRAPH_FORMATS)),
        _query_body(),
    )
    update_form = {
        "type": "object",
        "required": ["update"],
        "properties": {
            "update": {"type": "string"},
            "using-graph-uri": {"type": "array", "items": STRING},
            "using-named-graph-uri": {"type": "array", "items": STRING},
        },
    }
    update = Operation(
        "SPARQL 1.1 Update, applied atomically (needs the update token)",
        {"204": ok("The update was applied."), **errors(400, 401, 403, 413, 415, *STORE)},
        (
            graphs_param("using-graph-uri", "Not supported (400): write USING in the update."),
            graphs_param("using-named-graph-uri", "Not supported (400)."),
        ),
        {
            "required": True,
            "content": {
                FORM: {"schema": update_form},
                UPDATE_DIRECT: {"schema": {"type": "string", "examples": [EXAMPLE_UPDATE]}},
            },
        },
        writes=True,
    )
    return {
        "/sparql": PathItem("sparql", "SPARQL", {"get": get, "post": post}),
        "/update": PathItem("update", "SPARQL", {"post": update}),
    }


def _rdf_body() -> dict:
    """Every media type ``PUT``/``POST /store`` parses (graph_store._payload)."""
    types = [m for f in GRAPH_FORMATS for m in (f.media_type, *f.aliases) if "/" in m]
    example = "<urn:a> <urn:b> <urn:c> ."
    body = {m: {"schema": {"type": "string", "examples": [example]}} for m in types}
    body["application/ld+json"] = {"schema": _ref("JsonLd")}
    return {"required": True, "content": body}


def _store_paths() -> dict[str, PathItem]:
    graph = ok("The graph, as Accept or format= asks.", content(*media(GRAPH_FORMATS)))
    read = Operation(
        "Graph Store Protocol: read a graph",
        {"200": graph, **errors(*NEGOTIATED, 404, *STORE)},
        (*target(str(ONTOLOGY_GRAPH)), format_param(GRAPH_FORMATS)),
    )
    written = {
        "201": ok("The graph did not exist and was created."),
        "204": ok("The graph was replaced (PUT) or added to (POST)."),
        **errors(400, 401, 403, 413, 415, *STORE),
    }
    scratch = target("http://example.org/g")
    put = Operation("Graph Store Protocol: replace a graph", written, scratch, _rdf_body(), True)
    post = Operation("Graph Store Protocol: add to a graph", written, scratch, _rdf_body(), True)
    delete = Operation(
        "Graph Store Protocol: delete a graph (empty the default graph)",
        {"204": ok("The graph was removed."), **errors(400, 401, 403, 404, *STORE)},
        scratch,
        writes=True,
    )
    methods = {"get": read, "head": read.head(), "put": put, "post": post, "delete": delete}
    return {"/store": PathItem("store", "Graph Store", methods)}


def _linked_data_paths() -> dict[str, PathItem]:
    offers = (*GRAPH_FORMATS, HTML)
    negotiated = ok(
        "The representation Accept, format= or the path's extension asks for.",
        content(*media(offers)),
        Vary="Accept, Accept-Language, Cookie",
        **{"Content-Location": "the URL of the representation sent", "Link": "the others"},
    )
    described = {"200": negotiated, **errors(*NEGOTIATED, 404, *STORE)}
    path = {
        "name": "path",
        "in": "path",
        "required": True,
        "description": "kind/slug, optionally with an extension (.ttl .nt .jsonld .rdf .html).",
        "schema": {"type": "string", "examples": [*ENTRY_POINTS, ENTRY_POINTS[0] + ".ttl"]},
    }
    term = {
        "name": "term",
        "in": "path",
        "required": True,
        "description": "An ontology term, optionally with an extension.",
        "schema": {"type": "string", "examples": [*COUNTED_CLASSES, "Institution.jsonld"]},
    }
    fmt, lang = format_param(offers), LANG
    ontology = Operation(
        "The ontology: documentation (HTML) or its graph (RDF)",
        {
            "200": ok("The ontology as Accept or format= asks.", content(*media(offers))),
            **errors(*NEGOTIATED, *STORE),
        },
        (fmt, lang),
    )
    return {
        "/id/{path}": readable(
            "resource",
            "Linked data",
            Operation("A resource of the graph", described, (path, fmt, lang)),
        ),
        "/def/{term}": readable(
            "term", "Linked data", Operation("An ontology term", described, (term, fmt, lang))
        ),
        "/def": readable("ontology", "Linked data", ontology),
        "/def/": readable("ontology_documentation", "Linked data", ontology),
    }


def dump_names(settings: Settings) -> list[str]:
    """The file names ``/download/{name}`` may serve (the build's dumps, plain and gzipped)."""
    return [dump_path(settings, f, gz).name for f, _ in DUMP_FORMATS for gz in (False, True)]


def _publishing_paths(settings: Settings) -> dict[str, PathItem]:
    rdf = media(GRAPH_FORMATS)
    dumps = (*media(tuple(f for f, _ in DUMP_FORMATS)), GZIP_MEDIA_TYPE)
    listing = Operation(
        "The list of dumps (JSON) or the downloads page",
        {
            "200": ok(
                "The dumps with sizes and SHA-256 digests.",
                {JSON: {"schema": _ref("DumpListing")}, HTML.media_type: {"schema": STRING}},
                **CACHED,
            ),
            "304": NOT_MODIFIED,
            **errors(406),
        },
        (LANG, *CONDITIONAL),
    )
    name = {
        "name": "name",
        "in": "path",
        "required": True,
        "description": "A dump's file name (any other name: 404).",
        "schema": enum(dump_names(settings)),
    }
    dump = Operation(
        "One dump file (ETag is its SHA-256)",
        {
            **file_responses(dumps),
            "304": NOT_MODIFIED,
            "400": range_error(),
            **errors(404),
        },
        (name, *CONDITIONAL, *RANGED),
    )
    void = Operation(
        "The VoID description of the dataset",
        {
            "200": ok("VoID.", content(*rdf), **CACHED),
            "304": NOT_MODIFIED,
            **errors(*NEGOTIATED, *STORE),
        },
        (format_param(GRAPH_FORMATS), *CONDITIONAL),
    )
    examples = Operation(
        "The example queries as data (sh:SPARQLExecutable, the SIB sparql-examples convention)",
        {
            "200": ok("The examples graph.", content(*rdf), **CACHED),
            "304": NOT_MODIFIED,
            **errors(*NEGOTIATED, *STORE),
        },
        (format_param(GRAPH_FORMATS), *CONDITIONAL),
    )
    catalog = Operation(
        "The DCAT-AP 3 catalogue (RDF) or its page",
        {
            "200": ok("The catalogue.", content(*rdf, HTML.media_type)),
            "304": NOT_MODIFIED,
            **errors(*NEGOTIATED, *STORE),
        },
        (format_param((*GRAPH_FORMATS, HTML)), LANG, *CONDITIONAL),
    )
    robots = Operation(
        "robots.txt",
        {"200": ok("Every crawler is welcome.", content(TEXT)), "304": NOT_MODIFIED},
        CONDITIONAL,
    )
    sitemap = Operation(
        "The sitemap of every HTML page",
        {
            "200": ok("A sitemaps.org 0.9 document.", content(XML)),
            "304": NOT_MODIFIED,
            **errors(*STORE),
        },
        CONDITIONAL,
    )
    return {
        "/download": readable("downloads", "Publishing", listing),
        "/download/{name}": readable("download", "Publishing", dump),
        "/.well-known/void": readable("void", "Publishing", void),
        "/.well-known/sparql-examples": readable("sparql_examples", "Publishing", examples),
        "/catalog": readable("catalog", "Publishing", catalog),
        "/robots.txt": readable("robots", "Publishing", robots),
        "/sitemap.xml": readable("sitemap", "Publishing", sitemap),
    }


def static_files() -> list[str]:
    """The files of ``kg_service/static`` (served by a StaticFiles mount at ``/static``)."""
    return sorted(p.name for p in STATIC_DIR.iterdir() if p.is_file())


def _page_paths(settings: Settings) -> dict[str, PathItem]:
    page = content(HTML.media_type)
    landing = Operation(
        "The landing page", {"200": ok("The page.", page), **errors(*STORE)}, (LANG,)
    )
    examples = [e.id for e in load_examples(settings.project_dir / "queries")]
    results = Operation(
        "A query's result as an HTML table (the editor without JavaScript)",
        {
            "200": ok("The result page.", page),
            "303": ok("No query: go to the editor.", Location=_header("/sparql", True)),
            **errors(400, 404, *STORE),
        },
        (
            query_param("query", {"type": "string", "examples": [EXAMPLE_SELECT]}, "A query."),
            query_param(
                "example", {"type": "string", "examples": examples}, "A query of queries/ (404)."
            ),
            LANG,
        ),
    )
    lang = Operation(
        "Remember a page language in a cookie and go back",
        {"303": ok("Back to next (a path on this site).", Location=_header("the path", True))},
        (
            LANG,
            query_param("next", {"type": "string", "examples": ["/", "/def/"]}, "Where to go."),
        ),
    )
    yasgui = Operation(
        "A file of the YASGUI build (installed by make setup)",
        {**file_responses(tuple(YASGUI_FILES.values())), "400": range_error(), **errors(404)},
        (
            {
                "name": "name",
                "in": "path",
                "required": True,
                "schema": enum(YASGUI_FILES),
                "description": "A file of the YASGUI build (another name, or none installed: 404)",
            },
            *RANGED,
        ),
    )
    files = static_files()
    static = Operation(
        "The site's own static files",
        {
            **file_responses(tuple(_guess(f) for f in files)),
            "304": NOT_MODIFIED,
            "400": range_error(),
            "404": ok("No such file.", {JSON: {"schema": _ref("HTTPDetail")}}),
        },
        (
            {"name": "file", "in": "path", "required": True, "schema": enum(files)},
            *CONDITIONAL,
            *RANGED,
        ),
    )
    prefixes = Operation(
        "The graph's prefixes (for the editor's autocompleter)",
        {"200": ok("prefix → namespace", {JSON: {"schema": _ref("Prefixes")}})},
    )
    return {
        "/": readable("landing", "Pages", landing),
        "/query": PathItem("query_results", "Pages", {"get": results}),
        "/lang": PathItem("language", "Pages", {"get": lang}),
        "/static/yasgui/prefixes.json": readable("yasgui_prefixes", "Pages", prefixes),
        "/static/yasgui/{name}": readable("yasgui_asset", "Pages", yasgui),
        "/static/{file}": readable("static_file", "Pages", static),
    }


def _search_paths() -> dict[str, PathItem]:
    found = ok(
        "A page of results: JSON (the default) or, for browsers, an HTML page.",
        {**content(JSON, schema=_ref("SearchResults")), **content(HTML.media_type)},
        Vary="Accept, Cookie",
    )
    search = Operation(
        "Full-text search: labels, alternative labels, descriptions, definitions (fr/nl/en)",
        {"200": found, **errors(*NEGOTIATED, 501, *STORE)},
        (
            query_param(
                "q",
                {"type": "string", "examples": ["coopérations", "samenwerking", "benelux parl"]},
                "The words (the last one may be the start of a word). Empty, or over 500 "
                "characters or 24 words: 400 (the HTML page shows its form).",
            ),
            query_param(
                "lang",
                enum(LANGUAGES),
                "Only matches in this language; the labels are shown in it (and the page).",
            ),
            query_param(
                "type",
                {"type": "array", "items": {"type": "string", "examples": ["bkg:Theme"]}},
                "Only instances of these classes (an IRI, bkg:Theme or Theme; unreadable: 400).",
                style="form",
                explode=True,
            ),
            query_param("limit", {"type": "integer", "minimum": 1, "maximum": 100}, "Default 10."),
            query_param("offset", {"type": "integer", "minimum": 0, "maximum": 10_000}, "From 0."),
            format_param((JSON_FORMAT, HTML)),
        ),
    )
    browse = Operation(
        "The instances of a class, by label in the page language, a page at a time",
        {"200": ok("The page.", content(HTML.media_type)), **errors(400, 404, *STORE)},
        (
            {
                "name": "name",
                "in": "path",
                "required": True,
                "description": "A class: a name of our ontology, a prefixed name or an IRI.",
                "schema": enum((*COUNTED_CLASSES, "skos:Concept")),
            },
            query_param("page", {"type": "integer", "minimum": 1}, "From 1 (past the end: 404)."),
            query_param("size", {"type": "integer", "minimum": 1, "maximum": 200}, "Default 50."),
            LANG,
        ),
    )
    return {
        "/search": readable("search", "Pages", search),
        "/browse/{name}": readable("browse", "Pages", browse),
    }


EXAMPLE_DATA = "<urn:x> a <https://w3id.org/benelux-kg/def/Institution> ."


def _validate_body() -> dict:
    """What ``POST /validate`` reads (validation_http.input_kind)."""
    rdf = [m for f in RDF_INPUT_FORMATS for m in (f.media_type, *f.aliases) if "/" in m]
    body = {m: {"schema": {"type": "string", "examples": [EXAMPLE_DATA]}} for m in rdf}
    body["application/ld+json"] = {"schema": _ref("JsonLd")}
    files = {"type": "array", "items": {"type": "string", "format": "binary"}}
    fields = ("text", "data_format", "shapes_text", "shapes_format", "inference", "ontology")
    form = {
        "type": "object",
        "properties": {
            "data": files,
            "shapes": files,
            **{name: STRING for name in (*fields, "abort_on_first", "allow_warnings")},
        },
    }
    body[MULTIPART] = {"schema": form}
    body[JSON_REQUEST] = {
        "schema": _ref("ValidationRequest"),
        "examples": {"data": {"value": {"data_graph": EXAMPLE_DATA}}},
    }
    return {"required": True, "content": body}


def flag(name: str, description: str) -> dict:
    schema = {"type": "string", "examples": ["true", "false"]}
    return query_param(name, schema, description + " (true/false, 1/0, yes/no, on/off; else 400)")


def _validation_paths() -> dict[str, PathItem]:
    outputs = {
        **content(*media(OUTPUTS)),
        JSON_FORMAT.media_type: {"schema": _ref("ValidationReport")},
    }
    validate = Operation(
        "SHACL-validate the data sent (against our shapes or the shapes sent)",
        {
            "200": ok("The validation report, conforming or not.", outputs, Vary="Accept"),
            **errors(400, 406, 413, 415, 500, 503),
        },
        (
            format_param(OUTPUTS),
            query_param("inference", enum(INFERENCE_MODES), "Inference before validation."),
            flag("ontology", "Add our ontology as pySHACL's ontology graph"),
            flag("abort_on_first", "Stop at the first result"),
            flag("allow_warnings", "Warnings do not make the data non-conforming"),
            LANG,
        ),
        _validate_body(),
    )
    form = Operation(
        "The validation form", {"200": ok("The page.", content(HTML.media_type))}, (LANG,)
    )
    shapes = ok(
        "Our shapes, as Accept, format= or the extension asks.",
        content(*media(SHAPES_OUTPUTS)),
        Vary="Accept",
        **{"Content-Location": "the URL of the representation sent", "Link": "the others"},
    )
    listing = Operation(
        "Our SHACL shapes",
        {"200": shapes, **errors(*NEGOTIATED)},
        (format_param(SHAPES_OUTPUTS), LANG),
    )
    extension = {
        "name": "extension",
        "in": "path",
        "required": True,
        "description": "A format's extension (another: 404).",
        "schema": enum(f.extension for f in SHAPES_OUTPUTS),
    }
    by_extension = Operation(
        "Our SHACL shapes in the format an extension names",
        {"200": shapes, **errors(404)},
        (extension, LANG),
    )
    return {
        "/validate": PathItem(
            "validate", "Validation", {"post": validate, "get": form, "head": form.head()}
        ),
        "/shapes": readable("shapes", "Validation", listing),
        "/shapes.{extension}": readable("shapes_file", "Validation", by_extension),
    }


def _guess(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _operations_paths() -> dict[str, PathItem]:
    plain = content(TEXT)
    health = Operation(
        "Liveness: 200 once the store is open",
        {"200": ok("ok", plain), "503": ok("Starting.", plain)},
    )
    ready = Operation(
        "Readiness: 200 when the store answers a query",
        {"200": ok("ready", plain), "503": ok("Not ready, and why.", plain)},
    )
    metrics = Operation("Prometheus metrics", {"200": ok("The metrics.", content(PROMETHEUS))})
    spec = Operation(
        "This document", {"200": ok("OpenAPI 3.1.", {JSON: {"schema": _ref("OpenAPI")}})}
    )
    return {
        "/healthz": readable("healthz", "Operations", health),
        "/readyz": readable("readyz", "Operations", ready),
        "/metrics": PathItem("metrics", "Operations", {"get": metrics}),
        "/openapi.json": readable("openapi", "Operations", spec),
    }


# --- the document -----------------------------------------------------------------------


def _operation(path: PathItem, method: str, op: Operation, generated: dict) -> dict:
    out: dict[str, Any] = {
        "tags": [path.tag],
        "summary": op.summary,
        "operationId": f"{path.name}_{method}",
    }
    if generated.get("description"):
        out["description"] = generated["description"]
    if op.parameters:
        out["parameters"] = list(op.parameters)
    if op.body:
        out["requestBody"] = op.body
    out["responses"] = dict(sorted(op.responses.items()))
    if op.writes:
        out["security"] = [{"updateToken": []}]
    return out


def _generated(app: FastAPI) -> dict:
    with warnings.catch_warnings():  # every method of a route shares one id; fixed below
        warnings.filterwarnings("ignore", message="Duplicate Operation ID")
        return get_openapi(
            title=app.title,
            version=app.version,
            openapi_version=app.openapi_version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
        )


def document(app: FastAPI) -> dict:
    """The OpenAPI document: FastAPI's, corrected from :func:`table`."""
    schema = _generated(app)
    generated: dict[str, dict] = schema.get("paths", {})
    paths: dict[str, dict] = {}
    for route, item in table(app.state.settings).items():
        before = generated.pop(route, {})
        paths[route] = {
            method: _operation(item, method, op, before.get(method, {}))
            for method, op in item.methods.items()
        }
    for route, methods in generated.items():  # a route the table does not know yet
        paths[route] = {
            m: {**op, "operationId": f"{op['operationId']}_{m}"} for m, op in methods.items()
        }
    schema["paths"] = paths
    components = schema.setdefault("components", {})
    components["schemas"] = {**_unused_removed(components.get("schemas", {}), paths), **SCHEMAS}
    components["securitySchemes"] = SECURITY_SCHEMES
    return schema


def _unused_removed(schemas: dict, paths: dict) -> dict:
    """FastAPI's schemas still referenced (its 422 models are not, once the table is applied)."""
    text = repr(paths)
    return {name: s for name, s in schemas.items() if f"{REF}{name}'" in text}


def install(app: FastAPI) -> None:
    """Serve :func:`document` (built once) as the app's OpenAPI document."""

    def openapi() -> dict:
        if not app.openapi_schema:
            app.openapi_schema = document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
