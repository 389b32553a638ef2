"""Shrink a failing program to the fewest lines that still fail the same way, and print it.

Greedy one-line deletion to a fixed point (delta debugging with chunk size 1; the programs are
at most ~20 lines): a deletion is kept when the program still fails with the same mismatch
category (a deleted definition makes both libraries raise NameError at the same line, so it
does not count). Then each leaf's ``requires_grad=True`` is dropped where that keeps the failure.
"""

from __future__ import annotations

import numpy as np

from .run import PRELUDE, Mismatch, run_pair


def _same(m: Mismatch | None, ref: Mismatch) -> bool:
    if m is None or m.category != ref.category:
        return False
    return m.category != "exception" or (m.expected, m.actual) == (ref.expected, ref.actual)


def shrink(lines: list[str], ours, ref: Mismatch | None = None, budget: int = 400):
    """The smallest sub-program of ``lines`` failing like ``ref``: (lines, its Mismatch)."""
    ref = ref or run_pair(lines, ours)
    if ref is None:
        raise ValueError("the program does not fail")
    best, tries, changed = list(lines), 0, True
    while changed and tries < budget:
        changed = False
        for i in reversed(range(len(best))):
            if i >= len(best):
                continue
            cand = best[:i] + best[i + 1 :]
            tries += 1
            m = run_pair(cand, ours)
            if _same(m, ref):
                best, ref, changed = cand, m, True
    for i, src in enumerate(best):  # fewer moving parts: fewer loss terms, leaves needing no grad
        for simpler in _simpler(src):
            cand = best[:i] + [simpler] + best[i + 1 :]
            m = run_pair(cand, ours)
            if _same(m, ref):
                best, ref = cand, m
                break
    return best, ref


def _simpler(src: str) -> list[str]:
    out = []
    if src.startswith("loss = ") and " + " in src:
        out += ["loss = " + term for term in src[len("loss = ") :].split(" + ")]
    if ", requires_grad=True" in src:
        out.append(src.replace(", requires_grad=True", ""))
    return out


def _show(v) -> str:
    if isinstance(v, np.ndarray):
        return np.array2string(v, precision=6, threshold=30).replace("\n", " ")
    return repr(v)


def reproduction(lines: list[str], m: Mismatch) -> str:
    """A standalone reproduction: the program, what to print, torch's and our output."""
    body = ["import torch  # or: import tinygrad_edu as torch", PRELUDE] + list(lines[: m.line + 1])
    if m.category == "exception":
        what = f"line {m.line + 1 + 2} raises: torch {m.expected}, ours {m.actual}\n{m.message}"
    else:
        attr = ".grad" if m.category.startswith("grad") else ""
        body.append(f"print({m.var}{attr})")
        pad = " " * len(m.category)
        what = f"{m.category}: torch {_show(m.expected)}\n{pad}  ours  {_show(m.actual)}"
    return "\n".join(body) + "\n# " + what.replace("\n", "\n# ")
