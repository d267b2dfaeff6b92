"""OpenLink Virtuoso 7 as the remote store: where it departs from SPARQL 1.1, and how we undo it.

Measured on Debian's ``virtuoso-opensource`` 7.2.5 (``tests/test_remote_backend.py`` runs the
remote suite on it):

=====================================================  ==========================================
Virtuoso                                               the remote backend
=====================================================  ==========================================
a query without a dataset reads every graph, its own   nothing: the operator makes them private
system graphs too (``virtrdf#`` holds ~2,500 triples)  to the ``SPARQL`` user (:data:`SETUP`);
                                                       ``load`` never deletes them and warns when
                                                       they are visible. (Its pragmas
                                                       ``define input:default-graph-exclude`` /
                                                       ``named-graph-exclude`` would hide them,
                                                       but make ``ASK { GRAPH <g> { <s> <p> "o" }
                                                       }`` true and ``GRAPH <g> { ?s ?p ?o }``
                                                       empty: unusable.)
no default graph of its own: ``INSERT DATA`` without   the stored default graph is a named graph
``GRAPH`` is an error                                  (``Engine.stored_default_graph``), named in
                                                       a ``define`` for updates without a
                                                       ``WHERE`` and as ``default-graph-uri`` for
                                                       reads of ``/store?default``
``ASK`` answered as a SELECT of ``__ASK_RETVAL``,      an ASK is sent as ``SELECT * … LIMIT 1``
true where the same SELECT has no row (``ASK {         (right on all of these), its answer a
VALUES ?x { 1 } FILTER(?x = 2) }``)                    boolean: true when a row comes back
``GRAPH <g> { }`` matches any ``g``                    in an ASK, the empty group gets a triple
                                                       pattern (a graph exists there when it
                                                       holds a triple)
asked for results and a graph format at once, it       asked for one: JSON results for SELECT and
answers a CONSTRUCT as JSON results (s, p, o)          ASK, N-Triples for CONSTRUCT and DESCRIBE
JSON results with ``typed-literal``, booleans as       rewritten to SPARQL 1.1 JSON results, then
``"1"``/``"0"``, blank nodes as ``nodeID://b1``;       to the client's format (never its TSV)
TSV without ``<…>`` around IRIs
a boolean an expression computes (``EXISTS { … }``,    ``(e AS ?v)`` with a plainly boolean ``e``
``1 < 2``, ``BOUND(?x)``, even ``true``) bound by      (``=``, ``&&``, ``!``, ``IN`` … outside
``BIND``, ``SELECT`` or ``GROUP BY`` typed             brackets, ``EXISTS``, a boolean function,
``xsd:integer`` 0/1 (a stored one is a boolean)        ``true``, ``IF``/``COALESCE`` of those) is
                                                       sent as ``(xsd:boolean(e) AS ?v)``
                                                       (:func:`typed_booleans`)
``DROP GRAPH <g>`` fails unless ``CREATE GRAPH``       sent as ``DROP SILENT GRAPH`` (so dropping
made ``g``, even when ``g`` holds triples              a graph that is not there succeeds)
``INSERT DATA`` with a blank node is refused           Graph Store writes use its Graph Store
errors as text with the query echoed, no column        first line kept; its SQLSTATE decides
                                                       (:func:`error`)
partial ("anytime") results flagged only by an         refused as a timeout
``X-SQL-State`` header
=====================================================  ==========================================

Left as it is (no faithful fix from outside): a boolean reached another way still comes back as
``xsd:integer`` 0/1: an aggregate of booleans (``MAX(?a < 1)``), an ``IF`` with a variable for
a branch, a function named by an IRI. The union default graph is a bag (a triple two graphs
hold is seen twice), as with the Oxigraph server. With Virtuoso's own graphs visible, the
example query ``04-senningen-groups-hierarchy`` counted wrongly (its ``*`` paths start from
every node).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from kg_service.backends.engines import VIRTUOSO
from kg_service.errors import BackendUnavailable, BadRequest, KGError, QueryTimeout
from kg_service.query.lexer import Token, operations, tokens
from kg_service.query.syntax import syntax_error

__all__ = [
    "PARTIAL_RESULT_HEADER",
    "SETUP",
    "accept",
    "error",
    "prepare_query",
    "prepare_update",
    "query_form",
    "results_json",
    "typed_booleans",
]

#: Set by Virtuoso on a result cut short by its "anytime query" limit.
PARTIAL_RESULT_HEADER = "x-sql-state"
XSD = "http://www.w3.org/2001/XMLSchema#"
_PRIVATE = "http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs"
#: What an operator runs in Virtuoso's isql (as dba) before ``benelux-kg load``: writes for the
#: anonymous SPARQL user (keep its port on loopback, behind this service), its own graphs
#: private, the others readable and writable (1 read + 2 write; no 4 "sponge": that would let
#: a query make Virtuoso fetch URLs).
SETUP = (
    'grant SPARQL_UPDATE to "SPARQL";',
    f"DB.DBA.RDF_GRAPH_GROUP_CREATE ('{_PRIVATE}', 1);",
    *(f"DB.DBA.RDF_GRAPH_GROUP_INS ('{_PRIVATE}', '{g}');" for g in VIRTUOSO.system_graphs),
    "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0, 1);",
    "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 3);",
)
_FILL = " ?kg_s ?kg_p ?kg_o "
_OPEN, _CLOSE = "{([", "})]"
#: keywords that make an expression boolean outside brackets (``NOT IN``, ``NOT EXISTS``)
_BOOLEAN_WORDS = {"IN", "NOT", "EXISTS"}
#: the built-in functions whose value is a boolean
_BOOLEAN_FUNCTIONS = {
    "BOUND",
    "CONTAINS",
    "ISBLANK",
    "ISIRI",
    "ISLITERAL",
    "ISNUMERIC",
    "ISURI",
    "LANGMATCHES",
    "REGEX",
    "SAMETERM",
    "STRENDS",
    "STRSTARTS",
}
_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
_NO_WHERE = {"CLEAR", "DROP", "CREATE", "LOAD", "ADD", "MOVE", "COPY"}
_ERROR = re.compile(r"^Virtuoso (\w+) Error ([^:]*):\s*(.*)$")
_LINE = re.compile(r"^SPARQL compiler, line (\d+): (.*)$")


def prepare_query(text: str) -> str:
    """The query as Virtuoso must get it: a boolean it binds cast to ``xsd:boolean``
    (:func:`typed_booleans`); an ASK sent as ``SELECT * … LIMIT 1``."""
    text = typed_booleans(text)
    return _ask_as_select(_fill_empty_graph_patterns(text)) if query_form(text) == "ASK" else text


def typed_booleans(text: str) -> str:
    """``(e AS ?v)`` (in ``BIND``, ``SELECT``, ``GROUP BY``) with a boolean ``e`` →
    ``(xsd:boolean(e) AS ?v)``: Virtuoso types a boolean it computes as ``xsd:integer`` 0/1;
    cast, it is an ``xsd:boolean`` (the cast of a boolean is that boolean, an error stays one).

    >>> typed_booleans("SELECT ?b { BIND (EXISTS { ?s ?p ?o } AS ?b) }")
    'SELECT ?b { BIND (<http://www.w3.org/2001/XMLSchema#boolean>(EXISTS { ?s ?p ?o }) AS ?b) }'
    """
    toks, edits = list(tokens(text)), []
    for opening, as_at in _bindings(toks):
        expression = toks[opening + 1 : as_at]
        if _is_boolean(expression):
            edits += [(expression[0].start, f"<{XSD}boolean>("), (expression[-1].end, ")")]
    for at, insert in sorted(edits, reverse=True):  # from the end: offsets stay right
        text = text[:at] + insert + text[at:]
    return text


def _bindings(toks: list[Token]) -> list[tuple[int, int]]:
    """The indexes of ``(`` and ``AS`` of each ``( expression AS ?var )``."""
    found, opened = [], []
    for i, token in enumerate(toks):
        if token.kind == "punct" and token.text in _OPEN:
            opened.append(i)
        elif token.kind == "punct" and token.text in _CLOSE:
            opened = opened[:-1]
        elif token.keyword == "AS" and opened and toks[opened[-1]].text == "(":
            found.append((opened[-1], i))
    return found


def _is_boolean(expression: list[Token]) -> bool:
    """Whether the expression's value is plainly a boolean: an operator of lower precedence
    than ``+`` (``||``, ``&&``, ``=``, ``<``, ``IN``, …) or ``!`` outside brackets, ``EXISTS``,
    ``true``/``false``, a boolean function, or ``IF``/``COALESCE`` whose values all are."""
    if _enclosed(expression):
        return _is_boolean(expression[1:-1])
    if len(expression) == 1:
        return expression[0].keyword in ("TRUE", "FALSE")
    if any(_boolean_operator(t) for depth, t in _depths(expression) if depth == 0):
        return True
    if len(expression) < 3 or not _enclosed(expression[1:]):
        return False
    name, arguments = expression[0].keyword, _arguments(expression[2:-1])
    if name == "IF":
        return len(arguments) == 3 and all(map(_is_boolean, arguments[1:]))
    if name == "COALESCE":
        return all(map(_is_boolean, arguments))
    return name in _BOOLEAN_FUNCTIONS


def _boolean_operator(token: Token) -> bool:
    return (token.kind == "other" and token.text in "=!<>&|") or token.keyword in _BOOLEAN_WORDS


def _depths(toks: list[Token]) -> Iterator[tuple[int, Token]]:
    """Each token with how many brackets enclose it (a bracket is outside its own)."""
    depth = 0
    for token in toks:
        if token.kind == "punct" and token.text in _CLOSE:
            depth -= 1
        yield depth, token
        if token.kind == "punct" and token.text in _OPEN:
            depth += 1


def _enclosed(toks: list[Token]) -> bool:
    """Whether ``toks`` is ``( … )``, the first bracket closed by the last."""
    if len(toks) < 2 or toks[0].text != "(" or toks[-1].text != ")":
        return False
    return all(depth > 0 for depth, _ in list(_depths(toks))[1:-1])


def _arguments(toks: list[Token]) -> list[list[Token]]:
    """Arguments split at the commas outside brackets."""
    arguments: list[list[Token]] = [[]]
    for depth, token in _depths(toks):
        if depth == 0 and token.kind == "punct" and token.text == ",":
            arguments.append([])
        else:
            arguments[-1].append(token)
    return arguments


def _ask_as_select(text: str) -> str:
    """``ASK … { … }`` → ``SELECT * … { … } LIMIT 1`` (a LIMIT of its own is kept; ours goes
    before a trailing ``VALUES``). Its answer is true when a row comes back."""
    toks, depth = list(tokens(text)), 0
    form = next(t for t in toks if t.keyword == "ASK")
    limit_at, has_limit = len(text), False
    for token in toks:
        if token.kind == "punct" and token.text in "{([":
            depth += 1
        elif token.kind == "punct" and token.text in "})]":
            depth -= 1
        elif depth == 0 and token.keyword in ("LIMIT", "OFFSET"):
            has_limit = True
        elif depth == 0 and token.keyword == "VALUES" and token.start > form.end:
            limit_at = min(limit_at, token.start)
    if not has_limit:
        text = f"{text[:limit_at]} LIMIT 1 {text[limit_at:]}"
    return f"{text[: form.start]}SELECT *{text[form.end :]}"


def accept(text: str) -> str:
    """What Virtuoso is asked for: JSON results (fixed here), or N-Triples for a graph.

    Asked for both at once, it serialises a CONSTRUCT as JSON *results* (``s``, ``p``, ``o``).
    """
    graph = query_form(text) in ("CONSTRUCT", "DESCRIBE")
    return "application/n-triples" if graph else "application/sparql-results+json"


def prepare_update(text: str, stored_default: str) -> str:
    """The update as Virtuoso must get it.

    An update with no ``WHERE`` anywhere names the stored default graph as Virtuoso's default
    (where ``INSERT DATA`` without ``GRAPH`` writes); one with a ``WHERE`` does not, as that
    ``WHERE`` reads the union. ``DROP`` becomes ``DROP SILENT`` (see the module docstring).
    """
    ops = operations(text)
    reads = any(_has_where(op.body) for op in ops)
    text = _silent_drops(text, [op.body for op in ops])
    # on the first line, so that line numbers in error messages stay the client's
    return text if reads else f"define input:default-graph-uri <{stored_default}> {text}"


def _has_where(body: list[Token]) -> bool:
    if not body or body[0].keyword in _NO_WHERE:
        return False
    return not (
        len(body) > 1 and body[0].keyword in ("INSERT", "DELETE") and body[1].keyword == "DATA"
    )


def _silent_drops(text: str, bodies: list[list[Token]]) -> str:
    """``DROP GRAPH …`` → ``DROP SILENT GRAPH …`` (edits from the end: offsets stay right)."""
    at = [
        b[0].end
        for b in bodies
        if len(b) > 1 and b[0].keyword == "DROP" and b[1].keyword != "SILENT"
    ]
    for end in reversed(at):
        text = f"{text[:end]} SILENT{text[end:]}"
    return text


def query_form(text: str) -> str:
    """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``: the first such keyword of the text."""
    for token in tokens(text):
        if token.keyword in _FORMS:
            return token.keyword
    return ""


def _fill_empty_graph_patterns(text: str) -> str:
    """``GRAPH x { }`` → ``GRAPH x { ?kg_s ?kg_p ?kg_o }``: exact in an ASK (nothing projected)."""
    toks = list(tokens(text))
    at = [
        toks[i + 2].end
        for i in range(len(toks) - 3)
        if toks[i].keyword == "GRAPH"
        and toks[i + 1].kind in ("iri", "var", "pname")
        and (toks[i + 2].text, toks[i + 3].text) == ("{", "}")
    ]
    for end in reversed(at):
        text = text[:end] + _FILL + text[end:]
    return text


# --- results --------------------------------------------------------------------------------


def results_json(data: bytes, ask: bool) -> bytes:
    """Virtuoso's JSON results as SPARQL 1.1 JSON results; for an ASK (sent as a SELECT, see
    :func:`prepare_query`), the boolean: whether a row came back."""
    doc = json.loads(data)
    variables = doc.get("head", {}).get("vars", [])
    rows = doc.get("results", {}).get("bindings", [])
    if ask:
        answer = bool(doc["boolean"]) if "boolean" in doc else bool(rows)
        return json.dumps({"head": {}, "boolean": answer}).encode()
    bindings = [{name: _term(term) for name, term in row.items()} for row in rows]
    return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}}).encode()


def _term(term: dict) -> dict:
    """One RDF term in SPARQL 1.1 JSON."""
    kind, value = term.get("type"), term.get("value", "")
    if kind == "bnode":
        return {"type": "bnode", "value": value.removeprefix("nodeID://")}
    if kind not in ("literal", "typed-literal"):
        return {"type": kind, "value": value}
    out = {"type": "literal", "value": value}
    if "xml:lang" in term:
        out["xml:lang"] = term["xml:lang"]
    elif term.get("datatype"):
        out["datatype"] = term["datatype"]
        if term["datatype"] == XSD + "boolean" and value in ("0", "1"):
            out["value"] = "true" if value == "1" else "false"
    return out


# --- errors ---------------------------------------------------------------------------------


def error(message: str, what: str, url: str) -> KGError | None:
    """The service error for a Virtuoso error text, by its SQLSTATE (``None``: not Virtuoso's).

    ``37000`` (the SPARQL compiler) and ``22xxx`` (a bad value, e.g. a graph that is not
    there) are the client's; ``S1T00`` is a timeout; ``42000`` (no permission: the endpoint's
    user lacks ``SPARQL_UPDATE``) and anything else are the store's.
    """
    match = _ERROR.match(message.strip().splitlines()[0] if message.strip() else "")
    if match is None:
        return None
    state, code, text = match.groups()
    if state == "37000":
        line = _LINE.match(text)
        if line:
            return syntax_error(f"line {line.group(1)}: {line.group(2)}", what)
        return BadRequest(f"The SPARQL endpoint refused the {what}: {code}: {text}")
    if state.startswith("22"):
        return BadRequest(f"The SPARQL endpoint refused the {what}: {code}: {text}")
    if state == "S1T00":
        return QueryTimeout(f"The SPARQL endpoint {url} ran past its time limit: {text}")
    hint = " (grant SPARQL_UPDATE to its SPARQL user?)" if state == "42000" else ""
    return BackendUnavailable(f"The SPARQL endpoint {url} failed the {what}{hint}: {code}: {text}")
