"""Reverse-mode autograd: grad mode, ``Function``, the graph node, and the backward engine.

A forward call ``Function.apply(*inputs)`` runs ``forward`` on raw arrays and, when grad mode is
on and some input requires grad, records one graph node: the :class:`Context` (torch's
``grad_fn``) holding the function, its parent tensors and what it saved. ``backward`` walks the
nodes in reverse topological order (iteratively: no recursion limit), calls each
``Function.backward`` for the chain rule, and undoes broadcasting in ONE place,
:func:`unbroadcast`.
"""

from __future__ import annotations

import functools
import sys
import traceback

import numpy as np

from .backend import get_array_module

Tensor = None  # the Tensor class; tensor.py registers it here (it sits one layer above)

# ----------------------------------------------------------------------------- grad mode ------
_grad_enabled = True
_anomaly = False


def is_grad_enabled() -> bool:
    return _grad_enabled


class _GradMode:
    """Base of no_grad/enable_grad/set_grad_enabled: a context manager and a decorator."""

    _mode = True

    def __enter__(self):
        global _grad_enabled
        self._prev = _grad_enabled
        _grad_enabled = self._mode

    def __exit__(self, *exc):
        global _grad_enabled
        _grad_enabled = self._prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """Disable graph recording: results have ``requires_grad=False``."""

    _mode = False


class enable_grad(_GradMode):
    _mode = True


class inference_mode(_GradMode):
    """As ``no_grad`` here (torch also skips version counting; we keep it)."""

    _mode = False

    def __init__(self, mode: bool = True):
        self._mode = not mode

    def __call__(self, fn=None):  # usable as @inference_mode and @inference_mode()
        if fn is None:
            return self
        mode = self._mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            ctx = inference_mode()
            ctx._mode = mode
            with ctx:
                return fn(*args, **kwargs)

        return wrapper


class set_grad_enabled(_GradMode):
    def __init__(self, mode: bool):
        global _grad_enabled
        self._mode = bool(mode)
        self._prev = _grad_enabled
        _grad_enabled = self._mode  # torch applies it immediately when used as a function

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        global _grad_enabled
        _grad_enabled = self._prev
        return False


class detect_anomaly:
    """Anomaly mode: the first op whose forward or backward yields NaN/inf raises, naming the op
    and showing the stack where its output was created."""

    def __init__(self, check_nan: bool = True):
        self.check_nan = check_nan

    def __enter__(self):
        global _anomaly
        self._prev = _anomaly
        _anomaly = self.check_nan

    def __exit__(self, *exc):
        global _anomaly
        _anomaly = self._prev
        return False


def _nonfinite(a) -> bool:
    if not (a.dtype.kind == "f"):
        return False
    xp = get_array_module(a)
    return not bool(xp.isfinite(a).all())


# ---------------------------------------------------------------------------- graph node ------
_FREED = object()


class Context:
    """One recorded call: torch's ``grad_fn``. Ops may stash extra values as attributes."""

    __slots__ = ("fn", "parents", "needs_input_grad", "_saved", "__dict__", "__weakref__")

    # Rarely set (in-place check, retain_grad, hooks, anomaly stack): class-level defaults, so a
    # node costs four slot writes to make (speed: one node per recorded op, DESIGN §9).
    _saved_versions = None
    out_ref = None
    hooks = None
    stack = None

    def __init__(self, fn):
        self.fn = fn
        self.parents = ()
        self.needs_input_grad = ()
        self._saved = ()

    def save_for_backward(self, *values) -> None:
        self._saved = values

    @property
    def saved_tensors(self) -> tuple:
        if self._saved is _FREED:
            raise RuntimeError(
                f"Trying to backward through the graph a second time (or directly access saved "
                f"tensors after they have already been freed) in {self.name()}. Saved "
                "intermediate values of the graph are freed when you call .backward(). Specify "
                "retain_graph=True if you need to backward through the graph a second time."
            )
        return self._saved

    def name(self) -> str:
        # a fused op may name itself as torch's node does (our CrossEntropyLoss prints as
        # torch's NllLossBackward0), so printed graphs read the same on both
        return getattr(self.fn, "grad_fn_name", None) or f"{self.fn.__name__}Backward0"

    @property
    def next_functions(self) -> tuple:
        """(node, 0) per input, as torch: a parent's grad_fn, or None for leaves/constants."""
        return tuple((None if p is None else p._node, 0) for p in self.parents)

    def register_hook(self, fn) -> None:
        if self.hooks is None:
            self.hooks = []
        self.hooks.append(fn)

    def __repr__(self) -> str:
        return f"<{self.name()} object at {hex(id(self))}>"


# ------------------------------------------------------------------------------ Function ------
class Function:
    """Base of every differentiable op, the torch way.

    Subclasses define ``forward(ctx, *inputs)`` and ``backward(ctx, grad_output)`` as static
    methods and are called through ``.apply``. ``backward`` returns one gradient per forward
    input (None where there is none). By default (``array_io = False``, as in torch) both
    receive and return Tensors. The library's own ops set ``array_io = True``: their bodies see
    raw NumPy/CuPy arrays, so the math reads as math and no Tensor objects are made for
    intermediates.
    """

    array_io = False

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        # The hot path of every op (DESIGN §9): one pass over the inputs, no generators.
        T = Tensor
        ctx = Context(cls)
        needs = []
        parents = []
        arrays = []
        any_grad = False
        dev_type = None
        for a in args:
            if isinstance(a, T):
                data = a._data
                if dev_type is None:
                    dev_type = type(data)
                elif type(data) is not dev_type:
                    _device_mismatch(cls, args)
                rg = a.requires_grad
                if rg:
                    any_grad = True
                    parents.append(a)
                else:
                    parents.append(None)
                needs.append(rg)
                arrays.append(data)
            else:
                needs.append(False)
                parents.append(None)
                arrays.append(a)
        record = any_grad and _grad_enabled
        ctx.needs_input_grad = tuple(needs) if record else (False,) * len(needs)
        if cls.array_io:
            out = cls.forward(ctx, *arrays, **kwargs)
        else:  # torch-style user Function: Tensors in and out, nothing recorded inside
            with no_grad():
                wrapped = [T._wrap(x) if isinstance(a, T) else a for a, x in zip(args, arrays)]
                out = cls.forward(ctx, *wrapped, **kwargs)
            out = out._data if isinstance(out, T) else out
        if type(out) is not np.ndarray:
            out = get_array_module(out).asarray(out)
        if _anomaly and _nonfinite(out):
            _anomaly_forward(cls, arrays, out)
        # integer and bool results carry no gradient (torch: x.long() does not require grad)
        if not record or out.dtype.kind not in "fc":
            t = T._wrap(out)
            if out.base is not None:
                _share_view_version(t, args, out.base)
            return t
        ctx.parents = tuple(parents)
        saved = ctx._saved
        if saved:  # remember versions of inputs saved as-is, for the in-place check
            vers = None
            for a, x in zip(args, arrays):
                if x is not a:  # a Tensor input (its array differs from the argument)
                    for s in saved:
                        if s is x:
                            if vers is None:
                                vers = []
                            vers.append((a, a._version))
                            break
            if vers is not None:
                ctx._saved_versions = vers
        if _anomaly:
            ctx.stack = traceback.format_stack()[:-1]
        t = T._wrap(out, ctx)
        if out.base is not None:
            _share_view_version(t, args, out.base)
        return t


def _share_view_version(t, args, base) -> None:
    """An output that is a view of an input's storage shares that input's version counter."""
    for a in args:
        if isinstance(a, Tensor):
            d = a._data
            if d is base or d.base is base:
                t._share_version_with(a)
                return


def _device_mismatch(cls, args):
    devs = [str(a.device) for a in args if isinstance(a, Tensor)]
    first = devs[0]
    other = next(d for d in devs if d != first)
    raise RuntimeError(
        f"Expected all tensors to be on the same device, but found at least two devices, "
        f"{other} and {first}! (in op {cls.__name__})"
    )


# ------------------------------------------------------------------------- unbroadcasting ----
def unbroadcast(grad, shape: tuple):
    """Sum ``grad`` down to ``shape``: the adjoint of broadcasting, done here and only here.

    Broadcasting copies a value along new leading axes and along size-1 axes, so its gradient
    adds the copies back: sum over the leading axes, and over axes where ``shape`` has 1.
    """
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1
    )
    out = grad.sum(axis=axes, keepdims=True) if axes else grad
    if lead:
        out = out.reshape(shape)
    assert out.shape == shape, f"unbroadcast: gradient {grad.shape} cannot reduce to {shape}"
    return out


def broadcast_axes(grad_shape: tuple, shape: tuple) -> tuple:
    """The axes :func:`unbroadcast` sums over (for tools that explain a backward pass)."""
    lead = len(grad_shape) - len(shape)
    return tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad_shape[lead + i] != 1
    )


# ------------------------------------------------------------------------ backward engine ----
def topological_order(root_node) -> list:
    """Graph nodes reachable from ``root_node``, each before every node it depends on.

    An iterative depth-first search (no recursion limit): a node is emitted once all of its
    parents' nodes have been, and the reversed emission order puts consumers first.
    """
    order = []
    seen = {root_node}
    stack = [(root_node, iter(root_node.parents))]
    while stack:
        node, parents = stack[-1]
        for p in parents:
            if p is not None:
                pn = p._node
                if pn is not None and pn not in seen:
                    seen.add(pn)
                    stack.append((pn, iter(pn.parents)))
                    break
        else:  # every parent done: emit this node
            stack.pop()
            order.append(node)
    order.reverse()
    return order


# Observers (e.g. the backward tracer) get a callback per node: (ctx, grad_out, input_grads).
_observers: list = []


def _refs(a) -> int:
    return sys.getrefcount(a)


def _calibrate_refs() -> int:
    a = np.empty(1)  # a local that nothing else references, seen exactly as run_backward sees gi
    return _refs(a)


# How many references a gradient array shows in run_backward when the local ``gi`` is the only
# one. Measured rather than assumed, because interpreters count stack references differently.
_SOLE_REFS = _calibrate_refs() if sys.implementation.name == "cpython" else -1


class _Only:
    """``backward(inputs=...)`` / ``autograd.grad``: deliver gradients to these tensors only,
    accumulated into their ``.grad`` or, for ``autograd.grad``, returned instead."""

    def __init__(self, tensors, accumulate: bool):
        self.leaves = {id(t): t for t in tensors if t._node is None}
        self.nodes = {t._node: t for t in tensors if t._node is not None}
        self.accumulate = accumulate
        self.grads: dict = {}

    def take(self, t, g) -> None:
        if self.accumulate:
            _accumulate_leaf(t, g, False)
        else:
            prev = self.grads.get(id(t))
            self.grads[id(t)] = g.copy() if prev is None else prev + g


def run_backward(root, grad, retain_graph: bool = False, only: _Only | None = None) -> None:
    """Propagate ``grad`` (an array shaped like ``root``) to every leaf that requires grad
    (or, with ``only``, to just the chosen tensors)."""
    if root._node is None:  # backward of a leaf: its gradient is the seed itself
        if only is None:
            _accumulate_leaf(root, grad, False)
        elif id(root) in only.leaves:
            only.take(root, grad)
        return
    order = topological_order(root._node)
    hooked = {}  # leaves with hooks: their gradient is summed before the hooks see it
    grads = {root._node: grad}
    del grad
    T = Tensor
    for node in order:
        g = grads.pop(node, None)
        if g is None:
            continue
        if node.out_ref is not None or node.hooks:
            g = _node_hooks(node, g)
        if only is not None and node in only.nodes:
            only.take(only.nodes[node], g)
        if node._saved_versions:
            _check_versions(node)
        fn = node.fn
        if fn.array_io:
            in_grads = fn.backward(node, g)
        else:
            with no_grad():
                in_grads = fn.backward(node, T._wrap(g))
        if not isinstance(in_grads, tuple):
            in_grads = (in_grads,)
        parents = node.parents
        if len(in_grads) < len(parents):
            raise RuntimeError(
                f"function {node.name()} returned an incorrect number of gradients "
                f"(expected {len(parents)}, got {len(in_grads)})"
            )
        observed = bool(_observers)
        if not observed:  # let go of the tuple so a fresh gradient has a single owner (below)
            in_grads = list(in_grads)
        for i, parent in enumerate(parents):
            if parent is None:
                continue
            gi = in_grads[i]
            if gi is None:
                continue
            if isinstance(gi, T):
                gi = gi._data
            pdata = parent._data
            if gi.shape != pdata.shape:
                gi = unbroadcast(gi, pdata.shape)
            if gi.dtype != pdata.dtype:
                gi = gi.astype(pdata.dtype)
            if _anomaly and _nonfinite(gi):
                _anomaly_backward(node, gi, parent)
            pnode = parent._node
            if pnode is None and only is not None:
                if id(parent) in only.leaves:
                    only.take(parent, gi)
            elif pnode is None and parent._hooks:
                # torch runs a leaf's hooks once, on the sum of all its incoming gradients
                prev = hooked.get(parent)
                hooked[parent] = gi if prev is None else prev + gi
            elif pnode is None:
                if observed:
                    _accumulate_leaf(parent, gi, False)
                else:
                    in_grads[i] = None
                    # torch's AccumulateGrad steals a gradient nobody else holds instead of
                    # copying it: a fresh GEMM/sum result (own memory, no other reference) can
                    # become .grad as is, and still never alias another grad or tensor.
                    owned = gi.flags.owndata and _refs(gi) <= _SOLE_REFS
                    _accumulate_leaf(parent, gi, owned)
            else:
                prev = grads.get(pnode)
                grads[pnode] = gi if prev is None else prev + gi  # a node used twice: sum
        if observed:
            for obs in _observers:
                obs(node, g, in_grads)
        if not retain_graph:
            node._saved = _FREED
        else:
            node.retained = True  # for inspect.graph_stats: backpropagated, kept alive
    for lf, g in hooked.items():
        _accumulate_leaf(lf, g, False)


def _accumulate_leaf(leaf, g, owned: bool) -> None:
    """Add ``g`` into ``leaf.grad``; ``owned`` says no one else holds ``g`` (no copy needed)."""
    if not leaf.requires_grad:
        return
    hooks = leaf._hooks
    if hooks:
        owned = False
        for h in hooks:
            r = h(Tensor._wrap(g))
            if r is not None:
                g = r._data
    if leaf.grad is None:
        if not owned or not g.flags.writeable:
            g = get_array_module(g).array(g, copy=True)  # own it: no aliasing between grads
        leaf.grad = Tensor._wrap(g)
    else:
        leaf.grad._data += g  # torch accumulates into .grad


def _node_hooks(node, g):
    if node.hooks:
        for h in node.hooks:
            r = h(Tensor._wrap(g))
            if r is not None:
                g = r._data
    if node.out_ref is not None:
        t = node.out_ref()
        if t is not None and t._retains_grad:
            if t.grad is None:
                t.grad = Tensor._wrap(get_array_module(g).array(g, copy=True))
            else:
                t.grad._data = t.grad._data + g
    return g


def _check_versions(node) -> None:
    for t, v in node._saved_versions:
        if t._version != v:
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: [{t.dtype.name} {list(t.shape)}] is at version "
                f"{t._version}; expected version {v} instead. (saved by {node.name()})"
            )


def _describe(a) -> str:
    xp = get_array_module(a)
    return (f"{list(a.shape)} {a.dtype} ({int(xp.isnan(a).sum())} nan, "
            f"{int(xp.isinf(a).sum())} inf)")


def _anomaly_forward(cls, arrays, out):
    ins = ", ".join(f"{list(a.shape)} {a.dtype}" for a in arrays if hasattr(a, "shape"))
    where = "".join(traceback.format_stack()[:-2])
    raise RuntimeError(
        f"Function '{cls.__name__}' returned nan or inf values in its forward output "
        f"{_describe(out)} from inputs [{ins}] (anomaly mode). Traceback of the forward call "
        f"that created it:\n{where}"
    )


def _anomaly_backward(node, gi=None, parent=None):
    where = "".join(node.stack or ["(no creation stack recorded)\n"])
    what = "" if gi is None else f" {_describe(gi)} for an input of shape {list(parent.shape)}"
    raise RuntimeError(
        f"Function '{node.name()}' returned nan or inf values in its gradient{what} (anomaly "
        f"mode). Traceback of the forward call that created it:\n{where}"
    )


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False, materialize_grads=False):
    """``torch.autograd.grad``: the gradients of ``outputs`` with respect to ``inputs`` (leaves
    or intermediate tensors), returned as a tuple; no tensor's ``.grad`` is touched."""
    if create_graph:
        raise NotImplementedError("autograd.grad(create_graph=True): higher-order gradients are "
                                  "not supported by tinygrad_edu")
    single = isinstance(inputs, Tensor)
    inputs = [inputs] if single else list(inputs)
    only = _Only(inputs, accumulate=False)
    outputs.backward(grad_outputs, retain_graph=bool(retain_graph), _only=only)
    res = []
    for t in inputs:
        g = only.grads.get(id(t))
        if g is None:
            if not (allow_unused or materialize_grads):
                raise RuntimeError("One of the differentiated Tensors appears to not have been "
                                   "used in the graph. Set allow_unused=True if this is the "
                                   "desired behavior.")
            res.append(Tensor._wrap(get_array_module(t._data).zeros_like(t._data))
                       if materialize_grads else None)
        else:
            res.append(Tensor._wrap(g))
    return tuple(res)


__all__ = ["Function", "Context", "no_grad", "enable_grad", "set_grad_enabled",
           "inference_mode", "detect_anomaly", "grad", "is_grad_enabled", "unbroadcast"]
