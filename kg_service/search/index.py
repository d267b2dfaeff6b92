"""The full-text index: one SQLite FTS5 file, written once, then only read.

What is indexed: every literal in fr, nl or en (or without a language tag) that labels,
names or describes an IRI of the graph (:data:`FIELDS`), as one row holding its folded words
and their stems (:mod:`kg_service.search.analysis`); beside it the resources' display labels
and types (asserted and inferred). The analysis is ours, so the FTS5 tokenizer only splits the
words we wrote at spaces; the same analysis turns a query into words and stems.

How a query is matched and ranked (:meth:`SearchIndex.search`): every word must match; a
row matches **exactly** (its words), **stemmed** (the stems of its language), or by **prefix**
(the last word typed so far is the start of a word: type-ahead). A resource's score is that of
its best row: the field first (label > alternative label > description), then the kind of
match (exact > stemmed > prefix), then how much of the row the query covers, so a label equal
to the query comes before a longer one. Ties go to the shorter text, then the IRI: the order
is total.

Files are immutable once published (:func:`write_index` writes aside and renames), so readers
open them with ``immutable=1`` and need no lock.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg_service.rdf.namespaces import BASE, GRAPH, PREFIXES
from kg_service.search.analysis import LANGUAGES, analyse, stem
from kg_service.search.query import SearchQuery

__all__ = [
    "FIELDS",
    "Hit",
    "Results",
    "SearchIndex",
    "collect",
    "indexed_quads",
    "pick_label",
    "write_index",
]

_RDFS, _SKOS, _DCT = PREFIXES["rdfs"], PREFIXES["skos"], PREFIXES["dcterms"]
_RDF_TYPE = PREFIXES["rdf"] + "type"

#: The predicates indexed, by field; the field's rank orders the results (higher first).
FIELDS: dict[str, tuple[int, tuple[str, ...]]] = {
    "label": (2, (_RDFS + "label", _SKOS + "prefLabel")),
    "altLabel": (
        1,
        (_SKOS + "altLabel", _SKOS + "hiddenLabel", _DCT + "title", _DCT + "alternative"),
    ),
    "description": (0, (_DCT + "description", _SKOS + "definition", _RDFS + "comment")),
}
#: Display labels (the first field's predicates).
_LABELS = frozenset(FIELDS["label"][1])
_FIELD_OF = {p: rank for rank, preds in FIELDS.values() for p in preds}
#: Named graphs are described too, but have no page of their own: not search results; nor
#: are the example queries (graph/examples, under …/.well-known/sparql-examples/).
_GRAPHS = (str(GRAPH), BASE + ".well-known/")
#: Types too general to tell a reader anything.
_NOT_SHOWN = frozenset({PREFIXES["owl"] + "Thing", PREFIXES["rdfs"] + "Resource"})
_KINDS = {"exact": 2, "stem": 1, "prefix": 0}
#: A row's score: field × 3 + kind, plus up to 0.9 for the share of the row the query covers.
_COVER = 0.9
_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE docs(id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE);
CREATE TABLE labels(doc INTEGER NOT NULL, lang TEXT NOT NULL, text TEXT NOT NULL);
CREATE INDEX labels_by_doc ON labels(doc);
CREATE TABLE types(doc INTEGER NOT NULL, type TEXT NOT NULL);
CREATE INDEX types_by_doc ON types(doc);
CREATE INDEX types_by_type ON types(type, doc);
CREATE VIRTUAL TABLE texts USING fts5(
  words, stems, doc UNINDEXED, field UNINDEXED, lang UNINDEXED, text UNINDEXED, n UNINDEXED,
  tokenize = 'unicode61 remove_diacritics 0', prefix = '1 2 3'
);
"""


@dataclass
class Collected:
    """What the index is made of, gathered from quads (each set once: graphs repeat triples)."""

    texts: set[tuple[str, int, str, str]]  # (iri, field rank, lang, text)
    labels: set[tuple[str, str, str]]  # (iri, lang, text)
    types: set[tuple[str, str]]  # (iri, class iri)


def collect(quads: Iterable[ox.Quad | ox.Triple]) -> Collected:
    """The indexed literals, display labels and types among ``quads`` (any graph)."""
    found = Collected(set(), set(), set())
    for quad in quads:
        subject, predicate, obj = quad.subject, quad.predicate.value, quad.object
        if not isinstance(subject, ox.NamedNode) or subject.value.startswith(_GRAPHS):
            continue
        if predicate == _RDF_TYPE:
            if isinstance(obj, ox.NamedNode) and obj.value not in _NOT_SHOWN:
                found.types.add((subject.value, obj.value))
            continue
        rank = _FIELD_OF.get(predicate)
        if rank is None or not isinstance(obj, ox.Literal):
            continue
        lang = (obj.language or "").lower().split("-")[0]
        if lang and lang not in LANGUAGES:
            continue
        found.texts.add((subject.value, rank, lang, obj.value))
        if predicate in _LABELS:
            found.labels.add((subject.value, lang, obj.value))
    return found


def write_index(found: Collected, path: Path, generation: int = 0) -> Path:
    """Write the index of ``found`` to ``path`` (aside first, then renamed into place)."""
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    try:
        db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + _SCHEMA)
        ids = _write_docs(db, found)
        db.executemany("INSERT INTO labels VALUES (?, ?, ?)", _with_ids(ids, found.labels))
        db.executemany("INSERT INTO types VALUES (?, ?)", _with_ids(ids, found.types))
        db.executemany("INSERT INTO texts VALUES (?, ?, ?, ?, ?, ?, ?)", _rows(ids, found))
        db.execute("INSERT INTO texts(texts) VALUES ('optimize')")
        db.execute("INSERT INTO meta VALUES ('generation', ?)", (str(generation),))
        db.commit()
    finally:
        db.close()
    os.replace(tmp, path)
    return path


def _write_docs(db: sqlite3.Connection, found: Collected) -> dict[str, int]:
    """Number the resources that have something to find, in IRI order (stable files)."""
    iris = sorted({t[0] for t in found.texts})
    ids = {iri: i for i, iri in enumerate(iris, 1)}
    db.executemany("INSERT INTO docs VALUES (?, ?)", ((i, iri) for iri, i in ids.items()))
    return ids


def _with_ids(ids: dict[str, int], rows: Iterable[tuple]) -> Iterable[tuple]:
    for iri, *rest in sorted(rows):
        if iri in ids:
            yield (ids[iri], *rest)


def _rows(ids: dict[str, int], found: Collected) -> Iterable[tuple]:
    for iri, rank, lang, text in sorted(found.texts):
        analysed = analyse(text, lang or None)
        if analysed.words:
            words, stems = " ".join(analysed.words), " ".join(analysed.stems)
            yield (words, stems, ids[iri], rank, lang, text, len(analysed.words))


# --- reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """One resource found: the issue's JSON shape, field for field."""

    id: str
    label: str
    lang: str | None
    types: list[str]
    score: float
    matched: str


@dataclass(frozen=True)
class Results:
    """A page of results and how many there are in all."""

    query: str
    total: int
    results: list[Hit]


class SearchIndex:
    """A published index file, read by any number of threads (a connection each)."""

    def __init__(self, path: Path, generation: int = 0) -> None:
        self.path, self.generation = path, generation
        self._local = threading.local()
        self._db()  # fail now, not at the first query, when the file is not an index

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            uri = f"file:{self.path}?mode=ro&immutable=1"
            db = sqlite3.connect(uri, uri=True, check_same_thread=False)
            db.execute("SELECT 1 FROM texts LIMIT 0")
            self._local.db = db
        return db

    def search(self, query: SearchQuery) -> Results:
        """The page of ``query``'s results (blocking: call it from a thread)."""
        if not query.words:
            return Results(query.text, 0, [])
        sql, params = _statement(query)
        rows = self._db().execute(sql, params).fetchall()
        total = rows[0][-1] if rows else self._count(sql, params, query)
        return Results(query.text, total, self._hits(rows, query))

    def _count(self, sql: str, params: dict, query: SearchQuery) -> int:
        if query.offset == 0:
            return 0
        first = {**params, "limit": 1, "offset": 0}
        row = self._db().execute(sql, first).fetchone()
        return row[-1] if row else 0

    def _hits(self, rows: list[tuple], query: SearchQuery) -> list[Hit]:
        docs = [row[4] for row in rows]
        labels, types = self._labels(docs), self._types(docs)
        hits = []
        for iri, lang, text, score, doc, _total in rows:
            shown = query.display or lang or None
            label = pick_label(labels.get(doc, []), shown) or text
            hits.append(Hit(iri, label, lang or None, types.get(doc, []), round(score, 3), text))
        return hits

    def _labels(self, docs: list[int]) -> dict[int, list[tuple[str, str]]]:
        out: dict[int, list[tuple[str, str]]] = {}
        marks = ",".join("?" * len(docs))
        sql = f"SELECT doc, lang, text FROM labels WHERE doc IN ({marks}) ORDER BY doc, lang, text"
        for doc, lang, text in self._db().execute(sql, docs):
            out.setdefault(doc, []).append((lang, text))
        return out

    def _types(self, docs: list[int]) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        marks = ",".join("?" * len(docs))
        sql = f"SELECT doc, type FROM types WHERE doc IN ({marks}) ORDER BY doc, type"
        for doc, type_ in self._db().execute(sql, docs):
            out.setdefault(doc, []).append(type_)
        return out

    def labels_for(self, iris: list[str], lang: str | None) -> dict[str, str]:
        """The display label of each of ``iris`` the index knows, in ``lang`` if it has one."""
        if not iris:
            return {}
        marks = ",".join("?" * len(iris))
        sql = (
            "SELECT docs.iri, labels.lang, labels.text FROM docs JOIN labels ON labels.doc = "
            f"docs.id WHERE docs.iri IN ({marks}) ORDER BY docs.iri, labels.lang, labels.text"
        )
        found: dict[str, list[tuple[str, str]]] = {}
        for iri, label_lang, text in self._db().execute(sql, iris):
            found.setdefault(iri, []).append((label_lang, text))
        return {iri: pick_label(labels, lang) or iri for iri, labels in found.items()}

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None


def pick_label(labels: list[tuple[str, str]], lang: str | None) -> str | None:
    """The label in ``lang``, else English, French, Dutch, untagged, any."""
    by_lang = {}
    for label_lang, text in labels:
        by_lang.setdefault(label_lang, text)
    for wanted in (lang, "en", "fr", "nl", ""):
        if wanted in by_lang:
            return by_lang[wanted]
    return labels[0][1] if labels else None


# --- the statement -------------------------------------------------------------------------


def _quoted(tokens: Iterable[str]) -> str:
    return " AND ".join(f'"{t}"' for t in tokens)


def _subqueries(query: SearchQuery) -> list[tuple[str, str, tuple[str, ...]]]:
    """(FTS5 expression, kind, languages) for each way a row may match, strongest first.

    Stems depend on the row's language, so the stemmed and the prefix matches are asked once
    per language; text without a language tag is matched on its words alone.
    """
    words, last = query.words, query.words[-1]
    langs = query.langs or (*LANGUAGES, "")
    found = [(f"words : ({_quoted(words)})", "exact", langs)]
    for lang in (lang for lang in langs if lang):
        stems = stem(words, lang)
        found.append((f"stems : ({_quoted(stems)})", "stem", (lang,)))
        if len(words) > 1:
            head = _quoted(stem(words[:-1], lang))
            found.append((f'stems : ({head}) AND words : "{last}"*', "prefix", (lang,)))
    if len(words) == 1:
        found.append((f'words : "{last}"*', "prefix", langs))
    elif "" in langs:
        found.append((f'words : ({_quoted(words[:-1])} AND "{last}"*)', "prefix", ("",)))
    return found


def _statement(query: SearchQuery) -> tuple[str, dict]:
    """One SQL statement: every way of matching, the best row per resource, one page."""
    params: dict = {"n": len(query.words), "limit": query.limit, "offset": query.offset}
    type_filter = ""
    if query.types:
        marks = ",".join(f":t{i}" for i in range(len(query.types)))
        params.update({f"t{i}": t for i, t in enumerate(query.types)})
        type_filter = f" AND doc IN (SELECT doc FROM types WHERE type IN ({marks}))"
    parts = []
    for i, (expression, kind, langs) in enumerate(_subqueries(query)):
        params[f"m{i}"] = expression
        marks = ",".join(f":l{i}_{j}" for j in range(len(langs)))
        params.update({f"l{i}_{j}": lang for j, lang in enumerate(langs)})
        parts.append(
            f"SELECT doc, lang, text, field * 3 + {_KINDS[kind]} "
            f"+ {_COVER} * MIN(1.0, CAST(:n AS REAL) / MAX(n, 1)) AS score "
            f"FROM texts WHERE texts MATCH :m{i} AND lang IN ({marks}){type_filter}"
        )
    sql = f"""
WITH hits AS ({" UNION ALL ".join(parts)}),
best AS (
  SELECT doc, lang, text, score,
         ROW_NUMBER() OVER (PARTITION BY doc ORDER BY score DESC, length(text), text) AS rn
  FROM hits
)
SELECT docs.iri, best.lang, best.text, best.score, best.doc, COUNT(*) OVER () AS total
FROM best JOIN docs ON docs.id = best.doc
WHERE rn = 1
ORDER BY best.score DESC, length(best.text), docs.iri
LIMIT :limit OFFSET :offset"""
    return sql, params


def indexed_quads(store: ox.Store) -> Iterator[ox.Quad]:
    """The quads of ``store`` the index reads (every graph; :func:`collect` drops repeats)."""
    for predicate in (*_FIELD_OF, _RDF_TYPE):
        yield from store.quads_for_pattern(None, ox.NamedNode(predicate), None, None)
