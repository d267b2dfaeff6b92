"""Media types and their serialisers, defined once.

Three families: SPARQL result formats (SELECT/ASK), graph formats (CONSTRUCT/DESCRIBE, RDF
resources) and dataset formats (named graphs: dumps, the Graph Store). Each ``Format`` knows its
media type, the names a ``format=`` parameter may use, its file extension, and the matching
pyoxigraph and rdflib format names.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

__all__ = [
    "DATASET_FORMATS",
    "GRAPH_FORMATS",
    "RDF_INPUT_FORMATS",
    "RESULT_FORMATS",
    "Format",
    "TEXT",
    "by_media_type",
]


@dataclass(frozen=True)
class Format:
    """One serialisation: its media type and how each library names it."""

    name: str
    media_type: str
    extension: str
    aliases: tuple[str, ...] = ()
    oxigraph: ox.RdfFormat | ox.QueryResultsFormat | None = None
    rdflib: str | None = None
    charset: bool = True

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header value."""
        return f"{self.media_type}; charset=utf-8" if self.charset else self.media_type

    @property
    def title(self) -> str:
        """The name people know the format by ("N-Triples", "JSON-LD"), for pages."""
        return _TITLES.get(self.name, self.name.upper())

    @property
    def names(self) -> tuple[str, ...]:
        """Everything a ``format=`` parameter may say for this format."""
        return (self.name, self.extension, self.media_type, *self.aliases)


#: How people write the formats' names; the rest are acronyms (JSON, CSV, HTML …).
_TITLES = {
    "turtle": "Turtle",
    "ntriples": "N-Triples",
    "jsonld": "JSON-LD",
    "rdfxml": "RDF/XML",
    "nquads": "N-Quads",
    "trig": "TriG",
}

SPARQL_JSON = Format(
    "json",
    "application/sparql-results+json",
    "srj",
    ("application/json",),
    ox.QueryResultsFormat.JSON,
    "json",
)
SPARQL_XML = Format(
    "xml",
    "application/sparql-results+xml",
    "srx",
    ("application/xml", "text/xml"),
    ox.QueryResultsFormat.XML,
    "xml",
)
CSV = Format("csv", "text/csv", "csv", (), ox.QueryResultsFormat.CSV, "csv")
TSV = Format("tsv", "text/tab-separated-values", "tsv", (), ox.QueryResultsFormat.TSV, "tsv")

TURTLE = Format(
    "turtle", "text/turtle", "ttl", ("application/x-turtle", "ttl"), ox.RdfFormat.TURTLE, "turtle"
)
NTRIPLES = Format(
    "ntriples", "application/n-triples", "nt", ("text/plain", "nt"), ox.RdfFormat.N_TRIPLES, "nt"
)
JSONLD = Format(
    "jsonld", "application/ld+json", "jsonld", ("json-ld",), ox.RdfFormat.JSON_LD, "json-ld"
)
RDFXML = Format(
    "rdfxml", "application/rdf+xml", "rdf", ("rdf+xml", "owl"), ox.RdfFormat.RDF_XML, "xml"
)
NQUADS = Format("nquads", "application/n-quads", "nq", ("nq",), ox.RdfFormat.N_QUADS, "nquads")
TRIG = Format("trig", "application/trig", "trig", (), ox.RdfFormat.TRIG, "trig")

HTML = Format("html", "text/html", "html", ("application/xhtml+xml",))
#: Plain text: error messages for clients that ask for no page and no JSON.
TEXT = Format("text", "text/plain", "txt")
#: Plain JSON documents of ours (the dump listing, the validation report).
JSON = Format("json", "application/json", "json", charset=False)

#: SELECT and ASK results; the first is the default.
RESULT_FORMATS: tuple[Format, ...] = (SPARQL_JSON, SPARQL_XML, CSV, TSV)
#: CONSTRUCT / DESCRIBE results and RDF resources; the first is the default.
GRAPH_FORMATS: tuple[Format, ...] = (TURTLE, NTRIPLES, JSONLD, RDFXML)
#: Whole datasets with named graphs.
DATASET_FORMATS: tuple[Format, ...] = (TRIG, NQUADS, JSONLD)
#: Everything a client may send as an RDF body.
RDF_INPUT_FORMATS: tuple[Format, ...] = (TURTLE, NTRIPLES, JSONLD, RDFXML, NQUADS, TRIG)


def by_media_type(media_type: str, formats: tuple[Format, ...]) -> Format | None:
    """The format whose media type (or alias) is ``media_type``, ignoring parameters and case."""
    wanted = media_type.split(";", 1)[0].strip().lower()
    for fmt in formats:
        if wanted == fmt.media_type or wanted in fmt.aliases:
            return fmt
    return None
