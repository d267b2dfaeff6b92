"""Full-text search at 10k and 1M triples: how long the index takes to build, how fast it answers.

For each size, the seeded synthetic graph (``synthetic.py``) is loaded into an on-disk store
folder as ``bench.py`` does (``load_pyoxigraph``). Then:

1. **Index build, in-process**: the indexer's own steps on that store, timed —
   ``collect(indexed_quads(store))`` (read the labelled literals and types) then
   ``write_index`` (analyse, write the SQLite FTS5 file, optimise). Rows indexed, resources,
   file size.
2. **Index build, served**: ``benelux-kg serve --store STORE --workers 1`` is started (the
   store is not fresh from the build, so its indexer thread builds the index from the store);
   timed from process start to the first ``GET /search`` that returns results (``503`` until
   the index is published), and the indexer's own "built in" line from the server's log.
3. **Latency over HTTP**, against that served process (``pinned``: the server, all its
   processes, on CPU 0, wrk on CPU 1): wrk with a Lua ``request()`` that walks a list of
   pre-encoded ``/search`` paths, **every request a different query text**, drawn from the
   graph's own labels in fr/nl/en. Two shapes, each at concurrency 1 and 16:

   - ``mix``: 1-3 consecutive words of a label (Agence / maritime / 42 …), the last one cut
     short in about a third of them (a word prefix), about a tenth with ``lang=`` (the label's
     language) and a tenth with ``type=`` (one of the resource's classes); default limit (10).
   - ``type-ahead``: what a search box sends while one types a label from its start: the
     whole words typed so far and the start (2+ letters) of the next, ``limit=8``.

   The same queries are also timed in-process (``SearchIndex.search``, one thread, a sample),
   which splits the latency between SQLite and the HTTP stack, and names the slowest queries.

Results: ``search.json`` and ``search.md`` in ``--out``; the tables go into ``bench/README.md``
between its ``search`` markers. Every server started is stopped at the end, also on Ctrl-C.

    .venv/bin/python bench/search_bench.py --sizes 10k,1M --duration 5
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
import load
import pyoxigraph as ox
import synthetic
from servers import (
    Server,
    Servers,
    Unavailable,
    free_port,
    group_cpu_seconds,
    pinned,
    sigterm_as_interrupt,
)

from bench import (
    BIN,
    HERE,
    Setup,
    _commit,
    _setups,
    _sizes,
    bench_project,
    load_pyoxigraph,
    machine,
    update_readme,
)
from kg_service.search.index import Collected, SearchIndex, collect, indexed_quads, write_index
from kg_service.search.query import make_query

#: Distinct paths made per shape and size; wrk walks them in order (a cell starts where the
#: previous one of the shape stopped) and wraps around only if a run asks for more.
POOL = 40_000
#: Words per query of the mix (drawn uniformly from this tuple).
MIX_WORDS = (1, 1, 2, 2, 3)
CUT_SHARE, LANG_SHARE, TYPE_SHARE = 0.35, 0.1, 0.1
TYPEAHEAD_LIMIT = 8
#: Queries of each shape timed in-process (a sample of the pool), and the time allowed.
ENGINE_SAMPLE, ENGINE_BUDGET = 2_000, 10.0
#: Paths of each pool asked once over HTTP before the load (a warning unless all give 200).
CHECKED = 100
#: The word of the probe: ``theme/0`` is labelled with it in every synthetic graph.
PROBE = synthetic.WORDS[0][0]

Params = list[tuple[str, str]]


# --- data and the index built in-process -------------------------------------------------


def prepare_store(n: int, seed: int, folder: Path) -> dict:
    """Generate ``n`` triples and load them into ``folder/store`` (reused when ``done``)."""
    store, done = folder / "store", folder / "store.done"
    if done.exists():
        return {"generate_load_s": None, "reused": str(store)}
    shutil.rmtree(store, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    synthetic.generate(n, folder / "data.nt", seed)
    load_pyoxigraph(folder / "data.nt", store)
    (folder / "data.nt").unlink()
    done.touch()
    return {"generate_load_s": round(time.perf_counter() - started, 1)}


def build_in_process(store: Path, out: Path) -> tuple[dict, Collected]:
    """Time what the indexer does for a generation: read the store, write the index file."""
    started = time.perf_counter()
    found = collect(indexed_quads(ox.Store.read_only(str(store))))
    read = time.perf_counter()
    write_index(found, out)
    written = time.perf_counter()
    return {
        "read_s": round(read - started, 2),
        "write_s": round(written - read, 2),
        "build_s": round(written - started, 2),
        **index_size(out),
    }, found


def index_size(path: Path) -> dict:
    """Rows of the FTS table, resources and file size of the index at ``path``."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        rows = db.execute("SELECT count(*) FROM texts").fetchone()[0]
        docs = db.execute("SELECT count(*) FROM docs").fetchone()[0]
    return {"rows": rows, "resources": docs, "mb": round(path.stat().st_size / 2**20, 1)}


# --- the queries ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Graph:
    """What the queries are drawn from: the display labels, and each resource's classes."""

    labels: list[tuple[str, str, str]]  # (iri, lang, text)
    types: dict[str, list[str]]

    @classmethod
    def of(cls, found: Collected) -> Graph:
        types: dict[str, list[str]] = {}
        for iri, type_ in sorted(found.types):
            types.setdefault(iri, []).append(type_)
        return cls(sorted(found.labels), types)


def _prefix(rng: random.Random, word: str) -> str:
    """The start of ``word`` one has typed so far: 2 letters up to the whole word."""
    return word[: rng.randint(min(2, len(word)), len(word))]


def mix_query(rng: random.Random, graph: Graph) -> Params:
    """1-3 consecutive words of a label, maybe the last cut short, maybe lang= or type=."""
    iri, lang, text = rng.choice(graph.labels)
    words = text.split()
    count = min(rng.choice(MIX_WORDS), len(words))
    start = rng.randrange(len(words) - count + 1)
    chosen = words[start : start + count]
    if rng.random() < CUT_SHARE and len(chosen[-1]) > 2:
        chosen[-1] = chosen[-1][: rng.randint(2, len(chosen[-1]) - 1)]
    params = [("q", " ".join(chosen))]
    if lang and rng.random() < LANG_SHARE:
        params.append(("lang", lang))
    if graph.types.get(iri) and rng.random() < TYPE_SHARE:
        params.append(("type", rng.choice(graph.types[iri])))
    return params


def typeahead_query(rng: random.Random, graph: Graph) -> Params:
    """A label typed from its start: the words typed so far, the start of the next one."""
    _, _, text = rng.choice(graph.labels)
    words = text.split()
    typed = rng.randrange(len(words))
    q = " ".join([*words[:typed], _prefix(rng, words[typed])])
    return [("q", q), ("limit", str(TYPEAHEAD_LIMIT))]


SHAPES: dict[str, Callable[[random.Random, Graph], Params]] = {
    "mix": mix_query,
    "type-ahead": typeahead_query,
}


def pool(make: Callable[[random.Random, Graph], Params], graph: Graph, seed: int) -> list[Params]:
    """Up to :data:`POOL` distinct queries (fewer when the graph has fewer to offer)."""
    rng, seen, found = random.Random(seed), set(), []
    for _ in range(POOL * 20):
        params = make(rng, graph)
        key = tuple(params)
        if key not in seen:
            seen.add(key)
            found.append(params)
            if len(found) == POOL:
                break
    return found


def path(params: Params) -> str:
    return "/search?" + urlencode(params)


# --- in-process latency --------------------------------------------------------------------


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def engine_latency(index_file: Path, queries: list[Params]) -> dict:
    """``SearchIndex.search`` on a sample of ``queries``, one at a time: p50/p99 and the
    slowest three (what SQLite costs, without HTTP)."""
    index, times = SearchIndex(index_file), []
    deadline = time.monotonic() + ENGINE_BUDGET
    for params in queries[:ENGINE_SAMPLE]:
        args = dict(params)
        types = [args["type"]] if "type" in args else []
        query = make_query(args["q"], args.get("lang"), types, args.get("limit"))
        started = time.perf_counter()
        total = index.search(query).total
        times.append((time.perf_counter() - started, total, path(params)))
        if time.monotonic() > deadline:
            break
    index.close()
    ms = [t * 1000 for t, _, _ in times]
    slowest = sorted(times, reverse=True)[:3]
    return {
        "queries": len(times),
        "p50_ms": round(_percentile(ms, 0.5), 3),
        "p99_ms": round(_percentile(ms, 0.99), 3),
        "slowest": [{"ms": round(t * 1000, 1), "total": n, "path": p} for t, n, p in slowest],
    }


# --- the served process --------------------------------------------------------------------


def start_serve(servers: Servers, store: Path, env: dict, label: str, setup: Setup) -> Server:
    """``benelux-kg serve --store STORE --workers 1`` (on the set-up's server CPUs)."""
    port = free_port()
    argv = [str(BIN / "benelux-kg"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    argv += ["--store", str(store), "--workers", "1"]
    url = f"http://127.0.0.1:{port}"
    return servers.start(f"search-{label}", pinned(argv, setup.server_cpus), url, env)


def first_search(server: Server, timeout: float) -> dict:
    """Seconds from the start of ``server`` to its first HTTP answer to ``/search`` (``503``
    while the index is built) and to its first answer with results.

    (The indexer logs its own "built in" time, but the supervisor's log shows only uvicorn's
    lines, so the wait for results is what is measured.)"""
    probe, found = f"{server.url}{path([('q', PROBE), ('limit', '1')])}", {}
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=timeout, headers={"Accept": "application/json"}) as client:
        while "results_s" not in found:
            if server.process.poll() is not None or time.monotonic() > deadline:
                raise Unavailable(f"{server.name}: no search results; see {server.log}")
            _probe(client, probe, server.started, found)
            time.sleep(0.01)
    return found


def _probe(client: httpx.Client, url: str, started: float, found: dict) -> None:
    try:
        response = client.get(url)
    except httpx.TransportError:
        return
    found.setdefault("http_s", round(time.monotonic() - started, 2))
    if response.status_code == 200 and response.json()["total"] > 0:
        found["results_s"] = round(time.monotonic() - started, 2)


def check_answers(client: httpx.Client, base: str, queries: list[Params]) -> dict:
    """Ask :data:`CHECKED` of ``queries`` once: statuses, and how many found something (the
    last ones of the pool: the load starts at the first)."""
    statuses: dict[str, int] = {}
    with_results = 0
    for params in queries[-CHECKED:]:
        response = client.get(base + path(params))
        statuses[str(response.status_code)] = statuses.get(str(response.status_code), 0) + 1
        with_results += response.status_code == 200 and response.json()["total"] > 0
    return {"statuses": statuses, "with_results": with_results, "asked": min(CHECKED, len(queries))}


REQUEST_LUA = """\
wrk.method = "GET"
wrk.headers["Accept"] = "application/json"
local paths = {{}}
for line in io.lines("{paths}") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i + 1
  return wrk.format(nil, paths[(i - 1) % #paths + 1])
end
"""


def run_cell(server: Server, paths: list[str], concurrency: int, args: argparse.Namespace) -> dict:
    """wrk at ``concurrency`` for ``--duration`` s over ``paths`` (one per request, in order)."""
    with tempfile.TemporaryDirectory(prefix="search-wrk-") as tmp:
        listed, script = Path(tmp) / "paths.txt", Path(tmp) / "search.lua"
        listed.write_text("\n".join(paths) + "\n", encoding="ascii")
        script.write_text(REQUEST_LUA.format(paths=listed) + load.done_lua(), encoding="utf-8")
        cpu = group_cpu_seconds(server.pid)
        cell = load.run_script(
            server.url + "/search", script, concurrency, args.duration, 30, args.setup.wrk_cpus
        )
        cpu = group_cpu_seconds(server.pid) - cpu
    result = {"concurrency": concurrency, **cell.to_dict()}
    result["server_cpu_ms_per_request"] = round(1000 * cpu / max(cell.requests, 1), 3)
    return result


def measure_shape(server: Server, queries: list[Params], args: argparse.Namespace) -> dict:
    """Every concurrency of one shape; each cell goes on where the previous one stopped."""
    paths, used, cells = [path(p) for p in queries], 0, []
    for concurrency in args.concurrency:
        start = used % len(paths)
        cell = run_cell(server, paths[start:] + paths[:start], concurrency, args)
        used += cell["requests"]
        cells.append(cell)
    wrapped = max(0, used - len(paths))  # requests that repeated a path (the pool ran out)
    return {"distinct_queries": len(paths), "requests": used, "repeats": wrapped, "cells": cells}


# --- one size ------------------------------------------------------------------------------


def bench_size(label: str, n: int, args: argparse.Namespace, env: dict, servers: Servers) -> dict:
    """Load, build in-process, serve, wait for the index, check, measure; stop the server."""
    load_before = os.getloadavg()[0]
    folder = args.data / f"{label}-seed{args.seed}"
    size: dict = {"label": label, "triples": n, "data": prepare_store(n, args.seed, folder)}
    size["build"], found = build_in_process(folder / "store", folder / "index.sqlite")
    print(f"[{label}] index built in-process: {size['build']}", flush=True)
    graph = Graph.of(found)
    pools = {shape: pool(make, graph, args.seed) for shape, make in SHAPES.items()}
    size["engine"] = {s: engine_latency(folder / "index.sqlite", q) for s, q in pools.items()}
    server = start_serve(servers, folder / "store", env, label, args.setup)
    try:
        size["serve"] = first_search(server, args.ready_timeout)
        print(f"[{label}] serve: {size['serve']}", flush=True)
        size["shapes"] = measure_served(server, pools, args)
    finally:
        servers.stop(server)
    size["loadavg"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    return size


def measure_served(
    server: Server, pools: dict[str, list[Params]], args: argparse.Namespace
) -> dict:
    """Check each pool's answers, then drive each shape at every concurrency."""
    shapes = {}
    with httpx.Client(timeout=60, headers={"Accept": "application/json"}) as client:
        checks = {s: check_answers(client, server.url, q) for s, q in pools.items()}
    for shape, check in checks.items():
        if set(check["statuses"]) != {"200"}:
            print(f"WARNING: {shape}: not all answered 200: {check['statuses']}", flush=True)
    for shape, queries in pools.items():
        shapes[shape] = {"check": checks[shape], **measure_shape(server, queries, args)}
        for cell in shapes[shape]["cells"]:
            print(f"[{shape}] {json.dumps(cell)}", flush=True)
    return shapes


# --- the report ----------------------------------------------------------------------------


def markdown(run: dict, details: bool = False) -> str:
    """Both tables, the settings; with ``details``, the slowest queries too."""
    lines = [*_header(run), "", *_index_table(run), "", *_latency_table(run), "", *_legend()]
    if details:
        lines += ["", *_slowest(run)]
    return "\n".join(lines) + "\n"


def _header(run: dict) -> list[str]:
    host, s = run["machine"], run["settings"]
    loads = ", ".join(
        f"{label} {size['loadavg'][0]:.1f} / {size['loadavg'][1]:.1f}"
        for label, size in run["sizes"].items()
    )
    return [
        f"{run['generated']} · {host['cpus']} CPUs ({host['cpu_model']}) · Python "
        f"{host['python']} · SQLite {run['versions']['sqlite']} · commit {run['commit']} · "
        f"whole run {run.get('run_seconds', '?')} s",
        "",
        f"`benelux-kg serve --store STORE --workers 1`, {s['setup']}. wrk, 1 thread, keep-alive, "
        f"{s['duration']:g} s per cell; **every request a distinct query text** (drawn from the "
        f"graph's own labels, see `search_bench.py`). Load average (1 min) before / after each "
        f"size: {loads}, on {host['cpus']} cores: the machine is shared, other work adds noise.",
    ]


def _index_table(run: dict) -> list[str]:
    lines = [
        "| size | triples | index rows | resources | index MB | build in-process s "
        "(read + write) | serve start → first HTTP answer s | serve start → first search with "
        "results s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, size in run["sizes"].items():
        b, sv = size["build"], size["serve"]
        lines.append(
            f"| {label} | {size['triples']:,} | {b['rows']:,} | {b['resources']:,} | {b['mb']} | "
            f"{b['build_s']} ({b['read_s']} + {b['write_s']}) | {sv['http_s']} | "
            f"{sv['results_s']} |"
        )
    return lines


def _latency_table(run: dict) -> list[str]:
    concurrencies = run["settings"]["concurrency"]
    head = "".join(f" c{c} p50 / p99 ms | c{c} req/s |" for c in concurrencies)
    lines = [
        f"| size | queries |{head} server CPU ms / request | in-process p50 / p99 ms "
        "| failed | found something |",
        "|---|---|" + "---|---|" * len(concurrencies) + "---|---|---|---|",
    ]
    for label, size in run["sizes"].items():
        for shape, m in size["shapes"].items():
            lines.append(_latency_row(label, shape, m, size["engine"][shape]))
    return lines


def _latency_row(label: str, shape: str, m: dict, engine: dict) -> str:
    cells = "".join(
        f" {c['p50_ms']:.1f} / {c['p99_ms']:.1f} | {c['rps']:,.0f} |" for c in m["cells"]
    )
    cpu = " / ".join(f"{c['server_cpu_ms_per_request']:.2f}" for c in m["cells"])
    repeats = f" ({m['repeats']:,} requests repeated one: no more to draw)" if m["repeats"] else ""
    check, failed = m["check"], sum(c["errors"] for c in m["cells"])
    return (
        f"| {label} | {shape}: {m['distinct_queries']:,} distinct texts{repeats} |{cells} {cpu} | "
        f"{engine['p50_ms']:.2f} / {engine['p99_ms']:.1f} | {failed} | "
        f"{check['with_results']}/{check['asked']} |"
    )


def _legend() -> list[str]:
    return [
        "`mix`: 1-3 words of a label, a third with the last word cut short, a tenth with "
        "`lang=`, a tenth with `type=`; `type-ahead`: a label typed from its start (whole words "
        "and the first 2+ letters of the next), `limit=8`. Server CPU: the server's processes, "
        "per request, at each concurrency. In-process: `SearchIndex.search` alone, one thread, "
        "a sample of the same queries. `/search` has no result cache, so a repeated text is "
        "searched again. Failed: wrk errors + non-2xx. Found something: of 100 "
        "queries asked once before the load, how many had results (their statuses: `search.json`).",
    ]


def _slowest(run: dict) -> list[str]:
    lines = ["Slowest queries in-process (ms, results in all, path):", ""]
    for label, size in run["sizes"].items():
        for shape, engine in size["engine"].items():
            for q in engine["slowest"]:
                lines.append(f"- {label} {shape}: {q['ms']} ms, {q['total']:,}, `{q['path']}`")
    return lines


def write_results(run: dict, out: Path, readme: Path | None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "search.json").write_text(json.dumps(run, indent=2, ensure_ascii=False) + "\n")
    text = "# Search benchmark\n\n" + markdown(run, details=True)
    (out / "search.md").write_text(text, encoding="utf-8")
    if readme is not None:
        update_readme(readme, markdown(run), "search")


# --- the run -------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="10k,1M", help="comma-separated: 10k,1M")
    p.add_argument("--duration", type=float, default=5.0, help="seconds per cell")
    p.add_argument("--concurrency", default="1,16", help="connections, comma-separated")
    p.add_argument("--setup", default="pinned", help="pinned (server CPU 0, wrk CPU 1) | whole")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--ready-timeout", type=float, default=600, help="seconds to the index")
    p.add_argument("--data", type=Path, help="keep the stores here and reuse them (else a temp)")
    p.add_argument("--out", type=Path, default=HERE / "results")
    p.add_argument("--no-readme", action="store_true", help="leave bench/README.md alone")
    p.add_argument("--report-only", action="store_true", help="redo the tables of search.json")
    args = p.parse_args(argv)
    args.concurrency = [int(c) for c in args.concurrency.split(",") if c.strip()]
    args.setup = _setups(args.setup)[0]
    return args


def new_run(args: argparse.Namespace) -> dict:
    return {
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": _commit(),
        "machine": machine(),
        "versions": {
            "pyoxigraph": ox.__version__,
            "sqlite": sqlite3.sqlite_version,
            "wrk": load.wrk_version(),
        },
        "settings": {
            "sizes": args.sizes,
            "duration": args.duration,
            "concurrency": args.concurrency,
            "setup": args.setup.describe(),
            "seed": args.seed,
            "distinct": "every request a different query text (see the module docstring)",
        },
        "sizes": {},
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.report_only:
        run = json.loads((args.out / "search.json").read_text(encoding="utf-8"))
        write_results(run, args.out, None if args.no_readme else HERE / "README.md")
        return 0
    run, started = new_run(args), time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="benelux-kg-search-"))
    keep = args.data is not None
    args.data = args.data or scratch
    try:
        with sigterm_as_interrupt(), Servers(scratch) as servers:
            env = bench_project(scratch, {"benelux-kg": BIN / "benelux-kg"})
            for label, n in _sizes(args.sizes):
                run["sizes"][label] = bench_size(label, n, args, env, servers)
    except KeyboardInterrupt:
        print("interrupted: every server started has been stopped", file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    run["run_seconds"] = round(time.monotonic() - started)
    run["settings"]["data"] = "reused/kept in --data" if keep else "temporary"
    write_results(run, args.out, None if args.no_readme else HERE / "README.md")
    print(markdown(run))
    return 0


if __name__ == "__main__":
    sys.exit(main())
