"""What a number is made of: the sign bit, infinities, the mantissa and exponent (frexp),
bitwise not, and ``fill``. Tests return bool tensors outside the graph (torch defines no
derivative for them); frexp's mantissa and fill are differentiable.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..backend import get_array_module
from ..dtype import kind_of
from ..tensor import Tensor
from ._out import check_same_dtype_out, write_out_same_dtype
from ._reduction import refuse_out_grad
from ._unary_util import check_tensor, constant, dtype_name, into
from ._util import named, quiet
from .inplace import FillFn


def _bool_out(out, op: str):
    """torch's RuntimeError for an ``out=`` that is not a bool tensor (these three ops write
    only bool results); ``out`` itself otherwise."""
    if isinstance(out, Tensor) and kind_of(out._data.dtype) != "b":
        raise RuntimeError(f"{op} does not support non-boolean outputs (out= of dtype "
                           f"{out.dtype}).")
    return out


def signbit(input, *, out=None):
    """``torch.signbit``: True where the sign bit is set (x < 0, and also -0.0 and negative nan).
    Shapes: any. dtype: bool (for bool tensors all False). No gradient.

    Raises TypeError for a non-Tensor input, RuntimeError for an ``out`` that is not bool.
    """
    check_tensor(input, "signbit")
    d = input._data
    xp = get_array_module(d)
    res = xp.zeros(d.shape, dtype=bool) if kind_of(d.dtype) in "bu" else xp.signbit(d)
    return into(_bool_out(out, "signbit"), constant(res), "signbit")


def isposinf(input, *, out=None):
    """``torch.isposinf``: True where x is +inf. dtype: bool (all False for integer and bool
    tensors). No gradient.

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input,
    RuntimeError for an ``out`` that is not bool.
    """
    check_tensor(input, "isposinf")
    d = input._data
    xp = get_array_module(d)
    res = d == np.inf if kind_of(d.dtype) == "f" else xp.zeros(d.shape, dtype=bool)
    return into(_bool_out(out, "isposinf"), constant(res), "isposinf")


def isneginf(input, *, out=None):
    """``torch.isneginf``: True where x is -inf. dtype: bool (all False for integer and bool
    tensors). No gradient.

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input,
    RuntimeError for an ``out`` that is not bool.
    """
    check_tensor(input, "isneginf")
    d = input._data
    xp = get_array_module(d)
    res = d == -np.inf if kind_of(d.dtype) == "f" else xp.zeros(d.shape, dtype=bool)
    return into(_bool_out(out, "isneginf"), constant(res), "isneginf")


def isreal(input):
    """``torch.isreal``: True where x has no imaginary part — every element of a real tensor
    (tinygrad_edu has no complex dtypes). dtype: bool. No gradient.

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input.
    """
    check_tensor(input, "isreal")
    return constant(get_array_module(input._data).ones(input._data.shape, dtype=bool))


def bitwise_not(input, *, out=None):
    """``torch.bitwise_not`` (the ``~`` operator): every bit flipped, ``~x = -x - 1`` for
    integers, logical not for bool. dtype: the input's. Raises NotImplementedError for floating
    tensors (torch's kernel error); RuntimeError first for an ``out`` that requires grad (torch's
    out= autograd check). No gradient.

    Shapes: any; the output has the input's shape.
    """
    check_tensor(input, "bitwise_not")
    if isinstance(out, Tensor) and out._rg:  # torch's out= autograd refusal first (for an
        refuse_out_grad(input, out, "bitwise_not")  # out that requires grad; an input: not)
    check_same_dtype_out(out, input)  # (before the kernel's error, as torch)
    d = input._data
    if kind_of(d.dtype) not in "iub":
        raise NotImplementedError(f'"bitwise_not_cpu" not implemented for \'{dtype_name(input)}\'')
    return write_out_same_dtype(out, constant(get_array_module(d).invert(d)), "bitwise_not")


class FrexpFn(Function):
    """(m, e) with x = m · 2ᵉ, 0.5 ≤ |m| < 1 (m = x, e = 0 at 0, ±inf and nan)"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        xp = get_array_module(x)
        m, e = xp.frexp(x)
        # 2ᵉ as torch computes it (exponent.exp2(): int32 -> the default dtype, float32)
        with quiet():
            ctx.two_e = xp.exp2(e.astype(np.float32))
        return m, e.astype(np.int32)

    @staticmethod
    def backward(ctx, gm, ge):
        with quiet():
            return gm / ctx.two_e  # ∂m/∂x = 2⁻ᵉ (e is piecewise constant)


class FrexpResult(tuple):
    """``torch.return_types.frexp``: the pair (mantissa, exponent)."""

    __slots__ = ()

    def __new__(cls, mantissa, exponent):
        return super().__new__(cls, (mantissa, exponent))

    mantissa = property(lambda self: self[0])
    exponent = property(lambda self: self[1])

    def __repr__(self):
        return (f"torch.return_types.frexp(\nmantissa={self[0]!r},\nexponent={self[1]!r})")


def frexp(input, *, out=None):
    """``torch.frexp``: the pair (mantissa, exponent) with x = mantissa · 2^exponent and
    0.5 ≤ |mantissa| < 1 (mantissa = x and exponent = 0 for 0, ±inf and nan). Shapes: both
    the input's. dtype: mantissa the input's, exponent int32. Raises RuntimeError for integer
    and bool tensors (torch: floating point only). Derivative: ∂mantissa/∂x = 2^-exponent."""
    check_tensor(input, "frexp")
    if kind_of(input._data.dtype) != "f":
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    m, e = FrexpFn.apply(input)
    if out is not None:
        m, e = into(out[0], m, "frexp"), into(out[1], e, "frexp")
    return FrexpResult(m, e)


def fill(input, value):
    """``torch.fill``: a new tensor of ``input``'s shape, dtype and device, every element
    ``value`` (a number, or a 0-d tensor). Derivative: 0 for input; Σ upstream for a tensor
    value. Raises RuntimeError for a value tensor with dimensions (torch: 0-dim only)."""
    check_tensor(input, "fill")
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError("fill only supports 0-dimension value tensor but got tensor "
                               f"with {value.ndim} dimensions.")
        return named(FillFn.apply(input, value), "FillBackward1")
    with quiet():
        return FillFn.apply(input, input._data.dtype.type(value))


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["bitwise_not", "fill", "frexp", "isneginf", "isposinf", "isreal", "signbit"]

# ops that also have an in-place form (``bitwise_not_``), made by ops/inplace.py
INPLACE = ("bitwise_not",)

METHODS = {
    "__invert__": bitwise_not, "bitwise_not": bitwise_not, "frexp": frexp,
    "isneginf": isneginf, "isposinf": isposinf, "isreal": isreal, "signbit": signbit,
}
