"""``/reconcile`` against the real served process: every reply validated against the official
Reconciliation API 0.2 JSON Schemas (offline, ``../shared/reconciliation/0.2/``), the requests
OpenRefine sends, names in fr, nl and en, and the odd input that must get a 4xx, never a 5xx."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from conftest import shared
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

pytestmark = pytest.mark.e2e

PARLIAMENT = "institution/benelux-parliament"
SPEC = shared("reconciliation", "0.2", module=True)
#: Which schema checks each folder of the spec's examples.
SCHEMA_OF = {
    "manifest": "manifest.json",
    "reconciliation-query-batch": "reconciliation-query-batch.json",
    "reconciliation-result-batch": "reconciliation-result-batch.json",
    "data-extension-query": "data-extension-query.json",
    "data-extension-response": "data-extension-response.json",
    "data-extension-property-proposal": "data-extension-property-proposal.json",
    "suggest-entities-response": "suggest-entities-response.json",
    "suggest-properties-response": "suggest-properties-response.json",
    "suggest-types-response": "suggest-types-response.json",
}


def _registry() -> Registry:
    """Every schema file under its ``$id`` (with and without a trailing ``#``): no network."""
    resources = []
    for path in sorted((SPEC / "schemas").glob("*.json")):
        contents = json.loads(path.read_text())
        resource = Resource.from_contents(contents, default_specification=DRAFT7)
        uri = contents["$id"]
        resources += [(uri, resource), (uri.rstrip("#"), resource)]
    return Registry().with_resources(resources)


REGISTRY = _registry()


def validator(name: str) -> jsonschema.Validator:
    schema = json.loads((SPEC / "schemas" / name).read_text())
    return jsonschema.Draft7Validator(schema, registry=REGISTRY)


def _examples(kind: str) -> list[tuple[str, Path]]:
    return [
        (folder, path)
        for folder in SCHEMA_OF
        for path in sorted((SPEC / "examples" / folder / kind).glob("*.json"))
    ]


# --- the validator, checked by the spec's own examples ---------------------------------------


@pytest.mark.parametrize(("folder", "path"), _examples("valid"), ids=lambda v: str(v)[-40:])
def test_the_specs_valid_examples_pass(folder, path):
    validator(SCHEMA_OF[folder]).validate(json.loads(path.read_text()))


@pytest.mark.parametrize(("folder", "path"), _examples("invalid"), ids=lambda v: str(v)[-40:])
def test_the_specs_invalid_examples_fail(folder, path):
    assert not validator(SCHEMA_OF[folder]).is_valid(json.loads(path.read_text()))


def test_there_are_examples_of_both_kinds():
    assert len(_examples("valid")) > 10 and len(_examples("invalid")) > 5


# --- the manifest ----------------------------------------------------------------------------


def test_manifest_is_valid_and_in_the_page_language(server):
    with server.client() as http:
        en = http.get("/reconcile").json()
        fr = http.get("/reconcile", headers={"Accept-Language": "fr"}).json()
        nl = http.get("/reconcile", params={"lang": "nl"}).json()
    for manifest in (en, fr, nl):
        validator("manifest.json").validate(manifest)
    assert en["versions"] == ["0.2"] and en["batchSize"] >= 10
    assert len({en["name"], fr["name"], nl["name"]}) == 3
    assert en["identifierSpace"] == "https://w3id.org/benelux-kg/id/"
    assert {"id": "Institution", "name": "institution"} in en["defaultTypes"]
    assert set(en["suggest"]) == {"entity", "type", "property"}
    assert "propose_properties" in en["extend"]


def test_answers_in_the_readers_language_vary_by_it(server):
    """The manifest, suggestions and preview cards are in the reader's language (Accept-Language
    or the lang cookie): without Vary a shared cache served one language to everyone."""
    paths = ["/reconcile", "/reconcile/suggest/entity?prefix=bene", "/reconcile/preview"]
    with server.client() as http:
        for path in paths:
            params = {"id": PARLIAMENT} if path.endswith("preview") else {}
            r = http.get(path, params=params, headers={"Accept-Language": "nl"})
            vary = {v.strip().lower() for v in r.headers["vary"].split(",")}
            assert r.status_code == 200 and {"accept-language", "cookie"} <= vary, path


def test_view_and_preview_urls_lead_to_pages_here(server):
    with server.client() as http:
        manifest = http.get("/reconcile").json()
        view = http.get(manifest["view"]["url"].replace("{{id}}", PARLIAMENT))
        card = http.get(manifest["preview"]["url"].replace("{{id}}", PARLIAMENT))
    assert view.status_code == 200 and "Benelux" in view.text
    assert card.status_code == 200 and card.headers["content-type"].startswith("text/html")
    assert "Benelux Parliament" in card.text and f"/id/{PARLIAMENT}" in card.text


def test_the_manifests_documentation_link_resolves(server):
    """OpenRefine shows it as the service's documentation: it was /docs, which is off (404)."""
    with server.client() as http:
        documentation = http.get("/reconcile").json()["documentation"]
        r = http.get(documentation)
    assert documentation.startswith(server.url) and r.status_code == 200
    assert "/reconcile" in r.json()["paths"]


def test_a_json_body_is_415_not_the_manifest(server):
    """0.2 sends its queries as a form field; a JSON body was read as no field and answered with
    the manifest (200), which a client takes for an empty result."""
    with server.client() as http:
        r = http.post("/reconcile", json={"queries": {"q0": {"query": "Benelux"}}})
        head = http.head("/reconcile")
    assert r.status_code == 415 and "form field" in r.text
    assert head.status_code == 200 and head.headers["content-type"].startswith("application/json")


def test_a_form_over_the_body_cap_is_413(server):
    """The form was read whole, with no cap (30 MB answered 400 after reading it all)."""
    queries = json.dumps({"q0": {"query": "x" * (11 * 1024 * 1024)}})
    with server.client() as http:
        r = http.post("/reconcile", data={"queries": queries})
        multipart = http.post("/reconcile", files={"queries": (None, queries)})
        small = http.post("/reconcile", files={"queries": (None, '{"q0": {"query": "Benelux"}}')})
    assert r.status_code == multipart.status_code == 413 and "limit" in r.text
    assert small.status_code == 200 and small.json()["q0"]["result"]


# --- reconciliation, as OpenRefine asks ------------------------------------------------------


def _reconcile(server, queries: dict, **form) -> dict:
    # OpenRefine 3.x: POST, application/x-www-form-urlencoded, the batch in the field 'queries'
    validator("reconciliation-query-batch.json").validate(queries)
    with server.client() as http:
        r = http.post("/reconcile", data={"queries": json.dumps(queries), **form})
    assert r.status_code == 200, r.text
    body = r.json()
    validator("reconciliation-result-batch.json").validate(body)
    return body


def _openrefine(name: str) -> dict:
    return {"query": name, "type": "Institution", "type_strict": "should", "limit": 3}


@pytest.mark.parametrize("name", ["Parlement Benelux", "Beneluxparlement", "Benelux Parliament"])
def test_names_in_each_language_match(server, name):
    body = _reconcile(server, {"q0": _openrefine(name)})
    best = body["q0"]["result"][0]
    assert best["id"] == PARLIAMENT and best["match"] is True and best["score"] == 100
    assert {"id": "Institution", "name": "institution"} in best["type"]
    assert all(not r["match"] for r in body["q0"]["result"][1:])


def test_accents_and_case_are_folded(server):
    best = _reconcile(server, {"q0": _openrefine("PARLEMENT bénélux")})["q0"]["result"][0]
    assert best["id"] == PARLIAMENT and best["match"] is True


def test_results_are_sorted_and_junk_finds_nothing(server):
    body = _reconcile(server, {"q0": {"query": "Benelux"}, "q1": {"query": "xqzw plorbnik"}})
    scores = [r["score"] for r in body["q0"]["result"]]
    assert scores == sorted(scores, reverse=True) and len(scores) == 5
    assert body["q1"]["result"] == []


def test_a_name_with_more_words_than_the_label_is_a_candidate_not_a_match(server):
    long = "Parlement Benelux " + "Bruxelles " * 40
    body = _reconcile(
        server, {"q0": _openrefine("Parlement Benelux, Bruxelles"), "q1": {"query": long}}
    )
    best = body["q0"]["result"][0]
    assert best["id"] == PARLIAMENT and best["match"] is False and best["score"] < 100
    assert body["q1"]["result"][0]["id"] == PARLIAMENT


def test_a_type_list_and_strict_types(server):
    body = _reconcile(server, {"q0": {"query": "Benelux", "type": ["Institution"], "limit": 10}})
    assert body["q0"]["result"]
    assert all(any(t["id"] == "Institution" for t in r["type"]) for r in body["q0"]["result"])


def test_get_with_queries_and_jsonp(server):
    queries = json.dumps({"q0": {"query": "Benelux Parliament"}})
    with server.client() as http:
        r = http.get("/reconcile", params={"queries": queries})
        jsonp = http.get("/reconcile", params={"queries": queries, "callback": "cb_1"})
        bad = http.get("/reconcile", params={"queries": queries, "callback": "alert(1)//"})
    assert r.json()["q0"]["result"][0]["id"] == PARLIAMENT
    assert jsonp.status_code == 200 and "cb_1(" in jsonp.text
    assert jsonp.headers["content-type"].startswith("application/javascript")
    assert bad.status_code == 400


def test_properties_take_part_in_the_score(server):
    agreeing = {"pid": "org:subOrganizationOf", "v": "Benelux Union"}
    other = {"pid": "org:subOrganizationOf", "v": "Something Else Entirely"}
    q = {"query": "Benelux Parliament"}
    body = _reconcile(
        server, {"a": {**q, "properties": [agreeing]}, "b": {**q, "properties": [other]}}
    )
    a, b = body["a"]["result"][0], body["b"]["result"][0]
    assert a["id"] == PARLIAMENT and a["match"] is True and a["score"] == 100
    assert b["score"] < a["score"]


def test_cors_on_every_route(server):
    origin = {"Origin": "https://openrefine.example"}
    paths = [
        "/reconcile",
        "/reconcile/suggest/entity?prefix=parl",
        "/reconcile/suggest/type?prefix=inst",
        "/reconcile/suggest/property?prefix=th",
        "/reconcile/propose_properties?type=Institution",
        f"/reconcile/preview?id={PARLIAMENT}",
    ]
    with server.client() as http:
        for path in paths:
            r = http.get(path, headers=origin)
            assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*", path
        post = http.post("/reconcile", data={"queries": "{}"}, headers=origin)
        preflight = http.options(
            "/reconcile", headers={**origin, "Access-Control-Request-Method": "POST"}
        )
    assert post.headers["access-control-allow-origin"] == "*"
    assert (
        preflight.status_code == 200 and "POST" in preflight.headers["access-control-allow-methods"]
    )


# --- data extension and suggest --------------------------------------------------------------


def test_property_proposals_and_extension(server):
    with server.client() as http:
        proposal = http.get("/reconcile/propose_properties", params={"type": "Institution"}).json()
        validator("data-extension-property-proposal.json").validate(proposal)
        ids = [p["id"] for p in proposal["properties"]]
        assert "org:subOrganizationOf" in ids and "position" in ids
        query = {"ids": [PARLIAMENT], "properties": [{"id": i} for i in ids]}
        validator("data-extension-query.json").validate(query)
        body = http.post("/reconcile", data={"extend": json.dumps(query)}).json()
    validator("data-extension-response.json").validate(body)
    assert [m["id"] for m in body["meta"]] == ids
    row = body["rows"][PARLIAMENT]
    assert {"id": "organisation/benelux-union", "name": "Benelux Union"} in row[
        "org:subOrganizationOf"
    ]
    assert row["position"] == [{"int": 3}]


def test_extension_types_dates(server):
    with server.client() as http:
        found = http.get("/reconcile/suggest/property", params={"prefix": "date"}).json()
        props = [{"id": p["id"]} for p in found["result"]]
        treaties = _reconcile(server, {"q0": {"query": "traité", "type": "Agreement", "limit": 10}})
        ids = [r["id"] for r in treaties["q0"]["result"]]
        body = http.post(
            "/reconcile", data={"extend": json.dumps({"ids": ids, "properties": props})}
        )
    assert body.status_code == 200, body.text
    validator("data-extension-response.json").validate(body.json())
    values = [v for row in body.json()["rows"].values() for vs in row.values() for v in vs]
    assert any("date" in v for v in values)


@pytest.mark.parametrize(
    ("kind", "prefix", "expected", "schema"),
    [
        ("entity", "parl", PARLIAMENT, "suggest-entities-response.json"),
        ("entity", "beneluxparl", PARLIAMENT, "suggest-entities-response.json"),
        ("type", "inst", "Institution", "suggest-types-response.json"),
        ("property", "approv", "approves", "suggest-properties-response.json"),
    ],
)
def test_suggest(server, kind, prefix, expected, schema):
    with server.client() as http:
        body = http.get(f"/reconcile/suggest/{kind}", params={"prefix": prefix}).json()
        empty = http.get(f"/reconcile/suggest/{kind}", params={"prefix": ""}).json()
    validator(schema).validate(body)
    assert expected in [r["id"] for r in body["result"]]
    assert empty == {"result": []}


# --- odd input: a clear 4xx, never a 5xx ------------------------------------------------------

BAD = [
    ("post", {"queries": "{not json"}, 400),
    ("post", {"queries": "[1, 2]"}, 400),
    ("post", {"queries": json.dumps({"q0": {"query": 5}})}, 400),
    ("post", {"queries": json.dumps({"q0": {"query": "x", "type": "NoSuchClass"}})}, 400),
    ("post", {"queries": json.dumps({"q0": {"query": "x", "type": 7}})}, 400),
    ("post", {"queries": json.dumps({"q0": {"query": "x", "type_strict": "maybe"}})}, 400),
    ("post", {"queries": json.dumps({"q0": {"query": "x", "limit": -1}})}, 400),
    ("post", {"queries": json.dumps({"q0": {"query": "x", "properties": "p"}})}, 400),
    ("post", {"queries": json.dumps({f"q{i}": {"query": "x"} for i in range(51)})}, 413),
    ("post", {"extend": "{not json"}, 400),
    ("post", {"extend": json.dumps({"ids": "x", "properties": []})}, 400),
    ("post", {"extend": json.dumps({"ids": ["no/such-thing"], "properties": []})}, 400),
    ("post", {"extend": json.dumps({"ids": [PARLIAMENT], "properties": [{"id": "nope"}]})}, 400),
    ("post", {"extend": json.dumps({"ids": ["a b>"], "properties": []})}, 400),
    ("post", {"extend": json.dumps({"ids": ["http://example.org/x"], "properties": []})}, 400),
]


@pytest.mark.parametrize(("method", "form", "status"), BAD, ids=lambda v: str(v)[:50])
def test_bad_input_gets_a_clear_4xx(server, method, form, status):
    with server.client() as http:
        r = http.request(method.upper(), "/reconcile", data=form)
    assert r.status_code == status, r.text
    assert len(r.text) > 10


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/reconcile/preview?id=no/such-thing", 404),
        ("/reconcile/preview?id=", 400),
        ("/reconcile/propose_properties?type=NoSuchClass", 400),
        ("/reconcile/propose_properties?type=Institution&limit=x", 400),
        ("/reconcile/suggest/entity?prefix=parl&cursor=x", 400),
        ("/reconcile/suggest/type?prefix=inst&callback=a.b()", 400),
    ],
)
def test_bad_parameters_get_a_clear_4xx(server, path, status):
    with server.client() as http:
        assert http.get(path).status_code == status


def test_an_empty_query_gets_an_empty_result(server):
    body = _reconcile(server, {"q0": {"query": ""}, "q1": {"query": "  !!  "}})
    assert body == {"q0": {"result": []}, "q1": {"result": []}}


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_the_landing_page_says_how_to_add_the_service(server, lang):
    with server.client() as http:
        page = http.get("/", params={"lang": lang}).text
    assert 'href="/reconcile">OpenRefine</a>' in page and "/reconcile</code>" in page
