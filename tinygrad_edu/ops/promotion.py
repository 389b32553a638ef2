"""Type promotion, torch's way, for the ops that take two (or three) operands, and the cast op.

``binary(fn, a, b)`` casts the operands to their common dtype (``dtype.result_type``: Python
scalars stay weak, 0-d tensors rank below dimensioned ones) before calling a differentiable
Function; ``constant_binary`` does the same for ops without a gradient (comparisons, bitwise,
gcd ...). ``CastFn`` is the differentiable dtype conversion (``x.double()``). Also here: the
argument checks torch's signatures imply (``maximum(t, 2)`` is a TypeError) and ``out=``.

Speed (docs/design.md §7): ``binary`` is on the hot path of every training step; two tensors
of one dtype, or a float tensor and a Python number, go straight to ``fn.apply``.
"""

from __future__ import annotations

import numpy as np

from .. import dtype as _dt
from .._args import require_tensor  # noqa: F401  (re-exported for the ops)
from ..autograd import Function, is_grad_enabled
from ..autograd import function as _function
from ..autograd.grad_mode import state as _grad_state
from ..backend import get_array_module
from ..dtype import kind_of
from ..tensor import Tensor, _as_array
from ._util import as_tensor_like, quiet, raise_broadcast_error
from .half_scalar import half_scalar


class CastFn(Function):
    """y = x converted to another dtype (the gradient is converted back)"""

    node_name = "ToCopyBackward0"  # torch's name for this node
    opmath = False  # converts bfloat16 itself

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


_SCALARS = _dt.NUMBERS
_PY = (float, int, bool)


def _scalar_ok(x) -> bool:
    return isinstance(x, _SCALARS)


def array_module(*xs):
    """The array module of the operands (CuPy when any is a CuPy array; numbers and NumPy
    scalars belong to either)."""
    for x in xs:
        xp = get_array_module(x)
        if xp is not np:
            return xp
    return np


def type_name(x) -> str:
    """torch's spelling of a tensor's dtype in kernel errors: ``Float``, ``Long``, ``Bool``."""
    d = x._data.dtype if isinstance(x, Tensor) else np.dtype(x)
    return _dt.torch_type_name(d)


_CATEGORY = {"b": 0, "i": 1, "u": 1, "f": 2}
_NUMBER_DTYPE = {bool: _dt.bool_, int: _dt.int64, float: _dt.float32}


def result_type(*operands) -> _dt.dtype:
    """torch's result dtype of tensors and numbers (``dtype.result_type``), with the common
    cases answered first: one dtype throughout, or numbers that do not raise the tensors'
    category (float32 tensor with 2.5 stays float32)."""
    ts = [o for o in operands if isinstance(o, Tensor)]
    if ts and all(type(o) in _PY for o in operands if not isinstance(o, Tensor)):
        d = ts[0]._data.dtype
        if all(t._data.dtype == d for t in ts[1:]):
            top = max((_CATEGORY[_NUMBER_DTYPE[type(o)].np.kind] for o in operands
                       if type(o) in _PY), default=-1)
            if top <= _CATEGORY[kind_of(d)]:
                return _dt.from_numpy_dtype(d)
    return _dt.result_type(*operands)


def binary(fn, a, b, float_result: bool = False, op: str = "", check=None):
    """Apply a two-input elementwise Function with torch's promotion.

    Python scalars stay scalars (NumPy 2 keeps float32 arrays float32 with them); tensors of a
    lower dtype are cast first, so float32 never silently becomes float64. ``float_result``:
    integer and bool results compute in the default float dtype (``div``, ``atan2``).
    ``check(a, b)``: the op's own operand check (``sub`` refuses bool), run first; two tensors
    of one dtype that is not bool pass it, so they skip the call.
    """
    ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
    if ta and tb:
        da, db = a._data, b._data
        d = da.dtype
        # Function.apply's two-Tensor fast path, its test written out here (one call fewer):
        # one float dtype (so no promotion, no float_result cast, nothing for `check` to refuse;
        # not bfloat16, whose kind is "V"), both require grad, an array op without a reference
        # (fn._fast_path), grad mode on, no anomaly mode or saved-tensor hooks (state.slow)
        if (d is db.dtype and (d is _F32 or d.kind == "f") and a._rg and b._rg
                and type(da) is type(db) and _function.FAST and fn._fast_path
                and _grad_state.enabled and not _grad_state.slow):
            try:
                return _function._apply_binary(fn, a, b, da, db, d, d)
            except ValueError:
                raise_broadcast_error(op or fn.__name__.lower(), a.shape, b.shape)
        e = db.dtype
        if d is e or d == e:
            if check is not None and d == _BOOL:
                check(a, b)  # (raises)
            if not float_result or kind_of(d) == "f":
                try:
                    return fn.apply(a, b)
                except ValueError:
                    raise_broadcast_error(op or fn.__name__.lower(), a.shape, b.shape)
        elif op in _SCALAR_OPMATH and (d in _HALVES or e in _HALVES):
            # a 0-d float operand that requires grad beside a half type: read in float32
            z = half_scalar(a, b, _by_number(fn, op), op) if b._rg and d in _HALVES else None
            if z is None and a._rg and e in _HALVES and op == "mul":  # s · h: its backward
                z = half_scalar(b, a, _by_number(fn, op), op, first=True)  # reads s so
            if z is not None:
                return z
            if d in _HALVES:
                b = cpu_scalar_operand(a, b)
                tb = isinstance(b, Tensor)
    if check is not None:
        check(a, b)
    if ta and type(b) in _PY or tb and type(a) in _PY:  # a float tensor and a Python number
        d = (a if ta else b)._data.dtype
        if d == _HALF and type(b if ta else a) in (float, int) and op in _SCALAR_OPMATH:
            return _half_with_scalar(fn, a, b, ta)
        if d is _BF16 and type(b if ta else a) is float and op not in _SCALAR_OPMATH:
            return _bfloat16_with_scalar(fn, a, b, ta)
        if kind_of(d) == "f":
            x = b if ta else a  # nan, 1e39 beside float32, or 2**64 (no 64-bit int): see below
            if not -_RANGE[d] <= x <= _RANGE[d] or not _I64_MIN <= x < _U64_END:
                return _out_of_range(fn, a, b, ta, d)
            return fn.apply(a, b)
    a, b = promote(a, b, op or fn.__name__, float_result)
    try:
        if type(b) is float and not -_INF < b < _INF or type(a) is float and not -_INF < a < _INF:
            with quiet():  # an int tensor times inf: 0·inf = nan, silently, as torch
                return fn.apply(a, b)
        return fn.apply(a, b)
    except ValueError:
        if not (isinstance(a, Tensor) and isinstance(b, Tensor)):
            raise
        raise_broadcast_error(op or fn.__name__.lower(), a.shape, b.shape)


_HALF, _BF16, _BOOL = np.dtype(np.float16), _dt.bfloat16.np, np.dtype(np.bool_)
_HALVES = (_HALF, _BF16)


def _by_number(fn, op: str):
    """fn's op of an array and a Python float, as ``binary`` computes it (for half_scalar)."""
    return lambda x, v: binary(fn, Tensor._wrap(x), v, op == "div", op)._data


def cpu_scalar_operand(a, b):
    """``b`` as a Python number when it is a 0-d float tensor of another dtype beside a
    float16/bfloat16 tensor ``a`` (not 0-d) of mul, div or floor_divide: torch's CPU kernel
    reads it as a scalar in float32 (opmath, ``is_cpu_scalar(2)``), as it reads a Python number;
    casting it to the half type first would round it (bf16 100 · tensor(1.00390625) is 100.5,
    not 100). The result dtype is the half type either way. ``b`` itself when it requires grad
    (binary and div take ops/half_scalar.py's path for it) and otherwise."""
    da, db = a._data, b._data
    if (da.dtype in _HALVES and db.ndim == 0 and da.ndim and db.dtype != da.dtype
            and kind_of(db.dtype) == "f" and not b.requires_grad):
        return float(db)
    return b
_SCALAR_OPMATH = ("mul", "div")
_F32, _INF = np.dtype(np.float32), float("inf")
# the largest Python number a float tensor's op takes as it is (bfloat16 computes in float32)
_RANGE = {_HALF: 65504.0, _F32: float(np.finfo(np.float32).max), _BF16: float(np.finfo(
    np.float32).max), np.dtype(np.float64): float(np.finfo(np.float64).max)}  # ±inf: quiet path


_I64_MIN, _U64_END = -2**63, 2**64  # torch reads a Python int as int64, or uint64 from 2**63


def check_int_scalar(x) -> None:
    """OverflowError, torch's, for a Python int no 64-bit integer holds (below −2⁶³, or 2⁶⁴
    and up): torch converts every number argument to int64 or uint64 first, whatever the
    tensor's dtype, so ``ones(1) + 2**70`` raises there where NumPy would compute 1.18e21."""
    if type(x) is int and not _I64_MIN <= x < _U64_END:
        raise OverflowError("can't convert negative int to unsigned" if x < 0 else
                            "int too big to convert")


def _out_of_range(fn, a, b, tensor_first: bool, d: np.dtype):
    """A float tensor and a number that is nan or beyond its range: the number as torch
    converts it (``fit_scalar``), and the op's IEEE results (0·inf = nan, inf − inf = nan)
    computed silently, as torch's; the number is not finite on this path only. A Python int
    beyond 64 bits raises OverflowError (``check_int_scalar``)."""
    a, b = (a, fit_scalar(b, d)) if tensor_first else (fit_scalar(a, d), b)
    with quiet():
        return fn.apply(a, b)


def fit_scalar(x, d: np.dtype) -> float:
    """A Python number as a float op on dtype ``d`` meets it: rounded to ``d`` (float32 for
    bfloat16, which computes in float32), so 1e39 beside a float32 tensor is inf, silently, as
    torch converts it; NumPy would warn "overflow encountered in cast" doing the same."""
    check_int_scalar(x)
    r = _RANGE.get(d)
    if r is None or -r <= x <= r:
        return x
    with quiet():
        return float((_F32 if d is _BF16 else d).type(x))


def _half_with_scalar(fn, a, b, tensor_first: bool):
    """A float16 tensor times (or divided by) a Python float: torch's CPU kernel keeps the
    number in float32 (its opmath type) and rounds the product once, where NumPy would first
    round the number to float16 (x·3.14 then differs in the last bit for about 30% of x).
    The number goes in as a float32 scalar, and the float32 result is rounded to float16."""
    check_int_scalar(b if tensor_first else a)
    with quiet():  # 1e39 is inf in float32, silently, as in torch
        a, b = (a, np.float32(b)) if tensor_first else (np.float32(a), b)
        if not np.isfinite(b if tensor_first else a):  # 0·inf = nan, silently, as torch's
            return fn.apply(a, b).to(_dt.float16)
    return fn.apply(a, b).to(_dt.float16)


def _bfloat16_with_scalar(fn, a, b, tensor_first: bool):
    """A bfloat16 tensor and a Python float in an op other than * and /: torch casts the
    number to bfloat16 first (x + 3.14 adds 3.140625), as NumPy does for float16; * and /
    keep it in float32 (``_half_with_scalar``). The op itself computes in float32."""
    with quiet():  # 1e39 rounds to inf, silently, as in torch
        if tensor_first:  # still a Python float (ops special-case numbers: x ** -0.5 is rsqrt)
            b = float(_BF16.type(b))
        else:
            a = float(_BF16.type(a))
    return fn.apply(a, b)


def promote(a, b, op: str, float_result: bool = False, to=None):
    """``(a, b)`` in their common dtype (``to`` forces one): tensors cast, numbers converted to
    the result's kind (an int wraps around as torch's does: ``uint8 tensor == -1`` compares
    with 255). Two numbers: the first becomes a 0-d tensor, as torch's argument parser does."""
    ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
    if not (ta or tb):  # torch.add(2.0, 3.0): the first number becomes a (0-d) tensor
        if not (_scalar_ok(a) and _scalar_ok(b)):
            raise TypeError(f"{op}(): expected Tensors or numbers, got "
                            f"{type(a).__name__} and {type(b).__name__}")
        a, ta = Tensor._wrap(_as_array(a, None)), True
    ref = a if ta else b
    if not ta:
        a = _operand(a, ref, op, "input", 1)
    if not tb:
        b = _operand(b, ref, op, "other", 2)
    r = result_type(a, b) if to is None else to
    if float_result and not r.is_floating_point:
        r = _dt.default_float()
    return _convert(a, r, b), _convert(b, r, a)


def _operand(x, ref: Tensor, op: str, arg: str, position: int):
    """A non-Tensor operand: a number (NumPy scalars as Python numbers), or an array as a
    tensor; anything else (a list, None) is torch's TypeError."""
    if isinstance(x, (np.number, np.bool_)):
        return x.item()
    if _scalar_ok(x):
        return x
    if hasattr(x, "__array__") and hasattr(x, "dtype"):
        return as_tensor_like(x, ref)
    raise TypeError(f"{op}(): argument '{arg}' (position {position}) must be Tensor or a "
                    f"number, not {type(x).__name__}")


def _convert(x, r: _dt.dtype, other=None):
    if isinstance(x, Tensor):
        return cast(x, r)
    if r.is_floating_point:
        check_int_scalar(x)
        x = float(x)
        return x if -_RANGE[r.np] <= x <= _RANGE[r.np] else fit_scalar(x, r.np)
    if r is _dt.bool_:
        return bool(x)
    x = int(x)
    if not -2**63 <= x < 2**63:  # torch reads 2**63 ... 2**64 − 1 as uint64: x + 2**63 wraps
        check_int_scalar(x)  # (and a uint64 number outranks a bool tensor: no such promotion)
        if isinstance(other, Tensor) and other._data.dtype == _BOOL:
            raise RuntimeError("Promotion for uint16, uint32, uint64 types is not supported, "
                               f"attempted to promote Bool and UInt64 (the number {x})")
        x -= 2**64
    return np.asarray(x, dtype=np.int64).astype(r.np)[()]  # wraps into r's range, as torch's


def constant_binary(f, a, b, op: str, float_result: bool = False, to=None) -> Tensor:
    """``f(x, y)`` on the promoted arrays of ``a`` and ``b``, for an op without a gradient
    (comparisons, bitwise, gcd): the result is outside the graph, as in torch."""
    ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
    if not (to is None and not float_result and (
            ta and tb and a._data.dtype == b._data.dtype
            or ta and type(b) in _PY and kind_of(a._data.dtype) == "f"
            and _I64_MIN <= b < _U64_END)):  # (else 2**64 or nan: promote checks or fits)
        a, b = promote(a, b, op, float_result, to)
    xa = a._data if isinstance(a, Tensor) else a
    xb = b._data if isinstance(b, Tensor) else b
    try:
        out = run_kernel(f, array_module(xa, xb), xa, xb)
    except ValueError:
        raise_broadcast_error(op, _shape(a), _shape(b))
    return Tensor._wrap(out)


def run_kernel(f, xp, x, y):
    """``f(xp, x, y)`` on two operands (arrays or numbers) as an array, NumPy's warnings
    quiet. bfloat16 operands are computed in float32 and a floating result rounded back once
    (torch's opmath, as ``Function.apply`` does for ops), a Python float beside them rounded
    to bfloat16 first (torch's comparisons: ``x == 0.3`` compares with 0.30078125), unless the
    kernel follows torch's reduced-precision steps itself (``f.reduced_floats = True``)."""
    low = _BF16 in (getattr(x, "dtype", None), getattr(y, "dtype", None))
    with quiet():
        if not low or getattr(f, "reduced_floats", False):
            return xp.asarray(f(xp, x, y))
        x, y = (float(_BF16.type(v)) if type(v) is float else _dt.widen_bfloat16(v)
                for v in (x, y))  # a number beside bfloat16 is rounded to it (x == 0.3)
        return _dt.to_bfloat16(xp.asarray(f(xp, x, y)))


def _shape(x):
    return list(x.shape) if isinstance(x, Tensor) else []


def write_out(out, result: Tensor, op: str, differentiable: bool = True) -> Tensor:
    """``op(..., out=out)``: write ``result`` into ``out`` and return ``out`` (torch resizes an
    ``out`` of another shape). Raises RuntimeError when ``result``'s dtype cannot be cast to
    ``out``'s (a float result into an integer tensor), or when a gradient would be needed (not
    for an op torch does not differentiate, ``differentiable=False``: eq, logical_not, ...,
    which write into an ``out`` that requires grad and leave its graph alone)."""
    if out is None:
        return result
    if not isinstance(out, Tensor):
        raise TypeError(f"{op}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if differentiable and is_grad_enabled() and (result.requires_grad or out.requires_grad):
        raise RuntimeError(f"{op}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    r, d = result._data, out._data
    if (kind_of(d.dtype) in "iub" and kind_of(r.dtype) == "f") or (kind_of(d.dtype) == "b" and
                                                            kind_of(r.dtype) in "iu"):
        raise RuntimeError(f"{op}: result type {type_name(result)} can't be cast to the desired "
                           f"output type {type_name(out)}")
    xp = get_array_module(d)
    if d.shape != r.shape:  # torch resizes out (with a deprecation warning when non-empty)
        out._data = d = xp.empty(r.shape, dtype=d.dtype)
    xp.copyto(d, r, casting="unsafe")
    out._version += 1
    return out


class NotDifferentiableFn(Function):
    """z = f(x, y) for an op whose derivative torch does not implement (``floor_divide``,
    ``heaviside``, ``remainder(number, tensor)``): as in torch, the output of inputs that
    require grad is part of the graph, and backward through it raises RuntimeError."""

    node_name = "torch::autograd::NotImplemented"  # torch's name for such a node

    array_io = True
    opmath = False  # run_kernel widens bfloat16, unless the kernel takes reduced floats itself

    @staticmethod
    def forward(ctx, x, y, f, op):
        ctx.op = op
        return run_kernel(f, array_module(x, y), x, y)

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError(f"derivative for aten::{ctx.op} is not implemented")


def graph_binary(f, a, b, op: str, float_result: bool = False) -> Tensor:
    """``f(xp, x, y)`` with torch's promotion; when an input requires grad the result is
    recorded with a :class:`NotDifferentiableFn` node (torch's ``NotImplemented``)."""
    if not (isinstance(a, Tensor) and a.requires_grad or isinstance(b, Tensor) and
            b.requires_grad):
        return constant_binary(f, a, b, op, float_result)
    a, b = promote(a, b, op, float_result)
    try:
        return NotDifferentiableFn.apply(a, b, f, op)
    except ValueError:
        raise_broadcast_error(op, _shape(a), _shape(b))
