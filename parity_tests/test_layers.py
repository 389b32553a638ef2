"""The code's layers: no import cycle anywhere in the package, counting imports made inside
functions too (a cycle hidden in a function is still a cycle a reader has to untangle), and no
package file over 400 lines."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "tinygrad_edu"
ROOT = PKG.parent


def _modules() -> dict:
    """module name -> (path, is_package)"""
    out = {}
    for p in PKG.rglob("*.py"):
        parts = list(p.relative_to(ROOT).with_suffix("").parts)
        is_pkg = parts[-1] == "__init__"
        if is_pkg:
            parts = parts[:-1]
        out[".".join(parts)] = (p, is_pkg)
    return out


def _edges(name: str, path: Path, is_pkg: bool, mods: dict) -> set:
    """Modules that ``name`` imports (at module level or inside functions)."""
    base = name if is_pkg else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name in mods)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                pkg = base
                for _ in range(node.level - 1):
                    pkg = pkg.rpartition(".")[0]
                target = f"{pkg}.{node.module}" if node.module else pkg
            else:
                target = node.module or ""
            if target not in mods:
                continue
            for a in node.names:  # a submodule imported by name, or a name from the module
                sub = f"{target}.{a.name}"
                out.add(sub if sub in mods else target)
    out.discard(name)
    return out


def _cycles(graph: dict) -> list:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index, low, on, stack, comps, counter = {}, {}, set(), [], [], [0]
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph.get(w, ())))))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        comps.append(sorted(comp))
    return comps


def test_no_import_cycles():
    mods = _modules()
    graph = {m: _edges(m, p, is_pkg, mods) for m, (p, is_pkg) in mods.items()}
    cycles = _cycles(graph)
    detail = []
    for comp in cycles:
        inner = {m: sorted(e for e in graph[m] if e in comp) for m in comp}
        detail.append("\n".join(f"  {m} -> {', '.join(es)}" for m, es in inner.items()))
    assert not cycles, "import cycles:\n" + "\n\n".join(detail)


def test_no_package_file_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in PKG.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > 400}
    assert not long, f"files over 400 lines (split them): {long}"
