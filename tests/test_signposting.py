"""FAIR Signposting and dataset search, against the served process.

The ``Link`` headers are parsed with the ``signposting`` package (FAIR Signposting level 1),
the landing page's schema.org ``Dataset`` as JSON; every link that points into this service
(directly, or through a ``https://w3id.org/benelux-kg/`` IRI, which w3id redirects here) is
followed and must resolve, in the media type the link announces.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pytest
import signposting
from rdflib import OWL, Graph, URIRef

from kg_service.publish.catalog import DATASET, LICENSE_CC_BY
from kg_service.rdf.namespaces import BASE, BKG, ID, ONTOLOGY_IRI

pytestmark = pytest.mark.e2e

PARLIAMENT = "/id/institution/benelux-parliament"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
#: The links that leave this service: the licence and the schema.org types.
EXTERNAL = {
    str(LICENSE_CC_BY),
    "https://schema.org/AboutPage",
    "https://schema.org/Dataset",
}
_JSONLD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


@pytest.fixture(scope="module")
def http(server) -> Iterator[httpx.Client]:
    with server.client() as client:
        yield client


def signposts(response: httpx.Response) -> signposting.Signposting:
    """The signposts of a response's ``Link`` headers, resolved against its URL."""
    headers = response.headers.get_list("link")
    assert headers, f"no Link header on {response.url}"
    return signposting.find_signposting_http_link(headers, str(response.url))


def local(http: httpx.Client, target: str) -> str | None:
    """The URL on the served process that ``target`` resolves to (``None``: elsewhere)."""
    base = str(http.base_url).rstrip("/")
    if target.startswith(base):
        return target[len(base) :] or "/"
    if target.startswith(BASE):
        return "/" + target[len(BASE) :]
    return None


def assert_resolves(http: httpx.Client, target: str, media_type: str | None = None) -> None:
    """``target`` answers 200 on the served process (after redirects), in ``media_type``."""
    path = local(http, str(target))
    if path is None:
        assert str(target) in EXTERNAL, f"a link leaves the service: {target}"
        return
    accept = {"Accept": media_type} if media_type else {"Accept": BROWSER}
    r = http.get(path, headers=accept, follow_redirects=True)
    assert r.status_code == 200, f"{target} → {r.status_code}"
    if media_type:
        assert r.headers["content-type"].split(";")[0] == media_type, target


def assert_all_resolve(http: httpx.Client, posts: signposting.Signposting) -> None:
    """Every signpost resolves here; a ``type`` may also be a class of another vocabulary
    (``org:FormalOrganization``), which is not ours to serve."""
    for post in posts:
        target = str(post.target)
        if post.rel == "type" and local(http, target) is None:
            assert re.match(r"https?://[^/]+/", target), target
            continue
        assert_resolves(http, target, str(post.type) if post.type else None)


# --- the landing page -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def landing(http: httpx.Client) -> httpx.Response:
    r = http.get("/", headers={"Accept": BROWSER})
    assert r.status_code == 200
    return r


def test_landing_page_signposts(landing: httpx.Response, http: httpx.Client) -> None:
    posts = signposts(landing)
    assert str(posts.citeAs.target) == str(DATASET)
    assert str(posts.license.target) == str(LICENSE_CC_BY)
    described = {(str(p.target).split("/")[-1], str(p.type)) for p in posts.describedBy}
    assert described == {
        ("catalog?format=ttl", "text/turtle"),
        ("catalog?format=jsonld", "application/ld+json"),
        ("void?format=ttl", "text/turtle"),
    }
    assert {str(t.target) for t in posts.types} == {
        "https://schema.org/AboutPage",
        "https://schema.org/Dataset",
    }
    listing = http.get("/download", headers={"Accept": "application/json"}).json()
    names = {str(p.target).rsplit("/", 1)[-1] for p in posts.items}
    assert names and names == {d["name"] for d in listing["dumps"]}


def test_every_landing_link_resolves(landing: httpx.Response, http: httpx.Client) -> None:
    assert_all_resolve(http, signposts(landing))


def test_a_head_request_has_the_same_signposts(landing: httpx.Response, http: httpx.Client) -> None:
    head = http.head("/", headers={"Accept": BROWSER})
    assert head.status_code == 200
    assert head.headers["link"] == landing.headers["link"]


def test_the_html_head_repeats_the_signposts(landing: httpx.Response) -> None:
    html = signposting.find_signposting_html(str(landing.url))  # fetches the page itself
    assert str(html.citeAs.target) == str(DATASET)
    assert len(html.items) == len(signposts(landing).items)


def test_the_datasets_iri_leads_to_its_page_or_its_description(http: httpx.Client) -> None:
    path = local(http, str(DATASET))
    page = http.get(path, headers={"Accept": BROWSER})
    rdf = http.get(path, headers={"Accept": "text/turtle"})
    assert (page.status_code, page.headers["location"]) == (303, "/")
    assert rdf.status_code == 303 and rdf.headers["location"].startswith("/catalog")
    graph = Graph().parse(data=http.get(rdf.headers["location"]).text, format="turtle")
    assert (URIRef(str(DATASET)), None, None) in graph
    assert http.get(path, headers={"Accept": "image/png"}).status_code == 406


# --- schema.org Dataset -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def dataset(landing: httpx.Response) -> dict:
    found = _JSONLD.findall(landing.text)
    assert len(found) == 1, "one JSON-LD block in the landing page"
    return json.loads(found[0])


def test_the_landing_page_embeds_a_schema_org_dataset(dataset: dict) -> None:
    assert dataset["@context"] == "https://schema.org/" and dataset["@type"] == "Dataset"
    assert dataset["@id"] == dataset["identifier"] == str(DATASET)
    for field in ("name", "description"):
        assert {t["@language"] for t in dataset[field]} == {"fr", "nl", "en"}
    assert all(len(t["@value"]) >= 50 for t in dataset["description"])  # Google's minimum
    assert dataset["license"] == str(LICENSE_CC_BY)
    assert dataset["creator"]["name"] and dataset["publisher"]["@id"] == str(
        ID["organisation/benelux-union"]
    )
    assert re.fullmatch(r"\d{4}/\d{4}", dataset["temporalCoverage"])
    start, end = (int(y) for y in dataset["temporalCoverage"].split("/"))
    assert start <= 1944 and end >= 2024  # the 1944 customs convention … the work programmes
    countries = {c["name"] for c in dataset["spatialCoverage"]["containsPlace"]}
    assert countries == {"Belgium", "Netherlands", "Luxembourg"}
    assert {"Benelux", "linked data"} <= set(dataset["keywords"])
    assert dataset["version"] and re.fullmatch(r"\d{4}-\d\d-\d\d", dataset["dateModified"])


def test_every_download_of_the_dataset_resolves(dataset: dict, http: httpx.Client) -> None:
    assert dataset["distribution"]
    for download in dataset["distribution"]:
        assert download["@type"] == "DataDownload"
        r = http.head(local(http, download["contentUrl"]))
        assert r.status_code == 200, download["contentUrl"]
        assert r.headers["content-type"].split(";")[0] == download["encodingFormat"]
        assert download["contentSize"] == f"{r.headers['content-length']} B"


def test_the_datasets_own_links_resolve(dataset: dict, http: httpx.Client) -> None:
    for url in (dataset["url"], dataset["includedInDataCatalog"]["url"], dataset["@id"]):
        assert_resolves(http, url)
    assert_resolves(http, dataset["publisher"]["@id"], "text/turtle")


# --- resources and dumps ----------------------------------------------------------------------


@pytest.mark.parametrize("accept", [BROWSER, "text/turtle", "application/ld+json"])
def test_a_resource_signposts_its_iri_forms_types_and_licence(http: httpx.Client, accept: str):
    r = http.get(PARLIAMENT, headers={"Accept": accept})
    assert r.status_code == 200
    posts = signposts(r)
    assert str(posts.citeAs.target) == str(ID["institution/benelux-parliament"])
    assert str(posts.license.target) == str(LICENSE_CC_BY)
    assert {str(p.type) for p in posts.describedBy} == {
        "text/turtle",
        "application/n-triples",
        "application/ld+json",
        "application/rdf+xml",
    }
    assert str(BKG.Institution) in {str(t.target) for t in posts.types}
    assert_all_resolve(http, posts)


def test_an_ontology_term_is_signposted_too(http: httpx.Client) -> None:
    posts = signposts(http.get("/def/Institution", headers={"Accept": "text/turtle"}))
    assert str(posts.citeAs.target) == str(BKG.Institution)
    assert "http://www.w3.org/2002/07/owl#Class" in {str(t.target) for t in posts.types}


def test_each_dump_points_to_its_collection(landing: httpx.Response, http: httpx.Client) -> None:
    for item in signposts(landing).items:
        r = http.head(local(http, str(item.target)))
        assert r.status_code == 200
        collection = signposts(r).collection
        assert str(collection.target) == str(http.base_url).rstrip("/") + "/"
        assert_resolves(http, str(collection.target), "text/html")


# --- the ontology's version IRI ---------------------------------------------------------------


def test_the_ontology_version_iri_resolves(http: httpx.Client) -> None:
    ontology = Graph().parse(data=http.get("/def", headers={"Accept": "text/turtle"}).text)
    version = ontology.value(ONTOLOGY_IRI, OWL.versionIRI)
    assert version is not None and str(version).startswith(str(BKG))
    path = local(http, str(version))
    r = http.get(path, headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert (ONTOLOGY_IRI, OWL.versionIRI, version) in Graph().parse(data=r.text, format="turtle")
    assert http.get(path, headers={"Accept": BROWSER}).status_code == 200
    assert http.get("/def/9.9.9", headers={"Accept": "text/turtle"}).status_code == 404
