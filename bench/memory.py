"""How much memory a deployment needs: RSS and PSS of every process of ``benelux-kg serve``.

    python bench/memory.py --sizes 1M --out bench/results

For each size it generates the synthetic graph (``synthetic.py``) and serves it twice with the
default settings (``--workers`` = max(2, CPUs)):

1. **on disk**: ``serve --store PATH`` on a pyoxigraph store folder loaded beforehand;
2. **memory**: ``serve --store memory``, which loads the build's N-Quads dump into a store in
   its run folder at start (here the dump is the synthetic graph).

Each server is measured idle (just after its first answer), then after every query of
``queries/`` has been sent for ``--duration`` seconds at 16 connections, as distinct texts
(wrk, the benchmark's harness), and after one validation (which starts the pySHACL workers).
RSS counts shared pages (code, the store's files in the page cache) in every process that maps
them; PSS splits them, so the PSS total is what the server adds to the machine.

Writes ``<out>/memory.json`` and ``<out>/memory.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import httpx
import load
import synthetic
from servers import Servers, free_port, process_memory, wait_answer

import bench
from kg_service.build.layout import dump_path
from kg_service.rdf.formats import NQUADS
from kg_service.settings import Settings

HERE = Path(__file__).resolve().parent
TURTLE = "@prefix ex: <http://example.org/> . ex:a a ex:Thing ; ex:name 'a' .\n"


def summary(memory: dict) -> dict:
    """Totals and the largest HTTP process, in MB."""
    rows = memory["processes"]
    http = [r for r in rows if r["role"] == "spawned"]
    return {
        "processes": len(rows),
        "roles": sorted(r["role"] for r in rows),
        "rss_mb": round(memory["rss_kb"] / 1024),
        "pss_mb": round(memory["pss_kb"] / 1024) if memory["pss_kb"] is not None else None,
        "largest_process_rss_mb": round(max(r["rss_kb"] for r in rows) / 1024),
        "http_processes": len(http),
    }


def serve_and_measure(
    servers: Servers, name: str, argv: list[str], env: dict, queries: list, duration: float
) -> dict:
    """Start, wait for the first answer, then read memory idle, after load, after validation."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/sparql"
    full = [*argv, "--host", "127.0.0.1", "--port", str(port)]
    server = servers.start(name, full, url, env)
    probe = queries[0]
    out: dict = {"first_answer_s": round(wait_answer(server, probe.text, probe.accept, 600), 2)}
    time.sleep(1)  # the other HTTP processes finish starting
    out["idle"] = summary(process_memory(server.pid))
    for q in queries:
        load.drive(url, q.text, q.accept, 16, duration, 30.0)
    out["after_queries"] = summary(process_memory(server.pid))
    response = httpx.post(
        url.replace("/sparql", "/validate"),
        content=TURTLE,
        headers={"Content-Type": "text/turtle", "Accept": "application/json"},
        timeout=120,
    )
    out["validation_status"] = response.status_code
    out["after_validation"] = summary(process_memory(server.pid))
    out["detail"] = process_memory(server.pid)
    servers.stop(server)
    print(f"[{name}] {json.dumps({k: v for k, v in out.items() if k != 'detail'})}", flush=True)
    return out


def measure_size(label: str, n: int, work: Path, args: argparse.Namespace, tools: dict) -> dict:
    folder = work / label
    folder.mkdir()
    nt = folder / "data.nt"
    synthetic.generate(n, nt, args.seed)
    bench.load_pyoxigraph(nt, folder / "store")
    # the memory store loads the build's dump: a copy of the bench project's build with ours
    env = bench.bench_project(folder, tools)
    settings = Settings.load(env)
    shutil.copyfile(nt, dump_path(settings, NQUADS))  # N-Triples are N-Quads
    exe = str(tools["benelux-kg"])
    queries = bench.load_queries(args.queries)
    with Servers(folder) as servers:
        disk = serve_and_measure(
            servers,
            f"{label}-disk",
            [exe, "serve", "--store", str(folder / "store")],
            env,
            queries,
            args.duration,
        )
        memory = serve_and_measure(
            servers,
            f"{label}-memory",
            [exe, "serve", "--store", "memory"],
            env,
            queries,
            args.duration,
        )
    return {"label": label, "triples": n, "on_disk": disk, "memory": memory}


def report(run: dict) -> str:
    lines = [
        "# Memory of a deployment",
        "",
        f"{run['generated']} · {run['machine']} · commit {run['commit']} · "
        f"`serve` with default settings ({run['workers']} HTTP processes)",
        "",
        "RSS counts shared pages in every process that maps them; PSS splits them, so the PSS "
        "total is what the server adds to the machine. Idle: just after the first answer. "
        f"After queries: every benchmark query for {run['duration']} s at 16 connections "
        "(distinct texts). After validation: one `POST /validate`, which starts the pySHACL "
        "workers of the process that took it.",
        "",
        "| triples | store | when | processes | RSS total MB | PSS total MB "
        "| largest process RSS MB | first answer s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for size in run["sizes"]:
        for store in ("on_disk", "memory"):
            m = size[store]
            for when in ("idle", "after_queries", "after_validation"):
                s = m[when]
                lines.append(
                    f"| {size['triples']:,} | {store.replace('_', ' ')} | "
                    f"{when.replace('_', ' ')} | {s['processes']} | {s['rss_mb']:,} | "
                    f"{s['pss_mb'] if s['pss_mb'] is not None else '–'} | "
                    f"{s['largest_process_rss_mb']:,} | "
                    f"{m['first_answer_s'] if when == 'idle' else ''} |"
                )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="1M")
    p.add_argument("--duration", type=float, default=5.0, help="seconds per query under load")
    p.add_argument("--queries", type=Path, default=HERE / "queries")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, default=HERE / "results")
    p.add_argument("--workdir", type=Path, default=None)
    args = p.parse_args(argv)
    tools = bench.find_tools(None)
    if tools["benelux-kg"] is None or tools["wrk"] is None:
        sys.exit("needs benelux-kg (make setup) and wrk (apt-get install wrk)")
    run = {
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} CPUs, Python {platform.python_version()}",
        "commit": bench._commit(),
        "workers": Settings().workers,
        "duration": args.duration,
        "sizes": [],
    }
    with tempfile.TemporaryDirectory(prefix="benelux-memory-", dir=args.workdir) as tmp:
        for label, n in bench._sizes(args.sizes):
            run["sizes"].append(measure_size(label, n, Path(tmp), args, tools))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "memory.json").write_text(json.dumps(run, indent=1) + "\n")
    (args.out / "memory.md").write_text(report(run))
    print(f"wrote {args.out / 'memory.json'} and {args.out / 'memory.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
