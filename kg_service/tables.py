"""Plain-text tables of SPARQL JSON results, for people at a terminal."""

from __future__ import annotations

import json

__all__ = ["render_table", "term_text"]


def term_text(term: dict | None) -> str:
    """A compact, readable form of one SPARQL JSON term."""
    if term is None:
        return ""
    value = term["value"]
    if term["type"] == "uri":
        return f"<{value}>"
    if term["type"] == "bnode":
        return f"_:{value}"
    if "xml:lang" in term:
        return f'"{value}"@{term["xml:lang"]}'
    return value


def render_table(body: bytes) -> str:
    """SPARQL JSON results (SELECT or ASK) as an aligned text table."""
    doc = json.loads(body)
    if "boolean" in doc:
        return "true" if doc["boolean"] else "false"
    names = doc["head"]["vars"]
    rows = [[term_text(b.get(n)) for n in names] for b in doc["results"]["bindings"]]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)), line]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)
