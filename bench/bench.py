"""The SPARQL benchmark: benelux-kg ``serve`` vs. the Oxigraph server vs. rdflib-endpoint.

For each size it generates the synthetic organisation graph once (``synthetic.py``), loads it
into (a) a pyoxigraph store folder served by ``benelux-kg serve --store PATH`` in one or more
configurations, (b) ``oxigraph serve`` after ``oxigraph load``, (c) ``rdflib-endpoint serve``
on the same N-Triples file. On the largest size it times ``benelux-kg serve`` from process
start to the first answer. Then, in each set-up (``pinned``: every server on CPU 0 and wrk on
CPU 1; ``whole``: no pinning), it starts the servers, checks that all return the same number
of rows for every query of ``queries/``, drives each query with wrk for ``--duration`` seconds
in each mode (``distinct``: a new query text per request, at each concurrency; ``repeated``:
one body, ours and the Oxigraph server at ``--repeated-concurrency``), and reads the memory
(VmRSS) of every server process. All traffic goes to 127.0.0.1. Every server started is
stopped at the end, also on Ctrl-C.

    python bench/bench.py --sizes 10k,100k,1M --duration 5 --out bench/results

Writes ``<out>/latest.json`` (every number) and ``<out>/latest.md`` (every table), and puts a
compact table into ``bench/README.md`` between its ``latest`` markers.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import itertools
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path

import httpx
import load
import pyoxigraph as ox
import rdflib
import report
import synthetic
from servers import (
    Server,
    Servers,
    Unavailable,
    free_port,
    group_cpu_seconds,
    pinned,
    process_memory,
    sigterm_as_interrupt,
    wait_answer,
)

from kg_service.query.union import FILL_UNION, UNION

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
RDFLIB_VENV = HERE / ".venv-rdflib-endpoint"

SELECT_ACCEPT = "application/sparql-results+json"
GRAPH_ACCEPT = "application/n-triples"
_KIND = re.compile(r"^\s*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE | re.MULTILINE)
_OURS = re.compile(r"^w(\d+)(?:c(\d+))?$")


@dataclass(frozen=True)
class Query:
    """One query of the mix."""

    name: str
    title: str
    text: str
    kind: str  # select | ask | construct | describe

    @property
    def accept(self) -> str:
        return GRAPH_ACCEPT if self.kind in ("construct", "describe") else SELECT_ACCEPT


def load_queries(folder: Path) -> list[Query]:
    """The ``*.rq`` files of ``folder``, in name order, with their ``# title:`` lines."""
    queries = []
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        title = next(
            (ln.split(":", 1)[1].strip() for ln in text.splitlines() if ln.startswith("# title:")),
            path.stem,
        )
        body = "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("#"))
        kind = _KIND.search(body)
        queries.append(Query(path.stem, title, text, kind.group(1).lower() if kind else "select"))
    return queries


# --- the run's context ---------------------------------------------------------------------


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def _output(argv: list[str]) -> str:
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
        return (done.stdout or done.stderr).strip()
    return ""


def _rdflib_endpoint_versions(exe: Path | None) -> dict[str, str]:
    if exe is None:
        return {}
    code = (
        "import importlib.metadata as m, json\n"
        "def v(n):\n try: return m.version(n)\n except Exception: return 'not installed'\n"
        "print(json.dumps({n: v(n) for n in ('rdflib-endpoint', 'rdflib', 'uvicorn', 'uvloop')}))"
    )
    raw = _output([str(exe.parent / "python"), "-c", code])
    with contextlib.suppress(ValueError):
        found = json.loads(raw)
        return {
            "rdflib-endpoint": found["rdflib-endpoint"],
            "rdflib (rdflib-endpoint's)": found["rdflib"],
            "uvicorn (rdflib-endpoint's)": found["uvicorn"],
            "uvloop (rdflib-endpoint's)": found["uvloop"],
        }
    return {"rdflib-endpoint": "unknown"}


def versions(tools: dict[str, Path | None]) -> dict[str, str]:
    """Versions of everything measured or measuring."""
    from kg_service import __version__

    ours = {
        "benelux-kg": __version__,
        "pyoxigraph": _version("pyoxigraph"),
        "fastapi": _version("fastapi"),
        "uvicorn": _version("uvicorn"),
        "uvloop": _version("uvloop"),
        "httptools": _version("httptools"),
        "rdflib": _version("rdflib"),
    }
    return {
        **ours,
        "oxigraph server": _output([str(tools["oxigraph"]), "--version"]).removeprefix("oxigraph "),
        **_rdflib_endpoint_versions(tools["rdflib-endpoint"]),
        "wrk": load.wrk_version(),
    }


def machine() -> dict:
    """CPU count and model, memory, Python, OS."""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next(
        (ln.split(":", 1)[1].strip() for ln in cpuinfo.splitlines() if ln.startswith("model name")),
        platform.processor() or "?",
    )
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gb": round(pages / 2**30, 1),
        "python": platform.python_version(),
        "os": platform.platform(),
    }


def find_tools(rdflib_endpoint: str | None) -> dict[str, Path | None]:
    """The programs the benchmark runs; rdflib-endpoint may be missing (then it is skipped)."""
    path = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"
    found = {name: shutil.which(name, path=path) for name in ("wrk", "oxigraph", "benelux-kg")}
    missing = [name for name, where in found.items() if not where]
    if missing:
        sys.exit(f"missing: {', '.join(missing)} (see bench/README.md, 'Set-up')")
    default = RDFLIB_VENV / "bin" / "rdflib-endpoint"
    endpoint = rdflib_endpoint or (str(default) if default.exists() else None)
    endpoint = endpoint or shutil.which("rdflib-endpoint")
    return {
        **{k: Path(v) for k, v in found.items()},
        "rdflib-endpoint": Path(endpoint) if endpoint else None,
    }


def bench_project(folder: Path, tools: dict[str, Path | None]) -> dict[str, str]:
    """A tiny, frozen benelux-kg project + build, so ``serve`` never rebuilds mid-run."""
    project, build = folder / "project", folder / "build"
    for name in ("ontology", "data", "shapes"):
        (project / name).mkdir(parents=True, exist_ok=True)
    (project / "ontology" / "bench.ttl").write_text(
        "<http://example.org/bench/ontology> a <http://www.w3.org/2002/07/owl#Ontology> .\n"
    )
    (project / "data" / "bench.ttl").write_text(
        "<http://example.org/bench/dataset> a <http://www.w3.org/ns/dcat#Dataset> .\n"
    )
    # every statement needs a home: graph/bench is the graph of one (made-up) section
    (project / "data" / "sources.ttl").write_text(
        "<https://w3id.org/benelux-kg/graph/bench> <http://www.w3.org/ns/prov#wasDerivedFrom> "
        "<http://example.org/bench/section> .\n"
        "<http://example.org/bench/section> a <https://w3id.org/benelux-kg/def/DocumentSection> .\n"
    )
    env = {"BENELUX_KG_PROJECT_DIR": str(project), "BENELUX_KG_BUILD_DIR": str(build)}
    done = subprocess.run(
        [str(tools["benelux-kg"]), "build"],
        env={**os.environ, **env},
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise SystemExit(f"benelux-kg build of the bench project failed:\n{tail}")
    return env


# --- data ----------------------------------------------------------------------------------


def _timed(step, *args) -> float:
    start = time.monotonic()
    step(*args)
    return round(time.monotonic() - start, 2)


def load_pyoxigraph(nt: Path, folder: Path) -> None:
    """The store folder ``serve --store`` opens: bulk-loaded, flushed and compacted."""
    store = ox.Store(str(folder))
    store.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    store.update(FILL_UNION)  # the union graph ``serve`` reads (kg_service.query.union)
    store.flush()
    store.optimize()
    del store


def load_oxigraph_server(exe: Path, nt: Path, folder: Path) -> None:
    subprocess.run(
        [str(exe), "load", "--location", str(folder), "--file", str(nt)],
        check=True,
        capture_output=True,
        timeout=1800,
    )


def _run_once(store: ox.Store, query: Query) -> float:
    start = time.perf_counter()
    # the union graph as the default graph, as ``serve`` reads it
    result = store.query(query.text, default_graph=ox.NamedNode(UNION))
    if isinstance(result, ox.QueryTriples):
        result.serialize(format=ox.RdfFormat.N_TRIPLES)
    else:
        result.serialize(format=ox.QueryResultsFormat.JSON)
    return time.perf_counter() - start


def engine_times(folder: Path, queries: list[Query], budget: float = 1.0) -> dict[str, float]:
    """Median in-process pyoxigraph time (query + serialisation), ms: the floor under HTTP."""
    store, out = ox.Store.read_only(str(folder)), {}
    for q in queries:
        times, end = [_run_once(store, q)], time.monotonic() + budget
        while len(times) < 50 and time.monotonic() < end:
            times.append(_run_once(store, q))
        out[q.name] = round(statistics.median(times) * 1000, 3)
    del store
    return out


# --- servers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OursConfig:
    """One configuration of ``benelux-kg serve``: ``wN`` = ``--workers N`` (N HTTP processes,
    each with its own query thread pool and result cache), ``wNcM`` also ``--cache-mb M``
    (``c0``: no result cache)."""

    name: str
    workers: int
    cache_mb: int | None = None

    @classmethod
    def parse(cls, spec: str) -> OursConfig:
        match = _OURS.match(spec.strip())
        if not match:
            raise argparse.ArgumentTypeError(f"not a configuration like w1, w2 or w2c0: {spec!r}")
        cache = match.group(2)
        return cls(f"ours-{spec.strip()}", int(match.group(1)), int(cache) if cache else None)

    def describe(self) -> str:
        text = f"benelux-kg serve --workers {self.workers}"
        if self.cache_mb is None:
            return text + ", result cache default (64 MiB per HTTP process)"
        text += f", --cache-mb {self.cache_mb}"
        return text + (" (no result cache)" if self.cache_mb == 0 else "")

    def options(self) -> list[str]:
        """The command-line options of ``serve`` this configuration sets."""
        cache = ["--cache-mb", str(self.cache_mb)] if self.cache_mb is not None else []
        return ["--workers", str(self.workers), *cache]


@dataclass(frozen=True)
class Setup:
    """Where the servers and wrk run: ``pinned`` (one core each) or ``whole`` (no taskset)."""

    name: str
    server_cpus: str | None  # taskset -c for every server (children inherit it)
    wrk_cpus: str | None  # taskset -c for wrk

    def describe(self) -> str:
        if self.server_cpus is None:
            return "the whole machine: servers and wrk wherever the kernel puts them"
        return (
            f"one core each: the server under test (all its processes) on CPU "
            f"{self.server_cpus}, wrk on CPU {self.wrk_cpus} (taskset)"
        )


SETUPS = {"pinned": Setup("pinned", "0", "1"), "whole": Setup("whole", None, None)}


def start_ours(
    servers: Servers,
    exe: Path,
    store: Path,
    config: OursConfig,
    project_env: dict[str, str],
    name: str | None = None,
    cpus: str | None = None,
) -> Server:
    """``benelux-kg serve --store STORE`` in ``config``, under ``taskset -c cpus`` if given."""
    port = free_port()
    argv = [str(exe), "serve", "--host", "127.0.0.1", "--port", str(port), "--store", str(store)]
    url = f"http://127.0.0.1:{port}/sparql"
    return servers.start(
        name or config.name, pinned([*argv, *config.options()], cpus), url, project_env
    )


def start_oxigraph(servers: Servers, exe: Path, folder: Path, cpus: str | None = None) -> Server:
    port = free_port()
    argv = [str(exe), "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"]
    return servers.start(report.OXIGRAPH, pinned(argv, cpus), f"http://127.0.0.1:{port}/query")


def start_floor(servers: Servers, store: Path, cpus: str | None = None) -> Server:
    """``floor_app.py`` on uvicorn (httptools, uvloop, one process) over ``serve``'s store."""
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", "floor_app:app", "--app-dir", str(HERE)]
    argv += ["--host", "127.0.0.1", "--port", str(port), "--http", "httptools"]
    argv += ["--loop", "uvloop", "--no-access-log", "--log-level", "warning"]
    env = {"BENCH_STORE": str(store)}
    return servers.start(report.FLOOR, pinned(argv, cpus), f"http://127.0.0.1:{port}/sparql", env)


def start_rdflib(servers: Servers, exe: Path, nt: Path, cpus: str | None = None) -> Server:
    port = free_port()
    argv = [str(exe), "serve", str(nt), "--host", "127.0.0.1", "--port", str(port)]
    return servers.start(report.RDFLIB, pinned(argv, cpus), f"http://127.0.0.1:{port}/")


def startup_times(
    servers: Servers,
    exe: Path,
    store: Path,
    config: OursConfig,
    project_env: dict[str, str],
    probe: Query,
    repeats: int,
) -> list[float]:
    """Seconds from ``benelux-kg serve`` process start to its first 200 answer, ``repeats``x."""
    times = []
    for i in range(repeats):
        server = start_ours(servers, exe, store, config, project_env, f"startup-{i}")
        try:
            times.append(round(wait_answer(server, probe.text, probe.accept, 60.0), 3))
        finally:
            servers.stop(server)
    return times


# --- checking and measuring ----------------------------------------------------------------


_GRAPH_FORMATS = {"application/n-triples": "nt", "text/plain": "nt", "text/turtle": "turtle"}


def count_rows(query: Query, response: httpx.Response) -> int:
    """Solutions of a SELECT, triples of a CONSTRUCT/DESCRIBE (whatever format came back)."""
    if query.kind == "select":
        return len(response.json()["results"]["bindings"])
    if query.kind == "ask":
        return 1
    media = response.headers.get("content-type", "").split(";")[0].strip()
    graph = rdflib.Graph().parse(data=response.content, format=_GRAPH_FORMATS.get(media, "xml"))
    return len(graph)


def ask(client: httpx.Client, server: Server, query: Query) -> httpx.Response:
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": query.accept}
    return client.post(server.url, data={"query": query.text}, headers=headers)


def verify(servers: list[Server], queries: list[Query], timeout: float) -> tuple[dict, list]:
    """Rows per query and server (also warms every server up), and a warning per mismatch."""
    rows: dict[str, dict[str, int | None]] = {}
    warnings = []
    with httpx.Client(timeout=timeout) as client:
        for q in queries:
            rows[q.name] = {s.name: _rows_or_none(client, s, q, warnings) for s in servers}
            if len(set(rows[q.name].values())) > 1:
                warnings.append(f"{q.name}: row counts differ: {rows[q.name]}")
    for line in warnings:
        print(f"WARNING: {line}", flush=True)
    return rows, warnings


def _rows_or_none(client: httpx.Client, server: Server, q: Query, warnings: list) -> int | None:
    try:
        response = ask(client, server, q)
    except httpx.HTTPError as exc:
        warnings.append(f"{q.name} on {server.name}: {type(exc).__name__}: {exc}")
        return None
    if response.status_code != 200:
        warnings.append(
            f"{q.name} on {server.name}: HTTP {response.status_code}: {response.text[:200]}"
        )
        return None
    return count_rows(q, response)


_DRAINS = itertools.count()


def drain(server: Server, probe: Query, timeout: float) -> bool:
    """Wait until the requests wrk left behind are done: ``server`` answers a cheap query it
    has not seen (so no result cache answers it ahead of the queued work) and its processes
    stop using the CPU (the left-overs may be in another HTTP process)."""
    fresh = replace(probe, text=f"{probe.text}\n# drain {next(_DRAINS)}")
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=timeout) as client:
        while True:
            try:
                status = ask(client, server, fresh).status_code
            except httpx.HTTPError:
                return False
            if status != 503 or time.monotonic() > deadline:  # 503: still full of left-overs
                break
            time.sleep(0.2)
    return status == 200 and _idle(server, deadline)


def _idle(server: Server, deadline: float, window: float = 0.25) -> bool:
    """True once the server's processes use under 10% of one core over ``window`` seconds."""
    before = group_cpu_seconds(server.pid)
    while time.monotonic() < deadline:
        time.sleep(window)
        now = group_cpu_seconds(server.pid)
        if now - before < 0.1 * window:
            return True
        before = now
    return False


@dataclass
class Plan:
    """What to measure, and the time budget that bounds the whole run."""

    queries: list[Query]
    concurrencies: list[int]  # distinct mode
    duration: float
    request_timeout: float
    deadline: float  # time.monotonic() after which no new cell starts
    modes: list[str]
    setups: list[Setup]
    repeated_concurrencies: list[int]  # repeated mode: ours and the Oxigraph server only
    rdflib_concurrencies: list[int]  # rdflib-endpoint: distinct mode, these only
    rounds: int = 1  # every cell measured this many times, rounds interleaved; median kept

    def slots(self, names: list[str]) -> list[tuple[str, int, list[str]]]:
        """(mode, concurrency, servers) measured for each query, in the order measured."""
        out = []
        for mode in self.modes:
            repeated = mode == "repeated"
            for c in self.repeated_concurrencies if repeated else self.concurrencies:
                who = [n for n in names if self._measures(n, repeated, c)]
                if who:
                    out.append((mode, c, who))
        return out

    def _measures(self, name: str, repeated: bool, c: int) -> bool:
        if name == report.FLOOR:  # no cache: the repeated mode would measure the same thing
            return not repeated
        if name != report.RDFLIB:
            return True
        return not repeated and c in self.rdflib_concurrencies


def measure(
    label: str, setup: Setup, servers: list[Server], plan: Plan, manager: Servers
) -> tuple[list[dict], list[str]]:
    """Every query × mode × concurrency × server, servers interleaved so drift hits them alike,
    ``plan.rounds`` times over (the whole list once per round), the median round kept.

    A server that does not answer a cheap query after a cell is restarted (and noted), so one
    failure does not void every later cell; ``servers`` then holds the new one.
    """
    cells, notes = [], []
    index = {s.name: i for i, s in enumerate(servers)}
    for _ in range(plan.rounds):
        for q in plan.queries:
            for mode, c, names in plan.slots([s.name for s in servers]):
                for name in names:
                    if time.monotonic() > plan.deadline:
                        notes.append("the run's time budget (--max-minutes) ran out: cells missing")
                        return combine_rounds(cells), notes
                    server = servers[index[name]]
                    cells.append(_measure_cell(label, setup, server, q, c, mode, plan))
                    if not drain(server, plan.queries[0], _drain_timeout(server, plan)):
                        servers[index[name]] = _revive(server, plan, manager)
                        notes.append(
                            f"{name} did not finish its left-over requests after {q.name} "
                            f"{mode} c{c}; restarted for the cells after it"
                        )
                        print(f"WARNING: [{label}] {setup.name}: {notes[-1]}", flush=True)
    return combine_rounds(cells), notes


def combine_rounds(cells: list[dict]) -> list[dict]:
    """One cell per query × server × set-up × mode × concurrency: the round with the median
    throughput (its latencies with it), the errors of every round added up."""
    groups: dict[tuple, list[dict]] = {}
    for cell in cells:
        key = (cell["query"], cell["server"], cell["setup"], cell["mode"], cell["concurrency"])
        groups.setdefault(key, []).append(cell)
    out = []
    for group in groups.values():
        ranked = sorted(group, key=lambda cell: cell["rps"])
        chosen = dict(ranked[(len(ranked) - 1) // 2])
        chosen["errors"] = sum(cell["errors"] for cell in group)
        chosen["non_2xx"] = sum(cell["non_2xx"] for cell in group)
        chosen["rounds"] = len(group)
        chosen["rps_rounds"] = [cell["rps"] for cell in group]
        out.append(chosen)
    return out


def _drain_timeout(server: Server, plan: Plan) -> float:
    """rdflib-endpoint may have 16 slow queries queued; the others must be quick."""
    return plan.request_timeout * 3 if server.name == report.RDFLIB else 20.0


def _revive(server: Server, plan: Plan, manager: Servers) -> Server:
    again = manager.restart(server)
    probe = plan.queries[0]
    again.info["ready_seconds"] = round(wait_answer(again, probe.text, probe.accept, 120), 2)
    return again


def _measure_cell(
    label: str, setup: Setup, server: Server, q: Query, c: int, mode: str, plan: Plan
) -> dict:
    cpu = group_cpu_seconds(server.pid)
    cell = load.drive(
        server.url, q.text, q.accept, c, plan.duration, plan.request_timeout, mode, setup.wrk_cpus
    )
    cpu = group_cpu_seconds(server.pid) - cpu
    # None when a process of the group ended meanwhile (its CPU time left with it)
    per_request = round(cpu * 1000 / cell.requests, 3) if cell.requests and cpu >= 0 else None
    print(
        f"[{label}] {setup.name:<6} {mode:<8} {q.name:<24} c{c:<3} {server.name:<16} "
        f"{cell.rps:>9.1f} req/s  p50 {cell.p50_ms:>8.2f} ms  p99 {cell.p99_ms:>8.2f} ms  "
        f"cpu {per_request or 0:>7.3f} ms/req  errors {cell.errors}",
        flush=True,
    )
    return {
        "query": q.name,
        "server": server.name,
        "setup": setup.name,
        "mode": mode,
        "concurrency": c,
        **cell.to_dict(),
        "server_cpu_ms_per_request": per_request,
    }


# --- one size ------------------------------------------------------------------------------


@dataclass
class Context:
    """Everything one size needs from the run."""

    args: argparse.Namespace
    tools: dict[str, Path | None]
    project_env: dict[str, str]
    configs: list[OursConfig]
    plan: Plan
    servers: Servers
    workdir: Path


def prepare_data(ctx: Context, label: str, n: int, folder: Path, size: dict) -> Path:
    nt = folder / "data.nt"
    size["load_seconds"] = {"generate": _timed(synthetic.generate, n, nt, ctx.args.seed)}
    size["load_seconds"]["pyoxigraph store (ours)"] = _timed(
        load_pyoxigraph, nt, folder / "ours-store"
    )
    size["load_seconds"]["oxigraph load"] = _timed(
        load_oxigraph_server, ctx.tools["oxigraph"], nt, folder / "oxigraph"
    )
    print(f"[{label}] data ready: {size['load_seconds']}", flush=True)
    return nt


def _note(size: dict, text: str) -> None:
    """Add a note to the size once (each set-up may find the same thing)."""
    if text not in size["notes"]:
        size["notes"].append(text)


def start_all(ctx: Context, setup: Setup, n: int, folder: Path, nt: Path, size: dict) -> list:
    """Start every server of this size in ``setup`` and wait until each answers; note the
    skipped ones."""
    probe, started = ctx.plan.queries[0], []
    exe, cpus = ctx.tools["benelux-kg"], setup.server_cpus
    for config in ctx.configs:
        started.append(
            start_ours(ctx.servers, exe, folder / "ours-store", config, ctx.project_env, cpus=cpus)
        )
    started.append(start_oxigraph(ctx.servers, ctx.tools["oxigraph"], folder / "oxigraph", cpus))
    if ctx.args.floor:
        started.append(start_floor(ctx.servers, folder / "ours-store", cpus))
    for server in started:
        server.info["ready_seconds"] = round(wait_answer(server, probe.text, probe.accept, 120), 2)
    rd = _start_rdflib(ctx, setup, n, nt, size)
    return started + ([rd] if rd else [])


def _start_rdflib(ctx: Context, setup: Setup, n: int, nt: Path, size: dict) -> Server | None:
    exe, limit = ctx.tools["rdflib-endpoint"], synthetic.parse_size(ctx.args.rdflib_max)
    if exe is None:
        _note(size, "rdflib-endpoint skipped: not installed (see README, 'Run it')")
        return None
    if n > limit:
        _note(
            size,
            f"rdflib-endpoint skipped: above --rdflib-max {ctx.args.rdflib_max} "
            "(its queries take seconds each here: a cell would see almost no answers)",
        )
        return None
    server = start_rdflib(ctx.servers, exe, nt, setup.server_cpus)
    probe = ctx.plan.queries[0]
    try:
        ready = wait_answer(server, probe.text, probe.accept, ctx.args.rdflib_load_timeout, 0.2)
    except Unavailable as exc:
        ctx.servers.stop(server)
        _note(size, f"rdflib-endpoint skipped ({setup.name}): {str(exc).splitlines()[0]}")
        return None
    server.info["ready_seconds"] = round(ready, 2)
    size["load_seconds"][f"rdflib-endpoint start+parse ({setup.name})"] = round(ready, 2)
    return server


def memory_of(servers: list[Server]) -> dict[str, dict]:
    """VmRSS (and PSS) of every process of every running server, now."""
    return {s.name: process_memory(s.pid) for s in servers}


def _print_memory(label: str, setup: Setup, memory: dict[str, dict]) -> None:
    parts = [
        f"{name} {m['rss_kb'] / 1024:,.0f} MB ({len(m['processes'])} process(es))"
        for name, m in memory.items()
    ]
    print(f"[{label}] {setup.name}: RSS after the measurements: {', '.join(parts)}", flush=True)


def measure_setup(
    ctx: Context, label: str, n: int, setup: Setup, folder: Path, nt: Path, size: dict
) -> None:
    """Start every server in ``setup``, check the answers, measure, read the servers' memory,
    stop them; add what was found to ``size``."""
    print(f"[{label}] set-up {setup.name}: {setup.describe()}", flush=True)
    running = start_all(ctx, setup, n, folder, nt, size)
    try:
        size["ready_seconds"][setup.name] = {s.name: s.info.get("ready_seconds") for s in running}
        rows, warnings = verify(running, ctx.plan.queries, 300)
        size.setdefault("rows", rows)  # the same in each set-up (else a warning says so)
        size["warnings"] += [f"{setup.name}: {line}" for line in warnings]
        cells, notes = measure(label, setup, running, ctx.plan, ctx.servers)
        size["cells"] += cells
        size["notes"] += [f"{setup.name}: {line}" for line in notes]
        size["memory"][setup.name] = memory_of(running)
        _print_memory(label, setup, size["memory"][setup.name])
    finally:
        for server in running:
            ctx.servers.stop(server)


def bench_size(ctx: Context, label: str, n: int, largest: bool) -> dict:
    """Generate, load, time the start-up (largest size), then check and measure in each
    set-up; stop the servers."""
    folder = ctx.workdir / label
    folder.mkdir(parents=True)
    size: dict = {
        "label": label,
        "triples": n,
        "notes": [],
        "warnings": [],
        "queries": [q.name for q in ctx.plan.queries],
        "cells": [],
        "ready_seconds": {},
        "memory": {},
    }
    load_before = os.getloadavg()[0]
    nt = prepare_data(ctx, label, n, folder, size)
    size["engine_ms"] = engine_times(folder / "ours-store", ctx.plan.queries)
    if largest and ctx.args.startup_repeats:
        size["startup_seconds"] = startup_times(
            ctx.servers,
            ctx.tools["benelux-kg"],
            folder / "ours-store",
            ctx.configs[0],
            ctx.project_env,
            ctx.plan.queries[0],
            ctx.args.startup_repeats,
        )
        size["startup_config"] = ctx.configs[0].name
        print(f"[{label}] start to first answer: {size['startup_seconds']} s", flush=True)
    for setup in ctx.plan.setups:
        measure_setup(ctx, label, n, setup, folder, nt, size)
    size["loadavg"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    size["notes"].append(
        "load average (1 min) before/after: {:.1f} / {:.1f} (on {} cores; other work on the "
        "machine adds noise)".format(*size["loadavg"], os.cpu_count())
    )
    report.finish_size(size, [c.name for c in ctx.configs])
    shutil.rmtree(folder, ignore_errors=True)
    return size


# --- the run -------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="10k,100k", help="comma-separated: 10k,100k,1M")
    p.add_argument("--duration", type=float, default=10.0, help="seconds per cell")
    p.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="measure every cell this many times, rounds interleaved; the median is reported "
        "(this machine's throughput drifts by 10%% from minute to minute)",
    )
    p.add_argument(
        "--concurrency", default="1,16,64", help="comma-separated connection counts (distinct)"
    )
    p.add_argument(
        "--modes",
        "--mode",
        default="distinct,repeated",
        help="distinct: a new query text per request (no cache can answer); repeated: the "
        "same body over and over",
    )
    p.add_argument(
        "--repeated-concurrency",
        default="16",
        help="connection counts of the repeated mode (ours and the Oxigraph server only)",
    )
    p.add_argument(
        "--setups",
        default="pinned,whole",
        help="pinned: servers on CPU 0 and wrk on CPU 1 (taskset); whole: no pinning",
    )
    p.add_argument("--out", type=Path, default=HERE / "results")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--ours",
        default="w2",
        help="configurations of serve: wN = --workers N, wNcM also --cache-mb M "
        "(w2c0: no result cache)",
    )
    p.add_argument(
        "--no-floor",
        dest="floor",
        action="store_false",
        help="leave out the floor (floor_app.py: a bare ASGI app on uvicorn over our store)",
    )
    p.add_argument("--queries", type=Path, default=HERE / "queries")
    p.add_argument("--rdflib-endpoint", default=None, help="path of the rdflib-endpoint command")
    p.add_argument("--rdflib-max", default="100k", help="skip rdflib-endpoint above this size")
    p.add_argument(
        "--rdflib-concurrency",
        default="1,16",
        help="connection counts measured on rdflib-endpoint (distinct mode)",
    )
    p.add_argument("--rdflib-load-timeout", type=float, default=120.0)
    p.add_argument("--request-timeout", type=float, default=30.0, help="wrk's per request")
    p.add_argument(
        "--startup-repeats",
        type=int,
        default=3,
        help="starts of serve timed on the largest size (0: none)",
    )
    p.add_argument("--max-minutes", type=float, default=120.0, help="no new cell after this")
    p.add_argument("--workdir", type=Path, default=None, help="for data and stores (temp)")
    p.add_argument("--no-readme", action="store_true", help="leave bench/README.md alone")
    p.add_argument(
        "--report-only",
        action="store_true",
        help="measure nothing: redo ratios and tables from <out>/latest.json",
    )
    return p.parse_args(argv)


def _sizes(text: str) -> list[tuple[str, int]]:
    out = [(part.strip(), synthetic.parse_size(part)) for part in text.split(",") if part.strip()]
    return sorted(out, key=lambda item: item[1])


def _ints(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def _names(text: str, allowed: Iterable[str], option: str) -> list[str]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    wrong = [n for n in names if n not in allowed]
    if wrong or not names:
        sys.exit(f"{option}: one or more of {', '.join(allowed)}, comma-separated: {text!r}")
    return names


def _setups(text: str) -> list[Setup]:
    """The set-ups asked for; ``pinned`` needs taskset and CPUs 0 and 1."""
    setups = [SETUPS[name] for name in _names(text, SETUPS, "--setups")]
    if any(s.server_cpus for s in setups):
        if not shutil.which("taskset"):
            sys.exit("--setups pinned needs taskset (util-linux)")
        if not {0, 1} <= os.sched_getaffinity(0):
            sys.exit("--setups pinned needs CPUs 0 and 1: use --setups whole")
    return setups


def make_plan(args: argparse.Namespace, queries: list[Query]) -> Plan:
    """What to measure, from the command line."""
    return Plan(
        queries,
        _ints(args.concurrency),
        args.duration,
        args.request_timeout,
        time.monotonic() + args.max_minutes * 60,
        _names(args.modes, load.MODES, "--modes"),
        _setups(args.setups),
        _ints(args.repeated_concurrency),
        _ints(args.rdflib_concurrency),
        args.rounds,
    )


def _commit() -> str:
    """The checkout's commit, ``+dirty`` when the service code has uncommitted changes."""
    head = _output(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]) or "?"
    dirty = _output(["git", "-C", str(ROOT), "status", "--porcelain", "--", "kg_service"])
    return head + ("+dirty" if dirty else "")


def new_run(args: argparse.Namespace, tools: dict, configs: list[OursConfig], plan: Plan) -> dict:
    return {
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": _commit(),
        "machine": machine(),
        "versions": versions(tools),
        "settings": {
            "duration": args.duration,
            "rounds": args.rounds,
            "concurrencies": plan.concurrencies,
            "modes": plan.modes,
            "repeated_concurrencies": plan.repeated_concurrencies,
            "rdflib_concurrencies": plan.rdflib_concurrencies,
            "setups": {s.name: s.describe() for s in plan.setups},
            "seed": args.seed,
            "sizes": args.sizes,
            "request_timeout": args.request_timeout,
        },
        "ours": [c.name for c in configs],
        "ours_configs": {c.name: c.describe() for c in configs},
        "servers": {
            **{c.name: c.describe() + ", pyoxigraph store folder" for c in configs},
            report.OXIGRAPH: "`oxigraph serve --location DIR` after `oxigraph load`, /query",
            report.RDFLIB: "`rdflib-endpoint serve FILE.nt` (rdflib Dataset in memory), /",
        },
        "queries": {},
        "sizes": {},
    }


def check_unchanged(run: dict, tools: dict) -> None:
    """Warn when the code or the installed versions changed while the run went on."""
    now = {"commit": _commit(), "versions": versions(tools)}
    changed = [k for k in now if now[k] != run[k]]
    if changed:
        line = f"{' and '.join(changed)} changed during the run: now {now}"
        print(f"WARNING: {line}", flush=True)
        run.setdefault("warnings", []).append(line)


def write_results(run: dict, out: Path, readme: Path | None) -> None:
    """``latest.json`` and ``latest.md`` (every table) in ``out``; the compact summary into
    the README when one is given."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(run, indent=2, ensure_ascii=False) + "\n")
    (out / "latest.md").write_text(report.markdown(run), encoding="utf-8")
    if readme and readme.exists():
        update_readme(readme, report.summary(run))


def update_readme(readme: Path, table: str, marker: str = "latest") -> None:
    """Replace what stands between the ``marker`` markers of the README by ``table``."""
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    text = readme.read_text(encoding="utf-8")
    if start in text and end in text:
        head, rest = text.split(start, 1)
        body = table.rstrip("\n") + "\n"
        readme.write_text(f"{head}{start}\n{body}{end}{rest.split(end, 1)[1]}", encoding="utf-8")


def run_all(args: argparse.Namespace, ctx: Context, run: dict) -> None:
    sizes = _sizes(args.sizes)
    for label, n in sizes:
        run["sizes"][label] = bench_size(ctx, label, n, largest=(n == sizes[-1][1]))
        write_results(run, args.out, None)  # keep what is done if a later size fails


def rereport(args: argparse.Namespace) -> int:
    """Recompute the ratios and tables of ``<out>/latest.json`` (after a change to report.py)."""
    run = json.loads((args.out / "latest.json").read_text(encoding="utf-8"))
    for size in run["sizes"].values():
        report.finish_size(size, run["ours"])
    write_results(run, args.out, None if args.no_readme else HERE / "README.md")
    print(f"rewrote {args.out / 'latest.json'} and {args.out / 'latest.md'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.report_only:
        return rereport(args)
    tools = find_tools(args.rdflib_endpoint)
    try:
        configs = [OursConfig.parse(s) for s in args.ours.split(",")]
    except argparse.ArgumentTypeError as exc:
        sys.exit(f"--ours: {exc}")
    queries = load_queries(args.queries)
    plan = make_plan(args, queries)
    run = new_run(args, tools, configs, plan)
    run["queries"] = {q.name: q.title for q in queries}
    workdir = Path(tempfile.mkdtemp(prefix="benelux-bench-", dir=args.workdir))
    try:
        with sigterm_as_interrupt(), Servers(workdir) as servers:
            ctx = Context(
                args, tools, bench_project(workdir, tools), configs, plan, servers, workdir
            )
            run_all(args, ctx, run)
    except KeyboardInterrupt:
        print("interrupted: every server started has been stopped", file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    check_unchanged(run, tools)
    write_results(run, args.out, None if args.no_readme else HERE / "README.md")
    print(f"wrote {args.out / 'latest.json'} and {args.out / 'latest.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
