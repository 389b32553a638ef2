"""Elementwise functions of one tensor: exp, log, sqrt, abs, trig, erf, clone — each
Function's forward and backward side by side, the derivative in a comment.
"""

from __future__ import annotations

import math

from .._args import check_memory_format, no_bool_kernel, not_tensor
from ..autograd import Function
from ..backend import erf as _erf
from ..backend import get_array_module
from ..dtype import kind_of
from ..tensor import Tensor
from ._dual import tensor_xp, xp_of
from ._out import check_same_dtype_out, write_out_same_dtype
from ._unary_util import check_tensor, floatify, into
from ._util import quiet


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


class RsqrtFn(Function):
    """y = 1/√x"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        with quiet():
            y = 1 / get_array_module(x).sqrt(x)  # inf at +0, -inf at -0.0, nan below 0
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        with quiet():  # d(x^-½)/dx = -½x^(-3/2) = -½y³, from the result (torch's formula)
            return (-0.5 * g) * (y * y * y)


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
        xp = xp_of(g)
        s = xp.sign(x)  # d|x|/dx = sign(x); torch: abs'(0) = 0 and, as sgn(nan) = 0, abs'(nan) = 0
        if xp is not tensor_xp and s.dtype.kind == "f" and (s != s).any():
            s = xp.where(s != s, 0, s)  # NumPy's sign(nan) is nan (the Tensor sign gives 0)
        return g * s


class SinFn(Function):
    """y = sin x"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():  # sin(±inf) is nan silently, as in torch
            return get_array_module(x).sin(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with quiet():
            return g * xp_of(g).cos(x)  # d sin x/dx = cos x


class CosFn(Function):
    """y = cos x"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():  # cos(±inf) is nan silently, as in torch
            return get_array_module(x).cos(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with quiet():
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


def exp(input, *, out=None):
    """``torch.exp``: eˣ elementwise. Shapes: any. dtype: floating (integers compute in
    float32). Derivative: eˣ.

    Raises TypeError for a non-Tensor input; RuntimeError for an ``out`` whose dtype the result
    cannot be cast to.
    """
    return into(out, ExpFn.apply(floatify(input, "exp")), "exp")


def log(input, *, out=None):
    """``torch.log``: ln x elementwise; -inf at 0, nan below. dtype: floating (integers compute
    in float32). Derivative: 1/x.

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    RuntimeError for an ``out`` whose dtype the result cannot be cast to.
    """
    return into(out, LogFn.apply(floatify(input, "log")), "log")


def log1p(input, *, out=None):
    """``torch.log1p`` (also ``torch.special.log1p``): ln(1 + x), accurate near 0. dtype:
    floating (integers: the default dtype). Derivative: 1/(1 + x).

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    RuntimeError for an ``out`` whose dtype the result cannot be cast to.
    """
    return into(out, Log1pFn.apply(floatify(input, "log1p")), "log1p")


def sqrt(input, *, out=None):
    """``torch.sqrt``: √x elementwise; nan below 0. dtype: floating (integers compute in
    float32). Derivative: 1/(2√x) (inf at 0).

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    RuntimeError for an ``out`` whose dtype the result cannot be cast to.
    """
    return into(out, SqrtFn.apply(floatify(input, "sqrt")), "sqrt")


def rsqrt(input, *, out=None):
    """``torch.rsqrt``: 1/√x elementwise (inf at 0, nan below). dtype: floating (integers
    compute in float32). Derivative: -½ x^(-3/2) = -½y³, from the result y (torch's).

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    RuntimeError for an ``out`` whose dtype the result cannot be cast to.
    """
    return into(out, RsqrtFn.apply(floatify(input, "rsqrt")), "rsqrt")


def abs(input, *, out=None):
    """``torch.abs`` (alias ``absolute``): |x| elementwise. dtype: the input's. Derivative:
    sign(x) (0 at 0, as torch).

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    NotImplementedError for a bool input (torch has no bool kernel); RuntimeError for an ``out``
    whose dtype the result cannot be cast to.
    """
    check_tensor(input, "abs")
    check_same_dtype_out(out, input)  # (before the kernel's error, as torch)
    no_bool_kernel(input, "abs_cpu")
    return write_out_same_dtype(out, AbsFn.apply(input), "abs")


def sin(input, *, out=None):
    """``torch.sin``: sin x elementwise. dtype: floating (integers: the default dtype).
    Derivative: cos x.

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    RuntimeError for an ``out`` whose dtype the result cannot be cast to.
    """
    return into(out, SinFn.apply(floatify(input, "sin")), "sin")


def cos(input, *, out=None):
    """``torch.cos``: cos x elementwise. dtype: floating (integers: the default dtype).
    Derivative: -sin x.

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    RuntimeError for an ``out`` whose dtype the result cannot be cast to.
    """
    return into(out, CosFn.apply(floatify(input, "cos")), "cos")


def erf(input, *, out=None):
    """``torch.erf`` (also ``torch.special.erf``): (2/√π) ∫₀ˣ e^{-t²} dt elementwise. dtype:
    floating (integers: the default dtype). Derivative: (2/√π) e^{-x²}.

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    RuntimeError for an ``out`` whose dtype the result cannot be cast to.
    """
    return into(out, ErfFn.apply(floatify(input, "erf")), "erf")


def clone(input, *, memory_format=None):
    """``torch.clone``: a copy with its own memory, in the graph. Derivative: 1.

    Shapes: any; the output has the input's shape. Raises TypeError for an input that is not a
    Tensor or a ``memory_format`` that is not a ``torch.memory_format``.
    """
    if not isinstance(input, Tensor):
        raise not_tensor("clone", input)
    if memory_format is not None:
        check_memory_format(memory_format, "clone")
    return CloneFn.apply(input)


def positive(input):
    """``torch.positive`` (``+x``): the input itself. Raises RuntimeError for a bool tensor
    (torch: the ``+`` operator on a bool tensor is not supported).

    Shapes: any; the output has the input's shape.
    """
    check_tensor(input, "positive")
    if kind_of(input._data.dtype) == "b":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


absolute = abs  # torch's alias

# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["absolute", "abs", "clone", "cos", "erf", "exp", "log", "log1p", "positive", "rsqrt",
           "sin", "sqrt"]

# ops that also have an in-place form (``exp_``), made by ops/inplace.py
INPLACE = ("abs", "absolute", "exp", "log", "log1p", "sqrt", "rsqrt", "sin", "cos", "erf")

METHODS = {
    "__abs__": abs, "exp": exp, "log": log, "log1p": log1p, "sqrt": sqrt, "rsqrt": rsqrt,
    "abs": abs, "absolute": abs, "sin": sin, "cos": cos, "erf": erf, "clone": clone,
    "positive": positive,
}
