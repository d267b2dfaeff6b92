"""benelux-kg: an open knowledge graph of Benelux cooperation, served as linked open data.

The package, by layer (imports point down; ``tests/test_layers.py`` keeps it so)::

    cli, tables            the command line
    web/                   the HTTP service: app, supervisor (serving), routes/, pages, provenance
    backends/  publish/    where the data lives (open_store); what we publish about it
    build/                 sources → every statement has a home → SHACL → OWL 2 RL → dumps → store
    process/  search/      the run folder, the writer process, retirement, worker processes;
    validation/            the full-text index; SHACL validation (SHACL-SPARQL errors in the
                           query layer's words)
    query/                 the query contract, policy, engines, runner, syntax errors in words
    rdf/                   namespaces, formats, content negotiation, parsing
    settings, errors       the only reader of the environment; the one exception tree

The public API, imported lazily (``import kg_service`` stays cheap)::

    >>> from kg_service import Settings
    >>> Settings.load(port=9000).port
    9000
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

__all__ = ["Settings", "create_app", "open_store", "validate"]

_PUBLIC = {
    "Settings": "kg_service.settings",
    "create_app": "kg_service.web.app",
    "open_store": "kg_service.backends",
    "validate": "kg_service.validation",
}


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'kg_service' has no attribute {name!r}")
