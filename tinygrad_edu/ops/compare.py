"""Ops without a useful gradient: comparisons, logical and bitwise ops, floor division and
remainders, isnan/isfinite, all/any, nonzero, and the piecewise-constant rounding ops (sign,
floor, ceil, round), whose derivative is 0 almost everywhere (torch uses 0).

Comparisons return bool tensors outside the graph (as torch: they never require grad).
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..backend import get_array_module
from ..tensor import Tensor
from ._dual import xp_of
from ._util import as_tensor_like, dims, raise_broadcast_error

_NO_GRAD = {
    "eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
    "gt": np.greater, "ge": np.greater_equal, "logical_and": np.logical_and,
    "logical_or": np.logical_or, "logical_xor": np.logical_xor,
    "bitwise_and": np.bitwise_and, "bitwise_or": np.bitwise_or, "bitwise_xor": np.bitwise_xor,
    "floor_divide": np.floor_divide, "remainder": np.remainder, "fmod": np.fmod,
    "trunc": None,
}


def _no_grad_binary(a, b, name: str):
    """Comparisons and other ops that have no gradient: the result is a constant."""
    ref = a if isinstance(a, Tensor) else b
    if not isinstance(ref, Tensor):
        raise TypeError(f"{name}: expected a Tensor argument")
    xa = a._data if isinstance(a, Tensor) else a
    xb = b._data if isinstance(b, Tensor) else as_tensor_like(b, ref)._data if not _num(b) else b
    xp = get_array_module(ref._data)
    if name in _INT_DIV and _int_zero(xb) and _is_int(xa):
        raise RuntimeError("ZeroDivisionError")  # torch: integer division by zero
    try:
        if name == "trunc":
            with np.errstate(divide="ignore", invalid="ignore"):
                out = xp.trunc(xa / xb)
        else:
            fn = getattr(xp, _NO_GRAD[name].__name__)
            with np.errstate(divide="ignore", invalid="ignore"):
                out = fn(xa, xb)
    except ValueError:
        raise_broadcast_error(name, _shape(a), _shape(b))
    return Tensor._wrap(xp.asarray(out))


_INT_DIV = ("floor_divide", "remainder", "fmod", "trunc")


def _is_int(x) -> bool:
    k = getattr(x, "dtype", None)
    return (k.kind in "iu") if k is not None else isinstance(x, int)


def _int_zero(xb) -> bool:
    """An integer divisor with a zero in it (torch raises; NumPy would warn and give 0)."""
    if not _is_int(xb) or isinstance(xb, bool):
        return False
    return bool((xb == 0).any()) if hasattr(xb, "dtype") else xb == 0


def _num(x) -> bool:
    return isinstance(x, (int, float, bool, np.number, np.bool_))


def _shape(x):
    return list(x.shape) if isinstance(x, Tensor) else list(np.shape(x))


def _make_cmp(name):
    def f(input, other):
        return _no_grad_binary(input, other, name)

    f.__name__ = name
    return f


eq, ne, lt, le, gt, ge = (_make_cmp(n) for n in ("eq", "ne", "lt", "le", "gt", "ge"))
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne
logical_and, logical_or, logical_xor = (_make_cmp(n) for n in
                                        ("logical_and", "logical_or", "logical_xor"))
floor_divide, remainder, fmod = (_make_cmp(n) for n in ("floor_divide", "remainder", "fmod"))


def _unary_const(fn_name):
    def f(input):
        xp = get_array_module(input._data)
        return Tensor._wrap(xp.asarray(getattr(xp, fn_name)(input._data)))

    f.__name__ = fn_name
    return f


class _Piecewise(Function):
    """y = f(x) for a piecewise-constant f: ∂y/∂x = 0 (almost everywhere; torch uses 0)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, f):
        return f(x)

    @staticmethod
    def backward(ctx, g):
        return xp_of(g).zeros_like(g), None  # ∂y/∂x = 0


class Sign(_Piecewise):
    pass


class Floor(_Piecewise):
    pass


class Ceil(_Piecewise):
    pass


class Round(_Piecewise):
    pass


def _sign(x):
    if x.dtype.kind == "b":
        return x.copy()
    return (x > 0).astype(x.dtype) - (x < 0).astype(x.dtype)  # torch: sign(nan) = 0


def sign(input):
    return Sign.apply(input, _sign)


def floor(input):
    return Floor.apply(input, lambda x: get_array_module(x).floor(x))


def ceil(input):
    return Ceil.apply(input, lambda x: get_array_module(x).ceil(x))


isnan = _unary_const("isnan")
isinf = _unary_const("isinf")
isfinite = _unary_const("isfinite")
logical_not = _unary_const("logical_not")


def round(input, *, decimals: int = 0):
    """Round half to even, as torch.round (no gradient: it is piecewise constant)."""
    return Round.apply(input, lambda x: get_array_module(x).asarray(
        get_array_module(x).round(x, decimals)))


def equal(input, other) -> bool:
    return input.shape == other.shape and bool((input._data == other._data).all())


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    xp = get_array_module(input._data)
    return bool(xp.allclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    xp = get_array_module(input._data)
    o = other._data if isinstance(other, Tensor) else other
    return Tensor._wrap(xp.isclose(input._data, o, rtol=rtol, atol=atol, equal_nan=equal_nan))


def nonzero(input, *, as_tuple=False):
    xp = get_array_module(input._data)
    idx = xp.nonzero(xp.atleast_1d(input._data))
    if input._data.ndim == 0:  # torch: a 0-d tensor has no index columns
        if as_tuple:
            return (Tensor._wrap(idx[0].astype(np.int64)),)
        return Tensor._wrap(xp.zeros((idx[0].size, 0), np.int64))
    if as_tuple:
        return tuple(Tensor._wrap(i.astype(np.int64)) for i in idx)
    if not idx:
        return Tensor._wrap(xp.zeros((1, 0), np.int64))
    return Tensor._wrap(xp.stack(idx, axis=1).astype(np.int64))


def _all_any(input, dim, keepdim, op: str):
    """all/any over ``dim`` (None: every element); bool result (uint8 stays uint8, as torch)."""
    a = input._data
    xp = get_array_module(a)
    axes = None
    if dim is not None:
        axes = dims(dim, max(a.ndim, 1), op) if a.ndim else None
    fn = xp.all if op == "all" else xp.any
    out = xp.asarray(fn(a, axis=axes, keepdims=keepdim and axes is not None))
    if dim is None and keepdim:
        out = out.reshape((1,) * a.ndim)
    return Tensor._wrap(out.astype(np.uint8) if a.dtype == np.uint8 else out)


def all(input, dim=None, keepdim=False):
    """True where every element (along ``dim``) is nonzero; no gradient."""
    return _all_any(input, dim, keepdim, "all")


def any(input, dim=None, keepdim=False):
    """True where some element (along ``dim``) is nonzero; no gradient."""
    return _all_any(input, dim, keepdim, "any")
