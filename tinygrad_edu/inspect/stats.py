"""``graph_stats``: how big a graph is and how much memory it holds for backward, plus a small
tracker that warns when backward runs twice without zeroing gradients."""

from __future__ import annotations

import warnings
import weakref
from collections import Counter
from dataclasses import dataclass, field

from .. import autograd
from ..tensor import Tensor


class GraphWarning(UserWarning):
    """A graph kept alive after backward, or gradients accumulated across backward passes."""


@dataclass
class GraphStats:
    nodes: int  # recorded ops (grad_fn nodes)
    leaves: int  # leaf tensors that require grad
    ops: Counter  # node count per op
    saved_bytes: int  # bytes of arrays saved for backward (still held)
    freed_nodes: int  # nodes whose saved arrays backward already released
    warnings: list = field(default_factory=list)

    def __str__(self) -> str:
        ops = ", ".join(f"{k}×{v}" for k, v in self.ops.most_common())
        s = (
            f"graph: {self.nodes} node(s) [{ops}], {self.leaves} leaf tensor(s), "
            f"{_human(self.saved_bytes)} saved for backward, {self.freed_nodes} node(s) freed"
        )
        return "\n".join([s] + [f"warning: {w}" for w in self.warnings])


def _leaf_inputs(node):
    """The leaf tensors a node reads (through their AccumulateGrad nodes)."""
    for e in getattr(node, "next", ()):
        if e is not None and isinstance(e[0], autograd.AccumulateGrad):
            yield e[0].variable


def _human(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


def _nbytes(v) -> int:
    if isinstance(v, Tensor):
        v = v._data
    return int(getattr(v, "nbytes", 0)) if hasattr(v, "shape") else 0


def graph_stats(
    t: Tensor, tracker: "BackwardTracker | None" = None, warn: bool = True
) -> GraphStats:
    """Count the nodes behind ``t`` and the bytes they keep for backward.

    Warns (:class:`GraphWarning`, also listed in ``.warnings``) when the graph still holds
    saved arrays although backward already ran through it (``retain_graph=True``), and when
    ``tracker`` saw backward
    accumulate into gradients that were not zeroed since the previous pass.
    """
    if not isinstance(t, Tensor):
        raise TypeError(f"graph_stats: expected a Tensor, got {type(t).__name__}")
    ops: Counter = Counter()
    saved = freed = 0
    retained = False
    leaves = {}
    order = [n for n in autograd.topological_order([t._node]) if isinstance(n, autograd.Node)] \
        if t._node is not None else []
    for node in order:
        ops[node.name()] += 1
        s = node._saved
        retained = retained or getattr(node, "retained", False)
        if s is autograd.node._FREED:
            freed += 1
        else:
            seen = set()
            for v in s:
                if id(v) not in seen:
                    seen.add(id(v))
                    saved += _nbytes(v)
        for p in _leaf_inputs(node):
            leaves[id(p)] = p
    if t._node is None and t.requires_grad:
        leaves[id(t)] = t
    msgs = []
    if saved and retained:
        msgs.append(
            f"the graph is still alive after backward: {_human(saved)} of saved arrays are held "
            "by it (backward(retain_graph=True)). Drop the reference (del loss) once done, "
            "and keep only loss.item() across iterations."
        )
    if tracker is not None:
        msgs += tracker.warnings
    if warn:
        for m in msgs:
            warnings.warn(m, GraphWarning, stacklevel=2)
    return GraphStats(len(order), len(leaves), ops, saved, freed, msgs)


class BackwardTracker:
    """Context manager: watch every backward pass and warn when one accumulates into leaf
    gradients that an earlier pass produced and nobody zeroed (``optimizer.zero_grad()``
    forgotten). Deliberate accumulation (gradient accumulation over micro-batches) is fine:
    pass ``warn=False`` and read ``.passes``/``.warnings``.
    """

    def __init__(self, warn: bool = True):
        self.warn = warn
        self.passes = 0
        self.warnings: list = []
        self._after: dict = {}  # id(leaf) -> (weakref(leaf), id(grad tensor), pass number)

    def __enter__(self):
        autograd.hooks.pass_observers.append(self)
        return self

    def __exit__(self, *exc):
        autograd.hooks.pass_observers.remove(self)
        return False

    def _leaves(self, roots):
        out = {}
        for root in roots:
            if isinstance(root, autograd.AccumulateGrad):
                out[id(root.variable)] = root.variable
        for node in autograd.topological_order(roots):
            for p in _leaf_inputs(node):
                if p.requires_grad:
                    out[id(p)] = p
        return list(out.values())

    def before_pass(self, roots):
        self._before(roots)

    def after_pass(self, roots):
        self._after_pass(roots)

    def _before(self, root):
        self.passes += 1
        stale = []
        for leaf in self._leaves(root):
            rec = self._after.get(id(leaf))
            if rec is None or rec[0]() is not leaf or leaf.grad is None:
                continue
            if id(leaf.grad) == rec[1] and bool((leaf.grad._data != 0).any()):
                stale.append(leaf)
        if stale:
            msg = (
                f"backward pass {self.passes} accumulates into the .grad of {len(stale)} "
                f"tensor(s) ({', '.join(str(list(s.shape)) for s in stale[:4])}"
                f"{', ...' if len(stale) > 4 else ''}) left over from pass "
                f"{self.passes - 1} and never zeroed: call optimizer.zero_grad() (or "
                "model.zero_grad()) before each backward, unless you accumulate on purpose."
            )
            self.warnings.append(msg)
            if self.warn:
                warnings.warn(msg, GraphWarning, stacklevel=4)

    def _after_pass(self, root):
        for leaf in self._leaves(root):
            if leaf.grad is not None:
                self._after[id(leaf)] = (weakref.ref(leaf), id(leaf.grad), self.passes)
