"""Where the data lives: ``open_store(settings)`` gives the backend the settings choose.

* ``local``: the embedded store (pyoxigraph, or rdflib for small data) on this machine;
* ``remote``: another SPARQL 1.1 server (Oxigraph server, Virtuoso …) over HTTP
  (``remote.py``; ``engines.py`` says what differs between servers, ``virtuoso.py`` undoes
  Virtuoso's departures from the standard, ``push.py`` is ``benelux-kg load``).
"""

from __future__ import annotations

from kg_service.query.contract import Store
from kg_service.settings import Settings

__all__ = ["open_store"]


def open_store(settings: Settings) -> Store:
    """The backend the settings choose (not started yet: ``await store.start()``)."""
    if settings.backend in ("oxigraph", "rdflib"):
        from kg_service.backends.local import LocalStore

        return LocalStore(settings)
    if settings.backend == "remote":
        from kg_service.backends.remote import RemoteStore

        return RemoteStore(settings)
    raise ValueError(f"unknown backend {settings.backend!r} (oxigraph, rdflib or remote)")
