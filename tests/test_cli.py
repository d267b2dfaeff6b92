"""The ``benelux-kg`` command: validate exit codes and query output formats."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD = ROOT / "data"


def run(*args: str, build_dir: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ}
    if build_dir:
        env["BENELUX_KG_BUILD_DIR"] = str(build_dir)
    return subprocess.run(
        [sys.executable, "-m", "kg_service.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_validate_our_data_conforms():
    files = [str(p) for p in sorted([*GOOD.rglob("*.ttl"), *GOOD.rglob("*.trig")])]
    r = run("validate", *files)  # with our shapes, our ontology supplies the class hierarchy
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("Conforms")
    without = run("validate", "--no-ontology", *files)
    assert without.returncode == 1


def test_validate_violation_exits_1_with_readable_text(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix bkg: <https://w3id.org/benelux-kg/def/> .\n"
        "<https://w3id.org/benelux-kg/id/institution/x> a bkg:Institution .\n"
    )
    r = run("validate", str(bad), "--shapes", str(ROOT / "shapes"))
    assert r.returncode == 1
    assert "Does NOT conform" in r.stdout and "institution/x" in r.stdout
    assert "message:" in r.stdout


def test_validate_json_format(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix bkg: <https://w3id.org/benelux-kg/def/> .\n"
        "<https://w3id.org/benelux-kg/id/institution/x> a bkg:Institution .\n"
    )
    r = run("validate", str(bad), "--format", "json")
    doc = json.loads(r.stdout)
    assert doc["conforms"] is False and doc["results"][0]["focus_node"].endswith("institution/x")


@pytest.mark.parametrize(
    "content, name",
    [("<a> <b> .", "broken.ttl"), ('{"@context": "http://127.0.0.1:9/ctx"}', "remote.jsonld")],
)
def test_validate_bad_input_exits_2(tmp_path, content, name):
    path = tmp_path / name
    path.write_text(content)
    r = run("validate", str(path))
    assert r.returncode == 2, r.stdout + r.stderr
    assert r.stderr.strip()


def test_validate_missing_file_exits_2(tmp_path):
    r = run("validate", str(tmp_path / "nope.ttl"))
    assert r.returncode == 2 and "no such file" in r.stderr


@pytest.mark.parametrize(
    "fmt, check",
    [
        ("table", lambda out: "(5 rows)" in out),
        ("json", lambda out: len(json.loads(out)["results"]["bindings"]) == 5),
        ("csv", lambda out: out.splitlines()[0].strip() == "i"),
        ("tsv", lambda out: out.splitlines()[0].strip() == "?i"),
    ],
)
def test_query_formats(built, settings, fmt, check):
    q = "SELECT ?i WHERE { ?i a <https://w3id.org/benelux-kg/def/Institution> }"
    r = run("query", q, "--format", fmt, build_dir=settings.build_path)
    assert r.returncode == 0, r.stderr
    assert check(r.stdout)


def test_query_from_file_as_turtle(built, settings, tmp_path):
    rq = tmp_path / "q.rq"
    rq.write_text("CONSTRUCT { ?i a ?c } WHERE { ?i a ?c } LIMIT 2")
    r = run("query", str(rq), "--format", "turtle", build_dir=settings.build_path)
    assert r.returncode == 0, r.stderr
    assert "rdf-syntax-ns#type" in r.stdout or " a " in r.stdout


def test_query_syntax_error_exits_2(built, settings):
    r = run("query", "SELECT WHERE", build_dir=settings.build_path)
    assert r.returncode == 2 and "syntax error" in r.stderr
