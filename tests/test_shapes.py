"""The SHACL shapes (shapes/*.ttl) tested like code.

- the shapes graph passes SHACL-SHACL (pySHACL ``meta_shacl``);
- every class used in data/ has a node shape that targets it (``sh:targetClass``);
- every property shape and SPARQL constraint has an English ``sh:message``;
- every named node shape and every SPARQL constraint has a broken fixture
  ``tests/fixtures/shapes/{Name}.ttl`` (Name = the local name of ``bkgsh:{Name}``); merged
  with the valid ``_context.ttl``, each fixture is reported by that shape or constraint on its
  ``# focus: <IRI>`` node — and by nothing else;
- the real data (data/ + ontology) conforms, as the build requires.

Fixtures are validated the way the build validates: :func:`kg_service.validation.validate`
(pySHACL, SHACL-SPARQL on), the ontology as ``ont_graph``, no inference. A fixture of a
``sh:Warning`` shape must produce that warning and still pass the build (warnings are advice).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from pyshacl.entrypoints import meta_validate
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from kg_service.validation.core import Validation, load_files, validate

ROOT = Path(__file__).resolve().parent.parent
SHAPES_DIR = ROOT / "shapes"
ONTOLOGY_DIR = ROOT / "ontology"
DATA_DIR = ROOT / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "shapes"
CONTEXT = FIXTURES / "_context.ttl"

SH = Namespace("http://www.w3.org/ns/shacl#")
BKGSH = Namespace("https://w3id.org/benelux-kg/shapes/")
FOCUS = re.compile(r"^#\s*focus:\s*<([^>]+)>", re.MULTILINE)


# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------


@cache
def shapes_graph() -> Graph:
    return load_files([SHAPES_DIR])


@cache
def ontology_graph() -> Graph:
    return load_files([ONTOLOGY_DIR])


def fixture_files() -> list[Path]:
    """The broken fixtures: every ``*.ttl`` of the folder except ``_``-prefixed helpers."""
    return sorted(p for p in FIXTURES.glob("*.ttl") if not p.name.startswith("_"))


def named(node: Node | None) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(str(BKGSH))


def node_shapes(shapes: Graph) -> set[URIRef]:
    return {s for s in shapes.subjects(RDF.type, SH.NodeShape) if named(s)}


def property_shapes(shapes: Graph) -> set[Node]:
    return set(shapes.objects(None, SH.property))


def sparql_constraints(shapes: Graph) -> set[Node]:
    return set(shapes.objects(None, SH.sparql))


def local_name(iri: Node) -> str:
    return str(iri).removeprefix(str(BKGSH))


def focus_of(fixture: Path) -> URIRef:
    """The focus node a fixture declares in its ``# focus: <IRI>`` comment line."""
    match = FOCUS.search(fixture.read_text(encoding="utf-8"))
    assert match, f"{fixture.name} has no '# focus: <IRI>' comment line"
    return URIRef(match.group(1))


def run(data: Graph) -> Validation:
    """Validate as the build does (ontology as ont_graph, no inference, warnings allowed)."""
    return validate(data, shapes_graph(), ontology=ontology_graph(), allow_warnings=True)


@dataclass(frozen=True)
class Row:
    """One validation result, with the ``sh:sourceConstraint`` that SPARQL results carry."""

    focus: Node | None
    shape: Node | None
    constraint: Node | None
    severity: Node | None


def rows(outcome: Validation) -> list[Row]:
    report = outcome.report
    return [
        Row(
            report.value(r, SH.focusNode),
            report.value(r, SH.sourceShape),
            report.value(r, SH.sourceConstraint),
            report.value(r, SH.resultSeverity),
        )
        for r in report.subjects(RDF.type, SH.ValidationResult)
    ]


def from_target(shapes: Graph, target: URIRef, row: Row) -> bool:
    """True when ``row`` comes from ``target``: the shape (or its property shapes) or the
    SPARQL constraint (reported with its owner shape as source shape)."""
    if target in sparql_constraints(shapes):
        return row.constraint == target and (row.shape, SH.sparql, target) in shapes
    return row.shape == target or (target, SH.property, row.shape) in shapes


def severity_of(shapes: Graph, target: URIRef) -> URIRef:
    """The severity a result of ``target`` has (a SPARQL constraint's is its owner's)."""
    shape = shapes.value(None, SH.sparql, target) if target in sparql_constraints(shapes) else None
    return shapes.value(shape or target, SH.severity) or SH.Violation


def has_english(shapes: Graph, node: Node) -> bool:
    messages = shapes.objects(node, SH.message)
    return any(isinstance(m, Literal) and m.language == "en" for m in messages)


def classes_used(data: Graph) -> set[Node]:
    return set(data.objects(None, RDF.type))


# ---------------------------------------------------------------------------------------
# The shapes graph itself
# ---------------------------------------------------------------------------------------


def test_shapes_pass_shacl_shacl():
    conforms, _, text = meta_validate(shapes_graph())
    assert conforms, text


def test_validating_with_meta_shacl_accepts_the_shapes():
    # pySHACL raises ReportableRuntimeError here if the shapes fail SHACL-SHACL
    outcome = validate(Graph(), shapes_graph(), meta_shacl=True)
    assert outcome.conforms, outcome.text()


def test_node_shapes_are_named_iris_in_the_shapes_namespace():
    shapes = shapes_graph()
    anonymous = [s for s in shapes.subjects(RDF.type, SH.NodeShape) if not named(s)]
    assert not anonymous, f"blank or foreign node shapes: {anonymous}"
    assert len(node_shapes(shapes)) >= 27


def test_every_constraint_has_an_english_message():
    shapes = shapes_graph()
    constraints = property_shapes(shapes) | sparql_constraints(shapes)
    silent = sorted(str(c) for c in constraints if not has_english(shapes, c))
    assert not silent, f"no sh:message@en: {silent}"


def test_every_ontology_class_has_a_node_shape():
    targeted = set(shapes_graph().objects(None, SH.targetClass))
    ontology = ontology_graph()
    ours = {
        c
        for c in ontology.subjects(RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class"))
        if str(c).startswith("https://w3id.org/benelux-kg/def/")
    }
    assert not sorted(ours - targeted), f"no sh:targetClass for {sorted(ours - targeted)}"


def test_every_class_used_in_the_data_has_a_node_shape():
    data = load_files([DATA_DIR])
    assert len(data) > 1000
    targeted = set(shapes_graph().objects(None, SH.targetClass))
    missing = sorted(classes_used(data) - targeted)
    assert not missing, f"classes used in data/ without a node shape: {missing}"


# ---------------------------------------------------------------------------------------
# Fixtures: one broken file per shape / SPARQL constraint
# ---------------------------------------------------------------------------------------


def test_the_context_of_the_fixtures_is_valid():
    outcome = run(load_files([CONTEXT]))
    assert outcome.conforms and not outcome.results, outcome.text()


def test_every_node_shape_and_sparql_constraint_has_a_fixture():
    shapes = shapes_graph()
    wanted = {local_name(s) for s in node_shapes(shapes) | sparql_constraints(shapes)}
    present = {p.stem for p in fixture_files()}
    assert not sorted(wanted - present), f"no fixture for {sorted(wanted - present)}"


def test_every_fixture_names_a_shape_or_constraint():
    shapes = shapes_graph()
    known = {local_name(s) for s in shapes.subjects() if named(s)}
    unknown = sorted(p.name for p in fixture_files() if p.stem not in known)
    assert not unknown, f"fixtures named after no bkgsh: shape or constraint: {unknown}"


@pytest.mark.parametrize("fixture", fixture_files(), ids=lambda p: p.stem)
def test_fixture_is_caught_by_its_shape_only(fixture: Path):
    shapes = shapes_graph()
    target, focus = BKGSH[fixture.stem], focus_of(fixture)
    outcome = run(load_files([CONTEXT, fixture]))
    found = rows(outcome)
    expected = severity_of(shapes, target)
    hits = [r for r in found if from_target(shapes, target, r) and r.focus == focus]
    assert hits, f"{target} did not report {focus}:\n{outcome.text()}"
    assert all(r.severity == expected for r in hits), outcome.text()
    others = [r for r in found if not from_target(shapes, target, r)]
    assert not others, f"other shapes fired too:\n{outcome.text()}"
    assert outcome.conforms is (expected != SH.Violation), outcome.text()


# ---------------------------------------------------------------------------------------
# The real data
# ---------------------------------------------------------------------------------------


def test_the_real_data_conforms():
    outcome = run(load_files([DATA_DIR]))
    assert outcome.conforms, outcome.text()
