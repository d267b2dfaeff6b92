"""Content negotiation: an ``Accept`` header (and an optional ``format=`` override) → a Format.

One pure function, :func:`choose`, used by every route. Rules (RFC 9110 §12.5.1):
higher q wins; at equal q the more specific range wins (``text/turtle`` over ``text/*`` over
``*/*``); ``q=0`` excludes; between offers of equal preference the server's order decides (its
first offer is the default). No acceptable offer → :class:`~kg_service.errors.NotAcceptable`.

>>> from kg_service.rdf.formats import GRAPH_FORMATS
>>> choose("application/n-triples;q=0.9, text/turtle", GRAPH_FORMATS).name
'turtle'
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from kg_service.errors import BadRequest, NotAcceptable
from kg_service.rdf.formats import Format

__all__ = ["MediaRange", "choose", "parse_accept"]


@dataclass(frozen=True)
class MediaRange:
    """One element of an ``Accept`` header."""

    type: str
    subtype: str
    q: float

    @property
    def specificity(self) -> int:
        return (self.type != "*") + (self.subtype != "*")

    def matches(self, media_type: str) -> bool:
        kind, _, sub = media_type.partition("/")
        return self.type in ("*", kind) and self.subtype in ("*", sub)


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an ``Accept`` header; an absent or empty header means ``*/*``.

    Malformed elements are skipped, as browsers and servers do.
    """
    if not header or not header.strip():
        return [MediaRange("*", "*", 1.0)]
    ranges = []
    for element in header.split(","):
        parsed = _parse_range(element)
        if parsed is not None:
            ranges.append(parsed)
    return ranges


def _parse_range(element: str) -> MediaRange | None:
    media, *params = (part.strip() for part in element.split(";"))
    kind, slash, sub = media.lower().partition("/")
    if not slash or not kind or not sub or (kind == "*" and sub != "*"):
        return None
    q = 1.0
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "q":
            try:
                q = min(max(float(value.strip()), 0.0), 1.0)
            except ValueError:
                return None
    return MediaRange(kind, sub, q)


def _quality(fmt: Format, ranges: list[MediaRange]) -> tuple[float, int]:
    """The q of the most specific range matching ``fmt``, and that specificity.

    Wildcards match the canonical media type only; an alias (``application/json``) must be
    named exactly, so ``application/*`` never picks Turtle through ``application/x-turtle``.
    """
    best: tuple[float, int] = (0.0, -1)
    for r in ranges:
        exact_alias = r.specificity == 2 and f"{r.type}/{r.subtype}" in fmt.aliases
        if (r.matches(fmt.media_type) or exact_alias) and r.specificity > best[1]:
            best = (r.q, r.specificity)
    return best


def choose(accept: str | None, offers: tuple[Format, ...], override: str | None = None) -> Format:
    """The best of ``offers`` for this ``Accept`` header, or the one ``override`` names."""
    return _choose(accept, offers, override)


@functools.lru_cache(maxsize=512)  # clients send the same few headers again and again
def _choose(accept: str | None, offers: tuple[Format, ...], override: str | None) -> Format:
    if override:
        return _by_name(override, offers)
    ranges = parse_accept(accept)
    scored = [(_quality(fmt, ranges), -i, fmt) for i, fmt in enumerate(offers)]
    (q, _), _, best = max(scored, key=lambda s: (s[0][0], s[0][1], s[1]))
    if q <= 0.0:
        wanted = ", ".join(f.media_type for f in offers)
        raise NotAcceptable(
            f"None of the requested media types can be produced here; available: {wanted}."
        )
    return best


def _by_name(name: str, offers: tuple[Format, ...]) -> Format:
    wanted = name.strip().lower()
    for fmt in offers:
        if wanted in fmt.names:
            return fmt
    known = ", ".join(f.name for f in offers)
    raise BadRequest(f"Unknown format {name[:60]!r} for this result; use one of: {known}.")
