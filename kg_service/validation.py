"""SHACL validation core, shared by the build, the command and the HTTP service.

It takes rdflib graphs (never strings: pySHACL would treat a short string as a path or URL),
never follows ``owl:imports``, and turns pySHACL's report into plain results a person can act on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pyshacl import validate as pyshacl_validate
from rdflib import RDF, Dataset, Graph, Literal, Namespace
from rdflib.term import Node

from .errors import BadRequest
from .formats import JSONLD, RDF_INPUT_FORMATS, RDFXML, TURTLE, Format
from .rdfio import parse_graph

__all__ = ["Validation", "ValidationResult", "format_for_path", "load_files", "validate"]

SH = Namespace("http://www.w3.org/ns/shacl#")
INFERENCE_MODES = ("none", "rdfs", "owlrl")


@dataclass(frozen=True)
class ValidationResult:
    """One ``sh:ValidationResult``, flattened."""

    focus_node: Node | None
    path: Node | None
    value: Node | None
    severity: Node | None
    source_shape: Node | None
    component: Node | None
    messages: tuple[Literal, ...]

    def message(self, lang: str = "en") -> str:
        """The message in ``lang`` if the shape has one, else any message."""
        for m in self.messages:
            if m.language == lang:
                return str(m)
        return str(self.messages[0]) if self.messages else ""


@dataclass
class Validation:
    """The outcome: ``conforms``, the report graph, and the results as plain records."""

    conforms: bool
    report: Graph
    results: list[ValidationResult] = field(default_factory=list)

    def text(self, lang: str = "en") -> str:
        """A readable summary: one block per result, grouped by focus node."""
        if self.conforms and not self.results:
            return "Conforms: no validation results."
        head = "Conforms" if self.conforms else "Does NOT conform"
        lines = [f"{head}: {len(self.results)} result(s)."]
        for r in sorted(self.results, key=lambda r: (str(r.focus_node), str(r.path))):
            severity = str(r.severity).rsplit("#", 1)[-1] if r.severity else "Violation"
            lines.append(f"- {severity} on {r.focus_node}")
            if r.path is not None:
                lines.append(f"    path:    {r.path}")
            if r.value is not None:
                lines.append(f"    value:   {r.value}")
            lines.append(f"    message: {r.message(lang)}")
            lines.append(f"    shape:   {r.source_shape}  ({_local(r.component)})")
        return "\n".join(lines)


def _local(iri: Node | None) -> str:
    return str(iri).rsplit("#", 1)[-1] if iri is not None else ""


def validate(
    data: Graph,
    shapes: Graph,
    *,
    ontology: Graph | None = None,
    inference: str = "none",
    abort_on_first: bool = False,
    allow_warnings: bool = False,
    meta_shacl: bool = False,
) -> Validation:
    """Validate ``data`` against ``shapes`` with pySHACL (SHACL Core + SHACL-SPARQL)."""
    if inference not in INFERENCE_MODES:
        raise BadRequest(f"inference must be one of {', '.join(INFERENCE_MODES)}")
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
    )
    return Validation(bool(conforms), report, list(_results(report)))


def _results(report: Graph):
    for node in report.subjects(RDF.type, SH.ValidationResult):
        yield ValidationResult(
            focus_node=report.value(node, SH.focusNode),
            path=report.value(node, SH.resultPath),
            value=report.value(node, SH.value),
            severity=report.value(node, SH.resultSeverity),
            source_shape=report.value(node, SH.sourceShape),
            component=report.value(node, SH.sourceConstraintComponent),
            messages=tuple(sorted(report.objects(node, SH.resultMessage), key=str)),
        )


def load_files(paths: list[Path]) -> Graph:
    """Parse local RDF files (format from the extension; folders: their ``*.ttl``) into one graph.

    Goes through :func:`kg_service.rdfio.parse_graph`, so nothing named inside a file is fetched.
    """
    graph = Graph()
    for path in paths:
        files = sorted(path.rglob("*.ttl")) if path.is_dir() else [path]
        for file in files:
            parsed = parse_graph(file.read_bytes(), format_for_path(file), base=file.as_uri())
            for s, p, o, *_ in parsed.quads() if isinstance(parsed, Dataset) else parsed:
                graph.add((s, p, o))
    return graph


def format_for_path(path: Path) -> Format:
    """The RDF format a file name's extension names (Turtle if unknown)."""
    ext = path.suffix.lstrip(".").lower()
    for fmt in RDF_INPUT_FORMATS:
        if ext == fmt.extension or ext in fmt.aliases or ext == fmt.name:
            return fmt
    if ext in ("json", "owl", "xml"):
        return JSONLD if ext == "json" else RDFXML
    return TURTLE
