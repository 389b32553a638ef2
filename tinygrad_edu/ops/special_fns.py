"""``torch.special``'s own functions: Bessel functions (I₀, I₁ and their scaled forms are
differentiable; J, Y, K, the Airy function and the spherical J₀ are not, as in torch: those
live in ops/bessel.py), the normal distribution (ndtr, ndtri, log_ndtr), entr, erfcx, xlog1py
and the Hurwitz zeta. ndtri, log_ndtr, erfcx and zeta refuse float16/bfloat16 (torch's CPU
kernels have none: NotImplementedError).

Values come from SciPy (cupyx.scipy.special on the GPU) via ``backend.special``. Derivatives
follow torch's ``tools/autograd/derivatives.yaml``; each is written with other ops so that it
differentiates again. The functions torch does not differentiate return a result that does not
require grad (``constant``), as torch's do.
"""

from __future__ import annotations

import math

from .. import dtype as _dt
from .._args import no_kernel
from ..autograd import Function
from ..backend import get_array_module, special
from ..dtype import finfo
from ..tensor import Tensor
from ._dual import xp_of
from ._special_math import zeta_array
from ._unary_util import floatify, into
from ._util import quiet, raise_broadcast_error
from .promotion import binary, cast
from .unary import erf

_SQRT_2PI = math.sqrt(2 * math.pi)


class I0Fn(Function):
    """y = I₀(x) = Σₖ (x²/4)ᵏ/(k!)², the modified Bessel function of order 0"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return special("i0", x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * SpecialI1Fn.call(x)  # dI₀/dx = I₁(x)


class SpecialI0EFn(Function):
    """y = e^{-|x|} I₀(x)"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        y = special("i0e", x)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return g * (SpecialI1EFn.call(x) - xp_of(g).sign(x) * y)  # dy/dx = i1e(x) - sgn(x)·y


def _safe(x):
    """x, with |x| ≤ eps replaced by eps (torch's guard before dividing by x), and the mask."""
    xp = xp_of(x)
    eps = float(finfo(x.dtype if not isinstance(x, Tensor) else x._data.dtype).eps)
    big = xp.abs(x) > eps
    return xp.where(big, x, eps), big


class SpecialI1Fn(Function):
    """y = I₁(x) = Σₖ (x/2)^{2k+1}/(k!(k+1)!), the modified Bessel function of order 1"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        y = special("i1", x)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        s, big = _safe(x)  # dI₁/dx = I₀(x) - I₁(x)/x, and ½ at x = 0 (torch)
        return g * xp_of(g).where(big, I0Fn.call(s) - y / s, 0.5)


class SpecialI1EFn(Function):
    """y = e^{-|x|} I₁(x)"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        y = special("i1e", x)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        xp = xp_of(g)
        s, big = _safe(x)  # dy/dx = i0e(x) - y·(sgn x + 1/x), and ½ at x = 0 (torch)
        return g * xp.where(big, SpecialI0EFn.call(s) - y * (xp.sign(s) + 1 / s), 0.5)


class SpecialEntrFn(Function):
    """y = -x ln x (0 at 0, -inf below 0)"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return special("entr", x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with quiet():
            return g * -(1 + xp_of(g).log(x))  # dy/dx = -(1 + ln x)


class SpecialErfcxFn(Function):
    """y = e^{x²} erfc(x), the scaled complementary error function"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        y = special("erfcx", x)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return g * (2 * x * y - 2 / math.sqrt(math.pi))  # dy/dx = 2x·y - 2/√π


class SpecialNdtriFn(Function):
    """y = Φ⁻¹(x), the standard normal quantile (±inf at 1 and 0)"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        y = special("ndtri", x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        with quiet():  # dΦ⁻¹/dx = 1/φ(y) = √(2π) e^{y²/2}
            return g * _SQRT_2PI * xp_of(g).exp(y * y / 2)


class SpecialLogNdtrFn(Function):
    """y = ln Φ(x), accurate in the far left tail"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        y = special("log_ndtr", x)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        with quiet():  # dy/dx = φ(x)/Φ(x) = e^{-(y + x²/2)}/√(2π)
            return g / _SQRT_2PI * xp_of(g).exp(-(y + x * x / 2))


class SpecialXlog1pyFn(Function):
    """z = x · ln(1 + y), and 0 where x = 0 (unless y is nan)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return special("xlog1py", x, y)  # (one of x, y may be a number)

    @staticmethod
    def backward(ctx, g):
        x, y = (float(v) if isinstance(v, int) or str(getattr(v, "dtype", "")) == "bool" else v
                for v in ctx.saved_tensors)  # (NumPy's log1p(True) is a float16 0.6934)
        xp = xp_of(g)
        nx, ny = ctx.needs_input_grad
        with quiet():
            # ∂z/∂x = ln(1 + y) (0 where g = 0, and where x = 0 and y ≤ -1, as torch)
            gx = xp.where((g == 0) | ((x == 0) & (y <= -1)), 0.0, g * xp.log1p(y)) if nx else None
            gy = g * x / (y + 1) if ny else None  # ∂z/∂y = x/(1 + y)
        return gx, gy


class SpecialZetaFn(Function):
    """z = ζ(x, q) = Σₖ (k + q)^-x, the Hurwitz zeta function"""

    array_io = True

    @staticmethod
    def forward(ctx, x, q):
        ctx.save_for_backward(x, q)
        return zeta_array(x, q)  # (one of x, q may be a number)

    @staticmethod
    def backward(ctx, g):
        x, q = ctx.saved_tensors
        if ctx.needs_input_grad[0]:
            raise NotImplementedError("the derivative for 'zeta' is not implemented.")
        return None, g * -x * SpecialZetaFn.call(x + 1.0, q)  # ∂ζ/∂q = -x ζ(x + 1, q)


# ---- the public functions (torch.special names) ------------------------------------------------
def i0e(input, *, out=None):
    """``torch.special.i0e``: e^{-|x|} I₀(x) elementwise (finite where I₀ overflows). dtype:
    floating (integers: the default dtype). Derivative: i1e(x) - sgn(x)·i0e(x). Shapes: any; the
    output has the same. Raises TypeError for a non-Tensor input, RuntimeError for an ``out`` it
    cannot cast to."""
    return into(out, SpecialI0EFn.apply(floatify(input, "special_i0e")), "special_i0e")


def i1(input, *, out=None):
    """``torch.special.i1``: the modified Bessel function I₁(x) elementwise. dtype: floating
    (integers: the default dtype). Derivative: I₀(x) - I₁(x)/x (½ at 0). Shapes: any; the output has
    the same. Raises TypeError for a non-Tensor input, RuntimeError for an ``out`` it cannot cast
    to."""
    return into(out, SpecialI1Fn.apply(floatify(input, "special_i1")), "special_i1")


def i1e(input, *, out=None):
    """``torch.special.i1e``: e^{-|x|} I₁(x) elementwise. dtype: floating (integers compute in
    float32). Derivative: i0e(x) - i1e(x)·(sgn x + 1/x) (½ at 0). Shapes: any; the output has the
    same. Raises TypeError for a non-Tensor input, RuntimeError for an ``out`` it cannot cast to."""
    return into(out, SpecialI1EFn.apply(floatify(input, "special_i1e")), "special_i1e")


def entr(input, *, out=None):
    """``torch.special.entr``: -x ln x elementwise (0 at 0, -inf for x < 0). dtype: floating
    (integers: the default dtype). Derivative: -(1 + ln x). Shapes: any; the output has the same.
    Raises TypeError for a non-Tensor input, RuntimeError for an ``out`` it cannot cast to."""
    return into(out, SpecialEntrFn.apply(floatify(input, "special_entr")), "special_entr")


def erfcx(input, *, out=None):
    """``torch.special.erfcx``: e^{x²} erfc(x) elementwise (no overflow for large x). dtype:
    floating (integers: the default dtype). Derivative: 2x·erfcx(x) - 2/√π. Shapes: any; the output
    has the same. Raises TypeError for a non-Tensor input, RuntimeError for an ``out`` it cannot
    cast to."""
    x = no_half(floatify(input, "special_erfcx"), "erfcx")
    return into(out, SpecialErfcxFn.apply(x), "special_erfcx")


def ndtr(input, *, out=None):
    """``torch.special.ndtr``: Φ(x) = ½(1 + erf(x/√2)), the standard normal CDF, elementwise
    (torch's formula, so the graph is torch's: its node is MulBackward1). dtype: floating
    (integers: the default dtype). Derivative: φ(x) = e^{-x²/2}/√(2π). Shapes: any; the output has
    the same. Raises TypeError for a non-Tensor input, RuntimeError for an ``out`` it cannot cast
    to."""
    x = floatify(input, "special_ndtr")
    res = (1 + erf(x * math.sqrt(0.5))) * 0.5
    return into(out, res, "special_ndtr")


def ndtri(input, *, out=None):
    """``torch.special.ndtri``: Φ⁻¹(x), the standard normal quantile, elementwise (∓inf at 0
    and 1, nan outside [0, 1]). dtype: floating (integers: the default dtype).
    Derivative: √(2π) e^{ndtri(x)²/2}. Shapes: any; the output has the same. Raises TypeError for a
    non-Tensor input, RuntimeError for an ``out`` it cannot cast to."""
    x = no_half(floatify(input, "special_ndtri"), "ndtri")
    return into(out, SpecialNdtriFn.apply(x), "special_ndtri")


def log_ndtr(input, *, out=None):
    """``torch.special.log_ndtr``: ln Φ(x) elementwise, accurate for very negative x. dtype:
    floating (integers: the default dtype). Derivative: φ(x)/Φ(x). Shapes: any; the output has the
    same. Raises TypeError for a non-Tensor input, RuntimeError for an ``out`` it cannot cast to."""
    res = SpecialLogNdtrFn.apply(no_half(floatify(input, "special_log_ndtr"), "log_ndtr"))
    return into(out, res, "special_log_ndtr")


def xlog1py(input, other, *, out=None):
    """``torch.special.xlog1py``: x · ln(1 + y) elementwise, 0 where x = 0 (nan where y is nan).
    Either argument may be a number. Shapes: broadcast. dtype: promoted, floating (integers
    compute in float32). Raises TypeError for two numbers, RuntimeError for shapes that do not
    broadcast. Derivatives: ∂/∂x = ln(1 + y), ∂/∂y = x/(1 + y)."""
    _two_tensors_or_one(input, other, "special_xlog1py")
    res = binary(SpecialXlog1pyFn, input, other, float_result=True, op="special_xlog1py")
    return into(out, res, "special_xlog1py")


def zeta(input, other, *, out=None):
    """``torch.special.zeta``: the Hurwitz zeta ζ(x, q) = Σₖ₌₀^∞ (k + q)^-x elementwise (inf at
    x = 1, nan for x < 1). Either argument may be a number. Shapes: broadcast. dtype: promoted,
    floating (integers: the default dtype). Derivatives: ∂/∂q = -x ζ(x + 1, q); ∂/∂x raises
    NotImplementedError (torch defines none)."""
    _two_tensors_or_one(input, other, "special_zeta")
    refuse_half(_dt.result_type(input, other), "zeta",  # torch's kernel has no half types
                [t.shape for t in (input, other) if isinstance(t, Tensor)])
    return into(out, binary(SpecialZetaFn, input, other, float_result=True,
                            op="special_zeta"), "special_zeta")


def no_half(x: Tensor, name: str) -> Tensor:
    """``x``, or torch's NotImplementedError when it is float16/bfloat16: the special
    functions whose CPU kernel has no half types ('"ndtri_cpu" not implemented for 'Half'')."""
    no_kernel(x, f"{name}_cpu", "e")
    return x


def refuse_half(d, name: str, shapes) -> None:
    """torch's NotImplementedError when the computing dtype ``d`` (a NumPy or tinygrad_edu
    dtype: the operands' promoted one) is float16/bfloat16, for a kernel without half types."""
    d = getattr(d, "np", d)
    if d in _dt.REDUCED_FLOATS:
        raise NotImplementedError(
            f"\"{name}_cpu\" not implemented for '{_dt.torch_type_name(d)}' (special.{name} "
            f"of shapes {', '.join(str(list(s)) for s in shapes)} computes in {d.name}; "
            "convert to float32 first)")


def _two_tensors_or_one(a, b, op: str) -> None:
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        raise TypeError(f"{op}() received an invalid combination of arguments - got "
                        f"({type(a).__name__}, {type(b).__name__}), but expected one of: "
                        "(Tensor input, Tensor other), (Number self, Tensor other), "
                        "(Tensor input, Number other)")


def float_operands(a, b, op: str):
    """Two arguments (a tensor and a tensor or number) as arrays of their promoted floating
    dtype, broadcast together (for the functions torch does not differentiate)."""
    _two_tensors_or_one(a, b, op)
    ref = a if isinstance(a, Tensor) else b
    d = _dt.result_type(a, b)
    d = d if d.is_floating_point else _dt.default_float()
    xp = get_array_module(ref._data)
    xa, xb = (cast(t.detach(), d)._data if isinstance(t, Tensor) else xp.asarray(t, dtype=d.np)
              for t in (a, b))
    try:
        return xp.broadcast_arrays(xa, xb)
    except ValueError:
        raise_broadcast_error(op, xa.shape, xb.shape)


# torch.special's own functions: tinygrad_edu/special.py re-exports them (not the package root)
__all__: list = []

METHODS: dict = {}
