"""The DCAT-AP 3 catalogue (``/catalog``): Catalog → Dataset → Distributions, and the SPARQL
endpoint as a DataService.

Identifiers are stable IRIs under ``https://w3id.org/benelux-kg/`` (the catalogue, the dataset,
its distributions, the service); only the URLs a harvester fetches (``dcat:downloadURL``,
``dcat:accessURL``, ``dcat:endpointURL``, landing page) come from the request's host, through
:class:`Links`. The catalogue is self-contained for validation with the official DCAT-AP 3.0.1
shapes: each term it uses from a controlled vocabulary (EU data themes, countries, languages,
licences, file types, access rights; ADMS publisher types; IANA media types) is typed with the
class the shapes expect, labelled, and placed in its scheme, as copied from that vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, SKOS, XSD

from kg_service import __version__
from kg_service.publish.dumps import Dump, DumpIndex
from kg_service.query.contract import Store, select
from kg_service.rdf.namespaces import BASE, ID, ONTOLOGY_IRI

__all__ = [
    "CATALOG",
    "DATASET",
    "DESCRIPTIONS",
    "LICENSE_CC_BY",
    "PUBLISHER",
    "SPARQL_SERVICE",
    "TITLES",
    "Coverage",
    "Links",
    "coverage",
    "describe_catalog",
    "dump_iri",
    "html_context",
]

ADMS = Namespace("http://www.w3.org/ns/adms#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"

CATALOG = URIRef(BASE + "catalog")
DATASET = URIRef(BASE + "dataset")
SPARQL_SERVICE = URIRef(BASE + "service/sparql")
SPARQL_DISTRIBUTION = URIRef(BASE + "distribution/sparql")
PUBLISHER = ID["organisation/benelux-union"]
#: The licence of data, ontology and metadata (as the ontology header states it).
LICENSE_CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
#: The same licence in the EU licence vocabulary, which DCAT-AP harvesters recognise.
LICENSE_EU = URIRef(EU + "licence/CC_BY_4_0")
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")

TITLES = {
    "fr": "benelux-kg : graphe de connaissances de la coopération Benelux",
    "nl": "benelux-kg: kennisgraaf van de Benelux-samenwerking",
    "en": "benelux-kg: knowledge graph of Benelux cooperation",
}
DESCRIPTIONS = {
    "fr": "Un graphe de connaissances ouvert sur la coopération Benelux : l'Union Benelux et "
    "ses institutions, ses traités et accords, ses thèmes et objectifs, ses programmes de "
    "travail et plans d'action, ses partenariats, ainsi que la provenance de chaque fait dans "
    "les documents sources. Libellés en français, néerlandais et anglais.",
    "nl": "Een open kennisgraaf over de Benelux-samenwerking: de Benelux Unie en haar "
    "instellingen, verdragen en overeenkomsten, thema's en doelstellingen, werkprogramma's en "
    "actieplannen, partnerschappen, en de herkomst van elk feit in de brondocumenten. Labels in "
    "het Frans, het Nederlands en het Engels.",
    "en": "An open knowledge graph of Benelux cooperation: the Benelux Union and its "
    "institutions, treaties and agreements, themes and objectives, work programmes and action "
    "plans, partnerships, and the provenance of every fact in the source documents. Labels in "
    "French, Dutch and English.",
}
CATALOG_TITLES = {
    "fr": "Catalogue de benelux-kg",
    "nl": "Catalogus van benelux-kg",
    "en": "benelux-kg catalogue",
}
CATALOG_DESCRIPTIONS = {
    "fr": "Les jeux de données et services de données de benelux-kg, un graphe de "
    "connaissances ouvert sur la coopération Benelux.",
    "nl": "De datasets en datadiensten van benelux-kg, een open kennisgraaf over de "
    "Benelux-samenwerking.",
    "en": "The datasets and data services of benelux-kg, an open knowledge graph of Benelux "
    "cooperation.",
}
SERVICE_TITLES = {
    "fr": "Point d'accès SPARQL de benelux-kg",
    "nl": "SPARQL-eindpunt van benelux-kg",
    "en": "benelux-kg SPARQL endpoint",
}
SERVICE_DESCRIPTIONS = {
    "fr": "Point d'accès SPARQL 1.1 (protocole SPARQL) sur l'ensemble du graphe : graphes "
    "nommés, triplets inférés compris.",
    "nl": "SPARQL 1.1-eindpunt (SPARQL-protocol) over de hele graaf: benoemde grafen, "
    "afgeleide triples inbegrepen.",
    "en": "SPARQL 1.1 Protocol endpoint over the whole graph: named graphs, inferred triples "
    "included.",
}
KEYWORDS = {
    "fr": ("Benelux", "coopération", "Union Benelux", "données liées"),
    "nl": ("Benelux", "samenwerking", "Benelux Unie", "linked data"),
    "en": ("Benelux", "cooperation", "Benelux Union", "linked data"),
}
PUBLISHER_NAMES = {"fr": "Union Benelux", "nl": "Benelux Unie", "en": "Benelux Union"}

#: Dump titles per language: "{format}" and an optional " (gzip)".
_DUMP_TITLE = {
    "fr": "Export complet, {format}{gz}",
    "nl": "Volledige export, {format}{gz}",
    "en": "Full dump, {format}{gz}",
}
_DUMP_SCOPE = {
    True: {
        "fr": "Tous les graphes nommés (faits affirmés et inférés) de la version publiée ; "
        "les écritures faites depuis par le point SPARQL n'y figurent pas.",
        "nl": "Alle benoemde grafen (beweerde en afgeleide feiten) van de gepubliceerde "
        "versie; wat sindsdien via het SPARQL-eindpunt is geschreven, staat er niet in.",
        "en": "Every named graph (asserted and inferred facts) of the published release; "
        "writes made since through the SPARQL endpoint are not in it.",
    },
    False: {
        "fr": "Tous les triplets de tous les graphes de la version publiée, fusionnés en un "
        "seul graphe ; les écritures faites depuis par le point SPARQL n'y figurent pas.",
        "nl": "Alle triples van alle grafen van de gepubliceerde versie, samengevoegd tot één "
        "graaf; wat sindsdien via het SPARQL-eindpunt is geschreven, staat er niet in.",
        "en": "Every triple of every graph of the published release, merged into one graph; "
        "writes made since through the SPARQL endpoint are not in it.",
    },
}

#: EU file-type authority code of each dump format (``dct:format``).
_FILE_TYPES = {
    "nquads": "RDF_N_QUADS",
    "trig": "RDF_TRIG",
    "jsonld": "JSON_LD",
    "turtle": "RDF_TURTLE",
    "ntriples": "RDF_N_TRIPLES",
}
_FORMAT_LABELS = {
    "nquads": "N-Quads",
    "trig": "TriG",
    "jsonld": "JSON-LD",
    "turtle": "Turtle",
    "ntriples": "N-Triples",
}

#: Terms of controlled vocabularies used here: IRI → (class, scheme, English label).
#: Themes and countries carry the EU vocabularies' own fr, nl and en labels: the catalogue page
#: shows them in the reader's language.
_THEMES = {
    "GOVE": {
        "fr": "Gouvernement et secteur public",
        "nl": "Overheid en publieke sector",
        "en": "Government and public sector",
    },
    "INTR": {
        "fr": "Questions internationales",
        "nl": "Internationale vraagstukken",
        "en": "International issues",
    },
    "JUST": {
        "fr": "Justice, système juridique et sécurité publique",
        "nl": "Justitie, rechtsstelsel en openbare veiligheid",
        "en": "Justice, legal system and public safety",
    },
    "ECON": {
        "fr": "Économie et finances",
        "nl": "Economie en financiën",
        "en": "Economy and finance",
    },
    "ENVI": {"fr": "Environnement", "nl": "Milieu", "en": "Environment"},
}
_COUNTRIES = {
    "BEL": {"fr": "Belgique", "nl": "België", "en": "Belgium"},
    "NLD": {"fr": "Pays-Bas", "nl": "Nederland", "en": "Netherlands"},
    "LUX": {"fr": "Luxembourg", "nl": "Luxemburg", "en": "Luxembourg"},
}
_LANGUAGES = {"FRA": "French", "NLD": "Dutch", "ENG": "English"}
_SCHEMES = {
    EU + "data-theme": "Data theme",
    EU + "country": "Country",
    EU + "language": "Language",
    EU + "file-type": "File type",
    EU + "access-right": "Access right",
    "http://purl.org/adms/publishertype/1.0": "Publisher type",
}
PUBLISHER_TYPE = URIRef("http://purl.org/adms/publishertype/SupraNationalAuthority")
ACCESS_PUBLIC = URIRef(EU + "access-right/PUBLIC")


@dataclass(frozen=True)
class Links:
    """The absolute URLs of this deployment (from ``base_url`` or the request's base URL)."""

    base: str

    @property
    def home(self) -> str:
        return self.base + "/"

    @property
    def sparql(self) -> str:
        return self.base + "/sparql"

    @property
    def void(self) -> str:
        return self.base + "/.well-known/void"

    @property
    def catalog(self) -> str:
        return self.base + "/catalog"

    @property
    def downloads(self) -> str:
        return self.base + "/download"

    def download(self, name: str) -> str:
        return f"{self.base}/download/{name}"


@dataclass(frozen=True)
class Coverage:
    """The years the data speaks about (first and last year of any dated statement)."""

    start: int | None
    end: int | None


COVERAGE = f"""PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT (MIN(?y) AS ?start) (MAX(?y) AS ?end) WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER(?g != <{BASE}graph/ontology> && STRSTARTS(STR(?p), "{BASE}def/"))
  FILTER(isLiteral(?o) && DATATYPE(?o) IN (xsd:gYear, xsd:date, xsd:dateTime))
  BIND(xsd:integer(SUBSTR(STR(?o), 1, 4)) AS ?y)
}}"""


async def coverage(store: Store) -> Coverage:
    """The temporal coverage: the years of the ``bkg:`` dates and years in the data graphs."""
    rows = await select(store, COVERAGE)
    row = rows[0] if rows else {}
    start, end = row.get("start"), row.get("end")
    return Coverage(int(start["value"]) if start else None, int(end["value"]) if end else None)


def dump_iri(links: Links, dump: Dump) -> URIRef:
    """The URL a dump is downloaded from."""
    return URIRef(links.download(dump.name))


def distribution_iri(dump: Dump) -> URIRef:
    """The stable identifier of the distribution of one dump."""
    return URIRef(f"{BASE}distribution/{dump.name}")


def describe_catalog(links: Links, dumps: DumpIndex, period: Coverage) -> Graph:
    """The DCAT-AP 3 graph: catalogue, dataset, distributions, data service, and the terms."""
    g = Graph(bind_namespaces="core")
    for prefix, ns in (
        ("dcat", DCAT),
        ("dcterms", DCTERMS),
        ("foaf", FOAF),
        ("skos", SKOS),
        ("spdx", SPDX),
        ("adms", ADMS),
        ("xsd", XSD),
        ("dcatap", DCATAP),
    ):
        g.bind(prefix, ns)
    modified = Literal(dumps.modified_date, datatype=XSD.date) if dumps.modified else None
    _catalog(g, modified)
    _dataset(g, links, modified, period)
    for dump in dumps.dumps.values():
        _distribution(g, links, dump)
    _service(g, links)
    _vocabulary_terms(g)
    return g


def _texts(g: Graph, node: URIRef, prop: URIRef, texts: dict[str, str]) -> None:
    for lang, text in texts.items():
        g.add((node, prop, Literal(text, lang=lang)))


def _catalog(g: Graph, modified: Literal | None) -> None:
    g.add((CATALOG, RDF.type, DCAT.Catalog))
    _texts(g, CATALOG, DCTERMS.title, CATALOG_TITLES)
    _texts(g, CATALOG, DCTERMS.description, CATALOG_DESCRIPTIONS)
    g.add((CATALOG, DCTERMS.publisher, PUBLISHER))
    g.add((CATALOG, DCTERMS.license, LICENSE_EU))
    if modified is not None:
        g.add((CATALOG, DCTERMS.modified, modified))
    g.add((CATALOG, DCAT.themeTaxonomy, URIRef(EU + "data-theme")))
    g.add((CATALOG, DCAT.dataset, DATASET))
    g.add((CATALOG, DCAT.service, SPARQL_SERVICE))
    for code in _LANGUAGES:
        g.add((CATALOG, DCTERMS.language, URIRef(f"{EU}language/{code}")))
    _publisher(g)


def _publisher(g: Graph) -> None:
    g.add((PUBLISHER, RDF.type, FOAF.Agent))
    g.add((PUBLISHER, RDF.type, FOAF.Organization))
    _texts(g, PUBLISHER, FOAF.name, PUBLISHER_NAMES)
    g.add((PUBLISHER, DCTERMS.type, PUBLISHER_TYPE))


def _dataset(g: Graph, links: Links, modified: Literal | None, period: Coverage) -> None:
    g.add((DATASET, RDF.type, DCAT.Dataset))
    _texts(g, DATASET, DCTERMS.title, TITLES)
    _texts(g, DATASET, DCTERMS.description, DESCRIPTIONS)
    g.add((DATASET, DCTERMS.identifier, Literal(str(DATASET))))
    g.add((DATASET, DCTERMS.publisher, PUBLISHER))
    g.add((DATASET, DCTERMS.license, LICENSE_EU))
    g.add((DATASET, DCTERMS.accessRights, ACCESS_PUBLIC))
    if modified is not None:
        g.add((DATASET, DCTERMS.modified, modified))
    g.add((DATASET, DCTERMS.conformsTo, ONTOLOGY_IRI))
    g.add((DATASET, DCAT.landingPage, URIRef(links.home)))
    g.add((URIRef(links.home), RDF.type, FOAF.Document))
    g.add((DATASET, DCAT.version, Literal(__version__)))
    for lang, words in KEYWORDS.items():
        for word in words:
            g.add((DATASET, DCAT.keyword, Literal(word, lang=lang)))
    for code in _THEMES:
        g.add((DATASET, DCAT.theme, URIRef(f"{EU}data-theme/{code}")))
    for code in _COUNTRIES:
        g.add((DATASET, DCTERMS.spatial, URIRef(f"{EU}country/{code}")))
    for code in _LANGUAGES:
        g.add((DATASET, DCTERMS.language, URIRef(f"{EU}language/{code}")))
    _temporal(g, period)
    g.add((DATASET, DCAT.distribution, SPARQL_DISTRIBUTION))


def _temporal(g: Graph, period: Coverage) -> None:
    if period.start is None or period.end is None:
        return
    node = BNode("temporal-coverage")
    g.add((DATASET, DCTERMS.temporal, node))
    g.add((node, RDF.type, DCTERMS.PeriodOfTime))
    g.add((node, DCAT.startDate, Literal(f"{period.start:04d}", datatype=XSD.gYear)))
    g.add((node, DCAT.endDate, Literal(f"{period.end:04d}", datatype=XSD.gYear)))


def _distribution(g: Graph, links: Links, dump: Dump) -> None:
    node, url = distribution_iri(dump), dump_iri(links, dump)
    g.add((DATASET, DCAT.distribution, node))
    g.add((node, RDF.type, DCAT.Distribution))
    label = _FORMAT_LABELS[dump.format.name]
    for lang, title in _DUMP_TITLE.items():
        gz = " (gzip)" if dump.gz else ""
        g.add((node, DCTERMS.title, Literal(title.format(format=label, gz=gz), lang=lang)))
    _texts(g, node, DCTERMS.description, _DUMP_SCOPE[dump.named_graphs])
    g.add((node, DCAT.accessURL, url))
    g.add((node, DCAT.downloadURL, url))
    g.add((node, DCAT.mediaType, _media_type(g, dump.format.media_type)))
    if dump.gz:
        g.add((node, DCAT.compressFormat, _media_type(g, "application/gzip")))
    file_type = URIRef(f"{EU}file-type/{_FILE_TYPES[dump.format.name]}")
    g.add((node, DCTERMS.format, file_type))
    _concept(g, file_type, DCTERMS.MediaTypeOrExtent, EU + "file-type", label)
    g.add((node, DCAT.byteSize, Literal(dump.size, datatype=XSD.nonNegativeInteger)))
    g.add((node, DCTERMS.license, LICENSE_EU))
    g.add((node, SPDX.checksum, _checksum(g, dump)))


def _media_type(g: Graph, media_type: str) -> URIRef:
    iri = URIRef(IANA + media_type)
    g.add((iri, RDF.type, DCTERMS.MediaType))
    return iri


def _checksum(g: Graph, dump: Dump) -> BNode:
    node = BNode(f"checksum-{dump.sha256[:16]}")
    g.add((node, RDF.type, SPDX.Checksum))
    g.add((node, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    g.add((node, SPDX.checksumValue, Literal(dump.sha256, datatype=XSD.hexBinary)))
    g.add((SPDX.checksumAlgorithm_sha256, RDF.type, SPDX.ChecksumAlgorithm))
    return node


def _service(g: Graph, links: Links) -> None:
    endpoint = URIRef(links.sparql)
    g.add((SPARQL_SERVICE, RDF.type, DCAT.DataService))
    _texts(g, SPARQL_SERVICE, DCTERMS.title, SERVICE_TITLES)
    _texts(g, SPARQL_SERVICE, DCTERMS.description, SERVICE_DESCRIPTIONS)
    g.add((SPARQL_SERVICE, DCAT.endpointURL, endpoint))
    g.add((SPARQL_SERVICE, DCAT.endpointDescription, endpoint))  # GET /sparql: the SD
    g.add((endpoint, RDF.type, RDFS.Resource))  # true of any IRI; the range shapes ask for it
    g.add((SPARQL_SERVICE, DCAT.servesDataset, DATASET))
    g.add((SPARQL_SERVICE, DCTERMS.conformsTo, SPARQL_PROTOCOL))
    g.add((SPARQL_SERVICE, DCTERMS.publisher, PUBLISHER))
    g.add((SPARQL_SERVICE, DCTERMS.license, LICENSE_EU))
    g.add((SPARQL_SERVICE, DCTERMS.accessRights, ACCESS_PUBLIC))
    # the dataset reaches the service through a distribution (DCAT-AP's usual pattern)
    g.add((SPARQL_DISTRIBUTION, RDF.type, DCAT.Distribution))
    _texts(g, SPARQL_DISTRIBUTION, DCTERMS.title, SERVICE_TITLES)
    g.add((SPARQL_DISTRIBUTION, DCAT.accessURL, endpoint))
    g.add((SPARQL_DISTRIBUTION, DCAT.accessService, SPARQL_SERVICE))
    g.add((SPARQL_DISTRIBUTION, DCTERMS.license, LICENSE_EU))


def _concept(g: Graph, iri: URIRef, cls: URIRef, scheme: str, label: str | dict[str, str]) -> None:
    """A controlled-vocabulary term: the class the shapes expect, its label (English, or one
    per language), its scheme."""
    g.add((iri, RDF.type, cls))
    g.add((iri, RDF.type, SKOS.Concept))
    for lang, text in (label if isinstance(label, dict) else {"en": label}).items():
        g.add((iri, SKOS.prefLabel, Literal(text, lang=lang)))
    g.add((iri, SKOS.inScheme, URIRef(scheme)))


def _vocabulary_terms(g: Graph) -> None:
    """What the catalogue states about the controlled-vocabulary terms it uses."""
    for code, label in _THEMES.items():
        _concept(g, URIRef(f"{EU}data-theme/{code}"), SKOS.Concept, EU + "data-theme", label)
    for code, label in _COUNTRIES.items():
        _concept(g, URIRef(f"{EU}country/{code}"), DCTERMS.Location, EU + "country", label)
    for code, label in _LANGUAGES.items():
        iri = URIRef(f"{EU}language/{code}")
        _concept(g, iri, DCTERMS.LinguisticSystem, EU + "language", label)
    _concept(g, ACCESS_PUBLIC, DCTERMS.RightsStatement, EU + "access-right", "public")
    _concept(
        g,
        PUBLISHER_TYPE,
        SKOS.Concept,
        "http://purl.org/adms/publishertype/1.0",
        "Supra-national authority",
    )
    for scheme, title in _SCHEMES.items():
        g.add((URIRef(scheme), RDF.type, SKOS.ConceptScheme))
        g.add((URIRef(scheme), DCTERMS.title, Literal(title, lang="en")))
    g.add((LICENSE_EU, RDF.type, DCTERMS.LicenseDocument))
    g.add((LICENSE_EU, RDFS.label, Literal("Creative Commons Attribution 4.0 International")))
    g.add((LICENSE_EU, RDFS.seeAlso, LICENSE_CC_BY))
    g.add((ONTOLOGY_IRI, RDF.type, DCTERMS.Standard))
    g.add((SPARQL_PROTOCOL, RDF.type, DCTERMS.Standard))
    g.add((SPARQL_PROTOCOL, DCTERMS.title, Literal("SPARQL 1.1 Protocol", lang="en")))


def html_context(links: Links, dumps: DumpIndex, period: Coverage) -> dict[str, object]:
    """What the catalogue page shows (the same facts as the graph)."""
    return {
        "titles": TITLES,
        "descriptions": DESCRIPTIONS,
        "catalog_iri": str(CATALOG),
        "dataset_iri": str(DATASET),
        "publisher": PUBLISHER_NAMES,
        "publisher_iri": str(PUBLISHER),
        "license": str(LICENSE_CC_BY),
        "themes": [(f"{EU}data-theme/{c}", labels) for c, labels in _THEMES.items()],
        "countries": [(f"{EU}country/{c}", labels) for c, labels in _COUNTRIES.items()],
        "period": period,
        "modified": dumps.modified_date,
        "dumps": list(dumps.dumps.values()),
        "labels": _FORMAT_LABELS,
        "links": links,
    }
