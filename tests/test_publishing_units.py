"""In-process: the dump index, conditional requests, VoID namespaces, the sitemap writer."""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
from starlette.requests import Request

from kg_service.build.layout import DUMP_INDEX
from kg_service.build.pipeline import write_dump_index
from kg_service.publish.dumps import etag_matches, load_dumps, not_modified
from kg_service.publish.void import namespace_of
from kg_service.settings import Settings
from kg_service.web.routes.publishing import sitemap_xml

WHEN = datetime(2026, 11, 24, 7, 10, 52, tzinfo=UTC)


def _request(method: str = "GET", **headers: str) -> Request:
    raw = [(k.replace("_", "-").lower().encode(), v.encode()) for k, v in headers.items()]
    return Request({"type": "http", "method": method, "headers": raw, "path": "/"})


@pytest.mark.parametrize(
    ("header", "expected"),
    [('"a"', True), ('W/"a"', True), ('"b", "a"', True), ("*", True), ('"b"', False), ("", False)],
)
def test_etag_matches_weakly(header, expected):
    assert etag_matches(header, '"a"') is expected


def test_if_none_match_wins_over_if_modified_since():
    later = "Wed, 25 Nov 2026 00:00:00 GMT"
    assert not_modified(_request(if_none_match='"a"'), '"a"', WHEN)
    assert not not_modified(_request(if_none_match='"b"', if_modified_since=later), '"a"', WHEN)


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        ("Tue, 24 Nov 2026 07:10:52 GMT", True),
        ("Tue, 24 Nov 2026 07:10:51 GMT", False),
        ("Wed, 25 Nov 2026 00:00:00 GMT", True),
        ("not a date", False),
    ],
)
def test_if_modified_since(since, expected):
    assert not_modified(_request(if_modified_since=since), '"a"', WHEN) is expected


def test_conditions_apply_to_get_and_head_only():
    assert not not_modified(_request("POST", if_none_match="*"), '"a"', WHEN)
    assert not_modified(_request("HEAD", if_none_match="*"), '"a"', WHEN)


@pytest.mark.parametrize(
    ("iri", "namespace"),
    [
        ("http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/2004/02/skos/core#"),
        ("https://w3id.org/benelux-kg/def/theme", "https://w3id.org/benelux-kg/def/"),
        ("http://www.w3.org/2006/vcard/ns#street-address", "http://www.w3.org/2006/vcard/ns#"),
        ("http://example.org/vocab/a/term", "http://example.org/vocab/a/"),
    ],
)
def test_namespace_of(iri, namespace):
    assert namespace_of(iri) == namespace


def test_sitemap_escapes_and_encodes():
    body = sitemap_xml("https://h.example", ["/id/a&b", "/id/é"], "2026-11-24")
    root = ET.fromstring(body)
    locs = [e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locs == ["https://h.example/id/a&b", "https://h.example/id/%C3%A9"]


@pytest.fixture
def build_dir(tmp_path):
    settings = Settings.load({}, build_dir=tmp_path)
    files = []
    for name in ("benelux-kg.nt", "benelux-kg.nt.gz", "benelux-kg.ttl"):
        (tmp_path / name).write_bytes(name.encode())
        files.append(tmp_path / name)
    return settings, files


def test_index_records_sizes_digests_and_keeps_its_time_when_nothing_changed(build_dir):
    settings, files = build_dir
    path = write_dump_index(settings, files)
    first = json.loads(path.read_text())
    assert first["dumps"]["benelux-kg.nt"]["bytes"] == len(b"benelux-kg.nt")
    stamped = {**first, "built": "2000-01-01T00:00:00Z"}
    path.write_text(json.dumps(stamped))
    assert json.loads(write_dump_index(settings, files).read_text())["built"] == stamped["built"]
    files[0].write_bytes(b"changed")
    assert json.loads(write_dump_index(settings, files).read_text())["built"] != stamped["built"]


def test_load_dumps_uses_the_index_and_only_known_names(build_dir):
    settings, files = build_dir
    (settings.build_path / "secret.nt").write_bytes(b"no")
    write_dump_index(settings, files)
    index = load_dumps(settings)
    assert sorted(index.dumps) == ["benelux-kg.nt", "benelux-kg.nt.gz", "benelux-kg.ttl"]
    assert index.dumps["benelux-kg.nt.gz"].content_type == "application/gzip"
    assert index.dumps["benelux-kg.ttl"].content_type == "text/turtle; charset=utf-8"


def test_load_dumps_recomputes_a_stale_or_missing_index(build_dir):
    settings, files = build_dir
    write_dump_index(settings, files)
    files[0].write_bytes(b"rebuilt without an index update")
    index = load_dumps(settings)
    assert index.dumps["benelux-kg.nt"].sha256 == hashlib.sha256(files[0].read_bytes()).hexdigest()
    (settings.build_path / DUMP_INDEX).unlink()
    assert load_dumps(settings).dumps["benelux-kg.ttl"].size == len(b"benelux-kg.ttl")


def test_no_build_folder_means_no_dumps_and_no_date(tmp_path):
    index = load_dumps(Settings.load({}, build_dir=tmp_path / "absent"))
    assert index.dumps == {} and index.modified is None and index.modified_date is None
    assert b"<lastmod>" not in sitemap_xml("https://h.example", ["/"], None)
