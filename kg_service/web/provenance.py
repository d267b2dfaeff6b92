"""Statement provenance for pages: which slide, section or source states each statement.

Every asserted statement lives in the named graph of the section (a slide of the deck, a part
of the plan) or external source that states it; the sources graph links each such graph to
its source with ``prov:wasDerivedFrom``. Statements no section makes in so many words live in
the interpretation graph, each described by a ``bkg:Interpretation`` with its note. This module
turns a statement's graphs into the short references a page shows ("slide 12", "Multiannual
plan, theme 1", "interpretation", an external source's name), each linking to the page that
says more, and lists what the graph takes from one source (for the slide's own page), with the
interpretations that read it: a reading of several slides lives in no slide's graph, so without
them a slide's page would not show it.

The maps from graphs to sources and from statements to interpretations are small (a few dozen
rows) and change only with the store: they are computed once per store generation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from kg_service.query.contract import Store, select
from kg_service.rdf.namespaces import BASE, BKG, INTERPRETATION_GRAPH, PROV_DERIVED, RDFS_LABEL
from kg_service.web.i18n import pick_literal, property_label, t

__all__ = [
    "Sources",
    "SourceRef",
    "load_sources",
    "property_name",
    "readings_of",
    "repeats_a_heading",
    "short_name",
    "source_statements",
]

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DCT_PART = "http://purl.org/dc/terms/isPartOf"


@dataclass(frozen=True)
class SourceRef:
    """A reference a page shows after a statement: short text, a link, a longer title."""

    text: str
    href: str | None
    title: str = ""
    order: tuple = ()


@dataclass
class _Source:
    iri: str
    position: int | None
    slide: bool
    external: bool
    labels: list = field(default_factory=list)


@dataclass
class Sources:
    """What a page needs to say where each statement comes from (one per store generation)."""

    by_graph: dict[str, _Source] = field(default_factory=dict)
    interpretations: dict[tuple[str, str, str], str] = field(default_factory=dict)
    interpretation_labels: dict[str, list] = field(default_factory=dict)

    def refs(self, graph: str, triple: tuple[str, str, str], lang: str) -> list[SourceRef]:
        """The references of a statement ``triple`` (subject, predicate, object as N-Triples
        terms' values) found in ``graph``: none for the sources, ontology or inferred graphs."""
        if graph == str(INTERPRETATION_GRAPH):
            if triple[0] in self.interpretation_labels:
                return []  # the description of an interpretation, not a reading
            interpretation = self.interpretations.get(triple)
            if not interpretation:
                return [SourceRef(t("interpretation", lang), None, "", (2,))]
            title = pick_literal(self.interpretation_labels.get(interpretation, []), lang) or ""
            return [SourceRef(t("interpretation", lang), _local(interpretation), title, (2, title))]
        source = self.by_graph.get(graph)
        return [self.ref(source, lang)] if source else []

    def ref(self, source: _Source, lang: str) -> SourceRef:
        """The short reference to one source: "slide 12", "multiannual plan, theme 1" (a part
        of the plan, by its own label: its position would say "section 2" for theme 1) or an
        external source's name."""
        title = pick_literal(source.labels, lang) or source.iri
        if source.external or source.position is None:
            return SourceRef(title, _local(source.iri), title, (1, title))
        order = (0, 0 if source.slide else 1, source.position)
        if not source.slide:
            return SourceRef(_short_label(title), _local(source.iri), title, order)
        return SourceRef(f"{t('slide', lang)} {source.position}", _local(source.iri), title, order)


def _short_label(label: str, most: int = 40) -> str:
    """A long section label cut before its colon ("Multiannual plan, theme 1: The ambition…"
    → "Multiannual plan, theme 1"); a short one whole ("Multiannual plan: introduction")."""
    if len(label) <= most or ":" not in label:
        return label
    return label.split(":", 1)[0].rstrip(" \u00a0")


def repeats_a_heading(text: str, headings: Iterable[str]) -> bool:
    """Whether ``text`` only repeats the heading of the source that states it: a slide's heading
    copied as a "description" ("Benelux: more than 50 years ...") tells a reader nothing. Only
    letters and digits are compared, case aside."""
    letters = _letters(text)
    return any(letters in _letters(heading) for heading in headings)


def _letters(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


class _Lit(str):
    """A literal that remembers its language (what :func:`pick_literal` reads)."""

    language: str | None

    def __new__(cls, term: dict) -> _Lit:
        obj = super().__new__(cls, term["value"])
        obj.language = term.get("xml:lang")
        return obj


async def load_sources(store: Store) -> Sources:
    """The graph → source map and the statement → interpretation map of the store."""
    sources = Sources()
    for row in await select(store, _SOURCES_QUERY):
        graph = row["g"]["value"]
        source = sources.by_graph.get(graph)
        if source is None:
            position = int(row["position"]["value"]) if "position" in row else None
            source = _Source(
                row["source"]["value"],
                position,
                row["slide"]["value"] == "true",
                row["external"]["value"] == "true",
            )
            sources.by_graph[graph] = source
        if "label" in row:
            source.labels.append(_Lit(row["label"]))
    for row in await select(store, _INTERPRETATIONS_QUERY):
        key = (row["s"]["value"], row["p"]["value"], row["o"]["value"])
        sources.interpretations.setdefault(key, row["i"]["value"])
        labels = sources.interpretation_labels.setdefault(row["i"]["value"], [])
        if "label" in row and _Lit(row["label"]) not in labels:
            labels.append(_Lit(row["label"]))
    return sources


async def source_statements(store: Store, source: str, lang: str) -> list[dict]:
    """What the graph takes from ``source`` (a section or external source): its statements,
    with the labels of their subject, property and value, in a stable order."""
    rows = await select(
        store,
        f"""SELECT ?s ?p ?o ?sl ?pl ?ol WHERE {{
  ?g <{PROV_DERIVED}> <{source}> .
  GRAPH ?g {{ ?s ?p ?o }}
  OPTIONAL {{ ?s <{RDFS_LABEL}> ?sl }}
  OPTIONAL {{ ?p <{RDFS_LABEL}> ?pl }}
  OPTIONAL {{ ?o <{RDFS_LABEL}> ?ol }}
}}""",
    )
    labels: dict[str, list] = {}
    triples: dict[tuple, dict] = {}
    for row in rows:
        for term, label in (("s", "sl"), ("p", "pl"), ("o", "ol")):
            if label in row:
                labels.setdefault(row[term]["value"], []).append(_Lit(row[label]))
        s, p, o = row["s"], row["p"], row["o"]
        triples[(s["value"], p["value"], o["type"], o["value"], o.get("xml:lang"))] = row
    return sorted(
        (_statement(row, labels, lang) for row in triples.values()),
        key=lambda st: (
            st["subject"]["text"].lower(),
            st["property"]["text"].lower(),
            st["value"]["text"],
        ),
    )


async def readings_of(store: Store, source: str, lang: str) -> list[dict]:
    """The interpretations that read ``source`` (``prov:wasDerivedFrom`` it), each as the link
    to its page and its label in ``lang``, in the order of those labels."""
    rows = await select(
        store,
        f"""SELECT ?i ?label WHERE {{
  GRAPH <{INTERPRETATION_GRAPH}> {{
    ?i a <{BKG.Interpretation}> ; <{PROV_DERIVED}> <{source}> .
    OPTIONAL {{ ?i <{RDFS_LABEL}> ?label }}
  }}
}}""",
    )
    labels: dict[str, list] = {}
    for row in rows:
        found = labels.setdefault(row["i"]["value"], [])
        if "label" in row:
            found.append(_Lit(row["label"]))
    readings = [
        {"href": _local(i), "text": pick_literal(found, lang) or short_name(i)}
        for i, found in labels.items()
    ]
    return sorted(readings, key=lambda reading: reading["text"].lower())


def _statement(row: dict, labels: dict, lang: str) -> dict:
    return {
        "subject": _term(row["s"], labels, lang),
        "property": _property(row["p"], labels, lang),
        "value": _term(row["o"], labels, lang),
    }


def _term(term: dict, labels: dict, lang: str) -> dict:
    if term["type"] == "literal":
        return {"text": term["value"], "lang": term.get("xml:lang"), "href": None}
    iri = term["value"]
    text = pick_literal(labels.get(iri, []), lang) or short_name(iri)
    return {"text": text, "lang": None, "href": _local(iri) or _external(iri), "iri": iri}


def _property(term: dict, labels: dict, lang: str) -> dict:
    return {**_term(term, labels, lang), "text": property_name(term["value"], labels, lang)}


def property_name(iri: str, labels: dict, lang: str) -> str:
    """A property's name in ``lang``, as every page names it: the graph's own label in it,
    else the outside vocabulary's name in it (SKOS, RDFS… carry only English labels, if
    any), else any label, else the IRI's last part. ``labels`` maps IRIs to labels that know
    their language."""
    own = [label for label in labels.get(iri, []) if label.language == lang]
    return (
        (str(own[0]) if own else None)
        or property_label(iri, lang)
        or pick_literal(list(labels.get(iri, [])), lang)
        or short_name(iri)
    )


def _local(iri: str) -> str | None:
    return "/" + iri[len(BASE) :] if iri.startswith(BASE) else None


def _external(iri: str) -> str | None:
    return iri if iri.lower().startswith(("http://", "https://")) else None


def short_name(iri: str | None) -> str:
    """The last part of an IRI ("…/def/Theme" → "Theme"); "" for none."""
    if not iri:
        return ""
    stripped = iri.rstrip("/")
    for sep in ("#", "/"):
        if sep in stripped:
            return stripped.rsplit(sep, 1)[-1]
    return iri


_SOURCES_QUERY = f"""SELECT ?g ?source ?position ?slide ?external ?label WHERE {{
  ?g <{PROV_DERIVED}> ?source .
  FILTER (STRSTARTS(STR(?g), "{BASE}graph/"))
  OPTIONAL {{ ?source <{BKG.position}> ?position }}
  BIND (EXISTS {{ ?source a <{BKG.Slide}> }} AS ?slide)
  BIND (EXISTS {{ ?source a <{BKG.ExternalSource}> }} AS ?external)
  OPTIONAL {{ ?source <{RDFS_LABEL}> ?label }}
}}"""

_INTERPRETATIONS_QUERY = f"""SELECT ?i ?s ?p ?o ?label WHERE {{
  GRAPH <{INTERPRETATION_GRAPH}> {{
    ?i a <{BKG.Interpretation}> ;
       <{RDF}subject> ?s ;
       <{RDF}predicate> ?p ;
       <{RDF}object> ?o .
    OPTIONAL {{ ?i <{RDFS_LABEL}> ?label }}
  }}
}}"""
