"""The build folder's layout: where each file of a build is, and whether it is up to date.

Everything that needs a build's file by name (the backends load the N-Quads dump, the
publishing routes serve the dumps) asks here, not the pipeline.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from kg_service import __version__
from kg_service.rdf.formats import JSONLD, NQUADS, NTRIPLES, TRIG, TURTLE, Format
from kg_service.settings import Settings

__all__ = [
    "DUMP_FORMATS",
    "DUMP_INDEX",
    "DUMP_NAME",
    "dump_name",
    "dump_path",
    "SEARCH_INDEX",
    "file_sha256",
    "input_digest",
    "needs_build",
    "source_files",
]

DUMP_NAME = "benelux-kg"
DUMP_INDEX = "dumps.json"
#: The full-text index of the build's store (kg_service.search), beside it.
SEARCH_INDEX = "search.sqlite"

#: The dumps: (format, keeps named graphs). Graph-only formats get every triple, merged.
DUMP_FORMATS: tuple[tuple[Format, bool], ...] = (
    (NQUADS, True),
    (TRIG, True),
    (JSONLD, True),
    (TURTLE, False),
    (NTRIPLES, False),
)


def source_files(settings: Settings) -> dict[str, list[Path]]:
    """The hand-written sources, by folder, in a stable order (data may also be TriG;
    ``queries/``: the example queries and their sidecars, which the build turns into
    ``graph/examples``)."""
    root = settings.project_dir
    found = {name: sorted((root / name).rglob("*.ttl")) for name in ("ontology", "data", "shapes")}
    found["data"] = sorted([*found["data"], *(root / "data").rglob("*.trig")])
    queries = root / "queries"
    found["queries"] = sorted([*queries.glob("*.rq"), *queries.glob("*.toml")])
    return found


def input_digest(settings: Settings) -> str:
    """A digest of every source file's path and content, and of this code's version."""
    digest = hashlib.sha256(__version__.encode())
    for paths in source_files(settings).values():
        for path in paths:
            digest.update(str(path.relative_to(settings.project_dir)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def needs_build(settings: Settings) -> bool:
    """True when the build folder is missing or was built from other sources."""
    manifest = settings.build_path / "manifest.json"
    if not manifest.exists() or not (settings.build_path / "store").is_dir():
        return True
    return json.loads(manifest.read_text()).get("digest") != input_digest(settings)


def dump_name(fmt: Format, gz: bool = False) -> str:
    """The file name of the dump in ``fmt`` (the same in every build folder)."""
    return f"{DUMP_NAME}.{fmt.extension}" + (".gz" if gz else "")


def dump_path(settings: Settings, fmt: Format, gz: bool = False) -> Path:
    """Where the dump in ``fmt`` is written."""
    return settings.build_path / dump_name(fmt, gz)


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
