"""Crossing the wall: NumPy results to device arrays and back, by CuPy's rules for each
argument (data refused when on the host, metadata read on the host, indices copied
implicitly and logged), and the one simulated device."""

from __future__ import annotations

import numpy as np

from . import (
    _array,  # ndarray, looked up at call time (the two modules import each other)
)
from ._transfers import TRANSFERS

_PY_SCALARS = (bool, int, float, complex)


def is_scalar(x) -> bool:
    """A value CuPy passes to a kernel as a scalar (``_scalar.CScalar``): Python or NumPy
    scalars; a 0-d *NumPy array* is not one."""
    return type(x) in _PY_SCALARS or isinstance(x, np.generic)


def host_error(where: str, x) -> TypeError:
    return TypeError(
        f"{where}: Unsupported type {type(x)} (a host array on the simulated CUDA device: "
        "CuPy refuses implicit host-to-device conversion; use cupy.asarray explicitly)"
    )


def wrap(a, originals: dict | None = None):
    """NumPy results -> device arrays (scalars become 0-d arrays, as CuPy returns them);
    an array that is one of the call's own device arguments comes back as that object."""
    if isinstance(a, np.ndarray):
        if originals and id(a) in originals:
            return originals[id(a)]
        obj = object.__new__(_array.ndarray)
        obj._a = a
        return obj
    if isinstance(a, np.generic):
        obj = object.__new__(_array.ndarray)
        obj._a = np.asarray(a)
        return obj
    if isinstance(a, tuple):
        return tuple(wrap(v, originals) for v in a)
    if isinstance(a, list):
        return [wrap(v, originals) for v in a]
    return a


def unwrap(x, where: str, originals: dict):
    """Device arrays -> their NumPy arrays (recursively in tuples/lists); host arrays refused."""
    if isinstance(x, _array.ndarray):
        originals[id(x._a)] = x
        return x._a
    if isinstance(x, np.ndarray):
        raise host_error(where, x)
    if isinstance(x, (tuple, list)):
        return type(x)(unwrap(v, where, originals) for v in x)
    return x


# Parameters that carry array *data*: a host array there is refused (CuPy types them as
# ndarray or feeds them to a kernel). Other parameters (axis, axes, shape, repeats,
# indices_or_sections, pad_width, ...) are metadata that CuPy reads on the host, so a host
# array there is fine, as in CuPy. ``IMPLICIT``: data CuPy copies to the device itself.
DATA_PARAMS = frozenset({
    "a", "a1", "a2", "ar", "ar1", "ar2", "arr", "arr1", "arr2", "array", "arrays", "ary",
    "arys", "tup", "x", "x1", "x2", "y", "b", "condition", "condlist", "choicelist", "choices",
    "v", "values", "weights", "aweights", "fweights", "dst", "src", "mask", "m", "M", "A", "X",
    "sorter", "element", "test_elements", "out", "a_min", "a_max", "min", "max", "args",
    "prepend", "append", "to_begin", "to_end", "xp", "fp", "z", "w", "other",
})
IMPLICIT = {  # (function, parameter) -> CuPy converts a host value with core.array (logged)
    ("take", "indices"), ("take_along_axis", "indices"), ("put_along_axis", "indices"),
    ("put_along_axis", "values"), ("ndarray.take", "indices"),
}


def convert_args(qual: str, sig, args: tuple, kwargs: dict, originals: dict):
    """Unwrap a call's arguments by CuPy's rules (see DATA_PARAMS); returns (args, kwargs)."""
    if sig is None:
        return unwrap(args, qual, originals), {n: unwrap(v, qual, originals)
                                              for n, v in kwargs.items()}
    names = sig.names(qual, args, kwargs)
    short = qual.split(".", 1)[1] if qual.startswith("cupy.") else qual
    new_args = tuple(_convert_one(qual, short, n, v, originals) for n, v in zip(names, args))
    new_kwargs = {n: _convert_one(qual, short, n, v, originals) for n, v in kwargs.items()}
    return new_args, new_kwargs


def _convert_one(qual, short, name, value, originals):
    if (short, name) in IMPLICIT and not is_scalar(value):
        return _host_index(value, f"implicit {name}")
    if name in DATA_PARAMS:
        return unwrap(value, qual, originals)
    return _unwrap_meta(value, originals)


def _unwrap_meta(x, originals):
    if isinstance(x, _array.ndarray):
        originals[id(x._a)] = x
        return x._a
    if isinstance(x, (tuple, list)):
        return type(x)(_unwrap_meta(v, originals) for v in x)
    return x


def _host_index(x, api: str):
    """An index/value CuPy converts implicitly with ``core.array`` (a logged h2d copy)."""
    if isinstance(x, _array.ndarray):
        return x._a
    arr = np.array(x)
    TRANSFERS.record("h2d", api, arr.nbytes)
    return arr


def _index(key):
    """CuPy's ``_prepare_slice_list``: device arrays pass, host arrays/lists are copied to the
    device (logged), ints/slices/None/Ellipsis stay. Returns (numpy key, is_advanced)."""
    items = list(key) if isinstance(key, tuple) else [key]
    advanced = False
    for i, s in enumerate(items):
        if s is None or s is Ellipsis or isinstance(s, slice):
            continue
        if isinstance(s, _array.ndarray):
            items[i] = s._a
            advanced = True
        elif np.isscalar(s) and not isinstance(s, (bool, np.bool_)):
            continue
        else:
            items[i] = _host_index(s, "implicit index")
            advanced = True
    return tuple(items), advanced


class _MemoryPointer:
    """What ``ndarray.data`` gives: the address (``ptr``) and the device."""

    def __init__(self, a: np.ndarray):
        self.ptr = a.__array_interface__["data"][0]
        self.device = Device(0)


class Device:
    """``cupy.cuda.Device``: the one simulated GPU (id 0)."""

    def __init__(self, device=None):
        self.id = 0 if device is None else int(device)
        if self.id != 0:
            raise RuntimeError(f"gpusim: only device 0 exists, not {self.id}")

    def synchronize(self) -> None:
        return None

    def use(self) -> "Device":
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __eq__(self, other):
        return isinstance(other, Device) and other.id == self.id

    def __hash__(self):
        return hash(("gpusim", self.id))

    def __repr__(self):
        return f"<CUDA Device {self.id}>"
