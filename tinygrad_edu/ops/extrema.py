"""Extremes: amax/amin (ties share the gradient evenly), max/min (a value, or values and
indices along a dim: the values are a gather, so the gradient goes to the index picked),
aminmax, argmax/argmin (no gradient).

torch's NaN rule: a NaN is the maximum and the minimum. ``max()``/``min()`` over every element
send the gradient evenly to the NaNs when the result is NaN; ``max(dim)`` picks the first NaN's
index; ``amax``/``amin`` compare ``x == result``, which never holds for NaN, so their gradient
is NaN there (0/0), exactly as torch's.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from .._args import type_of
from ..autograd import Function
from ..backend import get_array_module
from ..dtype import kind_of
from ..tensor import Tensor
from ._dual import xp_of
from ._reduction import (
    check_nonempty_dims,
    evenly_distribute,
    keep,
    one_dim,
    reduce_dims,
    torch_args,
    write_out,
)
from ._util import named, quiet
from .index import GatherFn
from .return_types import max_type, min_type
from .select import maximum, minimum
from .unary import clone


class AmaxFn(Function):
    """y = max x over axes (amax); ties share the gradient evenly"""

    array_io = True

    @staticmethod
    def forward(ctx, x, axes, keepdim, is_min, nan_even=False):
        y = x.min(axis=axes, keepdims=keepdim) if is_min else x.max(axis=axes, keepdims=keepdim)
        y = get_array_module(x).array(y)  # its own array: the output, saved as such
        ctx.save_for_backward(x, y)
        ctx.axes, ctx.keepdim, ctx.nan_even = axes, keepdim, nan_even
        if is_min:
            ctx.node_name = "MinBackward1" if nan_even else "AminBackward0"
        elif nan_even:
            ctx.node_name = "MaxBackward1"
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        xp = xp_of(g)
        # ∂y/∂xᵢ = [xᵢ = max] / (number of maxima); torch splits ties evenly
        if ctx.nan_even:  # max()/min() of the whole tensor: a nan result shares among the nans
            with quiet():
                return evenly_distribute(xp, g, x, y), None, None, None, None
        yk = keep(y, ctx.axes, ctx.keepdim, x.ndim)
        mask = x == yk
        count = xp.sum(mask, axis=ctx.axes, keepdims=True)
        gk = keep(g, ctx.axes, ctx.keepdim, x.ndim)
        with quiet():  # amax with a NaN: no element equals the result, 0/0 = nan (torch)
            return gk * mask / count, None, None, None, None  # torch multiplies by the mask


def _amax(input, dim, keepdim, is_min, out):
    op = "amin" if is_min else "amax"
    axes = reduce_dims(dim, input._data.ndim, op)
    if axes is None and input._data.size == 0:
        raise RuntimeError(f"{op}(): Expected reduction dim to be specified for input.numel() == "
                           "0. Specify the reduction dim with the 'dim' argument.")
    check_nonempty_dims(input, axes, op)
    return write_out(AmaxFn.apply(input, axes, keepdim, is_min), out, op, same_dtype_as=input)


@torch_args
def amax(input, dim=(), keepdim=False, *, out=None):
    """``torch.amax``: the maximum over ``dim`` (``()``: every dim). Ties share the gradient
    evenly: ∂y/∂xᵢ = [xᵢ = y] / #{j: xⱼ = y} (NaN gives NaN, as torch). Raises IndexError for
    a size-0 dim, RuntimeError for an empty input without dim or a dim given twice.

    Shapes: input (*) → the shape with ``dim`` removed (kept as size 1 with ``keepdim=True``); every
    dim when ``dim`` is ``()`` or None.
    """
    return _amax(input, dim, keepdim, False, out)


@torch_args
def amin(input, dim=(), keepdim=False, *, out=None):
    """``torch.amin``: the minimum over ``dim``; as :func:`amax`.

    Shapes: input (*) → the shape with ``dim`` removed (kept as size 1 with ``keepdim=True``); every
    dim when ``dim`` is ``()`` or None. Raises IndexError for ``dim`` out of range; RuntimeError for
    a dim given twice.
    """
    return _amax(input, dim, keepdim, True, out)


class _aminmax_base(namedtuple("aminmax", ["min", "max"])):
    __slots__ = ()

    def __repr__(self):
        return f"torch.return_types.aminmax(\nmin={self.min!r},\nmax={self.max!r})"


aminmax_type = _aminmax_base


@torch_args
def aminmax(input, *, dim=None, keepdim=False, out=None):
    """``torch.aminmax``: (min, max) over ``dim`` (None: every element) in one call, as
    ``torch.return_types.aminmax``. Gradients as :func:`amin` and :func:`amax` (ties share).
    Raises RuntimeError over an empty input or dim without identity.

    Shapes: input (*) → two tensors of the shape with ``dim`` removed (kept as size 1 with
    ``keepdim=True``); 0-d when ``dim`` is None.
    """
    nd = input._data.ndim
    axes = None if dim is None else (one_dim(dim, nd, "aminmax"),) if nd else None
    if input._data.size == 0 and (axes is None):
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                           "operation has no identity.")
    check_nonempty_dims(input, axes, "aminmax")
    if dim is None and keepdim and nd:
        axes = tuple(range(nd))
    lo = named(AmaxFn.apply(input, axes, keepdim, True), "AminmaxBackward0")
    hi = named(AmaxFn.apply(input, axes, keepdim, False), "AminmaxBackward0")
    if out is not None:
        for o in out:
            if o.dtype != input.dtype:
                raise RuntimeError(f"aminmax(): Expected out tensor to have dtype "
                                   f"{input.dtype.name}, but got {o.dtype.name} instead")
    return write_out(aminmax_type(lo, hi), out, "aminmax")


def _max_min(input, dim, keepdim, is_min, out):
    if not isinstance(input, Tensor):
        raise TypeError(f"{'min' if is_min else 'max'}(): argument 'input' must be Tensor, not "
                        f"{type_of(input)}")
    if isinstance(dim, Tensor):  # torch.max(a, b) == maximum
        return write_out((minimum if is_min else maximum)(input, dim), out, "max")
    op = "min" if is_min else "max"
    if dim is None:
        check_nonempty_dims(input, None, op)
        return write_out(AmaxFn.apply(input, None, False, is_min, True), out, op)
    name = "MinBackward0" if is_min else "MaxBackward0"
    ret = min_type if is_min else max_type  # torch.return_types.min / .max
    xp = get_array_module(input._data)
    if input._data.ndim == 0:  # torch: the value itself and index 0
        one_dim(dim, 0, op)
        res = ret(named(clone(input), name), Tensor._wrap(xp.zeros((), np.int64)))
        return write_out(res, out, op)
    ax = one_dim(dim, input._data.ndim, op)
    check_nonempty_dims(input, (ax,), op)
    arg = (xp.argmin if is_min else xp.argmax)(input._data, axis=ax, keepdims=True)
    # values = x gathered at the arg index: the gradient goes to that one index (torch);
    # NumPy's argmax/argmin return the first NaN, as torch does
    values = GatherFn.apply(input, arg, ax)
    idx = Tensor._wrap(arg)
    if not keepdim:
        values = values.squeeze(ax)
        values._view = None  # a new tensor to the user, as torch's (not a view of a temporary)
        idx = Tensor._wrap(arg.squeeze(ax))
    return write_out(ret(named(values, name), idx), out, op)


@torch_args(dim_type="int")
def max(input, dim=None, keepdim=False, *, out=None):
    """``torch.max``: the maximum of every element (ties and NaNs share the gradient evenly);
    with ``dim``, ``(values, indices)`` along it (the gradient goes to the index chosen: the
    first maximum, or the first NaN); with a tensor, :func:`maximum`. Shapes: (any) → 0-d, or with
    ``dim`` the input's shape without ``dim`` (size 1 with ``keepdim``). Raises IndexError for a dim
    out of range, RuntimeError for an empty input without ``dim``."""
    return _max_min(input, dim, keepdim, False, out)


@torch_args(dim_type="int")
def min(input, dim=None, keepdim=False, *, out=None):
    """``torch.min``: as :func:`max` with the minimum. Shapes: (any) → 0-d, or with ``dim`` the
    input's shape without ``dim`` (size 1 with ``keepdim``). Raises IndexError for a dim out
    of range, RuntimeError for an empty input without ``dim``."""
    return _max_min(input, dim, keepdim, True, out)


def _arg_reduce(input, dim, keepdim, is_min: bool, out):
    """Index of the max (or min): no gradient, int64, errors as torch's argmax/argmin."""
    op = "argmin" if is_min else "argmax"
    if kind_of(input._data.dtype) == "b":
        raise RuntimeError(f"{op}(): does not support bool input")
    xp = get_array_module(input._data)
    fn = xp.argmin if is_min else xp.argmax
    a = input._data
    if dim is None:
        check_nonempty_dims(input, None, op)
        res = xp.asarray(fn(a), dtype=np.int64)
        if keepdim:
            res = res.reshape((1,) * a.ndim)
    elif a.ndim == 0:
        one_dim(dim, 0, op)
        res = xp.zeros((), np.int64)
    else:
        ax = one_dim(dim, a.ndim, op)
        check_nonempty_dims(input, (ax,), op)
        res = xp.asarray(fn(a, axis=ax, keepdims=keepdim), dtype=np.int64)
    return write_out(Tensor._wrap(res), out, op)


@torch_args
def argmax(input, dim=None, keepdim=False, *, out=None):
    """``torch.argmax``: the index of the maximum (of the flattened input, or along ``dim``);
    the first one on ties, the first NaN if any. int64, no gradient. Shapes: 0-d, or with ``dim``
    the input's shape without ``dim`` (size 1 with ``keepdim``). Raises IndexError for a dim out of
    range or an empty input without ``dim``, RuntimeError for a bool input."""
    return _arg_reduce(input, dim, keepdim, False, out)


@torch_args
def argmin(input, dim=None, keepdim=False, *, out=None):
    """``torch.argmin``: as :func:`argmax` with the minimum. Shapes: 0-d, or with ``dim`` the
    input's shape without ``dim`` (size 1 with ``keepdim``). Raises IndexError for a dim out
    of range or an empty input without ``dim``, RuntimeError for a bool input."""
    return _arg_reduce(input, dim, keepdim, True, out)


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["amax", "amin", "aminmax", "argmax", "argmin", "max", "min"]

METHODS = {"max": max, "min": min, "amax": amax, "amin": amin, "aminmax": aminmax,
           "argmax": argmax, "argmin": argmin}
