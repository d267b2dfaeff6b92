"""``benelux-kg validate FILE...``: exit codes, the three output formats, every input format."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Namespace

ROOT = Path(__file__).resolve().parent.parent
SH = Namespace("http://www.w3.org/ns/shacl#")
FOCUS = "https://w3id.org/benelux-kg/id/institution/x"
BAD_TTL = f"""@prefix bkg: <https://w3id.org/benelux-kg/def/> .
<{FOCUS}> a bkg:Institution ; <http://www.w3.org/2000/01/rdf-schema#label> "x"@de ."""
NAME_SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
<http://example.org/S> a sh:NodeShape ; sh:targetClass <http://example.org/C> ;
  sh:property [ sh:path <http://example.org/name> ; sh:minCount 1 ;
    sh:message "A name is needed."@en, "Il faut un nom."@fr ] ."""


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kg_service.cli", "validate", *args],
        capture_output=True,
        text=True,
        env={**os.environ},
        timeout=300,
    )


@pytest.fixture
def files(tmp_path):
    (tmp_path / "bad.ttl").write_text(BAD_TTL)
    (tmp_path / "good.nt").write_text('<http://example.org/a> <http://example.org/p> "1" .\n')
    (tmp_path / "shapes.ttl").write_text(NAME_SHAPES)
    (tmp_path / "nameless.jsonld").write_text(
        '{"@id": "http://example.org/a", "@type": "http://example.org/C"}'
    )
    (tmp_path / "nameless.rdf").write_text(
        '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="http://example.org/b">'
        '<rdf:type rdf:resource="http://example.org/C"/></rdf:Description></rdf:RDF>'
    )
    return tmp_path


def test_exit_0_when_conforming(files):
    r = run(str(files / "good.nt"))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Conforms")


def test_exit_1_with_results_a_person_can_act_on(files):
    r = run(str(files / "bad.ttl"))
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert lines[0].startswith("Does NOT conform")
    assert FOCUS in lines  # one heading per focus node
    assert "message: An institution is an institution of exactly one" in r.stdout
    assert "path:    (bkg:institutionOf | ^bkg:hasInstitution)" in r.stdout
    assert 'value:   "x"@de' in r.stdout
    assert "shape:   bkgsh:InstitutionShape-institutionOf" in r.stdout


def test_several_files_in_several_formats_with_own_shapes(files):
    args = [str(files / "nameless.jsonld"), str(files / "nameless.rdf")]
    r = run(*args, "--shapes", str(files / "shapes.ttl"), "--format", "json")
    assert r.returncode == 1
    answer = json.loads(r.stdout)
    assert {x["focus_node"] for x in answer["results"]} == {
        "http://example.org/a",
        "http://example.org/b",
    }
    assert {x["message"] for x in answer["results"]} == {"A name is needed."}


def test_turtle_report(files):
    r = run(str(files / "bad.ttl"), "--format", "turtle")
    assert r.returncode == 1
    report = Graph().parse(data=r.stdout, format="turtle")
    assert len(list(report.subjects(None, SH.ValidationResult))) >= 3


def test_inference_option(files):
    assert run(str(files / "good.nt"), "--inference", "rdfs").returncode == 0
    r = run(str(files / "good.nt"), "--inference", "both")
    assert r.returncode == 2 and "inference" in r.stderr


@pytest.mark.parametrize(
    "name, content, words",
    [
        ("broken.ttl", "<http://e/a> <http://e/p> 1 .\n<http://e/a> <http://e/p> .", "line 2"),
        ("remote.jsonld", '{"@context": "http://127.0.0.1:9/c", "@id": "http://e/a"}', "@context"),
        (
            "entity.rdf",
            '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY f SYSTEM "file:///etc/hostname">]>'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
            "external entity",
        ),
    ],
)
def test_exit_2_on_bad_input(tmp_path, name, content, words):
    path = tmp_path / name
    path.write_text(content)
    r = run(str(path))
    assert r.returncode == 2
    assert words in r.stderr and not r.stdout


def test_a_broken_shapes_file_is_named(tmp_path, files):
    """Data and shapes are both files: the message says which one does not parse."""
    shapes = tmp_path / "my-shapes.ttl"
    shapes.write_text("<http://e/a> <http://e/p> 1 .\n<http://e/a> <http://e/p> .")
    r = run(str(files / "good.nt"), "--shapes", str(shapes))
    assert r.returncode == 2
    assert f"turtle file {shapes}:" in r.stderr and "line 2" in r.stderr


def test_bad_shapes_exit_2(files, tmp_path):
    shapes = tmp_path / "unusable.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<http://e/S> a sh:NodeShape ; sh:targetNode <http://e/a> ; sh:uniqueLang true ."
    )
    assert run(str(files / "good.nt"), "--shapes", str(shapes)).returncode == 2


def test_w3c_unique_lang_002_through_the_command(tmp_path):
    suite = ROOT.parent / "shared/conformance/w3c/data-shapes/data-shapes-test-suite/tests/core"
    folder = suite / "property"
    r = run(
        str(folder / "uniqueLang-002-data.ttl"),
        "--shapes",
        str(folder / "uniqueLang-002-shapes.ttl"),
    )
    assert r.returncode == 0, r.stdout
