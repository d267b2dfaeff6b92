"""The union default graph, kept as a set, and the update rewriting that keeps it current.

With ``union_default_graph`` on (the default), queries read a default graph that is the RDF
merge of *everything*: the stored default graph and every named graph, a triple held by several
graphs counted once. pyoxigraph's own union (``use_default_graph_as_union``) repeats such a
triple once per graph, so the union is materialised in an internal graph, :data:`UNION`, and
queries are given it as their default graph, with the named graphs that are not internal.

The store's real default graph is the *stored default graph*: what an update or a Graph Store
write that names no graph acts on, as in GraphDB and Stardog. In an update, a ``WHERE`` without
``USING`` reads what queries read (the union), and templates without ``GRAPH`` write the stored
default graph.

Keeping :data:`UNION` current costs what a write changes, not what the store holds. Each
operation of the update is rewritten so that, in the same transaction, every triple it may
insert is also written to :data:`INSERTED` and every triple it may delete to :data:`DELETED`
(template copies with the ``GRAPH`` blocks flattened; for ``CLEAR``/``DROP``/``ADD``/``MOVE``/
``COPY`` the graphs they empty or copy). After the operation (the next one's ``WHERE`` reads the
union) a triple of :data:`DELETED` leaves the union if no graph still holds it, a triple of
:data:`INSERTED` joins it if some graph holds it, and both logs are dropped. ``DROP NAMED``,
``CLEAR NAMED`` and ``LOAD`` rebuild the union from the graphs instead (they change the whole
store, or an unknown part of it).

>>> "urn:x-benelux-kg:deleted" in rewrite('DELETE DATA { <u:a> <u:b> <u:c> }', [])
True
"""

from __future__ import annotations

from collections.abc import Iterable

from kg_service.errors import Conflict, RefusedOperation
from kg_service.query.lexer import Operation, Token, block_end, join, operations, span
from kg_service.rdf.namespaces import INFERRED_GRAPH

__all__ = [
    "DELETED",
    "FILL_UNION",
    "INSERTED",
    "INTERNAL",
    "UNION",
    "graph_write",
    "is_internal",
    "plain_graph_write",
    "rewrite",
]

#: Every graph under this prefix belongs to the service, never to a client.
INTERNAL = "urn:x-benelux-kg:"
UNION = INTERNAL + "union"
INSERTED = INTERNAL + "inserted"
DELETED = INTERNAL + "deleted"

_NOT_INTERNAL = f'FILTER(!STRSTARTS(STR(?g), "{INTERNAL}"))'
_ANYWHERE = f"{{ ?s ?p ?o }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} {_NOT_INTERNAL} }}"

#: (Re)build the union from the stored default graph and the named graphs.
FILL_UNION = (
    f"DROP SILENT GRAPH <{UNION}> ;\n"
    f"INSERT {{ GRAPH <{UNION}> {{ ?s ?p ?o }} }} WHERE {{ {_ANYWHERE} }}"
)
_FROM_LOGS = (
    f"DELETE {{ GRAPH <{UNION}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{DELETED}> {{ ?s ?p ?o }}\n"
    f"  FILTER NOT EXISTS {{ ?s ?p ?o }}\n"
    f"  FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} {_NOT_INTERNAL} }} }} ;\n"
    f"INSERT {{ GRAPH <{UNION}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{INSERTED}> {{ ?s ?p ?o }}\n"
    f"  FILTER EXISTS {{ {_ANYWHERE} }} }}"
)
_DROP_LOGS = f"DROP SILENT GRAPH <{INSERTED}> ;\nDROP SILENT GRAPH <{DELETED}>"
_TEMPLATED = {"INSERT", "DELETE", "WITH"}


def is_internal(graph: str) -> bool:
    """True for the service's own graphs (hidden from clients)."""
    return graph.startswith(INTERNAL)


def plain_graph_write(graph: str | None, ntriples: str, replace: bool) -> str:
    """A Graph Store write as one update: ``PUT`` (``replace``) or ``POST`` of N-Triples."""
    target = f"GRAPH <{graph}>" if graph else "DEFAULT"
    block = f"GRAPH <{graph}> {{\n{ntriples}\n}}" if graph else ntriples
    drop = f"DROP SILENT {target} ;\n" if replace else ""
    return f"{drop}INSERT DATA {{ {block} }}"


def graph_write(graph: str | None, ntriples: str, replace: bool) -> str:
    """:func:`plain_graph_write` that keeps the union current, without reading the text again.

    Whatever a graph holds after the write is in the union, so it is copied there directly;
    what a ``PUT`` replaced is logged, and leaves the union if no other graph holds it.
    """
    where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"

    def copy(log: str) -> str:
        return f"INSERT {{ GRAPH <{log}> {{ ?s ?p ?o }} }} WHERE {{ {where} }}"

    if replace:  # what the graph held may leave the union; all it holds now is in it
        parts = [copy(DELETED), plain_graph_write(graph, ntriples, True), copy(UNION)]
    else:  # one block: a blank node label names the same node in both copies
        block = f"GRAPH <{graph}> {{\n{ntriples}\n}}" if graph else ntriples
        parts = [f"INSERT DATA {{ {block}\nGRAPH <{UNION}> {{\n{ntriples}\n}} }}"]
    return " ;\n".join([*parts, _FROM_LOGS, _DROP_LOGS])


def rewrite(text: str, graphs: Iterable[str]) -> str:
    """``text`` with the statements that keep :data:`UNION` current, for one transaction.

    ``graphs`` are the store's named graphs that are not internal: with those the request
    names before and in an operation, they are the named graphs its ``WHERE`` may read.
    """
    ops = operations(text)
    for op in ops:
        _refuse_internal(op)
        _check_targets(op)
    plan = _Plan(text, graphs)
    try:
        for op in ops:
            plan.add(op)
    except (ValueError, IndexError, StopIteration):
        # A shape this module does not know (most likely a syntax error, which the engine
        # reports better): run it as it is, then rebuild the union from the graphs.
        return join([(None, text.rstrip().removesuffix(";")), (None, FILL_UNION)])
    return plan.finish()


class _Plan:
    """The rewritten request, built one operation at a time."""

    def __init__(self, text: str, graphs: Iterable[str]) -> None:
        self.text = text
        self.visible = {f"<{g}>" for g in graphs}
        self.parts: list[tuple[str | None, str | None]] = []
        self.logged = self.refill = False

    def add(self, op: Operation) -> None:
        """One operation, then what brings the union up to date: the next one reads it."""
        self.visible |= _mentioned(op)
        self.logged = self.refill = False
        prologue = span(self.text, op.prologue) or None
        self.parts.append((prologue, self._statement(op) if op.body else None))
        if self.refill:
            self.parts += [(None, _DROP_LOGS), (None, FILL_UNION)]
        elif self.logged:
            self.parts += [(None, _FROM_LOGS), (None, _DROP_LOGS)]

    def finish(self) -> str:
        return join(self.parts)

    def _statement(self, op: Operation) -> str:
        keyword, second = op.keyword, _keyword_at(op.body, 1)
        if keyword == "INSERT" and second == "DATA":
            return self._data(op, INSERTED)
        if keyword == "DELETE" and second == "DATA":
            return self._data(op, DELETED)
        if keyword == "DELETE" and second == "WHERE":
            return self._delete_where(op)
        if keyword in _TEMPLATED:
            return self._modify(op)
        if keyword in ("CLEAR", "DROP"):
            return self._clear(op)
        if keyword in ("ADD", "MOVE", "COPY"):
            return self._transfer(op)
        if keyword == "LOAD":
            self.refill = True
        return span(self.text, op.body)

    def _data(self, op: Operation, log: str) -> str:
        """``INSERT DATA``: the same quads, flattened, into the union too (they are all in a
        graph afterwards); ``DELETE DATA``: into the log of what may leave the union."""
        self.logged = log == DELETED
        open_ = 2
        close = block_end(op.body, open_)
        inner = op.body[open_ + 1 : close]
        copy = self._flat(inner)
        if not copy:
            return span(self.text, op.body)
        if log == INSERTED:  # in the same block: a blank node label is the same node there
            return f"{span(self.text, op.body[:close])}\nGRAPH <{UNION}> {{\n{copy}\n}} }}" + (
                f"\n{span(self.text, op.body[close + 1 :])}" if close + 1 < len(op.body) else ""
            )
        return f"{span(self.text, op.body)}\n;\nINSERT DATA {{ GRAPH <{DELETED}> {{\n{copy}\n}} }}"

    def _delete_where(self, op: Operation) -> str:
        """``DELETE WHERE {P}`` as ``DELETE {P} INSERT {log} USING … WHERE {P}``."""
        self.logged = True
        close = block_end(op.body, 2)
        pattern = span(self.text, op.body[2 : close + 1])
        copy = self._flat(op.body[3:close])
        log = f"INSERT {{ GRAPH <{DELETED}> {{\n{copy}\n}} }}\n" if copy else ""
        return f"DELETE {pattern}\n{log}{self._using(None)}\nWHERE {pattern}"

    def _modify(self, op: Operation) -> str:
        """``[WITH g] DELETE {…} INSERT {…} [USING …] WHERE {…}`` with the copies added."""
        self.logged = True
        body, i, parts = op.body, 0, []
        with_graph = None
        if body[0].keyword == "WITH":
            with_graph = body[1].text
            parts.append(span(self.text, body[:2]))
            i = 2
        templates: dict[str, list[Token]] = {}
        while i < len(body) and body[i].keyword in ("DELETE", "INSERT"):
            close = block_end(body, i + 1)
            templates[body[i].keyword] = body[i + 2 : close]
            i = close + 1
        where = next(j for j in range(i, len(body)) if body[j].keyword == "WHERE")
        client_dataset = span(self.text, body[i:where])
        if "DELETE" in templates:
            parts.append(f"DELETE {{\n{span(self.text, templates['DELETE'])}\n}}")
        parts.append(self._insert_template(templates))
        parts.append(client_dataset or self._using(with_graph))
        parts.append(span(self.text, body[where:]))
        return "\n".join(p for p in parts if p)

    def _insert_template(self, templates: dict[str, list[Token]]) -> str:
        inserted = self._flat(templates.get("INSERT", []))
        deleted = self._flat(templates.get("DELETE", []))
        lines = [span(self.text, templates.get("INSERT", []))]
        if inserted:
            lines.append(f"GRAPH <{INSERTED}> {{\n{inserted}\n}}")
        if deleted:
            lines.append(f"GRAPH <{DELETED}> {{\n{deleted}\n}}")
        return "INSERT {\n" + "\n".join(line for line in lines if line) + "\n}"

    def _using(self, with_graph: str | None) -> str:
        """The dataset a ``WHERE`` reads: the union (or the ``WITH`` graph), visible graphs."""
        named = "".join(f"\nUSING NAMED {g}" for g in sorted(self.visible))
        return f"USING {with_graph or f'<{UNION}>'}{named}"

    def _clear(self, op: Operation) -> str:
        """``CLEAR``/``DROP``: log what a graph held; ``NAMED`` rebuilds the union after."""
        target = _skip_silent(op.body, 1)
        scope = op.body[target].keyword if target < len(op.body) else ""
        statement = span(self.text, op.body)
        if scope == "NAMED":
            self.refill = True
        elif scope in ("DEFAULT", "GRAPH"):
            graph = None if scope == "DEFAULT" else op.body[target + 1].text
            return f"{self._log_graph(graph, DELETED)}\n;\n{statement}"
        return statement

    def _transfer(self, op: Operation) -> str:
        """``ADD``/``COPY``/``MOVE`` from one graph to another: log both sides."""
        first = _skip_silent(op.body, 1)
        source, to = _graph_ref(op.body, first)
        target, _ = _graph_ref(op.body, to + 1)
        logs = [self._log_graph(source, INSERTED)]
        if op.keyword in ("COPY", "MOVE"):
            logs.append(self._log_graph(target, DELETED))
        if op.keyword == "MOVE":
            logs.append(self._log_graph(source, DELETED))
        return "\n;\n".join([*logs, span(self.text, op.body)])

    def _log_graph(self, graph: str | None, log: str) -> str:
        """Copy a graph (``None``: the stored default graph) into a log."""
        self.logged = True
        where = f"GRAPH {graph} {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
        return f"INSERT {{ GRAPH <{log}> {{ ?s ?p ?o }} }} WHERE {{ {where} }}"

    def _flat(self, template: list[Token]) -> str:
        """The triples of a quad template, out of their ``GRAPH`` blocks, one block of triples."""
        segments, i, start = [], 0, 0
        while i < len(template):
            token = template[i]
            if token.keyword == "GRAPH":
                segments.append(template[start:i])
                close = block_end(template, i + 2)
                segments.append(template[i + 3 : close])
                i = start = close + 1
            elif token.kind == "punct" and token.text in "{([":
                i = block_end(template, i) + 1
            else:
                i += 1
        segments.append(template[start:])
        texts = [span(self.text, _strip_dots(s)) for s in segments]
        return " .\n".join(t for t in texts if t)


def _keyword_at(body: list[Token], index: int) -> str:
    return body[index].keyword if index < len(body) else ""


def _skip_silent(body: list[Token], index: int) -> int:
    return index + 1 if _keyword_at(body, index) == "SILENT" else index


def _graph_ref(body: list[Token], index: int) -> tuple[str | None, int]:
    """``DEFAULT`` (→ ``None``) or ``[GRAPH] iri`` at ``index``; and the index after it."""
    if _keyword_at(body, index) == "DEFAULT":
        return None, index + 1
    if _keyword_at(body, index) == "GRAPH":
        index += 1
    return body[index].text, index + 1


def _strip_dots(segment: list[Token]) -> list[Token]:
    start, end = 0, len(segment)
    while start < end and segment[start].text == "." and segment[start].kind == "punct":
        start += 1
    while end > start and segment[end - 1].text == "." and segment[end - 1].kind == "punct":
        end -= 1
    return segment[start:end]


def _mentioned(op: Operation) -> set[str]:
    """Graph names an operation writes or reads (``GRAPH x``, ``INTO x``, ``TO x``)."""
    pairs = zip(op.body, op.body[1:], strict=False)
    return {
        token.text
        for before, token in pairs
        if before.keyword in ("GRAPH", "INTO", "TO") and token.kind in ("iri", "pname")
    }


def _refuse_internal(op: Operation) -> None:
    for token in (*op.prologue, *op.body):
        if token.kind == "iri" and is_internal(token.text[1:-1]):
            raise RefusedOperation(
                f"IRIs under {INTERNAL} name this service's own graphs; they cannot be used."
            )


def _check_targets(op: Operation) -> None:
    """Refuse writing the inferred graph: it is derived from the build (409)."""
    inferred = f"<{INFERRED_GRAPH}>"
    body = op.body
    writes = op.keyword not in _TEMPLATED or _keyword_at(body, 1) in ("DATA", "WHERE")
    for i, token in enumerate(body[1:], start=1):
        if token.text != inferred:
            continue
        before = body[i - 1].keyword
        if before in ("INTO", "TO", "WITH") or (
            before == "GRAPH" and (writes or _in_template(op, i))
        ):
            raise Conflict(
                f"The graph {inferred} holds what the build inferred; it is derived, not written. "
                "Change the asserted graphs and rebuild."
            )
    if op.keyword == "MOVE" and any(t.text == inferred for t in body[1:3]):
        raise Conflict(f"The graph {inferred} is derived from the build; it cannot be moved.")


def _in_template(op: Operation, index: int) -> bool:
    """True when ``op.body[index]`` lies in a ``DELETE``/``INSERT`` template (not ``WHERE``)."""
    where = next((i for i, t in enumerate(op.body) if t.keyword == "WHERE"), len(op.body))
    return index < where
