"""The run folder: what the processes of one ``serve`` share, on disk.

The supervisor makes it before it starts anything, and removes it when it stops (a folder left
by a server that was killed is removed by the next start: its name holds the dead pid):

    benelux-kg-run-<pid>/
      generation      8 bytes: the number of the last committed write, mapped in every process
      snapshots/<n>/  the store as it was after write n (a hard-link checkpoint, read-only)
      writer.sock     where the writer process takes updates (writes enabled only)
      writer.pid      that process, for a reader to stop a runaway update
      store/          the store itself, for ``--store memory`` (in /dev/shm when there is one)

Every HTTP process reads ``generation`` before each query (a memory read, no system call) and
opens the snapshot of that number when it has moved on: a committed write is seen by the next
query, in every process. Without writes, there are no snapshots and everyone reads the store.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import re
import secrets
import shutil
import struct
import tempfile
from pathlib import Path

__all__ = ["RunDir", "remove_stale"]

_GENERATION = struct.Struct("<q")
_NAME = re.compile(r"^benelux-kg-run-(\d+)$")


class RunDir:
    """One run folder, opened by the supervisor (``create``) or by a child (``open``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = (path / "generation").open("r+b")
        self._map = mmap.mmap(self._file.fileno(), _GENERATION.size)

    @classmethod
    def create(cls, parent: Path | None = None) -> RunDir:
        """A new run folder under ``parent`` (default: /dev/shm when usable, else the temp dir)."""
        base = parent or _shared_memory() or Path(tempfile.gettempdir())
        remove_stale(base)
        path = base / f"benelux-kg-run-{os.getpid()}"
        shutil.rmtree(path, ignore_errors=True)
        (path / "snapshots").mkdir(parents=True)
        (path / "generation").write_bytes(_GENERATION.pack(0))
        (path / "authkey").write_bytes(secrets.token_bytes(32))
        os.chmod(path / "authkey", 0o600)
        return cls(path)

    @property
    def generation(self) -> int:
        """The number of the last committed write (0: none since the start)."""
        return _GENERATION.unpack_from(self._map)[0]

    def publish(self, generation: int) -> None:
        """Make ``generation`` the current one (the writer, after its snapshot is complete)."""
        self._map[: _GENERATION.size] = _GENERATION.pack(generation)

    def snapshot(self, generation: int) -> Path:
        return self.path / "snapshots" / str(generation)

    @property
    def store(self) -> Path:
        return self.path / "store"

    @property
    def writer_address(self) -> str:
        return str(self.path / "writer.sock")

    @property
    def authkey(self) -> bytes:
        return (self.path / "authkey").read_bytes()

    def writer_pid(self) -> int | None:
        with contextlib.suppress(OSError, ValueError):
            return int((self.path / "writer.pid").read_text())
        return None

    def drop_snapshots(self, keep: set[int]) -> None:
        """Remove the snapshots not in ``keep``."""
        for folder in (self.path / "snapshots").iterdir():
            if folder.name.isdigit() and int(folder.name) not in keep:
                shutil.rmtree(folder, ignore_errors=True)

    def close(self) -> None:
        self._map.close()
        self._file.close()

    def remove(self) -> None:
        self.close()
        shutil.rmtree(self.path, ignore_errors=True)


def remove_stale(base: Path) -> None:
    """Remove the run folders of servers that no longer run (killed with SIGKILL, say)."""
    with contextlib.suppress(OSError):
        for folder in base.iterdir():
            match = _NAME.match(folder.name)
            if match and not _alive(int(match.group(1))):
                shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _shared_memory() -> Path | None:
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        return shm
    return None
