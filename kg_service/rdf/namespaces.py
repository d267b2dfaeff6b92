"""The IRIs of benelux-kg, defined once: ontology terms, resources, named graphs, prefixes.

>>> str(BKG.Institution)
'https://w3id.org/benelux-kg/def/Institution'
"""

from __future__ import annotations

from rdflib import Namespace, URIRef

__all__ = [
    "BASE",
    "BKG",
    "COMMON_PREFIXES",
    "GRAPH",
    "ID",
    "INFERRED_GRAPH",
    "INTERPRETATION_GRAPH",
    "ONTOLOGY_GRAPH",
    "ONTOLOGY_IRI",
    "PREFIXES",
    "PROV_DERIVED",
    "RDFS_LABEL",
    "SEARCH",
    "SEARCH_SERVICE",
    "SOURCES_GRAPH",
    "graph_iri",
]

BASE = "https://w3id.org/benelux-kg/"
BKG = Namespace(BASE + "def/")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")
ONTOLOGY_IRI = URIRef(BASE + "def")
ONTOLOGY_GRAPH = GRAPH["ontology"]
INFERRED_GRAPH = GRAPH["inferred"]
#: Full-text search inside SPARQL: ``SERVICE <SEARCH_SERVICE> { ?x search:query "…" }``,
#: answered by this service from its index (kg_service.search.service), never fetched.
SEARCH_SERVICE = BASE + "search"
#: ``rdfs:label``, which every page reads
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
#: ``prov:wasDerivedFrom``: a statement graph's link to the section or source it holds
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
SEARCH = Namespace(BASE + "search#")
#: The descriptions of the sources: documents, their sections (with their text), external
#: sources, and every named graph of statements (which section or source it holds).
SOURCES_GRAPH = GRAPH["sources"]
#: Statements no section states in so many words: the project's readings, each with its note.
INTERPRETATION_GRAPH = GRAPH["interpretation"]

PREFIXES: dict[str, str] = {
    "bkg": str(BKG),
    "id": str(ID),
    "bkgg": str(GRAPH),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "time": "http://www.w3.org/2006/time#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "https://schema.org/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "vann": "http://purl.org/vocab/vann/",
    "sh": "http://www.w3.org/ns/shacl#",
}


def graph_iri(name: str) -> URIRef:
    """The named-graph IRI for a data file's path relative to ``data/`` without ``.ttl``."""
    return GRAPH[name]


#: Prefixes in wide use beyond ours (what prefix.cc ranks first), for the editor's prefix
#: completion and for the syntax-error sentence that says how to declare one.
COMMON_PREFIXES: dict[str, str] = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "geosparql": "http://www.opengis.net/ont/geosparql#",
    "locn": "http://www.w3.org/ns/locn#",
    "adms": "http://www.w3.org/ns/adms#",
    "qb": "http://purl.org/linked-data/cube#",
    "odrl": "http://www.w3.org/ns/odrl/2/",
    "sosa": "http://www.w3.org/ns/sosa/",
    "ssn": "http://www.w3.org/ns/ssn/",
    "bibo": "http://purl.org/ontology/bibo/",
    "cc": "http://creativecommons.org/ns#",
    "xkos": "http://rdf-vocabulary.ddialliance.org/xkos#",
    "spex": "https://purl.expasy.org/sparql-examples/ontology#",
    "wd": "http://www.wikidata.org/entity/",
    "wdt": "http://www.wikidata.org/prop/direct/",
    "p": "http://www.wikidata.org/prop/",
    "ps": "http://www.wikidata.org/prop/statement/",
    "pq": "http://www.wikidata.org/prop/qualifier/",
    "wikibase": "http://wikiba.se/ontology#",
    "dbo": "http://dbpedia.org/ontology/",
    "dbr": "http://dbpedia.org/resource/",
    "dbp": "http://dbpedia.org/property/",
}
