"""What the backward loop calls around each node, besides the chain rule itself: tensor hooks,
``retain_grad``, taking the gradients ``autograd.grad`` asked for, the saved-version check,
anomaly checks, and the observers that inspect's tracer attaches."""

from __future__ import annotations

import warnings
import weakref

from ..backend import get_array_module
from ..dtype import kind_of
from ..tensor import Tensor
from .grad_mode import state
from .node import AccumulateGrad, edge_of

# Observers (inspect's trace_backward, compare_with_torch) get (node, grad_out, input_grads);
# pass observers (inspect's BackwardTracker) hear before_pass(roots)/after_pass(roots).
observers: list = []
pass_observers: list = []


class RemovableHandle:
    """What ``register_hook`` / ``register_forward_hook`` return: ``handle.remove()`` takes the
    hook out again (``key`` of a dict of hooks, or an item of a list). Also a context manager."""

    _next_id = 0

    def __init__(self, hooks, key):
        self.hooks, self.id = hooks, key

    @classmethod
    def new_id(cls) -> int:
        cls._next_id += 1
        return cls._next_id

    def remove(self) -> None:
        if isinstance(self.hooks, dict):
            self.hooks.pop(self.id, None)
        elif self.id in self.hooks:
            self.hooks.remove(self.id)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class Capture:
    """The gradients ``autograd.grad`` (or ``backward(inputs=...)``) asked for: one per chosen
    tensor, taken where that tensor's gradient is complete (the node that made it, or a leaf's
    AccumulateGrad). ``accumulate`` adds them into ``.grad`` instead of returning them."""

    def __init__(self, tensors, into=None):
        self.tensors = list(tensors)
        self.edges = [edge_of(t) if t.requires_grad else None for t in self.tensors]
        self.into = into  # backward(inputs=...): accumulate(tensor, grad) instead of returning
        self.grads = [None] * len(self.tensors)
        self.run = set()

    def nodes(self) -> set:
        return {e[0] for e in self.edges if e is not None}

    def take(self, node, g) -> None:
        for i, e in enumerate(self.edges):
            if e is not None and e[0] is node:
                gi = g[e[1]] if node.n_out > 1 else g
                if gi is None:
                    continue
                if self.into is not None:
                    self.into(self.tensors[i], gi)
                else:
                    prev = self.grads[i]
                    self.grads[i] = gi if prev is None else prev + gi


def before_node(node, g, capture):
    """Run the hooks registered on the tensor this gradient belongs to, keep it for
    ``retain_grad``, and hand it to ``capture`` when asked for."""
    if isinstance(node, AccumulateGrad):
        hks = node.variable._hooks
        if hks:
            g = _run_hooks(hks, g)
    else:
        if node.hooks:
            g = _run_node_hooks(node, g)
        if node.out_ref is not None:
            _retain(node, g)
    if capture is not None:
        capture.take(node, g)
    return g


def _run_hooks(hks, g):
    graph = isinstance(g, Tensor)
    for h in hks:
        r = h(g if graph else Tensor._wrap(g))
        if r is not None:
            g = r if graph else r._data
    return g


def _run_node_hooks(node, g):
    if node.n_out == 1:
        return _run_hooks([h for _, h in node.hooks], g)
    g = list(g)
    for k, h in node.hooks:
        if g[k] is not None:
            g[k] = _run_hooks([h], g[k])
    return g


def _retain(node, g) -> None:
    """``retain_grad()``: the output tensor keeps its (complete) gradient in ``.grad``."""
    for k, ref in node.out_ref:
        t = ref()
        gk = g[k] if node.n_out > 1 else g
        if t is None or gk is None or not t._retains_grad:
            continue
        if isinstance(gk, Tensor):
            t.grad = gk if t.grad is None else t.grad + gk
        elif t.grad is None:
            t.grad = Tensor._wrap(get_array_module(gk).array(gk, copy=True))
        else:
            t.grad = Tensor._wrap(t.grad._data + gk)


def retain_grad(t: Tensor) -> None:
    node = t._node
    t._retains_grad = True
    refs = [] if node.out_ref is None else node.out_ref
    if not any(r() is t for _, r in refs):
        refs.append((t._oi, weakref.ref(t)))
    node.out_ref = refs


def register_node_hook(t: Tensor, fn) -> None:
    node = t._node
    if node.hooks is None:
        node.hooks = []
    node.hooks.append((t._oi, fn))


def after_node(node, g, input_grads) -> None:
    for obs in observers:
        obs(node, g, input_grads)


def check_versions(node) -> None:
    """A value saved for backward was modified in place since: its gradient would be wrong.

    A Function's ``saved_only_for`` ({saved index: input index}) names saved values that only
    the gradient of one input reads: torch's derivatives.yaml saves them only when that input
    needs a gradient (``x * c``: ``x`` only when ``c`` requires grad), so a change to one is no
    error when that input needs none (the engine calls this only after a version moved)."""
    saved = node.saved_tensors
    only = getattr(node.fn, "saved_only_for", None)
    for j, vc, v in node._saved_versions:
        if only is not None and j in only and not node.needs_input_grad[only[j]]:
            continue
        if vc is not None and vc[0] != v:
            s = saved[j]
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: [{_type_name(s)} {list(s.shape)}]{_producer(node, j)}, "
                f"is at version {vc[0]}; expected version {v} instead. Hint: the backtrace "
                "further above can show the operation that failed to compute its gradient. The "
                "variable in question was changed in there or anywhere later. Good luck!"
            )


def _producer(node, j: int) -> str:
    """torch's ", which is output k of NodeName" for a saved value (nothing for a leaf)."""
    k = node._saved_src[j]
    if k < 0:
        return f", which is output {-1 - k} of {node.name()}"
    edge = node.next[k] if k < len(node.next) else None
    if edge is None or isinstance(edge[0], AccumulateGrad):
        return ""
    return f", which is output {edge[1]} of {edge[0].name()}"


def _type_name(a) -> str:
    names = {"f": {2: "HalfTensor", 4: "FloatTensor", 8: "DoubleTensor"},
             "i": {1: "CharTensor", 2: "ShortTensor", 4: "IntTensor", 8: "LongTensor"},
             "u": {1: "ByteTensor"}, "b": {1: "BoolTensor"}}
    return "torch." + names.get(kind_of(a.dtype), {}).get(a.dtype.itemsize, str(a.dtype))


def check_anomaly(node, gi, i: int) -> None:
    """Anomaly mode, as torch's engine: the ``i``-th gradient a backward function returned holds
    nan (inf is a legitimate derivative, e.g. sqrt'(0)): warn with the stack of the forward
    call that created the node, then raise RuntimeError naming the node and the output."""
    if not state.anomaly:
        return
    a = gi._data if isinstance(gi, Tensor) else gi
    if kind_of(a.dtype) not in "fc" or not bool(get_array_module(a).isnan(a).any()):
        return
    where = "".join(node.stack or ["(no creation stack recorded)\n"])
    warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that caused the "
                  f"error:\n{where}", UserWarning, stacklevel=2)
    raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")
