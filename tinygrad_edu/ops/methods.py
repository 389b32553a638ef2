"""Bind the op functions onto Tensor as methods and operators (``x + y``, ``x.sum()`` ...).

Kept apart from tensor.py so that layering stays one-way: tensor.py knows nothing of ops.
"""

from __future__ import annotations

import functools
import inspect
import math

from .. import dtype as _dt
from ..backend import full
from ..creation import tensor
from ..factories import new_empty_strided
from ..tensor import Tensor, _device
from . import (
    activation,
    activation2,
    arithmetic,
    bits,
    bitwise,
    copies,
    device,
    diagonal,
    difference,
    division,
    exp_log,
    extrema,
    gamma,
    histogram,
    index,
    index_ops,
    inplace,
    inplace_views,
    join,
    linalg,
    logic,
    matmul,
    matrix,
    operators,
    order,
    pointwise,
    quantile,
    random,
    real_complex,
    reduce,
    reorder,
    repeat,
    rounding,
    scan,
    scatter,
    search,
    select,
    shape,
    shape_as,
    sort,
    split,
    statistics,
    ternary,
    trig,
    unary,
    view_scatter,
    views,
)

# every family module lists the Tensor methods it provides in its METHODS table
FAMILIES = (arithmetic, unary, trig, exp_log, gamma, bits, logic, rounding, select, reduce,
            statistics, extrema, scan, sort, order, quantile, difference, search, histogram,
            shape, shape_as, join, index, matmul, matrix, linalg, activation, activation2,
            device, random, real_complex, inplace,
            views, view_scatter, diagonal, reorder, scatter, index_ops, repeat, split,
            copies, inplace_views, division, bitwise, pointwise, ternary, operators)


def _new_filled(fill, name=None):
    """``x.new_zeros(size)`` and friends: a new tensor with x's dtype and device by default."""

    def new(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
            pin_memory=False, fill_value=fill):
        if len(size) == 1 and isinstance(size[0], (tuple, list)):
            size = tuple(size[0])
        if any(int(n) < 0 for n in size):
            raise RuntimeError(f"{name or 'new_full'}: Trying to create tensor with negative "
                               f"dimension {min(int(n) for n in size)}: {list(size)}")
        d = _dt.to_dtype(dtype, name or "new_full").np if dtype is not None else self._data.dtype
        if name is None and isinstance(fill_value, _dt.NUMBERS):  # new_full: torch's overflow rule
            fill_value = _dt.checked_scalar(fill_value, d, inf_ok=math.prod(
                int(n) for n in size) == 1)
        dev = _device(device) if device is not None else self.device  # made there directly
        t = Tensor._wrap(full(tuple(int(n) for n in size), fill_value, d, dev))
        return t.requires_grad_(True) if requires_grad else t

    if name is not None:
        what = "uninitialized values (zeros here)"
        if name != "new_empty":
            what = ("zeros", "ones")[fill]
        new.__name__ = new.__qualname__ = name
        new.__doc__ = (f"``Tensor.{name}(*size)``: a new tensor of shape ``size`` filled with "
                       f"{what}, with self's dtype and device unless ``dtype``/``device`` are "
                       "given; a leaf (``requires_grad`` as asked). Raises RuntimeError for a "
                       "negative size.\n\nShapes: ``size`` → a tensor of that shape (self's "
                       "shape does not matter).")
    return new


def _new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False,
              layout=None, pin_memory=False):
    """``Tensor.new_full(size, fill_value)``: a new tensor of shape ``size`` filled with
    ``fill_value`` (cast to the dtype), with self's dtype and device unless given; a leaf.
    Raises RuntimeError for a negative size or a value the dtype cannot hold (torch's overflow
    rule, as ``full``: 300 in uint8, 1e300 in float32; −9 wraps to 247 in uint8), OverflowError
    for a Python int beyond 64 bits.

    Shapes: ``size`` → a tensor of that shape (self's shape does not matter).
    """
    return _new_filled(0)(self, *size, dtype=dtype, device=device,
                          requires_grad=requires_grad, fill_value=fill_value)


def _new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None,
                pin_memory=False):
    """``Tensor.new_tensor(data)``: ``torch.tensor(data)`` with self's dtype and device unless
    given — always a copy, a leaf that does not require grad unless asked (any shape: data's).

    Shapes: data's shape (self's shape does not matter). Raises ValueError for ragged nested lists.
    """
    return tensor(data, dtype=dtype or self.dtype, device=device or self.device,
                  requires_grad=requires_grad)


_NEW = {
    "new_zeros": _new_filled(0, "new_zeros"), "new_ones": _new_filled(1, "new_ones"),
    "new_empty": _new_filled(0, "new_empty"),
    "new_full": _new_full, "new_tensor": _new_tensor, "new_empty_strided": new_empty_strided,
}


def _no_out(name: str, fn):
    """The method form of a function that takes ``out=``: torch's Tensor methods have no
    ``out`` (``x.amax(0, out=y)`` is a TypeError), so the method rejects it as torch does."""
    try:
        if "out" not in inspect.signature(fn).parameters:
            return fn
    except (TypeError, ValueError):  # a property, a builtin without a signature
        return fn

    @functools.wraps(fn)
    def method(self, *args, **kwargs):
        if "out" in kwargs:
            raise TypeError(f"{name}() got an unexpected keyword argument 'out'")
        return fn(self, *args, **kwargs)

    return method


def bind() -> None:
    """Set every family's methods, their in-place forms and the new_* constructors on Tensor."""
    for family in FAMILIES:
        for name, fn in family.METHODS.items():
            setattr(Tensor, name, _no_out(name, fn))
        for name, fn in inplace.inplace_methods(getattr(family, "INPLACE", ())).items():
            setattr(Tensor, name, fn)
    for name, fn in _NEW.items():
        setattr(Tensor, name, fn)


bind()
