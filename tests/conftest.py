"""Shared fixtures: one build per test session, and real served processes on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from kg_service.build import BuildResult, build
from kg_service.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def shared(*parts: str, module: bool = False) -> Path:
    """A file or folder of the project's kit in ``../shared``; the test (or ``module``) skips,
    with one line naming what is missing, in a clone that has no such sibling folder."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(
            f"needs {path} (the project's shared kit: W3C suites, DCAT-AP shapes, references), "
            "which this checkout does not have beside it",
            allow_module_level=module,
        )
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The project's sources, built into a temporary folder (never the checkout's build/)."""
    return Settings.load(project_dir=ROOT, build_dir=tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="session")
def built(settings: Settings) -> BuildResult:
    return build(settings, progress=lambda _msg: None)


class Listener:
    """A TCP listener on a loopback port that records every connection and its first bytes."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.seen: list[bytes] = []
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def connections(self) -> int:
        return len(self.seen)

    def _accept(self) -> None:
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(0.5)
                try:
                    self.seen.append(conn.recv(300) or b"(connected, sent nothing)")
                except OSError:
                    self.seen.append(b"(connected, sent nothing)")

    def close(self) -> None:
        self.running = False
        self.thread.join(5)
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    """A loopback listener for tests that must show nothing was reached."""
    lst = Listener()
    yield lst
    lst.close()


@dataclass
class Server:
    """A ``benelux-kg serve`` process on a loopback port."""

    url: str
    process: subprocess.Popen
    log: Path

    def client(self, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, **kwargs)


def start_server(
    build_dir: Path, log: Path, *args: str, env: dict[str, str] | None = None
) -> Server:
    """Start ``benelux-kg serve`` and wait until ``/healthz`` answers 200."""
    port = free_port()
    environ = {**os.environ, "BENELUX_KG_BUILD_DIR": str(build_dir), **(env or {})}
    command = [sys.executable, "-m", "kg_service.cli", "serve", "--port", str(port), *args]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=environ, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return Server(url, process, log)
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server did not become ready:\n{log.read_text()}")


@contextmanager
def serving(settings: Settings, log: Path, *args: str) -> Iterator[Server]:
    """``benelux-kg serve *args`` on the session's build for the ``with`` block."""
    srv = start_server(settings.build_path, log, *args)
    try:
        yield srv
    finally:
        stop_server(srv)


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="session")
def server(built: BuildResult, settings: Settings, tmp_path_factory) -> Iterator[Server]:
    """The real service, served by uvicorn from the session's build."""
    log = tmp_path_factory.mktemp("logs") / "serve.log"
    srv = start_server(settings.build_path, log)
    yield srv
    stop_server(srv)
