"""Tensors made from a rule, not drawn at random: ``arange``, ``linspace``, ``logspace``, ``eye``,
``tril_indices``/``triu_indices``, ``scalar_tensor``, and the layout-aware empties
(``empty_strided``, ``empty_permuted``), with torch's dtype rules, values and errors.

Values follow torch's CPU kernels, so they agree to the last bit where it matters:
``linspace`` computes ``start + i·step`` for the first half and ``end − (steps−1−i)·step`` for
the second, in the result dtype (in float64 for integer results, then truncated);
``logspace`` is ``base ** linspace`` in float64; ``arange`` is ``start + i·step`` in float64.
"""

from __future__ import annotations

import math

import numpy as np

from . import dtype as _dt
from ._args import require_int
from .backend import DEFAULT_DEVICE, to_device
from .tensor import Tensor, _device


class layout:
    """torch's tensor layouts: only ``strided`` is supported here (``sparse_coo`` exists so
    that code naming it gets torch's error, not an AttributeError)."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"torch.{self.name}"


strided, sparse_coo = layout("strided"), layout("sparse_coo")


def _finish(arr, device, requires_grad) -> Tensor:
    device = DEFAULT_DEVICE[-1] if device is None else device  # (`with tg.device(...)`)
    if _device(device).type != "cpu":
        arr = to_device(arr, _device(device))
    t = Tensor._wrap(arr)
    return t.requires_grad_(True) if requires_grad else t


def _number(v, op: str, what: str):
    if isinstance(v, Tensor):
        if v._data.ndim and op == "arange":  # torch's parser: a Number, not a Tensor
            raise TypeError(f"arange(): argument '{what}' must be Number, not Tensor")
        if v._data.ndim:
            raise RuntimeError(f"{op} only supports 0-dimensional start and end tensors, but got "
                               f"{what} with {v._data.ndim} dimension(s).")
        return v._data.item()
    if type(v) is int and not -2**63 <= v < 2**64:  # torch's parser reads int64 or uint64
        raise OverflowError("can't convert negative int to unsigned" if v < 0 else
                            "int too big to convert")
    return v


def _out_dtype(dtype, out, default, op: str):
    if out is not None:
        return out.dtype
    return _dt.to_dtype(dtype, op) if dtype is not None else default


def _write(arr, out, device, requires_grad):
    if out is None:
        return _finish(arr, device, requires_grad)
    out._data = arr
    out._version += 1
    return out


def arange(start, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False) -> Tensor:
    """[start, start + step, ...) up to ``end`` (excluded); ``arange(n)`` is 0 .. n−1. dtype:
    int64 when every argument is an integer, else the default dtype (float32 unless changed).

    As torch's CPU kernel: the values are start + i·step in the accumulate type (float64 for
    float32/float64, float32 for float16, int64 for integer dtypes, with the arguments truncated
    to integers), then cast. The length is ⌈(end − start)/step⌉ computed from the arguments as
    given, in float64 — except for int64, where it is computed from the truncated integers.
    So ``arange(0.0, -8.000001, -4.0, dtype=int32)`` has 3 elements [0, −4, −8] and the same
    call with int64 has 2.

    Raises RuntimeError for step 0 (ValueError once truncation makes it 0), a step whose sign
    cannot reach ``end``, or an infinite range; NotImplementedError for bool."""
    if end is None:
        start, end = 0, start
    vals = [_number(v, "arange", w) for v, w in ((start, "start"), (end, "end"), (step, "step"))]
    is_float = any(isinstance(v, float) for v in vals)
    d = _out_dtype(dtype, out, _dt.default_float() if is_float else _dt.int64, "arange")
    if d is _dt.bool_:
        raise NotImplementedError("\"arange_cpu\" not implemented for 'Bool'")
    a, b, s = vals
    if any(isinstance(v, float) and not math.isfinite(v) for v in vals):
        raise RuntimeError(f"unsupported range: {a} -> {b}")
    if s == 0:
        raise RuntimeError("arange: step must be nonzero")
    # the sign check sees the arguments as given, before any truncation (as torch)
    if (s > 0 and b < a) or (s < 0 and b > a):
        raise RuntimeError(f"upper bound and lower bound inconsistent with step sign (arange "
                           f"from {a} to {b} by {s})")
    given = vals
    if not d.is_floating_point:
        a, b, s = (int(_dt.checked_scalar(v, _dt.int64)) for v in vals)  # int64 accumulate
        if s == 0 and d is _dt.int64:  # other integer dtypes repeat start (torch's kernel)
            raise ValueError("arange: step must be nonzero (after conversion to an integer)")
    if d is _dt.int64:  # torch: ⌈(end − start + step − sign)/step⌉ in int64
        n = max(-(-(b - a) // s), 0)
    else:  # the length from the arguments as given, in double
        n = max(math.ceil((float(given[1]) - float(given[0])) / float(given[2])), 0)
    with np.errstate(over="ignore"):  # beyond the dtype: inf, silently (as torch)
        if d is _dt.float16:  # accumulate type float32
            arr = (np.float32(a) + np.arange(n, dtype=np.float32) * np.float32(s)).astype(d.np)
        elif d.is_floating_point:
            arr = (float(a) + np.arange(n, dtype=np.float64) * float(s)).astype(d.np)
        else:
            arr = (a + np.arange(n, dtype=np.int64) * s).astype(d.np)
    return _write(arr, out, device, requires_grad)


def _ramp(start, end, steps: int, np_dtype):
    """torch's linspace kernel: the first half counts up from start, the second down from end
    (so both ends are exact); float math in the result dtype, float64 for integers."""
    idx = np.arange(steps)
    if steps == 1:
        return np.full(1, start, dtype=np.float64)
    if _dt.kind_of(np.dtype(np_dtype)) == "f":
        f = np_dtype.type
        a, b = f(start), f(end)
        step = (b - a) / f(steps - 1)
        i = idx.astype(np_dtype)
        up = a + step * i
        down = b - step * (f(steps - 1) - i)
    else:
        a, b = int(np.int64(start)), int(np.int64(end))
        step = (float(b) - float(a)) / (steps - 1)
        up = a + step * idx
        down = b - step * (steps - idx - 1)
    return np.where(idx < steps // 2, up, down)


def _check_steps(steps, op: str) -> int:
    if not isinstance(steps, (int, np.integer)) or isinstance(steps, bool):
        raise TypeError(f"{op}() received an invalid combination of arguments - got (int, int, "
                        f"{type(steps).__name__}), but expected steps to be an int")
    if steps < 0:
        raise RuntimeError(f"{op}: number of steps must be non-negative (got {steps})")
    return int(steps)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` (both included). dtype: the
    default float unless given (integer results are truncated). Raises TypeError for a
    non-integer ``steps`` or a ``dtype`` that is no torch dtype; RuntimeError for negative
    steps, non-0-d tensor bounds, or a bound the dtype cannot hold (300 in uint8, 1e300 in
    float32; torch's checked conversion); NotImplementedError for bool beyond one step."""
    a, b = _number(start, "linspace", "start"), _number(end, "linspace", "end")
    n = _check_steps(steps, "linspace")
    d = _out_dtype(dtype, out, _dt.default_float(), "linspace")
    if d is _dt.bool_ and n > 1:  # torch fills 0 or 1 elements, but has no bool kernel
        raise NotImplementedError("\"linspace_cpu\" not implemented for 'Bool'")
    a, b = _dt.checked_scalar(a, d), _dt.checked_scalar(b, d)  # torch's overflow rule
    with np.errstate(all="ignore"):  # inf − inf, 0·inf: nan, silently (as torch)
        arr = _ramp(a, b, n, np.dtype(d.np)) if n else np.zeros(0)
        arr = (arr if d.is_floating_point else np.trunc(arr)).astype(d.np)
    return _write(arr, out, device, requires_grad)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False) -> Tensor:
    """``base ** linspace(start, end, steps)``: ``steps`` values evenly spaced on a log scale
    (the exponents in float64; integer results truncated). Raises as ``linspace``."""
    a, b = _number(start, "logspace", "start"), _number(end, "logspace", "end")
    n = _check_steps(steps, "logspace")
    d = _out_dtype(dtype, out, _dt.default_float(), "logspace")
    if d is _dt.bool_ and n > 1:  # torch fills 0 or 1 elements, but has no bool kernel
        raise NotImplementedError("\"logspace_cpu\" not implemented for 'Bool'")
    _dt.checked_scalar(a, d), _dt.checked_scalar(b, d)  # torch's overflow rule (300 in uint8)
    if n == 0:
        return _write(np.zeros(0, dtype=d.np), out, device, requires_grad)
    if n == 1 and d.is_floating_point:  # torch fills base ** start, start in float64
        a = float(a)
    elif d.is_floating_point:  # the bounds in the result dtype, the exponents in float64
        a, b = float(np.dtype(d.np).type(a)), float(np.dtype(d.np).type(b))
        base = float(base)
    else:
        a, b = int(a), int(b)
        base = float(np.float32(base))
    step = (b - a) / (n - 1) if n > 1 else 0.0
    idx = np.arange(n)
    expo = np.where(idx < n // 2, a + step * idx, b - step * (n - idx - 1)) if n > 1 else \
        np.full(1, float(a))
    with np.errstate(all="ignore"):  # overflow to inf, and its cast, silently (as torch)
        arr = np.power(base, expo)
        arr = (arr if d.is_floating_point else np.trunc(arr)).astype(d.np)
    return _write(arr, out, device, requires_grad)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None,
        requires_grad=False) -> Tensor:
    """The n×m identity matrix (m = n by default): ones on the diagonal. Raises RuntimeError
    for a negative n or m, TypeError when either is not an int (a float, a bool, a tensor that
    is not one integer)."""
    require_int(n, "eye", "n", 1)
    if m is not None:
        require_int(m, "eye", "m", 2)
    if n < 0:
        raise RuntimeError(f"eye: n must be greater or equal to 0, got {n}")
    if m is not None and m < 0:
        raise RuntimeError(f"eye: m must be greater or equal to 0, got {m}")
    d = _out_dtype(dtype, out, _dt.default_float(), "eye")
    return _write(np.eye(int(n), None if m is None else int(m), dtype=d.np), out, device,
                  requires_grad)


def _tri_indices(row, col, offset, dtype, device, lower: bool, op: str) -> Tensor:
    for i, (arg, v) in enumerate((("row", row), ("col", col), ("offset", offset))):
        require_int(v, op, arg, i + 1)
    if row < 0:
        raise RuntimeError(f"{op}: row must be non-negative, got{row}")
    if col < 0:
        raise RuntimeError(f"{op}: col must be non-negative, got{col}")
    fn = np.tril_indices if lower else np.triu_indices
    r, c = fn(int(row), int(offset), int(col))
    d = _dt.to_dtype(dtype, op) if dtype is not None else _dt.int64
    if d.is_floating_point or d is _dt.bool_:  # torch's kernel is for integer dtypes only
        raise NotImplementedError(f'"{op}" not implemented for \'{_dt.torch_type_name(d)}\'')
    return _finish(np.stack([r, c]).astype(d.np).reshape(2, -1), device, False)


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None) -> Tensor:
    """The (row, col) coordinates of the lower triangle (j − i ≤ offset) of a row×col matrix,
    as a 2×N int64 tensor in row-major order. Raises RuntimeError for negative sizes, TypeError
    for a row, col or offset that is not an int."""
    return _tri_indices(row, col, offset, dtype, device, True, "tril_indices")


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None) -> Tensor:
    """The (row, col) coordinates of the upper triangle (j − i ≥ offset), as ``tril_indices``.

    Raises RuntimeError for a negative row count, TypeError for a row, col or offset that is not
    an int.
    """
    return _tri_indices(row, col, offset, dtype, device, False, "triu_indices")


def scalar_tensor(s, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False) -> Tensor:
    """A 0-d tensor holding ``s`` (the default dtype, whatever the Python type). Raises
    TypeError when ``s`` is not a number (a 0-d tensor counts as one, as in torch).

    Shapes: () (a 0-d tensor)."""
    if not isinstance(s, (bool, int, float, complex, np.number, np.bool_)) and not (
            isinstance(s, Tensor) and s.ndim == 0):
        raise TypeError(f"scalar_tensor(): argument 's' (position 1) must be Number, not "
                        f"{type(s).__name__}")
    d = _dt.to_dtype(dtype, "scalar_tensor") if dtype is not None else _dt.default_float()
    if not isinstance(s, Tensor):
        s = _dt.checked_scalar(s, d, inf_ok=True)  # torch's overflow rule (−5 in uint8 is 251)
    return _finish(np.asarray(s, dtype=d.np), device, requires_grad)


def _strided_empty(size, stride, d, device, requires_grad) -> Tensor:
    from .ops.strided import strided_view

    size, stride = tuple(int(n) for n in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(f"mismatch in length of strides and shape (size {list(size)}, stride "
                           f"{list(stride)})")
    if any(n < 0 for n in size):
        raise RuntimeError(f"empty_strided: Trying to create tensor with negative dimension "
                           f"{min(size)}: {list(size)}")
    need = 0 if 0 in size else 1 + sum((n - 1) * s for n, s in zip(size, stride))
    storage = np.zeros(max(need, 0), dtype=d.np)
    return _finish(strided_view(storage, size, stride, 0), device, requires_grad)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False) -> Tensor:
    """An uninitialized tensor of ``size`` laid out with element strides ``stride`` (here:
    zeros).

    Raises RuntimeError for size and stride of different lengths or a negative size.
    """
    d = _dt.to_dtype(dtype, "empty_strided") if dtype is not None else _dt.default_float()
    return _strided_empty(size, stride, d, device, requires_grad)


def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None,
                   requires_grad=False, pin_memory=False) -> Tensor:
    """An uninitialized tensor of ``size`` whose memory runs over the dims in the order
    ``physical_layout`` (outermost first). Raises RuntimeError for a layout that is not a
    permutation of the dims."""
    size, perm = tuple(int(n) for n in size), tuple(int(p) for p in physical_layout)
    if len(perm) != len(size):
        raise RuntimeError("empty_permuted: Number of dimensions in size does not match the "
                           f"length of the physical_layout (size {list(size)}, layout "
                           f"{list(perm)})")
    for p in perm:
        if not 0 <= p < len(size):
            raise RuntimeError(f"empty_permuted: Dimension out of range (expected to be in range "
                               f"of [0, {len(size) - 1}], but got {p})")
    if len(set(perm)) != len(perm):
        raise RuntimeError(f"empty_permuted: Duplicate dim not allowed (layout {list(perm)})")
    stride, step = [0] * len(size), 1
    for p in reversed(perm):
        stride[p] = step
        step *= max(size[p], 1)
    d = _dt.to_dtype(dtype, "empty_permuted") if dtype is not None else _dt.default_float()
    return _strided_empty(size, stride, d, device, requires_grad)


def new_empty_strided(self, size, stride, *, dtype=None, layout=None, device=None,
                      requires_grad=False, pin_memory=False) -> Tensor:
    """``Tensor.new_empty_strided``: ``empty_strided`` with this tensor's dtype and device by
    default.

    Shapes: ``size`` with ``stride`` → a tensor of shape ``size``. Raises RuntimeError for size and
    stride of different lengths.
    """
    d = _dt.to_dtype(dtype, "new_empty_strided") if dtype is not None else self.dtype
    return _strided_empty(size, stride, d, device or self.device, requires_grad)


__all__ = ["arange", "empty_permuted", "empty_strided", "eye", "layout", "linspace",
           "logspace", "scalar_tensor", "sparse_coo", "strided", "tril_indices", "triu_indices"]
