"""What one write costs: ``INSERT DATA`` of 10 triples over HTTP at 10k and 1M triples stored.

For each size, the seeded synthetic graph (``synthetic.py``) is loaded into an on-disk store
folder (its default graph, plus the union graph ``serve`` reads) and served by
``benelux-kg serve --store PATH --update-token T``. Then, one request at a time:

* ``--writes`` distinct ``INSERT DATA`` of 10 new triples into the default graph (no GRAPH);
* the same number into a named graph;
* the same number of ``DELETE DATA`` of 10 of those triples (the union check per triple).

Each request is timed from send to the ``204`` (acknowledged: committed, and visible to the
next query). The reference is what every write cost before the union was kept incrementally:
rebuilding the union graph from the whole store (``FILL_UNION``), timed in-process on a copy
of the same store. Results: ``writes.json`` and ``writes.md`` in ``--out``.

    .venv/bin/python bench/write_bench.py --sizes 10k,1M --out bench/results
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import synthetic
from servers import Servers, free_port, sigterm_as_interrupt, wait_answer

from bench import BIN, bench_project, load_pyoxigraph, machine
from kg_service.query.union import FILL_UNION

TOKEN = "write-bench"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EX = "http://example.org/write-bench/"


def _size(text: str) -> int:
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("km")) * factor)


def _insert(batch: int, graph: str | None) -> str:
    triples = " ".join(f'<{EX}s{batch}> <{EX}p{i}> "value {batch}.{i}" .' for i in range(10))
    return (
        f"INSERT DATA {{ GRAPH <{graph}> {{ {triples} }} }}"
        if graph
        else (f"INSERT DATA {{ {triples} }}")
    )


def _delete(batch: int) -> str:
    triples = " ".join(f'<{EX}s{batch}> <{EX}p{i}> "value {batch}.{i}" .' for i in range(10))
    return f"DELETE DATA {{ {triples} }}"


def _timed_posts(client: httpx.Client, url: str, texts: list[str]) -> list[float]:
    times = []
    for text in texts:
        start = time.perf_counter()
        r = client.post(url, data={"update": text}, headers=AUTH)
        times.append(time.perf_counter() - start)
        if r.status_code != 204:
            raise SystemExit(f"write failed: {r.status_code} {r.text[:200]}")
    return times


def _summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))] * 1000, 2),
        "n": len(ordered),
    }


def _refresh_seconds(folder: Path, scratch: Path) -> float:
    """The old cost of every write: the whole union rebuilt (on a copy of the store)."""
    copy = scratch / "refresh-copy"
    shutil.copytree(folder, copy)
    store = ox.Store(str(copy))
    start = time.perf_counter()
    store.update(FILL_UNION)
    elapsed = time.perf_counter() - start
    del store
    shutil.rmtree(copy, ignore_errors=True)
    return elapsed


def run_size(n: int, scratch: Path, tools: dict, project_env: dict, writes: int) -> dict:
    nt, folder = scratch / f"{n}.nt", scratch / f"store-{n}"
    synthetic.generate(n, nt)
    load_pyoxigraph(nt, folder)
    refresh = _refresh_seconds(folder, scratch)
    port = free_port()
    argv = [str(tools["benelux-kg"]), "serve", "--host", "127.0.0.1", "--port", str(port)]
    argv += ["--store", str(folder), "--update-token", TOKEN]
    url = f"http://127.0.0.1:{port}"
    with Servers(scratch) as servers, httpx.Client(timeout=120) as client:
        server = servers.start(f"serve-{n}", argv, f"{url}/sparql", project_env)
        wait_answer(server, "ASK {}", "application/sparql-results+json", timeout=300)
        _timed_posts(client, f"{url}/update", [_insert(-1, None)])  # warm-up
        default = _timed_posts(client, f"{url}/update", [_insert(b, None) for b in range(writes)])
        named = _timed_posts(
            client, f"{url}/update", [_insert(writes + b, EX + "g") for b in range(writes)]
        )
        deletes = _timed_posts(client, f"{url}/update", [_delete(b) for b in range(writes)])
        mine = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{EX}')) }}"
        check = client.post(
            f"{url}/sparql",
            data={"query": mine},
            headers={"Accept": "application/sparql-results+json"},
        ).json()["results"]["bindings"][0]["n"]["value"]
    return {
        "triples": n,
        "insert_default": _summary(default),
        "insert_named": _summary(named),
        "delete_default": _summary(deletes),
        "visible_after": int(check),
        "expected_visible": 10 * (writes + 1 + writes) - 10 * writes,
        "refresh_whole_union_ms": round(refresh * 1000, 1),
    }


def markdown(results: list[dict], info: dict) -> str:
    lines = [
        "# Write benchmark",
        "",
        f"Run of {info['date']} on {info['machine']}. One request at a time, each timed from "
        "send to its `204` (committed and visible). Distinct writes: every request inserts "
        "10 new triples. Median (p90), milliseconds.",
        "",
        "| triples stored | INSERT DATA, default graph | INSERT DATA, named graph | "
        "DELETE DATA, default graph | before: the whole union rebuilt on every write |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        cells = [
            f"{r[k]['median_ms']} ({r[k]['p90_ms']})"
            for k in ("insert_default", "insert_named", "delete_default")
        ]
        lines.append(f"| {r['triples']:,} | {' | '.join(cells)} | {r['refresh_whole_union_ms']} |")
    lines += ["", "Versions: " + ", ".join(f"{k} {v}" for k, v in info["versions"].items())]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,1M")
    parser.add_argument("--writes", type=int, default=30)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args(argv)
    tools = {"benelux-kg": BIN / "benelux-kg"}
    scratch = Path(tempfile.mkdtemp(prefix="benelux-kg-writes-"))
    results = []
    try:
        with sigterm_as_interrupt():
            project_env = bench_project(scratch, tools)
            for size in args.sizes.split(","):
                result = run_size(_size(size), scratch, tools, project_env, args.writes)
                print(json.dumps(result), flush=True)
                if result["visible_after"] != result["expected_visible"]:
                    print("WARNING: the writes are not all visible", file=sys.stderr)
                results.append(result)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    host = machine()
    info = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{host['cpus']} cores ({host['cpu_model']}), Python {host['python']}",
        "versions": {"pyoxigraph": ox.__version__},
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "writes.json").write_text(json.dumps({"info": info, "results": results}, indent=2))
    (args.out / "writes.md").write_text(markdown(results, info))
    print(markdown(results, info))
    return 0


if __name__ == "__main__":
    sys.exit(main())
