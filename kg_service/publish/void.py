"""The VoID description of the dataset (``/.well-known/void``, W3C VoID §6.2).

Statistics are counted with SPARQL through the store, over the stored default graph and the
named graphs (so they do not depend on whether the default graph is their union) and over
distinct triples (a triple held by two graphs counts once, as in the merged Turtle dump).
:func:`void_statistics` is what a process caches (until the next update); :func:`describe_void`
turns it into a graph for the request's host.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, XSD

from kg_service.publish.catalog import (
    DATASET,
    DESCRIPTIONS,
    LICENSE_CC_BY,
    PUBLISHER,
    TITLES,
    Links,
    dump_iri,
)
from kg_service.publish.dumps import DumpIndex
from kg_service.query.contract import Store, select
from kg_service.rdf.namespaces import BASE, PREFIXES

__all__ = ["URI_SPACE", "VOID", "VoidStatistics", "describe_void", "void_statistics"]

VOID = Namespace("http://rdfs.org/ns/void#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
URI_SPACE = BASE + "id/"
ROOT_RESOURCE = URIRef(URI_SPACE + "organisation/benelux-union")

#: The W3C format IRI of each dump format (``void:feature``).
_FEATURES = {
    "nquads": "N-Quads",
    "trig": "TriG",
    "jsonld": "JSON-LD",
    "turtle": "Turtle",
    "ntriples": "N-Triples",
}

#: every graph of the dataset: the default graph (the union, or the stored one) and the named
_EVERYWHERE = "{{ {{ {triple} }} UNION {{ GRAPH ?g {{ {triple} }} }} }}"
_DISTINCT = "SELECT DISTINCT ?s ?p ?o WHERE " + _EVERYWHERE.format(triple="?s ?p ?o")
TOTALS = f"""SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
  (COUNT(DISTINCT ?p) AS ?properties) (COUNT(DISTINCT ?o) AS ?objects)
WHERE {{ {_DISTINCT} }}"""
ENTITIES = f"""SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {_EVERYWHERE.format(triple="?s ?p ?o")}
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{URI_SPACE}")) }}"""
CLASSES = f"""SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {_EVERYWHERE.format(triple="?s a ?c")}
  FILTER(isIRI(?c)) }} GROUP BY ?c ORDER BY ?c"""
PROPERTIES = f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ {_DISTINCT} }} GROUP BY ?p ORDER BY ?p"


@dataclass(frozen=True)
class VoidStatistics:
    """What VoID says about the size and shape of the dataset."""

    triples: int
    entities: int
    distinct_subjects: int
    distinct_objects: int
    properties: dict[str, int] = field(default_factory=dict)
    classes: dict[str, int] = field(default_factory=dict)

    @property
    def vocabularies(self) -> list[str]:
        """The namespaces of every property and class used, sorted."""
        return sorted({namespace_of(iri) for iri in (*self.properties, *self.classes)})


def namespace_of(iri: str) -> str:
    """The namespace of a term: up to its last ``#`` or ``/``.

    >>> namespace_of("http://www.w3.org/2004/02/skos/core#prefLabel")
    'http://www.w3.org/2004/02/skos/core#'
    """
    for prefix in PREFIXES.values():
        if iri.startswith(prefix) and "/" not in iri[len(prefix) :].strip("/"):
            return prefix
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1] if cut > 0 else iri


def _count(row: dict, name: str) -> int:
    return int(row[name]["value"]) if name in row else 0


async def void_statistics(store: Store) -> VoidStatistics:
    """Count triples, entities, subjects, objects, and each class's and property's share."""
    totals = (await select(store, TOTALS))[0]
    entities = (await select(store, ENTITIES))[0]
    classes = {r["c"]["value"]: _count(r, "n") for r in await select(store, CLASSES)}
    properties = {r["p"]["value"]: _count(r, "n") for r in await select(store, PROPERTIES)}
    return VoidStatistics(
        triples=_count(totals, "triples"),
        entities=_count(entities, "n"),
        distinct_subjects=_count(totals, "subjects"),
        distinct_objects=_count(totals, "objects"),
        properties=properties,
        classes=classes,
    )


def _int(n: int) -> Literal:
    return Literal(n, datatype=XSD.integer)


def _partition(kind: str, iri: str) -> BNode:
    """A stable blank node for a partition, so the same data gives the same document."""
    return BNode(f"{kind}{hashlib.sha1(iri.encode()).hexdigest()[:16]}")


def describe_void(links: Links, stats: VoidStatistics, dumps: DumpIndex) -> Graph:
    """The VoID graph: the dataset, its statistics, partitions, dumps and endpoint."""
    g = Graph(bind_namespaces="core")
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    g.bind("void", VOID)
    g.bind("formats", FORMATS)
    document = URIRef(links.void)
    g.add((document, RDF.type, VOID.DatasetDescription))
    g.add((document, DCTERMS.title, Literal("VoID description of benelux-kg", lang="en")))
    g.add((document, FOAF.primaryTopic, DATASET))
    _dataset(g, links, dumps)
    _statistics(g, stats)
    return g


def _dataset(g: Graph, links: Links, dumps: DumpIndex) -> None:
    g.add((DATASET, RDF.type, VOID.Dataset))
    for lang, text in TITLES.items():
        g.add((DATASET, DCTERMS.title, Literal(text, lang=lang)))
    for lang, text in DESCRIPTIONS.items():
        g.add((DATASET, DCTERMS.description, Literal(text, lang=lang)))
    g.add((DATASET, DCTERMS.publisher, PUBLISHER))
    g.add((DATASET, DCTERMS.license, LICENSE_CC_BY))
    if dumps.modified_date:
        g.add((DATASET, DCTERMS.modified, Literal(dumps.modified_date, datatype=XSD.date)))
    g.add((DATASET, FOAF.homepage, URIRef(links.home)))
    g.add((DATASET, VOID.sparqlEndpoint, URIRef(links.sparql)))
    g.add((DATASET, VOID.uriSpace, Literal(URI_SPACE)))
    g.add((DATASET, VOID.rootResource, ROOT_RESOURCE))
    g.add((DATASET, VOID.exampleResource, ROOT_RESOURCE))
    for dump in dumps.dumps.values():
        g.add((DATASET, VOID.dataDump, dump_iri(links, dump)))
        g.add((DATASET, VOID.feature, FORMATS[_FEATURES[dump.format.name]]))


def _statistics(g: Graph, stats: VoidStatistics) -> None:
    g.add((DATASET, VOID.triples, _int(stats.triples)))
    g.add((DATASET, VOID.entities, _int(stats.entities)))
    g.add((DATASET, VOID.distinctSubjects, _int(stats.distinct_subjects)))
    g.add((DATASET, VOID.distinctObjects, _int(stats.distinct_objects)))
    g.add((DATASET, VOID.properties, _int(len(stats.properties))))
    g.add((DATASET, VOID.classes, _int(len(stats.classes))))
    for vocabulary in stats.vocabularies:
        g.add((DATASET, VOID.vocabulary, URIRef(vocabulary)))
    for cls, count in stats.classes.items():
        node = _partition("class", cls)
        g.add((DATASET, VOID.classPartition, node))
        g.add((node, VOID["class"], URIRef(cls)))
        g.add((node, VOID.entities, _int(count)))
    for prop, count in stats.properties.items():
        node = _partition("property", prop)
        g.add((DATASET, VOID.propertyPartition, node))
        g.add((node, VOID.property, URIRef(prop)))
        g.add((node, VOID.triples, _int(count)))
