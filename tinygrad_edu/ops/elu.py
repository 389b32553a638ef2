"""ELU: y = x for x > 0, α(eˣ − 1) otherwise (also the core of selu and celu)."""

from __future__ import annotations

import math

from ..autograd import Function
from ..backend import get_array_module
from ._dual import xp_of
from ._util import _float_only, half_opmath, half_opmath_backward, quiet, scalar_arg
from .inplace import inplace as _inplace


class EluFn(Function):
    """y = x if x ≥ 0 else α(eˣ − 1)"""

    array_io = True

    @staticmethod
    @half_opmath  # float16: computed in float32, rounded once
    def forward(ctx, x, alpha):
        xp = get_array_module(x)
        # torch: x = ±0 takes the x branch (elu(-0.0) is -0.0; with α = inf, 0 and not inf·0)
        if math.isfinite(alpha):
            y = xp.where(x >= 0, x, alpha * xp.expm1(xp.minimum(x, 0)))
        else:
            with quiet():
                y = xp.where(x >= 0, x, alpha * xp.expm1(xp.minimum(x, 0)))
        ctx.save_for_backward(x)  # torch's elu saves its input only (so y may be changed)
        ctx.alpha = alpha
        return y

    @staticmethod
    @half_opmath_backward  # float16: computed in float32 (torch's backward kernel)
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xp = xp_of(g)
        # dy/dx = αeˣ where x ≤ 0, else 1 (torch's elu_backward tests x ≤ 0: at x = 0 it gives α,
        # at nan g). eˣ is taken of where(x < 0, x, 0): the same value, but a second derivative
        # of 0 at x = 0, as torch's elu_double_backward (which multiplies by [x < 0]).
        with quiet():
            return xp.where(x <= 0, g * ctx.alpha * xp.exp(xp.where(x < 0, x, 0)), g), None


def elu(input, alpha=1.0, inplace=False):
    """``F.elu``: y = x if x > 0 else α(eˣ − 1), elementwise (any shape; floating dtype kept).
    Raises NotImplementedError for an integer input. Derivative: 1 if x > 0 else αeˣ.

    Shapes: any; the output has the input's shape.
    """
    _float_only(input, "elu")
    if inplace:
        return _inplace(input, "elu_", elu, alpha)
    return EluFn.apply(input, float(scalar_arg(alpha, input, "elu")))
