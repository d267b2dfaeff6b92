"""The real build: named entailments in the inferred graph, named graphs per file, determinism."""

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg_service.build import build
from kg_service.rdf.namespaces import BKG, GRAPH, ID, INFERRED_GRAPH

ORG = "http://www.w3.org/ns/org#"
DCT = "http://purl.org/dc/terms/"


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


def test_every_data_file_is_its_own_named_graph(built, settings):
    data = settings.project_dir / "data"
    expected = {
        str(GRAPH[p.relative_to(data).with_suffix("").as_posix()]) for p in data.rglob("*.ttl")
    }
    derived = {str(GRAPH["ontology"]), str(INFERRED_GRAPH), str(GRAPH["examples"])}
    assert expected | derived == set(built.graphs)


def test_the_real_build_is_byte_identical_twice(built, settings, tmp_path: Path):
    again = settings.with_(build_dir=tmp_path / "again")
    build(again, progress=lambda _m: None)
    for first in sorted(settings.build_path.glob("benelux-kg.*")):
        assert first.read_bytes() == (again.build_path / first.name).read_bytes(), first.name
