"""The dump files of the build, as the HTTP layer serves them: sizes, checksums, caching.

Only the files the build writes (``DUMP_FORMATS``, each plain and gzipped) are ever served;
a request names one of them and is looked up in a dict, never joined to a path. Sizes and
SHA-256 digests come from ``build/dumps.json`` (written by the build) and are computed from
the files when that index is missing or stale. The SHA-256 is the strong ``ETag``; the time
the dumps last changed is ``Last-Modified``; ``If-None-Match`` / ``If-Modified-Since`` give 304.

>>> etag_matches('"abc", W/"def"', '"def"')
True
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

from fastapi import Request, Response

from kg_service.build.layout import DUMP_FORMATS, DUMP_INDEX, dump_path, file_sha256
from kg_service.rdf.formats import Format
from kg_service.settings import Settings

__all__ = [
    "GZIP_MEDIA_TYPE",
    "Dump",
    "DumpIndex",
    "etag_matches",
    "load_dumps",
    "not_modified",
    "not_modified_response",
    "validators",
]

GZIP_MEDIA_TYPE = "application/gzip"


@dataclass(frozen=True)
class Dump:
    """One dump file: its format, whether it is gzipped, its size and digest."""

    name: str
    format: Format
    gz: bool
    named_graphs: bool
    path: Path
    size: int
    sha256: str

    @property
    def content_type(self) -> str:
        """``application/gzip`` for ``.gz`` files (a file to save), else the format's type."""
        return GZIP_MEDIA_TYPE if self.gz else self.format.content_type

    @property
    def media_type(self) -> str:
        return GZIP_MEDIA_TYPE if self.gz else self.format.media_type

    @property
    def etag(self) -> str:
        return f'"{self.sha256}"'

    @property
    def digest_header(self) -> str:
        """An RFC 9530 ``Repr-Digest`` value for the whole file."""
        return "sha-256=:" + base64.b64encode(bytes.fromhex(self.sha256)).decode() + ":"


@dataclass(frozen=True)
class DumpIndex:
    """Every dump present in the build folder, and when the dumps last changed (if known)."""

    dumps: dict[str, Dump]
    modified: datetime | None

    @property
    def modified_date(self) -> str | None:
        """The day the dumps last changed, ``YYYY-MM-DD``."""
        return self.modified.date().isoformat() if self.modified else None


def load_dumps(settings: Settings) -> DumpIndex:
    """The dumps present in ``settings.build_path`` (blocking: call it off the event loop)."""
    index = _read_index(settings.build_path / DUMP_INDEX)
    recorded = index.get("dumps", {})
    dumps: dict[str, Dump] = {}
    for fmt, named_graphs in DUMP_FORMATS:
        for gz in (False, True):
            path = dump_path(settings, fmt, gz=gz)
            if path.is_file():
                dumps[path.name] = _dump(path, fmt, gz, named_graphs, recorded.get(path.name))
    return DumpIndex(dumps, _modified(index, dumps))


def _read_index(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def _dump(path: Path, fmt: Format, gz: bool, named_graphs: bool, recorded: dict | None) -> Dump:
    size = path.stat().st_size
    if recorded and recorded.get("bytes") == size and recorded.get("sha256"):
        sha = recorded["sha256"]
    else:
        sha = file_sha256(path)
    return Dump(path.name, fmt, gz, named_graphs, path, size, sha)


def _modified(index: dict, dumps: dict[str, Dump]) -> datetime | None:
    built = index.get("built")
    if isinstance(built, str):
        try:
            return datetime.fromisoformat(built.replace("Z", "+00:00")).astimezone(UTC)
        except ValueError:
            pass
    if not dumps:  # no build folder (e.g. the remote backend): nothing to date
        return None
    return datetime.fromtimestamp(int(max(d.path.stat().st_mtime for d in dumps.values())), UTC)


def etag_matches(header: str, etag: str) -> bool:
    """True when an ``If-None-Match`` header names ``etag`` (weak comparison) or is ``*``."""
    opaque = etag.removeprefix("W/")
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == opaque:
            return True
    return False


def not_modified(request: Request, etag: str, modified: datetime | None) -> bool:
    """RFC 9110 §13.2.2: ``If-None-Match`` decides when present, else ``If-Modified-Since``."""
    if request.method not in ("GET", "HEAD"):
        return False
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        return etag_matches(if_none_match, etag)
    since = request.headers.get("if-modified-since")
    if since is None or modified is None:
        return False
    try:
        when = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return modified.replace(microsecond=0) <= when


def validators(etag: str, modified: datetime | None) -> dict[str, str]:
    """The caching headers every representation carries (200 and 304 alike)."""
    headers = {"ETag": etag, "Cache-Control": "public, no-cache"}
    if modified is not None:
        headers["Last-Modified"] = format_datetime(modified.astimezone(UTC), usegmt=True)
    return headers


def not_modified_response(headers: dict[str, str]) -> Response:
    """A 304 with the validators and no body."""
    return Response(status_code=304, headers=headers)
