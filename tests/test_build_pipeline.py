"""The build pipeline on a tiny fixture project: each step's success and failure."""

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
