"""The package's layering, checked on the source: imports point down, and never in a circle.

A newcomer finds a behaviour's home by its layer (``kg_service/__init__.py`` draws them); this
test keeps the drawing true. Every import of a ``kg_service`` module is read from the syntax
tree, the lazy ones inside functions included.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "kg_service"

#: The rank of each top-level part: a module may import a lower rank, or its own part.
RANK = {
    "settings": 0,
    "errors": 0,
    "rdf": 1,
    "query": 2,
    "process": 3,
    "validation": 3,
    "search": 3,
    "build": 4,
    "backends": 5,
    "publish": 5,
    "web": 6,
    "cli": 7,
    "tables": 6,
    "__main__": 8,
}


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports(path: Path, top_level_only: bool = False) -> list[tuple[str, int]]:
    """The kg_service modules ``path`` imports (with the line), resolved to module names."""
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = []
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("kg_service"):
            assert node.level == 0, f"{path}:{node.lineno}: use absolute imports"
            base = node.module or ""
            known = modules()
            for alias in node.names:
                child = f"{base}.{alias.name}"
                found.append((child if child in known else base, node.lineno))
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}:{node.lineno}: use absolute imports")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("kg_service"):
                    found.append((alias.name, node.lineno))
    return found


def part(module: str) -> str:
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else "kg_service"


def test_every_part_has_a_rank():
    parts = {part(m) for m in modules()} - {"kg_service"}
    assert parts <= set(RANK), f"give these a rank in RANK: {sorted(parts - set(RANK))}"


def test_imports_point_down():
    wrong = []
    for module, path in modules().items():
        mine = part(module)
        if mine == "kg_service":  # the package root re-exports the public API, lazily
            continue
        for target, line in imports(path):
            theirs = part(target)
            if target == "kg_service" or theirs == mine:
                continue  # __version__, or a sibling in the same part
            if RANK[theirs] >= RANK[mine]:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {mine} → {theirs}")
    assert not wrong, "imports that do not point down:\n" + "\n".join(wrong)


def test_the_query_contract_imports_only_the_layers_below_it():
    path = PACKAGE / "query" / "contract.py"
    allowed = {"kg_service.errors", "kg_service.rdf.formats", "kg_service.rdf.negotiation"}
    assert {target for target, _ in imports(path)} <= allowed


def test_no_import_cycle_between_modules():
    known = modules()
    graph = {
        m: {t for t, _ in imports(p, top_level_only=True) if t in known and t != m}
        for m, p in known.items()
    }
    state: dict[str, int] = {}  # 1: on the path, 2: done

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = trail[trail.index(nxt) :] + [nxt] if nxt in trail else [node, nxt]
                raise AssertionError("import cycle: " + " → ".join(cycle))
            if nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
