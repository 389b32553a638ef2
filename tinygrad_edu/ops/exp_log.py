"""Exponentials and logarithms beyond exp/log/log1p (those live in unary.py): exp2, expm1,
log2, log10, reciprocal, logit, and nan_to_num.

Each is elementwise on any shape; integer and bool inputs compute in the default float dtype
(float32). Logarithms of negative numbers are nan and of 0 are -inf, as in torch.
"""

from __future__ import annotations

import math

from ..autograd import Function
from ..backend import get_array_module
from ..dtype import finfo, kind_of
from ..tensor import Tensor
from ._dual import xp_of
from ._out import write_out_same_dtype
from ._unary_util import check_tensor, floatify, into
from ._util import quiet
from .promotion import fit_scalar


class Exp2Fn(Function):
    """y = 2ˣ"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        with quiet():
            y = get_array_module(x).exp2(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y * math.log(2)  # d 2ˣ/dx = 2ˣ ln 2 (the output times ln 2)


class Expm1Fn(Function):
    """y = eˣ - 1 (accurate for small x)"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        with quiet():
            y = get_array_module(x).expm1(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (y + 1)  # d(eˣ - 1)/dx = eˣ = y + 1


class Log2Fn(Function):
    """y = log₂ x"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return get_array_module(x).log2(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with quiet():
            return g / (x * math.log(2))  # d log₂ x/dx = 1/(x ln 2)


class Log10Fn(Function):
    """y = log₁₀ x"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return get_array_module(x).log10(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with quiet():
            return g / (x * math.log(10))  # d log₁₀ x/dx = 1/(x ln 10)


class ReciprocalFn(Function):
    """y = 1/x"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        with quiet():
            y = 1 / x
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return -g * (y * y)  # d(1/x)/dx = -1/x² = -y²


class LogitFn(Function):
    """y = ln(z/(1 - z)), z = x clamped to [lo, hi] = [eps, 1 - eps] when eps is given (the
    bounds rounded to the input's dtype, as torch's kernel holds them: in bfloat16 1 - 1e-6 is
    1, so logit(1) stays inf)"""

    array_io = True
    opmath = False  # torch's bfloat16 logit rounds each step (1 - z, the ratio, the log) to
    # bfloat16; its float16 kernel computes in float (the sweep: 0 of 2005 values differ)

    @staticmethod
    def forward(ctx, x, eps):
        ctx.save_for_backward(x)
        ctx.eps = eps
        xp = get_array_module(x)
        if eps is not None:  # (np.clip of bfloat16 returns float32: minimum/maximum keep it)
            x = xp.minimum(xp.maximum(x, x.dtype.type(eps[0])), x.dtype.type(eps[1]))
        z = x
        with quiet():
            return xp.log(z / (1 - z))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xp, eps = xp_of(g), ctx.eps
        with quiet():
            # dy/dx = 1/(x(1 - x)) inside the clamp; torch: g·inf at x = ±0 (x + 0 is +0)
            d = g / ((x + 0) * (1 - x))
            if eps is None:  # torch: nan outside [0, 1]
                return xp.where((x < 0) | (x > 1), math.nan, d), None
            return xp.where((x < eps[0]) | (x > eps[1]), 0.0, d), None  # 0 where clamped


class NanToNumFn(Function):
    """y = x with nan, +inf, -inf replaced by the given numbers"""

    array_io = True

    @staticmethod
    def forward(ctx, x, nan, posinf, neginf):
        xp = get_array_module(x)
        ctx.save_for_backward(xp.asarray(xp.isfinite(x)))
        return xp.nan_to_num(x, copy=True, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, g):
        (finite,) = ctx.saved_tensors
        return xp_of(g).where(finite, g, 0.0), None, None, None  # 1 where x is finite, else 0


# ---- the public functions (torch names) --------------------------------------------------------
def exp2(input, *, out=None):
    """``torch.exp2`` (also ``torch.special.exp2``): 2ˣ elementwise. dtype: floating (integers
    compute in float32). Derivative: 2ˣ ln 2.

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    RuntimeError for an ``out`` whose dtype the result cannot be cast to.
    """
    return into(out, Exp2Fn.apply(floatify(input, "exp2")), "exp2")


def expm1(input, *, out=None):
    """``torch.expm1`` (also ``torch.special.expm1``): eˣ - 1 elementwise, accurate near 0.
    dtype: floating (integers: the default dtype). Derivative: eˣ.

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    RuntimeError for an ``out`` whose dtype the result cannot be cast to.
    """
    return into(out, Expm1Fn.apply(floatify(input, "expm1")), "expm1")


def log2(input, *, out=None):
    """``torch.log2``: log₂ x elementwise; -inf at 0, nan below. dtype: floating (integers
    compute in float32). Derivative: 1/(x ln 2).

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    RuntimeError for an ``out`` whose dtype the result cannot be cast to.
    """
    return into(out, Log2Fn.apply(floatify(input, "log2")), "log2")


def log10(input, *, out=None):
    """``torch.log10``: log₁₀ x elementwise; -inf at 0, nan below. dtype: floating (integers
    compute in float32). Derivative: 1/(x ln 10).

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    RuntimeError for an ``out`` whose dtype the result cannot be cast to.
    """
    return into(out, Log10Fn.apply(floatify(input, "log10")), "log10")


def reciprocal(input, *, out=None):
    """``torch.reciprocal``: 1/x elementwise (±inf at ±0). dtype: floating (integers compute in
    float32). Derivative: -1/x².

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    RuntimeError for an ``out`` whose dtype the result cannot be cast to.
    """
    return into(out, ReciprocalFn.apply(floatify(input, "reciprocal")), "reciprocal")


def logit(input, eps=None, *, out=None):
    """``torch.logit`` (also ``torch.special.logit``): ln(z/(1 - z)) elementwise, the inverse of
    the sigmoid, with z = x clamped to [eps, 1 - eps] when ``eps`` is given (else z = x: ±inf
    at 1 and 0, nan outside [0, 1]). dtype: floating (integers: the default dtype).
    Derivative: 1/(x(1 - x)); 0 where the clamp is active; nan outside [0, 1] without eps.

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    RuntimeError for an ``out`` whose dtype the result cannot be cast to.
    """
    x = floatify(input, "logit")
    return into(out, LogitFn.apply(x, _eps(eps, x._data.dtype)), "logit")


def _eps(eps, dtype):
    """(lo, hi) = (eps, 1 - eps), each rounded to ``dtype``; None for no clamp."""
    if eps is None:
        return None
    eps = float(eps)
    if eps < 0 or math.isnan(eps):  # torch: a negative eps means none
        return None
    return float(dtype.type(eps)), float(dtype.type(1 - eps))


_NTN_OUT = "nan_to_num: dtype of out: {got} should be same as input: {want}"


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """``torch.nan_to_num``: x with nan → ``nan``, +inf → ``posinf`` and -inf → ``neginf``
    (default: the dtype's largest and lowest finite values). Shapes: any. dtype: the input's
    (integer and bool inputs come back unchanged, as a copy). Derivative: 1 where x is finite,
    0 where it was replaced.

    Raises TypeError for a non-Tensor input; RuntimeError for an ``out`` whose dtype the result
    cannot be cast to.
    """
    check_tensor(input, "nan_to_num")
    d = input._data
    if kind_of(d.dtype) != "f":
        return write_out_same_dtype(out, Tensor._wrap(d.copy()), "nan_to_num", _NTN_OUT)
    info = finfo(d.dtype)
    posinf = info.max if posinf is None else posinf
    neginf = info.min if neginf is None else neginf
    # a number beyond the dtype becomes ±inf (70000 in float16), silently, as torch's
    nan, posinf, neginf = (fit_scalar(float(v), d.dtype) for v in (nan, posinf, neginf))
    z = NanToNumFn.apply(input, nan, posinf, neginf)
    return write_out_same_dtype(out, z, "nan_to_num", _NTN_OUT)


_NAMES = ("exp2", "expm1", "log2", "log10", "reciprocal", "logit", "nan_to_num")

# torch.<name> functions this module provides (re-exported by the package root)
__all__ = list(_NAMES)

# ops that also have an in-place form (``exp2_``), made by ops/inplace.py
INPLACE = _NAMES

METHODS = {n: globals()[n] for n in _NAMES}
