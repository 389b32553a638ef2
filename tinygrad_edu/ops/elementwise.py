"""Elementwise ops: each Function's forward and backward side by side, derivative in comments.

Every body works on raw arrays (``array_io``); ``xp`` is NumPy or CuPy. Gradients may come out
with the broadcast shape: the engine sums them back to each input's shape (autograd.unbroadcast).
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..backend import get_array_module
from ..tensor import Tensor
from ._util import (
    as_tensor_like,
    binary,
    cast,
    check_float,
    quiet,
    raise_broadcast_error,
    shape_str,
)


class Add(Function):
    """z = x + y"""

    array_io = True

    @staticmethod
    def forward(ctx, x, y):
        return x + y

    @staticmethod
    def backward(ctx, g):
        return g, g  # ∂z/∂x = 1, ∂z/∂y = 1


class Sub(Function):
    """z = x - y"""

    array_io = True

    @staticmethod
    def forward(ctx, x, y):
        return x - y

    @staticmethod
    def backward(ctx, g):
        return g, (-g if ctx.needs_input_grad[1] else None)  # ∂z/∂x = 1, ∂z/∂y = -1


class Mul(Function):
    """z = x · y"""

    array_io = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        return (g * y if nx else None,  # ∂z/∂x = y
                g * x if ny else None)  # ∂z/∂y = x


class Div(Function):
    """z = x / y"""

    array_io = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        with quiet():
            return x / y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        with quiet():
            gx = g / y if nx else None  # ∂z/∂x = 1/y
            gy = -g * x / (y * y) if ny else None  # ∂z/∂y = -x/y²
        return gx, gy


class Neg(Function):
    """z = -x"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, g):
        return -g  # ∂z/∂x = -1


class Pow(Function):
    """z = x ** y (y a tensor or a number)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, y):
        with quiet():
            if type(y) is float and (y == 0.5 or y == -0.5):
                # torch: x**0.5 is sqrt and x**-0.5 is rsqrt (differs at -inf and -0.0)
                z = get_array_module(x).sqrt(x)
                z = z if y > 0 else 1 / z
            else:
                z = x**y
        ctx.save_for_backward(x, y, z)
        return z

    @staticmethod
    def backward(ctx, g):
        x, y, z = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        xp = get_array_module(g)
        gx = gy = None
        with quiet():
            if nx:
                # ∂z/∂x = y·x^(y-1); torch: exponent 0 gives gradient 0 even at x = 0
                gx = g * y * x ** (y - 1)
                gx = xp.where(y == 0, 0.0, gx) if not np.isscalar(y) or y == 0 else gx
            if ny:
                # ∂z/∂y = z·ln x; torch: 0 where x = 0 and y >= 0
                gy = g * z * xp.log(xp.where(x == 0, 1.0, x))
                gy = xp.where((x == 0) & (y >= 0), 0.0, gy)
                gy = xp.where((x == 0) & (y < 0), -np.inf * g, gy)  # ln 0 = -inf
        return gx, gy


class Exp(Function):
    """y = eˣ"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        with quiet():
            y = get_array_module(x).exp(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y  # d eˣ/dx = eˣ (the output)


class Log(Function):
    """y = ln x"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return get_array_module(x).log(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with quiet():
            return g / x  # d ln x/dx = 1/x


class Sqrt(Function):
    """y = √x"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        with quiet():
            y = get_array_module(x).sqrt(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        with quiet():
            return g / (2 * y)  # d√x/dx = 1/(2√x); torch: sqrt'(0) = inf


class Abs(Function):
    """y = |x|"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return get_array_module(x).abs(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * get_array_module(x).sign(x)  # d|x|/dx = sign(x); torch: abs'(0) = 0


class Sin(Function):
    """y = sin x"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return get_array_module(x).sin(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * get_array_module(x).cos(x)  # d sin x/dx = cos x


class Cos(Function):
    """y = cos x"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return get_array_module(x).cos(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return -g * get_array_module(x).sin(x)  # d cos x/dx = -sin x


class Maximum(Function):
    """z = max(x, y) elementwise"""

    array_io = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return get_array_module(x).maximum(x, y)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        # ∂z/∂x = [x > y] + ½[x = y]; torch splits a tie evenly
        wx = (x > y) + 0.5 * (x == y)
        return g * wx, g * (1.0 - wx)


class Minimum(Function):
    """z = min(x, y) elementwise"""

    array_io = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return get_array_module(x).minimum(x, y)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        wx = (x < y) + 0.5 * (x == y)  # ∂z/∂x = [x < y] + ½[x = y]
        return g * wx, g * (1.0 - wx)


class Clamp(Function):
    """y = min(max(x, lo), hi)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        return get_array_module(x).clip(x, lo, hi)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        # ∂y/∂x = [lo ≤ x ≤ hi]; torch passes the gradient at the bounds themselves
        mask = True
        if ctx.lo is not None:
            mask = x >= ctx.lo
        if ctx.hi is not None:
            mask = mask & (x <= ctx.hi)
        return g * mask, None, None


class ClampTensor(Function):
    """y = min(max(x, lo), hi) with tensor bounds (either may be None)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, lo, hi):
        xp = get_array_module(x)
        ctx.save_for_backward(x, lo, hi)
        y = x if lo is None else xp.maximum(x, lo)
        return y if hi is None else xp.minimum(y, hi)

    @staticmethod
    def backward(ctx, g):
        x, lo, hi = ctx.saved_tensors
        nx, nlo, nhi = ctx.needs_input_grad
        gx = glo = ghi = None
        if nx:  # ∂y/∂x = [lo ≤ x ≤ hi]; torch: the bounds themselves pass the gradient
            mask = True
            if lo is not None:
                mask = x >= lo
            if hi is not None:
                mask = mask & (x <= hi)
            gx = g * mask
        if nlo:  # ∂y/∂lo = [x < lo] (and lo < hi: when lo > hi the result is hi)
            m = x < lo
            glo = g * (m & (lo < hi) if hi is not None else m)
        if nhi:  # ∂y/∂hi = [x > hi] or [hi < lo]
            m = x > hi
            ghi = g * (m | (hi < lo) if lo is not None else m)
        return gx, glo, ghi


class Where(Function):
    """z = x where cond else y"""

    array_io = True

    @staticmethod
    def forward(ctx, cond, x, y):
        ctx.save_for_backward(cond)
        return get_array_module(cond).where(cond, x, y)

    @staticmethod
    def backward(ctx, g):
        (cond,) = ctx.saved_tensors
        xp = get_array_module(g)
        _, nx, ny = ctx.needs_input_grad
        return (None,
                xp.where(cond, g, 0) if nx else None,  # ∂z/∂x = [cond]
                xp.where(cond, 0, g) if ny else None)  # ∂z/∂y = [not cond]


class Cast(Function):
    """y = x converted to another dtype (the gradient is converted back)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, np_dtype):
        ctx.src = x.dtype
        return x.astype(np_dtype)

    @staticmethod
    def backward(ctx, g):
        return g.astype(ctx.src), None  # identity, in the input's dtype


class Clone(Function):
    """y = x (a copy)"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        return g  # ∂y/∂x = 1


# ---- the public functions (torch names) --------------------------------------------------------
def add(input, other, *, alpha=1):
    if alpha != 1:
        other = mul(other, alpha)
    return binary(Add, input, other, op="add")


def sub(input, other, *, alpha=1):
    if alpha != 1:
        other = mul(other, alpha)
    return binary(Sub, input, other, op="sub")


def mul(input, other):
    return binary(Mul, input, other, op="mul")


def div(input, other, *, rounding_mode=None):
    if rounding_mode is None:
        return binary(Div, input, other, float_result=True, op="div")
    return _no_grad_binary(input, other, "floor_divide" if rounding_mode == "floor" else "trunc")


def true_divide(input, other):
    return div(input, other)


def neg(input):
    return Neg.apply(input)


def pow(input, exponent):
    if not isinstance(input, Tensor):  # scalar ** tensor
        return binary(Pow, input, exponent, op="pow")
    return binary(Pow, input, exponent, op="pow")


def exp(input):
    return Exp.apply(_floatify(input))


def log(input):
    return Log.apply(_floatify(input))


def sqrt(input):
    return Sqrt.apply(_floatify(input))


def rsqrt(input):
    return pow(_floatify(input), -0.5)


def square(input):
    return mul(input, input)


def abs(input):
    return Abs.apply(input)


def sin(input):
    return Sin.apply(_floatify(input))


def cos(input):
    return Cos.apply(_floatify(input))


def maximum(input, other):
    return binary(Maximum, input, other, op="maximum")


def minimum(input, other):
    return binary(Minimum, input, other, op="minimum")


def clamp(input, min=None, max=None):
    if min is None and max is None:
        raise RuntimeError("clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        lo = None if min is None else cast(as_tensor_like(min, input), input.dtype)
        hi = None if max is None else cast(as_tensor_like(max, input), input.dtype)
        try:
            return ClampTensor.apply(input, lo, hi)
        except ValueError:
            raise RuntimeError(
                f"clamp: shapes {shape_str(*(t for t in (input, lo, hi) if t is not None))} "
                "cannot be broadcast together"
            ) from None
    return Clamp.apply(input, min, max)


clip = clamp


def where(condition, input=None, other=None):
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    ref = next(t for t in (input, other, condition) if isinstance(t, Tensor))
    cond = as_tensor_like(condition, ref)
    if cond._data.dtype != np.bool_:
        raise RuntimeError(f"where: expected condition to be a boolean tensor, got {cond.dtype}")
    if isinstance(input, Tensor) and isinstance(other, Tensor):
        if input._data.dtype != other._data.dtype:
            from ._util import _dt  # the module (the package attribute `dtype` is the class)

            r = _dt.result_type(input, other)
            input, other = cast(input, r), cast(other, r)
    elif isinstance(input, Tensor) and not isinstance(other, Tensor):
        other = as_tensor_like(other, input)._data.astype(input._data.dtype)
    elif isinstance(other, Tensor) and not isinstance(input, Tensor):
        input = as_tensor_like(input, other)._data.astype(other._data.dtype)
    try:
        return Where.apply(cond, input, other)
    except ValueError:
        raise_broadcast_error("where", cond.shape, *(np.shape(getattr(t, "_data", t))
                                                     for t in (input, other)))


def clone(input):
    return Clone.apply(input)


def _floatify(t):
    if not isinstance(t, Tensor):
        raise TypeError(f"expected a Tensor, got {type(t).__name__}")
    if t._data.dtype.kind != "f":
        from ._util import _dt  # the module (the package attribute `dtype` is the class)

        return cast(t, _dt.float32)
    return t


# ---- ops without gradient ----------------------------------------------------------------------
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
        return get_array_module(g).zeros_like(g), None  # ∂y/∂x = 0


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


__all__ = [n for n in dir() if not n.startswith("_") and n not in ("np", "annotations")]
_ = check_float
