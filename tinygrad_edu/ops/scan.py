"""Scans (cumulative ops along one dim): cumsum. The backward of a scan is the reversed scan.
"""

from __future__ import annotations

from ..autograd import Function
from ..backend import get_array_module
from ._dual import xp_of
from ._util import dims, named
from .unary import clone


class CumsumFn(Function):
    """yᵢ = Σ_{j ≤ i} xⱼ along one axis"""

    array_io = True

    @staticmethod
    def forward(ctx, x, axis):
        ctx.axis = axis
        return get_array_module(x).cumsum(x, axis=axis)

    @staticmethod
    def backward(ctx, g):
        xp = xp_of(g)
        ax = ctx.axis
        # ∂L/∂xⱼ = Σ_{i ≥ j} ∂L/∂yᵢ: a cumulative sum from the end
        return xp.flip(xp.cumsum(xp.flip(g, axis=ax), axis=ax), axis=ax), None


def cumsum(input, dim, *, dtype=None):
    """Cumulative sum along ``dim``."""
    if input._data.ndim == 0:
        dims(dim, 0, "cumsum")
        return named(clone(input), "CumsumBackward0")  # the cumsum of one value is that value
    (ax,) = dims(dim, input._data.ndim, "cumsum")
    return CumsumFn.apply(input, ax)


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["cumsum"]

METHODS = {"cumsum": cumsum}
