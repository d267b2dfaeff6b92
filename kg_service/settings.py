"""Settings: the only place that reads the environment (``BENELUX_KG_*`` variables).

Flags given on the command line override the environment, which overrides the defaults:

>>> Settings.load(port=9000).port
9000
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

__all__ = ["Settings", "default_project_dir"]

ENV_PREFIX = "BENELUX_KG_"


def default_project_dir() -> Path:
    """The folder holding ``ontology/``, ``data/`` and ``shapes/``: the source checkout."""
    here = Path(__file__).resolve().parent.parent
    return here if (here / "ontology").is_dir() else Path.cwd()


@dataclass(frozen=True)
class Settings:
    """Everything the service and the build can be configured with; frozen once made."""

    project_dir: Path = field(default_factory=default_project_dir)
    build_dir: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    backend: str = "oxigraph"
    store: str = "memory"
    endpoint: str | None = None
    remote_update_url: str | None = None
    remote_store_url: str | None = None
    #: the remote's kind (kg_service.backends.engines): auto, oxigraph, virtuoso or sparql11
    remote_engine: str = "auto"
    update_token: str | None = None
    query_timeout: float = 30.0
    max_concurrent: int = 16
    max_queue: int = 256
    max_wait: float = 10.0
    cache_mb: int = 64
    process_memory_mb: int = 2048
    worker_memory_mb: int = 2048
    workers: int = field(default_factory=lambda: max(2, os.cpu_count() or 2))
    max_body_bytes: int = 10 * 1024 * 1024
    validation_timeout: float = 120.0
    validation_workers: int = 2
    validation_max_bytes: int = 32 * 1024 * 1024
    allow_load: bool = False
    service_allowlist: tuple[str, ...] = ()
    union_default_graph: bool = True
    base_url: str | None = None
    #: internal: the run folder the supervisor made (kg_service.process.rundir), for its children
    run_dir: str | None = None

    @property
    def build_path(self) -> Path:
        """Where ``benelux-kg build`` writes (``<project>/build`` unless set)."""
        return self.build_dir or self.project_dir / "build"

    @property
    def writes_enabled(self) -> bool:
        return bool(self.update_token)

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then ``BENELUX_KG_*`` variables, then the non-``None`` overrides."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is not None and raw != "":
                values[f.name] = _coerce(f.name, raw)
        for name, value in overrides.items():
            if value is not None:
                values[name] = _coerce(name, value) if isinstance(value, str) else value
        return cls(**values)

    def with_(self, **changes: Any) -> Settings:
        """A copy with some values changed."""
        return replace(self, **changes)

    def to_environ(self) -> dict[str, str]:
        """These settings as ``BENELUX_KG_*`` variables (for worker processes to read back)."""
        env = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            if isinstance(value, tuple):
                value = ",".join(value)
            env[ENV_PREFIX + f.name.upper()] = str(value)
        return env

    def __repr__(self) -> str:  # never show the token
        shown = {f.name: getattr(self, f.name) for f in fields(self)}
        if shown["update_token"]:
            shown["update_token"] = "***"
        return "Settings(" + ", ".join(f"{k}={v!r}" for k, v in shown.items()) + ")"


_BOOL = {
    "1": True,
    "true": True,
    "yes": True,
    "on": True,
    "0": False,
    "false": False,
    "no": False,
    "off": False,
}


def _coerce(name: str, raw: str) -> Any:
    kinds = {f.name: f.type for f in fields(Settings)}
    if name not in kinds:
        raise TypeError(f"unknown setting {name!r}")
    kind = kinds[name]
    if "Path" in str(kind):
        return Path(raw)
    if kind in ("int", int):
        return int(raw)
    if kind in ("float", float):
        return float(raw)
    if kind in ("bool", bool):
        try:
            return _BOOL[raw.strip().lower()]
        except KeyError:
            raise ValueError(f"{ENV_PREFIX}{name.upper()}: not a boolean: {raw!r}") from None
    if "tuple" in str(kind):
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    return raw
