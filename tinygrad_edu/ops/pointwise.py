"""Two-input pointwise math: atan2, hypot, copysign, logaddexp, logaddexp2, xlogy (ops/xlogy.py),
ldexp, nextafter, heaviside, igamma, igammac — each Function's forward and backward side by side.

dtype: torch's promotion; the transcendental ones compute integers in the default float dtype
(``atan2(int, int)`` is float32). Inputs must be tensors unless the docstring says a number is
accepted (torch's signatures).
"""

from __future__ import annotations

import math

from .. import dtype as _dt
from ..autograd import Function
from ..backend import gammainc, gammaln, get_array_module
from ..tensor import Tensor
from ._dual import xp_of
from ._out import check_cast_to, missing_kernel
from ._util import named, quiet, raise_broadcast_error
from .promotion import (
    array_module,
    binary,
    cast,
    graph_binary,
    promote,
    require_tensor,
    result_type,
    write_out,
)
from .xlogy import XlogyFn, xlogy  # noqa: F401  (torch.xlogy, re-exported here)

LN2 = math.log(2.0)


def _xp(x, y):
    return array_module(x, y)


class Atan2Fn(Function):
    """z = atan2(x, y), the angle of the point (y, x)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return _xp(x, y).arctan2(x, y)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        with quiet():
            recip = 1 / (x * x + y * y)
            recip = xp_of(g).where(xp_of(g).isinf(recip), 0.0, recip)  # torch: 0 at the origin
            return g * y * recip, g * -x * recip  # ∂z/∂x = y/(x²+y²), ∂z/∂y = -x/(x²+y²)


class HypotFn(Function):
    """z = √(x² + y²) (without overflow in the squares)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, y):
        z = _xp(x, y).hypot(x, y)
        ctx.save_for_backward(x, y, z)
        return z

    @staticmethod
    def backward(ctx, g):
        x, y, z = ctx.saved_tensors
        with quiet():
            return g * x / z, g * y / z  # ∂z/∂x = x/z, ∂z/∂y = y/z


class CopysignFn(Function):
    """z = |x| with the sign of y (the sign bit: -0.0 counts as negative)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, y):
        z = _xp(x, y).copysign(x, y)
        ctx.save_for_backward(x, z)
        return z

    @staticmethod
    def backward(ctx, g):
        x, z = ctx.saved_tensors
        xp = xp_of(g)
        with quiet():
            ratio = xp.where(x == 0, 0.0, z / x)  # ∂z/∂x = z/x = ±1 (torch: 0 at x = 0)
        return g * ratio, xp.zeros_like(g)  # ∂z/∂y = 0


class LogaddexpFn(Function):
    """z = ln(eˣ + eʸ) (computed as max + log1p(e^-|x-y|): no overflow)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        with quiet():  # NumPy warns on a NaN operand; torch is silent
            return _xp(x, y).logaddexp(x, y)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        xp = xp_of(g)
        with quiet():  # ∂z/∂x = eˣ/(eˣ + eʸ) = 1/(1 + e^(y-x))
            return g / (1 + xp.exp(y - x)), g / (1 + xp.exp(x - y))


class Logaddexp2Fn(Function):
    """z = log₂(2ˣ + 2ʸ)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        with quiet():  # NumPy warns on a NaN operand; torch is silent
            return _xp(x, y).logaddexp2(x, y)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        with quiet():  # ∂z/∂x = 2ˣ/(2ˣ + 2ʸ) = 1/(1 + 2^(y-x))
            return g / (1 + 2.0 ** (y - x)), g / (1 + 2.0 ** (x - y))


class LdexpFn(Function):
    """z = x · 2ʸ (an integer y scales exactly, without forming 2ʸ)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        xp = get_array_module(x)
        with quiet():
            if _dt.kind_of(y.dtype) in "iu":  # C's ldexp: exact, no overflow of 2ʸ on its own
                return xp.ldexp(x, xp.clip(y, -4096, 4096).astype(xp.int32))
            return x * xp.exp2(y)  # torch: 2ʸ in y's dtype, then the product

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        with quiet():
            gx = LdexpFn.call(g, y) if nx else None  # ∂z/∂x = 2ʸ
            gy = g * x * 2.0**y * LN2 if ny else None  # ∂z/∂y = x·2ʸ·ln 2
        return gx, gy


class NextafterFn(Function):
    """z = the next floating-point number after x towards y"""

    array_io, opmath = True, False  # no float32 detour: the next number in bfloat16 itself

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return _xp(x, y).nextafter(x, y)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        xp = xp_of(g)  # torch: ∂z/∂x = 1 (0 where x = y: z is then y itself), ∂z/∂y = 0
        return xp.where(x == y, 0.0, g), xp.zeros_like(g)


class IgammaFn(Function):
    """z = P(a, x) = γ(a, x)/Γ(a) (upper: Q(a, x) = 1 - P(a, x))"""

    array_io = True

    @staticmethod
    def forward(ctx, a, x, upper):
        ctx.save_for_backward(x)
        ctx.upper, ctx.a = upper, a
        if ctx.needs_input_grad[1]:
            ctx.lgamma_a = gammaln(a)
        xp, dtype = get_array_module(a), a.dtype
        with quiet():
            p = gammainc(a, x, upper)
            one, zero = (0.0, 1.0) if upper else (1.0, 0.0)  # P (or Q) at x = ∞ and x = 0
            # torch's special cases (calc_igamma), from the lowest priority up
            p = xp.where(xp.isinf(x), one, p)
            p = xp.where(xp.isinf(a), xp.where(xp.isinf(x), xp.nan, zero), p)
            p = xp.where(x == 0, zero, p)
            p = xp.where(a == 0, xp.where(x > 0, one, xp.nan), p)
            return xp.where((x < 0) | (a < 0), xp.nan, p).astype(dtype)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        name = "igammac" if ctx.upper else "igamma"
        if ctx.needs_input_grad[0]:
            raise NotImplementedError(f"the derivative for '{name}: input' is not implemented.")
        xp = xp_of(g)
        with quiet():  # ∂P/∂x = x^(a-1)·e^(-x)/Γ(a) (the gamma density), ∂Q/∂x = -∂P/∂x
            d = g * xp.exp((ctx.a - 1) * xp.log(x) - x - ctx.lgamma_a)
        return None, -d if ctx.upper else d, None


# ---- the public functions (torch names) --------------------------------------------------------
def _float_kernel(a, b, kernel: str, out, op: str) -> None:
    """Ops with floating kernels only: NotImplementedError for integer and bool operands; but
    first the promoted dtype must fit ``out`` (RuntimeError: torch checks the cast first)."""
    d = (a if isinstance(a, Tensor) else b)._data.dtype
    check_cast_to(out, d, op)
    if _dt.kind_of(d) != "f":
        raise missing_kernel(kernel, d)


def _tensors_op(fn, input, other, op: str, out, float_result=True, kernel=None):
    require_tensor(input, op, "input", 1)
    require_tensor(other, op, "other", 2)
    if kernel:
        _float_kernel(*promote(input, other, op), kernel, out, op)
    return write_out(out, binary(fn, input, other, float_result, op), op)


def atan2(input, other, *, out=None):
    """``torch.atan2`` (alias ``arctan2``): the angle of the point (other, input), in
    [-π, π]. dtype: floating (integers: the default dtype). Derivatives: other/(input² +
    other²) and -input/(input² + other²). Shapes: ``input`` and ``other`` broadcast (torch's rules).
    Raises RuntimeError for unbroadcastable shapes or an ``out`` of a dtype it cannot cast to;
    TypeError for two non-Tensor arguments."""
    return _tensors_op(Atan2Fn, input, other, "atan2", out)


def hypot(input, other, *, out=None):
    """``torch.hypot``: √(input² + other²) without overflow. dtype: floating operands only
    (NotImplementedError for integers). Derivatives: input/z and other/z. Shapes: ``input`` and
    ``other`` broadcast (torch's rules). Raises RuntimeError for unbroadcastable shapes, an ``out``
    of a dtype it cannot cast to or bool inputs; TypeError for two non-Tensor arguments."""
    return _tensors_op(HypotFn, input, other, "hypot", out, kernel="hypot_cpu")


def copysign(input, other, *, out=None):
    """``torch.copysign``: |input| with the sign (bit) of ``other`` (a tensor or a number;
    -0.0 is negative). dtype: floating (integers: the default dtype). Derivatives: ±1 towards
    ``input`` (0 where input = 0), 0 towards ``other``. Shapes: ``input`` and ``other`` broadcast
    (torch's rules). Raises RuntimeError for unbroadcastable shapes or an ``out`` of a dtype it
    cannot cast to; TypeError for two non-Tensor arguments."""
    require_tensor(input, "copysign", "input", 1)
    z = binary(CopysignFn, input, other, True, "copysign")
    return write_out(out, named(z, f"CopysignBackward{0 if isinstance(other, Tensor) else 1}"),
                     "copysign")


def logaddexp(input, other, *, out=None):
    """``torch.logaddexp``: ln(e^input + e^other) without overflow. dtype: floating operands
    only. Derivatives: 1/(1 + e^(other-input)) and 1/(1 + e^(input-other)). Shapes: ``input`` and
    ``other`` broadcast (torch's rules). Raises RuntimeError for unbroadcastable shapes, an ``out``
    of a dtype it cannot cast to or bool inputs; TypeError for two non-Tensor arguments."""
    return _tensors_op(LogaddexpFn, input, other, "logaddexp", out, kernel="logaddexp_cpu")


def logaddexp2(input, other, *, out=None):
    """``torch.logaddexp2``: log₂(2^input + 2^other). dtype: floating operands only.
    Derivatives: 1/(1 + 2^(other-input)) and 1/(1 + 2^(input-other)). Shapes: ``input`` and
    ``other`` broadcast (torch's rules). Raises RuntimeError for unbroadcastable shapes, an ``out``
    of a dtype it cannot cast to or bool inputs; TypeError for two non-Tensor arguments."""
    return _tensors_op(Logaddexp2Fn, input, other, "logaddexp2", out, kernel="logaddexp2_cpu")


def ldexp(input, other, *, out=None):
    """``torch.ldexp``: input · 2^other (exact for an integer ``other``: C's ldexp; a floating
    ``other`` forms 2^other in its own dtype first, as torch). dtype: torch's promotion of the
    two, floating (integers: the default dtype). Raises NotImplementedError for a bool
    ``other``. Derivatives: 2^other and input · 2^other · ln 2. Shapes: broadcast (torch's)."""
    require_tensor(input, "ldexp", "input", 1)
    require_tensor(other, "ldexp", "other", 2)
    y = other
    if _dt.kind_of(input._data.dtype) == "f":
        if _dt.kind_of(other._data.dtype) == "b":  # (torch checks out's dtype first)
            check_cast_to(out, input._data.dtype, "ldexp")
            raise missing_kernel("ldexp_cpu_exp", other._data.dtype)
    elif _dt.kind_of(other._data.dtype) != "f":  # torch: integer input: x · pow(2.0, y), in the
        y = cast(other, _dt.default_float())  # default dtype
    r = result_type(input, y)
    x = cast(input, r if r.is_floating_point else _dt.default_float())
    try:  # the promoted dtype (a 0-d float64 ``other`` beside float16 x: float16, as torch)
        z = LdexpFn.apply(x, y)
    except ValueError:
        raise_broadcast_error("ldexp", input.shape, other.shape)
    return write_out(out, z if z.dtype == x.dtype else cast(z, x.dtype), "ldexp")


def nextafter(input, other, *, out=None):
    """``torch.nextafter``: the next representable number after ``input`` towards ``other``
    (in the promoted floating dtype). Raises NotImplementedError for integer operands.
    Derivatives (torch's): 1 and 0. Shapes: ``input`` and ``other`` broadcast (torch's rules)."""
    return _tensors_op(NextafterFn, input, other, "nextafter", out, False, "nextafter_cpu")


def _heaviside(xp, x, v):
    return xp.where(x == 0, v, (x > 0).astype(x.dtype))  # torch: NaN input gives 0


def heaviside(input, values, *, out=None):
    """``torch.heaviside``: 0 where input < 0, ``values`` where input = 0, 1 where input > 0
    (0 for NaN). Both must be tensors of one dtype, and ``out`` too (RuntimeError otherwise).
    No derivative: backward through it raises RuntimeError, as in torch. Shapes: ``input`` and
    ``other`` broadcast (torch's rules)."""
    require_tensor(input, "heaviside", "input", 1)
    require_tensor(values, "heaviside", "values", 2)
    out_dt = out._data.dtype if isinstance(out, Tensor) else input._data.dtype
    if not input._data.dtype == values._data.dtype == out_dt:  # torch: out= counts too
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes "
                           f"(input {input.dtype}, values {values.dtype}"
                           f"{f', out {out.dtype}' if isinstance(out, Tensor) else ''}).")
    return write_out(out, graph_binary(_heaviside, input, values, "heaviside"), "heaviside")


def _igamma(input, other, out, upper: bool):
    op = "igammac" if upper else "igamma"
    require_tensor(input, op, "input", 1)
    require_tensor(other, op, "other", 2)
    a, x = promote(input, other, op)
    _float_kernel(a, x, f"{op}_cpu", out, op)
    try:
        return write_out(out, IgammaFn.apply(a, x, upper), op)
    except ValueError as e:
        raise RuntimeError(f"{op}: shapes {list(a.shape)} and {list(x.shape)} cannot be "
                           f"broadcast together ({e})") from None


def igamma(input, other, *, out=None):
    """``torch.igamma`` (``special.gammainc``): the regularized lower incomplete gamma function
    P(input, other) = γ(a, x)/Γ(a), via SciPy. dtype: floating operands only. Derivative
    towards ``other``: x^(a-1)·e^(-x)/Γ(a); towards ``input`` torch has none (backward raises
    NotImplementedError). Shapes: ``input`` and ``other`` broadcast (torch's rules)."""
    return _igamma(input, other, out, False)


def igammac(input, other, *, out=None):
    """``torch.igammac`` (``special.gammaincc``): the regularized upper incomplete gamma
    function Q(input, other) = 1 - P(input, other). Derivative towards ``other``:
    -x^(a-1)·e^(-x)/Γ(a); none towards ``input``. Shapes: ``input`` and ``other`` broadcast (torch's
    rules). Raises RuntimeError for unbroadcastable shapes, an ``out`` of a dtype it cannot cast to
    or bool inputs; TypeError for two non-Tensor arguments."""
    return _igamma(input, other, out, True)


arctan2 = atan2  # torch's alias

# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["arctan2", "atan2", "copysign", "heaviside", "hypot", "igamma", "igammac", "ldexp",
           "logaddexp", "logaddexp2", "nextafter", "xlogy"]

# ops that also have an in-place form (``atan2_``), made by ops/inplace.py
INPLACE = ("atan2", "arctan2", "copysign", "heaviside", "hypot", "igamma", "igammac", "ldexp",
           "nextafter", "xlogy")

METHODS = {
    "atan2": atan2, "arctan2": atan2, "copysign": copysign, "heaviside": heaviside,
    "hypot": hypot, "igamma": igamma, "igammac": igammac, "ldexp": ldexp,
    "logaddexp": logaddexp, "logaddexp2": logaddexp2, "nextafter": nextafter, "xlogy": xlogy,
}
