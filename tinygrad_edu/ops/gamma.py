"""The gamma function's family and the error function's relatives: lgamma, digamma, polygamma,
mvlgamma, erfc, erfinv, i0.

Values come from SciPy (cupyx.scipy.special on the GPU) through ``backend.special``, corrected
where torch's own algorithm gives another answer (torch is the oracle): lgamma(-inf) = inf,
trigamma by torch's series, and torch's Hurwitz zeta (nan at q = +inf) inside polygamma.
Derivatives are written by hand, each in terms of the next function of the family, so they
differentiate again: lgamma' = digamma, digamma' = polygamma(1, ·), polygamma(n, ·)' =
polygamma(n + 1, ·), erfinv' = (√π/2)·exp(erfinv²), i0' = i1.
"""

from __future__ import annotations

import math

from ..autograd import Function
from ..backend import get_array_module, special
from ..dtype import kind_of
from ._dual import xp_of
from ._special_math import lgamma_array, polygamma_array
from ._unary_util import check_tensor, floatify, into
from ._util import half_opmath, quiet
from .special_fns import I0Fn

_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


class LgammaFn(Function):
    """y = ln|Γ(x)|"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return lgamma_array(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * DigammaFn.call(x)  # d ln|Γ(x)|/dx = ψ(x)


class DigammaFn(Function):
    """y = ψ(x) = Γ'(x)/Γ(x)"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return special("digamma", x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * PolygammaFn.call(x, 1)  # dψ/dx = ψ₁(x) (trigamma)


class PolygammaFn(Function):
    """y = ψ⁽ⁿ⁾(x), the n-th derivative of digamma"""

    array_io = True

    @staticmethod
    @half_opmath  # float16: computed in float32, rounded once
    def forward(ctx, x, n):
        ctx.save_for_backward(x)
        ctx.n = n
        return polygamma_array(n, x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * PolygammaFn.call(x, ctx.n + 1), None  # dψ⁽ⁿ⁾/dx = ψ⁽ⁿ⁺¹⁾


class MvlgammaFn(Function):
    """y = ln Γ_p(x) = p(p-1)/4 · ln π + Σᵢ₌₀..ₚ₋₁ ln Γ(x - i/2)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, p):
        ctx.save_for_backward(x)
        ctx.p = p
        total = 0
        with quiet():  # the sum may overflow to inf, silently as in torch
            for i in range(p - 1, -1, -1):  # torch's order: x - (p-1)/2, ..., x - ½, x
                total = total + lgamma_array(x - x.dtype.type(i / 2))
            return total + x.dtype.type(p * (p - 1) / 4 * math.log(math.pi))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        d = 0
        for i in range(ctx.p - 1, -1, -1):  # torch adds arange(-(p-1)/2, ½, ½) to x: the
            d = d + DigammaFn.call(x + (0.0 - i / 2))  # i = 0 term is x + 0.0 (ψ(-0.0 + 0) = -inf)
        return g * d, None  # d ln Γ_p/dx = Σᵢ ψ(x - i/2)


class ErfcFn(Function):
    """y = erfc x = 1 - erf x (accurate for large x)"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return special("erfc", x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return -g * _TWO_OVER_SQRT_PI * xp_of(g).exp(-x * x)  # d erfc/dx = -(2/√π)e^{-x²}


class ErfinvFn(Function):
    """y = erf⁻¹(x) (±inf at ±1, nan outside [-1, 1])"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        y = get_array_module(x).where(x == 0, x, special("erfinv", x))  # erfinv(-0.0) = -0.0
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        with quiet():  # d erf⁻¹/dx = 1/erf'(y) = (√π/2)·e^{y²}
            return g * (math.sqrt(math.pi) / 2) * xp_of(g).exp(y * y)


# ---- the public functions (torch names) --------------------------------------------------------
def lgamma(input, *, out=None):
    """``torch.lgamma`` (also ``torch.special.gammaln``): ln|Γ(x)| elementwise (+inf at the
    poles 0, -1, -2, ... and at ±inf). dtype: floating (integers: the default dtype).
    Derivative: ψ(x) (digamma).

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    RuntimeError for an ``out`` whose dtype the result cannot be cast to.
    """
    return into(out, LgammaFn.apply(floatify(input, "lgamma")), "lgamma")


def digamma(input, *, out=None):
    """``torch.digamma`` (also ``torch.special.digamma`` / ``psi``): ψ(x) = Γ'(x)/Γ(x)
    elementwise (∓inf at ±0, nan at negative integers). dtype: floating (integers compute in
    float32). Derivative: ψ₁(x) = polygamma(1, x).

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    RuntimeError for an ``out`` whose dtype the result cannot be cast to.
    """
    return into(out, DigammaFn.apply(floatify(input, "digamma")), "digamma")


def polygamma(n, input, *, out=None):
    """``torch.polygamma`` (also ``torch.special.polygamma``): ψ⁽ⁿ⁾(x), the n-th derivative of
    digamma, elementwise (n = 0 is digamma). dtype: floating (integers: the default dtype).
    Raises RuntimeError for n < 0. Derivative: ψ⁽ⁿ⁺¹⁾(x).

    Shapes: any; the output has the input's shape.
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"polygamma(): argument 'n' must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return into(out, PolygammaFn.apply(floatify(input, "polygamma"), n), "polygamma")


def mvlgamma(input, p, *, out=None):
    """``torch.mvlgamma`` (also ``torch.special.multigammaln``): the multivariate log-gamma
    ln Γ_p(x) = p(p-1)/4 · ln π + Σᵢ₌₀..ₚ₋₁ ln Γ(x - i/2), elementwise. dtype: floating
    (integers: the default dtype; torch 2 no longer checks x > (p-1)/2: outside, the sum of
    log-gammas is what it is). Raises RuntimeError for p < 1 and for bool tensors.
    Derivative: Σᵢ ψ(x - i/2).

    Shapes: any; the output has the input's shape.
    """
    check_tensor(input, "mvlgamma")
    if kind_of(input._data.dtype) == "b":
        raise RuntimeError("The input tensor may not be a boolean tensor.")
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    x = floatify(input, "mvlgamma")
    return into(out, MvlgammaFn.apply(x, int(p)), "mvlgamma")


def erfc(input, *, out=None):
    """``torch.erfc`` (also ``torch.special.erfc``): 1 - erf x elementwise, accurate where erf x
    is near 1. dtype: floating (integers: the default dtype). Derivative: -(2/√π) e^{-x²}.

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    RuntimeError for an ``out`` whose dtype the result cannot be cast to.
    """
    return into(out, ErfcFn.apply(floatify(input, "erfc")), "erfc")


def erfinv(input, *, out=None):
    """``torch.erfinv`` (also ``torch.special.erfinv``): the inverse of erf on (-1, 1); ±inf at
    ±1, nan outside. dtype: floating (integers: the default dtype).
    Derivative: (√π/2) exp(erfinv(x)²).

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    RuntimeError for an ``out`` whose dtype the result cannot be cast to.
    """
    return into(out, ErfinvFn.apply(floatify(input, "erfinv")), "erfinv")


def i0(input, *, out=None):
    """``torch.i0`` (also ``torch.special.i0``): the modified Bessel function I₀(x) =
    Σₖ (x²/4)ᵏ/(k!)² elementwise. dtype: floating (integers: the default dtype).
    Derivative: I₁(x).

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    RuntimeError for an ``out`` whose dtype the result cannot be cast to.
    """
    return into(out, I0Fn.apply(floatify(input, "i0")), "i0")


def _polygamma_method(self, n):
    """``Tensor.polygamma(n)``: ``torch.polygamma(n, self)`` — ψ⁽ⁿ⁾(x) elementwise (any shape).
    Raises RuntimeError for n < 0, TypeError for a non-int n. Derivative: ψ⁽ⁿ⁺¹⁾(x).

    Shapes: any; the output has the input's shape.
    """
    check_tensor(self, "polygamma")
    return polygamma(n, self)


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["digamma", "erfc", "erfinv", "i0", "lgamma", "mvlgamma", "polygamma"]

# ops that also have an in-place form (``lgamma_``), made by ops/inplace.py
INPLACE = ("digamma", "erfc", "erfinv", "i0", "lgamma", "mvlgamma", "polygamma")

METHODS = {
    "digamma": digamma, "erfc": erfc, "erfinv": erfinv, "i0": i0, "lgamma": lgamma,
    "mvlgamma": mvlgamma, "polygamma": _polygamma_method,
}
