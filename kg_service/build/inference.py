"""The OWL 2 RL closure (owlrl), kept to what says something new about our own resources."""

from __future__ import annotations

from owlrl import OWLRL_Semantics
from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.term import Node

from kg_service.errors import BuildError
from kg_service.rdf.namespaces import BASE

__all__ = ["infer"]


_TAUTOLOGIES = {
    OWL.sameAs,
    OWL.equivalentClass,
    OWL.equivalentProperty,
    RDFS.subClassOf,
    RDFS.subPropertyOf,
}


def _informative(triple: tuple[Node, Node, Node]) -> bool:
    """True for entailments about our own resources and terms that say something new.

    Dropped: reflexive tautologies, ``owl:Thing`` typing, and anything whose subject is not
    one of ours (built-in vocabularies; external IRIs that ``owl:sameAs`` would copy our
    statements onto, such as Wikidata items).
    """
    s, p, o = triple
    if not isinstance(s, URIRef) or not str(s).startswith(BASE):
        return False
    if p in _TAUTOLOGIES and s == o:
        return False
    return not (p == RDF.type and o == OWL.Thing)


def infer(asserted: Graph) -> Graph:
    """The informative new triples of the OWL 2 RL closure; raise if inconsistent."""
    closure = Graph()
    for triple in asserted:
        closure.add(triple)
    reasoner = OWLRL_Semantics(closure, False, False, rdfs=False)
    reasoner.closure()
    problems = list(reasoner.error_messages)
    problems += [f"{s} is a member of owl:Nothing" for s in closure.subjects(RDF.type, OWL.Nothing)]
    if problems:
        raise BuildError("The graph is inconsistent under OWL 2 RL:\n  " + "\n  ".join(problems))
    inferred = Graph()
    for triple in closure:
        if triple not in asserted and _informative(triple) and not _error_triple(triple):
            inferred.add(triple)
    return inferred


def _error_triple(triple: tuple[Node, Node, Node]) -> bool:
    return "daml.org/2002/03/agents" in str(triple[1]) + str(triple[2])
