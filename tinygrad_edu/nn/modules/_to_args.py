"""``Module.to``'s and ``Module.type``'s arguments read as torch reads them.

    m.to(float)            # a Python type is a dtype: float64 (int int64, bool bool)
    m.to("cpu", tg.half)   # (device, dtype); a second argument that is no dtype: TypeError
    m.type("cpu")          # ValueError "invalid type: 'cpu'", as Tensor.type
"""

from __future__ import annotations

import numpy as np

from ...dtype import dtype as _DType
from ...dtype import to_dtype
from ...tensor import Tensor

_PY_TYPES = (float, int, bool, complex)  # torch reads these as dtypes (float: float64)


def parse_to(args, kwargs) -> tuple:
    """``(device or None, dtype or None)`` of ``Module.to(*args, **kwargs)``: ``to(device)``,
    ``to(dtype)``, ``to(device, dtype)``, ``to(tensor)``. Raises TypeError for a second
    positional argument that is not a dtype, and for a non-floating dtype."""
    dev = kwargs.pop("device", None)
    dt = kwargs.pop("dtype", None)
    kwargs.pop("non_blocking", None)
    for i, a in enumerate(args):
        if isinstance(a, Tensor):
            dev, dt = a.device, a.dtype
        elif isinstance(a, _DType) or a in _PY_TYPES:
            dt = a
        elif i and a is not None:  # torch's to(device, dtype): the second is a dtype
            raise TypeError(f"to() received an invalid combination of arguments - got "
                            f"({', '.join(type(x).__name__ for x in args)}), but expected "
                            f"(device, dtype) (Module.to: {a!r} is not a dtype)")
        elif a is not None:
            dev = a
    if dt is not None:
        if not (isinstance(dt, _DType) or dt in _PY_TYPES):  # torch: no names ('float64')
            raise TypeError(f"to() received an invalid combination of arguments - got "
                            f"(dtype={type(dt).__name__}), but expected a torch.dtype "
                            f"(Module.to)")
        dt = to_dtype(dt)
        if not dt.is_floating_point:
            raise TypeError(f"nn.Module.to only accepts floating point dtypes, but got "
                            f"desired dtype={dt}")
    return dev, dt


def type_dtype(dst_type) -> np.dtype:
    """The NumPy dtype ``Tensor.type(dst_type)`` casts to (a dtype or a tensor type name such
    as 'torch.DoubleTensor'); raises as it does for anything else (ValueError "invalid type:
    'cpu'"), TypeError for None."""
    t = Tensor.type(Tensor._wrap(np.zeros(())), dst_type) if dst_type is not None else None
    if not isinstance(t, Tensor):
        raise TypeError("Module.type(): dst_type must be a dtype or a tensor type, not None")
    return t._data.dtype
