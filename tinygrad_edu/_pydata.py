"""Walking nested Python data (lists and tuples of numbers) for ``tensor()``: its leaves, a map
over them, and torch's dtype of a list that holds NumPy scalars."""

from __future__ import annotations

import functools

import numpy as np

from . import dtype as _dt

# the dtypes NumPy gives an array of Python numbers (bool, int, float)
_PY_ARRAY_DTYPES = (np.dtype(np.float64), np.dtype(np.int64), np.dtype(np.bool_))


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


def holds_numpy_scalars(data, arr: np.ndarray) -> bool:
    """Whether the list ``data`` (NumPy's array of it: ``arr``) holds NumPy scalars: its array
    has a dtype Python numbers never give (float32, int8 ...), or its first leaf is one. Cheap
    (no walk over the list); a list of Python floats with a ``np.float64`` after its first
    element reads as Python floats."""
    if arr.dtype not in _PY_ARRAY_DTYPES:
        return _dt.kind_of(arr.dtype) in "biuf"  # numbers (strings raise in tensor())
    while isinstance(data, (list, tuple)) and data:
        data = data[0]
    return isinstance(data, np.generic)


def numpy_scalars_dtype(data) -> _dt.dtype:
    """torch's dtype of a list holding NumPy scalars: each NumPy scalar its own dtype, each
    Python number torch's default for it (a float: the default dtype), promoted together
    (``[np.float32(1), 0.5]`` is float32 under a float32 or float16 default, float64 under a
    float64 one; ``[np.int32(1), 2]`` is int64). Raises TypeError for a NumPy scalar of a dtype
    tinygrad_edu has no tensors of."""
    types = {type(x) for x in flat(data)}
    ds = [_dt.from_numpy_dtype(t) if issubclass(t, np.generic) else _dt.scalar_dtype(t())
          for t in types]
    return functools.reduce(_dt.promote_types, ds)
