"""``Function``: the base of every differentiable op, and ``Function.apply``, which runs an op's
forward and records one graph :class:`~.node.Node` for it.

An op is a subclass with two static methods side by side::

    class Exp(Function):
        array_io = True

        @staticmethod
        def forward(ctx, x):
            y = xp_of(x).exp(x)
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y  # d eˣ/dx = eˣ

One formula, two modes. Usually ``backward`` sees raw arrays (fast, nothing recorded). Under
``create_graph=True`` the engine calls the very same ``backward`` with Tensors (``g`` and the
saved values), so each step of the formula is itself an op, recorded: the gradient has a graph
and can be differentiated again. Formulas therefore use only operators, ``xp`` functions
(``xp = xp_of(g)``: NumPy/CuPy for arrays, the differentiable tensor namespace for Tensors) and
other ops' :meth:`Function.call`. A fused op that saves intermediate values instead defines
``reference``: the same computation composed of simpler ops, which is both its readable twin
(tested against it) and what the engine differentiates under ``create_graph=True``.
"""

from __future__ import annotations

import traceback

import numpy as np

from ..backend import get_array_module
from ..dtype import kind_of
from ..tensor import Tensor
from .grad_mode import no_grad, state
from .hooks import describe
from .node import Node, leaf_node
from .opmath import BF16 as _BF16
from .opmath import in_float32


def op_stem(fn) -> str:
    """An op's name without the ``Fn`` its class carries (``MulFn`` -> ``Mul``): op Function
    classes end in ``Fn`` so that none shares a name with an nn Module (``SigmoidFn`` vs
    ``nn.Sigmoid``), and their nodes print as torch's (``SigmoidBackward0``)."""
    name = fn.__name__
    return name[:-2] if name.endswith("Fn") and len(name) > 2 else name


class Function:
    """Base of every differentiable op, the torch way.

    Subclasses define ``forward(ctx, *inputs)`` and ``backward(ctx, *grad_outputs)`` as static
    methods and are called through ``.apply``. ``backward`` returns one gradient per forward
    input (None where there is none); the engine sums each back to its input's shape
    (``unbroadcast``), so formulas may return broadcast-shaped gradients. ``forward`` may
    return a tuple: then the op has several outputs and ``backward`` receives one gradient per
    output (zeros for an output that received none).

    Class attributes: ``array_io`` (True for the library's ops: bodies see raw arrays;
    False, as in torch, for user Functions: Tensors in and out); ``node_name`` (torch's name of
    the node, when it is not ``<ClassName>Backward0``); ``reference`` (see the module doc);
    ``is_view`` (the output shares the first input's memory; the op then defines
    ``replay(ctx, x)``, applying the same view to another array or Tensor).
    """

    array_io = False
    node_name = None
    reference = None
    is_view = False
    double_backward = True  # False: its backward runs on arrays only (create_graph refuses)
    opmath = True  # bfloat16 inputs computed in float32, outputs rounded back (opmath.py)
    _node_type = Node

    def __init_subclass__(cls, **kwargs):
        # each op's nodes get a class of their own, named as torch names it (MulBackward0), so
        # type(y.grad_fn).__name__ reads as in torch
        super().__init_subclass__(**kwargs)
        # torch: a user Function's node is "<Name>Backward"; a built-in op's "<Op>Backward0"
        default = f"{op_stem(cls)}Backward0" if cls.array_io else f"{cls.__name__}Backward"
        name = cls.__dict__.get("node_name") or default
        cls._node_type = type(name, (Node,), {"__slots__": (), "__module__": cls.__module__})
        if cls.is_view and "opmath" not in cls.__dict__:
            cls.opmath = False  # a view shares the input's memory: never a float32 copy

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError

    @classmethod
    def call(cls, *args, **kwargs):
        """The op on Tensors (recorded, like ``apply``) or straight on arrays (not recorded).

        Backward formulas use it to call another op, so they work in both modes."""
        for a in args:
            if isinstance(a, Tensor):
                return cls.apply(*args, **kwargs)
        return cls.forward(cls._node_type(cls), *args, **kwargs)

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run ``forward`` and, when grad mode is on and an input requires grad, record a node.

        The hot path of every op: one pass over the inputs (collecting the arrays, and where
        each input's gradient would go), no generators. The commonest calls, one or two Tensors
        that require grad and nothing else, take :func:`_apply_unary` / :func:`_apply_binary`:
        the same steps written out for that case (``FAST = False`` turns them off)."""
        if FAST and not kwargs and cls.array_io and state.enabled and not state.anomaly:
            n = len(args)
            if n == 2:
                a, b = args
                if (isinstance(a, Tensor) and isinstance(b, Tensor) and a.requires_grad
                        and b.requires_grad and type(a._data) is type(b._data)
                        and a._data.dtype is not _BF16 and b._data.dtype is not _BF16):
                    return _apply_binary(cls, a, b)
            elif n == 1:
                a = args[0]
                if isinstance(a, Tensor) and a.requires_grad and a._data.dtype is not _BF16:
                    return _apply_unary(cls, a)
        ctx = cls._node_type(cls)
        arrays = []
        nexts = []
        n_grad = 0  # inputs that require grad (while grad mode is on)
        enabled = state.enabled
        dev = None
        low = False  # a bfloat16 input
        for a in args:
            if isinstance(a, Tensor):
                d = a._data
                if dev is None:
                    dev = type(d)
                elif type(d) is not dev:
                    _device_mismatch(cls, args)
                arrays.append(d)
                if d.dtype is _BF16:
                    low = True
                if a.requires_grad and enabled:
                    n_grad += 1
                    # a leaf's gradient goes to its AccumulateGrad
                    node = a._node or leaf_node(a)
                    nexts.append((node, a._oi, d.shape, d.dtype))
                    continue
            else:
                arrays.append(a)
            nexts.append(None)
        n = len(nexts)
        # torch's ctx.needs_input_grad: whether input i has an edge (shared tuples for all/none)
        if n_grad == n and n < 8:
            ctx.needs_input_grad = _ALL_TRUE[n]
        elif not n_grad and n < 8:
            ctx.needs_input_grad = _ALL_FALSE[n]
        else:
            ctx.needs_input_grad = tuple([e is not None for e in nexts])
        if low and cls.array_io and cls.opmath:
            out = in_float32(cls, ctx, arrays, kwargs)
        else:
            out = cls.forward(ctx, *arrays, **kwargs) if cls.array_io else _user_forward(
                cls, ctx, args, arrays, kwargs)
        return _record(cls, ctx, args, arrays, nexts, n_grad, out, kwargs)


FAST = True  # False: every call takes the general path of Function.apply (the fast ones' reference)
_ALL_TRUE = tuple((True,) * n for n in range(8))
_ALL_FALSE = tuple((False,) * n for n in range(8))


def _record(cls, ctx: Node, args, arrays, nexts, n_grad: int, out, kwargs):
    """After ``forward``: wrap the output(s) in Tensors and, when an input needs a gradient and
    the output is floating, record the node (its edges, the versions of what it saved)."""
    if type(out) is tuple:
        return _wrap_outputs(cls, ctx, args, arrays, out, n_grad, nexts, kwargs)
    if type(out) is not np.ndarray:
        out = _as_array(ctx, out)
    if state.anomaly:
        _anomaly_forward(cls, arrays, out)
    # integer and bool results carry no gradient (torch: x.long() does not require grad)
    if not n_grad or kind_of(out.dtype) not in "fc":
        t = Tensor._wrap(out)
    else:
        ctx.next = tuple(nexts)
        t = Tensor._wrap(out, ctx)
        if ctx._saved:
            _track_saved(ctx, args, arrays, (t,))
        if cls.reference is not None:
            _keep_args(ctx, args, arrays, kwargs)
        if state.anomaly:
            ctx.stack = traceback.format_stack()[:-1]
    if out.base is not None:
        _mark_view(cls, ctx, t, args, out.base)
    return t


def _apply_binary(cls, a: Tensor, b: Tensor) -> Tensor:
    """``apply(a, b)`` for two Tensors on one device that both require grad (grad mode on, no
    anomaly mode, an array op): no lists, no loop. An output that is not a fresh floating
    array (a tuple, a scalar, a view, an integer result) goes on through :func:`_record`."""
    ctx = cls._node_type(cls)
    ctx.needs_input_grad = _ALL_TRUE[2]
    da = a._data
    db = b._data
    out = cls.forward(ctx, da, db)
    ea = (a._node or leaf_node(a), a._oi, da.shape, da.dtype)
    eb = (b._node or leaf_node(b), b._oi, db.shape, db.dtype)
    if type(out) is not np.ndarray or out.dtype.kind not in "fc" or out.base is not None:
        return _record(cls, ctx, (a, b), [da, db], [ea, eb], 2, out, {})
    ctx.next = (ea, eb)
    t = Tensor._wrap(out, ctx)
    if ctx._saved:
        _track_saved(ctx, (a, b), (da, db), (t,))
    if cls.reference is not None:
        _keep_args(ctx, (a, b), (da, db), {})
    return t


def _apply_unary(cls, a: Tensor) -> Tensor:
    """``apply(a)`` for one Tensor that requires grad: :func:`_apply_binary`'s steps."""
    ctx = cls._node_type(cls)
    ctx.needs_input_grad = _ALL_TRUE[1]
    da = a._data
    out = cls.forward(ctx, da)
    ea = (a._node or leaf_node(a), a._oi, da.shape, da.dtype)
    if type(out) is not np.ndarray or out.dtype.kind not in "fc" or out.base is not None:
        return _record(cls, ctx, (a,), [da], [ea], 1, out, {})
    ctx.next = (ea,)
    t = Tensor._wrap(out, ctx)
    if ctx._saved:
        _track_saved(ctx, (a,), (da,), (t,))
    if cls.reference is not None:
        _keep_args(ctx, (a,), (da,), {})
    return t


def _as_array(ctx: Node, out):
    """An output as an array (NumPy returns 0-d results as scalars), also where it was saved."""
    arr = get_array_module(out).asarray(out)
    if arr is not out and ctx._saved:
        ctx._saved = tuple(arr if s is out else s for s in ctx._saved)
    return arr


def _user_forward(cls, ctx, args, arrays, kwargs):
    """A torch-style user Function: Tensors in and out, nothing recorded inside."""
    with no_grad():
        wrapped = [Tensor._wrap(x) if isinstance(a, Tensor) else a for a, x in zip(args, arrays)]
        out = cls.forward(ctx, *wrapped, **kwargs)
    if ctx._saved:  # saved Tensors stand for the arrays they hold
        ctx._saved = tuple(s._data if isinstance(s, Tensor) else s for s in ctx._saved)
    if isinstance(out, tuple):
        return tuple(o._data if isinstance(o, Tensor) else o for o in out)
    return out._data if isinstance(out, Tensor) else out


def _wrap_outputs(cls, ctx, args, arrays, outs, record, nexts, kwargs):
    """A Function with several outputs: one node, one Tensor per output (output index k)."""
    outs = tuple(o if type(o) is np.ndarray else _as_array(ctx, o) for o in outs)
    xp = get_array_module(outs[0])
    record = record and any(kind_of(o.dtype) in "fc" for o in outs)
    ts = []
    for k, o in enumerate(outs):
        t = Tensor._wrap(o, ctx if record and kind_of(o.dtype) in "fc" else None)
        t._oi = k
        ts.append(t)
    if record:
        ctx.n_out = len(outs)
        ctx.out_meta = tuple((o.shape, o.dtype, xp) for o in outs)
        ctx.next = tuple(nexts)
        if ctx._saved:
            _track_saved(ctx, args, arrays, ts)
        if cls.reference is not None:
            _keep_args(ctx, args, arrays, kwargs)
    return tuple(ts)


def _track_saved(ctx: Node, args, arrays, outs) -> None:
    """Note which saved values are inputs (k >= 0) or outputs (k < 0), and the version of each
    Tensor saved as-is, so backward can refuse to run once one was modified in place."""
    src = []
    versions = []
    j = 0
    for s in ctx._saved:
        k = None
        m = -1
        for t in outs:
            if s is t._data:
                k = m
                break
            m -= 1
        else:
            i = 0
            for x in arrays:
                if s is x:
                    t = args[i]
                    if isinstance(t, Tensor):
                        k = i
                        break
                i += 1
        src.append(k)
        if k is not None:
            vc = t._vc
            if vc is None:
                t._vc = vc = [0]
            versions.append((j, vc, vc[0]))
        j += 1
    ctx._saved_src = src
    if versions:
        ctx._saved_versions = versions


def _keep_args(ctx: Node, args, arrays, kwargs) -> None:
    """An op with a ``reference`` keeps its arguments (arrays, not Tensors) for double backward;
    freed with the saved values."""
    ctx._args = (tuple(isinstance(a, Tensor) for a in args), tuple(arrays), kwargs)


def _mark_view(cls, ctx: Node, t: Tensor, args, base) -> None:
    """An output that is a view of an input's storage shares that input's version counter;
    a view op's output also remembers its base and how to redo the view (for in-place writes
    through it, torch's CopySlices)."""
    for a in args:
        if isinstance(a, Tensor):
            d = a._data
            if d is base or d.base is base:
                t._share_version_with(a)
                if cls.is_view and a is args[0]:
                    if a._view is None:
                        t._view = (a, (ctx,))
                    else:
                        t._view = (a._view[0], a._view[1] + (ctx,))
                return


def replay_view(chain, x):
    """Apply a recorded chain of view ops to ``x`` (array or Tensor)."""
    for node in chain:
        x = node.fn.replay(node, x)
    return x


def _device_mismatch(cls, args):
    devs = [str(a.device) for a in args if isinstance(a, Tensor)]
    first = devs[0]
    other = next(d for d in devs if d != first)
    raise RuntimeError(
        f"Expected all tensors to be on the same device, but found at least two devices, "
        f"{other} and {first}! (in op {cls.__name__})"
    )


def _nonfinite(a) -> bool:
    if kind_of(a.dtype) != "f":
        return False
    return not bool(get_array_module(a).isfinite(a).all())


def _anomaly_forward(cls, arrays, out):
    if not _nonfinite(out):
        return
    ins = ", ".join(f"{list(a.shape)} {a.dtype}" for a in arrays if hasattr(a, "shape"))
    where = "".join(traceback.format_stack()[:-3])
    raise RuntimeError(
        f"Function '{op_stem(cls)}' returned nan or inf values in its forward output "
        f"{describe(out)} from inputs [{ins}] (anomaly mode). Traceback of the forward call "
        f"that created it:\n{where}"
    )


def once_differentiable(fn):
    """Decorator for a user Function's backward that cannot run on Tensors (torch's)."""
    return fn
