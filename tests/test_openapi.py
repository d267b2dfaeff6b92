"""The OpenAPI document is honest, and the served process keeps to it (schemathesis).

Unit checks of the document (every route and method, unique operationIds, error bodies, no
422), then schemathesis against real ``benelux-kg serve`` processes of this module's own: a
read-only one for every operation (writes answer 403 there) and one with an update token for
the writes. Checks: no 5xx, every status, Content-Type, JSON body and header as documented.
Accept is not an OpenAPI parameter, so every read is also sent with a row of Accept headers.
Two regression tests pin bugs the run found (since fixed in the routes).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from typing import get_args
from urllib.parse import urlencode

import httpx
import pytest
import schemathesis
from conftest import start_server, stop_server
from fastapi.routing import APIRoute, iter_route_contexts
from hypothesis import HealthCheck, settings
from starlette.routing import Mount

from kg_service.rdf.formats import (
    GRAPH_FORMATS,
    HTML,
    RDF_INPUT_FORMATS,
    RESULT_FORMATS,
    by_media_type,
)
from kg_service.settings import Settings
from kg_service.web.app import create_app
from kg_service.web.openapi import ERROR_BODY
from kg_service.web.routes.publishing import DUMP_NAMES
from kg_service.web.routes.sparql import DIRECT, UPDATE_DIRECT

TOKEN = "openapi-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
WRITES = {"store_put", "store_post", "store_delete", "update_post"}
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
)
# bodies the service reads as text or bytes: schemathesis sends them as it sends text/plain
TEXT_BODIES = [DIRECT, UPDATE_DIRECT] + [
    m
    for f in RDF_INPUT_FORMATS
    for m in (f.media_type, *f.aliases)
    if "/" in m and not m.startswith("text/") and not m.endswith("+json")
]
schemathesis.serializer.alias(TEXT_BODIES, "text/plain")


@pytest.fixture(scope="module")
def doc() -> dict:
    return create_app(Settings.load()).openapi()


def served_operations(app) -> set[tuple[str, str]]:
    """Every (path, method) the app answers, from its routes (the static mount included)."""
    served = set()
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, Mount):
            served |= {(route.path + "/{file}", m) for m in ("get", "head")}
            continue
        for method in context.methods or ():
            served.add((context.path_format, method.lower()))
    return served


def test_every_route_and_method_is_documented(doc):
    documented = {(path, m) for path, ops in doc["paths"].items() for m in ops}
    assert documented == served_operations(create_app(Settings.load()))


def test_operation_ids_are_unique(doc):
    ids = [op["operationId"] for ops in doc["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))


def test_every_route_names_its_operation():
    """The document's operationIds are ``{operation_id}_{method}``: a route without one would
    get FastAPI's generated id, which changes with the handler's name."""
    for context in iter_route_contexts(create_app(Settings.load()).routes):
        route = context.original_route
        if isinstance(route, APIRoute) and route.include_in_schema:
            assert route.operation_id, context.path


def test_only_the_writes_ask_for_the_token(doc):
    secured = {
        op["operationId"]
        for ops in doc["paths"].values()
        for op in ops.values()
        if "security" in op
    }
    assert secured == WRITES
    assert all(
        op["security"] == [{"updateToken": []}]
        for ops in doc["paths"].values()
        for op in ops.values()
        if "security" in op
    )
    assert doc["components"]["securitySchemes"]["updateToken"]["scheme"] == "bearer"


def test_the_document_is_the_same_in_every_process():
    """Regression: a route's methods are a set, so the order of a path's operations changed
    with the hash seed, and pytest-xdist workers collected different schemathesis tests."""
    script = (
        "import json; from kg_service.settings import Settings; "
        "from kg_service.web.app import create_app; "
        "print(json.dumps(create_app(Settings.load()).openapi()))"
    )
    documents = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(documents) == 1


def test_no_duplicate_operation_id_warning(recwarn):
    create_app(Settings.load()).openapi()
    assert not [w for w in recwarn if "Duplicate Operation ID" in str(w.message)]


def test_every_error_has_a_body(doc):
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for status, response in op["responses"].items():
                if int(status) >= 400:
                    assert response.get("content"), f"{method} {path} {status}"


def test_no_422_is_documented(doc):
    statuses = {s for ops in doc["paths"].values() for op in ops.values() for s in op["responses"]}
    assert "422" not in statuses
    assert "HTTPValidationError" not in doc["components"]["schemas"]


def test_no_route_declares_a_parameter_fastapi_could_reject():
    """FastAPI answers 422 only when it validates a declared parameter: every parameter a
    route declares is a str (path params are always present; the others have defaults)."""
    for context in iter_route_contexts(create_app(Settings.load()).routes):
        dependant = getattr(context.original_route, "dependant", None)
        if dependant is None:
            continue
        assert not dependant.body_params, context.path
        params = (*dependant.query_params, *dependant.header_params, *dependant.cookie_params)
        for field in (*dependant.path_params, *params):
            annotation = field.field_info.annotation
            assert annotation is str or str in get_args(annotation), (context.path, field.name)
        assert not [f for f in params if f.field_info.is_required()], context.path


def test_sparql_documents_every_result_format(doc):
    answered = doc["paths"]["/sparql"]["get"]["responses"]["200"]["content"]
    wanted = {f.media_type for f in (*RESULT_FORMATS, *GRAPH_FORMATS, HTML)}
    assert set(answered) == wanted


def test_store_bodies_are_what_graph_store_parses(doc):
    for method in ("put", "post"):
        body = doc["paths"]["/store"][method]["requestBody"]["content"]
        assert all(by_media_type(m, GRAPH_FORMATS) for m in body)
        assert {f.media_type for f in GRAPH_FORMATS} <= set(body)


@pytest.mark.e2e
def test_error_body_schema_is_what_the_handler_sends(server):
    r = httpx.get(server.url + "/download/nothing-here", headers={"Accept": "application/json"})
    assert r.status_code == 404
    assert set(r.json()) == set(ERROR_BODY["properties"]) == set(ERROR_BODY["required"])


@pytest.mark.e2e
def test_served_document_is_the_corrected_one(server, settings):
    served = httpx.get(server.url + "/openapi.json").json()
    assert served == create_app(settings).openapi()
    assert served == SCHEMA.raw_schema
    assert httpx.get(server.url + "/docs").status_code == 404  # Swagger UI would load a CDN
    assert httpx.get(server.url + "/redoc").status_code == 404


@pytest.mark.e2e
def test_dump_names_are_the_served_dumps(server):
    listing = httpx.get(server.url + "/download", headers={"Accept": "application/json"})
    assert {d["name"] for d in listing.json()["dumps"]} == set(DUMP_NAMES)


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("path", "status"), [("/id/institution/benelux-parliament", 406), ("/download/nothing", 404)]
)
def test_accept_html_q0_is_not_a_server_error(server, path, status):
    """Regression: 'text/html;q=0' made the error handler's own negotiation raise (500)."""
    r = httpx.get(server.url + path, headers={"Accept": "text/html;q=0"})
    assert r.status_code == status
    assert r.headers["content-type"].startswith("text/plain")


@pytest.fixture
def one_worker(settings, built, tmp_path_factory):
    log = tmp_path_factory.mktemp("openapi-one-worker") / "serve.log"
    srv = start_server(settings.build_path, log, env={"BENELUX_KG_QUERY_WORKERS": "1"})
    yield srv
    stop_server(srv)


BIG = "SELECT * WHERE { ?s ?p ?o . ?a ?b ?c } LIMIT 100000"  # megabytes of CSV, streamed


def hang_up_after_headers(url: str, method: str, target: str) -> bytes:
    """Send a request, read the status line and headers, close the connection (as curl -I)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(f"{method} {target} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        received = b""
        while b"\r\n\r\n" not in received:
            received += sock.recv(4096)
    return received.split(b"\r\n", 1)[0]


@pytest.mark.e2e
def test_client_leaving_a_streamed_result_keeps_the_pool(one_worker):
    """Regression: a client hanging up mid-stream (curl -I on /def did it) lost the worker for
    good, the replacement cancelled with the response; then every query hung, then 503."""
    target = "/sparql?" + urlencode({"query": BIG, "format": "csv"})
    assert hang_up_after_headers(one_worker.url, "GET", target) == b"HTTP/1.1 200 OK"
    time.sleep(0.5)
    r = httpx.get(one_worker.url + "/sparql", params={"query": "ASK {}"}, timeout=10)
    assert r.status_code == 200


# --- schemathesis against the served process ---------------------------------------------
# The schema is the in-process document (the served one is the same: see
# test_served_document_is_the_corrected_one); each case is sent to the served process.
# schemathesis.pytest.from_fixture (load the schema from the fixture's URL) fails on pytest 9.2
# (schemathesis 4.32.5 sets Function._nodeid, which pytest 9.2 no longer has).

CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        "phases": {"stateful": {"enabled": False}},
        "generation": {"max-examples": 30, "deterministic": True},
    }
)
HYPOTHESIS = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
SCHEMA = schemathesis.openapi.from_dict(create_app(Settings.load()).openapi(), config=CONFIG)


def own_server(settings, tmp_path_factory, name: str, *args: str):
    """A served process of this module's own (a failure here cannot harm other tests' server)."""
    srv = start_server(settings.build_path, tmp_path_factory.mktemp(name) / "serve.log", *args)
    yield srv
    stop_server(srv)


@pytest.fixture(scope="module")
def read_only(settings, built, tmp_path_factory):
    yield from own_server(settings, tmp_path_factory, "openapi-read-only")


@pytest.fixture(scope="module")
def writable(settings, built, tmp_path_factory):
    yield from own_server(settings, tmp_path_factory, "openapi-writable", "--update-token", TOKEN)


@pytest.mark.e2e
@HYPOTHESIS
@SCHEMA.parametrize()
def test_read_only_service_keeps_to_its_document(case, read_only):
    """Every operation; the writes answer 403 here (no update token)."""
    case.call_and_validate(base_url=read_only.url, timeout=30)


@pytest.mark.e2e
@HYPOTHESIS
@SCHEMA.include(operation_id=sorted(WRITES)).parametrize()
def test_writes_keep_to_the_document(case, writable):
    case.call_and_validate(base_url=writable.url, headers=AUTH, timeout=30)


# Accept is no parameter in OpenAPI, so schemathesis never varies it: every read, each Accept
ACCEPTS = (
    "*/*",
    "text/html",
    "text/html, */*;q=0.8",
    "text/html;q=0",
    "application/json",
    "application/sparql-results+json",
    "application/ld+json;q=0.5, text/*;q=0.1",
    "image/png",
)
READS = [
    (path, method)
    for path, ops in SCHEMA.raw_schema["paths"].items()
    for method in ops
    if method in ("get", "head")
]


def example_value(parameter: dict) -> str:
    schema = parameter["schema"]
    return (schema.get("enum") or schema.get("examples"))[0]


@pytest.mark.e2e
@pytest.mark.parametrize(("path", "method"), READS)
def test_every_read_answers_each_accept_as_documented(read_only, path, method):
    operation = SCHEMA[path][method.upper()]
    parameters = SCHEMA.raw_schema["paths"][path][method].get("parameters", [])
    in_path = {p["name"]: example_value(p) for p in parameters if p["in"] == "path"}
    for accept in ACCEPTS:
        case = operation.Case(path_parameters=in_path or None, headers={"Accept": accept})
        case.call_and_validate(base_url=read_only.url, timeout=30)
