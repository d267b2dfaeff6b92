"""Ratios, target checks and the markdown tables of a benchmark run (pure functions on dicts).

The input is the ``latest.json`` structure written by ``bench.py``; nothing here measures.
Each cell belongs to a set-up (``pinned``: one core each; ``whole``: the whole machine) and a
mode (``distinct``: a new query text per request; ``repeated``: one body over and over).
A throughput ratio uses only the queries where both servers answered at least
:data:`MIN_ANSWERS` requests in the cell: one or two slow answers in a few seconds say too
little. The excluded queries are listed; the geometric mean says over how many it ran.

:func:`markdown` gives every table (``latest.md``), :func:`summary` the compact table of the
README.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

__all__ = ["best_ours", "failures", "finish_size", "markdown", "ratios", "summary"]

MIN_ANSWERS = 5
OXIGRAPH = "oxigraph"
RDFLIB = "rdflib-endpoint"
#: bench/floor_app.py: a bare ASGI app on uvicorn, what Python and uvicorn cost per request
FLOOR = "floor"
# runs from before set-ups and modes: the whole machine, one body repeated
DEFAULT_SETUP, DEFAULT_MODE = "whole", "repeated"
SETUP_TITLES = {
    "pinned": "pinned: one core each (the server on CPU 0, wrk on CPU 1)",
    "whole": "the whole machine (no pinning)",
}
MODE_TITLES = {
    "distinct": "distinct queries: every request a new query text (no cache can answer it)",
    "repeated": "repeated query: the same request body over and over",
}

TARGETS = (
    "ours/rdflib-endpoint ≥ 20× (geometric mean) and ≥ 1× on every query",
    "ours/oxigraph ≥ 0.85× (geometric mean) at concurrency 16, no query below 0.4×",
    "`serve` answers its first query within 2 s of start, 1M triples, on-disk store",
    "p99 ≤ 1.5× the Oxigraph server's (geometric mean) at concurrency 16",
    "repeated query ≥ 2× the Oxigraph server (geometric mean) at concurrency 16",
)


# --- picking cells -------------------------------------------------------------------------


def setup_of(cell: dict) -> str:
    return cell.get("setup", DEFAULT_SETUP)


def mode_of(cell: dict) -> str:
    return cell.get("mode", DEFAULT_MODE)


def _cells(size: dict, server: str, c: int, setup: str, mode: str) -> dict[str, dict]:
    """The cells of ``server`` at concurrency ``c`` in ``setup`` and ``mode``, by query."""
    return {
        cell["query"]: cell
        for cell in size["cells"]
        if cell["server"] == server
        and cell["concurrency"] == c
        and setup_of(cell) == setup
        and mode_of(cell) == mode
    }


def _unique(values: Iterable) -> list:
    return list(dict.fromkeys(values))


def setups(size: dict) -> list[str]:
    """The set-ups measured at this size, in the order measured."""
    return _unique(setup_of(c) for c in size["cells"])


def modes(size: dict, setup: str) -> list[str]:
    return _unique(mode_of(c) for c in size["cells"] if setup_of(c) == setup)


def concurrencies(size: dict, setup: str, mode: str, server: str | None = None) -> list[int]:
    """The concurrencies measured in ``setup`` and ``mode`` (of ``server`` if given), sorted."""
    return sorted(
        {
            c["concurrency"]
            for c in size["cells"]
            if setup_of(c) == setup
            and mode_of(c) == mode
            and (server is None or c["server"] == server)
        }
    )


def _servers(size: dict, setup: str, mode: str) -> list[str]:
    return _unique(
        c["server"] for c in size["cells"] if setup_of(c) == setup and mode_of(c) == mode
    )


# --- ratios --------------------------------------------------------------------------------


def _rate(cell: dict) -> float:
    """Requests/s, floored at one request in the cell's time (for ranking configurations)."""
    return cell["rps"] if cell["rps"] > 0 else 1 / max(cell["seconds"], 1e-9)


def _answers(cell: dict) -> int:
    return cell["requests"] - cell.get("non_2xx", 0)


def geomean(values: Iterable[float]) -> float:
    values = list(values)
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


def _round(value: float) -> float:
    """Three significant digits (a ratio of 0.00004 must not become 0)."""
    return float(f"{value:.3g}")


def _p99(ours: dict[str, dict], other: dict[str, dict], usable: list[str]) -> dict:
    """ours' p99 ÷ the other's, per query: geometric mean and the highest (the worst)."""
    per = {
        q: ours[q]["p99_ms"] / other[q]["p99_ms"]
        for q in usable
        if ours[q]["p99_ms"] > 0 and other[q]["p99_ms"] > 0
    }
    if not per:
        return {}
    worst = max(per, key=per.get)
    return {
        "p99_geomean": _round(geomean(per.values())),
        "p99_max": _round(per[worst]),
        "p99_max_query": worst,
    }


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
        **_p99(ours, other, usable),
    }


def ratios(size: dict, ours: str, setup: str = DEFAULT_SETUP, mode: str = DEFAULT_MODE) -> dict:
    """ours ÷ oxigraph and ours ÷ rdflib-endpoint (throughput, and p99 latency) at each
    concurrency of ``setup`` and ``mode``, keyed ``"<other>@c<N>"``."""
    out: dict = {}
    for c in concurrencies(size, setup, mode, ours):
        mine = _cells(size, ours, c, setup, mode)
        for other in (OXIGRAPH, RDFLIB, FLOOR):
            found = _ratio(mine, _cells(size, other, c, setup, mode))
            if found:
                out[f"{other}@c{c}"] = found
    return out


def best_ours(size: dict, names: Iterable[str], setup: str = DEFAULT_SETUP) -> str:
    """The configuration of ours with the highest geometric-mean throughput over the cells of
    ``setup`` (the distinct mode's when there are any)."""
    names = list(names)
    cells = [c for c in size["cells"] if setup_of(c) == setup]
    if any(mode_of(c) == "distinct" for c in cells):
        cells = [c for c in cells if mode_of(c) == "distinct"]

    def score(name: str) -> float:
        rates = [_rate(c) for c in cells if c["server"] == name]
        return geomean(rates) if rates else 0.0

    return max(names, key=score)


def failures(size: dict, setup: str) -> dict[str, dict]:
    """Per server, over every cell of ``setup``: requests, failed (errors + non-2xx: wrk
    counts non-2xx answers among its errors) and the cell with the most failures."""
    out: dict[str, dict] = {}
    for cell in size["cells"]:
        if setup_of(cell) != setup:
            continue
        row = out.setdefault(
            cell["server"], {"requests": 0, "failed": 0, "non_2xx": 0, "worst": None}
        )
        row["requests"] += cell["requests"]
        row["failed"] += cell["errors"]
        row["non_2xx"] += cell.get("non_2xx", 0)
        if cell["errors"] and (row["worst"] is None or cell["errors"] > row["worst"]["failed"]):
            row["worst"] = {
                "query": cell["query"],
                "mode": mode_of(cell),
                "concurrency": cell["concurrency"],
                "failed": cell["errors"],
            }
    return out


def finish_size(size: dict, names: list[str]) -> None:
    """Add the ratios, the best configuration of ours and the failures, per set-up."""
    size["ratios"] = {
        setup: {
            mode: {n: ratios(size, n, setup, mode) for n in names} for mode in modes(size, setup)
        }
        for setup in setups(size)
    }
    size["best_ours"] = {setup: best_ours(size, names, setup) for setup in setups(size)}
    size["failures"] = {setup: failures(size, setup) for setup in setups(size)}


# --- markdown: pieces ----------------------------------------------------------------------


def _row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _head(names: list[str]) -> list[str]:
    return [_row(names), "|" + "---|" * len(names)]


def _fmt_rps(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def _fmt_ms(value: float) -> str:
    return f"{value:.3g}" if value < 100 else f"{value:,.0f}"


def _fmt_mb(kb: int | None) -> str:
    return "–" if kb is None else f"{kb / 1024:,.0f}"


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


def _with_min(r: dict | None) -> str:
    return _ratio_text(r) + (f" (min {r['min']:.2f}× {r['min_query']})" if r else "")


def _p99_text(r: dict | None) -> str:
    if not r or "p99_geomean" not in r:
        return "–"
    return f"{r['p99_geomean']:.2f}× (max {r['p99_max']:.2f}× {r['p99_max_query']})"


def _per_query_ratio(r: dict | None, query: str) -> str:
    if r is None or query not in r["per_query"]:
        return "–"
    return f"{r['per_query'][query]:.2f}×"


def _ratio_of(size: dict, setup: str, mode: str, ours: str, key: str) -> dict | None:
    return size.get("ratios", {}).get(setup, {}).get(mode, {}).get(ours, {}).get(key)


def _reference(size: dict, c: int, setup: str, mode: str) -> dict | None:
    """The Oxigraph server ÷ rdflib-endpoint: the engines' own gap, a ceiling for ours."""
    return _ratio(_cells(size, OXIGRAPH, c, setup, mode), _cells(size, RDFLIB, c, setup, mode))


# --- markdown: the tables of one set-up and mode -------------------------------------------


def _cells_table(size: dict, setup: str, mode: str, ours: str) -> list[str]:
    servers = _servers(size, setup, mode)
    others = [o for o in (OXIGRAPH, RDFLIB, FLOOR) if o in servers]
    lines = _head(["query", "c", *servers, *(f"{ours}/{o}" for o in others)])
    for q in size["queries"]:
        for c in concurrencies(size, setup, mode):
            row = [q, str(c)]
            row += [_cell_text(_cells(size, s, c, setup, mode).get(q)) for s in servers]
            row += [
                _per_query_ratio(_ratio_of(size, setup, mode, ours, f"{o}@c{c}"), q) for o in others
            ]
            lines.append(_row(row))
    return lines


def _ratios_table(size: dict, setup: str, mode: str, names: list[str]) -> list[str]:
    lines = _head(
        [
            "ours",
            "c",
            "÷ oxigraph (geo-mean, lowest query)",
            "p99 ÷ oxigraph p99 (geo-mean, highest)",
            "÷ rdflib-endpoint",
            "*oxigraph ÷ rdflib-endpoint (reference)*",
            "÷ floor (what our features cost)",
            "*floor ÷ oxigraph (what uvicorn costs)*",
        ]
    )
    for name in names:
        for c in concurrencies(size, setup, mode, name):
            ox = _ratio_of(size, setup, mode, name, f"{OXIGRAPH}@c{c}")
            rd = _ratio_of(size, setup, mode, name, f"{RDFLIB}@c{c}")
            fl = _ratio_of(size, setup, mode, name, f"{FLOOR}@c{c}")
            ref = _reference(size, c, setup, mode)
            floor = _ratio(
                _cells(size, FLOOR, c, setup, mode), _cells(size, OXIGRAPH, c, setup, mode)
            )
            row = [name, str(c), _with_min(ox), _p99_text(ox), _with_min(rd), _with_min(ref)]
            lines.append(_row([*row, _with_min(fl), _with_min(floor)]))
    return lines


def _overhead_table(size: dict, setup: str, ours: str) -> list[str]:
    lines = _head(
        [
            "query",
            "rows",
            "pyoxigraph in-process ms",
            f"{ours} p50 ms",
            "of which outside the engine",
            f"{ours} server CPU ms/req",
            "oxigraph p50 ms",
            "oxigraph server CPU ms/req",
        ]
    )
    mine = _cells(size, ours, 1, setup, "distinct")
    ox = _cells(size, OXIGRAPH, 1, setup, "distinct")
    for q in size["queries"]:
        engine = size.get("engine_ms", {}).get(q)
        row = [q, str(size.get("rows", {}).get(q, {}).get(ours, "?"))]
        row.append(_fmt_ms(engine) if engine is not None else "–")
        row += _overhead_cells(mine.get(q), engine)
        row += _overhead_cells(ox.get(q), None)[::2]
        lines.append(_row(row))
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


def _failures_table(size: dict, setup: str) -> list[str]:
    found = size.get("failures", {}).get(setup) or failures(size, setup)
    lines = _head(["server", "requests", "failed (errors + non-2xx)", "of which non-2xx", "most"])
    for server, row in found.items():
        worst = row["worst"]
        most = (
            f"{worst['failed']:,} in {worst['query']} {worst['mode']} c{worst['concurrency']}"
            if worst
            else "–"
        )
        lines.append(
            _row(
                [server, f"{row['requests']:,}", f"{row['failed']:,}", f"{row['non_2xx']:,}", most]
            )
        )
    return lines


def _by_role(processes: list[dict]) -> str:
    """``main 67; spawned 116, 104; forked 39 ×4`` (RSS MB, grouped by role)."""
    groups: dict[str, list[str]] = {}
    for proc in processes:
        groups.setdefault(proc.get("role", "?"), []).append(_fmt_mb(proc["rss_kb"]))
    parts = []
    for role, sizes in groups.items():
        same = len(set(sizes)) == 1 and len(sizes) > 1
        parts.append(f"{role} {sizes[0]} ×{len(sizes)}" if same else f"{role} {', '.join(sizes)}")
    return "; ".join(parts) or "–"


def _memory_table(memory: dict[str, dict]) -> list[str]:
    lines = _head(
        ["server", "processes", "RSS total MB", "PSS total MB", "RSS MB by process", "CPUs"]
    )
    for server, m in memory.items():
        cpus = _unique(str(p.get("cpus")) for p in m["processes"])
        row = [server, str(len(m["processes"])), _fmt_mb(m["rss_kb"]), _fmt_mb(m.get("pss_kb"))]
        lines.append(_row([*row, _by_role(m["processes"]), ", ".join(cpus)]))
    return lines


# --- markdown: targets ---------------------------------------------------------------------


def _target_lines(size: dict, setup: str, ours: str) -> list[str]:
    """The ratio targets, on the distinct mode of ``setup``."""
    mode, lines = "distinct", []
    rd_concs = concurrencies(size, setup, mode, RDFLIB)
    rd = [_ratio_of(size, setup, mode, ours, f"{RDFLIB}@c{c}") for c in rd_concs]
    if rd and all(rd):
        gm = min(r["geomean"] for r in rd)
        worst = min(r["min"] for r in rd)
        ok = gm >= 20 and worst >= 1
        each = ", ".join(f"c{c} {_ratio_text(r)}" for c, r in zip(rd_concs, rd, strict=True))
        refs = ", ".join(f"c{c} {_ratio_text(_reference(size, c, setup, mode))}" for c in rd_concs)
        lines.append(
            f"- {TARGETS[0]}: {'met' if ok else 'NOT met'} (lowest geomean {gm:.1f}×, slowest "
            f"query {worst:.2f}×; {each}; the Oxigraph server itself: {refs})"
        )
    ox16 = _ratio_of(size, setup, mode, ours, f"{OXIGRAPH}@c16")
    if ox16:
        ok = ox16["geomean"] >= 0.85 and ox16["min"] >= 0.4
        lines.append(f"- {TARGETS[1]}: {_verdict(ok)} ({_ratio_text(ox16)})")
        if "p99_geomean" in ox16:
            p99_ok = ox16["p99_geomean"] <= 1.5
            lines.append(f"- {TARGETS[3]}: {_verdict(p99_ok)} ({_p99_text(ox16)})")
    again = _ratio_of(size, setup, "repeated", ours, f"{OXIGRAPH}@c16")
    if again:
        lines.append(f"- {TARGETS[4]}: {_verdict(again['geomean'] >= 2)} ({_ratio_text(again)})")
    return lines


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def _startup_line(size: dict) -> str | None:
    """The start-up target (checked on 1M triples; a smaller largest size is only shown)."""
    times = size.get("startup_seconds")
    if not times:
        return None
    med = sorted(times)[len(times) // 2]
    measured = (
        f"{size['label']}: median {med:.2f} s, best {min(times):.2f} s of {len(times)} starts; "
        f"{size.get('startup_config', 'ours')}, on-disk store, whole machine"
    )
    if size["triples"] < 1_000_000:
        return f"- start to first answer (the target is on 1M triples): {measured}"
    return f"- {TARGETS[2]}: {'met' if med <= 2 else 'NOT met'} ({measured})"


# --- markdown: the report ------------------------------------------------------------------


def _best(size: dict, setup: str, names: list[str]) -> str:
    best = size.get("best_ours")
    if isinstance(best, dict) and setup in best:
        return best[setup]
    return best_ours(size, names, setup)


def _setup_section(size: dict, setup: str, run: dict) -> list[str]:
    names = run["ours"]
    ours = _best(size, setup, names)
    out = [f"### {SETUP_TITLES.get(setup, setup)}", ""]
    out += [f"- best configuration of ours: **{ours}** ({run['ours_configs'][ours]})", ""]
    for mode in modes(size, setup):
        out += [f"#### {MODE_TITLES.get(mode, mode)}", ""]
        out += ["Each cell: **requests/s** · p50 · p99 latency (ms).", ""]
        out += _cells_table(size, setup, mode, ours)
        out += ["", "Ratios over the mix:", ""]
        out += _ratios_table(size, setup, mode, names)
        if mode == "distinct" and 1 in concurrencies(size, setup, mode, ours):
            out += ["", "Where the time goes (concurrency 1; server CPU = all its processes):"]
            out += [""] + _overhead_table(size, setup, ours)
        out.append("")
    out += ["Failed requests (every cell of this set-up):", ""]
    out += _failures_table(size, setup) + [""]
    memory = size.get("memory", {}).get(setup)
    if memory:
        out += [
            "Memory after the measurements (VmRSS of every process of each server; the "
            "on-disk store, not `--store memory`):",
            "",
        ]
        out += _memory_table(memory) + [""]
    targets = _target_lines(size, setup, ours)
    return out + (["Targets:", "", *targets, ""] if targets else [])


def _size_section(size: dict, run: dict) -> list[str]:
    out = [f"## {size['label']} triples ({size['triples']:,})", ""]
    out += [f"- {line}" for line in size["notes"]]
    out += [f"- WARNING: {line}" for line in size.get("warnings", [])]
    startup = _startup_line(size)
    out += ([startup] if startup else []) + [""]
    for setup in setups(size):
        out += _setup_section(size, setup, run)
    return out


def _settings_line(run: dict) -> str:
    s = run["settings"]
    concs = ", ".join(map(str, s["concurrencies"]))
    text = f"Each cell ran {s['duration']} s with wrk (1 thread, keep-alive) on 127.0.0.1"
    rounds = s.get("rounds", 1)
    text += (
        f", {rounds} times in interleaved rounds (the median round shown); " if rounds > 1 else "; "
    )
    if "modes" not in s:
        return text + f"concurrency {concs}; data seed {s['seed']}."
    text += f"modes {', '.join(s['modes'])}; distinct at concurrency {concs}"
    if "rdflib_concurrencies" in s:
        text += f" (rdflib-endpoint: {', '.join(map(str, s['rdflib_concurrencies']))})"
    if "repeated" in s["modes"]:
        text += f"; repeated at {', '.join(map(str, s['repeated_concurrencies']))} "
        text += "(ours and the Oxigraph server)"
    return text + f"; data seed {s['seed']}."


def _heading(run: dict) -> list[str]:
    m = run["machine"]
    return [
        f"{run['generated']} · {m['cpus']} CPUs ({m['cpu_model']}) · {m['memory_gb']} GB · "
        f"Python {m['python']} · commit {run.get('commit', '?')}",
        "",
    ]


def markdown(run: dict) -> str:
    """The whole report: machine, versions, settings, then one section per size and set-up."""
    out = ["# SPARQL benchmark: latest run", "", *_heading(run)]
    out += ["Versions: " + ", ".join(f"{k} {val}" for k, val in run["versions"].items()), ""]
    out += [_settings_line(run), ""]
    described = run["settings"].get("setups") or {}
    if described:
        out += ["Set-ups: " + "; ".join(f"**{k}**: {v}" for k, v in described.items()), ""]
    out += ["Servers: " + "; ".join(f"**{k}**: {v}" for k, v in run["servers"].items()), ""]
    out += [f"**WARNING: {line}**" for line in run.get("warnings", [])]
    for size in run["sizes"].values():
        out += _size_section(size, run)
    return "\n".join(out).rstrip() + "\n"


# --- the README's compact table ------------------------------------------------------------


def _pick(concs: list[int], wanted: int = 16) -> int | None:
    """``wanted`` if measured, else the highest concurrency measured (None: none)."""
    return wanted if wanted in concs else (max(concs) if concs else None)


def _failed_text(size: dict, setup: str, ours: str) -> str:
    """Failed requests of ours (its best configuration), the Oxigraph server, rdflib-endpoint."""
    found = size.get("failures", {}).get(setup) or failures(size, setup)
    short = {ours: "ours", OXIGRAPH: "oxigraph", RDFLIB: "rdflib"}
    parts = [f"{short[n]} {found[n]['failed']:,}" for n in (ours, OXIGRAPH, RDFLIB) if n in found]
    return " · ".join(parts) or "–"


def _columns(run: dict) -> dict:
    """The concurrencies of the README's columns (16 where it was measured)."""
    s = run["settings"]
    return {
        "distinct": s["concurrencies"],
        "repeated": s.get("repeated_concurrencies", []),
        "p99": _pick(s["concurrencies"]),
        "rdflib": _pick(s.get("rdflib_concurrencies", s["concurrencies"])),
    }


def _summary_head(cols: dict) -> list[str]:
    head = ["size", "set-up", *(f"c{c}" for c in cols["distinct"])]
    head += [f"c{c} repeated" for c in cols["repeated"]]
    return [
        *head,
        f"p99 ÷ oxigraph c{cols['p99']}",
        "failed",
        f"÷ rdflib-endpoint c{cols['rdflib']}",
    ]


def _summary_row(size: dict, setup: str, run: dict, cols: dict) -> list[str]:
    names = run["ours"]
    ours = _best(size, setup, names)
    row = [size["label"], setup + (f" ({ours})" if len(names) > 1 else "")]

    def ratio(mode: str, other: str, c: int | None) -> dict | None:
        return _ratio_of(size, setup, mode, ours, f"{other}@c{c}") if c else None

    row += [_with_min(ratio("distinct", OXIGRAPH, c)) for c in cols["distinct"]]
    row += [_with_min(ratio("repeated", OXIGRAPH, c)) for c in cols["repeated"]]
    row.append(_p99_text(ratio("distinct", OXIGRAPH, cols["p99"])))
    row.append(_failed_text(size, setup, ours))
    row.append(_with_min(ratio("distinct", RDFLIB, cols["rdflib"])))
    return row


def _processes(n: int) -> str:
    return f"{n} process" + ("es" if n != 1 else "")


def _memory_lines(run: dict) -> list[str]:
    lines = []
    for size in run["sizes"].values():
        for setup, memory in size.get("memory", {}).items():
            parts = [
                f"{name} {_fmt_mb(m['rss_kb'])} MB ({_processes(len(m['processes']))}"
                + (f", PSS {_fmt_mb(m['pss_kb'])} MB)" if m.get("pss_kb") else ")")
                for name, m in memory.items()
            ]
            lines.append(f"- {size['label']}, {setup}: {'; '.join(parts)}")
    return lines


def summary(run: dict) -> str:
    """The README's table: one row per size × set-up, ours ÷ the Oxigraph server."""
    out = [*_heading(run), _settings_line(run), ""]
    out += [
        "Throughput of ours ÷ the Oxigraph server (geometric mean over the queries, the lowest "
        "single query in brackets); `cN` = concurrency N, distinct query texts; p99 = ours' "
        "p99 latency ÷ Oxigraph's (geometric mean, the highest in brackets); failed = errors "
        "+ non-2xx over every cell of the row, per server; the last column divides ours by "
        "rdflib-endpoint. Every table: `results/latest.md`.",
        "",
    ]
    cols = _columns(run)
    out += _head(_summary_head(cols))
    for size in run["sizes"].values():
        for setup in setups(size):
            out.append(_row(_summary_row(size, setup, run, cols)))
    startup = [line for s in run["sizes"].values() if (line := _startup_line(s))]
    if startup:
        out += ["", *startup]
    memory = _memory_lines(run)
    if memory:
        out += ["", "RSS after the measurements (sum over each server's processes, on-disk store):"]
        out += ["", *memory]
    warnings = [f"- **WARNING: {line}**" for line in run.get("warnings", [])]
    return "\n".join([*out, *([""] + warnings if warnings else [])]).rstrip() + "\n"
