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
