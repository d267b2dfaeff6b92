"""The ontology as its documentation page (``/def/``) shows it: terms, their links, their use.

One model per store snapshot, built from the ontology graph and the counts of
:mod:`kg_service.web.ontology_usage`; the language is chosen only when the page is rendered, so
the one model serves fr, nl and en. Every term a section points to is a :class:`Ref` that reads
as a label or a CURIE (``org:Organization``), never as a bare IRI: the graph comes from the
store as N-Triples, with no prefixes bound, and rdflib wrote ``<https://…/def/Agreement>``.

>>> curie("http://www.w3.org/ns/org#Organization")
'org:Organization'
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.namespace import SKOS

from kg_service.rdf.namespaces import BKG, COMMON_PREFIXES, ONTOLOGY_IRI, PREFIXES
from kg_service.web.i18n import LANGUAGES

__all__ = [
    "KINDS",
    "Counted",
    "OntologyDocs",
    "Ref",
    "Term",
    "Usage",
    "curie",
    "docs_model",
    "in_language",
]

#: The sections of the page, in order: what ``rdf:type`` puts a term in each.
KINDS: dict[str, tuple[URIRef, ...]] = {
    "classes": (OWL.Class, RDFS.Class),
    "object_properties": (OWL.ObjectProperty,),
    "datatype_properties": (OWL.DatatypeProperty,),
    "named_individuals": (),  # ours, typed, and none of the above
}
_NOT_INDIVIDUALS = {t for types in KINDS.values() for t in types} | {
    OWL.Ontology,
    OWL.AnnotationProperty,
    RDF.Property,
    RDFS.Datatype,
}
#: Longest namespace first, so ``bkgg:`` wins over a shorter prefix of it.
_PREFIXES = sorted(
    {**COMMON_PREFIXES, **PREFIXES}.items(), key=lambda item: len(item[1]), reverse=True
)


def curie(iri: str) -> str:
    """``prefix:name`` for a known namespace; else the IRI's last segment (still no ``<…>``)."""
    for prefix, namespace in _PREFIXES:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1] or iri


def in_language(values: Mapping[str, str], lang: str) -> tuple[str, str | None] | None:
    """The value in ``lang`` (with None), else one in another language (with that language, for
    a ``lang`` attribute), else None."""
    if values.get(lang):
        return values[lang], None
    for other in (*LANGUAGES, ""):
        if values.get(other):
            return values[other], other or None
    return next(((v, k or None) for k, v in values.items() if v), None)


@dataclass(frozen=True)
class Ref:
    """A term a section points to: one of ours (its section on the page) or an outside one."""

    iri: str
    href: str
    labels: Mapping[str, str]
    curie: str

    @property
    def external(self) -> bool:
        return not self.iri.startswith(str(BKG))

    def text(self, lang: str) -> tuple[str, str | None]:
        """The label to show in ``lang`` and the language to mark it with when it differs."""
        return in_language(self.labels, lang) or (self.curie, None)


@dataclass(frozen=True)
class Counted:
    """A class seen with a property in the data, and in how many statements."""

    ref: Ref
    n: int


@dataclass
class Term:
    """One class, property or named individual, with everything its section shows."""

    ref: Ref
    name: str
    kind: str
    definitions: dict[str, str]
    parents: list[Ref] = field(default_factory=list)
    children: list[Ref] = field(default_factory=list)
    domain: list[Ref] = field(default_factory=list)
    range: list[Ref] = field(default_factory=list)
    inverse: list[Ref] = field(default_factory=list)
    types: list[Ref] = field(default_factory=list)
    domain_of: list[Ref] = field(default_factory=list)
    range_of: list[Ref] = field(default_factory=list)
    subjects: list[Counted] = field(default_factory=list)
    values: list[Counted] = field(default_factory=list)
    usage: int = 0

    def label(self, lang: str) -> tuple[str, str | None]:
        return self.ref.text(lang)

    def definition(self, lang: str) -> tuple[str, str | None] | None:
        return in_language(self.definitions, lang)

    def other_labels(self, lang: str) -> list[tuple[str, str]]:
        """The labels in the other languages, as (language, label), in the order fr, nl, en."""
        labels = self.ref.labels
        return [(code, labels[code]) for code in LANGUAGES if code != lang and labels.get(code)]


@dataclass
class OntologyDocs:
    """Every documented term by section; what the counts of the data say is already in them."""

    sections: dict[str, list[Term]]

    def ordered(self, kind: str, lang: str) -> list[Term]:
        """A section's terms by label in ``lang``, accents aside (how a reader looks for them)."""
        return sorted(self.sections[kind], key=lambda term: _sort_key(term.label(lang)[0]))

    def hierarchy(self, lang: str) -> list[tuple[Term, list]]:
        """The class tree as nested (class, subtrees), each level in label order."""
        classes = self.ordered("classes", lang)
        ours = {c.ref.iri for c in classes}
        by_parent: dict[str, list[Term]] = {}
        for c in classes:
            for parent in [p.iri for p in c.parents if p.iri in ours] or [""]:
                by_parent.setdefault(parent, []).append(c)
        return _subtrees(by_parent, "", set())


@dataclass(frozen=True)
class Usage:
    """The counts of the data the page shows (:mod:`kg_service.web.ontology_usage`)."""

    statements: Mapping[str, int]
    instances: Mapping[str, int]
    references: Mapping[str, int]
    used_with: Mapping[tuple[str, str], list[tuple[str, int]]]


def docs_model(graph: Graph, usage: Usage) -> OntologyDocs:
    """The documentation of ``graph``'s own terms, with the ``usage`` of the data."""
    kinds = {node: kind for node, kind in _our_terms(graph)}
    refs = _Refs(graph, kinds)
    sections: dict[str, list[Term]] = {kind: [] for kind in KINDS}
    for node, kind in kinds.items():
        sections[kind].append(_term(graph, node, kind, refs, usage))
    return OntologyDocs(sections)


def _our_terms(graph: Graph) -> Iterable[tuple[URIRef, str]]:
    for node in set(graph.subjects(RDF.type, None)):
        if not isinstance(node, URIRef) or not _ours(node) or node == ONTOLOGY_IRI:
            continue
        types = set(graph.objects(node, RDF.type))
        kind = next((k for k, of in KINDS.items() if types & set(of)), None)
        if kind or not types & _NOT_INDIVIDUALS:
            yield node, kind or "named_individuals"


def _ours(node: URIRef) -> bool:
    return str(node).startswith(str(BKG)) and len(str(node)) > len(str(BKG))


class _Refs:
    """Makes the :class:`Ref` of any IRI: an anchor for a documented term, else its address."""

    def __init__(self, graph: Graph, documented: Mapping[URIRef, str]) -> None:
        self.graph = graph
        self.documented = documented

    def __call__(self, iri: URIRef) -> Ref:
        labels = _by_lang(self.graph, iri, RDFS.label) or _by_lang(self.graph, iri, SKOS.prefLabel)
        return Ref(str(iri), self._href(iri), labels, curie(str(iri)))

    def _href(self, iri: URIRef) -> str:
        name = str(iri)[len(str(BKG)) :]
        if iri in self.documented:
            return f"#{name}"
        return f"/def/{name}" if _ours(iri) else str(iri)

    def objects(self, node: URIRef, prop: URIRef) -> list[Ref]:
        found = self.graph.objects(node, prop)
        return sorted((self(o) for o in found if isinstance(o, URIRef)), key=lambda r: r.curie)

    def subjects(self, prop: URIRef, node: URIRef) -> list[Ref]:
        found = self.graph.subjects(prop, node)
        return sorted((self(s) for s in found if isinstance(s, URIRef)), key=lambda r: r.curie)


def _term(graph: Graph, node: URIRef, kind: str, refs: _Refs, usage: Usage) -> Term:
    is_class = kind == "classes"
    up, down = (RDFS.subClassOf, RDFS.subClassOf) if is_class else (RDFS.subPropertyOf,) * 2
    iri = str(node)
    term = Term(
        ref=refs(node),
        name=iri[len(str(BKG)) :],
        kind=kind,
        definitions=_by_lang(graph, node, SKOS.definition) or _by_lang(graph, node, RDFS.comment),
        parents=refs.objects(node, up),
        children=refs.subjects(down, node),
        domain=refs.objects(node, RDFS.domain),
        range=refs.objects(node, RDFS.range),
        # ``owl:inverseOf`` may be stated from either side, or from both
        inverse=_unique(refs.objects(node, OWL.inverseOf) + refs.subjects(OWL.inverseOf, node)),
    )
    if is_class:
        term.domain_of = refs.subjects(RDFS.domain, node)
        term.range_of = refs.subjects(RDFS.range, node)
        term.usage = usage.instances.get(iri, 0)
    elif kind == "named_individuals":
        term.parents = term.children = []
        term.types = refs.objects(node, RDF.type)
        term.usage = usage.references.get(iri, 0)
    else:
        term.subjects = _counted(refs, usage.used_with.get((iri, "subject"), []))
        term.values = _counted(refs, usage.used_with.get((iri, "value"), []))
        term.usage = usage.statements.get(iri, 0)
    return term


def _unique(refs: list[Ref]) -> list[Ref]:
    return list({ref.iri: ref for ref in refs}.values())


def _counted(refs: _Refs, rows: list[tuple[str, int]]) -> list[Counted]:
    return [Counted(refs(URIRef(iri)), n) for iri, n in sorted(rows, key=lambda r: (-r[1], r[0]))]


def _by_lang(graph: Graph, node: URIRef, prop: URIRef) -> dict[str, str]:
    return {getattr(o, "language", None) or "": str(o) for o in graph.objects(node, prop)}


def _sort_key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _subtrees(
    by_parent: Mapping[str, list[Term]], parent: str, seen: set[str]
) -> list[tuple[Term, list]]:
    # ``seen`` guards against a subclass cycle in an edited ontology (OWL allows one)
    trees = []
    for term in by_parent.get(parent, []):
        if term.ref.iri not in seen:
            trees.append((term, _subtrees(by_parent, term.ref.iri, seen | {term.ref.iri})))
    return trees
