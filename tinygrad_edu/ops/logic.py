"""Comparisons, logic and tests: eq/lt/..., logical_and/or/xor/not, isnan/isinf/isfinite,
isclose/allclose/equal, all/any, nonzero. They return bool (or index) tensors outside the
graph: they have no gradient, as in torch.
"""

from __future__ import annotations

import numpy as np

from ..backend import get_array_module
from ..tensor import Tensor
from ._util import dims
from .promotion import no_grad_binary


def _make_cmp(name):
    def f(input, other):
        return no_grad_binary(input, other, name)

    f.__name__ = name
    return f


eq, ne, lt, le, gt, ge = (_make_cmp(n) for n in ("eq", "ne", "lt", "le", "gt", "ge"))


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


logical_and, logical_or, logical_xor = (_make_cmp(n) for n in
                                        ("logical_and", "logical_or", "logical_xor"))


def _unary_const(fn_name):
    def f(input):
        xp = get_array_module(input._data)
        return Tensor._wrap(xp.asarray(getattr(xp, fn_name)(input._data)))

    f.__name__ = fn_name
    return f


isnan = _unary_const("isnan")


isinf = _unary_const("isinf")


isfinite = _unary_const("isfinite")


logical_not = _unary_const("logical_not")


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


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["all", "allclose", "any", "eq", "equal", "ge", "greater", "greater_equal", "gt",
           "isclose", "isfinite", "isinf", "isnan", "le", "less", "less_equal", "logical_and",
           "logical_not", "logical_or", "logical_xor", "lt", "ne", "nonzero", "not_equal"]

# ops with an in-place form (x.logical_not_() writes 0/1 in x's own dtype, as torch)
INPLACE = ("logical_not",)

METHODS = {
    "__eq__": eq, "__ne__": ne, "__lt__": lt, "__le__": le, "__gt__": gt, "__ge__": ge,
    "__and__": logical_and, "__or__": logical_or, "__xor__": logical_xor,
    "eq": eq, "ne": ne, "lt": lt, "le": le, "gt": gt, "ge": ge,
    "greater": gt, "less": lt, "isnan": isnan, "isinf": isinf, "isfinite": isfinite,
    "logical_not": logical_not, "logical_and": logical_and, "logical_or": logical_or,
    "equal": equal, "allclose": allclose, "isclose": isclose, "nonzero": nonzero, "all": all,
    "any": any,
}
