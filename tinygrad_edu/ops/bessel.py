"""``torch.special``'s Bessel and Airy functions that torch does not differentiate: J₀, J₁,
Y₀, Y₁, the modified I₀, I₁ (the values of ``i0``/``i1``), K₀, K₁ and the scaled eˣK₀, eˣK₁,
the spherical j₀ and Ai. Their results are constants (no graph), as torch's. Values come from
SciPy (cupyx.scipy.special on the GPU) via ``backend.special``. float16/bfloat16 inputs raise
NotImplementedError: torch's CPU kernels have no half types.
"""

from __future__ import annotations

from ..backend import get_array_module, special
from ._special_math import airy_ai_array
from ._unary_util import constant, floatify, into
from ._util import quiet
from .special_fns import no_half


def _not_differentiable(name: str, doc: str):
    """A torch.special function without a derivative in torch: its result is a constant."""
    def fn(input, *, out=None):
        x = no_half(floatify(input, f"special_{name}"), name).detach()._data
        return into(out, constant(special(name, x)), f"special_{name}")

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"``torch.special.{name}``: {doc}, elementwise. dtype: floating (integers "
                  "compute in float32; float16/bfloat16 raise NotImplementedError, as torch). "
                  "Not differentiable (torch defines no derivative: the "
                  "result does not require grad).\n\nShapes: any; the output has the same. "
                  "Raises TypeError for a non-Tensor, RuntimeError for an uncastable ``out``.")
    return fn


bessel_j0 = _not_differentiable("bessel_j0", "the Bessel function of the first kind J₀(x)")
bessel_j1 = _not_differentiable("bessel_j1", "the Bessel function of the first kind J₁(x)")
bessel_y0 = _not_differentiable("bessel_y0", "the Bessel function of the second kind Y₀(x)")
bessel_y1 = _not_differentiable("bessel_y1", "the Bessel function of the second kind Y₁(x)")
modified_bessel_k0 = _not_differentiable("modified_bessel_k0", "the modified Bessel function "
                                         "of the second kind K₀(x)")
modified_bessel_k1 = _not_differentiable("modified_bessel_k1", "the modified Bessel function "
                                         "of the second kind K₁(x)")
scaled_modified_bessel_k0 = _not_differentiable("scaled_modified_bessel_k0", "eˣ K₀(x)")
scaled_modified_bessel_k1 = _not_differentiable("scaled_modified_bessel_k1", "eˣ K₁(x)")


def airy_ai(input, *, out=None):
    """``torch.special.airy_ai``: the Airy function Ai(x), the solution of y'' = xy that decays
    for x → +inf, elementwise (0 above 103.892, nan at ±inf, as torch). dtype: floating
    (integers: the default dtype). Not differentiable (as in torch). Shapes: any; the output has the
    same. Raises TypeError for a non-Tensor input, RuntimeError for an ``out`` it cannot cast to."""
    x = no_half(floatify(input, "special_airy_ai"), "airy_ai").detach()._data
    return into(out, constant(airy_ai_array(x)), "special_airy_ai")


def modified_bessel_i0(input, *, out=None):
    """``torch.special.modified_bessel_i0``: I₀(x) elementwise (the same values as ``i0``).
    dtype: floating (integers: the default dtype). Not differentiable (as in torch). Shapes: any;
    the output has the same. Raises TypeError for a non-Tensor input, RuntimeError for an ``out`` it
    cannot cast to."""
    x = no_half(floatify(input, "special_modified_bessel_i0"), "modified_bessel_i0").detach()._data
    return into(out, constant(special("i0", x)), "special_modified_bessel_i0")


def modified_bessel_i1(input, *, out=None):
    """``torch.special.modified_bessel_i1``: I₁(x) elementwise (the values of ``i1``).
    dtype: floating (integers: the default dtype). Not differentiable (as in torch). Shapes: any;
    the output has the same. Raises TypeError for a non-Tensor input, RuntimeError for an ``out`` it
    cannot cast to."""
    x = no_half(floatify(input, "special_modified_bessel_i1"), "modified_bessel_i1").detach()._data
    return into(out, constant(special("i1", x)), "special_modified_bessel_i1")


def spherical_bessel_j0(input, *, out=None):
    """``torch.special.spherical_bessel_j0``: j₀(x) = sin(x)/x elementwise (1 at 0, 0 at ±inf;
    a Taylor series for |x| < ½, as torch). dtype: floating (integers: the default dtype).
    Not differentiable (as in torch). Shapes: any; the output has the same. Raises TypeError for a
    non-Tensor input, RuntimeError for an ``out`` it cannot cast to."""
    x = floatify(input, "special_spherical_bessel_j0")
    x = no_half(x, "spherical_bessel_j0").detach()._data
    xp, t = get_array_module(x), x.dtype.type
    with quiet():  # x² overflows and sin(±inf) is nan silently, as in torch
        x2 = x * x
        series = 1 + x2 * (t(-1 / 6) + x2 * (t(1 / 120) + x2 * (t(-1 / 5040) + x2 * (
            t(1 / 362880) + x2 * (t(-1 / 39916800) + x2 * t(1 / 6227020800))))))
        y = xp.where(xp.abs(x) < 0.5, series, xp.sin(x) / x)
    return into(out, constant(xp.where(xp.isinf(x), t(0), y)), "special_spherical_bessel_j0")


# torch.special's functions: tinygrad_edu/special.py re-exports them (not the package root)
__all__: list = []

METHODS: dict = {}
