"""Selection ops: each output element is one of the inputs' elements (maximum/minimum,
fmax/fmin, clamp, clamp_min/clamp_max, where), so the gradient flows to whichever input was
picked. torch's rules at the kinks, each in a comment: maximum splits a tie evenly and sends a
NaN's gradient to both inputs; fmax gives a tie to ``input``; clamp passes the gradient at its
bounds, and none where x or a bound is NaN.
"""

from __future__ import annotations

import numpy as np

from .. import dtype as _dt
from ..autograd import Function
from ..backend import get_array_module
from ..tensor import Tensor
from ._dual import xp_of
from ._out import write_out_same_dtype
from ._util import as_tensor_like, int_scalar, named, raise_broadcast_error, shape_str
from .logic import nonzero
from .promotion import _convert, _scalar_ok, binary, cast, require_tensor, result_type, write_out


class MaximumFn(Function):
    """z = max(x, y) elementwise (NaN if either is NaN)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return get_array_module(x).maximum(x, y)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        xp = xp_of(g)
        # ∂z/∂x = [x > y] + ½[x = y]; torch splits a tie evenly, and where a NaN makes every
        # comparison false, both inputs receive the whole gradient
        h = xp.where(x == y, g / 2, g)
        return xp.where(x < y, 0.0, h), xp.where(x > y, 0.0, h)


class MinimumFn(Function):
    """z = min(x, y) elementwise (NaN if either is NaN)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return get_array_module(x).minimum(x, y)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        xp = xp_of(g)
        h = xp.where(x == y, g / 2, g)  # ∂z/∂x = [x < y] + ½[x = y] (NaN: both, as maximum)
        return xp.where(x > y, 0.0, h), xp.where(x < y, 0.0, h)


class FmaxFn(Function):
    """z = max(x, y) elementwise, ignoring a NaN (NaN only where both are)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        xp = get_array_module(x)
        return xp.where((x < y) | xp.isnan(x), y, x)  # torch: a tie (-0.0, 0.0) keeps x

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        xp = xp_of(g)
        pick_x = (x >= y) | xp.isnan(y)  # ∂z/∂x = [x ≥ y or y is NaN]: torch gives a tie to x
        return xp.where(pick_x, g, 0.0), xp.where(pick_x, 0.0, g)


class FminFn(Function):
    """z = min(x, y) elementwise, ignoring a NaN (NaN only where both are)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        xp = get_array_module(x)
        return xp.where((x > y) | xp.isnan(x), y, x)  # torch: a tie (-0.0, 0.0) keeps x

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        xp = xp_of(g)
        pick_x = (x <= y) | xp.isnan(y)  # ∂z/∂x = [x ≤ y or y is NaN] (a tie goes to x)
        return xp.where(pick_x, g, 0.0), xp.where(pick_x, 0.0, g)


def _clip(xp, x, lo, hi):
    """min(max(x, lo), hi) with tensor bounds, NaN-propagating (a NaN in x or a bound gives
    NaN, as torch's kernel)."""
    y = x if lo is None else xp.maximum(x, lo)
    return y if hi is None else xp.minimum(y, hi)


def _clip_scalar(xp, x, lo, hi):
    """min(max(x, lo), hi) with number bounds: torch's scalar kernel keeps x at a tie
    (clamp(-0.0, min=0.0) is -0.0) and gives NaN for a NaN x or bound."""
    if lo is not None:
        x = xp.where(x < lo, lo, x) if lo == lo else xp.full_like(x, lo)  # lo != lo: NaN
    if hi is not None:
        x = xp.where(x > hi, hi, x) if hi == hi else xp.full_like(x, hi)
    return x


def _inside(x, lo, hi):
    """[lo ≤ x ≤ hi] (either bound may be None): where clamp passes the gradient to x."""
    if lo is None:
        return x <= hi
    if hi is None:
        return x >= lo
    return (x >= lo) & (x <= hi)


class ClampFn(Function):
    """y = min(max(x, lo), hi) with number bounds (either may be None)"""

    node_name = "ClampBackward1"  # torch's name for this node

    array_io = True

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        return _clip_scalar(get_array_module(x), x, lo, hi)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        # ∂y/∂x = [lo ≤ x ≤ hi]: torch passes the gradient at the bounds themselves, and none
        # where x (or a bound) is NaN
        return xp_of(g).where(_inside(x, ctx.lo, ctx.hi), g, 0.0), None, None


class ClampTensorFn(Function):
    """y = min(max(x, lo), hi) with tensor bounds (either may be None)"""

    node_name = "ClampBackward0"  # torch's name for this node

    array_io = True
    node_inputs = (0, 1, 2)  # torch lists min, max even when None

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x, lo, hi)
        return _clip(get_array_module(x), x, lo, hi)

    @staticmethod
    def backward(ctx, g):
        x, lo, hi = ctx.saved_tensors
        nx, nlo, nhi = ctx.needs_input_grad
        xp = xp_of(g)
        gx = glo = ghi = None
        if nx:  # ∂y/∂x = [lo ≤ x ≤ hi]; torch: the bounds themselves pass the gradient
            gx = xp.where(_inside(x, lo, hi), g, 0.0)
        if nlo:  # ∂y/∂lo = [x < lo] (and lo < hi: when lo > hi the result is hi)
            m = x < lo
            glo = xp.where(m & (lo < hi) if hi is not None else m, g, 0.0)
        if nhi:  # ∂y/∂hi = [x > hi] or [hi < lo]
            m = x > hi
            ghi = xp.where(m | (hi < lo) if lo is not None else m, g, 0.0)
        return gx, glo, ghi


class WhereFn(Function):
    """z = x where cond else y"""

    array_io = True
    wraps_numbers = True  # torch: x * 3 is mul(x, tensor(3)), next_functions (x, None)

    @staticmethod
    def forward(ctx, cond, x, y):
        ctx.save_for_backward(cond)
        return get_array_module(cond).where(cond, x, y)

    @staticmethod
    def backward(ctx, g):
        (cond,) = ctx.saved_tensors
        xp = xp_of(g)
        _, nx, ny = ctx.needs_input_grad
        return (None,
                xp.where(cond, g, 0) if nx else None,  # ∂z/∂x = [cond]
                xp.where(cond, 0, g) if ny else None)  # ∂z/∂y = [not cond]


# ---- the public functions (torch names) --------------------------------------------------------
def _two_tensors(fn, input, other, op: str, out):
    require_tensor(input, op, "input", 1)
    require_tensor(other, op, "other", 2)
    return write_out(out, binary(fn, input, other, op=op), op)


def maximum(input, other, *, out=None):
    """``torch.maximum``: the larger of two tensors elementwise (NaN if either is NaN).
    dtype: torch's promotion. Raises TypeError for a number. Gradient: to the larger; a tie
    splits it evenly; a NaN sends it to both (torch).

    Shapes: ``input`` and ``other`` broadcast (torch's rules); the output has the broadcast shape.
    """
    return _two_tensors(MaximumFn, input, other, "maximum", out)


def minimum(input, other, *, out=None):
    """``torch.minimum``: the smaller of two tensors elementwise (NaN if either is NaN).
    Gradient: as ``maximum``, to the smaller.

    Shapes: ``input`` and ``other`` broadcast (torch's rules); the output has the broadcast shape.
    Raises RuntimeError for shapes that do not broadcast or an ``out`` whose dtype the result cannot
    be cast to; TypeError for two non-Tensor arguments.
    """
    return _two_tensors(MinimumFn, input, other, "minimum", out)


def fmax(input, other, *, out=None):
    """``torch.fmax``: the larger of two tensors elementwise, ignoring a NaN (NaN only where
    both are). dtype: torch's promotion. Gradient: to the larger; a tie to ``input``.

    Shapes: ``input`` and ``other`` broadcast (torch's rules); the output has the broadcast shape.
    Raises RuntimeError for shapes that do not broadcast or an ``out`` whose dtype the result cannot
    be cast to; TypeError for two non-Tensor arguments.
    """
    return _two_tensors(FmaxFn, input, other, "fmax", out)


def fmin(input, other, *, out=None):
    """``torch.fmin``: the smaller of two tensors elementwise, ignoring a NaN. Gradient: to
    the smaller; a tie to ``input``.

    Shapes: ``input`` and ``other`` broadcast (torch's rules); the output has the broadcast shape.
    Raises RuntimeError for shapes that do not broadcast or an ``out`` whose dtype the result cannot
    be cast to; TypeError for two non-Tensor arguments.
    """
    return _two_tensors(FminFn, input, other, "fmin", out)


def _bound(b, r: _dt.dtype):
    if b is None or isinstance(b, Tensor):
        return b if b is None else cast(b, r)
    b = b.item() if isinstance(b, (np.number, np.bool_)) else b
    if r.is_floating_point:  # torch converts a number bound checked: 1e39 overflows float32
        _dt.checked_scalar(b, r)
    elif type(b) is int:  # and an int bound of an integer tensor: 200 overflows int8
        int_scalar(b, r, "clamp")
    return _convert(b, r)


def clamp(input, min=None, max=None, *, out=None):
    """``torch.clamp`` (alias ``clip``): min(max(input, min), max) elementwise; ``min``/``max``
    are numbers or tensors (broadcasting), either may be None; where min > max the result is
    max; a NaN in the input or a bound gives NaN. dtype: torch's promotion of input and bounds
    (an integer tensor with float bounds is float32; a 0-d tensor beside a number counts as a
    number). Raises RuntimeError when both bounds are None, TypeError for a dimensioned tensor
    bound beside a number. Gradient: to the input
    where min ≤ input ≤ max (the bounds included); to a tensor bound where it was picked.

    Shapes: ``input`` and tensor bounds broadcast (torch's rules); the output has the broadcast
    shape.
    """
    require_tensor(input, "clamp", "input", 1)
    if min is None and max is None:
        raise RuntimeError("clamp: At least one of 'min' or 'max' must not be None")
    tensors = isinstance(min, Tensor) or isinstance(max, Tensor)
    if tensors and not all(b is None or isinstance(b, Tensor) for b in (min, max)):
        if any(isinstance(b, Tensor) and (b.ndim or b.requires_grad) for b in (min, max)):
            raise TypeError("clamp(): expected min and max to be both Tensors or both numbers "
                            f"(got {type(min).__name__} and {type(max).__name__})")
        # a 0-d tensor beside a number: torch's parser takes the number overload, the 0-d
        # tensor read as a Python number
        min, max = (b.item() if isinstance(b, Tensor) else b for b in (min, max))
        tensors = False
    r = result_type(input, *(b for b in (min, max) if b is not None))
    both = min is not None and max is not None
    if r is _dt.bool_ and (both or not tensors):  # torch has no bool kernel for these
        kernel = "clamp" if both else ("clamp_min" if min is not None else "clamp_max")
        raise NotImplementedError(f"\"{kernel}{'' if tensors else '_scalar'}_cpu\" not "
                                  "implemented for 'Bool'")
    x, lo, hi = cast(input, r), _bound(min, r), _bound(max, r)
    if not tensors:
        return write_out_same_dtype(out, ClampFn.apply(x, lo, hi), "clamp")  # number bounds
    try:
        return write_out(out, ClampTensorFn.apply(x, lo, hi), "clamp")
    except ValueError:
        raise RuntimeError(
            f"clamp: shapes {shape_str(*(t for t in (input, lo, hi) if t is not None))} "
            "cannot be broadcast together") from None


def clamp_min(input, min, *, out=None):
    """``torch.clamp_min``: max(input, min) (``clamp(input, min=min)``). Gradient: to the input
    where input ≥ min, else to a tensor ``min``.

    Shapes: ``input`` and a tensor bound broadcast (torch's rules); the output has the broadcast
    shape. Raises RuntimeError for shapes that do not broadcast; TypeError for two non-Tensor
    arguments.
    """
    require_tensor(input, "clamp_min", "input", 1)
    z = clamp(input, min=min, out=out)
    return named(z, "ClampMinBackward1" if isinstance(min, Tensor) else "ClampMinBackward0")


def clamp_max(input, max, *, out=None):
    """``torch.clamp_max``: min(input, max) (``clamp(input, max=max)``). Gradient: to the input
    where input ≤ max, else to a tensor ``max``.

    Shapes: ``input`` and a tensor bound broadcast (torch's rules); the output has the broadcast
    shape. Raises RuntimeError for shapes that do not broadcast; TypeError for two non-Tensor
    arguments.
    """
    require_tensor(input, "clamp_max", "input", 1)
    z = clamp(input, max=max, out=out)
    return named(z, "ClampMaxBackward1" if isinstance(max, Tensor) else "ClampMaxBackward0")


def where(condition, input=None, other=None, *, out=None):
    """``torch.where``: ``input`` where ``condition`` else ``other`` (broadcasting all three;
    either value may be a number). dtype: torch's promotion of the two values (two Python
    floats give the default float32). ``where(condition)`` is ``nonzero(condition,
    as_tuple=True)``. Raises RuntimeError for a non-bool condition. Gradient: to ``input``
    where the condition holds, to ``other`` elsewhere.

    Shapes: ``condition``, ``input`` and ``other`` broadcast together (torch's rules); the output
    has the broadcast shape. Raises TypeError when ``condition`` is not a Tensor.
    """
    require_tensor(condition, "where", "condition", 1)
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    ref = next((t for t in (input, other, condition) if isinstance(t, Tensor)), None)
    if ref is None:
        raise TypeError("where(): expected a Tensor argument")
    cond = as_tensor_like(condition, ref)
    if cond._data.dtype != np.bool_:
        raise RuntimeError("where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {cond.dtype.name.capitalize()}")
    input, other = (v if isinstance(v, Tensor) or _scalar_ok(v) else as_tensor_like(v, ref)
                    for v in (input, other))
    r = result_type(input, other)
    xp = get_array_module(ref._data)
    for v in (input, other):
        if type(v) is int and not r.is_floating_point:  # int8 values: where(c, x, 200) raises
            int_scalar(v, r, "where")
    x, y = (cast(v, r) if isinstance(v, Tensor) else xp.asarray(_convert(v, r), dtype=r.np)
            for v in (input, other))
    try:
        return write_out_same_dtype(out, WhereFn.apply(cond, x, y), "where",
                                    "Expected out type to be {want} but got {got}.")
    except ValueError:
        raise_broadcast_error("where", cond.shape, *(np.shape(getattr(t, "_data", t))
                                                     for t in (x, y)))


clip = clamp  # torch's alias

# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["clamp", "clamp_max", "clamp_min", "clip", "fmax", "fmin", "maximum", "minimum",
           "where"]

# ops that also have an in-place form (``exp_``), made by ops/inplace.py
INPLACE = ("clamp", "clip", "clamp_min", "clamp_max")

def _where_method(self, condition, other):
    """``Tensor.where(condition, other)``: ``torch.where(condition, self, other)`` — self where
    the bool ``condition`` holds, else ``other`` (all three broadcast to one shape). Raises
    RuntimeError for a non-bool condition or unbroadcastable shapes. Gradient: to self where
    the condition holds, to ``other`` elsewhere.

    Shapes: ``self``, ``condition`` and ``other`` broadcast together; the output has the broadcast
    shape.
    """
    return where(condition, self, other)


METHODS = {
    "maximum": maximum, "minimum": minimum, "fmax": fmax, "fmin": fmin, "clamp": clamp,
    "clip": clamp, "clamp_min": clamp_min, "clamp_max": clamp_max,
    "where": _where_method,
}
