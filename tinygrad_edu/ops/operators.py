"""Python's operators on Tensors: each is one torch function (``a + b`` is ``add(a, b)``,
``2 - t`` is ``rsub(t, 2)``, ``a & b`` is ``bitwise_and``), with its reflected form (``__radd__``,
for a number on the left) and its in-place form (``__iand__``, for ``a &= b``).

``&``, ``|``, ``^``, ``~``, ``<<``, ``>>`` are torch's *bitwise* ops: on bool tensors they are
logical, on integer tensors bitwise (``int32 & int32`` is int32), and floating tensors are
refused. A reflected operator called on a non-Tensor raises TypeError (as torch's descriptors
do), except where torch's Python wrapper returns NotImplemented (``__rsub__``).
"""

from __future__ import annotations

import numpy as np

from ..autograd import function as _function
from ..autograd.grad_mode import state as _grad_state
from ..tensor import Tensor
from . import arithmetic as A
from . import bitwise as B
from . import division as D
from . import exp_log as E
from . import logic as L
from ._util import raise_broadcast_error
from .inplace import inplace
from .promotion import _F32, binary


def _not_a_tensor(name: str, self) -> TypeError:
    return TypeError(f"descriptor '{name}' for 'Tensor' objects doesn't apply to a "
                     f"'{type(self).__name__}' object")


def _forward(fn, name: str):
    def op(self, other):
        if not isinstance(self, Tensor):
            raise _not_a_tensor(name, self)
        return fn(self, other)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"``self {name}`` other: ``{fn.__name__}(self, other)``."
    return op


# ``self + other``, ``self - other``, ``self * other``, the hottest calls of a training step:
# ``add``/``sub``/``mul`` without ``alpha`` and ``out=`` are ``promotion.binary`` of their
# Function (sub's with its bool check). The method holds binary's fast test itself and, for two
# float Tensors of one dtype that require grad (grad mode on, no anomaly mode or saved-tensor
# hooks), calls ``Function.apply``'s two-Tensor path straight away: two Python calls fewer per
# op than ``add`` -> ``binary`` -> ``_apply_binary``; anything else goes on to ``binary``
# (parity_tests/test_ops_fastpath.py checks each operator against its function, both ways).
# Each is named as its torch op, so that errors naming the op the user called (an uninitialized
# parameter's, nn/parameter.py) say ``add``; as methods they are ``__add__`` etc.
def _binary_operator(fn, op: str, symbol: str, check=None):
    name = f"__{op}__"

    def method(self, other):
        if isinstance(other, Tensor) and isinstance(self, Tensor):
            da = self._data
            db = other._data
            d = da.dtype
            if (d is db.dtype and (d is _F32 or d.kind == "f") and self._rg and other._rg
                    and type(da) is type(db) and _function.FAST and _grad_state.enabled
                    and not _grad_state.slow):  # promotion.binary's fast test, as written there
                try:
                    return _function._apply_binary(fn, self, other, da, db, d, d)
                except ValueError:
                    raise_broadcast_error(op, self.shape, other.shape)
        elif not isinstance(self, Tensor):
            raise _not_a_tensor(name, self)
        return binary(fn, self, other, False, op, check)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"``self {symbol} other``: ``{op}(self, other)``."
    # its code named as the torch op, as a `def add` would be: errors that name the op the user
    # called from the stack (an uninitialized parameter's, nn/parameter.py) say ``add``
    method.__code__ = method.__code__.replace(co_name=op, co_qualname=op)
    return method


add = _binary_operator(A.AddFn, "add", "+")
sub = _binary_operator(A.SubFn, "sub", "-", A.check_sub_operands)
mul = _binary_operator(A.MulFn, "mul", "*")


def _reflected(fn, name: str, check: bool = True):
    def op(self, other):
        if check and not isinstance(self, Tensor):
            raise _not_a_tensor(name, self)
        return fn(other, self)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"``other {name}`` self (a number on the left): ``{fn.__name__}(other, self)``."
    return op


def _inplace(fn, name: str):
    def op(self, other):
        return inplace(self, name, fn, other)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"``self {name}= other``: ``{fn.__name__}`` written into self."
    return op


def _comparison(fn, name: str):
    def op(self, other):
        if not isinstance(other, (Tensor, int, float, bool, np.number, np.bool_, np.ndarray)):
            return NotImplemented  # Python then compares identities: t == None is False
        return fn(self, other)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"``self {name} other``: ``{fn.__name__}(self, other)``."
    return op


def __rsub__(self, other):
    """``other - self`` (``rsub(self, other)``); NotImplemented when ``self`` is not a Tensor,
    as torch's Python wrapper returns."""
    if not isinstance(self, Tensor):
        return NotImplemented
    return A.rsub(self, other)


def __rtruediv__(self, other):
    """``other / self``, as torch's Python operator computes it: ``self.reciprocal() * other``
    (ReciprocalBackward0 saves its result, not ``self``: ``self`` may then be changed in place)."""
    if not isinstance(self, Tensor):
        raise TypeError(f"__rtruediv__: expected a Tensor, got {type(self).__name__}")
    return A.mul(E.reciprocal(self), other)


def __invert__(self):
    """``~self``: bitwise not (logical not for bool tensors)."""
    return B.invert(self)


def _float_power_(self, exponent):
    """``x.float_power_(e)``: in place, so ``x`` must already be float64 (torch's rule).

    Shapes: ``exponent`` broadcasts to this tensor's shape, which is kept. Raises RuntimeError for a
    tensor that is not float64.
    """
    if self._data.dtype.name != "float64":
        raise RuntimeError(f"the base given to float_power_ has dtype {self.dtype} but the "
                           "operation's result requires dtype Double")
    return inplace(self, "float_power_", A.float_power, exponent)


_OPS = {  # operator -> torch function
    "add": A.add, "sub": A.sub, "mul": A.mul, "truediv": A.true_divide,
    "floordiv": D.floor_divide, "mod": D.remainder, "pow": A.pow, "and": B.bitwise_and,
    "or": B.bitwise_or, "xor": B.bitwise_xor, "lshift": B.bitwise_left_shift,
    "rshift": B.bitwise_right_shift,
}

# torch's reflected operators written in Python (not C descriptors): called unbound on a
# number they compute ``fn(other, self)`` as written, without a type check
_PYTHON_LEVEL = ("floordiv", "mod", "pow", "lshift", "rshift")

METHODS = {
    **{f"__{k}__": _forward(f, f"__{k}__") for k, f in _OPS.items()},
    "__add__": add, "__sub__": sub, "__mul__": mul,
    **{f"__r{k}__": _reflected(f, f"__r{k}__", check=k not in _PYTHON_LEVEL)
       for k, f in _OPS.items()},
    **{f"__i{k}__": _inplace(f, f"__i{k}__") for k, f in _OPS.items()
       if k not in ("add", "sub", "mul", "truediv")},  # those four: ops/inplace.py
    "__rdiv__": __rtruediv__,  # torch keeps Python 2's name too
    # torch's __radd__/__rmul__ are add(self, other)/mul(self, other): the same values (both
    # commute exactly), and the node lists the tensor first, as torch's next_functions do
    "__radd__": _forward(A.add, "__radd__"), "__rmul__": _forward(A.mul, "__rmul__"),
    "__rsub__": __rsub__, "__rtruediv__": __rtruediv__, "__invert__": __invert__, "__neg__": A.neg,
    "__pos__": lambda self: self,
    **{f"__{k}__": _comparison(getattr(L, k), f"__{k}__") for k in ("eq", "ne", "lt", "le",
                                                                      "gt", "ge")},
    "float_power_": _float_power_,
}

__all__: list = []
