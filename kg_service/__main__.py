"""``python -m kg_service`` runs the ``benelux-kg`` command."""

from .cli import app

app()
