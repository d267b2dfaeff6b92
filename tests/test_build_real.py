"""The real build: named entailments in the inferred graph, named graphs per source, determinism."""

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg_service.build import build
from kg_service.rdf.namespaces import BKG, GRAPH, ID, INFERRED_GRAPH

ORG = "http://www.w3.org/ns/org#"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"


@pytest.fixture(scope="module")
def quads(settings, built) -> set[tuple[str, str, str, str]]:
    path = settings.build_path / "benelux-kg.nq"
    return {
        (q.subject.value, q.predicate.value, str(q.object), q.graph_name.value)
        for q in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS)
    }


def inferred(quads, s, p, o) -> bool:
    return (str(s), str(p), f"<{o}>", str(INFERRED_GRAPH)) in quads


@pytest.mark.parametrize(
    "s, p, o, why",
    [
        (
            ID["organisation/benelux-union"],
            BKG.hasInstitution,
            ID["institution/benelux-parliament"],
            "owl:inverseOf bkg:institutionOf",
        ),
        (
            ID["institution/benelux-parliament"],
            ORG + "subOrganizationOf",
            ID["organisation/benelux-union"],
            "bkg:institutionOf ⊑ org:subOrganizationOf",
        ),
        (
            ID["organisation/benelux-union"],
            ORG + "hasSubOrganization",
            ID["institution/court-of-justice"],
            "inverse + sub-property",
        ),
        (
            ID["institution/benelux-parliament"],
            "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
            ORG + "FormalOrganization",
            "bkg:Institution ⊑ org:FormalOrganization",
        ),
    ],
)
def test_named_entailments_are_in_the_inferred_graph(quads, s, p, o, why):
    assert inferred(quads, s, p, o), why


def test_inferred_triples_are_never_asserted_too(quads):
    asserted = {(s, p, o) for s, p, o, g in quads if g != str(INFERRED_GRAPH)}
    assert not [q for q in quads if q[3] == str(INFERRED_GRAPH) and q[:3] in asserted]


def test_named_graphs_are_sections_sources_and_the_described_ones(built, quads):
    """Each named graph is one section's or source's (described in graph/sources), the sources
    graph, the interpretation graph, the ontology, the inferred triples or the example queries:
    no graph per file."""
    sources = str(GRAPH["sources"])
    described = {s for s, p, _o, g in quads if g == sources and p == PROV + "wasDerivedFrom"}
    described = {s for s in described if s.startswith(str(GRAPH))}
    fixed = {sources, str(GRAPH["interpretation"]), str(GRAPH["ontology"]), str(INFERRED_GRAPH)}
    fixed.add(str(GRAPH["examples"]))  # the example queries as data (build/examples.py)
    assert set(built.graphs) == described | fixed
    assert {g for g in built.graphs if "/graph/section/" in g}
    assert {g for g in built.graphs if "/graph/external/" in g}


def test_the_real_build_is_byte_identical_twice(built, settings, tmp_path: Path):
    again = settings.with_(build_dir=tmp_path / "again")
    build(again, progress=lambda _m: None)
    for first in sorted(settings.build_path.glob("benelux-kg.*")):
        assert first.read_bytes() == (again.build_path / first.name).read_bytes(), first.name
