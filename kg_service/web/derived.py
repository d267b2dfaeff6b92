"""The one owner of what is computed from the store: VoID, sitemap, ontology docs, coverage.

Each value is computed once (one computation even under concurrent requests) and kept until
the store changes: every committed update bumps ``store.generation``, and the next request
finds the cache empty and recomputes from the store as it is after the write. Values that do
not come from the store (the dump index of the build) are kept across updates.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

__all__ = ["DerivedCache"]


class DerivedCache:
    """Values derived from a store, dropped whenever its generation moves on."""

    def __init__(self, store: Any, as_built: bool = True) -> None:
        self.store = store
        self.generation = getattr(store, "generation", 0)
        self.values: dict[str, Any] = {}
        self.fixed: dict[str, Any] = {}
        self.locks: dict[str, asyncio.Lock] = {}
        #: when this process first saw the store as it is now: None while it holds the build
        #: as built (``as_built``: read-only and local), else the process's start, then the
        #: time each new generation (a committed write) was first seen
        self.changed: datetime | None = None if as_built else datetime.now(UTC)

    async def get(
        self, key: str, compute: Callable[[], Awaitable[Any]], *, follows_store: bool = True
    ) -> Any:
        """The value of ``key``, computed by ``compute`` when missing or out of date."""
        values = self._current() if follows_store else self.fixed
        if key in values:
            return values[key]
        async with self.locks.setdefault(key, asyncio.Lock()):
            values = self._current() if follows_store else self.fixed
            if key not in values:
                generation = self.generation
                value = await compute()
                if generation == self.store.generation or not follows_store:
                    values[key] = value
                return value
            return values[key]

    def forget(self, key: str) -> None:
        """Drop one value (e.g. the dump index after a rebuild)."""
        self.values.pop(key, None)
        self.fixed.pop(key, None)

    def modified(self, built: datetime | None) -> datetime | None:
        """``Last-Modified`` of what is derived from the store: ``built`` (the build's date)
        while the store is as built, else the whole second after the store was seen changed.

        Rounded up, and only once that second has passed (``None`` before), so that a date a
        client was given always precedes the next write: an ``If-Modified-Since`` is answered
        ``304`` only for the generation it was given for, even with writes a second apart.
        """
        self._current()
        if self.changed is None:
            return built
        second = self.changed.replace(microsecond=0)
        if second != self.changed:
            second += timedelta(seconds=1)
        if datetime.now(UTC) < second:
            return None
        return second if built is None or second > built else built

    def _current(self) -> dict[str, Any]:
        if self.store.generation != self.generation:
            self.values, self.generation = {}, self.store.generation
            self.changed = datetime.now(UTC)
        return self.values
