"""The build pipeline: sources → SHACL → OWL RL closure → consistency → dumps → store.

``build(settings)`` runs every step and prints progress; the result is a build folder
(git-ignored, reproducible: same input, byte-identical dumps)::

    build/
      manifest.json            input digest + counts (tells ``serve`` whether to rebuild)
      benelux-kg.nq[.gz]       all named graphs (asserted + inferred)
      benelux-kg.trig[.gz]     the same, as TriG
      benelux-kg.jsonld[.gz]   the same, as JSON-LD (named graphs)
      benelux-kg.ttl[.gz]      every triple of every graph, merged (the default-graph view)
      benelux-kg.nt[.gz]       the same, as N-Triples
      dumps.json               each dump's size and SHA-256, and when the dumps last changed
      validation.ttl           the SHACL report of the data
      store/                   the on-disk pyoxigraph store
      search.sqlite            its full-text index (kg_service.search)

Each ``data/<path>.trig`` names its graphs, one ``GRAPH`` block per section of a seed document
or per external source (``graph/section/…``); each ``data/<path>.ttl`` becomes the named graph
``graph/<path>`` (``graph/sources``, ``graph/interpretation``, ``graph/external/…``); the
ontology ``graph/ontology``; the new triples of the OWL RL closure ``graph/inferred``; the
example queries of ``queries/`` ``graph/examples`` (:mod:`kg_service.build.examples`). Every
statement of ``data/`` must have a home (:mod:`kg_service.build.homes`), or the build stops.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.term import Node

from kg_service.build.examples import (
    EXAMPLES_GRAPH,
    Example,
    examples_graph,
    load_examples,
    load_topics,
)
from kg_service.build.homes import check_homes
from kg_service.build.inference import infer
from kg_service.build.layout import (
    DUMP_FORMATS,
    DUMP_INDEX,
    SEARCH_INDEX,
    dump_path,
    file_sha256,
    input_digest,
    source_files,
)
from kg_service.errors import BuildError
from kg_service.query.union import FILL_UNION
from kg_service.rdf.formats import Format
from kg_service.rdf.io import from_ox, to_ox_quad, triples_to_ox
from kg_service.rdf.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH, PREFIXES, graph_iri
from kg_service.search.index import collect, write_index
from kg_service.settings import Settings
from kg_service.validation.core import Validation, load_files, validate

__all__ = [
    "BuildResult",
    "build",
    "load_sources",
    "to_rdflib",
    "write_dump_index",
]

Progress = Callable[[str], None]


@dataclass
class BuildResult:
    """What a build produced."""

    quads: int
    graphs: dict[str, int]
    inferred: int
    validation: Validation
    files: list[Path] = field(default_factory=list)


def load_sources(settings: Settings) -> list[ox.Quad]:
    """Every asserted quad: the ontology, and the data in the named graphs that state it.

    ``data/**/*.trig`` files name a graph per block (one per section or source); a
    ``data/**/*.ttl`` file is one graph, named by its path. Raises :class:`BuildError` when a
    statement has no home (:mod:`kg_service.build.homes`).
    """
    files = source_files(settings)
    if not files["ontology"] or not files["data"]:
        raise BuildError(f"no ontology/*.ttl or data/*.ttl under {settings.project_dir}")
    quads: list[ox.Quad] = []
    for path in files["ontology"]:
        quads.extend(_parse_file(path, ONTOLOGY_GRAPH))
    data_dir = settings.project_dir / "data"
    origins: dict[str, set[str]] = defaultdict(set)
    for path in files["data"]:
        name = path.relative_to(data_dir).with_suffix("").as_posix()
        trig = path.suffix == ".trig"
        parsed = _parse_dataset(path) if trig else _parse_file(path, graph_iri(name))
        for q in parsed:
            origins[q.graph_name.value].add(path.relative_to(settings.project_dir).as_posix())
        quads.extend(parsed)
    check_homes(quads, origins)
    return quads


def _parse_file(path: Path, graph: URIRef) -> list[ox.Quad]:
    try:
        triples = list(ox.parse(path=path, format=ox.RdfFormat.TURTLE, base_iri=path.as_uri()))
    except SyntaxError as exc:
        raise BuildError(f"{path}: {exc}") from exc
    if any(isinstance(term, ox.BlankNode) for t in triples for term in t):
        return _canonical_blank_nodes(triples, graph)
    return [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph)) for t in triples]


def _parse_dataset(path: Path) -> list[ox.Quad]:
    """A TriG file: its quads as written, each block's blank nodes relabelled canonically."""
    try:
        quads = list(ox.parse(path=path, format=ox.RdfFormat.TRIG, base_iri=path.as_uri()))
    except SyntaxError as exc:
        raise BuildError(f"{path}: {exc}") from exc
    outside = [q for q in quads if isinstance(q.graph_name, ox.DefaultGraph)]
    if outside:
        q = outside[0]
        raise BuildError(
            f"{path}: {len(outside)} statement(s) outside any GRAPH block, e.g. "
            f"{q.subject} {q.predicate} {q.object}; every statement belongs in the graph of "
            "the section or source that states it"
        )
    by_graph: dict[str, list[ox.Triple]] = defaultdict(list)
    for q in quads:
        by_graph[q.graph_name.value].append(ox.Triple(q.subject, q.predicate, q.object))
    out: list[ox.Quad] = []
    for name, triples in by_graph.items():
        if any(isinstance(term, ox.BlankNode) for t in triples for term in t):
            out += _canonical_blank_nodes(triples, URIRef(name))
        else:
            out += [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(name)) for t in triples]
    return out


def _canonical_blank_nodes(triples: list[ox.Triple], graph: URIRef) -> list[ox.Quad]:
    """Relabel blank nodes canonically (RGDA1), salted with the graph name, for stable dumps."""
    canonical = to_canonical_graph(to_rdflib(triples))
    salt = hashlib.sha256(str(graph).encode()).hexdigest()[:8]

    def term(node: Node) -> Node:
        return BNode(f"{salt}{node}") if isinstance(node, BNode) else node

    return [to_ox_quad(term(s), p, term(o), graph) for s, p, o in canonical]


def to_rdflib(quads: Iterable[ox.Quad] | Iterable[ox.Triple]) -> Graph:
    """The triples of ``quads`` (or triples), merged into one rdflib graph."""
    graph = Graph()
    for q in quads:
        graph.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
    return graph


def _sorted(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    return sorted(set(quads), key=str)


def write_dumps(settings: Settings, quads: list[ox.Quad]) -> list[Path]:
    """Write every dump (and its gzip twin) deterministically; return the paths."""
    triples = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in quads}, key=str)
    written = []
    for fmt, with_graphs in DUMP_FORMATS:
        written += _write(settings, fmt, quads if with_graphs else triples)
    return written


def _write(settings: Settings, fmt: Format, items: list) -> list[Path]:
    payload = ox.serialize(items, format=fmt.oxigraph, prefixes=PREFIXES)
    plain, packed = dump_path(settings, fmt), dump_path(settings, fmt, gz=True)
    plain.write_bytes(payload)
    with packed.open("wb") as raw, gzip.GzipFile(plain.name, "wb", fileobj=raw, mtime=0) as gz:
        gz.write(payload)
    return [plain, packed]


def write_dump_index(settings: Settings, files: list[Path]) -> Path:
    """Write ``dumps.json``: each dump's size and SHA-256, and when the dumps last changed.

    The dumps carry no timestamp (they stay byte-identical); the time lives here, for HTTP
    ``Last-Modified`` and the catalogue's ``dct:modified``. A rebuild that changes no dump
    keeps the previous time.
    """
    dumps = {p.name: {"bytes": p.stat().st_size, "sha256": file_sha256(p)} for p in files}
    path = settings.build_path / DUMP_INDEX
    previous = json.loads(path.read_text()) if path.exists() else {}
    built = previous.get("built") if previous.get("dumps") == dumps else None
    built = built or datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    path.write_text(json.dumps({"built": built, "dumps": dumps}, indent=2) + "\n")
    return path


def write_store(settings: Settings, quads: list[ox.Quad]) -> Path:
    """Load the on-disk pyoxigraph store (built aside, then swapped in).

    With the union graph of :mod:`kg_service.query.union` materialised, as ``serve`` expects.
    """
    final = settings.build_path / "store"
    tmp = settings.build_path / "store.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    store = ox.Store(str(tmp))
    store.bulk_extend(quads)
    store.update(FILL_UNION)
    store.flush()
    store.optimize()
    del store
    shutil.rmtree(final, ignore_errors=True)
    tmp.rename(final)
    return final


def build(settings: Settings, progress: Progress = print) -> BuildResult:
    """Run the whole pipeline into ``settings.build_path``."""
    out = settings.build_path
    out.mkdir(parents=True, exist_ok=True)
    progress("[1/6] parsing ontology/ and data/")
    asserted = load_sources(settings)
    progress(f"      {len(asserted)} asserted triples")
    report = _validate(settings, asserted, progress)
    examples = _examples(settings, asserted, progress)
    progress("[3/6] OWL 2 RL closure (owlrl)")
    inferred = infer(to_rdflib(asserted))
    progress(f"      {len(inferred)} inferred triples → {INFERRED_GRAPH}")
    progress("[4/6] consistent: no owl:Nothing member, no OWL RL clash")
    quads = _sorted(asserted + triples_to_ox(inferred, INFERRED_GRAPH) + examples)
    progress("[5/6] writing dumps")
    files = write_dumps(settings, quads)
    write_dump_index(settings, files)
    progress(f"      {', '.join(p.name for p in files)}")
    progress("[6/6] loading the pyoxigraph store")
    files.append(write_store(settings, quads))
    files.append(write_index(collect(quads), out / SEARCH_INDEX))
    progress(f"      and its full-text index, {SEARCH_INDEX}")
    graphs = _graph_counts(quads)
    _write_manifest(settings, quads, graphs)
    progress(f"built {len(quads)} quads in {len(graphs)} named graphs into {out}")
    return BuildResult(len(quads), graphs, len(inferred), report, files)


def _validate(settings: Settings, asserted: list[ox.Quad], progress: Progress) -> Validation:
    progress("[2/6] SHACL validation (pyshacl) of the data against shapes/")
    shapes = load_files([settings.project_dir / "shapes"])
    ontology = to_rdflib(q for q in asserted if q.graph_name.value == str(ONTOLOGY_GRAPH))
    data = to_rdflib(q for q in asserted if q.graph_name.value != str(ONTOLOGY_GRAPH))
    report = validate(data, shapes, ontology=ontology, allow_warnings=True)
    report.report.serialize(settings.build_path / "validation.ttl", format="turtle")
    if not report.conforms:
        raise BuildError("The data does not conform to the shapes:\n" + report.text())
    progress(f"      conforms ({len(report.results)} warnings or notes)")
    return report


def _examples(settings: Settings, asserted: list[ox.Quad], progress: Progress) -> list[ox.Quad]:
    """The example queries as the quads of ``graph/examples``: each parses, the graph is valid.

    Generated after the closure, which they are no part of (they describe queries, not
    Benelux cooperation).
    """
    queries = settings.project_dir / "queries"
    examples = load_examples(queries)
    if not examples:
        return []
    for example in examples:
        _check_parses(example)
    graph = examples_graph(examples, load_topics(queries))
    ontology = to_rdflib(q for q in asserted if q.graph_name.value == str(ONTOLOGY_GRAPH))
    shapes = load_files([settings.project_dir / "shapes"])
    report = validate(graph, shapes, ontology=ontology, allow_warnings=True)
    if not report.conforms:
        raise BuildError("The example queries do not conform to the shapes:\n" + report.text())
    progress(f"      {len(examples)} example queries, each parses, → {EXAMPLES_GRAPH}")
    return triples_to_ox(graph, EXAMPLES_GRAPH)


def _check_parses(example: Example) -> None:
    """Parse an example on an empty store (our own query: evaluating it there costs nothing)."""
    try:
        ox.Store().query(example.query)
    except SyntaxError as exc:
        raise BuildError(f"queries/{example.id}.rq does not parse: {exc}") from None


def _graph_counts(quads: list[ox.Quad]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for q in quads:
        counts[q.graph_name.value] = counts.get(q.graph_name.value, 0) + 1
    return dict(sorted(counts.items()))


def _write_manifest(settings: Settings, quads: list[ox.Quad], graphs: dict[str, int]) -> None:
    manifest = {"digest": input_digest(settings), "quads": len(quads), "graphs": graphs}
    (settings.build_path / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
