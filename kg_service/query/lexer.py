"""SPARQL text as tokens, and a SPARQL Update request as its operations: no parser, one regex.

The service rewrites a query only where an engine needs it (the search ``SERVICE``, and what
Virtuoso must get: :mod:`kg_service.backends.virtuoso`), but it must see the shape of an
update: where each operation starts and ends (``;`` outside any bracket), which keyword
starts it, and where its templates and ``WHERE`` group are. That is what :func:`operations`
gives; the engines still parse the text themselves, so a malformed update fails there with the
engine's message.

Comments, strings and IRIs are recognised as the SPARQL lexer does, so a ``;`` or ``{`` inside
them never counts. Prefixed names and numbers never swallow a final ``.`` (it ends a triple).

>>> [op.keyword for op in operations('PREFIX x: <u:> INSERT DATA { x:a x:b "c;d" } ; CLEAR ALL')]
['INSERT', 'CLEAR']
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

__all__ = ["Operation", "Token", "block_end", "join", "operations", "span", "tokens"]

_NAME_CHAR = r"[\w\-\u00b7-\uffff]"
_LOCAL = rf"(?:{_NAME_CHAR}|[:%]|\\[_~.\-!$&'()*+,;=/?#@%]|\.(?=(?:{_NAME_CHAR}|[:%\\])))*"
_TOKEN = re.compile(
    rf"""
    (?:\s+|\#[^\n]*)*     # whitespace and comments between tokens
    (?:
      (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               | '\'\'(?:[^'\\]|\\.|'(?!''))*'\'\'
               | "(?:[^"\\\n]|\\.)*"
               | '(?:[^'\\\n]|\\.)*')
    | (?P<iri><[^<>"{{}}|^`\\\x00-\x20]*>)
    | (?P<var>[?$]{_NAME_CHAR}+)
    | (?P<number>[+-]?(?:\d*\.\d+(?:[eE][+-]?\d+)?|\d+\.\d*[eE][+-]?\d+|\d+(?:[eE][+-]?\d+)?))
    | (?P<pname>(?:[A-Za-z_\u00c0-\uffff](?:{_NAME_CHAR}|\.(?={_NAME_CHAR}))*)?:{_LOCAL})
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<punct>\^\^|[{{}}()\[\];,.])
    | (?P<other>.)
    )?                      # none: only whitespace or a comment was left at the end
    """,
    re.VERBOSE | re.DOTALL,
)
_OPEN, _CLOSE = "{([", "})]"
_PROLOGUE = {"BASE": 1, "PREFIX": 2}  # how many tokens follow the keyword


class Token(NamedTuple):
    """One lexical token: its kind (a group name of the regex), text and place in the text."""

    kind: str
    text: str
    start: int
    end: int

    @property
    def keyword(self) -> str:
        """The upper-cased word for a bare word (``insert`` → ``INSERT``), else ``""``."""
        return self.text.upper() if self.kind == "word" else ""


@dataclass
class Operation:
    """One operation of an update request, with the prologue (BASE, PREFIX) just before it."""

    prologue: list[Token] = field(default_factory=list)
    body: list[Token] = field(default_factory=list)

    @property
    def keyword(self) -> str:
        """The keyword the operation starts with (``INSERT``, ``CLEAR``, ``WITH`` …) or ``""``."""
        return self.body[0].keyword if self.body else ""


def tokens(text: str) -> Iterator[Token]:
    """The tokens of ``text`` that carry meaning (no whitespace, no comments)."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind is not None:  # None: only whitespace or a comment was left at the end
            start, end = match.span(kind)
            yield Token(kind, text[start:end], start, end)


def operations(text: str) -> list[Operation]:
    """The operations of an update, split at each ``;`` outside brackets (empty ones kept)."""
    ops, current, depth = [], Operation(), 0
    pending = 0  # tokens still belonging to a BASE or PREFIX declaration
    for token in tokens(text):
        if token.text in _OPEN and token.kind == "punct":
            depth += 1
        elif token.text in _CLOSE and token.kind == "punct":
            depth -= 1
        elif token.text == ";" and depth == 0:
            ops.append(current)
            current = Operation()
            continue
        if pending:
            current.prologue.append(token)
            pending -= 1
        elif not current.body and token.keyword in _PROLOGUE:
            current.prologue.append(token)
            pending = _PROLOGUE[token.keyword]
        else:
            current.body.append(token)
    ops.append(current)
    return ops


def block_end(body: list[Token], start: int) -> int:
    """The index of the bracket closing the one at ``body[start]``."""
    depth = 0
    for i in range(start, len(body)):
        token = body[i]
        if token.kind == "punct" and token.text in _OPEN:
            depth += 1
        elif token.kind == "punct" and token.text in _CLOSE:
            depth -= 1
            if depth == 0:
                return i
    raise ValueError("unbalanced brackets")


def span(text: str, toks: list[Token]) -> str:
    """The original text from the first to the last of ``toks`` (comments inside kept)."""
    return text[toks[0].start : toks[-1].end] if toks else ""


def join(parts: list[tuple[str | None, str | None]]) -> str:
    """Operations joined by ``;``; a prologue goes with the statement after it."""
    out: list[str] = []
    pending: list[str] = []
    for prologue, statement in parts:
        if prologue:
            pending.append(prologue)
        if statement:
            out.append("\n".join([*pending, statement]))
            pending = []
    return "\n;\n".join(out) + ("\n" + "\n".join(pending) if pending else "")
