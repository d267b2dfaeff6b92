"""SPARQL syntax errors in words: a parser's message becomes one short sentence saying what is
wrong and where.

pyoxigraph's parser reports the furthest point it reached and every token it could have read
there (``expected one of Prefix not found, ['%'], ['-' | '0' ..= '9' …``), often past the real
mistake (``SELECT * WHER {…}`` → ``expected DISTINCT`` at column 16); rdflib's names the grammar
rule that failed. Neither says what a person got wrong. :func:`explain` reads the query itself
(with :mod:`kg_service.query.lexer`) for the usual mistakes — an undeclared prefix, a misspelt
keyword, an unclosed group, string or parenthesis, a keyword without what must follow it, an
expression in SELECT without its parentheses — and reports the first one in the text; only
when it finds none does it reword the parser's own message. The parser's message is kept on
the error (:attr:`~kg_service.errors.QuerySyntaxError.parser_message`) for the log.

>>> explain("error at 1:16: expected DISTINCT", "SELECT * WHER { ?s ?p ?o }")
'`WHER` at line 1, column 10 is not a SPARQL keyword: did you mean WHERE?'
>>> explain("error at 1:28: expected one of Prefix not found, …", "SELECT * WHERE { ?s foo:p ?o }")
'unknown prefix `foo:` at line 1, column 21: declare it with PREFIX foo: <…>'
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

from kg_service.errors import QuerySyntaxError
from kg_service.query.lexer import Token, tokens
from kg_service.rdf.namespaces import COMMON_PREFIXES, PREFIXES

__all__ = ["FUNCTIONS", "KEYWORDS", "explain", "position", "syntax_error"]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: The builtin functions and aggregates of SPARQL 1.1 (and the SPARQL 1.2 ones pyoxigraph reads).
FUNCTIONS = _words(
    """STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN
    UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY HOURS
    MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG
    STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE EXISTS COUNT SUM
    MIN MAX AVG SAMPLE GROUP_CONCAT TRIPLE SUBJECT PREDICATE OBJECT ISTRIPLE LANGDIR HASLANG
    HASLANGDIR STRLANGDIR ADJUST"""
)
#: Every other keyword of SPARQL 1.1 Query and Update (matched without regard to case).
KEYWORDS = FUNCTIONS | _words(
    """BASE PREFIX SELECT DISTINCT REDUCED AS CONSTRUCT DESCRIBE ASK FROM NAMED WHERE GROUP BY
    HAVING ORDER ASC DESC LIMIT OFFSET VALUES UNDEF OPTIONAL GRAPH SERVICE SILENT BIND MINUS UNION
    FILTER NOT IN SEPARATOR TRUE FALSE LOAD CLEAR DROP CREATE ADD MOVE COPY TO INTO INSERT DELETE
    DATA WITH USING DEFAULT ALL LATERAL VERSION"""
)
_POOL = sorted(KEYWORDS)
#: What must follow a keyword, and how to say it.
_FOLLOWERS: dict[str, tuple[Callable[[Token], bool], str]] = {
    "ORDER": (lambda t: t.keyword == "BY", "must be followed by BY (ORDER BY ?x)"),
    "GROUP": (lambda t: t.keyword == "BY", "must be followed by BY (GROUP BY ?x)"),
    "OPTIONAL": (lambda t: t.text == "{", "needs a group in braces after it: OPTIONAL { … }"),
    "MINUS": (lambda t: t.text == "{", "needs a group in braces after it: MINUS { … }"),
    "LIMIT": (lambda t: t.kind == "number", "must be followed by a whole number (LIMIT 10)"),
    "OFFSET": (lambda t: t.kind == "number", "must be followed by a whole number (OFFSET 10)"),
    "BIND": (lambda t: t.text == "(", "needs parentheses: BIND (expression AS ?name)"),
    "AS": (lambda t: t.kind == "var", "must be followed by a variable (AS ?name)"),
}
_OPENERS = {"{": "}", "(": ")", "[": "]"}
_NAMES = {"{": "group", "(": "parenthesis", "[": "bracket ["}
_TERMS = ("var", "iri", "pname", "string", "number")
_OXIGRAPH_AT = re.compile(r"error at (\d+):(\d+)")
_RDFLIB_AT = re.compile(r"\(line:(\d+), col:(\d+)\)")
_RDFLIB_PREFIX = re.compile(r"Unknown namespace prefix : (\S*)")
_FOUND = re.compile(r"found '([^']*)'|found end of text")
_QUOTED = re.compile(r'^"(.*)"$')
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass(frozen=True)
class Finding:
    """A mistake found in the text: where it starts (an offset) and the sentence that names it."""

    offset: int
    sentence: str


class _Text:
    """The query, its tokens and the line and column of any offset (counted from ``start``:
    what comes before it was added by a tool, not written by the person)."""

    def __init__(self, text: str, start: int = 0) -> None:
        self.text, self.start = text, start
        self.toks = list(tokens(text))

    def where(self, offset: int) -> str:
        column = offset - max(self.text.rfind("\n", 0, offset) + 1, self.start) + 1
        return f"line {self.line(offset)}, column {column}"

    def line(self, offset: int) -> int:
        return self.text.count("\n", self.start, offset) + 1

    def offset(self, line: int, column: int) -> int:
        """The offset of a parser's position (its lines count from the very first)."""
        begin = 0
        for _ in range(line - 1):
            begin = self.text.find("\n", begin) + 1
            if begin == 0:
                return len(self.text)
        return min(begin + column - 1, len(self.text))

    def after(self, index: int) -> Token | None:
        return self.toks[index + 1] if index + 1 < len(self.toks) else None


def position(message: str) -> tuple[int, int] | None:
    """The line and column a parser's message points at (pyoxigraph's or rdflib's form)."""
    match = _OXIGRAPH_AT.search(message) or _RDFLIB_AT.search(message)
    return (int(match.group(1)), int(match.group(2))) if match else None


def explain(message: str, text: str | None = None, start: int = 0) -> str:
    """One short sentence for a syntax error: what is wrong in ``text`` and where.

    ``message`` is the parser's (pyoxigraph's or rdflib's); without the text, only the
    message is reworded. Lines and columns count from ``start`` in ``text``.
    """
    if text is None:
        return _from_message(message, None)
    query = _Text(text, start)
    named = _rdflib_prefix(query, message)  # the parser said exactly which prefix: trust it
    if named is not None:
        return named.sentence
    findings = [f for check in _CHECKS if (f := check(query, message)) is not None]
    if findings:
        return min(findings, key=lambda f: f.offset).sentence
    return _from_message(message, query)


def syntax_error(message: str, what: str = "query", text: str | None = None) -> QuerySyntaxError:
    """The 400 error for a ``what`` (query, update) that does not parse, in words.

    The parser's own ``message`` stays on the error for the access log.
    """
    return QuerySyntaxError(explain(message, text), parser_message=message)


# --- the checks, each finding at most one mistake ----------------------------------------


def _empty(query: _Text, message: str) -> Finding | None:
    if query.toks:
        return None
    return Finding(0, "the query is empty: write a SELECT, ASK, CONSTRUCT or DESCRIBE query")


def _unclosed_string(query: _Text, message: str) -> Finding | None:
    for token in query.toks:
        if token.kind == "other" and token.text in "\"'":
            return Finding(
                token.start, f"the string that starts at {query.where(token.start)} is not closed"
            )
    return None


def _bad_iri(query: _Text, message: str) -> Finding | None:
    """``<…>`` holding a space or a character an IRI cannot have (``<`` as less-than is not)."""
    for token in query.toks:
        if token.kind != "other" or token.text != "<":
            continue
        rest = query.text[token.end :].split("\n", 1)[0]
        close = rest.find(">")
        looks_like_iri = _SCHEME.match(rest) is not None or "IRI" in message
        if close < 0 or not looks_like_iri or rest[:1].isspace():
            continue
        iri = "<" + rest[: close + 1]
        return Finding(
            token.start,
            f"the IRI {iri} at {query.where(token.start)} is not valid: an IRI cannot hold "
            "spaces, quotes or any of {}|^`\\ (write a space as %20)",
        )
    return None


def _unknown_word(query: _Text, message: str) -> Finding | None:
    """The first bare word that is no SPARQL keyword (``WHER``, ``FILTR``, ``s`` for ``?s``)."""
    variables = {t.text[1:] for t in query.toks if t.kind == "var"}
    for i, token in enumerate(query.toks):
        if token.kind != "word" or token.text == "a" or token.keyword in KEYWORDS:
            continue
        where = query.where(token.start)
        previous = query.toks[i - 1] if i else None
        if previous is not None and previous.keyword == "PREFIX":
            return Finding(
                token.start,
                f"the prefix name `{token.text}` at {where} needs a colon: "
                f"PREFIX {token.text}: <…>",
            )
        return Finding(token.start, _not_a_keyword(token, query.after(i), where, variables))
    return None


def _not_a_keyword(token: Token, following: Token | None, where: str, variables: set) -> str:
    word = token.text
    if word in variables:
        return f"`{word}` at {where} is not a SPARQL keyword: did you mean ?{word}?"
    call = following is not None and following.text == "("
    close = difflib.get_close_matches(word.upper(), _POOL, n=1, cutoff=0.7)
    kind = "function" if call else "keyword"
    if close:
        kind = "function" if close[0] in FUNCTIONS else "keyword"
        return f"`{word}` at {where} is not a SPARQL {kind}: did you mean {close[0]}?"
    return (
        f"`{word}` at {where} is not a SPARQL {kind}: a variable starts with ?, a name needs "
        "a prefix (prefix:name) or angle brackets (<…>), a text needs quotes"
    )


def _undeclared_prefix(query: _Text, message: str) -> Finding | None:
    declared, skip = set(), set()
    for i, token in enumerate(query.toks):
        following = query.after(i)
        if token.keyword == "PREFIX" and following is not None and following.kind == "pname":
            declared.add(following.text.split(":", 1)[0])
            skip.add(i + 1)
    for i, token in enumerate(query.toks):
        prefix = token.text.split(":", 1)[0]
        if token.kind != "pname" or i in skip or prefix in declared or prefix == "_":
            continue
        return _unknown_prefix(query, token, prefix)
    return None


def _unknown_prefix(query: _Text, token: Token, prefix: str) -> Finding:
    """The sentence for ``prefix:`` used at ``token`` without being declared."""
    namespace = PREFIXES.get(prefix) or COMMON_PREFIXES.get(prefix) or "…"
    return Finding(
        token.start,
        f"unknown prefix `{prefix}:` at {query.where(token.start)}: "
        f"declare it with PREFIX {prefix}: <{namespace}>",
    )


def _brackets(query: _Text, message: str) -> Finding | None:
    """A closing bracket without its opening one, or of the wrong kind, or one left open."""
    stack: list[Token] = []
    for token in query.toks:
        if token.kind != "punct":
            continue
        if token.text in _OPENERS:
            stack.append(token)
        elif token.text in ")}]":
            if not stack:
                return Finding(
                    token.start,
                    f"`{token.text}` at {query.where(token.start)} closes nothing: "
                    "there is no opening bracket before it",
                )
            opener = stack.pop()
            if _OPENERS[opener.text] != token.text:
                return Finding(
                    opener.start,
                    f"the {_NAMES[opener.text]} opened at {query.where(opener.start)} is not "
                    f"closed before `{token.text}` at {query.where(token.start)}",
                )
    if not stack:
        return None
    opener = stack[-1]
    if opener.text == "{":
        return Finding(
            opener.start, f"the group opened at line {query.line(opener.start)} is not closed"
        )
    return Finding(
        opener.start,
        f"the {_NAMES[opener.text]} opened at {query.where(opener.start)} is not closed",
    )


def _missing_follower(query: _Text, message: str) -> Finding | None:
    """A keyword without what must come after it (ORDER without BY, OPTIONAL without {…})."""
    for i, token in enumerate(query.toks):
        rule = _FOLLOWERS.get(token.keyword)
        if rule is None:
            continue
        fits, sentence = rule
        following = query.after(i)
        if following is None or not fits(following):
            return Finding(token.start, f"{token.text} at {query.where(token.start)} {sentence}")
    return None


def _bare_expression(query: _Text, message: str) -> Finding | None:
    """``SELECT ?s COUNT(?o)``: an expression in SELECT without ``( … AS ?name)``."""
    depth, inside = 0, False
    for i, token in enumerate(query.toks):
        if token.keyword == "SELECT":
            inside, depth = True, 0
            continue
        if not inside:
            continue
        if token.text == "(" and token.kind == "punct":
            depth += 1
        elif token.text == ")" and token.kind == "punct":
            depth -= 1
        elif token.keyword in ("WHERE", "FROM") or token.text == "{":
            inside = False
        elif depth == 0 and token.keyword in FUNCTIONS and _calls(query, i):
            return Finding(
                token.start,
                f"`{token.text}(…)` at {query.where(token.start)} must be written in parentheses "
                f"with a name: ({token.text}(…) AS ?name)",
            )
    return None


def _unnamed_expression(query: _Text, message: str) -> Finding | None:
    """``SELECT (COUNT(?o)) WHERE …``: an expression in SELECT's parentheses without its
    ``AS ?name``."""
    depth, inside, opened, named = 0, False, None, False
    for token in query.toks:
        if token.keyword == "SELECT":
            inside, depth = True, 0
        elif not inside:
            continue
        elif token.text == "(" and token.kind == "punct":
            opened, named = (token, False) if depth == 0 else (opened, named)
            depth += 1
        elif token.text == ")" and token.kind == "punct":
            depth -= 1
            if depth == 0 and opened is not None and not named:
                return Finding(
                    opened.start,
                    f"the expression in parentheses at {query.where(opened.start)} needs a name: "
                    "write ( … AS ?name)",
                )
        elif token.keyword == "AS" and depth == 1:
            named = True
        elif token.keyword in ("WHERE", "FROM") or token.text == "{":
            inside = False
    return None


def _calls(query: _Text, index: int) -> bool:
    following = query.after(index)
    return following is not None and following.text == "("


def _ungrouped(query: _Text, message: str) -> Finding | None:
    """pyoxigraph's "variable that is unbound": a selected variable neither grouped nor
    aggregated."""
    if "variable that is unbound" not in message:
        return None
    selected, grouped = _projection(query), _group_keys(query)
    for token in selected:
        if token.text[1:] not in grouped:
            return Finding(
                token.start,
                f"`{token.text}` at {query.where(token.start)} is selected but neither grouped nor "
                f"aggregated: add it to GROUP BY, or select (SAMPLE({token.text}) AS ?name)",
            )
    return None


def _projection(query: _Text) -> list[Token]:
    """The plain variables of the SELECT clause (not those inside expressions)."""
    found, depth, inside = [], 0, False
    for token in query.toks:
        if token.keyword == "SELECT":
            inside = True
        elif inside and token.text == "(" and token.kind == "punct":
            depth += 1
        elif inside and token.text == ")" and token.kind == "punct":
            depth -= 1
        elif inside and (token.keyword in ("WHERE", "FROM") or token.text == "{"):
            break
        elif inside and depth == 0 and token.kind == "var":
            found.append(token)
    return found


def _group_keys(query: _Text) -> set[str]:
    keys, inside = set(), False
    for i, token in enumerate(query.toks):
        if token.keyword == "GROUP" and (query.after(i) or token).keyword == "BY":
            inside = True
        elif inside and token.keyword in ("HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES"):
            inside = False
        elif inside and token.kind == "var":
            keys.add(token.text[1:])
    return keys


def _rdflib_prefix(query: _Text, message: str) -> Finding | None:
    """rdflib names an undeclared prefix without saying where: find it in the text."""
    match = _RDFLIB_PREFIX.search(message)
    if not match:
        return None
    prefix = match.group(1)
    for token in query.toks:
        if token.kind == "pname" and token.text.split(":", 1)[0] == prefix:
            return _unknown_prefix(query, token, prefix)
    return None


def _incomplete_triple(query: _Text, message: str) -> Finding | None:
    """Where the parser stopped, a triple with one or two terms, or one whose next term starts
    another triple without the ``.`` between them."""
    at = position(message)
    if at is None:
        return None
    index = _stop(query, query.offset(*at))
    if index is None:
        return None
    terms, i = [], index - 1
    while i >= 0 and (query.toks[i].kind in _TERMS or query.toks[i].text == "a"):
        terms.insert(0, query.toks[i])
        i -= 1
    boundary = query.toks[i].text if i >= 0 else ""
    if boundary not in ("{", ".") or not terms:
        return None
    if len(terms) < 3:
        return Finding(
            terms[0].start,
            f"the triple at {query.where(terms[0].start)} is incomplete: it needs a subject, "
            "a predicate and an object",
        )
    if len(terms) > 3:
        extra = terms[3]
        return Finding(
            extra.start,
            f"`{extra.text}` at {query.where(extra.start)} starts a new triple: end the one "
            "before it with a `.`",
        )
    return None


def _stop(query: _Text, offset: int) -> int | None:
    """The ``.`` or ``}`` the parser stopped at: the parser reports how far it got, which may
    be the token itself, the space before it or just past it."""
    after = next((i for i, t in enumerate(query.toks) if t.end > offset), None)
    before = max((i for i, t in enumerate(query.toks) if t.start < offset), default=None)
    for index in (after, before):
        if index is not None and query.toks[index].text in (".", "}"):
            return index
    return None


def _empty_projection(query: _Text, message: str) -> Finding | None:
    """``SELECT DISTINCT WHERE``: nothing to select."""
    for i, token in enumerate(query.toks):
        if token.keyword != "SELECT":
            continue
        following = query.after(i)
        if following is not None and following.keyword in ("DISTINCT", "REDUCED"):
            following = query.after(i + 1)
        if following is None or following.keyword in ("WHERE", "FROM") or following.text == "{":
            return Finding(
                token.start,
                f"SELECT at {query.where(token.start)} names nothing to select: "
                "write SELECT * or SELECT ?x ?y",
            )
    return None


def _empty_language_tag(query: _Text, message: str) -> Finding | None:
    for token in query.toks:
        if token.kind == "other" and token.text == "@":
            return Finding(
                token.start,
                f'the language tag at {query.where(token.start)} is empty: write it as "text"@en',
            )
    return None


_CHECKS: tuple[Callable[[_Text, str], Finding | None], ...] = (
    _empty,
    _unclosed_string,
    _bad_iri,
    _unknown_word,
    _undeclared_prefix,
    _brackets,
    _missing_follower,
    _bare_expression,
    _unnamed_expression,
    _ungrouped,
    _incomplete_triple,
    _empty_projection,
    _empty_language_tag,
)


# --- the parser's message, reworded -------------------------------------------------------


def _from_message(message: str, query: _Text | None) -> str:
    """What the parser said, without its grammar dump: the unexpected token and where."""
    at = position(message)
    if at is None:
        text = " ".join(message.split())
        return text[:200] or "the query does not parse"
    where = f"line {at[0]}, column {at[1]}" if query is None else query.where(query.offset(*at))
    found = _token_at(query, at) if query is not None else _found_in(message)
    expected = _expected(message)
    hint = f": expected {expected}" if expected else ""
    if found is not None:
        return f"unexpected `{found}` at {where}{hint}"
    if query is None:  # the parser's message alone: it did not say what it found
        return f"the query does not parse at {where}{hint}"
    return f"the query ends too early at {where}{hint}"


def _token_at(query: _Text, at: tuple[int, int]) -> str | None:
    offset = query.offset(*at)
    following = next((t for t in query.toks if t.end > offset), None)
    return None if following is None else following.text[:40]


def _found_in(message: str) -> str | None:
    match = _FOUND.search(message)
    return match.group(1)[:40] if match and match.group(1) else None


def _expected(message: str) -> str:
    """pyoxigraph's list of expected tokens, when it is short and all punctuation (``.``, ``}``)."""
    _, marker, listed = message.partition("expected ")
    if not marker:
        return ""
    items = [_readable(item) for item in _split_top(listed.removeprefix("one of "))]
    if not items or None in items or len(items) > 5:
        return ""
    shown = [f"`{item}`" for item in items]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


def _readable(item: str) -> str | None:
    """A quoted punctuation token; ``None`` for anything else (pyoxigraph's lists of keywords
    and character classes name what its grammar tried, rarely what was meant)."""
    quoted = _QUOTED.match(item.strip())
    token = quoted.group(1).replace('\\"', '"') if quoted else ""
    return token if token and not token[0].isalnum() else None


def _split_top(listed: str) -> list[str]:
    """Split ``a, ['x' | 'y'], "z"`` at the commas outside brackets and quotes."""
    items, depth, current, quote, escaped = [], 0, [], "", False
    for char in listed.split("\n", 1)[0]:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == "," and depth == 0:
            items.append("".join(current))
            current = []
            continue
        current.append(char)
    items.append("".join(current))
    return [i for i in items if i.strip()]
