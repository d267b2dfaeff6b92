"""How the data uses the ontology's terms, counted by SPARQL over the store for ``/def/``.

The counts are over the default graph as ``/sparql`` answers it (the union of the named graphs,
inferred triples included), so a reader can check any of them with the same query:
``SELECT (COUNT(*) AS ?n) WHERE { ?s bkg:hasInstitution ?o }`` for a property's statements,
``SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a bkg:Institution }`` for a class's instances.
The classes a property is "used with" are the types the sources state (the inferred graph
left out), else every subject would also count as ``owl:Thing``, ``prov:Entity``, ….
The route keeps the result in the derived cache, so these run once per store snapshot.
"""

from __future__ import annotations

import asyncio

from kg_service.query.contract import Store, select
from kg_service.rdf.namespaces import BKG, INFERRED_GRAPH, ONTOLOGY_GRAPH
from kg_service.web.ontology_terms import Usage

__all__ = ["INSTANCES", "REFERENCES", "STATEMENTS", "USED_WITH", "count_usage"]

_OURS = f'STRSTARTS(STR(?t), "{BKG}")'

STATEMENTS = f"SELECT ?t (COUNT(*) AS ?n) WHERE {{ ?s ?t ?o FILTER({_OURS}) }} GROUP BY ?t"
INSTANCES = f"SELECT ?t (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a ?t FILTER({_OURS}) }} GROUP BY ?t"
#: Statements whose value is one of our terms, the ontology's own axioms left out (what refers
#: to a named individual such as ``bkg:MainAxis``).
REFERENCES = f"""SELECT ?t (COUNT(*) AS ?n) WHERE {{
  {{ SELECT DISTINCT ?s ?p ?t WHERE {{
    GRAPH ?g {{ ?s ?p ?t }} FILTER({_OURS} && ?g != <{ONTOLOGY_GRAPH}>) }} }}
}} GROUP BY ?t"""
USED_WITH = f"""SELECT ?t ?side ?c (COUNT(*) AS ?n) WHERE {{
  {{ SELECT DISTINCT ?s ?t ?o ?side ?c WHERE {{
    ?s ?t ?o FILTER({_OURS})
    {{ GRAPH ?g {{ ?s a ?c }} BIND("subject" AS ?side) }}
    UNION {{ GRAPH ?g {{ ?o a ?c }} BIND("value" AS ?side) }}
    FILTER(?g != <{INFERRED_GRAPH}>) }} }}
}} GROUP BY ?t ?side ?c"""


async def count_usage(store: Store) -> Usage:
    """Every count the ontology's documentation shows, from four queries run side by side."""
    statements, instances, references, used_with = await asyncio.gather(
        *(select(store, q) for q in (STATEMENTS, INSTANCES, REFERENCES, USED_WITH))
    )
    pairs: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for row in used_with:
        key = (row["t"]["value"], row["side"]["value"])
        pairs.setdefault(key, []).append((row["c"]["value"], _n(row)))
    return Usage(_counts(statements), _counts(instances), _counts(references), pairs)


def _counts(rows: list[dict[str, dict]]) -> dict[str, int]:
    return {row["t"]["value"]: _n(row) for row in rows}


def _n(row: dict[str, dict]) -> int:
    return int(row["n"]["value"])
