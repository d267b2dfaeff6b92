"""Ratios, target checks and the markdown tables of a benchmark run (pure functions on dicts).

The input is the ``latest.json`` structure written by ``bench.py``; nothing here measures.
A throughput ratio uses only the queries where both servers answered at least
:data:`MIN_ANSWERS` requests in the cell: one or two slow answers in a few seconds say too
little. The excluded queries are listed; the geometric mean says over how many it ran.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

__all__ = ["best_ours", "markdown", "ratios"]

MIN_ANSWERS = 5
OXIGRAPH = "oxigraph"
RDFLIB = "rdflib-endpoint"

TARGETS = (
    "ours/rdflib-endpoint ≥ 20× (geometric mean) and ≥ 1× on every query",
    "ours/oxigraph ≥ 0.8× (geometric mean) at concurrency 16",
    "`serve` answers its first query within 2 s of start, 1M triples, on-disk store",
)


def _cells(size: dict, server: str, concurrency: int) -> dict[str, dict]:
    return {
        c["query"]: c
        for c in size["cells"]
        if c["server"] == server and c["concurrency"] == concurrency
    }


def _rate(cell: dict) -> float:
    """Requests/s, floored at one request in the cell's time (for ranking configurations)."""
    return cell["rps"] if cell["rps"] > 0 else 1 / max(cell["seconds"], 1e-9)


def _answers(cell: dict) -> int:
    return cell["requests"] - cell.get("non_2xx", 0)


def geomean(values: Iterable[float]) -> float:
    values = list(values)
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


def _ratio(ours: dict[str, dict], other: dict[str, dict]) -> dict | None:
    shared = sorted(set(ours) & set(other))
    usable = [q for q in shared if min(_answers(ours[q]), _answers(other[q])) >= MIN_ANSWERS]
    if not usable:
        return None
    per_query = {q: ours[q]["rps"] / other[q]["rps"] for q in usable}
    worst = min(per_query, key=per_query.get)
    return {
        "geomean": _round(geomean(per_query.values())),
        "min": _round(per_query[worst]),
        "min_query": worst,
        "queries": len(usable),
        "excluded": [q for q in shared if q not in usable],
        "per_query": {q: _round(v) for q, v in per_query.items()},
    }


def _round(value: float) -> float:
    """Three significant digits (a ratio of 0.00004 must not become 0)."""
    return float(f"{value:.3g}")


def ratios(size: dict, ours: str, concurrencies: Iterable[int]) -> dict:
    """ours/oxigraph and ours/rdflib-endpoint throughput ratios at each concurrency."""
    out: dict = {}
    for c in concurrencies:
        mine = _cells(size, ours, c)
        for other in (OXIGRAPH, RDFLIB):
            found = _ratio(mine, _cells(size, other, c))
            if found:
                out[f"{other}@c{c}"] = found
    return out


def best_ours(size: dict, names: Iterable[str]) -> str:
    """The configuration of ours with the highest geometric-mean throughput over all cells."""

    def score(name: str) -> float:
        rates = [_rate(c) for c in size["cells"] if c["server"] == name]
        return geomean(rates) if rates else 0.0

    return max(names, key=score)


# --- markdown ------------------------------------------------------------------------------


def _fmt_rps(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def _fmt_ms(value: float) -> str:
    return f"{value:.3g}" if value < 100 else f"{value:,.0f}"


def _cell_text(cell: dict | None) -> str:
    if cell is None:
        return "–"
    if cell["rps"] == 0:
        text = f"<{_fmt_rps(1 / max(cell['seconds'], 1e-9))}/s (none finished)"
    else:
        text = f"**{_fmt_rps(cell['rps'])}**/s · {_fmt_ms(cell['p50_ms'])} · "
        text += f"{_fmt_ms(cell['p99_ms'])} ms"
    return text + (f" · {cell['errors']} err" if cell["errors"] else "")


def _ratio_text(r: dict | None) -> str:
    if r is None:
        return "–"
    total = r["queries"] + len(r["excluded"])
    return f"{r['geomean']:.2f}×" + (f" ({r['queries']}/{total} queries)" if r["excluded"] else "")


def _per_query_ratio(r: dict | None, query: str) -> str:
    if r is None or query not in r["per_query"]:
        return "–"
    return f"{r['per_query'][query]:.2f}×"


def _cells_table(size: dict, servers: list[str], concurrencies: list[int], ours: str) -> list[str]:
    head = ["query", "c", *servers, f"{ours}/oxigraph", f"{ours}/rdflib-endpoint"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    rat = size["ratios"][ours]
    for q in size["queries"]:
        for c in concurrencies:
            row = [q, str(c)]
            row += [_cell_text(_cells(size, s, c).get(q)) for s in servers]
            row += [_per_query_ratio(rat.get(f"{o}@c{c}"), q) for o in (OXIGRAPH, RDFLIB)]
            lines.append("| " + " | ".join(row) + " |")
    return lines


def _ratios_table(size: dict, names: list[str], concurrencies: list[int]) -> list[str]:
    head = ["ours", *(f"÷ {o} c{c}" for o in (OXIGRAPH, RDFLIB) for c in concurrencies)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name in names:
        rat = size["ratios"][name]
        cells = (rat.get(f"{o}@c{c}") for o in (OXIGRAPH, RDFLIB) for c in concurrencies)
        row = [name, *(_with_min(r) for r in cells)]
        lines.append("| " + " | ".join(row) + " |")
    reference = [f"*{OXIGRAPH} (reference)*", *("–" for _ in concurrencies)]
    reference += [_with_min(_reference(size, c)) for c in concurrencies]
    return [*lines, "| " + " | ".join(reference) + " |"]


def _reference(size: dict, c: int) -> dict | None:
    """The Oxigraph server ÷ rdflib-endpoint: the engines' own gap, a ceiling for ours."""
    return _ratio(_cells(size, OXIGRAPH, c), _cells(size, RDFLIB, c))


def _with_min(r: dict | None) -> str:
    return _ratio_text(r) + (f" (min {r['min']:.2f}× {r['min_query']})" if r else "")


def _overhead_table(size: dict, ours: str) -> list[str]:
    head = [
        "query",
        "rows",
        "pyoxigraph in-process ms",
        f"{ours} p50 ms",
        "of which outside the engine",
        f"{ours} server CPU ms/req",
        "oxigraph p50 ms",
        "oxigraph server CPU ms/req",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    mine, ox = _cells(size, ours, 1), _cells(size, OXIGRAPH, 1)
    for q in size["queries"]:
        engine = size.get("engine_ms", {}).get(q)
        row = [q, str(size["rows"].get(q, {}).get(ours, "?"))]
        row.append(_fmt_ms(engine) if engine is not None else "–")
        row += _overhead_cells(mine.get(q), engine)
        row += _overhead_cells(ox.get(q), None)[::2]
        lines.append("| " + " | ".join(row) + " |")
    return lines


def _cpu(cell: dict | None) -> str:
    value = cell.get("server_cpu_ms_per_request") if cell else None
    return _fmt_ms(value) if value is not None else "–"


def _overhead_cells(cell: dict | None, engine: float | None) -> list[str]:
    if cell is None:
        return ["–", "–", "–"]
    p50 = cell["p50_ms"]
    share = f"{max(p50 - engine, 0) / p50:.0%}" if engine is not None and p50 else "–"
    return [_fmt_ms(p50), share, _cpu(cell)]


def _target_lines(size: dict, ours: str, concurrencies: list[int]) -> list[str]:
    rat, lines = size["ratios"][ours], []
    rd = [rat.get(f"{RDFLIB}@c{c}") for c in concurrencies]
    if all(rd):
        gm = min(r["geomean"] for r in rd)
        worst = min(r["min"] for r in rd)
        ok = gm >= 20 and worst >= 1
        lines.append(
            f"- {TARGETS[0]}: {'met' if ok else 'NOT met'} (lowest geomean "
            f"{gm:.1f}×, slowest query {worst:.2f}×; c1 {_ratio_text(rd[0])}, "
            f"c16 {_ratio_text(rd[-1])}; the Oxigraph server itself: "
            + ", ".join(f"c{c} {_ratio_text(_reference(size, c))}" for c in concurrencies)
            + ")"
        )
    ox16 = rat.get(f"{OXIGRAPH}@c16")
    if ox16:
        ok = ox16["geomean"] >= 0.8
        lines.append(f"- {TARGETS[1]}: {'met' if ok else 'NOT met'} ({_ratio_text(ox16)})")
    if size.get("startup_seconds"):
        first = min(size["startup_seconds"])
        med = sorted(size["startup_seconds"])[len(size["startup_seconds"]) // 2]
        ok = "met" if med <= 2 else "NOT met"
        lines.append(
            f"- {TARGETS[2]}: {ok} ({size['label']}: median {med:.2f} s, best {first:.2f} s "
            f"of {len(size['startup_seconds'])} starts)"
        )
    return lines


def _size_section(size: dict, run: dict) -> list[str]:
    names, ours = run["ours"], size["best_ours"]
    servers = [*names, OXIGRAPH, RDFLIB]
    concs = run["settings"]["concurrencies"]
    out = [f"## {size['label']} triples ({size['triples']:,})", ""]
    out += [f"- {line}" for line in size["notes"]]
    out += [f"- best configuration of ours: **{ours}** ({run['ours_configs'][ours]})", ""]
    out += ["Each cell: **requests/s** · p50 · p99 latency (ms).", ""]
    out += _cells_table(size, servers, concs, ours)
    out += ["", "Throughput ratios (geometric mean over the mix):", ""]
    out += _ratios_table(size, names, concs)
    out += ["", "Where the time goes (concurrency 1; server CPU = all its processes):", ""]
    out += _overhead_table(size, ours)
    targets = _target_lines(size, ours, concs)
    return out + ([""] + ["Targets:", ""] + targets if targets else []) + [""]


def markdown(run: dict) -> str:
    """The whole report: machine, versions, then one section per size."""
    m, v, s = run["machine"], run["versions"], run["settings"]
    out = [
        "# SPARQL benchmark: latest run",
        "",
        f"{run['generated']} · {m['cpus']} CPUs ({m['cpu_model']}) · {m['memory_gb']} GB · "
        f"Python {m['python']} · commit {run.get('commit', '?')}",
        "",
        "Versions: " + ", ".join(f"{k} {val}" for k, val in v.items()),
        "",
        f"Each cell ran {s['duration']} s with wrk (1 thread) on 127.0.0.1; concurrency "
        f"{' and '.join(map(str, s['concurrencies']))}; data seed {s['seed']}.",
        "",
        "Servers: " + "; ".join(f"**{k}**: {val}" for k, val in run["servers"].items()),
        "",
    ]
    out += [f"**WARNING: {line}**" for line in run.get("warnings", [])]
    for size in run["sizes"].values():
        out += _size_section(size, run)
    return "\n".join(out).rstrip() + "\n"
