"""``make_tensor``: torch.testing's random test tensor, drawn with our torch-identical RNG (the
same seed gives torch's values)."""

from __future__ import annotations

import collections.abc
import math
import warnings

from ..creation import empty
from ..sampling import randint
from ..typeinfo import finfo, iinfo

_INTEGRAL = ("uint8", "int8", "int16", "int32", "int64", "uint16", "uint32", "uint64")
_FLOATING = ("float16", "bfloat16", "float32", "float64", "complex32", "complex64", "complex128")


def make_tensor(*shape, dtype, device, low=None, high=None, requires_grad: bool = False,
                noncontiguous: bool = False, exclude_zero: bool = False, memory_format=None):
    """A tensor of ``shape`` and ``dtype`` on ``device`` with values drawn uniformly from
    ``[low, high)``: default ``[-9, 9)`` for floating dtypes, ``[-9, 10)`` for signed integers,
    ``[0, 10)`` for unsigned ones and ``[0, 2)`` for bool; a bound outside the dtype's finite
    range is clamped to it (integers: rounded up). ``noncontiguous=True`` returns every other
    column of a twice-as-wide tensor; ``exclude_zero=True`` replaces zeros by 1 (integers, bool)
    or the dtype's ``finfo.tiny`` (floating).

    Shapes: ``shape`` as ints or one sequence. Raises ValueError for ``requires_grad`` with an
    integral dtype, for ``low >= high`` or NaN bounds, for an interval outside the dtype, and for
    ``noncontiguous`` together with ``memory_format``; TypeError for an unsupported dtype.
    """
    name = dtype.name

    def bounds(lowest, highest, default_low, default_high):
        lo = default_low if low is None else low
        hi = default_high if high is None else high
        if any(isinstance(v, float) and math.isnan(v) for v in (lo, hi)):
            raise ValueError(f"`low` and `high` cannot be NaN, but got low={lo} and high={hi}")
        if lo == hi and name in _FLOATING:
            warnings.warn("Passing `low==high` to `torch.testing.make_tensor` for floating or "
                          "complex types is deprecated since 2.1 and will be removed in 2.3. "
                          "Use `torch.full(...)` instead.", FutureWarning, stacklevel=3)
        elif lo >= hi:
            raise ValueError(f"`low` must be less than `high`, but got {lo} >= {hi}")
        elif hi < lowest or lo >= highest:
            raise ValueError(f"The value interval specified by `low` and `high` is [{lo}, {hi}), "
                             f"but {dtype} only supports [{lowest}, {highest})")
        lo, hi = min(max(lo, lowest), highest), min(max(hi, lowest), highest)
        if name == "bool" or name in _INTEGRAL:
            return math.ceil(lo), math.ceil(hi)
        return lo, hi

    if len(shape) == 1 and isinstance(shape[0], collections.abc.Sequence):
        shape = shape[0]
    shape = tuple(shape)
    if noncontiguous and memory_format is not None:
        raise ValueError("The parameters `noncontiguous` and `memory_format` are mutually "
                         f"exclusive, but got noncontiguous={noncontiguous} and "
                         f"memory_format={memory_format}")
    if requires_grad and (name == "bool" or name in _INTEGRAL):
        raise ValueError("`requires_grad=True` is not supported for boolean and integral "
                         f"dtypes, but got dtype={dtype}")
    noncontiguous = noncontiguous and math.prod(shape) > 1
    if noncontiguous:
        shape = (*shape[:-1], 2 * shape[-1])
    if name == "bool":
        lo, hi = bounds(0, 2, 0, 2)
        result = randint(lo, hi, shape, device=device, dtype=dtype)
    elif name in _INTEGRAL:
        info = iinfo(dtype)
        lo, hi = bounds(info.min, info.max + (name != "int64"),
                        -9 if name.startswith("int") else 0, 10)
        result = randint(lo, hi, shape, device=device, dtype=dtype)
    elif name in _FLOATING and not name.startswith("complex"):
        info = finfo(dtype)
        lo, hi = bounds(info.min, info.max, -9, 9)
        result = empty(shape, device=device, dtype=dtype)
        if hi - lo >= info.max:
            result.uniform_(lo / 2, hi / 2).mul_(2)
        else:
            result.uniform_(lo, hi)
    else:
        raise TypeError(f"The requested dtype '{dtype}' is not supported by "
                        "torch.testing.make_tensor().")
    if noncontiguous:
        result = result[..., 1::2]
    elif memory_format is not None:
        result = result.clone(memory_format=memory_format)
    if exclude_zero:
        result[result == 0] = 1 if (name == "bool" or name in _INTEGRAL) else finfo(dtype).tiny
    if name in _FLOATING:
        result.requires_grad = requires_grad
    return result
