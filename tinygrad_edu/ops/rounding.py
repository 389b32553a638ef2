"""Rounding: sign, floor, ceil, round (piecewise constant: their derivative is 0 almost
everywhere, and torch uses 0). Division that rounds (floor_divide, remainder, fmod) is in
division.py.
"""

from __future__ import annotations

from ..autograd import Function
from ..backend import get_array_module
from ._dual import xp_of
from ._util import named


class _PiecewiseFn(Function):
    """y = f(x) for a piecewise-constant f: ∂y/∂x = 0 (almost everywhere; torch uses 0)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, f):
        return f(x)

    @staticmethod
    def backward(ctx, g):
        return xp_of(g).zeros_like(g), None  # ∂y/∂x = 0


class SignFn(_PiecewiseFn):
    pass


class FloorFn(_PiecewiseFn):
    pass


class CeilFn(_PiecewiseFn):
    pass


class RoundFn(_PiecewiseFn):
    pass


def _sign(x):
    if x.dtype.kind == "b":
        return x.copy()
    return (x > 0).astype(x.dtype) - (x < 0).astype(x.dtype)  # torch: sign(nan) = 0


def sign(input):
    return SignFn.apply(input, _sign)


def floor(input):
    return FloorFn.apply(input, lambda x: get_array_module(x).floor(x))


def ceil(input):
    return CeilFn.apply(input, lambda x: get_array_module(x).ceil(x))


def round(input, *, decimals: int = 0):
    """Round half to even, as torch.round (zero gradient: it is piecewise constant)."""
    out = RoundFn.apply(input, lambda x: get_array_module(x).asarray(
        get_array_module(x).round(x, decimals)))
    return named(out, "RoundBackward1") if decimals else out


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["ceil", "floor", "round", "sign"]

# ops that also have an in-place form (``exp_``), made by ops/inplace.py
INPLACE = ("floor", "ceil", "round", "sign")

METHODS = {
    "sign": sign, "floor": floor, "ceil": ceil, "round": round,
}
