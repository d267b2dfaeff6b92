"""The three languages of the graph (fr, nl, en): which one a person asked for, and UI words.

The choice, in order: a ``?lang=`` parameter, the ``lang`` cookie (set when a person picks a
language, so the choice persists), then ``Accept-Language``; English when nothing matches.
"""

from __future__ import annotations

from fastapi import Request

__all__ = ["LANGUAGES", "choose_language", "pick_literal", "t"]

LANGUAGES = ("fr", "nl", "en")
DEFAULT = "en"

_WORDS: dict[str, dict[str, str]] = {
    "home": {"fr": "Accueil", "nl": "Startpagina", "en": "Home"},
    "query": {"fr": "Interroger (SPARQL)", "nl": "Bevragen (SPARQL)", "en": "Query (SPARQL)"},
    "ontology": {"fr": "Ontologie", "nl": "Ontologie", "en": "Ontology"},
    "downloads": {"fr": "Téléchargements", "nl": "Downloads", "en": "Downloads"},
    "catalog": {"fr": "Catalogue", "nl": "Catalogus", "en": "Catalogue"},
    "validate": {"fr": "Valider", "nl": "Valideren", "en": "Validate"},
    "properties": {"fr": "Propriétés", "nl": "Eigenschappen", "en": "Properties"},
    "incoming": {"fr": "Liens entrants", "nl": "Inkomende links", "en": "Incoming links"},
    "provenance": {"fr": "Provenance", "nl": "Herkomst", "en": "Provenance"},
    "formats": {"fr": "Autres formats", "nl": "Andere formaten", "en": "Other formats"},
    "query_this": {
        "fr": "Interroger cette ressource en SPARQL",
        "nl": "Deze bron bevragen in SPARQL",
        "en": "Query this resource in SPARQL",
    },
    "not_found": {"fr": "Ressource inconnue", "nl": "Onbekende bron", "en": "Unknown resource"},
    "types": {"fr": "Types", "nl": "Types", "en": "Types"},
    "classes": {"fr": "Classes", "nl": "Klassen", "en": "Classes"},
    "object_properties": {
        "fr": "Propriétés d'objet",
        "nl": "Objecteigenschappen",
        "en": "Object properties",
    },
    "datatype_properties": {
        "fr": "Propriétés de données",
        "nl": "Gegevenseigenschappen",
        "en": "Datatype properties",
    },
    "language": {"fr": "Langue", "nl": "Taal", "en": "Language"},
}


def t(key: str, lang: str) -> str:
    """The UI word ``key`` in ``lang``."""
    words = _WORDS[key]
    return words.get(lang) or words[DEFAULT]


def choose_language(request: Request) -> str:
    """fr, nl or en, as the request asks (parameter, then cookie, then Accept-Language)."""
    for candidate in (request.query_params.get("lang"), request.cookies.get("lang")):
        if candidate in LANGUAGES:
            return candidate
    return _from_accept_language(request.headers.get("accept-language", ""))


def _from_accept_language(header: str) -> str:
    best, best_q = DEFAULT, 0.0
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and q > best_q:
            best, best_q = primary, q
    return best


def pick_literal(values, lang: str) -> str | None:  # type: ignore[no-untyped-def]
    """The value in ``lang``, else English, else French, else any (for labels and definitions)."""
    by_lang = {getattr(v, "language", None): v for v in values}
    for wanted in (lang, "en", "fr", "nl", None):
        if wanted in by_lang:
            return str(by_lang[wanted])
    return str(next(iter(values))) if values else None
