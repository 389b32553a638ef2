"""Run the code of a docs page, as the tests and the docs build both do.

Convention for pages (docs/**/*.md):

- a fenced block whose info string is exactly ``python`` is executed; the blocks of one page
  run in order and share one namespace (like a notebook), with the working directory set to
  a temporary folder;
- a ```` ```text ```` block right after a python block (blank lines allowed between) is the
  output that block prints;
- any other block (```` ```py ````, ```` ```bash ````, ...) is shown but not run;
- what a block draws is a figure of the page, as in Jupyter: every open matplotlib figure
  after the block, and the block's last expression when it displays as a picture (an object
  with ``_repr_svg_``/``_repr_png_``, e.g. ``draw_graph(z)``).
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = str(Path(__file__).resolve().parent.parent)

FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.M | re.S)


@dataclass
class Block:
    code: str
    expected: str | None  # the ```text block under it
    line: int  # 1-based line of the opening fence
    end: int  # offset in the page just past the block (past its ```text block if any)


@dataclass
class Ran:
    block: Block
    printed: str
    figures: list = field(default_factory=list)  # [(extension, bytes, alt text)]


def blocks(text: str) -> list:
    """The python blocks of a page, in order."""
    found = [(m.group(1).strip(), m.group(2), m.start(), m.end()) for m in FENCE.finditer(text)]
    out = []
    for k, (info, body, start, end) in enumerate(found):
        if info != "python":
            continue
        expected, stop = None, end
        if k + 1 < len(found) and found[k + 1][0] == "text":
            if text[end : found[k + 1][2]].strip() == "":
                expected, stop = found[k + 1][1], found[k + 1][3]
        out.append(Block(body, expected, text.count("\n", 0, start) + 1, stop))
    return out


class BlockError(Exception):
    """A page's block raised; the message names the page, the line and the code."""


def _figures(value) -> list:
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    out = []
    for num in plt.get_fignums():
        fig = plt.figure(num)
        title = fig.get_suptitle() or next((a.get_title() for a in fig.axes if a.get_title()), "")
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
        out.append(("png", buf.getvalue(), title or "figure"))
        plt.close(fig)
    if value is not None and not isinstance(value, Figure):
        if hasattr(value, "_repr_svg_"):
            svg = value._repr_svg_()
            if svg:
                alt = "computation graph" if type(value).__name__ == "DotGraph" else "figure"
                out.append(("svg", svg.encode("utf-8"), alt))
        elif hasattr(value, "_repr_png_"):
            out.append(("png", value._repr_png_(), "figure"))
    return out


def run_page(text: str, name: str, workdir, figures: bool = False) -> list:
    """Execute the python blocks of ``text`` in ``workdir``; [Ran] in order.

    Raises BlockError when a block raises.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if sys.path[:1] != [ROOT]:  # the pages import this checkout's tinygrad_edu, from any cwd
        sys.path.insert(0, ROOT)  # (at run time: mkdocs restores sys.path after loading hooks)
    ns: dict = {"__name__": "__docs__"}
    results = []
    old = os.getcwd()
    os.chdir(workdir)
    try:
        for b in blocks(text):
            buf = io.StringIO()
            value = None
            with contextlib.redirect_stdout(buf):
                try:
                    tree = ast.parse(b.code, f"{name}:{b.line}")
                    last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) \
                        else None
                    if last is not None:
                        tree.body.pop()
                    exec(compile(tree, f"{name}:{b.line}", "exec"), ns)  # noqa: S102
                    if last is not None:
                        expr = ast.Expression(last.value)
                        value = eval(compile(expr, f"{name}:{b.line}", "eval"), ns)  # noqa: S307
                except Exception as e:
                    raise BlockError(
                        f"{name} block at line {b.line} raised {type(e).__name__}: {e}\n"
                        f"--- code ---\n{b.code}"
                    ) from e
            ran = Ran(b, buf.getvalue())
            if figures:
                ran.figures = _figures(value)
            plt.close("all")
            results.append(ran)
    finally:
        os.chdir(old)
    return results
