"""Remove stale waivers: entries of ``waivers.py`` whose check now passes.

    python -m tinygrad_edu.parity.prune            # run the status, then rewrite waivers.py
    python -m tinygrad_edu.parity.prune --dry-run  # only list what would go

A waived check that passes fails its test as XPASS (strict), so fixed waivers must go; this
edits the file's source in place (one name out of a ``for name in (...)`` list, or a whole
``("name", "check"): reason`` entry), keeping the rest of the file as written.
"""

from __future__ import annotations

import ast
import sys
import textwrap
from pathlib import Path

WAIVERS_PY = Path(__file__).with_name("waivers.py")


def _stale() -> set:
    from . import status

    report = status.collect()
    return {tuple(s.split(":", 1)) for s in report["audit"]["stale_waivers"]}


def _edits(src: str, stale: set) -> list:
    """(first line, last line, replacement lines) for each WAIVERS item to change."""
    tree = ast.parse(src)
    table = next(n.value for n in tree.body if isinstance(n, ast.AnnAssign | ast.Assign)
                 and getattr(getattr(n, "target", None) or n.targets[0], "id", "") == "WAIVERS")
    lines = src.split("\n")
    edits = []
    for key, value in zip(table.keys, table.values):
        first, last = (key or value).lineno, value.end_lineno
        if key is not None:  # ("name", "check"): reason
            if tuple(ast.literal_eval(key)) in stale:
                edits.append((first, last, []))
            continue
        comp = value  # **{(name, "check"): reason for name in (...)}
        if not isinstance(comp, ast.DictComp) or not isinstance(comp.generators[0].iter,
                                                                ast.Tuple):
            continue
        check = ast.literal_eval(comp.key.elts[1])
        names = [ast.literal_eval(e) for e in comp.generators[0].iter.elts]
        keep = [n for n in names if (n, check) not in stale]
        if keep == names:
            continue
        if not keep:
            edits.append((first, last, []))
            continue
        it = comp.generators[0].iter
        head = src_segment(lines, first, it.lineno, it.col_offset)
        head += "" if head.endswith(("(", " ")) else " "
        tail = lines[it.end_lineno - 1][it.end_col_offset:]
        body = "(" + ", ".join(f'"{n}"' for n in keep) + ("," if len(keep) == 1 else "") + ")"
        text = head + body + tail
        wrapped = textwrap.wrap(text, 99, subsequent_indent=" " * 8, break_long_words=False,
                                break_on_hyphens=False)
        edits.append((first, last, wrapped))
    return edits


def src_segment(lines, first: int, line: int, col: int) -> str:
    """Source from the start of line ``first`` up to (line, col), joined with spaces."""
    parts = lines[first - 1: line]
    parts[-1] = parts[-1][:col]
    return " ".join(p.strip() if k else p for k, p in enumerate(parts)).rstrip()


def prune(stale: set, dry_run: bool = False) -> int:
    src = WAIVERS_PY.read_text(encoding="utf-8")
    edits = _edits(src, stale)
    if dry_run or not edits:
        return len(edits)
    lines = src.split("\n")
    for first, last, new in sorted(edits, reverse=True):
        lines[first - 1: last] = new
    WAIVERS_PY.write_text("\n".join(lines), encoding="utf-8")
    return len(edits)


if __name__ == "__main__":
    stale = _stale()
    for name, check in sorted(stale):
        print(f"stale: {name} {check}")
    dry = "--dry-run" in sys.argv
    n = prune(stale, dry_run=dry)
    print(f"{n} waiver entr{'y' if n == 1 else 'ies'} {'to edit' if dry else 'edited'}")
