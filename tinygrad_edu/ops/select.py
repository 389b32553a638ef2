"""Selection ops: each output element is one of the inputs' elements (maximum/minimum, clamp,
where), so the gradient flows to whichever input was picked (torch's tie rules in comments).
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..backend import get_array_module
from ..tensor import Tensor
from ._dual import xp_of
from ._util import as_tensor_like, raise_broadcast_error, shape_str
from .logic import nonzero
from .promotion import _dt, binary, cast


class MaximumFn(Function):
    """z = max(x, y) elementwise"""

    array_io = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return get_array_module(x).maximum(x, y)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        # ∂z/∂x = [x > y] + ½[x = y]; torch splits a tie evenly
        wx = (x > y) + 0.5 * (x == y)
        return g * wx, g * (1.0 - wx)


class MinimumFn(Function):
    """z = min(x, y) elementwise"""

    array_io = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return get_array_module(x).minimum(x, y)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        wx = (x < y) + 0.5 * (x == y)  # ∂z/∂x = [x < y] + ½[x = y]
        return g * wx, g * (1.0 - wx)


class ClampFn(Function):
    """y = min(max(x, lo), hi)"""

    node_name = "ClampBackward1"  # torch's name for this node

    array_io = True

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        return get_array_module(x).clip(x, lo, hi)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        # ∂y/∂x = [lo ≤ x ≤ hi]; torch passes the gradient at the bounds themselves
        mask = True
        if ctx.lo is not None:
            mask = x >= ctx.lo
        if ctx.hi is not None:
            mask = mask & (x <= ctx.hi)
        return g * mask, None, None


class ClampTensorFn(Function):
    """y = min(max(x, lo), hi) with tensor bounds (either may be None)"""

    node_name = "ClampBackward0"  # torch's name for this node

    array_io = True

    @staticmethod
    def forward(ctx, x, lo, hi):
        xp = get_array_module(x)
        ctx.save_for_backward(x, lo, hi)
        y = x if lo is None else xp.maximum(x, lo)
        return y if hi is None else xp.minimum(y, hi)

    @staticmethod
    def backward(ctx, g):
        x, lo, hi = ctx.saved_tensors
        nx, nlo, nhi = ctx.needs_input_grad
        gx = glo = ghi = None
        if nx:  # ∂y/∂x = [lo ≤ x ≤ hi]; torch: the bounds themselves pass the gradient
            mask = True
            if lo is not None:
                mask = x >= lo
            if hi is not None:
                mask = mask & (x <= hi)
            gx = g * mask
        if nlo:  # ∂y/∂lo = [x < lo] (and lo < hi: when lo > hi the result is hi)
            m = x < lo
            glo = g * (m & (lo < hi) if hi is not None else m)
        if nhi:  # ∂y/∂hi = [x > hi] or [hi < lo]
            m = x > hi
            ghi = g * (m | (hi < lo) if lo is not None else m)
        return gx, glo, ghi


class WhereFn(Function):
    """z = x where cond else y"""

    array_io = True

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
def maximum(input, other):
    return binary(MaximumFn, input, other, op="maximum")


def minimum(input, other):
    return binary(MinimumFn, input, other, op="minimum")


def clamp(input, min=None, max=None):
    if min is None and max is None:
        raise RuntimeError("clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        lo = None if min is None else cast(as_tensor_like(min, input), input.dtype)
        hi = None if max is None else cast(as_tensor_like(max, input), input.dtype)
        try:
            return ClampTensorFn.apply(input, lo, hi)
        except ValueError:
            raise RuntimeError(
                f"clamp: shapes {shape_str(*(t for t in (input, lo, hi) if t is not None))} "
                "cannot be broadcast together"
            ) from None
    return ClampFn.apply(input, min, max)


clip = clamp


def where(condition, input=None, other=None):
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    ref = next(t for t in (input, other, condition) if isinstance(t, Tensor))
    cond = as_tensor_like(condition, ref)
    if cond._data.dtype != np.bool_:
        raise RuntimeError(f"where: expected condition to be a boolean tensor, got {cond.dtype}")
    if isinstance(input, Tensor) and isinstance(other, Tensor):
        if input._data.dtype != other._data.dtype:
            r = _dt.result_type(input, other)
            input, other = cast(input, r), cast(other, r)
    elif isinstance(input, Tensor) and not isinstance(other, Tensor):
        other = as_tensor_like(other, input)._data.astype(input._data.dtype)
    elif isinstance(other, Tensor) and not isinstance(input, Tensor):
        input = as_tensor_like(input, other)._data.astype(other._data.dtype)
    try:
        return WhereFn.apply(cond, input, other)
    except ValueError:
        raise_broadcast_error("where", cond.shape, *(np.shape(getattr(t, "_data", t))
                                                     for t in (input, other)))


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["clamp", "clip", "maximum", "minimum", "where"]

# ops that also have an in-place form (``exp_``), made by ops/inplace.py
INPLACE = ("clamp", "clip")

METHODS = {
    "maximum": maximum, "minimum": minimum, "clamp": clamp, "clip": clamp,
    "where": lambda self, cond, other: where(cond, self, other),
}
