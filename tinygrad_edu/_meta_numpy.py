"""``xp`` for meta arrays: what ``backend.get_array_module`` returns for a :class:`MetaArray`
(see :mod:`tinygrad_edu._meta`), as it returns CuPy for a GPU array."""

from __future__ import annotations

import numpy as np

from ._meta import MetaArray


class MetaNumPy:
    """``xp`` for meta arrays (``backend.get_array_module``): NumPy, except that what makes an
    array makes a MetaArray (as CuPy's functions make device arrays): ``asarray`` of a
    MetaArray keeps it (a cast changes only the dtype), of anything else takes its shape and
    dtype; ``zeros``/``empty``/``full``/``arange``/``eye`` ... allocate nothing. Every other
    name is NumPy's, whose functions come back to MetaArray through the protocols."""

    ndarray = MetaArray

    def __getattr__(self, name):
        return getattr(np, name)

    @staticmethod
    def asarray(a, dtype=None, order=None, copy=None, **kw):
        if isinstance(a, MetaArray):
            return a if dtype is None else a.astype(dtype, copy=bool(copy))
        if isinstance(a, (list, tuple)) and any(isinstance(x, MetaArray) for x in a):
            return np.stack(a) if dtype is None else np.stack(a).astype(dtype)
        arr = np.asarray(a, dtype=dtype)
        return MetaArray(arr.shape, arr.dtype)

    array = ascontiguousarray = asfortranarray = asarray

    @staticmethod
    def empty(shape, dtype=float, order="C", **kw):
        return MetaArray((shape,) if isinstance(shape, (int, np.integer)) else shape, dtype)

    zeros = ones = empty

    @staticmethod
    def full(shape, fill_value, dtype=None, order="C", **kw):
        return MetaNumPy.empty(shape, dtype if dtype is not None else np.asarray(fill_value).dtype)

    @property
    def lib(self):
        return _META_LIB

    def __getattribute__(self, name):
        if name in ("arange", "linspace", "logspace", "eye", "identity", "tri", "indices"):
            return lambda *a, **k: MetaNumPy.asarray(getattr(np, name)(*a, **k))
        return object.__getattribute__(self, name)


def _as_strided(x, shape=None, strides=None, subok=False, writeable=True):
    """``np.lib.stride_tricks.as_strided`` of a meta array: a view of the given shape (the
    strides address no memory, so only the shape is kept)."""
    shape = x.shape if shape is None else shape
    return MetaArray(shape, x.dtype, x.base if x.base is not None else x)


class _Namespace:
    def __init__(self, **names):
        self.__dict__.update(names)

    def __getattr__(self, name):  # the rest of np.lib
        return getattr(np.lib, name)


_META_LIB = _Namespace(stride_tricks=_Namespace(
    as_strided=_as_strided, sliding_window_view=np.lib.stride_tricks.sliding_window_view))
meta_numpy = MetaNumPy()
