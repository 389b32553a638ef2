"""What the elementwise one-tensor functions share: torch's argument checks, the integer-to-float
rule, ``out=``, and the constant (no-gradient) result of an op torch does not differentiate.
"""

from __future__ import annotations

from .. import dtype as _dt
from ..backend import get_array_module
from ..dtype import kind_of
from ..tensor import Tensor
from ._util import not_tensor
from .promotion import cast, type_name, write_out


def check_tensor(t, op: str, arg: str = "input") -> Tensor:
    """torch's TypeError for a non-Tensor argument (``sin(2.0)``); returns ``t``."""
    if not isinstance(t, Tensor):
        raise not_tensor(op, t, arg)
    return t


def floatify(t, op: str = "op") -> Tensor:
    """``t`` for a floating function: bool and integer tensors compute in the default float
    dtype (float32 unless ``set_default_dtype`` changed it), as torch's ``exp(tensor([1, 2]))``
    does; float16/32/64 stay."""
    check_tensor(t, op)
    if kind_of(t._data.dtype) != "f":
        return cast(t, _dt.default_float())
    return t


# one out= writer and one dtype spelling for the whole ops package (promotion.py's)
dtype_name = type_name
into = write_out


def constant(array) -> Tensor:
    """A result outside the graph: torch defines no derivative for the op (``signbit``, the
    Bessel functions ...), so the output does not require grad, as in torch."""
    return Tensor._wrap(get_array_module(array).asarray(array))
