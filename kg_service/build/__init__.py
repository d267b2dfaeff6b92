"""The build: sources → SHACL → OWL 2 RL → dumps → store (``build``), and its folder's layout."""

from kg_service.build.layout import dump_path, needs_build
from kg_service.build.pipeline import BuildResult, build

__all__ = ["BuildResult", "build", "dump_path", "needs_build"]
