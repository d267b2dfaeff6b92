"""The store interface every backend implements, and ``open_store(settings)``.

A backend answers a :class:`QueryRequest` with a :class:`QueryResponse` already serialised in
the negotiated format (so the fast path never builds Python objects per row), applies SPARQL
updates, and reads/writes whole graphs for the Graph Store Protocol.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from .errors import QuerySyntaxError
from .formats import GRAPH_FORMATS, RESULT_FORMATS, Format
from .negotiation import choose
from .settings import Settings

__all__ = [
    "QueryRequest",
    "QueryResponse",
    "Store",
    "negotiate_for",
    "open_store",
    "syntax_error",
]


@dataclass(frozen=True)
class QueryRequest:
    """A SPARQL query with its protocol dataset and the client's format wishes."""

    query: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    accept: str | None = None
    format: str | None = None


@dataclass(frozen=True)
class QueryResponse:
    """A serialised result: which kind of result, in which format, the bytes."""

    kind: str  # "solutions" | "boolean" | "graph"
    format: Format
    body: bytes


def negotiate_for(kind: str, request: QueryRequest) -> Format:
    """The response format for a result of ``kind`` (choose after the query, by result kind)."""
    offers = GRAPH_FORMATS if kind == "graph" else RESULT_FORMATS
    return choose(request.accept, offers, request.format)


_POSITION = re.compile(r"^error at (\d+):(\d+): ?")


def syntax_error(message: str, what: str = "query") -> QuerySyntaxError:
    """A readable syntax error from a parser message like ``error at 3:17: expected …``."""
    match = _POSITION.match(message)
    if match:
        line, col = match.groups()
        message = f"line {line}, column {col}: {message[match.end() :]}"
    return QuerySyntaxError(f"SPARQL {what} syntax error at {message}")


class Store(Protocol):
    """What the HTTP layer needs from a backend."""

    def query(self, request: QueryRequest) -> QueryResponse:
        """Run a query and serialise its result in the negotiated format."""
        ...

    def triple_count(self) -> int:
        """How many quads the store holds."""
        ...

    def close(self) -> None:
        """Release files and connections."""
        ...


def open_store(settings: Settings) -> Store:
    """The backend the settings choose, opened and ready."""
    if settings.backend == "oxigraph":
        from .backends.oxigraph import OxigraphStore

        return OxigraphStore.open(settings)
    raise ValueError(f"unknown backend {settings.backend!r} (known: oxigraph)")
