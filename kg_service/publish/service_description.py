"""The SPARQL 1.1 Service Description of ``/sparql`` (``GET /sparql`` without a query).

It says where the endpoint is, which languages and result formats it supports, and describes
the default dataset: the default graph (the union of every graph when that is how the store is
configured, counted as a set) and every named graph, each with its number of triples, as the
store is now (after the last update).
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import XSD

from kg_service.query.contract import Store, select

__all__ = ["DatasetSizes", "dataset_sizes", "describe_service", "graph_sizes"]

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")

_RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
)

GRAPH_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
DEFAULT_SIZE = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@dataclass(frozen=True)
class DatasetSizes:
    """Triples in the default graph (as queries see it) and in each named graph."""

    default: int
    named: dict[str, int]


async def graph_sizes(store: Store) -> dict[str, int]:
    """Every named graph and its number of triples, through the store's query path."""
    return {b["g"]["value"]: int(b["n"]["value"]) for b in await select(store, GRAPH_SIZES)}


async def dataset_sizes(store: Store) -> DatasetSizes:
    """The default graph's size and every named graph's."""
    rows = await select(store, DEFAULT_SIZE)
    return DatasetSizes(int(rows[0]["n"]["value"]), await graph_sizes(store))


def describe_service(
    endpoint: str, sizes: DatasetSizes, *, union: bool, update_endpoint: str | None = None
) -> Graph:
    """The ``sd:Service`` graph for ``endpoint`` (queries only: it refuses updates).

    With ``update_endpoint`` (writes enabled), a second ``sd:Service`` says that SPARQL 1.1
    Update is spoken there, over the same dataset: ``sd:supportedLanguage`` is what the
    service's own ``sd:endpoint`` accepts, so ``SPARQL11Update`` on the query endpoint would
    send clients' updates where they are refused.
    """
    g = Graph()
    g.bind("sd", SD)
    g.bind("void", VOID)
    g.bind("formats", FORMATS)
    service = URIRef(endpoint)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    for name in _RESULT_FORMATS:
        g.add((service, SD.resultFormat, FORMATS[name]))
    if union:
        g.add((service, SD.feature, SD.UnionDefaultGraph))
    dataset = _dataset(g, service, sizes)
    if update_endpoint is not None:
        updates = URIRef(update_endpoint)
        g.add((updates, RDF.type, SD.Service))
        g.add((updates, SD.endpoint, updates))
        g.add((updates, SD.supportedLanguage, SD.SPARQL11Update))
        if union:
            g.add((updates, SD.feature, SD.UnionDefaultGraph))
        g.add((updates, SD.defaultDataset, dataset))
    return g


def _dataset(g: Graph, service: URIRef, sizes: DatasetSizes) -> BNode:
    dataset, default = BNode("dataset"), BNode("default-graph")
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, VOID.triples, Literal(sizes.default, datatype=XSD.integer)))
    for name, count in sizes.named.items():
        node, graph = BNode(), BNode()
        g.add((dataset, SD.namedGraph, node))
        g.add((node, RDF.type, SD.NamedGraph))
        g.add((node, SD.name, URIRef(name)))
        g.add((node, SD.graph, graph))
        g.add((graph, RDF.type, SD.Graph))
        g.add((graph, VOID.triples, Literal(count, datatype=XSD.integer)))
    return dataset
