"""Order-based ops: max/min (with indices), amax/amin, argmax/argmin, sort, argsort, topk,
cumsum, and torch's (values, indices) result types.

max(dim), sort and topk pick elements by index, so their values are a gather (its backward
scatters the gradient back to where each value came from); amax splits a tie's gradient evenly;
cumsum's backward is a reversed cumsum.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from ..autograd import Function
from ..backend import get_array_module
from ..tensor import Tensor
from ._dual import xp_of
from ._util import dims
from .reduce import _axes, _keep


def _return_type(name: str):
    """A (values, indices) namedtuple printed like torch's ``torch.return_types.<name>``."""
    base = namedtuple(name, ["values", "indices"])

    def __repr__(self):
        return f"torch.return_types.{name}(\nvalues={self.values!r},\nindices={self.indices!r})"

    return type(name, (base,), {"__slots__": (), "__repr__": __repr__, "__str__": __repr__})


max_type, min_type = _return_type("max"), _return_type("min")
sort_type, topk_type = _return_type("sort"), _return_type("topk")


class Amax(Function):
    """y = max x over axes (amax); ties share the gradient evenly"""

    array_io = True

    @staticmethod
    def forward(ctx, x, axes, keepdim, is_min):
        y = x.min(axis=axes, keepdims=keepdim) if is_min else x.max(axis=axes, keepdims=keepdim)
        y = get_array_module(x).array(y)  # its own array: the output, saved as such
        ctx.save_for_backward(x, y)
        ctx.axes, ctx.keepdim = axes, keepdim
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
    return Amax.apply(input, axes, keepdim, False)


def amin(input, dim=(), keepdim=False):
    axes = None if dim == () or dim is None else _axes(dim, input, "amin")
    if axes is None:
        _nonempty(input, "amin")
    _nonzero_dims(input, axes, "amin")
    return Amax.apply(input, axes, keepdim, True)


def _nonempty(input, op):
    if input._data.size == 0:
        raise RuntimeError(f"{op}(): Expected reduction dim to be specified for input.numel() "
                           f"== 0. Specify the reduction dim with the 'dim' argument.")


def _max_min(input, dim, keepdim, is_min, other=None):
    from .select import maximum, minimum

    if isinstance(dim, Tensor):  # torch.max(a, b) == maximum
        return (minimum if is_min else maximum)(input, dim)
    if other is not None:
        return (minimum if is_min else maximum)(input, other)
    if dim is None:
        _nonempty(input, "min" if is_min else "max")
        return Amax.apply(input, None, False, is_min)
    from .index import gather

    ret = min_type if is_min else max_type  # torch.return_types.min / .max
    xp = get_array_module(input._data)
    if input._data.ndim == 0:  # torch: the value itself and index 0
        from .elementwise import clone

        dims(dim, 0, "max")
        return ret(clone(input), Tensor._wrap(xp.zeros((), np.int64)))
    (ax,) = dims(dim, input._data.ndim, "max")
    _nonzero_dims(input, (ax,), "min" if is_min else "max")
    arg = (xp.argmin if is_min else xp.argmax)(input._data, axis=ax, keepdims=True)
    # values = x gathered at the arg index: the gradient goes to that one index (torch)
    values = gather(input, ax, Tensor._wrap(arg))
    idx = Tensor._wrap(arg)
    if not keepdim:
        values = values.squeeze(ax)
        idx = Tensor._wrap(arg.squeeze(ax))
    return ret(values, idx)


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


class CumSum(Function):
    """yᵢ = Σ_{j ≤ i} xⱼ along one axis"""

    array_io = True

    @staticmethod
    def forward(ctx, x, axis):
        ctx.axis = axis
        return get_array_module(x).cumsum(x, axis=axis)

    @staticmethod
    def backward(ctx, g):
        xp = xp_of(g)
        ax = ctx.axis
        # ∂L/∂xⱼ = Σ_{i ≥ j} ∂L/∂yᵢ: a cumulative sum from the end
        return xp.flip(xp.cumsum(xp.flip(g, axis=ax), axis=ax), axis=ax), None


def cumsum(input, dim, *, dtype=None):
    """Cumulative sum along ``dim``."""
    if input._data.ndim == 0:
        dims(dim, 0, "cumsum")
        from .elementwise import clone

        return clone(input)  # the cumulative sum of one value is that value
    (ax,) = dims(dim, input._data.ndim, "cumsum")
    return CumSum.apply(input, ax)


def sort(input, dim=-1, descending=False):
    xp = get_array_module(input._data)
    if input._data.ndim == 0:
        from .elementwise import clone

        dims(dim, 0, "sort")
        return sort_type(clone(input), Tensor._wrap(xp.zeros((), np.int64)))
    (ax,) = dims(dim, input._data.ndim, "sort")
    idx = xp.argsort(input._data, axis=ax, kind="stable")
    if descending:  # torch: nan counts as the largest value, so it comes first
        idx = xp.flip(idx, axis=ax)
    from .index import gather

    return sort_type(gather(input, ax, Tensor._wrap(idx)), Tensor._wrap(idx.astype(np.int64)))


def argsort(input, dim=-1, descending=False):
    return sort(input, dim, descending).indices


def topk(input, k, dim=-1, largest=True, sorted=True):
    _, i = sort(input, dim, descending=largest)
    if input._data.ndim == 0:
        return topk_type(*sort(input, dim, descending=largest))
    from .index import gather
    from .shape import narrow

    i = narrow(i, dim, 0, k)
    # values gathered at the kept indices: a new contiguous tensor (as torch's topk)
    return topk_type(gather(input, dim, i), Tensor._wrap(i._data.copy()))
