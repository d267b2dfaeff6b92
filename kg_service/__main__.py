"""``python -m kg_service`` runs the ``benelux-kg`` command."""

from kg_service.cli import app

app()
