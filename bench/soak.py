"""Soak test: many clients for minutes on loopback; errors, latency, memory and descriptors.

    python bench/soak.py --clients 32 --duration 300 --out bench/results

1. **Build** the project into a temporary folder (never the checkout's ``build/``) and start
   ``benelux-kg serve`` on a free loopback port (memory store, its own process group).
2. **Warm up**: every request of the mix once; each must answer 200.
3. **Soak**: ``--clients`` asyncio + httpx clients (one keep-alive connection each) send the mix
   for ``--duration`` seconds: the competency queries (``queries/*.rq``, POSTed as a form, each
   answer checked against its expected row count), entity pages ``/id/…`` in HTML and Turtle,
   ontology terms ``/def/…``, the ontology page, and the dumps ``/download/…`` when the route
   exists. Every request's latency, status and size are kept. The server process and every
   descendant (query workers, the forkserver) are sampled from ``/proc`` — RSS and open file
   descriptors — at the start, every ``--sample-every`` seconds and at the end.
4. **Burst**: ``--burst`` simultaneous slower queries (each ~50 ms of CPU), more than the
   processes can evaluate (``--max-concurrent`` each) and queue (``--max-queue`` each, waiting
   at most ``--max-wait`` seconds); the overflow must be answered ``503`` with
   ``Retry-After``, the rest must succeed, and the server must
   still answer afterwards with the same processes.
5. **Report**: ``soak.json`` (everything) and ``soak.md`` (the figures) in ``--out``; the
   server's log, without its access lines, is kept as ``soak.log``.

The clients run on the same machine as the server and share its cores: the latencies include
that contention. Every loop is bounded by the duration or a count; every request by a timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

import httpx
from servers import Servers, free_port, sigterm_as_interrupt

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://w3id.org/benelux-kg/"
FORM = "application/x-www-form-urlencoded"
SRJ = "application/sparql-results+json"
SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?c ?e ?f . ?f ?g ?h }"

#: Share of the mix per kind of request (normalised; kinds with no requests are dropped).
WEIGHTS = {
    "query": 50,
    "entity-html": 15,
    "entity-turtle": 15,
    "term": 8,
    "ontology": 2,
    "dump": 10,
}


@dataclass(frozen=True)
class Req:
    """One request of the mix."""

    kind: str
    name: str
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    data: dict[str, str] | None = None
    expect_rows: int | None = None  # SELECT: the number of solutions the answer must have


@dataclass
class Sample:
    """RSS and descriptors of one process at one moment."""

    pid: int
    name: str
    rss_kb: int
    fds: int


@dataclass
class Outcome:
    """What one request gave."""

    kind: str
    name: str
    status: int
    seconds: float
    size: int
    error: str | None = None


# --- processes -------------------------------------------------------------------------------


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = defaultdict(list)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            text = stat.read_text()
            ppid = int(text[text.rfind(")") + 2 :].split()[1])
            tree[ppid].append(int(stat.parent.name))
    return tree


def process_tree(root: int) -> list[tuple[int, str]]:
    """``root`` and all its descendants, parents first, each with its role."""
    tree, out, todo = _children(), [], [(root, "serve (supervisor)")]
    while todo and len(out) < 1000:
        pid, role = todo.pop(0)
        out.append((pid, role))
        todo.extend((child, _role(child, role)) for child in sorted(tree.get(pid, [])))
    return out


def _role(pid: int, parent_role: str) -> str:
    """What a descendant is: workers are forked by the forkserver and share its command line."""
    if parent_role == "forkserver":
        return "worker"
    with contextlib.suppress(OSError):
        argv = Path(f"/proc/{pid}/cmdline").read_bytes()
        if b"forkserver" in argv:
            return "forkserver"
        if b"resource_tracker" in argv:
            return "resource_tracker"
        if b"spawn_main" in argv:  # the HTTP processes (and the writer, with a token)
            return "http"
    return "child"


def sample(pid: int, role: str) -> Sample | None:
    """RSS (from /proc/PID/status) and open fds (/proc/PID/fd) of one process, if it lives."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        fds = len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None
    rss = next((int(line.split()[1]) for line in status.splitlines() if line[:6] == "VmRSS:"), 0)
    return Sample(pid, role, rss, fds)


def sample_tree(root: int) -> list[Sample]:
    return [s for pid, role in process_tree(root) if (s := sample(pid, role)) is not None]


def _role_names(samples: list[Sample]) -> dict[int, str]:
    """Stable labels: 'http 1', 'worker 2', … in pid order; other roles as they are."""
    names, counts = {}, Counter()
    for s in sorted(samples, key=lambda s: s.pid):
        if s.name in ("worker", "http"):
            counts[s.name] += 1
            names[s.pid] = f"{s.name} {counts[s.name]}"
        else:
            names[s.pid] = s.name
    return names


# --- the workload ----------------------------------------------------------------------------


def _query_kind(text: str) -> str:
    body = "\n".join(
        line for line in text.splitlines() if not line.lstrip().upper().startswith(("PREFIX", "#"))
    ).upper()
    for kind in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
        if kind in body:
            return kind
    return "SELECT"


def competency_queries() -> list[Req]:
    reqs = []
    for path in sorted((ROOT / "queries").glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        kind = _query_kind(text)
        accept = SRJ if kind in ("SELECT", "ASK") else "text/turtle"
        expected = path.with_suffix(".srj")
        rows = None
        if kind == "SELECT" and expected.exists():
            rows = len(json.loads(expected.read_text())["results"]["bindings"])
        reqs.append(
            Req("query", path.stem, "POST", "/sparql", {"Accept": accept}, {"query": text}, rows)
        )
    return reqs


def discover(http: httpx.Client, limit: int) -> list[Req]:
    """Entity pages, ontology terms and dumps, asked of the running server."""
    reqs: list[Req] = []
    entities = _select(
        http,
        f"""SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{BASE}id/")) }} ORDER BY ?s""",
    )
    step = max(1, len(entities) // max(1, limit))
    for iri in entities[::step][:limit]:
        path = "/" + iri[len(BASE) :]
        reqs.append(Req("entity-html", path, "GET", path, {"Accept": "text/html"}))
        reqs.append(Req("entity-turtle", path, "GET", path, {"Accept": "text/turtle"}))
    terms = _select(
        http,
        f"""SELECT DISTINCT ?t WHERE {{ GRAPH <{BASE}graph/ontology> {{ ?t a ?k }}
  FILTER(isIRI(?t) && STRSTARTS(STR(?t), "{BASE}def/")) }} ORDER BY ?t""",
    )
    for iri in terms[:limit]:
        path = "/" + iri[len(BASE) :]
        accept = random.Random(path).choice(["text/html", "text/turtle"])
        reqs.append(Req("term", path, "GET", path, {"Accept": accept}))
    reqs.append(Req("ontology", "/def/", "GET", "/def/", {"Accept": "text/html"}))
    reqs.extend(_dumps(http))
    return reqs


def _select(http: httpx.Client, query: str) -> list[str]:
    r = http.post("/sparql", data={"query": query}, headers={"Accept": SRJ})
    r.raise_for_status()
    rows = r.json()["results"]["bindings"]
    return [next(iter(row.values()))["value"] for row in rows]


def _dumps(http: httpx.Client) -> list[Req]:
    paths = http.get("/openapi.json").json().get("paths", {})
    if "/download/{name}" not in paths:
        return []
    names: list[str] = []
    with contextlib.suppress(httpx.HTTPError, ValueError, KeyError):
        listing = http.get("/download", headers={"Accept": "application/json"}).json()
        names = [d["name"] for d in listing["dumps"]]
    wanted = [n for n in names if n.endswith(".gz")] or ["benelux-kg.nt.gz"]
    return [Req("dump", n, "GET", f"/download/{n}") for n in wanted]


def weighted_mix(reqs: list[Req]) -> tuple[list[Req], list[float]]:
    by_kind: dict[str, list[Req]] = defaultdict(list)
    for r in reqs:
        by_kind[r.kind].append(r)
    population, weights = [], []
    for kind, members in by_kind.items():
        for r in members:
            population.append(r)
            weights.append(WEIGHTS.get(kind, 1) / len(members))
    return population, weights


# --- sending ---------------------------------------------------------------------------------


def _verify(req: Req, response: httpx.Response) -> str | None:
    """Why a response is wrong, or None."""
    if response.status_code != 200:
        return f"status {response.status_code}: {response.text[:160]!r}"
    if not response.content:
        return "empty body"
    if req.expect_rows is not None:
        try:
            rows = len(response.json()["results"]["bindings"])
        except (ValueError, KeyError) as exc:
            return f"unreadable SPARQL JSON ({exc})"
        if rows != req.expect_rows:
            return f"{rows} rows, expected {req.expect_rows}"
    return None


async def send(client: httpx.AsyncClient, req: Req) -> Outcome:
    start = time.perf_counter()
    try:
        response = await client.request(req.method, req.path, headers=req.headers, data=req.data)
    except httpx.HTTPError as exc:
        took = time.perf_counter() - start
        return Outcome(req.kind, req.name, 0, took, 0, f"{type(exc).__name__}: {exc}"[:200])
    took = time.perf_counter() - start
    error = _verify(req, response)
    return Outcome(req.kind, req.name, response.status_code, took, len(response.content), error)


async def client_loop(
    url: str, population: list[Req], weights: list[float], seed: int, stop_at: float, out: list
) -> None:
    rng = random.Random(seed)
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        while time.monotonic() < stop_at:
            req = rng.choices(population, weights)[0]
            out.append(await send(client, req))


async def sampler(root: int, every: float, stop_at: float, samples: list) -> None:
    start = time.monotonic()
    while time.monotonic() < stop_at:
        await asyncio.sleep(min(every, max(0.0, stop_at - time.monotonic())))
        if time.monotonic() >= stop_at:
            break
        t = round(time.monotonic() - start, 1)
        samples.append({"t": t, "load": os.getloadavg(), "procs": _dicts(root)})


def _dicts(root: int) -> list[dict]:
    return [asdict(s) for s in sample_tree(root)]


async def soak(
    url: str, root: int, mix: tuple[list[Req], list[float]], args: argparse.Namespace
) -> tuple[list[Outcome], list[dict], float]:
    outcomes: list[Outcome] = []
    samples: list[dict] = [{"t": 0.0, "load": os.getloadavg(), "procs": _dicts(root)}]
    start = time.monotonic()
    stop_at = start + args.duration
    population, weights = mix
    tasks = [
        client_loop(url, population, weights, args.seed + i, stop_at, outcomes)
        for i in range(args.clients)
    ]
    tasks.append(sampler(root, args.sample_every, stop_at, samples))
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=args.duration + 120)
    elapsed = time.monotonic() - start
    await asyncio.sleep(2)  # the server closes the clients' connections: compare idle with idle
    samples.append({"t": round(elapsed, 1), "load": os.getloadavg(), "procs": _dicts(root)})
    return outcomes, samples, elapsed


async def burst(url: str, n: int, query: str) -> dict:
    """``n`` simultaneous slow queries, each on its own connection."""

    async def one(i: int) -> dict:
        async with httpx.AsyncClient(base_url=url, timeout=120) as client:
            start = time.perf_counter()
            try:
                r = await client.post("/sparql", data={"query": query}, headers={"Accept": SRJ})
            except httpx.HTTPError as exc:
                return {"status": 0, "error": f"{type(exc).__name__}: {exc}"[:200], "s": 0.0}
            took = time.perf_counter() - start
            return {
                "status": r.status_code,
                "retry_after": r.headers.get("retry-after"),
                "s": took,
                "body": r.text[:120] if r.status_code != 200 else "",
            }

    start = time.monotonic()
    results = await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(n))), timeout=300)
    return {"seconds": time.monotonic() - start, "results": results}


# --- the report ------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def latency(outcomes: list[Outcome]) -> dict:
    ms = [o.seconds * 1000 for o in outcomes]
    return {
        "requests": len(outcomes),
        "errors": sum(1 for o in outcomes if o.error),
        "p50_ms": round(percentile(ms, 50), 2),
        "p90_ms": round(percentile(ms, 90), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "max_ms": round(max(ms, default=0.0), 2),
        "mean_ms": round(statistics.fmean(ms), 2) if ms else 0.0,
    }


#: The soak's first part is warm-up: caches fill (the result cache may hold 64 MiB a process)
#: and the clients' keep-alive connections open. Growth is judged from this far in (a share of
#: the soak, at most a minute): a leak goes on growing, a cache stops.
WARM_SHARE, WARM_MAX_S = 0.2, 60.0


def _warm(samples: list[dict]) -> dict:
    """The first sample after the warm-up."""
    end = samples[-1]["t"]
    at = min(WARM_MAX_S, WARM_SHARE * end)
    return next((s for s in samples if s["t"] >= at), samples[-1])


def process_report(samples: list[dict]) -> list[dict]:
    """Start and end RSS and fds of every process seen at the start (and any that appeared),
    with the RSS and fds after the warm-up and the most of each from then on."""
    first = {p["pid"]: p for p in samples[0]["procs"]}
    last = {p["pid"]: p for p in samples[-1]["procs"]}
    warm_sample = _warm(samples)
    warm = {p["pid"]: p for p in warm_sample["procs"]}
    peak: dict[int, int] = defaultdict(int)
    later_rss: dict[int, int] = defaultdict(int)
    later_fds: dict[int, int] = defaultdict(int)
    for s in samples:
        for p in s["procs"]:
            peak[p["pid"]] = max(peak[p["pid"]], p["rss_kb"])
            if s["t"] >= warm_sample["t"]:
                later_rss[p["pid"]] = max(later_rss[p["pid"]], p["rss_kb"])
                later_fds[p["pid"]] = max(later_fds[p["pid"]], p["fds"])
    names = _role_names([Sample(**p) for p in samples[0]["procs"]])
    rows = []
    for pid in sorted(set(first) | set(last)):
        a, b = first.get(pid), last.get(pid)
        rows.append(
            {
                "pid": pid,
                "role": names.get(pid) or (b or a or {}).get("name", "?"),
                "rss_start_kb": a["rss_kb"] if a else None,
                "rss_end_kb": b["rss_kb"] if b else None,
                "rss_peak_kb": peak[pid],
                "fds_start": a["fds"] if a else None,
                "fds_end": b["fds"] if b else None,
                "rss_warm_kb": warm[pid]["rss_kb"] if pid in warm else None,
                "rss_most_after_warm_kb": later_rss.get(pid),
                "fds_warm": warm[pid]["fds"] if pid in warm else None,
                "fds_most_after_warm": later_fds.get(pid),
                "note": "" if a and b else ("gone at the end" if a else "appeared during the run"),
            }
        )
    return rows


def verdicts(report: dict, args: argparse.Namespace) -> dict:
    """Pass or fail of each check; RSS and fds from after the warm-up to their most since."""
    procs = report["processes"]
    stable = [p for p in procs if p["rss_warm_kb"] and p["rss_most_after_warm_kb"]]
    allowed = args.rss_tolerance_mb * 1024
    rss_flat = all(
        p["rss_most_after_warm_kb"] - p["rss_warm_kb"] <= max(allowed, 0.1 * p["rss_warm_kb"])
        for p in stable
    )
    # a process may hold a connection of every client, or not, from one sample to the next;
    # a leak (one descriptor in a thousand requests) grows past that within the soak
    slack = args.clients
    fds_flat = all(p["fds_most_after_warm"] - p["fds_warm"] <= slack for p in stable)
    burst = report["burst"]
    return {
        "zero_errors": report["overall"]["errors"] == 0,
        "rss_flat": rss_flat,
        "fds_flat": fds_flat,
        "same_processes": all(not p["note"] for p in procs),
        "burst_503_with_retry_after": burst["rejected_with_retry_after"] > 0,
        "burst_only_200_or_503": burst["other"] == 0,
        "alive_after_burst": burst["alive_after"],
    }


def summarise_burst(raw: dict, n: int, alive: bool, before: list, after: list) -> dict:
    results = raw["results"]
    statuses = Counter(r["status"] for r in results)
    rejected = [r for r in results if r["status"] == 503]
    return {
        "requests": n,
        "seconds": round(raw["seconds"], 2),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "rejected_with_retry_after": sum(1 for r in rejected if r.get("retry_after")),
        "rejected_without_retry_after": sum(1 for r in rejected if not r.get("retry_after")),
        "rejection_p99_ms": round(percentile([r["s"] * 1000 for r in rejected], 99), 2),
        "ok_max_s": round(max((r["s"] for r in results if r["status"] == 200), default=0.0), 2),
        "other": sum(v for k, v in statuses.items() if k not in (200, 503)),
        "other_examples": [r for r in results if r["status"] not in (200, 503)][:5],
        "alive_after": alive,
        "pids_before": sorted(p["pid"] for p in before),
        "pids_after": sorted(p["pid"] for p in after),
    }


def write_markdown(report: dict, path: Path) -> None:
    o, c, b, v = report["overall"], report["config"], report["burst"], report["verdicts"]
    lines = [
        "# Soak run",
        "",
        f"{report['finished']} · {c['clients']} clients × {report['elapsed_s']:.0f} s on "
        f"loopback · `benelux-kg serve` (oxigraph, memory store, {c['http_processes']} HTTP "
        f"processes, max-concurrent {c['max_concurrent']}, max-queue {c['max_queue']}, "
        f"max-wait {c['max_wait']} s) · {report['machine']['cpus']} CPUs · "
        f"Python {report['machine']['python']} · clients and server share the machine; "
        f"load average (1 min) during the soak {_load(report['samples'])}.",
        "",
        f"Produced by `python bench/soak.py --clients {c['clients']} --duration {c['duration']} "
        f"--out bench/results`.",
        "",
        "## Verdict",
        "",
        "| check | result |",
        "|---|---|",
        *(f"| {k.replace('_', ' ')} | {'yes' if ok else '**no**'} |" for k, ok in v.items()),
        "",
        "## Requests",
        "",
        f"{o['requests']} requests, **{o['errors']} errors**, "
        f"{report['throughput_rps']:.1f} requests/s.",
        "",
        "| kind | requests | errors | p50 ms | p90 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *(
            f"| {k} | {s['requests']} | {s['errors']} | {s['p50_ms']} | {s['p90_ms']} | "
            f"{s['p99_ms']} | {s['max_ms']} |"
            for k, s in [*report["by_kind"].items(), ("**all**", o)]
        ),
        "",
    ]
    if report["error_examples"]:
        lines += ["Errors (first ones):", ""]
        lines += [f"- `{e['kind']} {e['name']}`: {e['error']}" for e in report["error_examples"]]
        lines += [""]
    lines += [
        "## Processes (RSS and open file descriptors over the soak)",
        "",
        f"Growth is judged from the end of the warm-up ({_warm(report['samples'])['t']:.0f} s in:"
        " caches fill and the clients' connections open until then) to the most since; a leak "
        "goes on growing.",
        "",
        "| process | pid | RSS start MB | RSS after warm-up MB | most since MB | RSS end MB | "
        "fds start | fds after warm-up | most since | fds end | note |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        *(
            f"| {p['role']} | {p['pid']} | {_mb(p['rss_start_kb'])} | {_mb(p['rss_warm_kb'])} | "
            f"{_mb(p['rss_most_after_warm_kb'])} | {_mb(p['rss_end_kb'])} | "
            f"{_n(p['fds_start'])} | {_n(p['fds_warm'])} | {_n(p['fds_most_after_warm'])} | "
            f"{_n(p['fds_end'])} | {p['note']} |"
            for p in report["processes"]
        ),
        "",
        f"Sampled every {c['sample_every']} s ({len(report['samples'])} samples in `soak.json`).",
        "",
        "## Burst past what the processes evaluate and queue",
        "",
        f"{b['requests']} simultaneous slow queries (`{c['burst_query']}`, "
        f"{c['http_processes']} processes × (max-concurrent {c['max_concurrent']} + max-queue "
        f"{c['max_queue']}) admitted at most) on separate connections: "
        f"statuses {b['statuses']}; {b['rejected_with_retry_after']} × 503 with `Retry-After` "
        f"(p99 {b['rejection_p99_ms']} ms), {b['rejected_without_retry_after']} without; other "
        f"statuses {b['other']}; the last 200 after {b['ok_max_s']} s; the server "
        f"{'answered' if b['alive_after'] else '**did not answer**'} afterwards "
        f"(processes before {len(b['pids_before'])}, after {len(b['pids_after'])}).",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def _load(samples: list[dict]) -> str:
    loads = [s["load"][0] for s in samples if "load" in s]
    return f"{min(loads):.1f}–{max(loads):.1f}" if loads else "unknown"


def _mb(kb: int | None) -> str:
    return "–" if kb is None else f"{kb / 1024:.1f}"


def _n(value: int | None) -> str:
    return "–" if value is None else str(value)


# --- main ------------------------------------------------------------------------------------


def build(build_dir: Path, log: Path) -> None:
    env = {**os.environ, "BENELUX_KG_BUILD_DIR": str(build_dir)}
    with log.open("ab") as out:
        subprocess.run(
            [sys.executable, "-m", "kg_service.cli", "build"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
            timeout=600,
        )


def wait_ready(url: str, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError("the server did not become ready")


def alive(url: str) -> bool:
    with contextlib.suppress(httpx.HTTPError, ValueError, KeyError):
        r = httpx.get(url + "/sparql", params={"query": "ASK {}"}, timeout=30)
        return r.status_code == 200 and r.json()["boolean"] is True
    return False


def versions() -> dict:
    out = {}
    for name in ("pyoxigraph", "fastapi", "uvicorn", "httpx", "uvloop", "httptools"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[name] = metadata.version(name)
    return out


def run(args: argparse.Namespace) -> dict:
    args.out.mkdir(parents=True, exist_ok=True)
    log = args.out / "soak.log"
    log.write_text("")
    tmp = Path(tempfile.mkdtemp(prefix="benelux-kg-soak-"))
    try:
        build_dir = args.build_dir or tmp / "build"
        if not args.build_dir:
            print("building the graph into", build_dir, flush=True)
            build(build_dir, log)
        with Servers(args.out) as servers:
            return serve_and_measure(args, servers, build_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def serve_and_measure(args: argparse.Namespace, servers: Servers, build_dir: Path) -> dict:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    argv = [
        sys.executable,
        "-m",
        "kg_service.cli",
        "serve",
        "--port",
        str(port),
        "--max-concurrent",
        str(args.max_concurrent),
        "--max-queue",
        str(args.max_queue),
        "--max-wait",
        str(args.max_wait),
        "--query-timeout",
        str(args.query_timeout),
    ]
    env = {"BENELUX_KG_BUILD_DIR": str(build_dir)}
    server = servers.start("soak", argv, url, env)
    wait_ready(url, server.process)
    root = server.pid
    with httpx.Client(base_url=url, timeout=60) as http:
        reqs = competency_queries() + discover(http, args.entities)
        warm = [asyncio.run(_once(url, r)) for r in reqs]
    bad = [o for o in warm if o.error]
    if bad:
        print(f"warning: {len(bad)} requests failed in the warm-up, e.g. {bad[0]}", flush=True)
    print(
        f"serving at {url} (pid {root}); {len(reqs)} distinct requests; soaking "
        f"{args.clients} clients for {args.duration} s",
        flush=True,
    )
    outcomes, samples, elapsed = asyncio.run(soak(url, root, weighted_mix(reqs), args))
    print(f"soak done: {len(outcomes)} requests; burst of {args.burst}", flush=True)
    before = _dicts(root)
    n = args.burst
    raw = asyncio.run(burst(url, n, args.burst_query))
    time.sleep(1)
    is_alive = alive(url) and server.process.poll() is None
    after = _dicts(root)
    soaked = {"outcomes": outcomes, "samples": samples, "elapsed": elapsed}
    bursted = {"raw": raw, "n": n, "alive": is_alive, "before": before, "after": after}
    return make_report(args, reqs, warm, soaked, bursted)


async def _once(url: str, req: Req) -> Outcome:
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        return await send(client, req)


def make_report(
    args: argparse.Namespace, reqs: list[Req], warm: list[Outcome], soaked: dict, bursted: dict
) -> dict:
    outcomes, samples, elapsed = soaked["outcomes"], soaked["samples"], soaked["elapsed"]
    by_kind = defaultdict(list)
    for o in outcomes:
        by_kind[o.kind].append(o)
    errors = [o for o in outcomes if o.error]
    report = {
        "finished": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "config": {
            "clients": args.clients,
            "duration": args.duration,
            "max_concurrent": args.max_concurrent,
            "query_timeout": args.query_timeout,
            "http_processes": max(2, os.cpu_count() or 2),  # serve's default --workers
            "max_queue": args.max_queue,
            "max_wait": args.max_wait,
            "sample_every": args.sample_every,
            "burst": args.burst,
            "burst_query": args.burst_query,
            "seed": args.seed,
            "weights": WEIGHTS,
            "distinct_requests": Counter(r.kind for r in reqs),
        },
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "versions": versions(),
        },
        "elapsed_s": round(elapsed, 1),
        "throughput_rps": round(len(outcomes) / elapsed, 1) if elapsed else 0.0,
        "overall": latency(outcomes),
        "by_kind": {k: latency(v) for k, v in sorted(by_kind.items())},
        "by_request": {f"{k[0]} {k[1]}": latency(v) for k, v in sorted(_group(outcomes).items())},
        "statuses": {str(k): v for k, v in sorted(Counter(o.status for o in outcomes).items())},
        "warmup_errors": [asdict(o) for o in warm if o.error],
        "error_examples": [asdict(o) for o in errors[:20]],
        "processes": process_report(samples),
        "samples": samples,
        "burst": summarise_burst(**bursted),
    }
    report["burst"]["raw"] = bursted["raw"]["results"]
    report["verdicts"] = verdicts(report, args)
    return report


def _group(outcomes: list[Outcome]) -> dict[tuple[str, str], list[Outcome]]:
    groups: dict[tuple[str, str], list[Outcome]] = defaultdict(list)
    for o in outcomes:
        groups[(o.kind, o.name)].append(o)
    return groups


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--duration", type=float, default=300, help="seconds of soak")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    p.add_argument(
        "--max-concurrent",
        type=int,
        default=40,
        help="the server's cap (above --clients, so the soak itself is never refused)",
    )
    p.add_argument("--max-queue", type=int, default=16, help="the server's queue bound per process")
    p.add_argument("--max-wait", type=float, default=5, help="the server's longest wait, s")
    p.add_argument("--query-timeout", type=float, default=30)
    p.add_argument("--sample-every", type=float, default=10)
    p.add_argument("--entities", type=int, default=60, help="entity pages in the mix")
    p.add_argument(
        "--burst",
        type=int,
        default=300,
        help="simultaneous slower queries after the soak (past what the processes evaluate "
        "and queue: some must be answered 503)",
    )
    p.add_argument("--burst-query", default=SLOW_QUERY)
    p.add_argument("--rss-tolerance-mb", type=float, default=10)
    p.add_argument("--build-dir", type=Path, default=None, help="an existing build to serve")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    if args.max_concurrent < args.clients:
        p.error("--max-concurrent must be at least --clients (the soak must not hit the cap)")
    return args


def compact_log(path: Path) -> None:
    """Keep the server's log without its access lines (one JSON line per request: ~10 MB)."""
    with contextlib.suppress(OSError):
        lines = path.read_text(errors="replace").splitlines()
        kept = [line for line in lines if not line.startswith('{"method"')]
        dropped = len(lines) - len(kept)
        kept.append(f"({dropped} access log lines removed by bench/soak.py)")
        path.write_text("\n".join(kept) + "\n")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with sigterm_as_interrupt():
        try:
            report = run(args)
        finally:
            compact_log(args.out / "soak.log")
    (args.out / "soak.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    write_markdown(report, args.out / "soak.md")
    o = report["overall"]
    print(
        f"{o['requests']} requests, {o['errors']} errors, p50 {o['p50_ms']} ms, "
        f"p99 {o['p99_ms']} ms, {report['throughput_rps']} req/s; verdicts {report['verdicts']}"
    )
    print(f"wrote {args.out / 'soak.json'} and {args.out / 'soak.md'}")
    return 0 if all(report["verdicts"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
