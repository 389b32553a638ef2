"""Scattering along a dim: ``scatter`` (write), ``scatter_add``, ``scatter_reduce`` (sum, prod,
mean, amax, amin), and ``take_along_dim`` (gather with broadcasting).

The scatters are the adjoints of gather: ``src[i][j]`` goes to ``y[i][index[i][j]]`` (for dim
1). So src's gradient is always a gather of g (``gather_into``); the input's is g where its
value survived. Every backward is written with other ops' ``.call`` (gather, scatter_add,
scatter_reduce itself, where), so it can be differentiated again.
"""

from __future__ import annotations

import numpy as np

from .._args import require_tensor
from ..autograd import Function
from ..backend import get_array_module, ufunc_at
from ..backend import scatter_add as _scatter_add_at
from ..dtype import checked_scalar, kind_of
from ..tensor import Tensor, _wrap_dim
from ._dual import xp_of
from ._util import named, quiet
from .index import (
    GatherFn,
    GetItemFn,
    ScatterAddFn,
    check_gather_index,
    crop,
    gather,
    gather_into,
    index_grid,
)
from .shape import reshape
from .shape_as import broadcast_to


def _arr(t):
    """The raw array of a saved value (an array, or a Tensor under create_graph)."""
    return t._data if isinstance(t, Tensor) else t


class ScatterFn(Function):
    """y = x; y[i][index[i][j]] = src[i][j] (along ``axis``; ``src`` a tensor or one number)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, index, src, axis):
        xp = get_array_module(x)
        ctx.axis, ctx.src_shape = axis, src.shape if isinstance(src, xp.ndarray) else None
        ctx.save_for_backward(index)
        y = x.copy()
        if index.size:
            grid = index_grid(index, axis)
            y[grid] = src[crop(index.shape, axis)] if ctx.src_shape is not None else src
        return y

    @staticmethod
    def backward(ctx, g):
        (index,) = ctx.saved_tensors
        # ∂y/∂x = 1 where x was not overwritten: g with the scattered places set to 0
        gx = ScatterFn.call(g, index, 0.0, ctx.axis) if ctx.needs_input_grad[0] else None
        gs = None
        if ctx.src_shape is not None and ctx.needs_input_grad[2]:
            gs = gather_into(g, index, ctx.axis, ctx.src_shape)  # ∂y/∂src: g at its place
        return gx, None, gs, None


_FILL = {"sum": 0, "mean": 0, "prod": 1, "amax": -np.inf, "amin": np.inf}
_UFUNC = {"prod": "multiply", "amax": "maximum", "amin": "minimum"}


class ScatterReduceFn(Function):
    """y = x, except y[i][k] = reduce({x[i][k] if include_self} ∪ {src[i][j] : index[i][j] = k})
    wherever some src element lands (along ``axis``)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, index, src, axis, reduce, include_self):
        xp = get_array_module(x)
        ctx.axis, ctx.reduce, ctx.include_self = axis, reduce, include_self
        s = src[crop(index.shape, axis)]
        grid = index_grid(index, axis)
        hit = xp.zeros(x.shape, dtype=bool)
        hit[grid] = True
        ctx.hit, ctx.src_shape = hit, src.shape
        y = x.copy()
        if not include_self:
            fill = _FILL[reduce]
            if kind_of(x.dtype) != "f" and reduce in ("amax", "amin"):
                info = np.iinfo(x.dtype) if kind_of(x.dtype) in "iu" else None
                fill = (info.min if reduce == "amax" else info.max) if info else reduce == "amin"
            y[hit] = fill
        with quiet():
            if reduce in ("sum", "mean"):
                _scatter_add_at(y, grid, s)
            else:
                ufunc_at(_UFUNC[reduce], y, grid, s)
            if reduce == "mean":
                n = xp.zeros(x.shape, dtype=x.dtype)
                _scatter_add_at(n, grid, xp.ones(s.shape, dtype=x.dtype))
                n = n + (1 if include_self else 0)
                n[~hit] = 1
                y = y / n if kind_of(x.dtype) == "f" else xp.floor_divide(y, n)
        ctx.save_for_backward(x, index, src, y)
        return y.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, index, src, y = ctx.saved_tensors
        axis, reduce, inc = ctx.axis, ctx.reduce, ctx.include_self
        xp = xp_of(g)
        idx, sl = _arr(index), crop(_arr(index).shape, axis)
        s = GetItemFn.call(src, sl, False) if tuple(src.shape) != idx.shape else src
        gather_g = lambda t: GatherFn.call(t, idx, axis)  # noqa: E731
        if reduce == "sum":
            gx, gs = g, gather_g(g)
        elif reduce == "mean":  # each place is the mean of N values: 1/N to each
            n = _counts(ctx, idx, inc, _arr(x))
            gx, gs = g / n, gather_g(g) / GatherFn.call(n, idx, axis)
        elif reduce == "prod":
            gx, gs = _prod_grads(ctx, g, x, idx, s, y, xp, gather_g)
        else:  # amax / amin: the gradient is shared evenly among the elements that tie
            xa, sa, ya = _arr(x), _arr(s), _arr(y)
            value = GatherFn.call(ya, idx, axis)
            self_is = xa == ya
            src_is = sa == value
            ties = ScatterAddFn.call(self_is.astype(xa.dtype), idx, src_is.astype(xa.dtype), axis)
            # torch multiplies by the masks (so a nan g reaches every element, as there); a
            # place no value reached has 0 ties: g/0, times a 0 mask, is nan, as in torch
            with quiet():
                share = g / ties
                gx = share * self_is.astype(xa.dtype)
                gs = gather_g(share) * src_is.astype(xa.dtype)
        if not inc:
            gx = xp.where(ctx.hit, 0, gx)  # x's value was not part of the reduction there
        if tuple(gs.shape) != tuple(ctx.src_shape):
            from .index import IndexAccumulateFn

            gs = IndexAccumulateFn.call(gs, ctx.src_shape, sl, False)
        return gx, None, gs, None, None, None


def _counts(ctx, idx, include_self, xa):
    """How many values were averaged at each place of y (1 where nothing landed)."""
    xp = get_array_module(xa)
    n = xp.zeros(xa.shape, dtype=xa.dtype)
    _scatter_add_at(n, index_grid(idx, ctx.axis), xp.ones(idx.shape, dtype=xa.dtype))
    n = n + (1 if include_self else 0)
    n[n == 0] = 1
    return n


def _prod_grads(ctx, g, x, idx, s, y, xp, gather_g):
    """∂(Π)/∂v = the product of the others: Π / v, computed without dividing by a zero
    (torch's scatter_reduce_backward for prod: a zero is masked to 1 and the product redone)."""
    axis, inc = ctx.axis, ctx.include_self
    xa, sa = _arr(x), _arr(s)
    masked_x = xp.where(xa == 0, 1, x)
    gx = g * ScatterReduceFn.call(masked_x, idx, s, axis, "prod", inc) / masked_x
    zero = sa == 0
    n_zero = GatherFn.call(ScatterAddFn.call(xp_of(zero).zeros_like(xa), idx,
                                             zero.astype(xa.dtype), axis), idx, axis)
    single = zero & (n_zero == 1)
    masked_s = xp.where(single, 1, s)
    redone = ScatterReduceFn.call(x, idx, masked_s, axis, "prod", inc)
    gs = xp.where(single, gather_g(g * redone), gather_g(g * y) / xp.where(zero, 1, s))
    return gx, gs


# ---- public functions ---------------------------------------------------------------------------
def _prepare(op, input, dim, index, src=None):
    """(input, axis, index array, src, was_0d): torch's checks; a 0-d input acts as 1-d."""
    nd = input._data.ndim
    axis = _wrap_dim(dim, nd, op)
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if kind_of(idx.dtype) not in "iu" and idx.size:
        raise RuntimeError(f"{op}(): Expected dtype int64 for index (got {idx.dtype})")
    if isinstance(src, Tensor):
        if src._data.dtype != input._data.dtype:
            raise RuntimeError(f"{op}(): Expected self.dtype to be equal to src.dtype (got "
                               f"{input.dtype.name} and {src.dtype.name})")
        if idx.size and max(idx.ndim, 1) != max(src._data.ndim, 1) and idx.ndim == nd:
            raise RuntimeError(f"{op}(): Index tensor must have the same number of dimensions "
                               f"as src tensor (index {list(idx.shape)}, src "
                               f"{list(src._data.shape)})")
    if idx.size and max(idx.ndim, 1) != max(nd, 1):
        raise RuntimeError(f"{op}(): Index tensor must have the same number of dimensions as "
                           f"self tensor (index {list(idx.shape)}, self "
                           f"{list(input._data.shape)})")
    other = src._data.shape if isinstance(src, Tensor) else None
    check_gather_index(op, idx, input._data.shape, axis, other)
    if nd == 0:
        input, idx = reshape(input, 1), idx.reshape(-1)
        if isinstance(src, Tensor):
            src = reshape(src, -1)
    if isinstance(src, Tensor) and idx.size and tuple(src._data.shape) != tuple(idx.shape):
        # torch reads only src[index-shaped region] (src may be larger in every dim, the
        # scatter dim included); slicing here sends src's gradient back padded with zeros
        src = src[tuple(slice(0, n) for n in idx.shape)]
    return input, axis, idx.astype(np.int64, copy=False), src, nd == 0


def _finish(out, was_0d):
    return reshape(out, ()) if was_0d else out


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """A copy of ``input`` with ``src[i][j]`` written at ``[i][index[i][j]]`` (for dim = 1);
    ``src`` may be one number (``value``). Where two indices collide, which write wins is
    unspecified (as in torch). ``reduce='add'|'multiply'`` (deprecated in torch) combines
    instead. Raises RuntimeError for mismatched dtypes, dims or sizes, an index out of range,
    a number ``value`` the dtype cannot hold (300 in uint8, 70000 in float16; OverflowError for
    an int beyond 64 bits).
    Derivative: input keeps g where it was not overwritten; src gets g gathered back.

    Shapes: ``index`` has the input's number of dims, and ``src`` (when a tensor) is at least
    index's size in every dim; the output has the input's shape.
    """
    if src is None:
        src = value
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError(f"reduce argument must be either add or multiply. (got {reduce})")
        if isinstance(src, Tensor):
            return scatter_reduce(input, dim, index, src, "sum" if reduce == "add" else "prod")
        full = broadcast_to(Tensor._wrap(get_array_module(input._data).asarray(
            checked_scalar(src, input._data.dtype))), tuple(getattr(index, "shape", ())))
        return scatter_reduce(input, dim, index, full, "sum" if reduce == "add" else "prod")
    x, axis, idx, s, was_0d = _prepare("scatter", input, dim, index, src)
    if not isinstance(s, Tensor):  # torch's checked conversion: 300 into uint8 is an
        s = checked_scalar(s, x._data.dtype)  # overflow (RuntimeError), −1 wraps to 255
        return _finish(named(ScatterFn.apply(x, idx, s, axis), "ScatterBackward1"), was_0d)
    return _finish(ScatterFn.apply(x, idx, s, axis), was_0d)


def scatter_add(input, dim, index, src):
    """A copy of ``input`` with ``src[i][j]`` added at ``[i][index[i][j]]`` (for dim = 1;
    repeated indices add up). Raises as ``scatter``. Derivative: input gets g; src gets g
    gathered back from where each value was added.

    Shapes: ``index`` has the input's number of dims, and ``src`` is at least index's size in every
    dim; the output has the input's shape. Raises RuntimeError for an index out of range or an index
    with another number of dims.
    """
    x, axis, idx, s, was_0d = _prepare("scatter_add", input, dim, index, src)
    return _finish(ScatterAddFn.apply(x, idx, s, axis), was_0d)


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """A copy of ``input`` where each place that src values land on (``[i][index[i][j]]`` for
    dim = 1) holds ``reduce`` ('sum', 'prod', 'mean', 'amax', 'amin') of those values and, with
    ``include_self``, its own. Integer 'mean' rounds down. Raises RuntimeError for an unknown
    reduce and as ``scatter``. Derivative: sum — g; mean — g / count; prod — g · (product of
    the others); amax/amin — g shared evenly among the values equal to the result.

    Shapes: ``index`` has the input's number of dims, and ``src`` (when a tensor) is at least
    index's size in every dim; the output has the input's shape.
    """
    if reduce not in _FILL:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    x, axis, idx, s, was_0d = _prepare("scatter_reduce", input, dim, index, src)
    return _finish(ScatterReduceFn.apply(x, idx, s, axis, reduce, bool(include_self)), was_0d)


def take_along_dim(input, indices, dim=None, *, out=None):
    """``gather`` with broadcasting: input and indices are broadcast against each other except
    along ``dim``, then y = gather(input, dim, indices). Without dim: over the flattened input.
    Derivative: g goes back to the elements read.

    Shapes: ``input`` and ``indices`` broadcast except along ``dim``; the output has the broadcast
    shape with indices' size along ``dim`` (without ``dim``: (k,) for the k elements of ``indices``,
    read from the flattened input). Raises RuntimeError for indices with another number of dims or a
    non-integer indices. Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "take_along_dim")
    require_tensor(indices, "take_along_dim", "indices", 2)
    from ._out import write_out

    if dim is None:
        res = gather(reshape(input, -1), 0, reshape(indices, -1))
        return write_out(out, res, "take_along_dim", input, indices)
    nd = input._data.ndim
    axis = _wrap_dim(dim, nd, "take_along_dim")
    ishape, jshape = list(input._data.shape), list(indices._data.shape)
    if len(ishape) != len(jshape):
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same "
                           f"number of dimensions, but got {len(ishape)} dimensions for input, "
                           f"and {len(jshape)} dimensions for indices")
    j = indices._data
    if j.size and (j < 0).any():  # torch: negative indices count from the end here
        indices = Tensor._wrap(get_array_module(j).where(j < 0, j + ishape[axis], j))
    a, b = ishape[:], jshape[:]
    a[axis] = b[axis] = 1
    shape = list(np.broadcast_shapes(tuple(a), tuple(b)))
    x = broadcast_to(input, tuple(shape[:axis] + [ishape[axis]] + shape[axis + 1:]))
    i = broadcast_to(indices, tuple(shape[:axis] + [jshape[axis]] + shape[axis + 1:]))
    return write_out(out, gather(x, axis, i), "take_along_dim", input, indices)


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["scatter", "scatter_add", "scatter_reduce", "take_along_dim"]

# ops that also have an in-place form (``scatter_``), made by ops/inplace.py
INPLACE = ("scatter", "scatter_add", "scatter_reduce")

METHODS = {"scatter": scatter, "scatter_add": scatter_add, "scatter_reduce": scatter_reduce,
           "take_along_dim": take_along_dim}
