"""SHACL validation core, shared by the build, the command and the HTTP service.

It takes rdflib graphs (never strings: pySHACL would treat a short string as a path or URL),
never follows ``owl:imports``, and turns pySHACL's report into plain results a person can act on.

The HTTP service runs :func:`run_job` in a worker process that is killed at the deadline: a
:class:`Job` carries only bytes, format names and options; the worker parses them with
:func:`kg_service.rdfio.read_graph`, validates against the shapes it loaded once, and answers
with the finished response body (:class:`Outcome`).

>>> from kg_service.rdf.formats import TURTLE
>>> shapes = read_documents([Document(SHAPES_EXAMPLE, "turtle")], shapes=True)
>>> data = read_documents([Document(b"<http://e/a> a <http://e/C> .", "turtle")])
>>> validate(data, shapes).conforms
False
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pyparsing import ParseException
from pyshacl import validate as pyshacl_validate
from pyshacl.errors import ReportableRuntimeError
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.plugins.sparql import processor as sparql_processor
from rdflib.term import Node

from kg_service.errors import BadRequest, QuerySyntaxError
from kg_service.query.syntax import explain
from kg_service.rdf.formats import (
    GRAPH_FORMATS,
    JSONLD,
    RDF_INPUT_FORMATS,
    RDFXML,
    TURTLE,
    Format,
)
from kg_service.rdf.io import read_graph, serialize_graph
from kg_service.rdf.namespaces import PREFIXES

__all__ = [
    "INFERENCE_MODES",
    "Defaults",
    "Document",
    "Job",
    "Options",
    "Outcome",
    "Validation",
    "ValidationResult",
    "format_for_path",
    "input_format",
    "load_files",
    "read_documents",
    "run_job",
    "short_text",
    "validate",
    "warm",
]

SH = Namespace("http://www.w3.org/ns/shacl#")
INFERENCE_MODES = ("none", "rdfs", "owlrl")
#: Prefixes for reports and readable output (ours, plus the shapes namespace).
DISPLAY_PREFIXES = {**PREFIXES, "bkgsh": "https://w3id.org/benelux-kg/shapes/"}
REPORT_PREFIXES = {k: DISPLAY_PREFIXES[k] for k in ("sh", "xsd", "rdf", "rdfs", "bkg", "bkgsh")}
#: Message languages, best first after the one asked for.
MESSAGE_LANGUAGES = ("en", "fr", "nl", None)
SHAPES_EXAMPLE = b"""@prefix sh: <http://www.w3.org/ns/shacl#> .
<http://e/S> a sh:NodeShape ; sh:targetClass <http://e/C> ;
  sh:property [ sh:path <http://e/name> ; sh:minCount 1 ] ."""


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValidationResult:
    """One ``sh:ValidationResult``, flattened (``path_text``: the path as SPARQL writes it)."""

    focus_node: Node | None
    path: Node | None
    value: Node | None
    severity: Node | None
    source_shape: Node | None
    component: Node | None
    messages: tuple[Literal, ...]
    path_text: str | None = None

    def message(self, lang: str = "en") -> str:
        """The message in ``lang`` if the shape has one, else English, French, Dutch, any."""
        by_lang = {m.language: m for m in self.messages}
        for wanted in (lang, *MESSAGE_LANGUAGES):
            if wanted in by_lang:
                return str(by_lang[wanted])
        return str(self.messages[0]) if self.messages else ""

    def record(self, lang: str = "en") -> dict:
        """The result as JSON-ready strings: IRIs as they are, literals and blank nodes in N3,
        the path as SPARQL writes it, severity and component by their local names."""
        return {
            "focus_node": _text(self.focus_node),
            "path": self.path_text,
            "value": _text(self.value),
            "severity": _local(self.severity) or None,
            "source_shape": _text(self.source_shape),
            "component": _local(self.component) or None,
            "message": self.message(lang),
            "messages": {m.language or "": str(m) for m in self.messages},
        }


@dataclass
class Validation:
    """The outcome: ``conforms``, the report graph, and the results as plain records."""

    conforms: bool
    report: Graph
    results: list[ValidationResult] = field(default_factory=list)

    def sorted_results(self) -> list[ValidationResult]:
        return sorted(self.results, key=lambda r: (str(r.focus_node), str(r.path_text), _rank(r)))

    def records(self, lang: str = "en") -> list[dict]:
        return [r.record(lang) for r in self.sorted_results()]

    def text(self, lang: str = "en") -> str:
        """A readable summary: one block per focus node, each result with what to fix."""
        if self.conforms and not self.results:
            return "Conforms: no validation results."
        head = "Conforms" if self.conforms else "Does NOT conform"
        lines = [f"{head}: {_count(self.results)}."]
        focus = object()
        for r in self.records(lang):
            if r["focus_node"] != focus:
                focus = r["focus_node"]
                lines.append(f"\n{short_text(focus)}")
            lines.append(f"  - {r['severity'] or 'Violation'} ({r['component']})")
            lines.append(f"      message: {r['message']}")
            for key in ("path", "value", "source_shape"):
                if r[key] is not None:
                    lines.append(f"      {key.split('_')[-1] + ':':<9}{short_text(r[key])}")
        return "\n".join(lines)

    def json(self, lang: str = "en") -> dict:
        """``{"conforms", "results", "report"}``: the HTTP service's JSON answer."""
        report = self.serialized(TURTLE).decode("utf-8")
        return {"conforms": self.conforms, "results": self.records(lang), "report": report}

    def serialized(self, fmt: Format) -> bytes:
        """The report in ``fmt`` (Turtle, N-Triples, JSON-LD, RDF/XML), literals as written."""
        return serialize_graph(self.report, fmt, REPORT_PREFIXES)


def _count(results: list[ValidationResult]) -> str:
    counts: dict[str, int] = {}
    for r in results:
        name = _local(r.severity) or "Violation"
        counts[name] = counts.get(name, 0) + 1
    parts = [f"{n} {k.lower()}{'s' if n > 1 else ''}" for k, n in sorted(counts.items())]
    return f"{len(results)} result(s): " + ", ".join(parts)


def _rank(r: ValidationResult) -> int:
    order = {SH.Violation: 0, SH.Warning: 1, SH.Info: 2}
    return order.get(r.severity, 3)  # type: ignore[arg-type]


def _local(iri: Node | None) -> str:
    return str(iri).rsplit("#", 1)[-1] if iri is not None else ""


def _text(term: Node | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, URIRef):
        return str(term)
    return term.n3()


def short_text(text: str | None) -> str | None:
    """A record's term or path for people: our prefixes instead of full IRIs.

    >>> short_text("https://w3id.org/benelux-kg/def/Institution")
    'bkg:Institution'
    >>> short_text('"5"^^<http://www.w3.org/2001/XMLSchema#integer>')
    '"5"^^xsd:integer'
    """
    if text is None or text.startswith("_:"):
        return text
    if text.startswith('"'):
        head, sep, datatype = text.rpartition('"^^<')
        return f'{head}"^^{_curie(datatype[:-1])}' if sep else text
    if "<" in text:  # a path expression: only IRIs between angle brackets
        return _shorten_iris(text)
    return _curie(text)


def _curie(iri: str) -> str:
    for prefix, namespace in DISPLAY_PREFIXES.items():
        local = iri[len(namespace) :]
        if iri.startswith(namespace) and local and "/" not in local and "#" not in local:
            return f"{prefix}:{local}"
    return iri


def _shorten_iris(text: str) -> str:
    parts = text.split("<")
    out = [parts[0]]
    for part in parts[1:]:
        iri, _, rest = part.partition(">")
        out.append(_curie(iri) + rest)
    return "".join(out)


def path_text(graph: Graph, node: Node | None) -> str | None:
    """A SHACL property path as SPARQL writes it; a plain IRI stays a bare IRI.

    >>> g = Graph()
    >>> path_text(g, URIRef("http://e/p"))
    'http://e/p'
    """
    if node is None:
        return None
    if isinstance(node, URIRef):
        return str(node)
    return _path(graph, node)


def _path(graph: Graph, node: Node) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    if graph.value(node, RDF.first) is not None:
        return "(" + " / ".join(_path(graph, x) for x in Collection(graph, node)) + ")"
    for predicate, pattern in _PATH_FORMS:
        inner = graph.value(node, predicate)
        if inner is not None:
            return pattern.format(_path(graph, inner))
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        return "(" + " | ".join(_path(graph, x) for x in Collection(graph, alternatives)) + ")"
    return str(node.n3())


_PATH_FORMS = (
    (SH.inversePath, "^{}"),
    (SH.zeroOrMorePath, "{}*"),
    (SH.oneOrMorePath, "{}+"),
    (SH.zeroOrOnePath, "{}?"),
)


# --- validating ----------------------------------------------------------------------------


def validate(
    data: Graph,
    shapes: Graph,
    *,
    ontology: Graph | None = None,
    inference: str = "none",
    abort_on_first: bool = False,
    allow_warnings: bool = False,
    meta_shacl: bool = False,
    inplace: bool = False,
) -> Validation:
    """Validate ``data`` against ``shapes`` with pySHACL (SHACL Core + SHACL-SPARQL).

    ``inplace=True`` lets pySHACL add the ontology and inferences to ``data`` itself instead of
    a copy (for graphs made for this one validation). A shapes graph pySHACL cannot use is a
    :class:`~kg_service.errors.BadRequest`.
    """
    if inference not in INFERENCE_MODES:
        raise BadRequest(f"inference must be one of {', '.join(INFERENCE_MODES)}")
    reuse_sparql_translations()
    try:
        conforms, report, _ = pyshacl_validate(
            data,
            shacl_graph=shapes,
            ont_graph=ontology,
            inference=inference,
            abort_on_first=abort_on_first,
            allow_warnings=allow_warnings,
            meta_shacl=meta_shacl,
            do_owl_imports=False,
            advanced=True,
            inplace=inplace,
        )
    except ReportableRuntimeError as exc:  # ShapeLoadError, ConstraintLoadError, …
        raise BadRequest(f"The shapes graph cannot be used: {exc.message}") from None
    except ParseException as exc:  # a SHACL-SPARQL query of the shapes does not parse
        raise _constraint_error(str(exc), shapes, exc.pstr) from None
    except Exception as exc:  # rdflib says "Unknown namespace prefix" with a plain Exception
        if not str(exc).startswith(UNKNOWN_PREFIX):
            raise
        raise _constraint_error(str(exc), shapes, None) from None
    return Validation(bool(conforms), report, list(_results(report)))


UNKNOWN_PREFIX = "Unknown namespace prefix"
SPARQL_TEXTS = (SH.select, SH.ask, SH.construct)


def _constraint_error(message: str, shapes: Graph, sent: str | None) -> QuerySyntaxError:
    """A SPARQL query of the shapes that does not parse, in words, with its lines and columns
    counted in the query as the shapes graph holds it (pySHACL puts PREFIX lines before it)."""
    own = _constraint_text(shapes, message, sent)
    text, start = (sent, len(sent) - len(own)) if sent and own else (sent or own, 0)
    sentence = explain(message, text, start)
    return QuerySyntaxError(
        f"The shapes graph cannot be used: a SPARQL query of its constraints does not parse: "
        f"{sentence}",
        parser_message=message,
    )


def _constraint_text(shapes: Graph, message: str, sent: str | None) -> str | None:
    """The sh:select (sh:ask…) text of the shapes that the parser read."""
    texts = [str(o) for p in SPARQL_TEXTS for o in shapes.objects(None, p)]
    if sent is not None:
        return next((t for t in texts if sent.rstrip().endswith(t.rstrip())), None)
    prefix = message.removeprefix(UNKNOWN_PREFIX).strip(" :")
    return next((t for t in texts if f"{prefix}:" in t), None)


def reuse_sparql_translations() -> None:
    """Parse each SHACL-SPARQL query once, not once per focus node.

    pySHACL hands rdflib the text of a constraint's query for every focus node, and rdflib
    parses it every time (a quarter of the validation time of our shapes at 10k triples). The
    translated query is reusable (rdflib's ``prepareQuery``), so it is kept, per text, base and
    prefixes. Installed once per process; the answers are the same.
    """
    query = sparql_processor.SPARQLProcessor.query
    if getattr(query, "reuses_translations", False):
        return

    def cached_query(self, query_or_text, initBindings=None, initNs=None, base=None, DEBUG=False):  # noqa: N803
        if isinstance(query_or_text, str):
            query_or_text = _translated(query_or_text, base, _frozen(initNs))
        return query(self, query_or_text, initBindings, initNs, base, DEBUG)

    cached_query.reuses_translations = True  # type: ignore[attr-defined]
    sparql_processor.SPARQLProcessor.query = cached_query  # type: ignore[method-assign]


@lru_cache(maxsize=512)
def _translated(text: str, base: str | None, namespaces: tuple | None) -> Any:
    parsed = sparql_processor.parseQuery(text)
    return sparql_processor.translateQuery(parsed, base, dict(namespaces) if namespaces else None)


def _frozen(namespaces: Mapping[str, Any] | None) -> tuple | None:
    return tuple(sorted((str(k), v) for k, v in namespaces.items())) if namespaces else None


def _results(report: Graph):
    for node in report.subjects(RDF.type, SH.ValidationResult):
        path = report.value(node, SH.resultPath)
        yield ValidationResult(
            focus_node=report.value(node, SH.focusNode),
            path=path,
            value=report.value(node, SH.value),
            severity=report.value(node, SH.resultSeverity),
            source_shape=report.value(node, SH.sourceShape),
            component=report.value(node, SH.sourceConstraintComponent),
            messages=tuple(sorted(report.objects(node, SH.resultMessage), key=str)),
            path_text=path_text(report, path),
        )


# --- parsing -------------------------------------------------------------------------------

_FORMATS = {f.name: f for f in RDF_INPUT_FORMATS}
#: Format names pySHACL's HTTP server and command use, and what they mean here.
_PYSHACL_NAMES = {"xml": "rdfxml", "json-ld": "jsonld", "nt": "ntriples", "n3": "turtle"}


def input_format(name: str | None, data: bytes = b"") -> Format:
    """The input format a name means (ours, pySHACL's or a media type); ``auto``/none: guessed.

    >>> input_format("json-ld").name, input_format("text/turtle").name
    ('jsonld', 'turtle')
    """
    wanted = (name or "auto").split(";", 1)[0].strip().lower()
    if wanted == "auto":
        return _sniff(data)
    wanted = _PYSHACL_NAMES.get(wanted, wanted)
    for fmt in RDF_INPUT_FORMATS:
        if wanted in fmt.names:
            return fmt
    known = ", ".join(["auto", *_FORMATS, *_PYSHACL_NAMES])
    raise BadRequest(f"Unknown RDF format {wanted[:60]!r}; use one of: {known}.")


def _sniff(data: bytes) -> Format:
    start = data[:512].lstrip()
    if start[:1] in (b"{", b"["):
        return JSONLD
    if start.startswith((b"<?xml", b"<rdf:RDF", b"<!DOCTYPE")):
        return RDFXML
    return TURTLE


@dataclass(frozen=True)
class Document:
    """RDF as sent: bytes, a format name (``Format.name``) and the base IRI of relative IRIs."""

    data: bytes
    format: str
    base: str | None = None

    def graph(self, shapes: bool = False, what: str = "input") -> Graph:
        return read_graph(self.data, _FORMATS[self.format], self.base, shapes=shapes, what=what)


def read_documents(
    documents: Iterable[Document], shapes: bool = False, what: str = "input"
) -> Graph:
    """Parse and merge documents (each with its own blank nodes) into one graph; ``what``
    names them in a syntax error (``data graph``: the data, not the shapes, does not parse)."""
    merged: Graph | None = None
    for document in documents:
        graph = document.graph(shapes, what)
        if merged is None:
            merged = graph
        else:
            merged += graph
    return merged if merged is not None else Graph()


def load_files(paths: list[Path], shapes: bool = False) -> Graph:
    """Parse local RDF files (format from the extension; folders: their ``*.ttl`` and ``*.trig``,
    named graphs merged) into one graph.

    Goes through :func:`kg_service.rdfio.read_graph`, so nothing named inside a file is fetched.
    A syntax error names the file ("Could not parse the turtle file shapes.ttl: … line 4").
    """
    merged = Graph()
    for file, document in _file_documents(paths):
        merged += document.graph(shapes, what=f"file {file}")
    return merged


def _file_documents(paths: list[Path]) -> Iterable[tuple[Path, Document]]:
    for path in paths:
        for file in _rdf_files(path) if path.is_dir() else [path]:
            uri = file.resolve().as_uri()
            yield file, Document(file.read_bytes(), format_for_path(file).name, uri)


def _rdf_files(folder: Path) -> list[Path]:
    return sorted([*folder.rglob("*.ttl"), *folder.rglob("*.trig")])


def format_for_path(path: Path) -> Format:
    """The RDF format a file name's extension names (Turtle if unknown)."""
    ext = path.suffix.lstrip(".").lower()
    for fmt in RDF_INPUT_FORMATS:
        if ext == fmt.extension or ext in fmt.aliases or ext == fmt.name:
            return fmt
    if ext in ("json", "owl", "xml"):
        return JSONLD if ext == "json" else RDFXML
    return TURTLE


# --- jobs for the worker processes ---------------------------------------------------------


@dataclass(frozen=True)
class Options:
    """How to validate (the ``/validate`` query parameters)."""

    inference: str = "none"
    abort_on_first: bool = False
    allow_warnings: bool = False
    meta_shacl: bool = False

    def __post_init__(self) -> None:
        if self.inference not in INFERENCE_MODES:
            raise BadRequest(
                f"inference must be one of {', '.join(INFERENCE_MODES)}, not {self.inference!r}"
            )


@dataclass(frozen=True)
class Defaults:
    """Where our own shapes and ontology are (files or folders of ``*.ttl``)."""

    shapes: str
    ontology: str


@dataclass(frozen=True)
class Job:
    """Everything one validation needs, as plain picklable data.

    ``shapes=None`` means our shapes; ``ontology`` is a sent ontology graph, and
    ``our_ontology`` adds ours. ``output`` is a graph format name, ``json`` or ``html``.
    """

    data: tuple[Document, ...]
    defaults: Defaults
    shapes: tuple[Document, ...] | None = None
    ontology: tuple[Document, ...] = ()
    our_ontology: bool = False
    options: Options = Options()
    output: str = "turtle"
    lang: str = "en"


@dataclass(frozen=True)
class Outcome:
    """The answer: ``body`` is the response (a report, the JSON, or the Turtle for a page)."""

    conforms: bool
    body: bytes
    results: list[dict] | None = None
    counts: dict[str, int] | None = None


_GRAPH_FORMATS = {f.name: f for f in GRAPH_FORMATS}
_LOADED: dict[tuple[str, bool], Graph] = {}


def _ours(path: str, shapes: bool) -> Graph:
    """Our shapes or ontology, parsed once per process."""
    key = (path, shapes)
    if key not in _LOADED:
        _LOADED[key] = load_files([Path(path)], shapes=shapes)
    return _LOADED[key]


def warm(defaults: Defaults) -> int:
    """Load our shapes and ontology into this worker ahead of the first request."""
    return len(_ours(defaults.shapes, True)) + len(_ours(defaults.ontology, False))


def run_job(job: Job) -> Outcome:
    """Parse, validate, and render the answer in ``job.output`` (runs in a worker process)."""
    data = read_documents(job.data, what="data graph")
    shapes = (
        read_documents(job.shapes, True, "shapes graph")
        if job.shapes
        else _ours(job.defaults.shapes, True)
    )
    outcome = validate(
        data,
        shapes,
        ontology=_ontology(job),
        inference=job.options.inference,
        abort_on_first=job.options.abort_on_first,
        allow_warnings=job.options.allow_warnings,
        meta_shacl=job.options.meta_shacl,
        inplace=True,
    )
    return render_outcome(outcome, job.output, job.lang)


def _ontology(job: Job) -> Graph | None:
    sent = read_documents(job.ontology, what="ontology graph") if job.ontology else None
    if not job.our_ontology:
        return sent
    ours = _ours(job.defaults.ontology, False)
    return ours if sent is None else sent + ours


def render_outcome(outcome: Validation, output: str, lang: str = "en") -> Outcome:
    """The response body for ``output``: an RDF report, the JSON answer, or a page's data."""
    if output == "json":
        body = json.dumps(outcome.json(lang), ensure_ascii=False).encode("utf-8")
        return Outcome(outcome.conforms, body)
    if output == "html":
        records = outcome.records(lang)
        counts = _severity_counts(records)
        return Outcome(outcome.conforms, outcome.serialized(TURTLE), records, counts)
    return Outcome(outcome.conforms, outcome.serialized(_GRAPH_FORMATS[output]))


def _severity_counts(records: list[dict]) -> dict[str, int]:
    counts = {"Violation": 0, "Warning": 0, "Info": 0}
    for r in records:
        key = r["severity"] or "Violation"
        counts[key] = counts.get(key, 0) + 1
    return counts
