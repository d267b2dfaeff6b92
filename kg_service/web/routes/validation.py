"""SHACL validation over HTTP: ``POST /validate``, the ``GET /validate`` page, ``GET /shapes``.

``POST /validate`` takes, by ``Content-Type``:

* an RDF document (Turtle, TriG, N-Triples, N-Quads, JSON-LD, RDF/XML; named graphs are merged),
  validated against our shapes;
* ``multipart/form-data``: ``data`` file part(s) and/or a pasted ``text`` field (format from
  ``data_format``, else the part's type, its file name, or a guess), and optionally ``shapes``
  file part(s) or a ``shapes_text`` field instead of our shapes;
* ``application/json``: pySHACL's HTTP server request ``{"data_graph", "data_graph_format",
  "shapes_graph", "shapes_graph_format", "ontology_graph", "ontology_graph_format", …}``.

Options are query parameters (form fields and pySHACL's JSON keys are read too; the query wins):
``inference=none|rdfs|owlrl``, ``ontology=true`` (our ontology as pySHACL's ontology graph),
``abort_on_first``, ``allow_warnings``. The answer (200 whether or not the data conforms) is
chosen by ``Accept`` or ``?format=``: the report as Turtle (default), JSON-LD, RDF/XML or
N-Triples; ``application/json`` ``{"conforms", "results", "report"}``; or an HTML page.

The HTTP process only checks the request (415, 406, 400 options, 413 over
``validation_max_bytes``) and unpacks it into bytes; parsing and validation run in a
:class:`~kg_service.workers.WorkerPool` of their own, killed at ``validation_timeout``.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from fastapi import Path as PathParam
from rdflib import RDF, RDFS, Graph, Namespace, URIRef
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from kg_service.errors import (
    BadRequest,
    KGError,
    NotFound,
    QueryTimeout,
    RefusedOperation,
    UnsupportedMediaType,
)
from kg_service.process.workers import WorkerPool
from kg_service.rdf.formats import (
    GRAPH_FORMATS,
    HTML,
    JSON,
    JSONLD,
    NTRIPLES,
    RDF_INPUT_FORMATS,
    RDFXML,
    TURTLE,
    Format,
    by_media_type,
)
from kg_service.rdf.io import serialize_graph
from kg_service.rdf.negotiation import choose
from kg_service.settings import Settings
from kg_service.validation.core import (
    DISPLAY_PREFIXES,
    INFERENCE_MODES,
    REPORT_PREFIXES,
    Defaults,
    Document,
    Job,
    Options,
    Outcome,
    format_for_path,
    input_format,
    load_files,
    short_text,
)
from kg_service.web import openapi
from kg_service.web.i18n import choose_language, error_reason, pick_literal, words
from kg_service.web.pages import render
from kg_service.web.routes.linked_data import local_path
from kg_service.web.routes.sparql import endpoint_url, read_body

__all__ = ["Validator", "close_validator", "open_validator", "router"]

log = logging.getLogger("kg_service.validation.core")
router = APIRouter(tags=["Validation"], default_response_class=Response)

#: The JSON answer ``{"conforms", "results", "report"}`` (not an RDF format).
OUTPUTS: tuple[Format, ...] = (TURTLE, JSONLD, RDFXML, NTRIPLES, JSON, HTML)
SHAPES_OUTPUTS: tuple[Format, ...] = (*GRAPH_FORMATS, HTML)
JSON_REQUEST = "application/json"
MULTIPART = "multipart/form-data"
#: Part types that say nothing about the format (browsers send these for any file).
GENERIC_PART_TYPES = ("", "application/octet-stream", "text/plain")
SH = Namespace("http://www.w3.org/ns/shacl#")


# --- the service object, opened and closed by the app's lifespan ---------------------------


@dataclass
class Validator:
    """One HTTP process's validation service: its worker pool and our shapes, read once."""

    pool: WorkerPool
    defaults: Defaults
    timeout: float
    shapes: Graph
    serialized: dict[str, bytes]
    warming: asyncio.Task | None = field(default=None, repr=False)


async def open_validator(settings: Settings) -> Validator:
    """Read our shapes and make the worker pool; its workers start, and load our shapes, with
    the first validation (or Graph Store upload) this process gets."""
    defaults = Defaults(
        shapes=str(settings.project_dir / "shapes"),
        ontology=str(settings.project_dir / "ontology"),
    )
    shapes = await asyncio.to_thread(load_files, [Path(defaults.shapes)])
    serialized = await asyncio.to_thread(_serialize_all, shapes)
    pool = WorkerPool(
        settings.worker_memory_mb,
        max(settings.validation_workers, 1),
        settings.max_concurrent,
        settings.validation_timeout,
    )
    validator = Validator(pool, defaults, settings.validation_timeout, shapes, serialized)

    def warm() -> None:
        validator.warming = asyncio.create_task(_warm(validator))

    pool.on_started = warm
    return validator


def _serialize_all(shapes: Graph) -> dict[str, bytes]:
    return {fmt.name: serialize_graph(shapes, fmt, _SHAPES_PREFIXES) for fmt in GRAPH_FORMATS}


_SHAPES_PREFIXES = {**REPORT_PREFIXES, **DISPLAY_PREFIXES}


async def _warm(validator: Validator) -> None:
    """Each worker imports pySHACL and parses our shapes and ontology before any request."""
    calls = [
        validator.pool.call("kg_service.validation.core:warm", validator.defaults)
        for _ in range(validator.pool.size)
    ]
    for failure in await asyncio.gather(*calls, return_exceptions=True):
        if isinstance(failure, BaseException):
            log.warning("validation worker warm-up failed: %s", failure)


async def close_validator(validator: Validator) -> None:
    if validator.warming is not None:
        validator.warming.cancel()
    await validator.pool.close()


# --- POST /validate ------------------------------------------------------------------------


EXAMPLE_DATA = "<urn:x> a <https://w3id.org/benelux-kg/def/Institution> ."
#: The JSON answer (:class:`~kg_service.validation.core.Outcome` as JSON).
REPORT = openapi.component(
    "ValidationReport",
    {
        "description": "A SHACL validation's outcome (the report itself as Turtle).",
        "type": "object",
        "required": ["conforms", "results", "report"],
        "properties": {
            "conforms": {"type": "boolean"},
            "results": {"type": "array", "items": {"type": "object"}},
            "report": openapi.STRING,
        },
    },
)
#: The JSON request (:func:`_json_parts`).
JSON_BODY = openapi.component(
    "ValidationRequest",
    {
        "description": "pySHACL's HTTP server request: RDF documents as text.",
        "type": "object",
        "required": ["data_graph"],
        "properties": {
            **{
                f"{graph}{suffix}": openapi.STRING
                for graph in ("data_graph", "shapes_graph", "ontology_graph")
                for suffix in ("", "_format")
            },
            "inference": openapi.STRING,
            **{
                name: {"type": ["boolean", "string"]}
                for name in ("abort_on_first", "allow_warnings", "ontology")
            },
            "do_owl_imports": {"description": "refused (400) when true"},
            "js": {"description": "refused (400) when true"},
        },
    },
)


def _validate_body() -> dict:
    """Every body :func:`input_kind` accepts: RDF, a multipart form, pySHACL's JSON."""
    rdf = [m for f in RDF_INPUT_FORMATS for m in (f.media_type, *f.aliases) if "/" in m]
    body = {m: {"schema": {"type": "string", "examples": [EXAMPLE_DATA]}} for m in rdf}
    body["application/ld+json"] = {"schema": openapi.ref("JsonLd")}
    files = {"type": "array", "items": {"type": "string", "format": "binary"}}
    fields = ("text", "data_format", "shapes_text", "shapes_format", "inference", "ontology")
    form = {
        "type": "object",
        "properties": {
            "data": files,
            "shapes": files,
            **dict.fromkeys((*fields, "abort_on_first", "allow_warnings"), openapi.STRING),
        },
    }
    body[MULTIPART] = {"schema": form}
    body[JSON_REQUEST] = {
        "schema": JSON_BODY,
        "examples": {"data": {"value": {"data_graph": EXAMPLE_DATA}}},
    }
    return {"required": True, "content": body}


def _flag_param(name: str, description: str) -> dict:
    """A yes/no option (:func:`_flag`)."""
    schema = {"type": "string", "examples": ["true", "false"]}
    rule = " (true/false, 1/0, yes/no, on/off; else 400)"
    return openapi.query_param(name, schema, description + rule)


@router.post(
    "/validate",
    operation_id="validate",
    summary="SHACL-validate the data sent (against our shapes or the shapes sent)",
    responses={
        "200": openapi.ok(
            "The validation report, conforming or not.",
            {**openapi.content(*openapi.media(OUTPUTS)), JSON.media_type: {"schema": REPORT}},
            Vary="Accept",
        ),
        **openapi.errors(400, 406, 413, 415, 500, 503),
    },
    openapi_extra=openapi.inputs(
        openapi.format_param(OUTPUTS),
        openapi.query_param(
            "inference", openapi.enum(INFERENCE_MODES), "Inference before validation."
        ),
        _flag_param("ontology", "Add our ontology as pySHACL's ontology graph"),
        _flag_param("abort_on_first", "Stop at the first result"),
        _flag_param("allow_warnings", "Warnings do not make the data non-conforming"),
        openapi.LANG,
        body=_validate_body(),
    ),
)
async def validate_data(request: Request) -> Response:
    """Validate the data sent (against our shapes, or the shapes sent); 200 either way."""
    settings: Settings = request.app.state.settings
    validator: Validator = request.app.state.validator
    kind = input_kind(request.headers.get("content-type", ""))
    output = choose(request.headers.get("accept"), OUTPUTS, request.query_params.get("format"))
    body = await read_body(request, settings.validation_max_bytes)
    try:
        job = await build_job(request, kind, body, output, validator.defaults)
        outcome = await run(validator, job)
    except KGError as exc:
        if output is not HTML or kind != "multipart":
            raise
        # A person at the form keeps what they pasted and chose, with the reason beside it.
        return await _form_again(request, body, exc)
    if output is HTML:
        return _report_page(request, outcome)
    return Response(outcome.body, headers={"Content-Type": output.content_type, "Vary": "Accept"})


def input_kind(content_type: str) -> str | Format:
    """``json``, ``multipart``, or the RDF format of a raw body; 415 for anything else."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media == JSON_REQUEST:
        return "json"
    if media == MULTIPART:
        return "multipart"
    fmt = by_media_type(media, RDF_INPUT_FORMATS) if media else None
    if fmt is None:
        accepted = ", ".join([*(f.media_type for f in RDF_INPUT_FORMATS), MULTIPART, JSON_REQUEST])
        said = f"{media!r} is not" if media else "A Content-Type is"
        raise UnsupportedMediaType(f"{said} accepted for validation; send one of: {accepted}.")
    return fmt


async def build_job(
    request: Request, kind: str | Format, body: bytes, output: Format, defaults: Defaults
) -> Job:
    """The request as a :class:`Job`: documents as bytes, options checked."""
    base = endpoint_url(request)
    if kind == "json":
        data, shapes, ontology, fields = _json_parts(body, base)
    elif kind == "multipart":
        data, shapes, ontology, fields = await _form_parts(request, body, base)
    else:
        assert isinstance(kind, Format)
        if not body.strip():  # as a form with no data: an empty graph would just "conform"
            raise BadRequest("No data: the request body is empty; send the RDF to validate.")
        data, shapes, ontology, fields = [Document(body, kind.name, base)], [], [], {}
    options, our_ontology = parse_options({**fields, **request.query_params})
    return Job(
        data=tuple(data),
        defaults=defaults,
        shapes=tuple(shapes) or None,
        ontology=tuple(ontology),
        our_ontology=our_ontology,
        options=options,
        output=output.name,
        lang=choose_language(request),
    )


_TRUE, _FALSE = ("true", "1", "yes", "on", ""), ("false", "0", "no", "off")


def parse_options(params: Mapping[str, str]) -> tuple[Options, bool]:
    """The validation options and whether to add our ontology; 400 for a bad value.

    >>> parse_options({"inference": "rdfs", "ontology": "true"})[0].inference
    'rdfs'
    """
    inference = (params.get("inference") or "none").strip().lower()
    if inference not in INFERENCE_MODES:
        raise BadRequest(f"inference must be one of {', '.join(INFERENCE_MODES)}.")
    options = Options(
        inference=inference,
        abort_on_first=_flag(params, "abort_on_first"),
        allow_warnings=_flag(params, "allow_warnings"),
    )
    return options, _flag(params, "ontology")


def _flag(params: Mapping[str, str], name: str) -> bool:
    value = params.get(name)
    if value is None:
        return False
    value = value.strip().lower()
    if value in _TRUE or value in _FALSE:
        return value in _TRUE
    raise BadRequest(f"{name} must be true or false, not {value[:20]!r}.")


def _json_parts(body: bytes, base: str) -> tuple[list, list, list, dict]:
    """pySHACL's JSON request → documents and option fields."""
    try:
        doc = json.loads(body)
    except ValueError as exc:
        raise BadRequest(f"The JSON request does not parse: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("data_graph"), str):
        raise BadRequest('The JSON request needs a "data_graph" string (the data as RDF text).')
    for refused in ("do_owl_imports", "js"):
        if doc.get(refused):
            raise RefusedOperation(f'"{refused}" is not available here: nothing is fetched or run.')
    data = [_json_document(doc, "data_graph", base)]
    shapes = [_json_document(doc, "shapes_graph", base)] if doc.get("shapes_graph") else []
    ontology = [_json_document(doc, "ontology_graph", base)] if doc.get("ontology_graph") else []
    fields = {k: _option_text(doc[k]) for k in _OPTION_KEYS if doc.get(k) is not None}
    return data, shapes, ontology, fields


_OPTION_KEYS = ("inference", "abort_on_first", "allow_warnings", "ontology")


def _json_document(doc: dict, key: str, base: str) -> Document:
    text = doc[key]
    if not isinstance(text, str):
        raise BadRequest(f'"{key}" must be a string of RDF text.')
    data = text.encode("utf-8")
    declared = doc.get(f"{key}_format")
    if declared is not None and not isinstance(declared, str):
        raise BadRequest(f'"{key}_format" must be a string.')
    return Document(data, input_format(declared, data).name, base)


def _option_text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


async def _form_parts(request: Request, body: bytes, base: str) -> tuple[list, list, list, dict]:
    """A multipart form → documents (``data``/``text``, ``shapes``/``shapes_text``) and fields."""
    form = await _parse_form(request, body)
    declared = _text_field(form, "data_format")
    data = await _documents(form, "data", "text", declared, base)
    if not data:
        raise BadRequest("No data: send a 'data' file part or a 'text' field with RDF in it.")
    shapes_format = _text_field(form, "shapes_format")
    shapes = await _documents(form, "shapes", "shapes_text", shapes_format, base)
    fields = {k: v for k in _OPTION_KEYS if (v := _text_field(form, k)) is not None}
    return data, shapes, [], fields


async def _parse_form(request: Request, body: bytes) -> FormData:
    limit = request.app.state.settings.validation_max_bytes
    parser = MultiPartParser(
        request.headers, _once(body), max_files=32, max_fields=32, max_part_size=limit
    )
    try:
        return await parser.parse()
    except MultiPartException as exc:
        raise BadRequest(f"The multipart form does not parse: {exc.message}") from None


async def _once(body: bytes) -> AsyncGenerator[bytes, None]:
    yield body


def _text_field(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) and value.strip() else None


async def _documents(
    form: FormData, file_field: str, text_field: str, declared: str | None, base: str
) -> list[Document]:
    documents = []
    for part in form.getlist(file_field):
        raw = await part.read() if isinstance(part, UploadFile) else part.encode("utf-8")
        if raw.strip():
            fmt = _part_format(part, declared, raw)
            documents.append(Document(raw, fmt.name, base))
    text = _text_field(form, text_field)
    if text is not None:
        raw = text.encode("utf-8")
        documents.append(Document(raw, input_format(declared, raw).name, base))
    return documents


def _part_format(part: UploadFile | str, declared: str | None, raw: bytes) -> Format:
    """The format a form gives (unless ``auto``), else the part's type, its file name, a guess."""
    if declared and declared.strip().lower() != "auto":
        return input_format(declared)
    media = (part.content_type or "") if isinstance(part, UploadFile) else ""
    media = media.split(";", 1)[0].strip().lower()
    if media not in GENERIC_PART_TYPES:
        fmt = by_media_type(media, RDF_INPUT_FORMATS)
        if fmt is None:
            raise UnsupportedMediaType(f"The file part's type {media!r} is not an RDF format.")
        return fmt
    name = part.filename if isinstance(part, UploadFile) else None
    if name and Path(name).suffix.lower().lstrip(".") in _EXTENSIONS:
        return format_for_path(Path(name))
    return input_format("auto", raw)


_EXTENSIONS = {e for f in RDF_INPUT_FORMATS for e in (f.extension, *f.aliases)} | {"json", "owl"}


async def run(validator: Validator, job: Job) -> Outcome:
    """Run ``job`` in a validation worker; stopped (and the worker replaced) at the deadline."""
    try:
        return await validator.pool.call("kg_service.validation.core:run_job", job)
    except QueryTimeout:
        raise QueryTimeout(
            f"The validation ran past the limit of {validator.timeout:g} s and was stopped; "
            "send less data or validate it in parts."
        ) from None


# --- pages ---------------------------------------------------------------------------------


def _page(request: Request, name: str, **context: Any) -> Response:
    lang = choose_language(request)
    return render(request, name, ui=words(lang), short=short_text, **context)


@router.api_route(
    "/validate",
    methods=["GET", "HEAD"],
    operation_id="validate",
    summary="The validation form",
    responses={"200": openapi.ok("The page.", openapi.content(HTML.media_type))},
    openapi_extra=openapi.inputs(openapi.LANG),
)
async def validate_form(request: Request) -> Response:
    """The form: paste or upload data, choose shapes and options."""
    formats = list(RDF_INPUT_FORMATS)
    return _page(request, "validate_form.html", formats=formats, modes=INFERENCE_MODES, sent={})


async def _form_again(request: Request, body: bytes, exc: KGError) -> Response:
    """The form again, filled with what was sent (text, format, options) and the error."""
    try:
        form = await _parse_form(request, body)
    except KGError:  # a form that does not parse cannot be given back
        form = FormData()
    sent = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    return _page(
        request,
        "validate_form.html",
        status=exc.status,
        formats=list(RDF_INPUT_FORMATS),
        modes=INFERENCE_MODES,
        sent=sent,
        error=exc,
        reason=error_reason(exc.status, choose_language(request)),
    )


def _report_page(request: Request, outcome: Outcome) -> Response:
    return _page(
        request,
        "validate_report.html",
        conforms=outcome.conforms,
        counts=outcome.counts or {},
        total=len(outcome.results or []),
        groups=group_by_focus(outcome.results or []),
        report=outcome.body.decode("utf-8"),
    )


def group_by_focus(records: list[dict]) -> list[dict]:
    """Results grouped by focus node (records come sorted by focus node)."""
    groups: list[dict] = []
    for record in records:
        if not groups or groups[-1]["focus"] != record["focus_node"]:
            focus = record["focus_node"]
            href = local_path(focus) if focus and not focus.startswith(('"', "_:")) else None
            groups.append({"focus": focus, "href": href, "results": []})
        groups[-1]["results"].append(record)
    return groups


# --- GET /shapes ---------------------------------------------------------------------------


#: Our shapes, in whichever format is asked for (:func:`_shapes_response`).
SHAPES = openapi.ok(
    "Our shapes, as Accept, format= or the extension asks.",
    openapi.content(*openapi.media(SHAPES_OUTPUTS)),
    Vary="Accept",
    **{"Content-Location": "the URL of the representation sent", "Link": "the others"},
)


@router.api_route(
    "/shapes",
    methods=["GET", "HEAD"],
    operation_id="shapes",
    summary="Our SHACL shapes",
    responses={"200": SHAPES, **openapi.errors(*openapi.NEGOTIATED)},
    openapi_extra=openapi.inputs(openapi.format_param(SHAPES_OUTPUTS), openapi.LANG),
)
async def shapes(request: Request) -> Response:
    """Our shapes: Turtle, N-Triples, JSON-LD, RDF/XML, or a page, by ``Accept``/``?format=``."""
    fmt = choose(request.headers.get("accept"), SHAPES_OUTPUTS, request.query_params.get("format"))
    return _shapes_response(request, fmt)


@router.api_route(
    "/shapes.{extension}",
    methods=["GET", "HEAD"],
    operation_id="shapes_file",
    summary="Our SHACL shapes in the format an extension names",
    responses={"200": SHAPES, **openapi.errors(404)},
    openapi_extra=openapi.inputs(openapi.LANG),
)
async def shapes_file(
    request: Request,
    extension: Annotated[
        str,
        PathParam(
            description="A format's extension (another: 404).",
            json_schema_extra={"enum": sorted({f.extension for f in SHAPES_OUTPUTS})},
        ),
    ],
) -> Response:
    """Our shapes in the format an extension names (``/shapes.ttl``, ``.nt``, ``.jsonld``, …)."""
    for fmt in SHAPES_OUTPUTS:
        if extension == fmt.extension:
            return _shapes_response(request, fmt)
    raise NotFound(f"No shapes file /shapes.{extension[:20]}; try /shapes.ttl.")


def _shapes_response(request: Request, fmt: Format) -> Response:
    validator: Validator = request.app.state.validator
    links = ", ".join(
        f'</shapes.{f.extension}>; rel="alternate"; type="{f.media_type}"' for f in SHAPES_OUTPUTS
    )
    headers = {"Vary": "Accept", "Link": links, "Content-Location": f"/shapes.{fmt.extension}"}
    if fmt is HTML:
        lang = choose_language(request)
        response = _page(
            request,
            "validate_shapes.html",
            shapes=node_shapes(validator.shapes, lang),
            formats=GRAPH_FORMATS,
        )
        response.headers.update({**headers, "Vary": "Accept, Accept-Language, Cookie"})
        return response
    body = b"" if request.method == "HEAD" else validator.serialized[fmt.name]
    return Response(body, headers={"Content-Type": fmt.content_type, **headers})


def node_shapes(graph: Graph, lang: str) -> list[dict]:
    """Our named node shapes, for the page: label, targets, number of property shapes."""
    rows = []
    for shape in sorted(set(graph.subjects(RDF.type, SH.NodeShape)), key=str):
        if not isinstance(shape, URIRef):
            continue
        targets = [short_text(str(t)) for t in graph.objects(shape, SH.targetClass)]
        if not targets and graph.value(shape, SH.target) is not None:
            targets = ["SPARQL"]
        targets += [
            f"{short_text(str(p))} (subjects)" for p in graph.objects(shape, SH.targetSubjectsOf)
        ]
        rows.append(
            {
                "iri": str(shape),
                "name": short_text(str(shape)),
                "label": pick_literal(list(graph.objects(shape, RDFS.label)), lang) or "",
                "targets": targets,
                "properties": len(list(graph.objects(shape, SH.property))),
            }
        )
    return rows
