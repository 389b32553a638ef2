"""xlogy: input · ln(other), its Function's forward and backward side by side.

torch's kernel computes a float16/bfloat16 ln y in the half type (std::log of a c10::Half or
c10::BFloat16 returns that type), so the logarithm is rounded before the product; its backward
formulas, xlogy(g, y) and (g·x)/y, are half-type ops too. NumPy's float16 ufuncs already round
each step; bfloat16 (opmath off) widens to float32 and rounds where torch rounds.
"""

from __future__ import annotations

from .. import dtype as _dt
from ..autograd import Function
from ..tensor import Tensor
from ._dual import xp_of
from ._util import named, quiet
from .promotion import array_module, binary, check_int_scalar, require_tensor, write_out

_BF16, _F32 = _dt.bfloat16.np, _dt.float32.np


class XlogyFn(Function):
    """z = x · ln y, with 0 where x = 0 (unless y is NaN); a number operand is cast to the
    tensor's dtype first, as torch's kernel reads it. float16/bfloat16: ln y is rounded to the
    type, then the product (torch's kernel: std::log of a half type returns that type)"""

    array_io = True
    opmath = False  # bfloat16 computed here: its ln y is rounded before the product

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        xp = array_module(x, y)
        d = (x if hasattr(x, "shape") else y).dtype
        with quiet():  # (a number beyond the half type's range is ±inf there, as in torch)
            x, y = (v if hasattr(v, "shape") else xp.asarray(v, dtype=d) for v in (x, y))
            if d is _BF16:  # NumPy's bfloat16 steps: in float32, each rounded
                x, y = _dt.widen_bfloat16(x), _dt.widen_bfloat16(y)
                log_y = _dt.widen_bfloat16(_dt.to_bfloat16(xp.log(y)))
                z = xp.where(xp.isnan(y), xp.nan, xp.where(x == 0, 0.0, x * log_y))
                return _dt.to_bfloat16(z)
            return xp.where(xp.isnan(y), xp.nan, xp.where(x == 0, 0.0, x * xp.log(y)))

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        xp = xp_of(g)
        gx = gy = None
        zero = xp.zeros_like(g) if g.dtype is _BF16 else 0.0  # (0.0 widens bfloat16)
        with quiet():
            if nx:  # ∂z/∂x = ln y; torch: xlogy(g, y), 0 where x = 0 and y ≤ 0
                gx = xp.where((x == 0) & (y <= 0), zero, XlogyFn.call(g, y))
            if ny:  # ∂z/∂y = x/y; torch: (g·x)/y, each step in the type
                if hasattr(x, "shape") or g.dtype not in _dt.REDUCED_FLOATS:
                    gy = g * x / y
                else:  # x a number: g·x in float32 (torch's opmath for a scalar), rounded
                    gy = xp.astype(xp.astype(g, _F32) * x, g.dtype) / y
        return gx, gy


def xlogy(input, other, *, out=None):
    """``torch.xlogy``: input · ln(other), 0 where input = 0 (NaN where other is NaN); either
    may be a number. dtype: floating (integers: the default dtype). Derivatives: ln(other) (0
    where input = 0 and other ≤ 0) and input/other. Shapes: ``input`` and ``other`` broadcast
    (torch's rules). Raises RuntimeError for unbroadcastable shapes or an ``out`` of a dtype it
    cannot cast to; TypeError for two non-Tensor arguments."""
    if not isinstance(input, Tensor):
        require_tensor(other, "xlogy", "other", 2)
    t, n = (input, other) if isinstance(input, Tensor) else (other, input)
    if type(n) in (float, int, bool) and t.dtype.itemsize == 2 and t.is_floating_point():
        check_int_scalar(n)  # a half type and a number: the forward casts it, the backward
        z = XlogyFn.apply(input, other)  # reads it unrounded (torch's g·x in float32)
    else:
        z = binary(XlogyFn, input, other, True, "xlogy")
    k = 0 if isinstance(input, Tensor) and isinstance(other, Tensor) else (
        1 if isinstance(other, Tensor) else 2)
    return write_out(out, named(z, f"XlogyBackward{k}"), "xlogy")


__all__ = ["xlogy"]
