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


try:  # NumPy >= 2 keeps the floating-point error state in a context variable
    from numpy._core._ufunc_config import _extobj_contextvar as _ERRSTATE
    from numpy._core.umath import _make_extobj

    _IGNORE_ALL = _make_extobj(all="ignore")
except ImportError:  # older NumPy: fall back to np.errstate
    _ERRSTATE = None


class quiet:
    """``with quiet():`` means ``with np.errstate(all="ignore")``: float math never warns, as in
    torch (1/0 is inf, 0/0 is nan, silently).

    Speed (DESIGN §9): building and entering an ``np.errstate`` costs ~1 µs, more than a small
    division itself; this sets NumPy's error-state context variable to a prebuilt "ignore all"
    value and restores it on exit, which is what ``np.errstate`` does inside.
    """

    __slots__ = ("_token",)

    def __enter__(self):
        if _ERRSTATE is None:
            self._token = np.errstate(all="ignore")
            self._token.__enter__()
        else:
            self._token = _ERRSTATE.set(_IGNORE_ALL)

    def __exit__(self, *exc):
        if _ERRSTATE is None:
            self._token.__exit__(*exc)
        else:
            _ERRSTATE.reset(self._token)
        return False


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
            try:
                return fn.apply(a, b)
            except ValueError:
                raise_broadcast_error(op or fn.__name__.lower(), a.shape, b.shape)
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
    try:
        return fn.apply(a, b)
    except ValueError:
        if not (isinstance(a, Tensor) and isinstance(b, Tensor)):
            raise
        raise_broadcast_error(op or fn.__name__.lower(), a.shape, b.shape)


def raise_broadcast_error(op: str, *shapes) -> None:
    """Raise torch's RuntimeError for shapes that do not broadcast (naming the op)."""
    shapes = [tuple(s) for s in shapes]
    nd = max(len(s) for s in shapes)
    padded = [(1,) * (nd - len(s)) + s for s in shapes]
    names = "abcdefgh"
    for d in range(nd - 1, -1, -1):
        sizes = [(i, s[d]) for i, s in enumerate(padded) if s[d] != 1]
        for (i, n), (j, k) in zip(sizes, sizes[1:]):
            if n != k:
                raise RuntimeError(
                    f"The size of tensor {names[i]} ({n}) must match the size of tensor "
                    f"{names[j]} ({k}) at non-singleton dimension {d} ({op}: shapes "
                    + ", ".join(str(list(s)) for s in shapes) + ")"
                )
    raise RuntimeError(f"{op}: shapes {', '.join(str(list(s)) for s in shapes)} cannot be "
                       "broadcast together")


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
