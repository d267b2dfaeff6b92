"""FAIR Signposting (level 1) as RFC 8288 ``Link`` headers, and the dataset as schema.org.

Harvesters and FAIR evaluators (data.europa.eu, Google Dataset Search, F-UJI, FAIR-Checker)
find what a page is about without parsing it:

* the landing page ``/``: ``cite-as`` (the dataset's persistent IRI), ``describedby`` (the
  DCAT-AP catalogue in Turtle and JSON-LD, the VoID), ``item`` (each dump, with its media
  type), ``license``, ``type`` (``schema:AboutPage``, ``schema:Dataset``);
* each resource ``/id/…``, ``/def/…``: ``cite-as`` (its IRI), ``describedby`` (its RDF forms),
  ``type`` (its classes), ``license``;
* each dump ``/download/{name}``: ``collection`` (the landing page), ``license``.

:func:`dataset_jsonld` is the schema.org ``Dataset`` the landing page embeds: the same facts as
the catalogue (:mod:`kg_service.publish.catalog`), in the vocabulary dataset search engines read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kg_service import __version__
from kg_service.publish.catalog import (
    DATASET,
    DESCRIPTIONS,
    KEYWORDS,
    LICENSE_CC_BY,
    PUBLISHER,
    PUBLISHER_NAMES,
    TITLES,
    Coverage,
    Links,
    dump_iri,
)
from kg_service.publish.dumps import Dump, DumpIndex
from kg_service.rdf.formats import GRAPH_FORMATS

__all__ = [
    "CREATOR",
    "SCHEMA",
    "Signpost",
    "dataset_jsonld",
    "dump_signposts",
    "landing_signposts",
    "link_header",
    "resource_signposts",
]

SCHEMA = "https://schema.org/"
#: Who made the graph, as the ontology header says (``dcterms:creator``).
CREATOR = "benelux-kg contributors"
#: The countries the data is about, in the EU country authority the catalogue uses too.
COUNTRIES = {
    "Belgium": "http://publications.europa.eu/resource/authority/country/BEL",
    "Netherlands": "http://publications.europa.eu/resource/authority/country/NLD",
    "Luxembourg": "http://publications.europa.eu/resource/authority/country/LUX",
}


@dataclass(frozen=True)
class Signpost:
    """One typed link from the page that carries it: ``<target>; rel="…"; type="…"``."""

    target: str
    rel: str
    type: str | None = None

    def __str__(self) -> str:
        kind = f'; type="{self.type}"' if self.type else ""
        return f'<{self.target}>; rel="{self.rel}"{kind}'


def link_header(signposts: Iterable[Signpost]) -> str:
    """The value of one ``Link`` header carrying every signpost (RFC 8288 §3)."""
    return ", ".join(str(s) for s in signposts)


def landing_signposts(links: Links, dumps: DumpIndex) -> list[Signpost]:
    """Level 1 signposting of the landing page (the dataset's page)."""
    posts = [
        Signpost(str(DATASET), "cite-as"),
        Signpost(f"{links.catalog}?format=ttl", "describedby", "text/turtle"),
        Signpost(f"{links.catalog}?format=jsonld", "describedby", "application/ld+json"),
        Signpost(f"{links.void}?format=ttl", "describedby", "text/turtle"),
        Signpost(str(LICENSE_CC_BY), "license"),
        Signpost(SCHEMA + "AboutPage", "type"),
        Signpost(SCHEMA + "Dataset", "type"),
    ]
    posts += [Signpost(str(dump_iri(links, d)), "item", d.media_type) for d in dumps.dumps.values()]
    return posts


def resource_signposts(iri: str, path: str, types: Iterable[str]) -> list[Signpost]:
    """Level 1 signposting of a resource answered at ``path`` (``/id/x``): its IRI to cite,
    its RDF forms (``/id/x.ttl`` …), its classes, the licence."""
    posts = [Signpost(iri, "cite-as")]
    posts += [Signpost(f"{path}.{f.extension}", "describedby", f.media_type) for f in GRAPH_FORMATS]
    posts += [Signpost(t, "type") for t in sorted(set(types))]
    posts.append(Signpost(str(LICENSE_CC_BY), "license"))
    return posts


def dump_signposts(links: Links) -> list[Signpost]:
    """A dump belongs to the dataset whose landing page is ``/``."""
    return [
        Signpost(links.home, "collection", "text/html"),
        Signpost(str(LICENSE_CC_BY), "license"),
    ]


def _texts(texts: dict[str, str]) -> list[dict[str, str]]:
    return [{"@language": lang, "@value": text} for lang, text in texts.items()]


def dataset_jsonld(links: Links, dumps: DumpIndex, period: Coverage) -> dict[str, Any]:
    """The schema.org ``Dataset`` of the landing page (JSON-LD, for dataset search engines)."""
    doc: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "Dataset",
        "@id": str(DATASET),
        "identifier": str(DATASET),
        "name": _texts(TITLES),
        "description": _texts(DESCRIPTIONS),
        "url": links.home,
        "license": str(LICENSE_CC_BY),
        "isAccessibleForFree": True,
        "creator": {"@type": "Organization", "name": CREATOR},
        "publisher": {
            "@type": "Organization",
            "@id": str(PUBLISHER),
            "name": _texts(PUBLISHER_NAMES),
        },
        "version": __version__,
        "inLanguage": list(TITLES),
        "keywords": sorted({word for words in KEYWORDS.values() for word in words}),
        "spatialCoverage": _place(),
        "includedInDataCatalog": {"@type": "DataCatalog", "url": links.catalog},
        "distribution": [_download(links, d) for d in dumps.dumps.values()],
    }
    if dumps.modified_date:
        doc["dateModified"] = dumps.modified_date
    if period.start is not None and period.end is not None:
        doc["temporalCoverage"] = f"{period.start:04d}/{period.end:04d}"
    return doc


def _place() -> dict[str, Any]:
    countries = [{"@type": "Country", "name": n, "sameAs": i} for n, i in COUNTRIES.items()]
    return {"@type": "Place", "name": "Benelux", "containsPlace": countries}


def _download(links: Links, dump: Dump) -> dict[str, Any]:
    return {
        "@type": "DataDownload",
        "name": dump.name,
        "contentUrl": str(dump_iri(links, dump)),
        "encodingFormat": dump.media_type,
        "contentSize": f"{dump.size} B",
    }
