"""The build pipeline on a tiny fixture project: each step's success and failure, and the check
that every asserted statement has a home (the graph of the one section or source stating it)."""

import shutil
from pathlib import Path

import pytest

from kg_service.build import build, needs_build
from kg_service.errors import BuildError
from kg_service.settings import Settings

MINI = Path(__file__).parent / "fixtures" / "mini"


@pytest.fixture
def mini(tmp_path: Path) -> Settings:
    project = tmp_path / "project"
    shutil.copytree(MINI, project)
    return Settings.load({}, project_dir=project)


def test_build_writes_dumps_store_and_manifest(mini):
    messages = []
    result = build(mini, progress=messages.append)
    names = {p.name for p in result.files}
    for ext in ("nq", "trig", "jsonld", "ttl", "nt"):
        assert f"benelux-kg.{ext}" in names and f"benelux-kg.{ext}.gz" in names
    assert (mini.build_path / "store").is_dir()
    assert any(m.startswith("[6/6]") for m in messages)
    assert not needs_build(mini)


def test_inverse_is_inferred_into_its_own_graph(mini):
    build(mini, progress=lambda m: None)
    nq = (mini.build_path / "benelux-kg.nq").read_text()
    assert (
        "<https://w3id.org/benelux-kg/id/organisation/union> "
        "<https://w3id.org/benelux-kg/def/hasInstitution> "
        "<https://w3id.org/benelux-kg/id/institution/council> "
        "<https://w3id.org/benelux-kg/graph/inferred> ."
    ) in nq
    assert "<https://w3id.org/benelux-kg/graph/org> ." in nq


def test_build_is_byte_identical_twice(mini, tmp_path):
    build(mini, progress=lambda m: None)
    first = {p.name: p.read_bytes() for p in mini.build_path.glob("benelux-kg.*")}
    other = mini.with_(build_dir=tmp_path / "again")
    build(other, progress=lambda m: None)
    second = {p.name: p.read_bytes() for p in other.build_path.glob("benelux-kg.*")}
    assert first == second and len(first) == 10


def test_source_change_makes_build_stale(mini):
    build(mini, progress=lambda m: None)
    data = mini.project_dir / "data" / "org.ttl"
    data.write_text(data.read_text() + "\n# touched\n")
    assert needs_build(mini)


def test_nonconforming_data_fails_with_readable_report(mini):
    data = mini.project_dir / "data" / "org.ttl"
    data.write_text(data.read_text().replace('rdfs:label "Conseil"@fr ;', ""))
    with pytest.raises(BuildError) as info:
        build(mini, progress=lambda m: None)
    assert "does not conform" in info.value.message
    assert "needs a label" in info.value.message
    assert "institution/council" in info.value.message


def test_inconsistent_data_fails(mini):
    data = mini.project_dir / "data" / "org.ttl"
    data.write_text(data.read_text() + "\n<institution/council> a bkg:Agreement .\n")
    with pytest.raises(BuildError, match="inconsistent"):
        build(mini, progress=lambda m: None)


def test_syntax_error_names_the_file(mini):
    (mini.project_dir / "data" / "broken.ttl").write_text("<a> <b> .\n")
    with pytest.raises(BuildError, match="broken.ttl"):
        build(mini, progress=lambda m: None)


SOURCES_ADD = """
<https://w3id.org/benelux-kg/graph/section/mini-2> a bkg:SourceGraph ;
    prov:wasDerivedFrom <section/mini-2> ; dcterms:source <document/mini> .
"""

TRIG = """@base <https://w3id.org/benelux-kg/id/> .
@prefix bkg: <https://w3id.org/benelux-kg/def/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
GRAPH <https://w3id.org/benelux-kg/graph/section/mini-2> {
    <institution/court> a bkg:Institution ; rdfs:label "Cour"@fr .
}
"""


def _add_sources(mini: Settings, text: str) -> None:
    path = mini.project_dir / "data" / "sources.ttl"
    path.write_text(path.read_text() + text)


def test_trig_blocks_are_the_graphs_of_their_sections(mini):
    _add_sources(mini, SOURCES_ADD)
    (mini.project_dir / "data" / "more.trig").write_text(TRIG)
    build(mini, progress=lambda m: None)
    nq = (mini.build_path / "benelux-kg.nq").read_text()
    assert (
        "<https://w3id.org/benelux-kg/id/institution/court> "
        '<http://www.w3.org/2000/01/rdf-schema#label> "Cour"@fr '
        "<https://w3id.org/benelux-kg/graph/section/mini-2> ."
    ) in nq


def test_a_statement_in_an_undescribed_graph_fails_the_build(mini):
    (mini.project_dir / "data" / "extra.ttl").write_text(
        "@base <https://w3id.org/benelux-kg/id/> .\n"
        '<institution/x> <http://www.w3.org/2000/01/rdf-schema#label> "X"@fr .\n'
    )
    with pytest.raises(BuildError) as info:
        build(mini, progress=lambda m: None)
    message = info.value.message
    assert "without a home" in message
    assert "<https://w3id.org/benelux-kg/graph/extra> (data/extra.ttl): 1 statement(s)" in message
    assert "does not say which section or source" in message
    assert "e.g. <https://w3id.org/benelux-kg/id/institution/x>" in message


def test_a_graph_linked_to_two_sections_is_no_home(mini):
    _add_sources(
        mini, "<https://w3id.org/benelux-kg/graph/org> prov:wasDerivedFrom <section/mini-2> .\n"
    )
    with pytest.raises(BuildError, match="linked to 2 sources, not exactly one"):
        build(mini, progress=lambda m: None)


def test_a_graph_linked_to_a_document_is_no_home(mini):
    _add_sources(
        mini,
        "<https://w3id.org/benelux-kg/graph/section/mini-2> "
        "prov:wasDerivedFrom <document/mini> .\n",
    )
    (mini.project_dir / "data" / "more.trig").write_text(TRIG)
    with pytest.raises(BuildError, match="neither a bkg:DocumentSection nor a bkg:ExternalSource"):
        build(mini, progress=lambda m: None)


def test_a_trig_statement_outside_any_graph_block_fails_the_build(mini):
    _add_sources(mini, SOURCES_ADD)
    (mini.project_dir / "data" / "more.trig").write_text(
        TRIG + '<institution/court> <http://www.w3.org/2000/01/rdf-schema#label> "Hof"@nl .\n'
    )
    with pytest.raises(BuildError, match=r"more\.trig: 1 statement\(s\) outside any GRAPH block"):
        build(mini, progress=lambda m: None)


INTERPRETATION = """@base <https://w3id.org/benelux-kg/id/> .
@prefix bkg: <https://w3id.org/benelux-kg/def/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<interpretation/i> a bkg:Interpretation ;
    rdf:subject <institution/council> ; rdf:predicate bkg:seat ; rdf:object <place/brussels> ;
    skos:editorialNote NOTES .
<institution/council> bkg:seat <place/brussels> .
"""


@pytest.mark.parametrize(
    "notes, ok",
    [
        ('"lu ainsi"@fr , "zo gelezen"@nl , "read so"@en', True),
        ('"lu ainsi"@fr , "read so"@en', False),
    ],
    ids=["noted", "no-dutch-note"],
)
def test_an_interpretation_needs_its_note_in_three_languages(mini, notes, ok):
    text = INTERPRETATION.replace("NOTES", notes)
    (mini.project_dir / "data" / "interpretation.ttl").write_text(text)
    if ok:
        build(mini, progress=lambda m: None)
        return
    with pytest.raises(BuildError) as info:
        build(mini, progress=lambda m: None)
    assert "<https://w3id.org/benelux-kg/graph/interpretation>" in info.value.message
    assert "def/seat> <https://w3id.org/benelux-kg/id/place/brussels>" in info.value.message


def test_a_statement_about_a_thing_in_the_sources_graph_fails_the_build(mini):
    # the sources graph needs no home because it describes only the sources; the Union's or an
    # institution's statements there would escape the check
    _add_sources(
        mini, '<institution/court> <http://www.w3.org/2000/01/rdf-schema#label> "Cour"@fr .\n'
    )
    with pytest.raises(BuildError) as info:
        build(mini, progress=lambda m: None)
    message = info.value.message
    assert "<https://w3id.org/benelux-kg/graph/sources>" in message
    assert "describes only documents, sections, external sources and graphs" in message
    assert "e.g. <https://w3id.org/benelux-kg/id/institution/court>" in message
