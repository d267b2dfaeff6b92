"""benelux-kg: an open knowledge graph of Benelux cooperation, served as linked open data."""

__version__ = "0.1.0"
