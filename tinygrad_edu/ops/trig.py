"""Trigonometric and hyperbolic functions beyond sin/cos (those live in unary.py): tan, the
inverse functions, sinh/cosh and their inverses, deg2rad/rad2deg and sinc.

Each is elementwise on any shape; integer and bool inputs compute in the default float dtype
(float32). Outside a function's domain the result is nan, as in torch (``asin(2.)``,
``acosh(0.5)``); at a pole it is ±inf (``atanh(1.)``). Gradients follow torch's formulas
(``tools/autograd/derivatives.yaml``), written so that they differentiate again.
"""

from __future__ import annotations

import math

from ..autograd import Function
from ..backend import get_array_module
from ._dual import xp_of
from ._unary_util import floatify, into
from ._util import half_opmath, quiet


class TanFn(Function):
    """y = tan x"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        with quiet():  # tan(±inf) is nan silently, as in torch
            y = get_array_module(x).tan(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        with quiet():
            return g * (1 + y * y)  # d tan x/dx = 1 + tan²x (the output)


class AsinFn(Function):
    """y = arcsin x (nan outside [-1, 1])"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return get_array_module(x).arcsin(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with quiet():
            # d arcsin x/dx = 1/√(1 - x²), as torch's rsqrt: nan where x² overflows (not 0)
            return g * (1 / xp_of(g).sqrt(1 - x * x))


class AcosFn(Function):
    """y = arccos x (nan outside [-1, 1])"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return get_array_module(x).arccos(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with quiet():
            # d arccos x/dx = -1/√(1 - x²), nan where x² overflows (torch's rsqrt of -inf)
            return -g * (1 / xp_of(g).sqrt(1 - x * x))


class AtanFn(Function):
    """y = arctan x"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return get_array_module(x).arctan(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (x * x + 1)  # d arctan x/dx = 1/(1 + x²)


class SinhFn(Function):
    """y = sinh x = (eˣ - e⁻ˣ)/2"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return get_array_module(x).sinh(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with quiet():
            return g * CoshFn.call(x)  # d sinh x/dx = cosh x


class CoshFn(Function):
    """y = cosh x = (eˣ + e⁻ˣ)/2"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return get_array_module(x).cosh(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with quiet():
            return g * SinhFn.call(x)  # d cosh x/dx = sinh x


class AsinhFn(Function):
    """y = arsinh x = ln(x + √(x² + 1))"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return get_array_module(x).arcsinh(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with quiet():
            return g * (x * x + 1) ** -0.5  # d arsinh x/dx = 1/√(x² + 1)


class AcoshFn(Function):
    """y = arcosh x = ln(x + √(x² - 1)) (nan below 1)"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return get_array_module(x).arccosh(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with quiet():
            return g * (x * x - 1) ** -0.5  # d arcosh x/dx = 1/√(x² - 1)


class AtanhFn(Function):
    """y = artanh x = ½ ln((1 + x)/(1 - x)) (±inf at ±1, nan outside [-1, 1])"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return get_array_module(x).arctanh(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with quiet():
            return g / (1 - x * x)  # d artanh x/dx = 1/(1 - x²)


class Deg2RadFn(Function):
    """y = x · π/180"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        return x * x.dtype.type(math.pi / 180)

    @staticmethod
    def backward(ctx, g):
        return g * (math.pi / 180)  # dy/dx = π/180


class Rad2DegFn(Function):
    """y = x · 180/π"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        return x * x.dtype.type(180 / math.pi)

    @staticmethod
    def backward(ctx, g):
        return g * (180 / math.pi)  # dy/dx = 180/π


class SincFn(Function):
    """y = sin(πx)/(πx), and 1 at x = 0 (the normalized sinc)"""

    array_io = True

    @staticmethod
    @half_opmath  # float16: computed in float32, rounded once
    def forward(ctx, x):
        ctx.save_for_backward(x)
        xp = get_array_module(x)
        px = x * x.dtype.type(math.pi)
        with quiet():
            return xp.where(x == 0, x.dtype.type(1), xp.sin(px) / px)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xp = xp_of(g)
        px = x * math.pi
        with quiet():  # d sinc/dx = (πx cos πx - sin πx)/(πx²); 0 where πx² is 0 (torch's
            den = x * x * math.pi  # sinc_backward: also where x² underflows, not only x = 0)
            d = g * (px * xp.cos(px) - xp.sin(px)) / den
            return xp.where(den == 0, 0.0, d)


# ---- the public functions (torch names) --------------------------------------------------------
def tan(input, *, out=None):
    """``torch.tan``: tan x elementwise. Shapes: any. dtype: floating (integers compute in
    float32). Poles give large finite values (π/2 is not exact). Derivative: 1 + tan²x.

    Raises TypeError for a non-Tensor input; RuntimeError for an ``out`` whose dtype the result
    cannot be cast to.
    """
    return into(out, TanFn.apply(floatify(input, "tan")), "tan")


def asin(input, *, out=None):
    """``torch.asin`` (alias ``arcsin``): arcsin x elementwise, in [-π/2, π/2]; nan for |x| > 1.
    dtype: floating (integers: the default dtype). Derivative: 1/√(1 - x²) (inf at ±1).

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    RuntimeError for an ``out`` whose dtype the result cannot be cast to.
    """
    return into(out, AsinFn.apply(floatify(input, "asin")), "asin")


def acos(input, *, out=None):
    """``torch.acos`` (alias ``arccos``): arccos x elementwise, in [0, π]; nan for |x| > 1.
    dtype: floating (integers: the default dtype). Derivative: -1/√(1 - x²).

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    RuntimeError for an ``out`` whose dtype the result cannot be cast to.
    """
    return into(out, AcosFn.apply(floatify(input, "acos")), "acos")


def atan(input, *, out=None):
    """``torch.atan`` (alias ``arctan``): arctan x elementwise, in (-π/2, π/2).
    dtype: floating (integers: the default dtype). Derivative: 1/(1 + x²).

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    RuntimeError for an ``out`` whose dtype the result cannot be cast to.
    """
    return into(out, AtanFn.apply(floatify(input, "atan")), "atan")


def sinh(input, *, out=None):
    """``torch.sinh``: (eˣ - e⁻ˣ)/2 elementwise (±inf beyond |x| ≈ 89 in float32).
    dtype: floating (integers: the default dtype). Derivative: cosh x.

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    RuntimeError for an ``out`` whose dtype the result cannot be cast to.
    """
    return into(out, SinhFn.apply(floatify(input, "sinh")), "sinh")


def cosh(input, *, out=None):
    """``torch.cosh``: (eˣ + e⁻ˣ)/2 elementwise. dtype: floating (integers: the default dtype).
    Derivative: sinh x.

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    RuntimeError for an ``out`` whose dtype the result cannot be cast to.
    """
    return into(out, CoshFn.apply(floatify(input, "cosh")), "cosh")


def asinh(input, *, out=None):
    """``torch.asinh`` (alias ``arcsinh``): ln(x + √(x² + 1)) elementwise.
    dtype: floating (integers: the default dtype). Derivative: 1/√(x² + 1).

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    RuntimeError for an ``out`` whose dtype the result cannot be cast to.
    """
    return into(out, AsinhFn.apply(floatify(input, "asinh")), "asinh")


def acosh(input, *, out=None):
    """``torch.acosh`` (alias ``arccosh``): ln(x + √(x² - 1)) elementwise; nan for x < 1.
    dtype: floating (integers: the default dtype). Derivative: 1/√(x² - 1).

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    RuntimeError for an ``out`` whose dtype the result cannot be cast to.
    """
    return into(out, AcoshFn.apply(floatify(input, "acosh")), "acosh")


def atanh(input, *, out=None):
    """``torch.atanh`` (alias ``arctanh``): ½ ln((1 + x)/(1 - x)) elementwise; ±inf at ±1, nan
    for |x| > 1. dtype: floating (integers: the default dtype). Derivative: 1/(1 - x²).

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    RuntimeError for an ``out`` whose dtype the result cannot be cast to.
    """
    return into(out, AtanhFn.apply(floatify(input, "atanh")), "atanh")


def deg2rad(input, *, out=None):
    """``torch.deg2rad``: x · π/180 elementwise. dtype: floating (integers: the default dtype).
    Derivative: π/180.

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    RuntimeError for an ``out`` whose dtype the result cannot be cast to.
    """
    return into(out, Deg2RadFn.apply(floatify(input, "deg2rad")), "deg2rad")


def rad2deg(input, *, out=None):
    """``torch.rad2deg``: x · 180/π elementwise. dtype: floating (integers: the default dtype).
    Derivative: 180/π.

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    RuntimeError for an ``out`` whose dtype the result cannot be cast to.
    """
    return into(out, Rad2DegFn.apply(floatify(input, "rad2deg")), "rad2deg")


def sinc(input, *, out=None):
    """``torch.sinc`` (also ``torch.special.sinc``): sin(πx)/(πx) elementwise, 1 at 0.
    dtype: floating (integers: the default dtype).
    Derivative: (πx cos πx - sin πx)/(πx²), and 0 at x = 0.

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    RuntimeError for an ``out`` whose dtype the result cannot be cast to.
    """
    return into(out, SincFn.apply(floatify(input, "sinc")), "sinc")


arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh

_NAMES = ("tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "deg2rad",
          "rad2deg", "sinc", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh")

# torch.<name> functions this module provides (re-exported by the package root)
__all__ = list(_NAMES)

# ops that also have an in-place form (``tan_``), made by ops/inplace.py
INPLACE = _NAMES

METHODS = {n: globals()[n] for n in _NAMES}
