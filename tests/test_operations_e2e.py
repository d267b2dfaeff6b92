"""Operations over real HTTP: /metrics, /readyz vs /healthz, and the JSON access log."""

import json
import time

import pytest
from conftest import serving

pytestmark = pytest.mark.e2e

TOKEN = "ops-secret-token"


@pytest.fixture(scope="module")
def ops(settings, built, tmp_path_factory):
    log = tmp_path_factory.mktemp("ops") / "serve.log"
    with serving(settings, log, "--update-token", TOKEN) as srv:
        yield srv


def metric(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in /metrics")


def test_metrics_count_requests_and_the_store(ops, built):
    with ops.client() as http:
        http.get("/sparql", params={"query": "ASK {}"})
        text = http.get("/metrics").text
        assert metric(text, "benelux_kg_store_quads") == built.quads
        assert 'benelux_kg_requests_total{method="GET",route="/sparql",status="200"}' in text
        assert "benelux_kg_request_duration_seconds_bucket" in text
        for name in ("benelux_kg_query_timeouts_total", "benelux_kg_rejections_total"):
            metric(text, name)
        update = "INSERT DATA { GRAPH <http://example.org/ops> { <http://a/b> <http://a/c> 1 } }"
        auth = {"Authorization": f"Bearer {TOKEN}"}
        assert http.post("/update", data={"update": update}, headers=auth).status_code == 204
        # recounted after the update, off its own time: wait for it with a deadline
        deadline, quads = time.monotonic() + 30, 0.0
        while quads != built.quads + 1 and time.monotonic() < deadline:
            quads = metric(http.get("/metrics").text, "benelux_kg_store_quads")
            time.sleep(0.05)
        assert quads == built.quads + 1


def test_readyz_and_healthz(ops):
    with ops.client() as http:
        assert http.get("/healthz").status_code == 200
        r = http.get("/readyz")
        assert r.status_code == 200 and r.text.strip() == "ready"


def test_access_log_is_json_without_query_strings_or_secrets(ops):
    secret_query = "SELECT * WHERE { ?s ?p 'private-words-here' } LIMIT 1"
    with ops.client() as http:
        http.get("/sparql", params={"query": secret_query})
        http.post(
            "/update",
            data={"update": "CLEAR GRAPH <http://example.org/none>"},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
    lines = [line for line in ops.log.read_text().splitlines() if line.startswith("{")]
    entries = [json.loads(line) for line in lines]
    sparql = [e for e in entries if e["path"] == "/sparql"]
    assert sparql and all({"method", "status", "duration_ms"} <= set(e) for e in sparql)
    assert all(len(e["query_hash"]) == 16 for e in sparql)
    text = ops.log.read_text()
    assert "private-words-here" not in text and TOKEN not in text
    assert "?query=" not in text
