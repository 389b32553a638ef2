"""Extremes: amax/amin (ties share the gradient evenly), max/min (a value, or values and
indices along a dim: the values are a gather, so the gradient goes to the index picked),
argmax/argmin (no gradient).
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..backend import get_array_module
from ..tensor import Tensor
from ._dual import xp_of
from ._util import dims, named
from .index import gather
from .reduce import _axes, _keep
from .return_types import max_type, min_type
from .select import maximum, minimum
from .unary import clone


class AmaxFn(Function):
    """y = max x over axes (amax); ties share the gradient evenly"""

    array_io = True

    @staticmethod
    def forward(ctx, x, axes, keepdim, is_min):
        y = x.min(axis=axes, keepdims=keepdim) if is_min else x.max(axis=axes, keepdims=keepdim)
        y = get_array_module(x).array(y)  # its own array: the output, saved as such
        ctx.save_for_backward(x, y)
        ctx.axes, ctx.keepdim = axes, keepdim
        if is_min:
            ctx.node_name = "AminBackward0"
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        xp = xp_of(g)
        # ∂y/∂xᵢ = [xᵢ = max] / (number of maxima); torch splits ties evenly
        mask = x == _keep(y, ctx.axes, ctx.keepdim, x.ndim)
        count = xp.sum(mask, axis=ctx.axes, keepdims=True)
        gk = _keep(g, ctx.axes, ctx.keepdim, x.ndim)
        return gk * mask / count, None, None, None


def _nonzero_dims(input, axes, op):
    """torch: reducing a size-0 dim to its max/min/arg is an IndexError."""
    for a in axes or ():
        if input._data.shape[a] == 0:
            raise IndexError(f"{op}(): Expected reduction dim {a} to have non-zero size.")


def amax(input, dim=(), keepdim=False):
    axes = None if dim == () or dim is None else _axes(dim, input, "amax")
    if axes is None:
        _nonempty(input, "amax")
    _nonzero_dims(input, axes, "amax")
    return AmaxFn.apply(input, axes, keepdim, False)


def amin(input, dim=(), keepdim=False):
    axes = None if dim == () or dim is None else _axes(dim, input, "amin")
    if axes is None:
        _nonempty(input, "amin")
    _nonzero_dims(input, axes, "amin")
    return AmaxFn.apply(input, axes, keepdim, True)


def _nonempty(input, op):
    if input._data.size == 0:
        raise RuntimeError(f"{op}(): Expected reduction dim to be specified for input.numel() "
                           f"== 0. Specify the reduction dim with the 'dim' argument.")


def _max_min(input, dim, keepdim, is_min, other=None):
    if isinstance(dim, Tensor):  # torch.max(a, b) == maximum
        return (minimum if is_min else maximum)(input, dim)
    if other is not None:
        return (minimum if is_min else maximum)(input, other)
    if dim is None:
        _nonempty(input, "min" if is_min else "max")
        return named(AmaxFn.apply(input, None, False, is_min),
                     "MinBackward1" if is_min else "MaxBackward1")
    name = "MinBackward0" if is_min else "MaxBackward0"
    ret = min_type if is_min else max_type  # torch.return_types.min / .max
    xp = get_array_module(input._data)
    if input._data.ndim == 0:  # torch: the value itself and index 0
        dims(dim, 0, "max")
        return ret(named(clone(input), name), Tensor._wrap(xp.zeros((), np.int64)))
    (ax,) = dims(dim, input._data.ndim, "max")
    _nonzero_dims(input, (ax,), "min" if is_min else "max")
    arg = (xp.argmin if is_min else xp.argmax)(input._data, axis=ax, keepdims=True)
    # values = x gathered at the arg index: the gradient goes to that one index (torch)
    values = gather(input, ax, Tensor._wrap(arg))
    idx = Tensor._wrap(arg)
    if not keepdim:
        values = values.squeeze(ax)
        idx = Tensor._wrap(arg.squeeze(ax))
    return ret(named(values, name), idx)


def max(input, dim=None, keepdim=False, *, out=None):
    return _max_min(input, dim, keepdim, False)


def min(input, dim=None, keepdim=False, *, out=None):
    return _max_min(input, dim, keepdim, True)


def _arg_reduce(input, dim, keepdim, is_min: bool):
    """Index of the max (or min): no gradient, int64, errors as torch's argmax/argmin."""
    op = "argmin" if is_min else "argmax"
    xp = get_array_module(input._data)
    fn = xp.argmin if is_min else xp.argmax
    if dim is None and input._data.size == 0:
        raise IndexError(f"{op}(): Expected reduction dim to be specified for input.numel() == 0.")
    if dim is None:
        return Tensor._wrap(xp.asarray(fn(input._data)).astype(np.int64))
    if input._data.ndim == 0:
        dims(dim, 0, op)
        return Tensor._wrap(xp.zeros((), np.int64))
    (ax,) = dims(dim, input._data.ndim, op)
    _nonzero_dims(input, (ax,), op)
    return Tensor._wrap(fn(input._data, axis=ax, keepdims=keepdim).astype(np.int64))


def argmax(input, dim=None, keepdim=False):
    return _arg_reduce(input, dim, keepdim, is_min=False)


def argmin(input, dim=None, keepdim=False):
    return _arg_reduce(input, dim, keepdim, is_min=True)


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["amax", "amin", "argmax", "argmin", "max", "min"]

METHODS = {"max": max, "min": min, "amax": amax, "amin": amin, "argmax": argmax,
           "argmin": argmin}
