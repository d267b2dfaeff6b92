"""Every asserted statement has a home: the named graph of the one source that states it.

The data files put each statement in the named graph of the section of a seed document (a slide
of the deck, a part of the plan) or of the listed external source that states it; a statement
two sections make is in both graphs. The sources graph (``data/sources.ttl``) says, for each
such graph, which section or source it holds: exactly one ``prov:wasDerivedFrom``. Statements no
section makes in so many words, but worth keeping, live in the interpretation graph, each
described by a ``bkg:Interpretation`` (``rdf:subject``, ``rdf:predicate``, ``rdf:object``) with an
editorial note in French, Dutch and English saying what was read and why (one ``rdf:object``
per statement it stands for).

The ontology and sources graphs describe the terms and the sources themselves and need no home,
but the sources graph may describe nothing else: a statement there about the Union, a country or
any other thing would escape the check, so it fails it too. The inferred graph is computed after
this check. :func:`check_homes` fails the build, naming the
graph, its files, why it is no home and an example statement, when anything else is asserted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from kg_service.errors import BuildError
from kg_service.rdf.namespaces import (
    BKG,
    GRAPH,
    INFERRED_GRAPH,
    INTERPRETATION_GRAPH,
    ONTOLOGY_GRAPH,
    PROV_DERIVED,
    SOURCES_GRAPH,
)

__all__ = ["NOTE_LANGUAGES", "Homeless", "check_homes", "homeless"]

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE = RDF + "type"
#: The properties that carry an interpretation's note (the issue allows either).
NOTE_PROPERTIES = frozenset(
    {
        "http://www.w3.org/2004/02/skos/core#editorialNote",
        "http://www.w3.org/2000/01/rdf-schema#comment",
    }
)
NOTE_LANGUAGES = frozenset({"fr", "nl", "en"})
SOURCE_CLASSES = frozenset({str(BKG.DocumentSection), str(BKG.ExternalSource)})
#: What the sources graph may describe (and graphs, by their IRI): the sources themselves.
SOURCE_DESCRIPTIONS = SOURCE_CLASSES | {str(BKG.SourceDocument), str(BKG.SourceGraph)}
#: Graphs that describe terms and sources, or are derived: they need no home.
EXEMPT = frozenset({str(ONTOLOGY_GRAPH), str(SOURCES_GRAPH), str(INFERRED_GRAPH)})
_EXAMPLES = 3


@dataclass(frozen=True)
class Homeless:
    """Statements of one graph that have no home, and why."""

    graph: str
    reason: str
    statements: tuple[ox.Quad, ...]

    def text(self, files: Iterable[str] = ()) -> str:
        where = f" ({', '.join(sorted(files))})" if files else ""
        lines = [f"<{self.graph}>{where}: {len(self.statements)} statement(s); {self.reason}"]
        lines += [f"    e.g. {_triple(q)}" for q in self.statements[:_EXAMPLES]]
        return "\n".join(lines)


def homeless(quads: Iterable[ox.Quad]) -> list[Homeless]:
    """The statements of ``quads`` that no section's, source's or interpretation graph holds."""
    by_graph: dict[str, list[ox.Quad]] = defaultdict(list)
    for q in quads:
        by_graph[_graph_name(q)].append(q)
    sources = by_graph.get(str(SOURCES_GRAPH), [])
    types, derived = _objects(sources, RDF_TYPE), _objects(sources, PROV_DERIVED)
    problems = []
    for graph, statements in sorted(by_graph.items()):
        if graph == str(SOURCES_GRAPH):
            problem = _not_about_sources(statements, types)
        elif graph in EXEMPT:
            continue
        elif graph == str(INTERPRETATION_GRAPH):
            problem = _unnoted(statements)
        else:
            problem = _no_home(graph, statements, derived.get(graph, set()), types)
        if problem:
            problems.append(problem)
    return problems


def check_homes(quads: Iterable[ox.Quad], files: Mapping[str, Iterable[str]] | None = None) -> None:
    """Raise :class:`BuildError` naming every graph whose statements have no home."""
    problems = homeless(quads)
    if not problems:
        return
    files = files or {}
    raise BuildError(
        "Asserted statements without a home. Each statement belongs in the named graph of the "
        "section or external source that states it (a GRAPH block of data/*.trig, described in "
        "data/sources.ttl with exactly one prov:wasDerivedFrom that section or source), or in "
        f"<{INTERPRETATION_GRAPH}> described by a bkg:Interpretation with its note in fr, nl "
        "and en:\n  " + "\n  ".join(p.text(files.get(p.graph, ())) for p in problems)
    )


def _no_home(
    graph: str, statements: list[ox.Quad], sources: set[str], types: dict[str, set[str]]
) -> Homeless | None:
    if graph == "":
        reason = "outside any GRAPH block"
    elif not sources:
        reason = "the sources graph does not say which section or source this graph holds"
    elif len(sources) > 1:
        reason = f"the graph is linked to {len(sources)} sources, not exactly one"
    elif not types.get(source := next(iter(sources)), set()) & SOURCE_CLASSES:
        reason = f"<{source}> is neither a bkg:DocumentSection nor a bkg:ExternalSource"
    else:
        return None
    return Homeless(graph or "(default graph)", reason, tuple(statements))


def _not_about_sources(statements: list[ox.Quad], types: dict[str, set[str]]) -> Homeless | None:
    """Statements of the sources graph about anything but a document, section, external source
    or graph: they belong in the graph of the section or source that states them."""
    stray = [
        q
        for q in statements
        if not types.get(q.subject.value, set()) & SOURCE_DESCRIPTIONS
        and not q.subject.value.startswith(str(GRAPH))
    ]
    if not stray:
        return None
    reason = (
        "the sources graph describes only documents, sections, external sources and graphs; "
        "these statements are about something else"
    )
    return Homeless(str(SOURCES_GRAPH), reason, tuple(stray))


def _unnoted(statements: list[ox.Quad]) -> Homeless | None:
    """Statements of the interpretation graph that no noted bkg:Interpretation describes."""
    interpretations = {
        q.subject.value
        for q in statements
        if q.predicate.value == RDF_TYPE and q.object.value == str(BKG.Interpretation)
    }
    about: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    notes: dict[str, set[str]] = defaultdict(set)
    for q in statements:
        subject = q.subject.value
        if subject not in interpretations:
            continue
        if q.predicate.value in (RDF + "subject", RDF + "predicate", RDF + "object"):
            about[subject][q.predicate.value.removeprefix(RDF)].add(q.object)
        elif q.predicate.value in NOTE_PROPERTIES and isinstance(q.object, ox.Literal):
            notes[subject].add(q.object.language or "")
    # one rdf:subject, one rdf:predicate, one statement per rdf:object
    noted = {
        (s, p, o)
        for i, a in about.items()
        if len(a["subject"]) == len(a["predicate"]) == 1 and notes[i] >= NOTE_LANGUAGES
        for s in a["subject"]
        for p in a["predicate"]
        for o in a["object"]
    }
    bare = [
        q
        for q in statements
        if q.subject.value not in interpretations
        and (q.subject, q.predicate, q.object) not in noted
    ]
    if not bare:
        return None
    reason = (
        "no bkg:Interpretation of this graph describes them with rdf:subject, rdf:predicate, "
        "rdf:object and a note (skos:editorialNote) in fr, nl and en"
    )
    return Homeless(str(INTERPRETATION_GRAPH), reason, tuple(bare))


def _graph_name(q: ox.Quad) -> str:
    return "" if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value


def _objects(quads: list[ox.Quad], predicate: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for q in quads:
        if q.predicate.value == predicate and not isinstance(q.object, ox.Literal):
            found[q.subject.value].add(q.object.value)
    return found


def _triple(q: ox.Quad) -> str:
    return f"{q.subject} {q.predicate} {q.object}"
