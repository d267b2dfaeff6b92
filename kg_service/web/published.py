"""What the publishing routes and the landing page derive from the store and the build.

The deployment's absolute URLs (:func:`links_for`), the dump index of the build, the VoID
statistics, the temporal coverage, and the landing page's signposts and schema.org ``Dataset``:
each kept in the process's :class:`~kg_service.web.derived.DerivedCache` (recomputed after a
write, or for the dumps, after a rebuild), so pages and headers never recompute them per request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from fastapi import Request

from kg_service.publish.catalog import Coverage, Links, coverage
from kg_service.publish.dumps import DumpIndex, load_dumps
from kg_service.publish.signposting import Signpost, dataset_jsonld, landing_signposts
from kg_service.publish.void import VoidStatistics, void_statistics
from kg_service.query.contract import Store

__all__ = [
    "cached",
    "dataset_coverage",
    "dump_index",
    "landing_metadata",
    "links_for",
    "statistics",
    "store_modified",
]


def links_for(request: Request) -> Links:
    """Absolute URLs for this deployment: ``settings.base_url``, else the request's base URL."""
    configured = request.app.state.settings.base_url
    return Links((configured or str(request.base_url)).rstrip("/"))


async def cached(request: Request, key: str, compute: Callable[[], Awaitable[Any]]) -> Any:
    """A value derived from the store, recomputed after every committed update."""
    return await request.app.state.derived.get(key, compute)


async def dump_index(request: Request, refresh: bool = False) -> DumpIndex:
    """The dumps of the build folder (sizes and digests read once per process: an update
    changes the store, never the published release)."""
    settings, derived = request.app.state.settings, request.app.state.derived
    if refresh:
        derived.forget("dumps")
    compute = lambda: asyncio.to_thread(load_dumps, settings)  # noqa: E731
    return await derived.get("dumps", compute, follows_store=False)


def store_modified(request: Request, index: DumpIndex) -> datetime | None:
    """``Last-Modified`` of what is computed from the store (VoID, the catalogue, the sitemap,
    the examples): the build's date while the store is as built, then the second after this
    process saw the current generation (:meth:`DerivedCache.modified`), so ``If-Modified-Since``
    never gets a ``304`` for a view a write changed."""
    return request.app.state.derived.modified(index.modified)


async def statistics(request: Request) -> VoidStatistics:
    store: Store = request.app.state.store
    return await cached(request, "void", lambda: void_statistics(store))


async def dataset_coverage(request: Request) -> Coverage:
    store: Store = request.app.state.store
    return await cached(request, "coverage", lambda: coverage(store))


async def landing_metadata(request: Request) -> tuple[list[Signpost], dict[str, Any]]:
    """The landing page's signposts and its schema.org ``Dataset`` (JSON-LD)."""
    index, period = await dump_index(request), await dataset_coverage(request)
    links = links_for(request)
    return landing_signposts(links, index), dataset_jsonld(links, index, period)
