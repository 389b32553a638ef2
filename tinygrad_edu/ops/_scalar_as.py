"""A Python number converted to a tensor's dtype as torch's ``Scalar.to<scalar_t>()`` does
(threshold's ``threshold`` and ``value``): checked, then cast."""

from __future__ import annotations

import numpy as np

from ..dtype import finfo, kind_of
from ..tensor import Tensor

_C_NAMES = {"uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int",
            "int64": "int64_t", "float16": "c10::Half", "float32": "float", "float64": "double"}


def scalar_as(v, dt):
    """A Python number as torch's ``Scalar.to<scalar_t>()`` makes it: checked, then cast.
    Integers: an int in range (for uint8 also −255…−1, which wraps: −9 → 247); a float in range,
    truncated toward zero; nan/inf raise. Floats: anything up to the type's max, ±inf, nan.
    Out of range: RuntimeError, as torch."""
    dt = np.dtype(dt)
    v = v.item() if isinstance(v, Tensor) else v
    v = int(v) if isinstance(v, (bool, np.bool_)) else v
    if kind_of(dt) in "iu":
        info = np.iinfo(dt)
        if isinstance(v, (int, np.integer)):
            ok = info.min <= v <= info.max or (kind_of(dt) == "u" and -info.max <= v < 0)
        else:
            ok = info.min <= v <= info.max  # False for nan and ±inf
        if ok:
            return np.array(int(v) % (info.max + 1) if v < 0 and kind_of(dt) == "u" else int(v), dt)
    else:
        big = float(finfo(dt).max)
        if -big <= v <= big or not np.isfinite(v):
            return np.array(v, dt)
    raise RuntimeError(f"value cannot be converted to type {_C_NAMES.get(dt.name, dt.name)} "
                       "without overflow")
