"""The W3C SHACL Core suite (../shared/conformance/shacl_suite.py) against POST /validate.

Both request formats of the runner (pySHACL's JSON body and multipart/form-data) must pass all
98 tests at level ``results``; at level ``full`` pySHACL itself reaches 96 in-process (it
normalises the data's literals when it parses text); we keep lexical forms, so we reach 98.
"""

import json
import re
import subprocess
import sys

import pytest
from conftest import shared

pytestmark = pytest.mark.e2e

RUNNER = shared("conformance", "shacl_suite.py", module=True)


def run_suite(url: str, tmp_path, *args: str) -> tuple[dict, str]:
    out = tmp_path / "shacl.json"
    proc = subprocess.run(
        [sys.executable, str(RUNNER), "--validate-url", url, *args, "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    last = proc.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ passed, \d+ failed, \d+ skipped", last), proc.stdout + proc.stderr
    return json.loads(out.read_text()), proc.stdout


@pytest.mark.parametrize("request_format", ["json", "multipart"])
def test_every_test_passes_at_level_results(server, tmp_path, request_format):
    report, out = run_suite(f"{server.url}/validate", tmp_path, "--request-format", request_format)
    assert report["summary"] == {"passed": 98, "failed": 0, "skipped": 0}, out


def test_full_level_at_least_pyshacl_in_process(server, tmp_path):
    report, out = run_suite(f"{server.url}/validate", tmp_path, "--level", "full")
    assert report["summary"]["passed"] >= 96, out
    assert report["by_level"]["results"]["passed"] == 98, out
