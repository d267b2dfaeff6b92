"""The example queries of ``queries/`` as data, in the SIB sparql-examples convention.

The source of truth is the folder: each ``queries/NN-name.rq`` holds a query as it runs, and
the sidecar ``NN-name.toml`` beside it says what the query answers, for a researcher, in fr,
nl and en (``[title]``, ``[comment]``, ``[keywords]``), its ``topic`` (one of
``queries/topics.toml``) and, when it has a natural picture, the result ``view`` the editor
opens it on (``chart``, ``timeline``, ``graph``).

:func:`examples_graph` turns them into ``sh:SPARQLExecutable`` resources (with
``sh:SPARQLSelectExecutable`` …, the query text in ``sh:select`` / ``sh:ask`` /
``sh:construct`` / ``spex:describe``, ``sh:prefixes``, ``schema:target``,
``schema:keywords``, ``dcterms:subject`` a topic); the build publishes them in the named graph
``graph/examples``, and ``/.well-known/sparql-examples`` serves that graph.

>>> form_of("PREFIX x: <u:> # ask?\\nASK { ?s ?p ?o }")
'ASK'
>>> declared_prefixes("PREFIX bkg: <https://w3id.org/benelux-kg/def/> SELECT * {}")
{'bkg': 'https://w3id.org/benelux-kg/def/'}
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SKOS

from kg_service.errors import BuildError
from kg_service.query.lexer import tokens
from kg_service.rdf.namespaces import BASE, GRAPH

__all__ = [
    "ENDPOINT",
    "EXAMPLES",
    "EXAMPLES_GRAPH",
    "LANGUAGES",
    "SCHEMA",
    "SH",
    "SPEX",
    "VIEWS",
    "Example",
    "Topic",
    "declared_prefixes",
    "examples_graph",
    "form_of",
    "load_examples",
    "load_topics",
]

#: The examples' own IRIs: ``…/.well-known/sparql-examples/{file stem}`` (as SIB names them).
EXAMPLES = Namespace(BASE + ".well-known/sparql-examples/")
EXAMPLES_GRAPH = GRAPH["examples"]
#: The endpoint the examples are written for (``schema:target``): its persistent address.
ENDPOINT = URIRef(BASE + "sparql")
SH = Namespace("http://www.w3.org/ns/shacl#")
SPEX = Namespace("https://purl.expasy.org/sparql-examples/ontology#")
SCHEMA = Namespace("https://schema.org/")

LANGUAGES = ("fr", "nl", "en")
#: The result views an example may open on (YASR plugins of the editor).
VIEWS = ("table", "chart", "timeline", "graph")
#: Each query form: the class of executable and the property that holds the text.
FORMS = {
    "SELECT": (SH.SPARQLSelectExecutable, SH.select),
    "ASK": (SH.SPARQLAskExecutable, SH.ask),
    "CONSTRUCT": (SH.SPARQLConstructExecutable, SH.construct),
    "DESCRIBE": (SPEX.DescribeExecutable, SPEX.describe),
}
TOPICS_FILE = "topics.toml"
_ASCII_SPACES = re.compile(r"[ \t\r\n]+")
PREFIXES_NODE = EXAMPLES["prefixes"]
TOPIC_SCHEME = EXAMPLES["topics"]
TOPIC_SCHEME_LABELS = {
    "fr": "Thèmes des requêtes d'exemple",
    "nl": "Onderwerpen van de voorbeeldqueries",
    "en": "Topics of the example queries",
}


@dataclass(frozen=True)
class Topic:
    """A group of examples in the editor's list, named in fr, nl and en."""

    id: str
    labels: Mapping[str, str]

    @property
    def iri(self) -> URIRef:
        return EXAMPLES[f"topic/{self.id}"]


@dataclass(frozen=True)
class Example:
    """One example: its query (the ``.rq`` text) and what its sidecar says about it."""

    id: str
    query: str
    form: str
    titles: Mapping[str, str]
    comments: Mapping[str, str]
    keywords: Mapping[str, tuple[str, ...]]
    topic: str
    view: str = "table"

    @property
    def iri(self) -> URIRef:
        return EXAMPLES[self.id]

    def title(self, lang: str) -> str:
        """The title in ``lang`` (every example has all three)."""
        return self.titles[lang]

    def comment(self, lang: str) -> str:
        return self.comments[lang]


def form_of(query: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first keyword after the prologue."""
    forms = set(FORMS)
    for token in tokens(query):
        if token.keyword in forms:
            return token.keyword
    raise ValueError("no SELECT, ASK, CONSTRUCT or DESCRIBE in the query")


def declared_prefixes(query: str) -> dict[str, str]:
    """The ``PREFIX name: <iri>`` declarations of ``query``, in order."""
    found: dict[str, str] = {}
    toks = list(tokens(query))
    for i, token in enumerate(toks[:-2]):
        name, iri = toks[i + 1], toks[i + 2]
        if token.keyword == "PREFIX" and name.kind == "pname" and iri.kind == "iri":
            found[name.text.rstrip(":")] = iri.text[1:-1]
    return found


def load_topics(queries_dir: Path) -> list[Topic]:
    """The topics of ``queries/topics.toml``, in the order the editor shows them."""
    path = queries_dir / TOPICS_FILE
    entries = _toml(path).get("topic", [])
    topics = [Topic(str(e.get("id", "")), _per_language(e, path, "topic")) for e in entries]
    if not topics or not all(t.id for t in topics):
        raise BuildError(f"{path}: every [[topic]] needs an id and a name in fr, nl and en")
    return topics


def load_examples(queries_dir: Path) -> list[Example]:
    """Every ``*.rq`` of ``queries_dir`` with its sidecar, in file-name order.

    A missing sidecar, language or topic is a :class:`~kg_service.errors.BuildError` naming
    the file: the build refuses an example a researcher could not read in their language.
    """
    if not queries_dir.is_dir():
        return []
    topics = {t.id for t in load_topics(queries_dir)}
    return [_load(path, topics) for path in sorted(queries_dir.glob("*.rq"))]


def _load(path: Path, topics: set[str]) -> Example:
    sidecar = path.with_suffix(".toml")
    meta = _toml(sidecar)
    query = path.read_text(encoding="utf-8")
    try:
        form = form_of(query)
    except ValueError as exc:
        raise BuildError(f"{path}: {exc}") from None
    topic, view = str(meta.get("topic", "")), str(meta.get("view", "table"))
    if topic not in topics:
        raise BuildError(f"{sidecar}: topic {topic!r} is not one of {sorted(topics)}")
    if view not in VIEWS:
        raise BuildError(f"{sidecar}: view {view!r} is not one of {', '.join(VIEWS)}")
    return Example(
        id=path.stem,
        query=query,
        form=form,
        titles=_per_language(meta.get("title", {}), sidecar, "[title]"),
        comments=_per_language(meta.get("comment", {}), sidecar, "[comment]"),
        keywords=_keywords(meta.get("keywords", {}), sidecar),
        topic=topic,
        view=view,
    )


def _toml(path: Path) -> dict:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise BuildError(f"{path} is missing (each query has a sidecar beside it)") from None
    except tomllib.TOMLDecodeError as exc:
        raise BuildError(f"{path}: {exc}") from None


def _per_language(table: object, path: Path, what: str) -> dict[str, str]:
    """``{fr, nl, en}`` → text, each present and non-empty.

    Line breaks and runs of spaces become one space; a no-break space (French typography,
    before ``?`` or ``:``) stays.
    """
    values = table if isinstance(table, dict) else {}
    found = {lang: _ASCII_SPACES.sub(" ", str(values.get(lang, ""))).strip() for lang in LANGUAGES}
    missing = [lang for lang, text in found.items() if not text]
    if missing:
        raise BuildError(f"{path}: {what} has no text in {', '.join(missing)}")
    return found


def _keywords(table: object, path: Path) -> dict[str, tuple[str, ...]]:
    values = table if isinstance(table, dict) else {}
    found = {lang: tuple(str(k) for k in values.get(lang, ())) for lang in LANGUAGES}
    missing = [lang for lang, words in found.items() if not words]
    if missing:
        raise BuildError(f"{path}: [keywords] has none in {', '.join(missing)}")
    return found


# --- the graph ----------------------------------------------------------------------------


def examples_graph(examples: list[Example], topics: list[Topic]) -> Graph:
    """The examples as ``sh:SPARQLExecutable`` resources, with their topics and prefixes."""
    graph = Graph()
    for prefix, namespace in (("ex", EXAMPLES), ("sh", SH), ("spex", SPEX), ("schema", SCHEMA)):
        graph.bind(prefix, namespace)
    used = {t.id for t in topics if any(e.topic == t.id for e in examples)}
    for topic in topics:
        if topic.id in used:
            _add_topic(graph, topic)
    prefixes: dict[str, str] = {}
    for example in examples:
        _add_example(graph, example)
        prefixes.update(declared_prefixes(example.query))
    _add_prefixes(graph, prefixes)
    return graph


def _add_example(graph: Graph, example: Example) -> None:
    node = example.iri
    kind, text_property = FORMS[example.form]
    graph.add((node, RDF.type, SH.SPARQLExecutable))
    graph.add((node, RDF.type, kind))
    graph.add((node, text_property, Literal(example.query)))
    graph.add((node, SH.prefixes, PREFIXES_NODE))
    graph.add((node, SCHEMA.target, ENDPOINT))
    graph.add((node, DCTERMS.subject, EXAMPLES[f"topic/{example.topic}"]))
    for lang in LANGUAGES:
        graph.add((node, RDFS.label, Literal(example.titles[lang], lang=lang)))
        graph.add((node, RDFS.comment, Literal(example.comments[lang], lang=lang)))
        for word in example.keywords[lang]:
            graph.add((node, SCHEMA.keywords, Literal(word, lang=lang)))


def _add_topic(graph: Graph, topic: Topic) -> None:
    graph.add((TOPIC_SCHEME, RDF.type, SKOS.ConceptScheme))
    graph.add((topic.iri, RDF.type, SKOS.Concept))
    graph.add((topic.iri, SKOS.inScheme, TOPIC_SCHEME))
    for lang in LANGUAGES:
        graph.add((topic.iri, SKOS.prefLabel, Literal(topic.labels[lang], lang=lang)))
    for lang, text in TOPIC_SCHEME_LABELS.items():
        graph.add((TOPIC_SCHEME, SKOS.prefLabel, Literal(text, lang=lang)))


def _add_prefixes(graph: Graph, prefixes: dict[str, str]) -> None:
    """One ``owl:Ontology`` node declaring every prefix the examples use (``sh:declare``)."""
    graph.add((PREFIXES_NODE, RDF.type, OWL.Ontology))
    for name in sorted(prefixes):
        declaration = URIRef(f"{PREFIXES_NODE}#{name}")
        graph.add((PREFIXES_NODE, SH.declare, declaration))
        graph.add((declaration, SH.prefix, Literal(name)))
        graph.add((declaration, SH.namespace, Literal(prefixes[name], datatype=XSD.anyURI)))
