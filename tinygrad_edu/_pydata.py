"""Walking nested Python data (lists and tuples of numbers) for ``tensor()``: its leaves, a map
over them, and torch's dtype of a list that holds NumPy scalars."""

from __future__ import annotations

import functools

import numpy as np

from . import dtype as _dt


def flat(data):
    """The leaves of nested lists/tuples, in order."""
    for x in data:
        if isinstance(x, (list, tuple)):
            yield from flat(x)
        else:
            yield x


def nested_map(data, fn):
    """``data`` with ``fn`` applied to every leaf (lists and tuples become lists)."""
    if isinstance(data, (list, tuple)):
        return [nested_map(x, fn) for x in data]
    return fn(data)


def numpy_scalars_dtype(data, arr: np.ndarray) -> _dt.dtype | None:
    """torch's dtype of the list ``data`` (``arr``: NumPy's array of it) when it holds NumPy
    scalars, else None (Python numbers only: ``tensor()``'s own inference applies). Each NumPy
    scalar keeps its dtype, each Python number takes torch's default for it (a float: the
    default dtype), promoted together: ``[np.float32(1), 0.5]`` is float32 under a float32 or
    float16 default and float64 under a float64 one; ``[np.int32(1), 2]`` is int64.

    Cheap on the common path (this runs in every ``tensor(list)``): NumPy scalars are looked for
    only when the array's dtype is one Python numbers never give (float32, int8 ...), or, for a
    float64 array, when the first leaf is one; int64 and bool arrays read the same either way.
    So a list of Python numbers with a ``np.float64`` after its first element reads as Python
    numbers (the default dtype). Raises TypeError for a NumPy scalar of a dtype tinygrad_edu has
    no tensors of."""
    t = arr.dtype.type
    if t is np.float64:
        leaf = data
        while type(leaf) is list or type(leaf) is tuple:
            if not leaf:
                return None
            leaf = leaf[0]
        if not isinstance(leaf, np.generic):
            return None
    elif t is np.int64 or t is np.bool_ or _dt.kind_of(arr.dtype) not in "biuf":
        return None  # (strings and complex numbers raise in tensor())
    ds = [_dt.from_numpy_dtype(k) if issubclass(k, np.generic) else _dt.scalar_dtype(k())
          for k in {type(x) for x in flat(data)}]
    return functools.reduce(_dt.promote_types, ds)


_F64 = np.dtype(np.float64)


def _overflow(dtype) -> ValueError:
    return ValueError(f"tensor(): Overflow when unpacking long long (a Python int beyond int64 in "
                      f"the data{'' if dtype is None else ' for ' + str(dtype)})")


def exact_ints(data, arr: np.ndarray, dtype) -> np.ndarray:
    """``arr`` (NumPy's float64 array of the list ``data``) read as torch reads the list when its
    dtype is an integer one (``dtype``, or inferred: no float in the list): each Python int
    exactly as an int64, each float as a double. NumPy gives float64 for ints beyond int64
    (``[2**63, 1]``) and for ints beside floats, where ints beyond 2⁵³ lose digits; torch raises
    ValueError for the first and keeps every digit of the second (``[2**63 - 1, 0.5]`` into
    int64). Cheap unless the array holds magnitudes beyond 2⁵³: then each leaf is read."""
    if arr.dtype is not _F64 or not arr.size:
        return arr
    if dtype is None:  # an integer dtype is inferred only when every leaf is an int
        leaf = data
        while type(leaf) is list or type(leaf) is tuple:
            leaf = leaf[0]
        if type(leaf) is not int or not np.abs(arr).max() >= 2.0**63:
            return arr
        if all(type(x) is int or type(x) is bool for x in flat(data)):
            raise _overflow(None)
        return arr
    if _dt.kind_of(dtype.np) not in "iu" or not np.abs(arr).max() >= 2.0**53:
        return arr
    leaves = list(flat(data))
    is_int = np.array([type(x) is int or type(x) is bool for x in leaves])
    ints = [int(x) for x, i in zip(leaves, is_int) if i]
    if any(not -2**63 <= x < 2**63 for x in ints):
        raise _overflow(dtype)
    floats = np.array([x for x, i in zip(leaves, is_int) if not i], dtype=np.float64)
    _dt.check_integer_range(floats, dtype)  # a float beyond the dtype: torch's RuntimeError
    out = np.empty(len(leaves), dtype=np.int64)
    out[is_int] = np.array(ints, dtype=np.int64)
    with np.errstate(invalid="ignore"):  # 2.0**63 -> -2**63, as torch's cast
        out[~is_int] = floats.astype(np.int64)
    return out.reshape(arr.shape)
