"""``torch.finfo`` and ``torch.iinfo``: the numerical limits of a dtype.

    tg.finfo(tg.float32).eps        # 2⁻²³ = 1.1920928955078125e-07, the gap above 1.0
    tg.finfo(tg.bfloat16).max       # 3.3895313892515355e+38
    tg.iinfo(tg.uint8).max          # 255

The numbers come from NumPy (``np.finfo``/``np.iinfo``; bfloat16 from ml_dtypes' finfo), as
Python ints and floats, printed as torch prints them.
"""

from __future__ import annotations

import numpy as np

from .dtype import bool_, default_float, to_dtype
from .dtype import dtype as _dtype
from .dtype import finfo as _limits


def _resolve(d, who: str, other: str, floating: bool) -> _dtype:
    """``d`` when it is a dtype of the right kind (a Python type reads as one, as in torch:
    ``float`` is float64, ``int`` int64); else torch's TypeError."""
    if any(d is t for t in (float, int, bool)):
        d = to_dtype(d)
    if not isinstance(d, _dtype):
        raise TypeError(f"{who}(): argument 'type' must be torch.dtype, not {type(d).__name__}")
    if d.is_floating_point != floating or d is bool_:
        if d is bool_ and not floating:
            raise TypeError(f"torch.bool is not supported by torch.{who}")
        kind = "a floating point" if floating else "an integer"
        raise TypeError(f"torch.{who}() requires {kind} input type. Use torch.{other} to handle "
                        f"'torch.{who}'")
    return d


class _TypeInfo:
    """Equality by dtype, as torch's: ``finfo(float16) == finfo(half)`` (the same dtype), any
    other object unequal; unhashable (TypeError), as torch's ``finfo``/``iinfo``."""

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented  # Python then answers False (finfo == iinfo, finfo == 1)
        return self.dtype == other.dtype

    __hash__ = None  # torch: TypeError "unhashable type"


class finfo(_TypeInfo):
    """The limits of a floating dtype (the default dtype, float32, when none is given).

    Attributes (Python floats, ints for ``bits``): ``bits`` (storage width), ``eps`` (the gap
    between 1.0 and the next number, 2⁻ᵖ⁺¹ for p mantissa bits), ``max`` and ``min`` (= −max,
    the largest finite values), ``tiny`` = ``smallest_normal`` (2^(emin)), ``resolution``
    (10^−⌊p·log10 2⌋, the decimal precision) and ``dtype`` (its name). Raises TypeError for a
    non-floating dtype (use :class:`iinfo`). Equal to another finfo of the same dtype;
    unhashable, as torch's.
    """

    def __init__(self, type=None):  # noqa: A002 - torch's argument name
        d = _resolve(default_float() if type is None else type, "finfo", "iinfo", True)
        info = _limits(d.np)
        self.bits = d.itemsize * 8
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)
        self.dtype = d.name

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo(_TypeInfo):
    """The limits of an integer dtype: ``bits``, ``min``, ``max`` (Python ints) and ``dtype``
    (its name). Raises TypeError for a floating dtype (use :class:`finfo`) and for bool."""

    def __init__(self, type):  # noqa: A002 - torch's argument name
        d = _resolve(type, "iinfo", "finfo", False)
        info = np.iinfo(d.np)
        self.bits = d.itemsize * 8
        self.min, self.max = int(info.min), int(info.max)
        self.dtype = d.name

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
