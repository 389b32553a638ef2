"""Division that rounds, and its remainders: ``div(rounding_mode=...)``, ``floor_divide``,
``remainder`` (Python's ``%``: the sign of the divisor) and ``fmod`` (C's: the sign of the
dividend).

The quotients are piecewise constant: torch gives ``div(..., rounding_mode=...)`` a zero
gradient, and ``floor_divide`` none at all (backward through it raises, as in torch). The
remainders are differentiable almost everywhere::

    remainder(x, y) = x - y·floor(x/y)   ∂/∂x = 1,  ∂/∂y = -floor(x/y)
    fmod(x, y)      = x - y·trunc(x/y)   ∂/∂x = 1,  ∂/∂y = -trunc(x/y)

Integer division by zero raises RuntimeError (torch's ``ZeroDivisionError``); floating
division by zero gives ±inf or nan silently. Bool tensors are refused (NotImplementedError).
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..dtype import REDUCED_FLOATS, kind_of
from ..tensor import Tensor
from ._dual import xp_of
from ._util import named, quiet, raise_broadcast_error
from .arithmetic import true_divide
from .half_scalar import half_scalar
from .promotion import (
    array_module,
    binary,
    cpu_scalar_operand,
    graph_binary,
    promote,
    require_tensor,
    write_out,
)


def _trunc_div(xp, x, y):
    """x / y rounded toward zero (C's integer division; torch's ``rounding_mode='trunc'``).

    float16/bfloat16: torch's kernel is ``trunc(a / b)`` in the tensor's type, so the quotient
    is rounded to it before the truncation (2047.9 becomes 2048 in half precision)."""
    if kind_of(x.dtype) in "iu" if hasattr(x, "dtype") else isinstance(x, int):
        q = xp.floor_divide(x, y)
        return q + ((xp.remainder(x, y) != 0) & ((x < 0) != (y < 0)))
    low = _reduced(x, y)
    if low is None:
        return xp.trunc(x / y)
    if not isinstance(y, xp.ndarray):  # tensor / number: in float32, the number too, rounded once
        return xp.trunc(x.astype(_F32) / _F32.type(y)).astype(low)
    r = _rounder(xp, low)
    return xp.trunc(r(r(x) / y)).astype(low)  # a number dividend is cast to the type first


def _floor_div(xp, x, y):
    """x / y rounded down (Python's ``//``; torch's ``rounding_mode='floor'``).

    float16/bfloat16: torch's ``div_floor_floating`` (c10/util/generic_math.h) runs in the
    tensor's type, every step rounded to it::

        mod = fmod(a, b);  div = (a - mod) / b;  if mod != 0 and (b < 0) != (mod < 0): div -= 1
        floordiv = floor(div);  if div - floordiv > 0.5: floordiv += 1   (div == 0: ±0)

    which NumPy's floor_divide, rounding once, misses by one in ~0.2% (float16) and ~1.5%
    (bfloat16) of random quotients. A tensor divided by a number is computed in float32 (the
    number too) and rounded once, as torch's scalar kernel does; trunc likewise."""
    low = _reduced(x, y)
    if low is None:
        return xp.floor_divide(x, y)
    if not isinstance(y, xp.ndarray):  # tensor // number: in float32, the number too, rounded once
        return xp.floor_divide(x.astype(_F32), _F32.type(y)).astype(low)
    r = _rounder(xp, low)
    a, b = r(x), r(y)  # a number dividend is cast to the tensor's type first
    mod = xp.fmod(a, b)  # exact
    div = r(r(a - mod) / b)
    div = xp.where((mod != 0) & ((b < 0) != (mod < 0)), r(div - 1), div)
    fl = xp.floor(div)
    fl = xp.where(r(div - fl) > 0.5, r(fl + 1), fl)
    out = xp.where(div != 0, fl, xp.copysign(xp.zeros_like(div), r(a / b)))
    return xp.where(b == 0, r(a / b), out).astype(low)


_trunc_div.reduced_floats = _floor_div.reduced_floats = True  # follow torch's steps themselves
_F32 = np.dtype(np.float32)


def _reduced(x, y):
    """The reduced float dtype (float16/bfloat16) of the operands, or None."""
    for v in (x, y):
        d = getattr(v, "dtype", None)
        if d is not None and d in REDUCED_FLOATS:
            return d
    return None


def _rounder(xp, low):
    """v rounded to ``low`` and held in float32: one step of torch's reduced-type arithmetic."""
    return lambda v: xp.asarray(v).astype(low).astype(_F32)


def _remainder(xp, x, y):
    """x - y·floor(x/y), the sign of y: torch's formula (fmod, then shifted by y where the
    signs differ), which keeps fmod's exact result and its -0.0."""
    if not _is_float(x):
        return xp.remainder(x, y)
    m = xp.fmod(x, y)
    return xp.where((m != 0) & ((y < 0) != (m < 0)), m + y, m)


def _fmod(xp, x, y):
    return xp.fmod(x, y)


def _is_float(x) -> bool:
    return kind_of(x.dtype) == "f" if hasattr(x, "dtype") else isinstance(x, float)


class DivModeFn(Function):
    """z = trunc(x / y) or floor(x / y) (piecewise constant)"""

    node_name = "DivBackward2"  # torch's name for this node

    array_io = True
    wraps_numbers = True  # torch: x * 3 is mul(x, tensor(3)), next_functions (x, None)
    opmath = False  # the kernels follow torch's float16/bfloat16 steps themselves

    @staticmethod
    def forward(ctx, x, y, mode):
        xp = array_module(x, y)
        with quiet():
            return xp.asarray((_trunc_div if mode == "trunc" else _floor_div)(xp, x, y))

    @staticmethod
    def backward(ctx, g):
        zeros = xp_of(g).zeros_like(g)
        return zeros, zeros, None  # ∂z/∂x = ∂z/∂y = 0 (torch's choice at the jumps too)


_NUMBERS = (int, float, bool)


class RemainderFn(Function):
    """z = x - y·floor(x / y) (Python's %)"""

    array_io = True
    saved_only_for = {0: 1, 1: 1}  # both only for y's gradient (hooks.check_versions)

    @staticmethod
    def forward(ctx, x, y):
        if type(y) not in _NUMBERS:  # (by a number: nothing saved, as torch's .Scalar overload)
            ctx.save_for_backward(x, y)
        with quiet():
            return _remainder(array_module(x, y), x, y)

    @staticmethod
    def backward(ctx, g):
        if not ctx.needs_input_grad[1]:
            return g, None
        x, y = ctx.saved_tensors
        gy = -g * DivModeFn.call(x, y, "floor") if ctx.needs_input_grad[1] else None
        return g, gy  # ∂z/∂x = 1, ∂z/∂y = -floor(x/y)


class FmodFn(Function):
    """z = x - y·trunc(x / y) (C's fmod: the sign of x)"""

    array_io = True
    saved_only_for = {0: 1, 1: 1}  # both only for y's gradient (hooks.check_versions)

    @staticmethod
    def forward(ctx, x, y):
        if type(y) not in _NUMBERS:  # (by a number: nothing saved, as torch's .Scalar overload)
            ctx.save_for_backward(x, y)
        with quiet():
            return array_module(x, y).fmod(x, y)

    @staticmethod
    def backward(ctx, g):
        if not ctx.needs_input_grad[1]:
            return g, None
        x, y = ctx.saved_tensors
        gy = -g * DivModeFn.call(x, y, "trunc") if ctx.needs_input_grad[1] else None
        return g, gy  # ∂z/∂x = 1, ∂z/∂y = -trunc(x/y)


# ---- argument checks shared by the four ops ---------------------------------------------------
def _check(input, other, op: str, kernel: str):
    """torch's refusals: bool operands (no kernel), integer division by zero. Returns the
    promoted operands."""
    a, b = promote(input, other, op)
    kind = kind_of((a if isinstance(a, Tensor) else b)._data.dtype)
    if kind == "b":
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
    if kind in "iu" and all(t._data.size for t in (a, b) if isinstance(t, Tensor)):
        # (an empty result: torch runs no kernel, so nothing divides by zero)
        yb = b._data if isinstance(b, Tensor) else b
        if bool((yb == 0).any()) if hasattr(yb, "any") else yb == 0:
            raise RuntimeError(f"ZeroDivisionError ({op}: integer division by zero)")
    return a, b


def _number_in_reduced(x, t):
    """A number operand beside a float16/bfloat16 tensor ``t``, as a 0-d tensor of t's dtype:
    torch's remainder and fmod cast the number to the tensor's type before their kernels run
    (2.7 is 2.703125 in bfloat16)."""
    if isinstance(x, Tensor) or not isinstance(t, Tensor) or t._data.dtype not in REDUCED_FLOATS:
        return x
    return Tensor._wrap(np.asarray(x, dtype=t._data.dtype))


def _named(z, input, other, stem: str):
    """torch's node name: <Stem>Backward0 when ``other`` is a number, 1 when a tensor."""
    if isinstance(input, Tensor):
        return named(z, f"{stem}Backward{1 if isinstance(other, Tensor) else 0}")
    return z


# ---- the public functions (torch names) --------------------------------------------------------
def div(input, other, *, rounding_mode=None, out=None):
    """``torch.div``: input / other. ``rounding_mode``: None (true division, always floating),
    ``'trunc'`` (rounded toward zero) or ``'floor'`` (rounded down); with a rounding mode the
    dtype is torch's promotion (int // int stays int). Raises RuntimeError for another mode and
    for integer division by zero. Derivatives: 1/other and -input/other² (zero with a rounding
    mode).

    Shapes: ``input`` and ``other`` broadcast (torch's rules); the output has the broadcast shape.
    """
    if rounding_mode is None:
        return true_divide(input, other, out=out)
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                           f"but found '{rounding_mode}'")
    z = half_scalar(input, other, lambda x, v: div(Tensor._wrap(x), v, rounding_mode=rounding_mode)
                    ._data, f"div_{rounding_mode}")  # 0-d float requiring grad: read in float32
    if z is not None:
        return write_out(out, z, "div")
    if isinstance(input, Tensor) and isinstance(other, Tensor):
        other = cpu_scalar_operand(input, other)  # 0-d float beside float16/bfloat16: float32
    a, b = _check(input, other, "div", f"div_{rounding_mode}_cpu")
    try:
        z = DivModeFn.apply(a, b, rounding_mode)
    except ValueError:
        raise_broadcast_error("div", *(getattr(t, "shape", ()) for t in (a, b)))
    return write_out(out, z, "div")


def floor_divide(input, other, *, out=None):
    """``torch.floor_divide`` (``//``): floor(input / other). dtype: torch's promotion (int //
    int stays int; ``tensor([7]) // 2.0`` is float32). Raises RuntimeError for integer division
    by zero, NotImplementedError for bool. No derivative: backward through it raises
    RuntimeError, as in torch.

    Shapes: ``input`` and ``other`` broadcast (torch's rules); the output has the broadcast shape.
    """
    z = half_scalar(input, other, lambda x, v: floor_divide(Tensor._wrap(x), v)._data,
                    "floor_divide")  # a 0-d float requiring grad: read in float32
    if z is not None:
        return write_out(out, z, "floor_divide")
    if isinstance(input, Tensor) and isinstance(other, Tensor):
        other = cpu_scalar_operand(input, other)  # 0-d float beside float16/bfloat16: float32
    a, b = _check(input, other, "floor_divide", "div_floor_cpu")
    return write_out(out, graph_binary(_floor_div, a, b, "floor_divide"), "floor_divide")


def remainder(input, other, *, out=None):
    """``torch.remainder`` (``%``): input - other·floor(input / other), with the sign of
    ``other`` (Python's %). dtype: torch's promotion. Raises RuntimeError for integer division
    by zero, NotImplementedError for bool, TypeError for two numbers. Derivatives: 1 and
    -floor(input/other); none when ``input`` is a number (torch's backward raises).

    Shapes: ``input`` and ``other`` broadcast (torch's rules); the output has the broadcast shape.
    """
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError(f"remainder(): expected a Tensor argument, got {type(input).__name__} "
                        f"and {type(other).__name__}")
    a, b = _check(input, other, "remainder", "remainder_cpu")
    a, b = _number_in_reduced(a, b), _number_in_reduced(b, a)
    if not isinstance(input, Tensor):  # torch: remainder(Scalar, Tensor) has no derivative
        return write_out(out, graph_binary(_remainder, a, b, "remainder"), "remainder")
    z = _named(binary(RemainderFn, a, b, op="remainder"), input, other, "Remainder")
    return write_out(out, z, "remainder")


def fmod(input, other, *, out=None):
    """``torch.fmod``: input - other·trunc(input / other), with the sign of ``input`` (C's
    fmod). dtype: torch's promotion. Raises RuntimeError for integer division by zero,
    NotImplementedError for bool. Derivatives: 1 and -trunc(input/other).

    Shapes: ``input`` and ``other`` broadcast (torch's rules); the output has the broadcast shape.
    """
    require_tensor(input, "fmod", "input", 1)
    a, b = _check(input, other, "fmod", "fmod_cpu")
    a, b = _number_in_reduced(a, b), _number_in_reduced(b, a)
    z = _named(binary(FmodFn, a, b, op="fmod"), input, other, "Fmod")
    return write_out(out, z, "fmod")


divide = div  # torch's alias

# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["div", "divide", "floor_divide", "fmod", "remainder"]

# ops that also have an in-place form (``div_``), made by ops/inplace.py
INPLACE = ("div", "divide", "floor_divide", "remainder", "fmod")

METHODS = {"div": div, "divide": div, "floor_divide": floor_divide, "remainder": remainder,
           "fmod": fmod}
