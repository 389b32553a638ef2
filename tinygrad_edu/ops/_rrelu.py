"""``F.rrelu`` in training: the negative slopes drawn as torch's CPU kernel draws them.

torch walks the elements in row-major order; each x ≤ 0 takes one float64 uniform u (the low
53 bits of a 64-bit word × 2⁻⁵³) and its slope r = u·(upper − lower) + lower, computed in
float64 from lower and upper rounded to the input's opmath type (float32 for float32 and
bfloat16; float64 for float64), then cast to that type. Every other element (x > 0, or nan)
has slope 1 and draws nothing. The output is x·r in the opmath type, rounded once to the
input's dtype; torch saves r rounded to that dtype (its ``noise``) for the gradient.
float16 has no kernel (torch: NotImplementedError).
"""

from __future__ import annotations

import numpy as np

from .. import random as _random
from ..autograd import Function
from ..backend import to_numpy
from ..tensor import Tensor
from ._dual import xp_of


def rrelu_train(input: Tensor, lower: float, upper: float) -> Tensor:
    """y = x·r for x ≤ 0 (r ~ U(lower, upper) per element, drawn), x otherwise.

    Shapes: any; the output has the input's shape. Raises NotImplementedError for float16.
    """
    x = to_numpy(input._data)
    if x.dtype == np.float16:
        raise NotImplementedError("\"rrelu_with_noise_out_cpu\" not implemented for 'Half'")
    op = np.dtype(np.float32) if x.dtype.itemsize <= 4 else x.dtype  # bfloat16: float32
    lower, upper = float(op.type(lower)), float(op.type(upper))
    neg = x <= 0
    u = _random.engine_of(None).uniform_double(int(neg.sum()))
    slope = np.ones(x.shape, dtype=op)
    slope[neg] = (u * (upper - lower) + lower).astype(op)
    return RreluFn.apply(input, xp_of(input._data).asarray(slope))


class RreluFn(Function):
    """y = x·r for drawn slopes r (opmath type): the product in r's type, rounded once to x's
    dtype. ∂y/∂x = r rounded to x's dtype (torch's saved noise), a constant of the draw."""

    array_io = True
    opmath = False  # bfloat16 x meets float32 r here itself

    @staticmethod
    def forward(ctx, x, r):
        ctx.noise = r.astype(x.dtype)
        return (x.astype(r.dtype) * r).astype(x.dtype)

    @staticmethod
    def backward(ctx, g):
        return g * (Tensor._wrap(ctx.noise) if isinstance(g, Tensor) else ctx.noise), None
