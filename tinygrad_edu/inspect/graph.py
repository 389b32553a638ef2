"""``draw_graph``: the computation graph of a result, as a picture and as Graphviz DOT text.

Op nodes are ellipses named by ``grad_fn.name()`` (``SubBackward0``); leaf tensors are rounded
boxes (name, shape, dtype, and ``.grad`` for small tensors after backward); intermediate
tensors you hold in variables (``r1 = a - b``) are plain boxes between their op and its users;
the result is green. Edges follow the forward direction: input -> op -> output.

Only torch's public graph API is used: ``t.grad_fn``, ``node.name()``, ``node.next_functions``
(``(node, index)`` pairs; ``None`` for an input without a ``grad_fn``; an ``AccumulateGrad``
node with ``.variable`` for a leaf that requires grad) and the tensors you pass in or hold in
variables. So the same function draws a graph built by real torch.

The picture is drawn by Graphviz's ``dot`` when it is installed, otherwise by a layered layout
drawn with matplotlib (:mod:`._draw`); in Jupyter the returned object displays as the picture.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import warnings

import numpy as np

from ._draw import Node
from ._draw import figure as _figure
from ._draw import render as _render
from ._names import fmt_array

ENGINES = ("auto", "dot", "matplotlib")


class GraphvizMissingWarning(UserWarning):
    """Neither Graphviz's ``dot`` nor matplotlib is available: only the .dot text was written."""


class DotGraph(str):
    """The DOT text (a ``str``) of a drawn graph, which also knows how to draw itself.

    Attributes: ``nodes`` ([Node]: key, kind, label), ``edges`` ([(src, dst, label)]),
    ``path`` (the file written, if any). ``figure()`` is a matplotlib Figure; ``_repr_svg_``
    and ``_repr_png_`` make Jupyter show the picture.
    """

    path: str | None = None
    nodes: list = []
    edges: list = []
    rankdir: str = "LR"
    engine: str = "auto"

    def figure(self):
        """The graph drawn with matplotlib (a ``matplotlib.figure.Figure``)."""
        return _figure(self.nodes, self.edges, self.rankdir)

    def render(self, fmt: str) -> bytes:
        """The picture as bytes of ``fmt`` ("svg", "png" or "pdf"): Graphviz when present
        (``engine="auto"`` or ``"dot"``), matplotlib otherwise."""
        exe = shutil.which("dot") if self.engine in ("auto", "dot") else None
        if exe is not None:
            r = subprocess.run([exe, f"-T{fmt}"], input=str(self).encode(), capture_output=True)
            if r.returncode == 0:
                return r.stdout
            if self.engine == "dot":
                raise RuntimeError(f"draw_graph: dot failed: {r.stderr.decode().strip()}")
        elif self.engine == "dot":
            raise RuntimeError("draw_graph: engine='dot' but Graphviz's dot is not on PATH")
        return _render(self.nodes, self.edges, fmt, self.rankdir)

    def _repr_svg_(self):
        return self.render("svg").decode("utf-8")

    def _repr_png_(self):
        return self.render("png")


def _q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _is_tensor(t) -> bool:
    return hasattr(t, "grad_fn") and hasattr(t, "shape") and hasattr(t, "requires_grad")


def _names(model, params, names, frame) -> dict:
    """``id(tensor)`` -> (name, tensor): ``names`` > ``params`` > ``model`` > caller's variables."""
    out: dict = {}
    sources = list((names or {}).items())
    if params is not None:
        sources += list(params.items() if hasattr(params, "items") else params)
    if model is not None and hasattr(model, "named_parameters"):
        sources += list(model.named_parameters())
    if frame is not None:
        sources += [(k, v) for k, v in list(frame.f_locals.items()) if not k.startswith("_")]
    for name, t in sources:
        if _is_tensor(t):
            out.setdefault(id(t), (name, t))
    return out


def _numpy(t) -> np.ndarray:
    t = t.detach()
    return np.asarray((t.cpu() if hasattr(t, "cpu") else t).numpy())


def draw_graph(
    tensor,
    path: str | None = None,
    show_grads: bool = True,
    *,
    model=None,
    params=None,
    names=None,
    max_numel: int = 6,
    rankdir: str = "LR",
    engine: str = "auto",
) -> DotGraph:
    """Draw the computation graph that produced ``tensor``.

    Parameters
    ----------
    tensor : Tensor
        A result (e.g. a loss); a torch tensor works too.
    path : str, optional
        Where to write: ``.dot``/``.gv`` writes the DOT text; ``.svg``/``.png``/``.pdf`` the
        picture (Graphviz's ``dot`` when installed, else matplotlib).
    show_grads : bool
        Show ``.grad`` of tensors with at most ``max_numel`` elements (after backward).
    model, params, names :
        Name leaves from ``model.named_parameters()``, a ``{name: tensor}`` mapping, or explicit
        names. Variables of the calling function are used as names too.
    rankdir : "LR" or "TB"
        Inputs on the left (``LR``) or at the top (``TB``).
    engine : "auto", "dot" or "matplotlib"
        Who draws the picture; ``auto`` uses Graphviz when it is on PATH.

    Returns
    -------
    DotGraph
        The DOT text (a ``str``) with ``.nodes``/``.edges``, ``.figure()``, ``.path``; it
        displays as a picture in Jupyter.

    Raises
    ------
    TypeError
        ``tensor`` is not a tensor.
    ValueError
        An unknown ``engine`` or ``rankdir``.
    """
    if not _is_tensor(tensor):
        raise TypeError(f"draw_graph: expected a Tensor, got {type(tensor).__name__}")
    if engine not in ENGINES:
        raise ValueError(f"draw_graph: engine must be one of {ENGINES}, got {engine!r}")
    if rankdir.upper() not in ("LR", "TB"):
        raise ValueError(f"draw_graph: rankdir must be 'LR' or 'TB', got {rankdir!r}")
    frame = sys._getframe(1)
    named = _names(model, params, names, frame)
    del frame
    held = {id(t.grad_fn): t for _, t in named.values() if t.grad_fn is not None}
    if tensor.grad_fn is not None:
        held[id(tensor.grad_fn)] = tensor  # the result's own box
    nodes: list = []
    edges: list = []
    keys: dict = {}
    keep: list = []  # holds visited objects, so no id() is reused while we walk
    leaves = [0]

    def dtype_name(t) -> str:
        d = t.dtype
        return getattr(d, "name", None) or str(d).replace("torch.", "")

    def tensor_key(t, kind) -> str:
        if id(t) in keys:
            return keys[id(t)]
        keep.append(t)
        name = named.get(id(t), (None,))[0]
        if name is None:
            if kind == "leaf":
                leaves[0] += 1
                name = f"leaf{leaves[0]}"
            else:
                name = "output" if t is tensor else "tensor"
        label = f"{name}\n{list(t.shape)} {dtype_name(t)}"
        # (torch warns when .grad of a non-leaf that does not retain it is read)
        has_grad = show_grads and (t.is_leaf or getattr(t, "retains_grad", False))
        g = t.grad if has_grad else None
        if g is not None:
            a = _numpy(g)
            label += f"\ngrad = {fmt_array(a, max_numel)}" if a.size <= max_numel else (
                f"\ngrad {fmt_array(a, max_numel)}")
        key = keys[id(t)] = f"t{len(keys)}"
        nodes.append(Node(key, "output" if t is tensor and kind != "leaf" else kind, label))
        return key

    def op_key(fn) -> str:
        if id(fn) not in keys:
            keep.append(fn)
            keys[id(fn)] = f"op{len(keys)}"
        return keys[id(fn)]

    if tensor.grad_fn is None:
        tensor_key(tensor, "leaf")
    else:
        root_fn = tensor.grad_fn
        edges.append((op_key(root_fn), tensor_key(tensor, "output"), ""))
        stack, seen = [root_fn], set()
        while stack:
            fn = stack.pop()
            if id(fn) in seen:
                continue
            seen.add(id(fn))
            inputs = list(fn.next_functions)
            n_graph = sum(child is not None for child, _ in inputs)
            n_free = len(inputs) - n_graph
            suffix = f"\n(+{n_free} input{'s' if n_free > 1 else ''} without grad_fn)"
            nodes.append(Node(op_key(fn), "op", fn.name() + (suffix if n_free else "")))
            for i, (child, _) in enumerate(inputs):
                if child is None:
                    continue
                var = getattr(child, "variable", None)
                if var is not None:  # AccumulateGrad: a leaf that requires grad
                    src = tensor_key(var, "leaf")
                else:
                    src = op_key(child)
                    out = held.get(id(child))
                    if out is not None and out is not tensor:
                        tk = tensor_key(out, "tensor")
                        if (src, tk, "") not in edges:
                            edges.append((src, tk, ""))
                        src = tk
                    stack.append(child)
                dst, lab = op_key(fn), str(i) if n_graph > 1 else ""
                twin = next((j for j, e in enumerate(edges) if e[:2] == (src, dst)), None)
                if twin is None:
                    edges.append((src, dst, lab))
                else:  # the same input twice (u * u): one arrow, both argument positions
                    edges[twin] = (src, dst, f"{edges[twin][2]},{lab}")
    nodes.sort(key=lambda n: int(n.key.lstrip("top")))
    lines = [
        "digraph computation_graph {",
        f"  rankdir={rankdir.upper()};",
        '  node [fontname="Helvetica", fontsize=11];',
    ]
    style = {
        "leaf": 'shape=box, style="filled,rounded", fillcolor="#cfe2f3"',
        "output": 'shape=box, style=filled, fillcolor="#d9ead3"',
        "tensor": "shape=box",
        "op": 'shape=ellipse, style=filled, fillcolor="#eeeeee"',
    }
    for n in nodes:
        lines.append(f"  {n.key} [label={_q(n.label)}, {style[n.kind]}];")
    for a, b, lab in edges:
        lines.append(f"  {a} -> {b}" + (f" [label={_q(lab)}];" if lab else ";"))
    lines.append("}")
    out = DotGraph("\n".join(lines) + "\n")
    out.nodes, out.edges, out.rankdir, out.engine = nodes, edges, rankdir.upper(), engine
    if path is not None:
        out.path = _write(out, os.fspath(path))
    return out


def _write(dot: DotGraph, path: str) -> str:
    ext = os.path.splitext(path)[1].lower().lstrip(".")
    if ext in ("dot", "gv", ""):
        with open(path, "w", encoding="utf-8") as f:
            f.write(dot)
        return path
    if ext not in ("svg", "png", "pdf"):
        raise ValueError(f"draw_graph: can not write {path}: use .svg, .png, .pdf or .dot")
    try:
        data = dot.render(ext)
    except ImportError:  # no Graphviz and no matplotlib: the text is all we can give
        dot_path = path + ".dot"
        with open(dot_path, "w", encoding="utf-8") as f:
            f.write(dot)
        warnings.warn(
            f"draw_graph: neither Graphviz's dot nor matplotlib is installed, so {path} was not "
            f"drawn; the DOT text was written to {dot_path} (pip install matplotlib)",
            GraphvizMissingWarning,
            stacklevel=3,
        )
        return dot_path
    with open(path, "wb") as f:
        f.write(data)
    return path
