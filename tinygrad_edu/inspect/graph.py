"""``draw_graph``: the computation graph of a result as Graphviz DOT (and SVG/PNG with ``dot``).

Tensor nodes are boxes (name, shape, dtype, and ``.grad`` for small tensors after backward);
op nodes are ellipses named like torch's ``grad_fn`` (``SubBackward0``). Edges follow the
forward direction: input tensor -> op -> output tensor.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import warnings

from ..autograd.function import op_stem
from ..tensor import Tensor
from ._names import collect_names, fmt_array


class GraphvizMissingWarning(UserWarning):
    """Graphviz's ``dot`` program is not on PATH: only the .dot text was written."""


class DotGraph(str):
    """The DOT text (a ``str``), with ``.path``: the file written, if any."""

    path: str | None = None

    def _repr_svg_(self):  # Jupyter renders it when Graphviz is installed
        if shutil.which("dot") is None:
            return None
        r = subprocess.run(["dot", "-Tsvg"], input=str(self).encode(), capture_output=True)
        return r.stdout.decode() if r.returncode == 0 else None


def _q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def draw_graph(
    tensor: Tensor,
    path: str | None = None,
    show_grads: bool = True,
    *,
    model=None,
    params=None,
    names=None,
    max_numel: int = 6,
    rankdir: str = "LR",
) -> DotGraph:
    """Draw the computation graph that produced ``tensor``.

    Parameters
    ----------
    tensor : Tensor
        A result (e.g. a loss). Leaves are the tensors with ``requires_grad=True`` it uses.
    path : str, optional
        Where to write: ``.dot``/``.gv`` writes the text; ``.svg``/``.png``/``.pdf`` renders with
        Graphviz's ``dot`` when installed, otherwise writes ``<path>.dot`` and warns
        (:class:`GraphvizMissingWarning`).
    show_grads : bool
        Show ``.grad`` of tensors with at most ``max_numel`` elements (after backward).
    model, params, names :
        Name leaves from ``model.named_parameters()``, a ``{name: tensor}`` mapping, or explicit
        names. Variables of the calling function are used as names too.

    Returns
    -------
    DotGraph
        The DOT text (a ``str``); ``.path`` is the file written (or None).
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"draw_graph: expected a Tensor, got {type(tensor).__name__}")
    frame = sys._getframe(1)
    label = collect_names(model=model, params=params, names=names, frame=frame)
    del frame
    ids: dict = {}
    lines = [
        "digraph computation_graph {",
        f"  rankdir={rankdir};",
        '  node [fontname="Helvetica", fontsize=11];',
    ]

    def tid(obj, prefix):
        key = (prefix, id(obj))
        if key not in ids:
            ids[key] = f"{prefix}{len(ids)}"
        return ids[key]

    def tensor_label(t, name):
        s = f"{name}\n{list(t.shape)} {t.dtype.name if hasattr(t.dtype, 'name') else t.dtype}"
        if show_grads and t.grad is not None and t.numel() <= max_numel:
            s += f"\ngrad = {fmt_array(t.grad._data, max_numel)}"
        elif show_grads and t.grad is not None:
            s += f"\ngrad {fmt_array(t.grad._data, 0)}"
        return s

    counters: dict = {}
    drawn: set = set()

    def leaf_name(t):
        n = counters.get("leaf", 0) + 1
        counters["leaf"] = n
        return f"leaf{n}"

    def meta_label(name, shape, dtype):
        return f"{name}\n{list(shape)} {dtype}"

    # Tensor boxes: the result, each leaf (AccumulateGrad.variable) and each intermediate result
    # (a node's output, whose shape the consuming node recorded). Ops are ellipses.
    root = tensor._node
    rn = tid(tensor, "t")
    style = ('shape=box, style="filled,rounded", fillcolor="#cfe2f3"' if root is None
             else 'shape=box, style=filled, fillcolor="#d9ead3"')
    rname = label.get(id(tensor)) or (label.get(id(root)) if root is not None else None)
    rname = rname or ("leaf1" if root is None else "result")
    lines.append(f"  {rn} [label={_q(tensor_label(tensor, rname))}, {style}];")
    seen_n: set = set()
    stack = [(root, rn)] if root is not None else []
    while stack:
        node, out_box = stack.pop()
        on = tid(node, "op")
        lines.append(f"  {on} -> {out_box};")
        if id(node) in seen_n:
            continue
        seen_n.add(id(node))
        nconst = sum(e is None for e in node.next)
        op_label = node.name() + (
            f"\n(+{nconst} non-grad arg{'s' if nconst > 1 else ''})" if nconst else ""
        )
        lines.append(
            f'  {on} [label={_q(op_label)}, shape=ellipse, style=filled, fillcolor="#eeeeee"];'
        )
        many = len(node.next) - nconst > 1
        for i, e in enumerate(node.next):
            if e is None:
                continue
            src = e[0]
            shape, dtype = node.input_meta[i]
            if hasattr(src, "variable"):  # a leaf
                leaf = src.variable
                box = tid(leaf, "t")
                if box not in drawn:
                    drawn.add(box)
                    nm = label.get(id(leaf)) or leaf_name(leaf)
                    lines.append(f"  {box} [label={_q(tensor_label(leaf, nm))}, "
                                 'shape=box, style="filled,rounded", fillcolor="#cfe2f3"];')
            else:
                box = tid(src, "t")
                if box not in drawn:
                    drawn.add(box)
                    nm = label.get(id(src)) or f"({op_stem(src.fn).lower()} out)"
                    kept = [r() for k, r in (src.out_ref or ()) if k == e[1]]  # retain_grad
                    text = (tensor_label(kept[0], nm) if kept and kept[0] is not None
                            else meta_label(nm, shape, dtype))
                    lines.append(f"  {box} [label={_q(text)}, shape=box];")
                    stack.append((src, box))
            lines.append(f"  {box} -> {on} [label={_q(str(i))}];" if many
                         else f"  {box} -> {on};")
    lines.append("}")
    out = DotGraph("\n".join(lines) + "\n")
    if path is not None:
        out.path = _write(out, os.fspath(path))
    return out


def _write(dot: str, path: str) -> str:
    ext = os.path.splitext(path)[1].lower().lstrip(".")
    if ext in ("dot", "gv", ""):
        with open(path, "w", encoding="utf-8") as f:
            f.write(dot)
        return path
    exe = shutil.which("dot")
    if exe is None:
        dot_path = path + ".dot"
        with open(dot_path, "w", encoding="utf-8") as f:
            f.write(dot)
        warnings.warn(
            f"draw_graph: Graphviz is not installed (no 'dot' program on PATH), so {path} was "
            f"not rendered; the DOT text was written to {dot_path}. Install Graphviz "
            "(apt-get install graphviz, brew install graphviz, or conda install graphviz) or "
            "paste the text into an online DOT viewer.",
            GraphvizMissingWarning,
            stacklevel=3,
        )
        return dot_path
    r = subprocess.run([exe, f"-T{ext}", "-o", path], input=dot.encode(), capture_output=True)
    if r.returncode != 0:
        raise RuntimeError(f"draw_graph: dot failed to render {path}: {r.stderr.decode()}")
    return path
