"""Type promotion, torch's way, for the ops that take two operands, and the cast op itself.

``binary(fn, a, b)`` casts the operands to their common dtype (``dtype.result_type``: Python
scalars stay weak, 0-d tensors rank below dimensioned ones) before calling a differentiable
Function; ``no_grad_binary`` does the same for ops without a gradient (comparisons, logic,
integer division). ``CastFn`` is the differentiable dtype conversion (``x.double()``).
"""

from __future__ import annotations

import numpy as np

from .. import dtype as _dt
from ..autograd import Function
from ..backend import get_array_module
from ..tensor import Tensor, _as_array
from ._util import as_tensor_like, quiet, raise_broadcast_error


class CastFn(Function):
    """y = x converted to another dtype (the gradient is converted back)"""

    node_name = "ToCopyBackward0"  # torch's name for this node

    array_io = True

    @staticmethod
    def forward(ctx, x, np_dtype):
        ctx.src = x.dtype
        with quiet():  # torch: out-of-range values overflow to ±inf silently
            return x.astype(np_dtype)

    @staticmethod
    def backward(ctx, g):
        return CastFn.call(g, ctx.src), None  # identity, in the input's dtype


def cast(t: Tensor, d: _dt.dtype) -> Tensor:
    """``t`` as dtype ``d`` (differentiable when both are floating)."""
    if t._data.dtype == d.np:
        return t
    return CastFn.apply(t, d.np)


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
    if not (ta or tb):  # torch.add(2.0, 3.0): the first number becomes a (0-d) tensor
        if not (_scalar_ok(a) and _scalar_ok(b)):
            raise TypeError(f"{op or fn.__name__}(): expected Tensors or numbers, got "
                            f"{type(a).__name__} and {type(b).__name__}")
        a, ta = Tensor._wrap(_as_array(a, None)), True
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


_NO_GRAD = {
    "eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
    "gt": np.greater, "ge": np.greater_equal, "logical_and": np.logical_and,
    "logical_or": np.logical_or, "logical_xor": np.logical_xor,
    "bitwise_and": np.bitwise_and, "bitwise_or": np.bitwise_or, "bitwise_xor": np.bitwise_xor,
    "floor_divide": np.floor_divide, "remainder": np.remainder, "fmod": np.fmod,
    "trunc": None,
}


def no_grad_binary(a, b, name: str):
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
