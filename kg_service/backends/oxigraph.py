"""The embedded pyoxigraph backend: in memory from the build's dump, or an on-disk store."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from ..build import dump_path, needs_build
from ..errors import BuildError
from ..formats import NQUADS
from ..settings import Settings
from ..store import QueryRequest, QueryResponse, negotiate_for, syntax_error

__all__ = ["OxigraphStore"]


class OxigraphStore:
    """A pyoxigraph ``Store`` behind the :class:`~kg_service.store.Store` interface."""

    def __init__(self, store: ox.Store, *, union_default_graph: bool = True) -> None:
        self._store = store
        self._union = union_default_graph

    @classmethod
    def open(cls, settings: Settings) -> OxigraphStore:
        """Memory: a fresh store loaded from the N-Quads dump. A path: that on-disk store."""
        if settings.store == "memory":
            dump = dump_path(settings, NQUADS)
            if not dump.exists():
                raise BuildError(f"no dump at {dump}: run `benelux-kg build` first")
            store = ox.Store()
            store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
        else:
            store = ox.Store(str(Path(settings.store)))
        return cls(store, union_default_graph=settings.union_default_graph)

    @classmethod
    def open_build(cls, settings: Settings) -> OxigraphStore:
        """The build's own on-disk store, read-only (for the ``query`` command)."""
        if needs_build(settings):
            raise BuildError("the build is missing or stale: run `benelux-kg build` first")
        store = ox.Store.read_only(str(settings.build_path / "store"))
        return cls(store, union_default_graph=settings.union_default_graph)

    def query(self, request: QueryRequest) -> QueryResponse:
        try:
            result = self._store.query(request.query, **self._dataset(request))
        except SyntaxError as exc:
            raise syntax_error(str(exc)) from None
        kind = _kind(result)
        fmt = negotiate_for(kind, request)
        return QueryResponse(kind, fmt, result.serialize(format=fmt.oxigraph))

    def _dataset(self, request: QueryRequest) -> dict:
        options: dict = {}
        if request.default_graphs:
            options["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs]
        elif self._union:
            options["use_default_graph_as_union"] = True
        if request.named_graphs:
            options["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs]
        return options

    def triple_count(self) -> int:
        return len(self._store)

    def close(self) -> None:
        self._store = None  # type: ignore[assignment]


def _kind(result: object) -> str:
    if isinstance(result, ox.QueryBoolean):
        return "boolean"
    if isinstance(result, ox.QueryTriples):
        return "graph"
    return "solutions"
