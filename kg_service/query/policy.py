"""What a client may ask: a cheap lexical scan of SPARQL text before any engine sees it.

The scan skips comments, strings and IRIs the way the SPARQL lexer does, and reports the
keywords used, the IRIs after ``FROM``/``USING``/``LOAD``/``SERVICE``, and the deepest
nesting of ``{`` and ``(``. :func:`check_query` and :func:`check_update` turn that into
refusals with a clear message: ``SERVICE`` (unless allow-listed), ``LOAD`` (unless allowed),
``file:`` IRIs, nesting deep enough to overflow the parser's stack (a known way to
crash pyoxigraph: ~3,000 nested groups), and ``REGEX``/``SUBSTR``/``REPLACE`` calls nested
deep enough to stall it: their last argument is optional, and pyoxigraph's parser reads a call
written without it twice, so its time doubles with each level (0.17 s at 16, 5 s at 21, while
it holds the process's interpreter).

>>> scan('SELECT * { ?s ?p "SERVICE" } # SERVICE').keywords & {"SERVICE"}
set()
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg_service.errors import RefusedOperation
from kg_service.query.lexer import join, operations, span
from kg_service.rdf.namespaces import SEARCH_SERVICE
from kg_service.settings import Settings

__all__ = [
    "MAX_CALL_DEPTH",
    "MAX_DEPTH",
    "MAX_TERMS",
    "Scan",
    "check_query",
    "check_update",
    "scan",
    "without_silent_loads",
]

#: Deeper nesting than this is refused before parsing (pyoxigraph's parser overflows ~3,000).
MAX_DEPTH = 256
#: More operators and group keywords than this are refused (thousands overflow the stack).
MAX_TERMS = 1000
#: Deeper nesting of the calls below is refused (pyoxigraph parses 12 levels in ~0.01 s).
MAX_CALL_DEPTH = 12
#: The functions whose optional last argument makes the parser's time double with each level.
_BACKTRACKING = frozenset({"REGEX", "SUBSTR", "REPLACE"})

_TOKEN = re.compile(
    r"""
      (?P<comment>\#[^\n]*)
    | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               | '\'\'(?:[^'\\]|\\.|'(?!''))*'\'\'
               | "(?:[^"\\\n]|\\.)*"
               | '(?:[^'\\\n]|\\.)*')
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][A-Za-z0-9_\u00b7-\uffff]*)
    | (?P<open>[{(\[])
    | (?P<close>[})\]])
    | (?P<op>\|\||&&|[|!+])
    | (?P<word>[A-Za-z_][A-Za-z0-9_\-]*(?::[^\s{}()<>,;]*)?   # keyword or prefixed name
             | [A-Za-z0-9_\-.]*:[^\s{}()<>,;]*)              # empty or numeric prefix
    """,
    re.VERBOSE,
)
_NO_SEARCH = " Full-text search in SPARQL needs a query and the oxigraph or rdflib backend."
_GROUP_KEYWORDS = {"UNION", "MINUS", "FILTER", "BIND", "OPTIONAL", "VALUES", "GRAPH", "SERVICE"}
_IRI_KEYWORDS = {"FROM", "NAMED", "USING", "LOAD", "SERVICE", "WITH", "INTO", "SILENT"}


@dataclass
class Scan:
    """What the lexical scan found."""

    keywords: set[str] = field(default_factory=set)
    iris_after: dict[str, list[str]] = field(default_factory=dict)
    max_depth: int = 0
    terms: int = 0  # operators and group-forming keywords: a measure of parser recursion
    max_call_depth: int = 0  # REGEX/SUBSTR/REPLACE calls within one another


def scan(text: str) -> Scan:
    """Scan SPARQL text (query or update) without parsing it: one regular expression pass."""
    result, depth, last_kw, word = Scan(), 0, "", ""
    calls: list[bool] = []  # for each open bracket: whether it opened a backtracking call
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "comment":
            continue
        called, word = word in _BACKTRACKING and match.group() == "(", ""
        if kind == "iri":
            if last_kw:
                result.iris_after.setdefault(last_kw, []).append(match.group()[1:-1])
            continue
        if kind == "open":
            depth += 1
            result.max_depth = max(result.max_depth, depth)
            calls.append(called)
            result.max_call_depth = max(result.max_call_depth, sum(calls) if called else 0)
        elif kind == "close":
            depth -= 1
            if calls:
                calls.pop()
        elif kind == "op":
            result.terms += 1
        elif kind == "word" and ":" not in match.group():
            word = match.group().upper()
            result.keywords.add(word)
            result.terms += word in _GROUP_KEYWORDS
            last_kw = word if word in _IRI_KEYWORDS else ""
            continue
        last_kw = ""
    return result


def _check_common(found: Scan, settings: Settings, search_here: bool = False) -> None:
    if found.max_depth > MAX_DEPTH:
        raise RefusedOperation(
            f"The request nests groups or expressions {found.max_depth} levels deep; "
            f"the limit is {MAX_DEPTH}."
        )
    if found.max_call_depth > MAX_CALL_DEPTH:
        raise RefusedOperation(
            f"The request nests REGEX, SUBSTR or REPLACE calls {found.max_call_depth} deep; "
            f"the limit is {MAX_CALL_DEPTH} (the parser's time doubles with each level): "
            "compute the inner values first, with BIND."
        )
    if found.terms > MAX_TERMS:
        raise RefusedOperation(
            f"The request has {found.terms} operators and group patterns; the limit is {MAX_TERMS}."
        )
    if "SERVICE" in found.keywords:
        endpoints = found.iris_after.get("SERVICE", [])
        # a query's own search service is answered here, before the engine (kg_service.search)
        here = search_here and settings.backend != "remote"
        others = [e for e in endpoints if e != SEARCH_SERVICE or not here]
        allowed = set(settings.service_allowlist)
        if not endpoints or (others and (not allowed or any(e not in allowed for e in others))):
            raise RefusedOperation(
                "Federated queries (SERVICE) are disabled on this endpoint"
                + (f"; allowed endpoints: {', '.join(sorted(allowed))}." if allowed else ".")
                + (_NO_SEARCH if SEARCH_SERVICE in others else "")
            )
    for keyword, iris in found.iris_after.items():
        if keyword != "SERVICE" and any(_local_scheme(iri) for iri in iris):
            raise RefusedOperation(
                f"{keyword} <file:…> is refused: this service never reads local files."
            )


def _local_scheme(iri: str) -> bool:
    return iri.strip().lower().startswith(("file:", "jar:", "data:"))


def check_query(text: str, settings: Settings) -> None:
    """Refuse what a query may not do here.

    A short query with few brackets and none of the words the policy looks at cannot break a
    rule: it skips the scan (most queries; the scan is a measurable part of a cheap query).
    """
    if _plainly_fine(text):
        return
    _check_common(scan(text), settings, search_here=True)


#: Words whose presence sends a query through the whole scan.
_WATCHED = ("service", "file:", "jar:", "data:", "regex", "substr", "replace")


def _plainly_fine(text: str) -> bool:
    """True when no rule can apply: fewer operators than ``MAX_TERMS`` (the text is shorter),
    fewer brackets than ``MAX_DEPTH``, and no watched word anywhere (strings included): a
    query with one of the backtracking calls is scanned, its nesting counted."""
    if len(text) >= MAX_TERMS:
        return False
    if text.count("{") + text.count("(") + text.count("[") >= MAX_DEPTH:
        return False
    lowered = text.lower()
    return not any(word in lowered for word in _WATCHED)


def check_update(text: str, settings: Settings) -> Scan:
    """Refuse what an update may not do here (``LOAD`` unless ``allow_load`` or ``SILENT``)."""
    found = scan(text)
    _check_common(found, settings)
    if "LOAD" in found.keywords and not settings.allow_load:
        if not _loads_all_silent(text):  # LOAD SILENT is dropped: a success that loads nothing
            raise RefusedOperation(
                "LOAD is disabled on this endpoint: send the data in the request."
            )
    elif "LOAD" in found.keywords:
        sources = found.iris_after.get("LOAD", []) + found.iris_after.get("SILENT", [])
        if any(not s.lower().startswith(("http://", "https://")) for s in sources):
            raise RefusedOperation("LOAD accepts only http(s) IRIs.")
    return found


def _is_silent_load(body: list) -> bool:
    return len(body) > 1 and body[0].keyword == "LOAD" and body[1].keyword == "SILENT"


def _loads_all_silent(text: str) -> bool:
    return all(_is_silent_load(op.body) for op in operations(text) if op.keyword == "LOAD")


def without_silent_loads(text: str, settings: Settings) -> str:
    """The update without its ``LOAD SILENT`` operations when ``LOAD`` is off.

    SPARQL 1.1 Update: with ``SILENT`` a failed ``LOAD`` is a success that loads nothing, and
    a refused one is a failed one. The prologues (``PREFIX``, ``BASE``) stay for what follows.
    """
    if settings.allow_load or "LOAD" not in text.upper():
        return text
    ops = operations(text)
    if not any(_is_silent_load(op.body) for op in ops):
        return text
    return join(
        [
            (
                span(text, op.prologue) or None,
                None if _is_silent_load(op.body) else span(text, op.body) or None,
            )
            for op in ops
        ]
    )
