"""Writing into a region of a copy: ``index_put`` (what ``x[idx] = v`` records),
``select_scatter``, ``slice_scatter``, ``as_strided_scatter``.

Each is y = x with one region replaced by ``src``: linear in both, so the gradient splits —
x's part is g with the region zeroed (the same op writing zeros), src's part is g read back
through the region. These are also the backwards of the views (a view's gradient is zeros
with g written into its region).
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..backend import get_array_module, scatter_add
from ..tensor import Tensor, _wrap_dim
from ._dual import xp_of
from ._util import named
from .index import GetItemFn, normalize_index, zeros_for
from .strided import positions


class IndexPutFn(Function):
    """y = x with y[idx] = v (``accumulate``: y[idx] += v, repeated indices adding up)

    ∂y/∂x = 1 outside idx (everywhere when accumulating); ∂y/∂v = g[idx]."""

    array_io = True

    @staticmethod
    def forward(ctx, x, value, idx, advanced, accumulate=False):
        xp = get_array_module(x)
        y = x.copy()
        ctx.idx, ctx.advanced, ctx.accumulate = idx, advanced, accumulate
        if accumulate:
            scatter_add(y, idx, xp.broadcast_to(value, y[idx].shape).astype(y.dtype))
            return y
        y[idx] = value
        region = xp.zeros(x.shape, dtype=bool)
        region[idx] = True
        ctx.region = region
        return y

    @staticmethod
    def backward(ctx, g):
        gv = GetItemFn.call(g, ctx.idx, ctx.advanced) if ctx.needs_input_grad[1] else None
        gx = g if ctx.accumulate else xp_of(g).where(ctx.region, 0, g)
        return gx, gv, None, None, None


class AsStridedScatterFn(Function):
    """y = x with as_strided(y, size, stride, offset) = src, on a contiguous copy of x

    ∂y/∂x = 1 outside the window; ∂y/∂src = g read through the window."""

    array_io = True

    @staticmethod
    def forward(ctx, x, src, pos):
        xp = get_array_module(x)
        y = xp.ascontiguousarray(x).copy()
        flat = y.reshape(-1)
        flat[pos.reshape(-1)] = xp.broadcast_to(src, pos.shape).reshape(-1)
        ctx.pos, ctx.src_shape = pos, src.shape
        return y

    @staticmethod
    def backward(ctx, g):
        xp = xp_of(g)
        gx = gs = None
        if ctx.needs_input_grad[0]:
            gx = AsStridedScatterFn.call(g, zeros_for(ctx.src_shape, g), ctx.pos)
        if ctx.needs_input_grad[1]:
            gs = GetItemFn.call(xp.reshape(g, (-1,)), (ctx.pos,), True)
        return gx, gs, None


def _check_src(src, region_shape) -> None:
    if tuple(src._data.shape) != tuple(region_shape):
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"{list(src._data.shape)}, slice size = {list(region_shape)}")


def _as_input_dtype(src, input):
    if src._data.dtype != input._data.dtype:
        from .promotion import cast

        return cast(src, input.dtype)
    return src


def _put_region(input, src, key, name):
    region = np.empty(input._data.shape, dtype=np.bool_)[key].shape
    _check_src(src, region)
    return named(IndexPutFn.apply(input, _as_input_dtype(src, input), key, False), name)


def select_scatter(input, src, dim, index):
    """A copy of ``input`` with the slice ``index`` along ``dim`` replaced by ``src`` (whose
    shape must be that slice's). dtype: input's. Raises IndexError for an index out of range,
    RuntimeError for a src of the wrong shape. Derivative: g outside the slice to input,
    g's slice to src.

    Shapes: input (*), ``src`` of the input's shape with ``dim`` removed → the input's shape.
    """
    nd = input._data.ndim
    d = _wrap_dim(dim, nd, "select_scatter")
    n = input._data.shape[d] if nd else 0
    index = int(index)
    if not -n <= index < n:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input._data.shape)} at dimension {d}")
    key = (slice(None),) * d + (index % n,)
    return _put_region(input, src, key, "SelectScatterBackward0")


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """A copy of ``input`` with ``input[..., start:end:step, ...]`` (along ``dim``) replaced by
    ``src`` (whose shape must be that slice's). dtype: input's. Raises RuntimeError for a src of
    the wrong shape or a step < 1. Derivative: as select_scatter.

    Shapes: input (*), ``src`` of the slice's shape → the input's shape.
    """
    d = _wrap_dim(dim, input._data.ndim, "slice_scatter")
    if step is not None and int(step) <= 0:
        raise RuntimeError("slice step must be positive")
    key = (slice(None),) * d + (slice(start, end, step),)
    return _put_region(input, src, key, "SliceScatterBackward0")


def as_strided_scatter(input, src, size, stride, storage_offset=None):
    """A contiguous copy of ``input`` with the window ``as_strided(size, stride,
    storage_offset)`` of it replaced by ``src`` (shape ``size``). Raises RuntimeError for a
    window past the end. Derivative: g outside the window to input, g's window to src.

    Shapes: input any shape, ``src`` of shape ``size`` → the input's shape.
    """
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    offset = 0 if storage_offset is None else int(storage_offset)
    n = input._data.size
    need = 0 if 0 in size else offset + 1 + sum((a - 1) * s for a, s in zip(size, stride))
    if need > n or any(s < 0 for s in stride):
        item = input._data.dtype.itemsize
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage "
                           f"offset {offset}, and itemsize {item} requiring a storage size of "
                           f"{need * item} are out of bounds for storage of size {n * item}")
    _check_src(src, size)
    pos = positions(size, stride, offset, get_array_module(input._data))
    return AsStridedScatterFn.apply(input, _as_input_dtype(src, input), pos)


def index_put(input, indices, values, accumulate=False):
    """A copy of ``input`` with ``input[indices] = values`` (``accumulate``: ``+=``, repeated
    indices adding up). ``indices``: a tuple of index tensors (None for a full slice).
    Derivative: g outside the written places (all of g when accumulating) to input,
    g[indices] to values.

    Shapes: input any shape; ``values`` broadcast to the indexed shape; the output has the input's
    shape. Raises IndexError for indices out of range; RuntimeError for values that do not broadcast
    to the indexed shape.
    """
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"index_put(): indices must be a tuple of Tensors, got "
                        f"{type(indices).__name__}")
    key = tuple(slice(None) if i is None else i for i in indices)
    nidx, advanced = normalize_index(key, input)
    v = values if isinstance(values, Tensor) else Tensor._wrap(
        get_array_module(input._data).asarray(values, dtype=input._data.dtype))
    _check_values(input, v, nidx)
    if v._data.dtype != input._data.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{input.dtype.name.capitalize()} for the destination and "
                           f"{v.dtype.name.capitalize()} for the source.")
    return IndexPutFn.apply(input, v, nidx, advanced, bool(accumulate))


def _check_values(input, v, nidx) -> None:
    try:
        shape = input._data[nidx].shape
        np.broadcast_shapes(v._data.shape, shape)
    except IndexError as e:
        raise IndexError(f"index_put: index out of range for tensor of shape "
                         f"{list(input._data.shape)}: {e}") from None
    except ValueError:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(v._data.shape)} cannot "
                           f"be broadcast to indexing result of shape {list(shape)}") from None


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["as_strided_scatter", "index_put", "select_scatter", "slice_scatter"]

# ops that also have an in-place form (``index_put_``), made by ops/inplace.py
INPLACE = ("index_put",)

METHODS = {"select_scatter": select_scatter, "slice_scatter": slice_scatter,
           "as_strided_scatter": as_strided_scatter, "index_put": index_put}
