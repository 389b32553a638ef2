"""``add``/``sub`` with ``alpha`` on float16/bfloat16: z = x + α·y rounded once.

torch's kernel computes x + α·y as one fused multiply-add in float32 (its opmath type), with α
first cast to the tensor's type; ``x + (α·y)`` as two ops would round the product to the type
first and differ in the last bit for about 1 element in 10 (bfloat16).
"""

from __future__ import annotations

import numpy as np

from .. import dtype as _dt
from ..autograd import Function
from ..tensor import Tensor
from ._util import half_opmath, int_scalar, quiet, raise_broadcast_error
from .promotion import check_int_scalar, promote, result_type


class AddScaledFn(Function):
    """z = x + α·y (one rounding)"""

    node_name = "AddBackward0"  # torch's node for add(alpha=)
    array_io = True

    @staticmethod
    @half_opmath  # float16: computed in float32, rounded once (bfloat16: Function.apply)
    def forward(ctx, x, y, alpha):
        ctx.alpha = alpha
        # x, y arrive in float32; the float64 sum is torch's fma up to its float32 rounding
        # (the product is exact in float64), which the cast then does
        with quiet():  # α = ±inf: inf·0 = nan, silently, as torch
            return (x.astype(np.float64) + alpha * y.astype(np.float64)).astype(x.dtype)

    @staticmethod
    def backward(ctx, g):
        gy = g * ctx.alpha if ctx.needs_input_grad[1] else None
        return g, gy, None  # ∂z/∂x = 1, ∂z/∂y = α


class ScaleFn(Function):
    """z = α·y for add/sub's ``alpha`` (a number kept on the node, as torch's AddBackward0 keeps
    it: nothing is saved, so a second backward through it works)"""

    array_io = True

    @staticmethod
    def forward(ctx, y, alpha):
        ctx.alpha = alpha
        if type(alpha) is int and y.dtype.kind in "iu":  # wraps into y's type, as torch's
            alpha = np.asarray(alpha, np.uint64 if alpha >= 2**63 else np.int64).astype(y.dtype)
        with quiet():  # α = ±inf: inf·0 = nan, silently, as torch
            return y * alpha

    @staticmethod
    def backward(ctx, g):
        with quiet():
            return g * ctx.alpha, None  # ∂z/∂y = α


def check_alpha(input, other, alpha, op: str) -> _dt.dtype:
    """torch's rules for ``alpha``: a bool only for bool results, no float for integer ones;
    an int beyond 64 bits is OverflowError. Returns the result dtype."""
    r = result_type(input, other)
    if isinstance(alpha, (bool, np.bool_)) and r is not _dt.bool_:
        raise RuntimeError(f"{op}: Boolean alpha only supported for Boolean results.")
    if isinstance(alpha, (float, np.floating)) and not r.is_floating_point:
        raise RuntimeError(f"{op}: For integral input tensors, argument alpha must not be a "
                           "floating point number.")
    if r.is_floating_point and type(alpha) in (int, float):  # in the result's own type
        try:
            _dt.checked_scalar(alpha, r)
        except RuntimeError as e:
            raise RuntimeError(f"{op}: {e}") from None
    elif type(alpha) is int:  # an integer result: alpha in its C type (int8 with 200 raises;
        check_int_scalar(alpha)  # sub adds −alpha: int32 2**31 fits), once read as 64 bits
        int_scalar(-alpha if op == "sub" else alpha, r, op)
    return r


def fused_reduced(input, other, alpha, op: str):
    """input + alpha·other in one rounding when both are tensors, the result is
    float16/bfloat16 and alpha a float (α cast to the type first, as torch); else None."""
    if not (isinstance(input, Tensor) and isinstance(other, Tensor)) or type(alpha) is not float:
        return None
    r = result_type(input, other)
    if r.np not in _dt.REDUCED_FLOATS:
        return None
    check_alpha(input, other, alpha, op)
    a, b = promote(input, other, op)
    try:
        return AddScaledFn.apply(a, b, float(r.np.type(alpha)))
    except ValueError:
        raise_broadcast_error(op, a.shape, b.shape)
