"""The op ``torch.masked`` needs that is not a reduction of its own: the vector p-norm
(``linalg.vector_norm``'s formula, every p torch accepts: 0, ±inf, any real); logaddexp is
:class:`~tinygrad_edu.ops.pointwise.LogaddexpFn`. Private to :mod:`tinygrad_edu.masked`,
which composes everything else from public ops.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..backend import get_array_module
from ._dual import xp_of
from ._reduction import keep
from ._util import quiet


class VectorNormFn(Function):
    """y = (Σ |x|ᵖ)^{1/p} over axes; p = 0 counts non-zeros, p = ±inf is max/min |x|"""

    node_name = "LinalgVectorNormBackward0"

    array_io = True

    @staticmethod
    def forward(ctx, x, p, axes, keepdim):
        xp = get_array_module(x)
        a = xp.abs(x)
        with quiet():
            if p == 0:
                y = (x != 0).sum(axis=axes, keepdims=True).astype(x.dtype)
            elif p == np.inf:
                y = a.max(axis=axes, keepdims=True)
            elif p == -np.inf:
                y = a.min(axis=axes, keepdims=True)
            elif p == 1:
                y = a.sum(axis=axes, keepdims=True)
            elif p == 2:
                y = xp.sqrt((x * x).sum(axis=axes, keepdims=True))
            else:
                y = (a ** p).sum(axis=axes, keepdims=True) ** (1.0 / p)
        if not keepdim:
            y = y.reshape(()) if axes is None else y.squeeze(axis=axes)
        y = xp.array(y, dtype=x.dtype)
        ctx.save_for_backward(x, y)
        ctx.p, ctx.axes, ctx.keepdim = p, axes, keepdim
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        p, axes = ctx.p, ctx.axes
        if p == 0:
            return None, None, None, None  # a count: no gradient (torch's is undefined)
        xp = xp_of(g)
        g = keep(g, axes, ctx.keepdim, x.ndim)
        y = keep(y, axes, ctx.keepdim, x.ndim)
        # torch's norm_backward, case by case
        with quiet():
            if p == 1:
                return xp.sign(x) * g, None, None, None  # ∂‖x‖₁/∂xᵢ = sign xᵢ
            if p == 2:  # xᵢ/‖x‖, 0 where ‖x‖ = 0
                return g * xp.where(y == 0, 0, x / y), None, None, None
            if p in (np.inf, -np.inf):  # the extreme |xᵢ| (or NaN) share the gradient
                a = xp.abs(x)
                mask = (a == y) | xp.isnan(a)
                count = xp.sum(mask, axis=axes, keepdims=True)
                return xp.sign(x) * ((g / count) * mask), None, None, None
            if p < 1:  # sign(xᵢ)|xᵢ|^{p−1} ‖x‖^{1−p}, 0 at xᵢ = 0
                scaled = xp.sign(x) * xp.where(x == 0, 0, xp.abs(x) ** (p - 1))
                return scaled * g * y ** (1 - p), None, None, None
            scale = xp.where(y == 0, 0, g / y ** (p - 1))
            if p < 2:
                return xp.sign(x) * xp.abs(x) ** (p - 1) * scale, None, None, None
            return x * xp.abs(x) ** (p - 2) * scale, None, None, None
