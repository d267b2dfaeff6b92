"""Real SPARQL servers for the remote-backend tests: the Oxigraph server and Virtuoso.

Each runs in its own temporary folder on free loopback ports, can be stopped and started again
in place (the store kept), and is asked directly (``select``, ``ask``, ``update``) to check
what our service did to it. Every wait has a deadline. Debian's ``virtuoso-opensource`` is
installed with apt-get when missing (``make test`` installs it first; this is the fallback).
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from conftest import free_port

from kg_service.backends import virtuoso

OXIGRAPH_BIN = Path(sys.executable).parent / "oxigraph"
VIRTUOSO_BIN = "virtuoso-t"
ISQL_BIN = "isql-vt"
VIRTUOSO_PACKAGE = "virtuoso-opensource"
START_SECONDS = 60
STOP_SECONDS = 20


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the test process dies (no server outlives pytest)."""
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class SparqlServer:
    """A SPARQL server process that can be stopped and started again in place."""

    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    name = "?"

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def endpoint(self) -> str:
        """The query URL our service is given with ``--endpoint``."""
        raise NotImplementedError

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command(),
                cwd=self.folder,
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,
            )
        self._wait_until_it_answers()

    def _wait_until_it_answers(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log.read_text()[-3000:]}")
            try:
                self.ask("ASK { ?s ?p ?o }")
                return
            except (httpx.TransportError, httpx.HTTPStatusError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer within {START_SECONDS} s")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def post(self, data: dict, accept: str = "application/sparql-results+json") -> httpx.Response:
        r = httpx.post(
            self.endpoint, data=data, headers={"Accept": accept}, timeout=30, trust_env=False
        )
        r.raise_for_status()
        return r

    def results(self, query: str) -> dict:
        """SPARQL 1.1 JSON results of a query asked of the server directly."""
        return self.post({"query": query}).json()

    def select(self, query: str) -> list[dict]:
        """The rows of a SELECT asked of the server directly, as plain strings."""
        rows = self.results(query)["results"]["bindings"]
        return [{k: v["value"] for k, v in row.items()} for row in rows]

    def ask(self, query: str) -> bool:
        return self.results(query)["boolean"]

    def update(self, update: str) -> None:
        self.post({"update": update})


class OxigraphServer(SparqlServer):
    """``oxigraph serve`` (the venv's ``oxigraph`` package)."""

    name = "oxigraph"

    @property
    def endpoint(self) -> str:
        return self.url + "/query"

    def command(self) -> list[str]:
        location = str(self.folder / "db")
        return [str(OXIGRAPH_BIN), "serve", "--location", location, "--bind", self.url[7:]]

    def update(self, update: str) -> None:
        r = httpx.post(self.url + "/update", data={"update": update}, timeout=30, trust_env=False)
        r.raise_for_status()


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx

[Parameters]
; loopback only, no Unix socket; files only from this folder
ServerPort = 127.0.0.1:{isql_port}
DisableUnixSocket = 1
DirsAllowed = {folder}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
CheckpointInterval = 60

[HTTPServer]
ServerPort = 127.0.0.1:{port}
ServerRoot = {folder}
ServerThreads = 10
MaxClientConnections = 10
EnabledGzipContent = 0

[SPARQL]
; Debian's default of 10,000 rows cuts results short without saying so
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
"""


@dataclass
class VirtuosoServer(SparqlServer):
    """Debian's ``virtuoso-t`` with its own ``virtuoso.ini`` and database in ``folder``.

    A fresh database has the ``dba``/``dba`` account; on first start it is set up through isql
    as the README tells operators to (``virtuoso.SETUP``): ``SPARQL_UPDATE`` for the anonymous
    ``SPARQL`` user, so the tests write through the plain endpoint, and Virtuoso's own graphs
    private to that user.
    """

    isql_port: int = field(default_factory=free_port)
    set_up: bool = False
    name = "virtuoso"

    @property
    def endpoint(self) -> str:
        return self.url + "/sparql"

    def command(self) -> list[str]:
        ini = self.folder / "virtuoso.ini"
        if not ini.exists():
            folder = self.folder.resolve()
            ini.write_text(
                VIRTUOSO_INI.format(folder=folder, port=self.port, isql_port=self.isql_port)
            )
        return [VIRTUOSO_BIN, "+foreground", "+configfile", str(ini)]

    def start(self) -> None:
        super().start()
        if not self.set_up:
            for statement in virtuoso.SETUP:
                self.isql(statement)
            self.set_up = True

    def isql(self, statement: str) -> str:
        command = [ISQL_BIN, f"127.0.0.1:{self.isql_port}", "dba", "dba", f"exec={statement}"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        if done.returncode != 0 or "Error" in done.stdout:
            raise RuntimeError(f"isql {statement!r} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def results(self, query: str) -> dict:
        """Asked as our backend asks Virtuoso (its JSON made standard, an ASK a boolean), so
        the tests compare SPARQL 1.1 results."""
        data = self.post({"query": virtuoso.prepare_query(query)}).content
        return json.loads(virtuoso.results_json(data, virtuoso.query_form(query) == "ASK"))


def ensure_virtuoso() -> None:
    """Install Debian's Virtuoso when it is missing (root only; otherwise skip, saying how)."""
    if shutil.which(VIRTUOSO_BIN) and shutil.which(ISQL_BIN):
        return
    if os.geteuid() != 0:
        pytest.skip(f"needs Virtuoso: sudo apt-get install -y {VIRTUOSO_PACKAGE} (or make test)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for step in (
        ["apt-get", "update"],
        ["apt-get", "install", "-y", "--no-install-recommends", VIRTUOSO_PACKAGE],
    ):
        subprocess.run(step, env=env, check=True, capture_output=True, timeout=900)


def start_engine(name: str, folder: Path) -> SparqlServer:
    """A started server of the engine called ``name`` in ``folder``."""
    if name == "virtuoso":
        ensure_virtuoso()
        server: SparqlServer = VirtuosoServer(folder)
    else:
        server = OxigraphServer(folder)
    try:
        server.start()
    except BaseException:
        server.stop()  # a server that started but could not be set up
        raise
    return server
