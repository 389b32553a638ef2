"""Elementwise functions of one tensor: exp, log, sqrt, abs, trig, erf, clone — each
Function's forward and backward side by side, the derivative in a comment.
"""

from __future__ import annotations

import math

from ..autograd import Function
from ..backend import erf as _erf
from ..backend import get_array_module
from ..tensor import Tensor
from ._dual import xp_of
from ._util import named, quiet
from .arithmetic import pow
from .promotion import _dt, cast


class ExpFn(Function):
    """y = eˣ"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        with quiet():
            y = get_array_module(x).exp(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y  # d eˣ/dx = eˣ (the output)


class LogFn(Function):
    """y = ln x"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return get_array_module(x).log(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with quiet():
            return g / x  # d ln x/dx = 1/x


class Log1pFn(Function):
    """y = ln(1 + x) (accurate for small x)"""

    node_name = "Log1PBackward0"  # torch's name for this node

    array_io = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return get_array_module(x).log1p(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with quiet():
            return g / (1 + x)  # d ln(1 + x)/dx = 1/(1 + x)


class SqrtFn(Function):
    """y = √x"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        with quiet():
            y = get_array_module(x).sqrt(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        with quiet():
            return g / (2 * y)  # d√x/dx = 1/(2√x); torch: sqrt'(0) = inf


class AbsFn(Function):
    """y = |x|"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return get_array_module(x).abs(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * xp_of(g).sign(x)  # d|x|/dx = sign(x); torch: abs'(0) = 0


class SinFn(Function):
    """y = sin x"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return get_array_module(x).sin(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * xp_of(g).cos(x)  # d sin x/dx = cos x


class CosFn(Function):
    """y = cos x"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return get_array_module(x).cos(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return -g * xp_of(g).sin(x)  # d cos x/dx = -sin x


class ErfFn(Function):
    """y = erf x = (2/√π) ∫₀ˣ e^{-t²} dt"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _erf(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (2 / math.sqrt(math.pi)) * xp_of(g).exp(-x * x)  # d erf/dx = (2/√π)e^{-x²}


class CloneFn(Function):
    """y = x (a copy)"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        return g  # ∂y/∂x = 1


def exp(input):
    return ExpFn.apply(_floatify(input))


def log(input):
    return LogFn.apply(_floatify(input))


def log1p(input):
    return Log1pFn.apply(_floatify(input))


def sqrt(input):
    return SqrtFn.apply(_floatify(input))


def rsqrt(input):
    return named(pow(_floatify(input), -0.5), "RsqrtBackward0")


def abs(input):
    return AbsFn.apply(input)


def sin(input):
    return SinFn.apply(_floatify(input))


def cos(input):
    return CosFn.apply(_floatify(input))


def erf(input):
    return ErfFn.apply(_floatify(input))


def clone(input, *, memory_format=None):
    return CloneFn.apply(input)


def _floatify(t):
    if not isinstance(t, Tensor):
        raise TypeError(f"expected a Tensor, got {type(t).__name__}")
    if t._data.dtype.kind != "f":
        return cast(t, _dt.float32)
    return t


absolute = abs  # torch's alias

# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["absolute", "abs", "clone", "cos", "erf", "exp", "log", "log1p", "rsqrt", "sin", "sqrt"]

# ops that also have an in-place form (``exp_``), made by ops/inplace.py
INPLACE = ("abs", "exp", "log", "log1p", "sqrt", "rsqrt", "sin", "cos", "erf")

METHODS = {
    "__abs__": abs, "exp": exp, "log": log, "log1p": log1p, "sqrt": sqrt, "rsqrt": rsqrt,
    "abs": abs, "absolute": abs, "sin": sin, "cos": cos, "erf": erf, "clone": clone,
}
