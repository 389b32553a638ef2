"""Rounding: sign, sgn, floor, ceil, round, trunc (piecewise constant: their derivative is 0
almost everywhere, and torch uses 0), frac (x - trunc(x), derivative 1). Division that rounds
(floor_divide, remainder, fmod) is in division.py.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..backend import get_array_module
from ..dtype import kind_of
from ._dual import xp_of
from ._out import check_same_dtype_out
from ._out import write_out_same_dtype as same
from ._unary_util import check_tensor, dtype_name
from ._util import named, quiet


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


class TruncFn(_PiecewiseFn):
    pass


class SgnFn(_PiecewiseFn):
    pass


class FracFn(Function):
    """y = x - trunc(x) (the fractional part, with x's sign)"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        with quiet():  # frac(±inf) = nan, as in torch
            return x - get_array_module(x).trunc(x)

    @staticmethod
    def backward(ctx, g):
        return g  # dy/dx = 1 (trunc is piecewise constant)


def _sign(x):
    if kind_of(x.dtype) == "b":
        return x.copy()
    return (x > 0).astype(x.dtype) - (x < 0).astype(x.dtype)  # torch: sign(nan) = 0


def sign(input, *, out=None):
    """``torch.sign``: -1, 0 or 1 elementwise (0 at ±0 and nan; bool stays bool). dtype: the
    input's. Derivative: 0 (torch's choice at the jump).

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    RuntimeError for an ``out`` whose dtype the result cannot be cast to.
    """
    check_tensor(input, "sign")
    return same(out, SignFn.apply(input, _sign), "sign")


def _not_bool(input, op: str, out) -> None:
    """torch has no rounding kernel for bool tensors (NotImplementedError, its exact text);
    an ``out`` of another dtype is refused first (RuntimeError)."""
    check_tensor(input, op)
    check_same_dtype_out(out, input)
    if kind_of(input._data.dtype) == "b":
        raise NotImplementedError(f'"{op}_vml_cpu" not implemented for \'Bool\'')


def _rounder(name: str):
    """The NumPy rounding function ``name``; integer tensors are already round (torch returns
    them unchanged, NumPy would turn them into float64)."""
    def f(x):
        return x.copy() if kind_of(x.dtype) in "iub" else getattr(get_array_module(x), name)(x)

    return f


def floor(input, *, out=None):
    """``torch.floor``: the largest integer ≤ x, elementwise. dtype: the input's. Derivative: 0.

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    RuntimeError for an ``out`` whose dtype the result cannot be cast to or a bool input.
    """
    _not_bool(input, "floor", out)
    return same(out, FloorFn.apply(input, _rounder("floor")), "floor")


def ceil(input, *, out=None):
    """``torch.ceil``: the smallest integer ≥ x, elementwise. dtype: the input's. Derivative: 0.

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    RuntimeError for an ``out`` whose dtype the result cannot be cast to or a bool input.
    """
    _not_bool(input, "ceil", out)
    return same(out, CeilFn.apply(input, _rounder("ceil")), "ceil")


def trunc(input, *, out=None):
    """``torch.trunc`` (alias ``fix``): x rounded toward zero elementwise. Shapes: any. dtype:
    the input's (integers come back unchanged). Derivative: 0 (piecewise constant).

    Raises TypeError for a non-Tensor input; RuntimeError for an ``out`` whose dtype the result
    cannot be cast to or a bool input.
    """
    _not_bool(input, "trunc", out)
    return same(out, TruncFn.apply(input, _rounder("trunc")), "trunc")


def frac(input, *, out=None):
    """``torch.frac``: x - trunc(x) elementwise (the sign follows x; nan at ±inf). dtype:
    floating only (torch raises RuntimeError for integer and bool tensors). Derivative: 1.

    Shapes: any; the output has the input's shape.
    """
    check_tensor(input, "frac")
    check_same_dtype_out(out, input)  # (before the kernel's error, as torch)
    if kind_of(input._data.dtype) != "f":
        raise NotImplementedError(f'"frac_cpu" not implemented for \'{dtype_name(input)}\'')
    return same(out, FracFn.apply(input), "frac")


def sgn(input, *, out=None):
    """``torch.sgn``: x/|x| — for real tensors the same as ``sign`` (-1, 0 or 1; 0 at nan).
    dtype: the input's. Derivative: 0.

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    RuntimeError for an ``out`` whose dtype the result cannot be cast to.
    """
    check_tensor(input, "sgn")
    return same(out, SgnFn.apply(input, _sign), "sgn")


def round(input, *, decimals: int | None = None, out=None):
    """``torch.round``: x rounded to ``decimals`` decimal places, half to even (as torch).
    dtype: the input's (integers unchanged; given ``decimals``, even 0, NotImplementedError:
    torch's round.decimals has no integer kernel).
    Derivative: 0 (piecewise constant).

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    RuntimeError for an ``out`` whose dtype the result cannot be cast to or a bool input.
    """
    _not_bool(input, "round", out)
    if decimals is not None and kind_of(input._data.dtype) != "f":  # torch's round.decimals
        raise NotImplementedError(f'"round_cpu" not implemented for \'{dtype_name(input)}\'')
    res = RoundFn.apply(input, lambda x: _round_decimals(x, decimals or 0))
    return same(out, named(res, "RoundBackward1") if decimals is not None else res, "round")


def _round_decimals(x, decimals: int):
    """rint(x·10ᵈ)/10ᵈ (rint(x/10⁻ᵈ)·10⁻ᵈ for d < 0); float16 computed in float32 and rounded
    once, as torch's kernel (its opmath type): in float16 708.5·100 would overflow to inf."""
    xp = get_array_module(x)
    if decimals and x.dtype == np.float16:
        return xp.asarray(xp.round(x.astype(np.float32), decimals).astype(np.float16))
    return xp.asarray(xp.round(x, decimals))


fix = trunc  # torch's alias


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["ceil", "fix", "floor", "frac", "round", "sgn", "sign", "trunc"]

# ops that also have an in-place form (``exp_``), made by ops/inplace.py
INPLACE = ("floor", "ceil", "round", "sign", "trunc", "fix", "frac", "sgn")

METHODS = {
    "sign": sign, "floor": floor, "ceil": ceil, "round": round, "trunc": trunc, "fix": trunc,
    "frac": frac, "sgn": sgn,
}
