"""``Module.to``'s and ``Module.type``'s arguments read as torch reads them.

    m.to(float)            # a Python type is a dtype: float64 (int int64, bool bool)
    m.to("cpu", tg.half)   # (device, dtype); a second argument that is no dtype: TypeError
    m.type("cpu")          # ValueError "invalid type: 'cpu'", as Tensor.type
"""

from __future__ import annotations

import numpy as np

from ...ops._parse_to import parse_to as _parse_to
from ...tensor import Tensor


def parse_to(args, kwargs) -> tuple:
    """``(device or None, dtype or None)`` of ``Module.to(*args, **kwargs)``: torch's three
    signatures of ``to`` (``to(device, dtype, non_blocking)``, ``to(dtype, non_blocking)``,
    ``to(tensor, non_blocking)``), read by ``ops._parse_to``. Raises TypeError for arguments
    none of them takes (``to("cpu", "cpu")``, ``to(float64, float64)``, a dtype named by a
    string), and for a non-floating dtype."""
    dev, dt, _, copy, _ = _parse_to(args, kwargs)
    if copy:
        raise RuntimeError(".to() does not accept copy argument (Module.to works in place)")
    if dt is not None and not dt.is_floating_point:
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
