"""Elementwise ops: each Function's forward and backward side by side, derivative in comments.

Every body works on raw arrays (``array_io``); ``xp`` is NumPy or CuPy. Gradients may come out
with the broadcast shape: the engine sums them back to each input's shape (autograd.unbroadcast).
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd import Function
from ..backend import erf as _erf
from ..backend import get_array_module
from ..tensor import Tensor
from ._dual import xp_of
from ._util import binary, cast, quiet
from .compare import _no_grad_binary


class Add(Function):
    """z = x + y"""

    array_io = True

    @staticmethod
    def forward(ctx, x, y):
        return x + y

    @staticmethod
    def backward(ctx, g):
        return g, g  # ∂z/∂x = 1, ∂z/∂y = 1


class Sub(Function):
    """z = x - y"""

    array_io = True

    @staticmethod
    def forward(ctx, x, y):
        return x - y

    @staticmethod
    def backward(ctx, g):
        return g, (-g if ctx.needs_input_grad[1] else None)  # ∂z/∂x = 1, ∂z/∂y = -1


class Mul(Function):
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


class Div(Function):
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


class Neg(Function):
    """z = -x"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, g):
        return -g  # ∂z/∂x = -1


class Pow(Function):
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


class Exp(Function):
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


class Log(Function):
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


class Log1p(Function):
    """y = ln(1 + x) (accurate for small x)"""

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


class Sqrt(Function):
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


class Abs(Function):
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


class Sin(Function):
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


class Cos(Function):
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


class Erf(Function):
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


class Cast(Function):
    """y = x converted to another dtype (the gradient is converted back)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, np_dtype):
        ctx.src = x.dtype
        with quiet():  # torch: out-of-range values overflow to ±inf silently
            return x.astype(np_dtype)

    @staticmethod
    def backward(ctx, g):
        return Cast.call(g, ctx.src), None  # identity, in the input's dtype


class Clone(Function):
    """y = x (a copy)"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        return g  # ∂y/∂x = 1


# ---- the public functions (torch names) --------------------------------------------------------
def add(input, other, *, alpha=1):
    if alpha != 1:
        other = mul(other, alpha)
    return binary(Add, input, other, op="add")


def sub(input, other, *, alpha=1):
    if alpha != 1:
        other = mul(other, alpha)
    return binary(Sub, input, other, op="sub")


def mul(input, other):
    return binary(Mul, input, other, op="mul")


def div(input, other, *, rounding_mode=None):
    if rounding_mode is None:
        return binary(Div, input, other, float_result=True, op="div")
    return _no_grad_binary(input, other, "floor_divide" if rounding_mode == "floor" else "trunc")


def true_divide(input, other):
    return div(input, other)


def neg(input):
    return Neg.apply(input)


def pow(input, exponent):
    if (isinstance(input, Tensor) and input._data.dtype.kind in "iub"
            and isinstance(exponent, int) and exponent < 0):
        raise RuntimeError("Integers to negative integer powers are not allowed.")  # torch
    return binary(Pow, input, exponent, op="pow")


def exp(input):
    return Exp.apply(_floatify(input))


def log(input):
    return Log.apply(_floatify(input))


def log1p(input):
    return Log1p.apply(_floatify(input))


def sqrt(input):
    return Sqrt.apply(_floatify(input))


def rsqrt(input):
    return pow(_floatify(input), -0.5)


def square(input):
    return mul(input, input)


def abs(input):
    return Abs.apply(input)


def sin(input):
    return Sin.apply(_floatify(input))


def cos(input):
    return Cos.apply(_floatify(input))


def erf(input):
    return Erf.apply(_floatify(input))


def clone(input):
    return Clone.apply(input)


def _floatify(t):
    if not isinstance(t, Tensor):
        raise TypeError(f"expected a Tensor, got {type(t).__name__}")
    if t._data.dtype.kind != "f":
        from ._util import _dt  # the module (the package attribute `dtype` is the class)

        return cast(t, _dt.float32)
    return t


__all__ = [n for n in dir() if not n.startswith("_") and n not in ("np", "annotations")]
