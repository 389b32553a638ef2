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

import functools

import numpy as np

from ..tensor import Tensor
from .grad_mode import no_grad, state
from .node import Node, leaf_node
from .opmath import BF16 as _BF16
from .opmath import in_float32
from .record import (  # noqa: F401
    SAVED_INPUTS,
    SAVED_OUTPUT,
    device_mismatch,
    keep_args,
    op_stem,
    record,
    replay_view,
    track_saved_fast,
    user_forward,
)
from .user_function import finish as user_marks


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
    ``replay(ctx, x)``, applying the same view to another array or Tensor);
    ``wraps_numbers`` (torch calls the op through its Tensor overload, so a Python number
    argument is an input of the node, listed ``(None, 0)`` in ``next_functions``: add, sub,
    mul, div, where); ``node_inputs`` (the positions of the arguments torch's node lists in
    ``next_functions``, for the few ops where the automatic rule is wrong: an optional Tensor
    given as None that torch lists anyway (a conv's bias), a float Tensor it does not list
    (a loss's weight)).
    """

    array_io = False
    node_name = None
    reference = None
    is_view = False
    wraps_numbers = False  # a Python number argument is a Tensor input (record.PLAIN)
    node_inputs = None  # the arguments torch's node lists, when record.PLAIN's rule is not it
    double_backward = True  # False: its backward runs on arrays only (create_graph refuses)
    opmath = True  # bfloat16 inputs computed in float32, outputs rounded back (opmath.py)
    _node_type = Node
    _fast_path = False  # an array op without a reference (set per subclass, __init_subclass__)

    def __init_subclass__(cls, **kwargs):
        # each op's nodes get a class of their own, named as torch names it (MulBackward0), so
        # type(y.grad_fn).__name__ reads as in torch
        super().__init_subclass__(**kwargs)
        # torch: a user Function's node is "<Name>Backward"; a built-in op's "<Op>Backward0"
        default = f"{op_stem(cls)}Backward0" if cls.array_io else f"{cls.__name__}Backward"
        name = cls.__dict__.get("node_name") or default
        cls._node_type = type(name, (Node,), {"__slots__": (), "__module__": cls.__module__,
                                              "fn": cls})
        # the written-out paths (_apply_binary, _apply_unary, run_backward_fast's common node)
        # take an array op without a `reference` (whose arguments must be kept): one class flag
        # for their callers' tests, and Node._common for the backward's
        cls._fast_path = bool(cls.array_io) and cls.reference is None
        cls._node_type._common = cls if cls._fast_path else None
        if cls.is_view and "opmath" not in cls.__dict__:
            cls.opmath = False  # a view shares the input's memory: never a float32 copy
        # torch 2's split form: forward(*args) without ctx, then setup_context(ctx, inputs, out)
        cls._split_forward = cls.setup_context is not Function.setup_context

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError

    @staticmethod
    def setup_context(ctx, inputs: tuple, output):
        """torch 2's form of a user Function: ``forward(*args)`` takes no ctx, and this saves
        what backward needs from the inputs and the output (``ctx.save_for_backward``)."""
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
        return cls.forward(cls._node_type(), *args, **kwargs)

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run ``forward`` and, when grad mode is on and an input requires grad, record a node.

        The hot path of every op: one pass over the inputs (collecting the arrays, and where
        each input's gradient would go), no generators. The commonest calls, one or two Tensors
        that require grad and nothing else, take :func:`_apply_unary` / :func:`_apply_binary`:
        the same steps written out for that case (``FAST = False`` turns them off). The
        hottest callers (``promotion.binary``, ``+ - *``, ``Tensor.tanh``) make this test
        themselves and call those directly: code that wraps ``apply`` to see every call sets
        ``FAST = False`` meanwhile (``inspect.compare_with_torch``)."""
        if FAST and not kwargs and cls._fast_path and state.enabled and not state.slow:
            n = len(args)
            if n == 2:
                a, b = args
                if (isinstance(a, Tensor) and isinstance(b, Tensor) and a._rg
                        and b._rg):
                    da = a._data
                    db = b._data
                    ta = da.dtype
                    tb = db.dtype
                    if type(da) is type(db) and ta is not _BF16 and tb is not _BF16:
                        return _apply_binary(cls, a, b, da, db, ta, tb)
            elif n == 1:
                a = args[0]
                if isinstance(a, Tensor) and a._rg:
                    da = a._data
                    ta = da.dtype
                    if ta is not _BF16:
                        return _apply_unary(cls, a, da, ta)
        ctx = cls._node_type()
        arrays = []
        nexts = []
        n_grad = 0  # inputs that require grad (while grad mode is on)
        enabled = state.enabled
        dev = None
        low = False  # a bfloat16 input
        plain = None  # [position, value, ...]: the arguments that are no input (record.PLAIN)
        for a in args:
            if isinstance(a, Tensor):
                d = a._data
                if dev is None:
                    dev = type(d)
                elif type(d) is not dev:
                    device_mismatch(cls, args)
                arrays.append(d)
                if d.dtype is _BF16:
                    low = True
                if a._rg and enabled:
                    n_grad += 1
                    # a leaf's gradient goes to its AccumulateGrad
                    node = a._node or leaf_node(a)
                    nexts.append((node, a._oi, d.shape, d.dtype))
                    continue
                t = d.dtype
                if t is not _F32 and t.kind in "biu":  # an index, a mask: no input (record.PLAIN)
                    if plain is None:
                        plain = [len(nexts), None]
                    else:
                        plain += (len(nexts), None)
            else:
                arrays.append(a)
                if plain is None:  # (record.PLAIN)
                    plain = [len(nexts), a]
                else:
                    plain += (len(nexts), a)
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
            out = cls.forward(ctx, *arrays, **kwargs) if cls.array_io else user_forward(
                cls, ctx, args, arrays, kwargs)
        if plain is not None:
            ctx._plain = plain
        res = record(cls, ctx, args, arrays, nexts, n_grad, out, kwargs)
        if not cls.array_io and ctx.__dict__:  # a user ctx's marks (non-differentiable, dirty)
            return user_marks(ctx, args, res)
        return res


FAST = True  # False: every call takes the general path of Function.apply (the fast ones' reference)
_ALL_TRUE = tuple((True,) * n for n in range(8))
_ALL_FALSE = tuple((False,) * n for n in range(8))
_ndarray = np.ndarray
_new = object.__new__
_F32 = np.dtype(np.float32)
_ONE_TRUE, _TWO_TRUE = _ALL_TRUE[1], _ALL_TRUE[2]  # (one global read each on the fast paths)
_SAVED_BOTH = SAVED_INPUTS[2]


def _apply_binary(cls, a: Tensor, b: Tensor, da, db, ta, tb) -> Tensor:
    """``apply(a, b)`` for two Tensors on one device that both require grad (grad mode on, no
    anomaly mode or saved-tensor hooks, an array op without a ``reference``: ``cls._fast_path``;
    ``da``, ``db`` their arrays, ``ta``, ``tb`` the arrays' dtypes, as ``apply``,
    ``promotion.binary`` or the operators read them): no lists, no
    loop, and the node and the output Tensor made in place (``Node.__init__``'s and
    ``Tensor._wrap``'s writes: the calls cost as much as the writes). An output that is not a
    fresh floating array (a tuple, a scalar, a view, an integer result) goes on through
    :func:`~.record.record`, as the general path's would.

    Speed: each op's node has a class of its own, so Python cannot specialize ``ctx.x = ...``
    here (it sees many classes): every write to the node is a full attribute lookup, and each
    is made once (``_saved_versions`` only when the saved values are known)."""
    ctx = _new(cls._node_type)
    ctx._saved = ()
    ctx.needs_input_grad = _TWO_TRUE
    out = cls.forward(ctx, da, db)
    na = a._node
    if na is None:  # a leaf: its live AccumulateGrad (weak reference), else leaf_node's new one
        na = a._accum
        na = na() if na is not None else None
        if na is None:
            na = leaf_node(a)
        # and its edge, made once per array (a leaf is an input of many ops: w, b in y·w + b)
        ea, arr = na.edge
        if arr is not da or ea[1] != a._oi:
            ea = (na, a._oi, da.shape, ta)
            na.edge = (ea, da)
    else:
        ea = (na, a._oi, da.shape, ta)
    nb = b._node
    if nb is None:
        nb = b._accum
        nb = nb() if nb is not None else None
        if nb is None:
            nb = leaf_node(b)
        eb, arr = nb.edge
        if arr is not db or eb[1] != b._oi:
            eb = (nb, b._oi, db.shape, tb)
            nb.edge = (eb, db)
    else:
        eb = (nb, b._oi, db.shape, tb)
    if type(out) is not _ndarray or out.base is not None or (
            out.dtype is not _F32 and out.dtype.kind not in "fc"):  # (float32: no .kind)
        ctx._saved_versions = None
        return record(cls, ctx, (a, b), [da, db], [ea, eb], 2, out, {})
    ctx.next = (ea, eb)
    t = _new(Tensor)
    t._data = out
    t._grad = None
    t._rg = True
    t._node = ctx
    t._oi = 0
    t._vc = None
    t._retains_grad = False
    t._hooks = None
    t._view = None
    t._accum = None
    saved = ctx._saved
    if not saved:
        ctx._saved_versions = None
    elif (len(saved) == 2 and saved[0] is da and saved[1] is db and da is not db
            and out is not da and out is not db):  # track_saved_fast's first case: x·y
        va = a._vc
        if va is None:
            a._vc = va = [0]
        vb = b._vc
        if vb is None:
            b._vc = vb = [0]
        ctx._saved_src = _SAVED_BOTH
        ctx._saved_versions = ((0, va, va[0]), (1, vb, vb[0]))  # (a tuple: one allocation)
    else:
        ctx._saved_versions = None
        track_saved_fast(ctx, out, t, a, da, b, db)
    return t


def _apply_unary(cls, a: Tensor, da, ta) -> Tensor:
    """``apply(a)`` for one Tensor that requires grad: :func:`_apply_binary`'s steps."""
    ctx = _new(cls._node_type)
    ctx._saved = ()
    ctx.needs_input_grad = _ONE_TRUE
    out = cls.forward(ctx, da)
    na = a._node
    if na is None:
        na = a._accum
        na = na() if na is not None else None
        if na is None:
            na = leaf_node(a)
    ea = (na, a._oi, da.shape, ta)
    if type(out) is not _ndarray or out.base is not None or (
            out.dtype is not _F32 and out.dtype.kind not in "fc"):  # (float32: no .kind)
        ctx._saved_versions = None
        return record(cls, ctx, (a,), [da], [ea], 1, out, {})
    ctx.next = (ea,)
    t = _new(Tensor)
    t._data = out
    t._grad = None
    t._rg = True
    t._node = ctx
    t._oi = 0
    t._vc = None
    t._retains_grad = False
    t._hooks = None
    t._view = None
    t._accum = None
    saved = ctx._saved
    if not saved:
        ctx._saved_versions = None
    elif len(saved) == 1 and saved[0] is out:  # track_saved_fast's first case: tanh's output
        t._vc = vc = [0]
        ctx._saved_src = SAVED_OUTPUT
        ctx._saved_versions = ((0, vc, 0),)
    else:
        ctx._saved_versions = None
        track_saved_fast(ctx, out, t, a, da)
    return t


def once_differentiable(fn):
    """Decorator for a user Function's backward that is not itself differentiable (torch's):
    it runs without recording, so under ``create_graph=True`` the gradient it gives has no
    history, and differentiating it again raises RuntimeError, as in torch."""

    @functools.wraps(fn)
    def backward_once(ctx, *grads):
        with no_grad():
            return fn(ctx, *grads)

    return backward_once
