"""Arithmetic: +, −, ×, ÷, negation and powers — each Function's forward and backward side by
side, the derivative in a comment.

Gradients may come out with the broadcast shape: the engine sums them back to each input's
shape (``autograd.engine.unbroadcast``).
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..backend import get_array_module
from ..tensor import Tensor
from ._dual import xp_of
from ._util import named, quiet
from .promotion import binary, no_grad_binary


class AddFn(Function):
    """z = x + y"""

    array_io = True

    @staticmethod
    def forward(ctx, x, y):
        return x + y

    @staticmethod
    def backward(ctx, g):
        return g, g  # ∂z/∂x = 1, ∂z/∂y = 1


class SubFn(Function):
    """z = x - y"""

    array_io = True

    @staticmethod
    def forward(ctx, x, y):
        return x - y

    @staticmethod
    def backward(ctx, g):
        return g, (-g if ctx.needs_input_grad[1] else None)  # ∂z/∂x = 1, ∂z/∂y = -1


class MulFn(Function):
    """z = x · y"""

    array_io = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        return (g * y if nx else None,  # ∂z/∂x = y
                g * x if ny else None)  # ∂z/∂y = x


class DivFn(Function):
    """z = x / y"""

    array_io = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        with quiet():
            return x / y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        with quiet():
            gx = g / y if nx else None  # ∂z/∂x = 1/y
            gy = -g * x / (y * y) if ny else None  # ∂z/∂y = -x/y²
        return gx, gy


class NegFn(Function):
    """z = -x"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, g):
        return -g  # ∂z/∂x = -1


class PowFn(Function):
    """z = x ** y (y a tensor or a number)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, y):
        with quiet():
            if type(y) is float and (y == 0.5 or y == -0.5):
                # torch: x**0.5 is sqrt and x**-0.5 is rsqrt (differs at -inf and -0.0)
                z = get_array_module(x).sqrt(x)
                z = z if y > 0 else 1 / z
            else:
                z = x**y
        ctx.save_for_backward(x, y, z)
        return z

    @staticmethod
    def backward(ctx, g):
        x, y, z = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        xp = xp_of(g)
        gx = gy = None
        with quiet():
            if nx:
                # ∂z/∂x = y·x^(y-1); torch: exponent 0 gives gradient 0 even at x = 0
                gx = g * y * x ** (y - 1)
                gx = xp.where(y == 0, 0.0, gx) if not np.isscalar(y) or y == 0 else gx
            if ny:
                # ∂z/∂y = z·ln x; torch: 0 where x = 0 and y >= 0 (ln 0 = -inf where y < 0)
                gy = g * xp.where((x == 0) & (y >= 0), 0.0, z * xp.log(x))
        return gx, gy


# ---- the public functions (torch names) --------------------------------------------------------
def add(input, other, *, alpha=1):
    if alpha != 1:
        other = mul(other, alpha)
    return binary(AddFn, input, other, op="add")


def sub(input, other, *, alpha=1):
    if alpha != 1:
        other = mul(other, alpha)
    out = binary(SubFn, input, other, op="sub")
    return out if isinstance(input, Tensor) else named(out, "RsubBackward1")  # torch: rsub


def mul(input, other):
    return binary(MulFn, input, other, op="mul")


def div(input, other, *, rounding_mode=None):
    if rounding_mode is None:
        out = binary(DivFn, input, other, float_result=True, op="div")
        # torch computes number / tensor as reciprocal(tensor) * number
        return out if isinstance(input, Tensor) else named(out, "MulBackward0")
    return no_grad_binary(input, other, "floor_divide" if rounding_mode == "floor" else "trunc")


def true_divide(input, other):
    return div(input, other)


def neg(input):
    if input._data.dtype.kind == "b":  # torch refuses, pointing at ~ (NumPy's TypeError else)
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                           "you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    return NegFn.apply(input)


def pow(input, exponent):
    if (isinstance(input, Tensor) and input._data.dtype.kind in "iub"
            and isinstance(exponent, int) and exponent < 0):
        raise RuntimeError("Integers to negative integer powers are not allowed.")  # torch
    out = binary(PowFn, input, exponent, op="pow")
    # torch's three pow overloads: tensor ** number, tensor ** tensor, number ** tensor
    return named(out, "PowBackward0" if not isinstance(exponent, Tensor) else
                 "PowBackward1" if isinstance(input, Tensor) else "PowBackward2")


def square(input):
    return pow(input, 2)


def _r(fn):
    return lambda self, other: fn(other, self)


# Tensor methods and operators this module provides (bound by methods.py)
subtract, multiply, divide, negative = sub, mul, div, neg  # torch's aliases

# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "neg",
           "negative", "pow", "square"]

# ops that also have an in-place form (``exp_``), made by ops/inplace.py
INPLACE = ("add", "sub", "mul", "div", "pow", "square", "true_divide", "neg")

METHODS = {
    "__add__": add, "__radd__": _r(add), "__sub__": sub, "__rsub__": _r(sub), "__mul__": mul,
    "__rmul__": _r(mul), "__truediv__": div, "__rtruediv__": _r(div), "__pow__": pow,
    "__rpow__": _r(pow), "__neg__": neg, "__pos__": lambda self: self,
    "add": add, "sub": sub, "subtract": sub, "mul": mul, "multiply": mul, "div": div,
    "divide": div, "true_divide": div, "neg": neg, "negative": neg, "pow": pow, "square": square,
}
