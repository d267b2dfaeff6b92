"""Queries proven cheap are answered in the HTTP process, without the hop to a worker.

Every query first runs in a worker process, where a timeout can stop it (see
:mod:`kg_service.workers`). The hand-off costs more than the cheapest queries themselves: on this
machine a point lookup takes ~50 µs in pyoxigraph, and the round trip to a worker (two pipe
writes, two process wake-ups) costs more than that again, on each side.

A store snapshot never changes, so the same request (query text, dataset, format) on the same
snapshot does the same work every time. When a worker reports that a request answered whole
(under 64 KiB) within ``inline_ms`` milliseconds of CPU time, :class:`InlineRunner` remembers
it (a SHA-256 digest, in a bounded LRU memo) and answers its next runs on that snapshot from a
read-only store opened in this process, on the event loop: each such run blocks the loop for
about as long as it was measured to take, like a small response's JSON encoding. CPU time,
because wall time depends on how busy the machine is; wall time only has to stay under
:data:`WAITED` times the limit (a query that waited for the disk may wait again).

What never runs here: a request not seen before on this snapshot, one that was slow, streamed,
failed or was refused, and any query naming ``SERVICE`` (its cost is another host's). A new
snapshot (after an update) starts an empty memo. ``BENELUX_KG_INLINE_MS=0`` turns this off.
Only the ``oxigraph`` backend has it: rdflib holds the GIL and would hold its data once more here.
"""

from __future__ import annotations

from collections import OrderedDict

from .engine import OxigraphEngine, run_to_bytes
from .store import QueryRequest
from .workers import CHUNK, QueryResult, single

__all__ = ["InlineRunner"]

#: A request whose wall-clock time was more than this many times its CPU limit waited for
#: something (a disk read, most likely) that may make it slow again: it stays in the workers.
#: Not less: on a busy machine a worker gets a share of a core, so wall time exceeds CPU time.
WAITED = 10


class InlineRunner:
    """The memo of requests proven cheap on one snapshot, and a store to answer them."""

    def __init__(self, limit_ms: float, union_default_graph: bool, capacity: int = 10_000) -> None:
        self.limit = limit_ms / 1000
        self.union = union_default_graph
        self.capacity = capacity
        self.proven: OrderedDict[bytes, None] = OrderedDict()
        self.snapshot: str | None = None
        self.engine: OxigraphEngine | None = None
        self.runs = 0

    def knows(self, request: QueryRequest, snapshot: str) -> bool:
        """True when ``request`` was proven cheap on ``snapshot``."""
        if snapshot != self.snapshot:
            return False
        key = request.digest
        if key not in self.proven:
            return False
        self.proven.move_to_end(key)
        return True

    def learn(self, request: QueryRequest, snapshot: str, result: QueryResult) -> None:
        """Remember ``request`` if its worker run on ``snapshot`` proved it cheap."""
        cost = result.cost
        cheap = (
            cost is not None
            and cost[0] <= self.limit
            and cost[1] <= WAITED * self.limit
            and result.data is not None
            and len(result.data) < CHUNK
        )
        if not cheap or "service" in request.query.lower():
            return
        if snapshot != self.snapshot:
            self._move_to(snapshot)
        self.proven[request.digest] = None
        if len(self.proven) > self.capacity:
            self.proven.popitem(last=False)

    def run(self, request: QueryRequest) -> QueryResult:
        """Answer a request :meth:`knows` (on the snapshot it was proven on)."""
        if self.engine is None:
            assert self.snapshot is not None
            self.engine = OxigraphEngine.reader(self.snapshot, self.union)
        answer = run_to_bytes(self.engine, request)
        self.runs += 1
        return QueryResult(answer.kind, answer.format, single(answer.body), answer.body)

    def _move_to(self, snapshot: str | None) -> None:
        self.proven.clear()
        self.snapshot, self.engine = snapshot, None

    def close(self) -> None:
        self._move_to(None)
