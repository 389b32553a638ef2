"""What every op family shares: argument normalization and torch's type promotion."""

from __future__ import annotations

import numpy as np

from .. import dtype as _dt
from ..autograd import Function
from ..backend import get_array_module
from ..tensor import Tensor, _as_array, _wrap_dim

Op = Function  # the library's ops are ordinary Functions that declare array_io


def as_tensor_like(x, ref: Tensor) -> Tensor:
    """A Tensor for ``x`` (scalar, list, ndarray) on ``ref``'s device."""
    if isinstance(x, Tensor):
        return x
    arr = _as_array(x, None)
    xp = get_array_module(ref._data)
    if xp is not np:
        arr = xp.asarray(arr)
    return Tensor._wrap(arr)


def cast(t: Tensor, d: _dt.dtype) -> Tensor:
    """``t`` as dtype ``d`` (differentiable when both are floating)."""
    if t._data.dtype == d.np:
        return t
    from .elementwise import Cast

    return Cast.apply(t, d.np)


def _scalar_ok(x) -> bool:
    return isinstance(x, (int, float, bool, np.number, np.bool_))


def binary(fn, a, b, float_result: bool = False, op: str = ""):
    """Apply a two-input elementwise Function with torch's promotion.

    Python scalars stay scalars (NumPy 2 keeps float32 arrays float32 with them); tensors of a
    lower dtype are cast first, so float32 never silently becomes float64.
    """
    ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
    if ta and tb:
        if a._data.dtype == b._data.dtype and (not float_result or a._data.dtype.kind == "f"):
            return fn.apply(a, b)
    elif ta and _scalar_ok(b):
        if a._data.dtype.kind == "f" and not isinstance(b, (np.number, np.bool_)):
            return fn.apply(a, b)
    elif tb and _scalar_ok(a):
        if b._data.dtype.kind == "f" and not isinstance(a, (np.number, np.bool_)):
            return fn.apply(a, b)
    if not (ta or tb):
        raise TypeError(f"{op or fn.__name__}: expected at least one Tensor argument")
    ref = a if ta else b
    if not ta:
        a = a if _scalar_ok(a) else as_tensor_like(a, ref)
    if not tb:
        b = b if _scalar_ok(b) else as_tensor_like(b, ref)
    if isinstance(a, np.number | np.bool_):
        a = a.item()
    if isinstance(b, np.number | np.bool_):
        b = b.item()
    r = _dt.result_type(a, b)
    if float_result and not r.is_floating_point:
        r = _dt.float32
    if isinstance(a, Tensor):
        a = cast(a, r)
    else:
        a = r.np.type(a) if not r.is_floating_point else float(a)
    if isinstance(b, Tensor):
        b = cast(b, r)
    else:
        b = r.np.type(b) if not r.is_floating_point else float(b)
    return fn.apply(a, b)


def dims(dim, ndim: int, op: str):
    """Normalize ``dim`` (None, int, or tuple) to a tuple of non-negative axes, or None."""
    if dim is None:
        return None
    if isinstance(dim, (list, tuple)):
        return tuple(sorted({_wrap_dim(int(d), ndim, op) for d in dim}))
    return (_wrap_dim(int(dim), ndim, op),)


def check_float(t: Tensor, op: str) -> None:
    if t._data.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected a floating point tensor, got {t.dtype}")


def shape_str(*ts) -> str:
    return " and ".join(str(list(t.shape)) if isinstance(t, Tensor) else repr(t) for t in ts)
