"""The result cache: whole answers by request, for one store generation, bounded in bytes.

A snapshot of the store never changes, so the same request on the same generation has the same
answer. An answer is kept from the second time its request comes (distinct queries, most of
what researchers send, cost only a set entry), up to 1 MiB, least recently used first out; a
new generation (a committed write, in any process) empties the cache before its first lookup.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass

from kg_service.rdf.formats import Format

__all__ = ["ResultCache"]


@dataclass(frozen=True)
class _Cached:
    kind: str
    format: Format
    body: bytes


class ResultCache:
    """Whole results by (request digest), for one store generation; LRU, bounded in bytes."""

    MAX_ENTRY = 1 << 20

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.entries: collections.OrderedDict[tuple, _Cached] = collections.OrderedDict()
        self.size = 0
        self.generation: int | None = None
        self.hits = 0
        self.seen: set[int] = set()  # hashes of requests asked once: the second one is kept

    def get(self, key: tuple, generation: int) -> _Cached | None:
        if generation != self.generation:
            self._reset(generation)
            return None
        found = self.entries.get(key)
        if found is not None:
            self.entries.move_to_end(key)
            self.hits += 1
        return found

    def put(self, key: tuple, generation: int, kind: str, fmt: Format, body: bytes) -> None:
        """Keep an answer, from the second time its request is asked on this generation (a
        request asked once, as most are, costs only a set entry)."""
        if not self.max_bytes or len(body) > min(self.MAX_ENTRY, self.max_bytes):
            return
        if generation != self.generation:
            self._reset(generation)
        marker = hash(key)
        if marker not in self.seen:
            if len(self.seen) > 100_000:
                self.seen.clear()
            self.seen.add(marker)
            return
        old = self.entries.pop(key, None)
        self.size += len(body) - (len(old.body) if old else 0)
        self.entries[key] = _Cached(kind, fmt, body)
        while self.size > self.max_bytes:
            _, dropped = self.entries.popitem(last=False)
            self.size -= len(dropped.body)

    def _reset(self, generation: int) -> None:
        self.entries.clear()
        self.seen.clear()
        self.size, self.generation = 0, generation
