"""The ``benelux-kg`` command: build | serve | load | validate | query.

The server is started by :func:`kg_service.serving.serve`, called here and nowhere else.
Exit codes: 0 success, 1 failure (the data does not conform, the build failed), 2 bad input.
"""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from kg_service.errors import KGError
from kg_service.settings import Settings

__all__ = ["app"]

REMOTE_ENGINE_HELP = (
    "The remote store: auto (told by its Server header) | oxigraph | virtuoso | sparql11."
)

app = typer.Typer(
    help="benelux-kg: a knowledge graph of Benelux cooperation as linked open data.",
    no_args_is_help=True,
    add_completion=False,
)


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


@app.command()
def build() -> None:
    """Parse, validate (SHACL), infer (OWL RL), check, and write dumps and the store."""
    from kg_service.build.pipeline import build as run_build

    try:
        run_build(Settings.load(), progress=typer.echo)
    except KGError as exc:
        raise _fail(f"build failed: {exc.message}", 1) from None


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port.")] = None,
    backend: Annotated[str | None, typer.Option(help="oxigraph | rdflib | remote")] = None,
    store: Annotated[str | None, typer.Option(help="memory, or a store folder.")] = None,
    endpoint: Annotated[str | None, typer.Option(help="Remote SPARQL endpoint URL.")] = None,
    remote_engine: Annotated[str | None, typer.Option(help=REMOTE_ENGINE_HELP)] = None,
    update_token: Annotated[str | None, typer.Option(help="Enables writes.")] = None,
    query_timeout: Annotated[float | None, typer.Option(help="Seconds per query.")] = None,
    max_concurrent: Annotated[
        int | None, typer.Option(help="Queries evaluating at once, per HTTP process.")
    ] = None,
    max_queue: Annotated[
        int | None, typer.Option(help="Queries waiting for their turn before 503, per process.")
    ] = None,
    max_wait: Annotated[float | None, typer.Option(help="Seconds a query may wait.")] = None,
    cache_mb: Annotated[
        int | None, typer.Option(help="Result cache per HTTP process (MiB); 0: none.")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="HTTP processes (default: max(2, CPUs)).")
    ] = None,
) -> None:
    """Build if needed, then serve the knowledge graph over HTTP."""
    from kg_service.backends.local import adopt_store
    from kg_service.build.layout import needs_build
    from kg_service.build.pipeline import build as run_build
    from kg_service.web import serving

    settings = Settings.load(
        host=host,
        port=port,
        backend=backend,
        store=store,
        endpoint=endpoint,
        remote_engine=remote_engine,
        update_token=update_token,
        query_timeout=query_timeout,
        max_concurrent=max_concurrent,
        max_queue=max_queue,
        max_wait=max_wait,
        cache_mb=cache_mb,
        workers=workers,
    )
    if settings.backend == "remote":
        _check_remote(settings)
    elif needs_build(settings):
        try:
            run_build(settings, progress=typer.echo)
        except KGError as exc:
            raise _fail(f"build failed: {exc.message}", 1) from None
    if adopt_store(settings):
        typer.echo(f"{settings.store}: added the union graph that queries read", err=True)
    os.environ.update(settings.to_environ())
    serving.serve(settings)


def _check_remote(settings: Settings) -> None:
    """Exit 2 at once on a remote endpoint or engine the remote backend cannot use."""
    from kg_service.backends.engines import engine_named, remote_urls

    try:
        remote_urls(settings, engine_named(settings.remote_engine))
    except ValueError as exc:
        raise _fail(str(exc), 2) from None


@app.command()
def load(
    endpoint: Annotated[str | None, typer.Option(help="Remote SPARQL query URL.")] = None,
    store_url: Annotated[
        str | None,
        typer.Option(help="Graph Store URL (default: the engine's, e.g. /store next to /query)."),
    ] = None,
    remote_engine: Annotated[str | None, typer.Option(help=REMOTE_ENGINE_HELP)] = None,
) -> None:
    """Build if needed, then make the remote store's named graphs exactly the build's."""
    from kg_service.backends.push import push
    from kg_service.build.layout import needs_build
    from kg_service.build.pipeline import build as run_build

    settings = Settings.load(
        endpoint=endpoint, remote_store_url=store_url, remote_engine=remote_engine
    )
    _check_remote(settings)
    try:
        if needs_build(settings):
            run_build(settings, progress=typer.echo)
        pushed = push(settings)
    except KGError as exc:
        raise _fail(f"load failed: {exc.message}", 1) from None
    for name, count in sorted(pushed.graphs.items()):
        typer.echo(f"  {count:>8} triples  <{name}>")
    for name in pushed.removed:
        typer.echo(f"  removed           <{name}> (not in the build)")
    if pushed.visible_system_graphs:
        shown = ", ".join(f"<{g}>" for g in pushed.visible_system_graphs)
        typer.echo(
            f"warning: {pushed.engine}'s own graphs {shown} are visible to its SPARQL user, "
            "so queries will read them too; make them private (README, 'Moving to Virtuoso')",
            err=True,
        )
    total, graphs = sum(pushed.graphs.values()), len(pushed.graphs)
    typer.echo(
        f"loaded {total} triples in {graphs} named graphs into {pushed.store_url} ({pushed.engine})"
    )


class ReportFormat(StrEnum):
    text = "text"
    turtle = "turtle"
    json = "json"


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="RDF files (format from the extension).")],
    shapes: Annotated[Path | None, typer.Option(help="Shapes file or folder.")] = None,
    inference: Annotated[str, typer.Option(help="none | rdfs | owlrl")] = "none",
    format: Annotated[ReportFormat, typer.Option(help="Report format.")] = ReportFormat.text,
    ontology: Annotated[
        bool | None,
        typer.Option(help="Add our ontology (class hierarchy) [default: on with our shapes]."),
    ] = None,
) -> None:
    """Validate FILES against our shapes (or --shapes). Exit 0 conforms, 1 not, 2 bad input."""
    from kg_service.rdf.formats import TURTLE
    from kg_service.validation.core import load_files
    from kg_service.validation.core import validate as run_validate

    settings = Settings.load()
    missing = [p for p in [*files, *([shapes] if shapes else [])] if not p.exists()]
    if missing:
        raise _fail(f"no such file: {', '.join(map(str, missing))}", 2)
    try:
        data = load_files(files)
        shape_graph = load_files([shapes or settings.project_dir / "shapes"], shapes=True)
        with_ontology = shapes is None if ontology is None else ontology
        onto = load_files([settings.project_dir / "ontology"]) if with_ontology else None
        outcome = run_validate(data, shape_graph, ontology=onto, inference=inference, inplace=True)
    except KGError as exc:
        raise _fail(exc.message, 2) from None
    if format is ReportFormat.text:
        typer.echo(outcome.text())
    elif format is ReportFormat.turtle:
        typer.echo(outcome.serialized(TURTLE).decode("utf-8"))
    else:
        typer.echo(json.dumps(outcome.json(), indent=2, ensure_ascii=False))
    raise typer.Exit(0 if outcome.conforms else 1)


class QueryFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    tsv = "tsv"
    turtle = "turtle"


_RESULTS_OR_GRAPH = "application/sparql-results+json, text/turtle;q=0.9"
_ACCEPT = {
    QueryFormat.table: _RESULTS_OR_GRAPH,
    QueryFormat.json: _RESULTS_OR_GRAPH,
    QueryFormat.csv: "text/csv",
    QueryFormat.tsv: "text/tab-separated-values",
    QueryFormat.turtle: "text/turtle",
}


def _searched(text: str, settings: Settings) -> str:
    """The query with its ``SERVICE <…/search>`` blocks answered from the build's index."""
    from kg_service.build.layout import SEARCH_INDEX
    from kg_service.search.index import SearchIndex
    from kg_service.search.service import MARK, rewrite

    if MARK not in text:
        return text
    path = settings.build_path / SEARCH_INDEX
    return rewrite(text, SearchIndex(path) if path.is_file() else None, settings)


@app.command()
def query(
    query_or_file: Annotated[str, typer.Argument(help="A SPARQL query, or a .rq file.")],
    format: Annotated[QueryFormat, typer.Option(help="Output format.")] = QueryFormat.table,
) -> None:
    """Run a SPARQL query against the built store and print the result."""
    from kg_service.build.layout import needs_build
    from kg_service.query.contract import QueryRequest
    from kg_service.query.engines import run_to_bytes
    from kg_service.query.engines.oxigraph import OxigraphEngine
    from kg_service.query.policy import check_query
    from kg_service.tables import render_table

    path = Path(query_or_file)
    text = (
        path.read_text(encoding="utf-8")
        if path.suffix == ".rq" and path.exists()
        else (query_or_file)
    )
    settings = Settings.load()
    if needs_build(settings):
        raise _fail("the build is missing or stale: run `benelux-kg build` first", 1)
    try:
        check_query(text, settings)
        text = _searched(text, settings)
        engine = OxigraphEngine.reader(str(settings.build_path / "store"))
        result = run_to_bytes(engine, QueryRequest(text, accept=_ACCEPT[format]))
    except KGError as exc:  # "SPARQL syntax error: …", as the HTTP service says it
        raise _fail(f"{exc.title}: {exc.message}", 1 if exc.status >= 500 else 2) from None
    if format is QueryFormat.table and result.kind != "graph":
        typer.echo(render_table(result.body))
    else:
        sys.stdout.buffer.write(result.body)


if __name__ == "__main__":
    app()
