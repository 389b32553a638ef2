"""``trace_backward``: run backward and record, node by node, what the chain rule did.

For every graph node, in the order the engine executes them: the op, the upstream gradient it
received (and from which paths it was summed), the local derivative rule written next to the
gradient line of its Function, and the gradient it sent to each input, including where
broadcasting was undone (the axes summed away by ``autograd.unbroadcast``).
"""

from __future__ import annotations

import html
import sys
from dataclasses import dataclass, field

from .. import autograd
from ..autograd.function import op_stem
from ..backend import to_numpy
from ..tensor import Tensor
from ._names import collect_names, fmt_array
from .rules import backward_comments, derivative_rules, formula


@dataclass
class InputGrad:
    """The gradient one node sent to one of its inputs."""

    index: int
    name: str  # display name of the input tensor
    kind: str  # "leaf", "node" (an intermediate) or "constant" (no gradient flows)
    shape: tuple
    grad: object = None  # numpy array sent (after unbroadcast), or None
    raw_shape: tuple | None = None  # shape the op returned, before unbroadcast
    reduced_axes: tuple = ()  # axes summed by unbroadcast (broadcasting undone)


@dataclass
class TraceStep:
    """One node of the backward pass."""

    step: int
    op: str  # grad_fn name, e.g. "SubBackward0"
    function: str  # Function class name, e.g. "Sub"
    output: str  # display name of the node's output tensor
    formula: str  # forward formula (Function docstring)
    rules: list  # local derivative rules (comments beside the gradient lines)
    grad_out: object  # upstream gradient ∂L/∂output (numpy array)
    summed_from: list = field(default_factory=list)  # steps whose grads were summed here
    inputs: list = field(default_factory=list)  # list[InputGrad]


@dataclass
class LeafGrad:
    name: str
    shape: tuple
    contributions: list  # [(step, array)] in arrival order
    grad: object  # final .grad (numpy) or None


@dataclass
class BackwardTrace:
    """Structured record of one backward pass; ``str()`` pretty-prints it."""

    root: str
    seed: object
    steps: list
    leaves: list
    max_numel: int = 16

    def __iter__(self):
        return iter(self.steps)

    def __len__(self) -> int:
        return len(self.steps)

    def __getitem__(self, i) -> TraceStep:
        return self.steps[i]

    def __str__(self) -> str:
        return format_trace(self)

    def _repr_html_(self) -> str:  # Jupyter shows the trace as a table
        return format_trace_html(self)

    def print(self) -> None:
        """Print with ``rich`` when it is installed, plain text otherwise."""
        text = format_trace(self)
        try:
            from rich.console import Console
        except ImportError:
            print(text)
            return
        Console(highlight=False).print(text, markup=False)


def trace_backward(
    loss: Tensor,
    gradient=None,
    retain_graph: bool = False,
    *,
    model=None,
    params=None,
    names=None,
    max_numel: int = 16,
) -> BackwardTrace:
    """Run ``loss.backward(gradient)`` and record every step of the chain rule (so the leaves'
    ``.grad`` are filled, and the graph is freed unless ``retain_graph``).

    Parameters
    ----------
    loss : Tensor
        The result to differentiate (a scalar, or pass ``gradient``).
    model, params, names :
        Where display names come from: ``model.named_parameters()``, a ``{name: tensor}``
        mapping, or explicit names. Variables of the calling function are named too.
    max_numel :
        Arrays up to this many elements are printed in full, bigger ones summarized.

    Returns
    -------
    BackwardTrace
        ``.steps`` (list of :class:`TraceStep`) in execution order and ``.leaves``;
        ``print(trace)`` shows it.
    """
    if not isinstance(loss, Tensor):
        raise TypeError(f"trace_backward: expected a Tensor, got {type(loss).__name__}")
    frame = sys._getframe(1)
    label = collect_names(model=model, params=params, names=names, frame=frame)
    del frame
    counters: dict = {}
    node_label: dict = {}

    def name_of_node(node) -> str:
        key = id(node)
        if key in label:
            return label[key]
        if key not in node_label:
            stem = op_stem(node.fn)
            n = counters.get(stem, 0) + 1
            counters[stem] = n
            node_label[key] = f"{stem.lower()}{n}"
        return node_label[key]

    leaf_names: dict = {}

    def name_of_leaf(t) -> str:
        if id(t) in label:
            return label[id(t)]
        if id(t) not in leaf_names:
            leaf_names[id(t)] = f"leaf{len(leaf_names) + 1}"
        return leaf_names[id(t)]

    # number the unnamed nodes and leaves in forward order (linear1 is the first layer's output,
    # leaf1 the first leaf an op consumed), not in the order the backward meets them
    roots = [] if loss._node is None else [loss._node]
    for node in reversed(autograd.engine.topological_order(roots)):  # inputs before their users
        if isinstance(node, autograd.AccumulateGrad):
            name_of_leaf(node.variable)
        else:
            name_of_node(node)

    steps: list = []
    arrivals: dict = {}  # id(target) -> [(step, array)]
    leaves: dict = {}  # id(leaf) -> tensor
    seed_holder = {}

    def observer(node, g, in_grads):
        k = len(steps) + 1
        fn = node.fn
        rules = derivative_rules(fn) or backward_comments(fn)
        g_np = to_numpy(g._data if isinstance(g, Tensor) else g)
        if k == 1:
            seed_holder["seed"] = g_np.copy()
        summed = [s for s, _ in arrivals.pop(id(node), [])]
        st = TraceStep(
            step=k,
            op=node.name(),
            function=op_stem(fn),
            output=name_of_node(node),
            formula=formula(fn),
            rules=list(rules),
            grad_out=g_np.copy(),
            summed_from=summed if len(summed) > 1 else [],
        )
        for i, edge in enumerate(node.next):
            gi = in_grads[i] if i < len(in_grads) else None
            if edge is None:
                st.inputs.append(InputGrad(i, "", "constant", ()))
                continue
            if isinstance(gi, Tensor):
                gi = gi._data
            pshape, pdtype = edge[2], edge[3]
            src = edge[0]
            if isinstance(src, autograd.AccumulateGrad):
                leaf = src.variable
                kind, nm = "leaf", name_of_leaf(leaf)
                leaves[id(leaf)] = leaf
                target = id(leaf)
            else:
                kind, nm = "node", name_of_node(src)
                target = id(src)
            if gi is None:
                st.inputs.append(InputGrad(i, nm, kind, pshape))
                continue
            raw = tuple(gi.shape)
            axes = autograd.broadcast_axes(raw, pshape) if raw != pshape else ()
            sent = autograd.unbroadcast(gi, pshape) if raw != pshape else gi
            sent = to_numpy(sent).astype(pdtype, copy=True)
            st.inputs.append(InputGrad(i, nm, kind, pshape, sent, raw, tuple(axes)))
            arrivals.setdefault(target, []).append((k, sent))
        steps.append(st)

    autograd.hooks.observers.append(observer)
    try:
        loss.backward(gradient, retain_graph=retain_graph)
    finally:
        autograd.hooks.observers.remove(observer)
    root = name_of_node(loss._node) if loss._node is not None else name_of_leaf(loss)
    leaf_list = []
    rank = {k: i for i, k in enumerate(leaf_names)}  # forward order, as the names
    for key, t in sorted(leaves.items(), key=lambda kv: rank.get(kv[0], len(rank))):
        contrib = arrivals.get(key, [])
        leaf_list.append(
            LeafGrad(
                name_of_leaf(t),
                tuple(t.shape),
                contrib,
                None if t.grad is None else to_numpy(t.grad._data).copy(),
            )
        )
    return BackwardTrace(root, seed_holder.get("seed"), steps, leaf_list, max_numel)


def format_trace(tr: BackwardTrace) -> str:
    """Plain-text rendering of a :class:`BackwardTrace`."""
    f = lambda a: fmt_array(a, tr.max_numel)  # noqa: E731
    lines = [
        f"backward trace of {tr.root}: {len(tr.steps)} node(s), seed ∂{tr.root}/∂{tr.root}"
        f" = {f(tr.seed)}"
    ]
    for st in tr.steps:
        lines.append(f"[{st.step}] {st.op} -> {st.output}    forward: {st.formula}")
        up = f"    upstream ∂L/∂{st.output} = {f(st.grad_out)}"
        if st.summed_from:
            up += (
                "   (sum of the gradients from steps "
                + ", ".join(f"[{s}]" for s in st.summed_from)
                + ": several paths meet here)"
            )
        lines.append(up)
        for r in st.rules or ["(no derivative comment in backward)"]:
            lines.append(f"    rule  {r}")
        consts = []
        for ig in st.inputs:
            if ig.kind == "constant":
                consts.append(str(ig.index))
                continue
            if ig.grad is None:
                lines.append(f"    input {ig.index}: {ig.name} (no gradient needed)")
                continue
            s = f"    -> input {ig.index} {ig.name} ({ig.kind} {list(ig.shape)}): grad {f(ig.grad)}"
            if ig.reduced_axes:
                s += (
                    f"   (broadcast undone: summed {list(ig.raw_shape)} over axes "
                    f"{list(ig.reduced_axes)} -> {list(ig.shape)})"
                )
            lines.append(s)
        if consts:
            lines.append(
                f"    (argument{'s' if len(consts) > 1 else ''} {', '.join(consts)}: "
                "a constant or an option, no gradient)"
            )
    if tr.leaves:
        lines.append("leaf gradients:")
        for lf in tr.leaves:
            s = f"    {lf.name}.grad = {f(lf.grad)}"
            if len(lf.contributions) > 1:
                s += (
                    "   (accumulated from steps "
                    + ", ".join(f"[{k}]" for k, _ in lf.contributions)
                    + ")"
                )
            lines.append(s)
    return "\n".join(lines)


def format_trace_html(tr: BackwardTrace) -> str:
    """HTML rendering of a :class:`BackwardTrace` (one table row per step, then the leaves),
    shown by Jupyter through ``BackwardTrace._repr_html_``."""
    e = html.escape
    f = lambda a: e(fmt_array(a, tr.max_numel))  # noqa: E731
    code = '<code style="white-space:pre">{}</code>'.format
    td = '<td style="text-align:left;vertical-align:top;padding:2px 8px">{}</td>'.format
    th = "".join(f'<th style="text-align:left;padding:2px 8px">{h}</th>' for h in (
        "step", "node → output", "forward", "upstream ∂L/∂output", "rule (from backward)",
        "gradient sent to each input"))
    rows = []
    for st in tr.steps:
        up = code(f(st.grad_out))
        if st.summed_from:
            up += "<br><small>sum of steps " + ", ".join(f"[{k}]" for k in st.summed_from)
            up += ": several paths meet here</small>"
        sent = []
        for ig in st.inputs:
            if ig.kind == "constant" or ig.grad is None:
                sent.append(f"{ig.index}: <i>{e(ig.name)}</i> (no gradient)")
                continue
            item = f"{ig.index}: <b>{e(ig.name)}</b> ({ig.kind} {list(ig.shape)}) " + code(
                f(ig.grad))
            if ig.reduced_axes:
                item += (f"<br><small>broadcast undone: summed {list(ig.raw_shape)} over axes "
                         f"{list(ig.reduced_axes)}</small>")
            sent.append(item)
        rules = "<br>".join(e(r) for r in st.rules) or "<i>(no derivative comment)</i>"
        rows.append("<tr>" + "".join([
            td(f"[{st.step}]"), td(f"<b>{e(st.op)}</b> → {e(st.output)}"), td(e(st.formula)),
            td(up), td(rules), td("<br>".join(sent)),
        ]) + "</tr>")
    leaves = "".join(
        "<tr>" + td(f"<b>{e(lf.name)}</b>.grad") + td(code(f(lf.grad))) + td(
            "accumulated from steps " + ", ".join(f"[{k}]" for k, _ in lf.contributions)
            if len(lf.contributions) > 1 else "") + "</tr>"
        for lf in tr.leaves
    )
    head = (f"<p><b>backward trace of {e(tr.root)}</b>: {len(tr.steps)} node(s), seed "
            f"∂{e(tr.root)}/∂{e(tr.root)} = {code(f(tr.seed))}</p>")
    table = f'<table class="tg-trace"><thead><tr>{th}</tr></thead><tbody>{"".join(rows)}'
    table += "</tbody></table>"
    leaf_table = f'<p><b>leaf gradients</b></p><table class="tg-trace">{leaves}</table>'
    return head + table + (leaf_table if tr.leaves else "")
