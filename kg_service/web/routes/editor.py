"""The query editor's live syntax check.

- ``POST /editor/check`` (form ``query=``): does the query parse? ``{"valid": true}``, or
  ``{"valid": false, "message": …, "line": …, "column": …}`` with the sentence of
  :mod:`kg_service.query.syntax`, or ``{"valid": null}`` when it is not checked here (an
  update, an ASK: checking those would mean running them). The policy scan comes first (it
  refuses the nesting that overflows the parser's stack); the query is parsed on an empty
  store and never evaluated (pyoxigraph evaluates SELECT, CONSTRUCT and DESCRIBE lazily).
"""

from __future__ import annotations

import asyncio
import re

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from kg_service.errors import BadRequest
from kg_service.query.lexer import tokens
from kg_service.query.policy import check_query
from kg_service.query.syntax import syntax_error
from kg_service.settings import Settings
from kg_service.web.routes.sparql import form_pairs, read_body

__all__ = ["router"]

router = APIRouter()

#: The first keywords of an update request (an update is never run to check it).
UPDATES = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)
_WHERE = re.compile(r"line (\d+)(?:, column (\d+))?")
#: An empty store to parse on: nothing to read, nothing to change.
_EMPTY = ox.Store()


@router.post("/editor/check")
async def check(request: Request) -> JSONResponse:
    """Does ``query`` parse? The sentence and its line and column when it does not."""
    settings: Settings = request.app.state.settings
    raw = await read_body(request, settings.max_body_bytes)
    pairs = form_pairs(raw, "form")
    text = next((value for name, value in pairs if name == "query"), None)
    if text is None:
        raise BadRequest("Send the query to check as the form field 'query'.")
    if _runs_to_check(text):
        return JSONResponse({"valid": None})
    try:
        check_query(text, settings)
        await asyncio.to_thread(_parse, text)
    except BadRequest as exc:
        return JSONResponse({"valid": False, "message": exc.message, **_place(exc.message)})
    return JSONResponse({"valid": True})


def _runs_to_check(text: str) -> bool:
    """True for an update or an ASK: pyoxigraph would evaluate them to parse them."""
    for token in tokens(text):
        if token.keyword in ("PREFIX", "BASE") or token.kind in ("pname", "iri"):
            continue  # the prologue
        return token.keyword in UPDATES or token.keyword == "ASK"
    return False


def _parse(text: str) -> None:
    try:
        _EMPTY.query(text)  # a lazy iterator: nothing is evaluated
    except SyntaxError as exc:
        raise syntax_error(str(exc), "query", text) from None


def _place(sentence: str) -> dict[str, int]:
    """The first line and column a sentence names (what the editor marks)."""
    match = _WHERE.search(sentence)
    if not match:
        return {}
    return {"line": int(match.group(1)), "column": int(match.group(2) or 1)}
