"""Indexing: x[idx], gather, masked_fill, one_hot, and writing into tensors without grad.

Reading picks elements; its backward writes the gradient back where they came from. When an
index repeats (advanced indexing), the copies' gradients add up: a scatter-add.
"""

from __future__ import annotations

import numpy as np

from .. import dtype as _dt
from ..autograd import Function
from ..backend import get_array_module, scatter_add
from ..dtype import kind_of
from ..tensor import Tensor, _wrap_dim
from ._dual import xp_of
from ._out import write_out
from ._util import c_order, named
from .index_parse import _tensor_index, normalize_index
from .shape import unsqueeze
from .unary import clone


class GetItemFn(Function):
    """y = x[idx]"""

    array_io = True
    is_view = True  # basic indexing (slices, ints) gives a view; advanced indexing a copy

    @staticmethod
    def forward(ctx, x, idx, advanced):
        ctx.shape, ctx.idx, ctx.advanced = x.shape, idx, advanced
        y = x[idx]
        if not advanced and not isinstance(y, np.ndarray) and get_array_module(x) is np:
            # every dim indexed by an int: NumPy returns a scalar copy, torch a 0-d view (so
            # a[1].add_(10) writes into a); an Ellipsis makes NumPy return that 0-d view
            y = x[idx + (Ellipsis,)] if all(i is not Ellipsis for i in idx) else x[idx]
        # torch: advanced indexing gives a new contiguous tensor (NumPy may permute strides)
        return get_array_module(x).asarray(y, order="C") if advanced else y

    @staticmethod
    def backward(ctx, g):
        # ∂y/∂x sends each gradient back to the element it was read from
        return IndexAccumulateFn.call(g, ctx.shape, ctx.idx, ctx.advanced), None, None

    @staticmethod
    def replay(ctx, x):
        return GetItemFn.call(x, ctx.idx, ctx.advanced)


class IndexAccumulateFn(Function):
    """x = zeros(shape); x[idx] += g — the backward of ``x[idx]`` (repeated indices add up)"""

    array_io = True

    @staticmethod
    def forward(ctx, g, shape, idx, advanced):
        ctx.idx, ctx.advanced = idx, advanced
        gx = get_array_module(g).zeros(shape, dtype=g.dtype)
        if advanced:
            scatter_add(gx, idx, g)  # repeated indices: their gradients add up
        else:
            gx[idx] = g  # basic indexing picks each element at most once
        return gx

    @staticmethod
    def backward(ctx, gg):
        return GetItemFn.call(gg, ctx.idx, ctx.advanced), None, None, None  # linear: read back


def zeros_for(shape, g):
    """A constant zeros array of ``shape`` on ``g``'s device, in ``g``'s dtype (g: an array or,
    under create_graph, a Tensor)."""
    a = g._data if isinstance(g, Tensor) else g
    return get_array_module(a).zeros(tuple(shape), dtype=a.dtype)


def index_grid(index, axis: int):
    """The advanced index that pairs each element of ``index`` with its own position on the
    other axes: x[grid] is x[i₀, .., index[i], .., iₙ] (gather/scatter along ``axis``)."""
    xp = get_array_module(index)
    grid = list(xp.ix_(*[xp.arange(s) for s in index.shape])) if index.ndim else []
    if not grid:
        return (index,)
    grid[axis] = index
    return tuple(grid)


def crop(index_shape, axis: int) -> tuple:
    """The part of an input that gather/scatter reach: index's extent on the other axes."""
    return tuple(slice(None) if d == axis else slice(0, n) for d, n in enumerate(index_shape))


class GatherFn(Function):
    """y[i][j] = x[i][index[i][j]] (along ``axis``)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, index, axis):
        ctx.shape, ctx.axis = x.shape, axis
        ctx.save_for_backward(index)
        if index.size == 0:
            return get_array_module(x).empty(index.shape, dtype=x.dtype)
        if x.ndim == 0:  # a 0-d x acts as 1-d of size 1: every index reads x
            return get_array_module(x).full(index.shape, x, dtype=x.dtype)
        # torch reads only the index's extent on the other axes (it may be smaller than x's)
        return get_array_module(x).take_along_axis(x[crop(index.shape, axis)], index, axis=axis)

    @staticmethod
    def backward(ctx, g):
        (index,) = ctx.saved_tensors
        # send each gradient back to the element it read: zeros, scatter-added
        z = zeros_for(ctx.shape, g)
        return ScatterAddFn.call(z, index, g, ctx.axis), None, None


class ScatterAddFn(Function):
    """y = x; y[i][index[i][j]] += src[i][j] (along ``axis``; repeated indices add up)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, index, src, axis):
        ctx.axis, ctx.src_shape = axis, src.shape
        ctx.save_for_backward(index)
        y = x.copy()
        if index.size:
            if y.ndim == 0:
                y[...] += src.reshape(-1)[: index.size].sum()
            else:
                scatter_add(y, index_grid(index, axis), src[crop(index.shape, axis)])
        return y

    @staticmethod
    def backward(ctx, g):
        (index,) = ctx.saved_tensors
        # ∂y/∂x = 1; ∂y/∂src[i][j] = 1 at the element it was added to: gather g back
        gs = gather_into(g, index, ctx.axis, ctx.src_shape) if ctx.needs_input_grad[2] else None
        return g, None, gs, None


def gather_into(g, index, axis: int, shape):
    """gather(g, axis, index), padded with zeros to ``shape`` (a src larger than index gets no
    gradient where the index does not reach)."""
    out = GatherFn.call(g, index, axis)
    if tuple(out.shape) != tuple(shape):
        out = IndexAccumulateFn.call(out, tuple(shape), crop(index.shape, axis), False)
    return out


class MaskedFillFn(Function):
    """y = value where mask else x (value: a number, or a 0-d tensor)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, mask, value):
        ctx.mask = mask
        v = value.astype(x.dtype) if hasattr(value, "dtype") else x.dtype.type(value)
        xp = get_array_module(x)
        return c_order(xp.where(mask, v, x))  # row-major, as torch's

    @staticmethod
    def backward(ctx, g):
        xp = xp_of(g)
        gv = xp.where(ctx.mask, g, 0) if ctx.needs_input_grad[2] else None
        # ∂y/∂x = [not mask]; ∂y/∂value = [mask] (summed to value's 0-d shape by the engine)
        return xp.where(ctx.mask, 0, g), None, gv


# ---- index normalization -------------------------------------------------------------------------
def getitem(x: Tensor, idx):
    """``x[idx]``: basic indexing (ints, slices, None, ...) gives a view; tensors, lists and
    bool masks (advanced indexing) a copy. Raises IndexError out of range or for a bad index.
    Derivative: g back to the places read (repeated indices add up)."""
    if isinstance(idx, Tensor):  # one tensor: read once (a 0-d integer is an int, uint8 a mask)
        idx = _tensor_index(idx, stacklevel=3)
    m = idx
    if getattr(m, "dtype", None) == np.bool_ and m.ndim == 0:
        # torch: x[True] is x[None], x[False] an empty (0, *x.shape) tensor
        keep = get_array_module(x._data).nonzero(m.reshape(1))[0]
        return getitem(unsqueeze(x, 0), Tensor._wrap(keep.astype(np.int64)))
    nidx, advanced = normalize_index(idx, x)
    try:  # basic indexing gives a view (it shares x's storage and version counter)
        out = GetItemFn.apply(x, nidx, advanced)
        return named(out, _index_node_name(idx, advanced, x._data.shape))
    except IndexError as e:
        raise IndexError(f"index {idx!r} is out of bounds for tensor of shape "
                         f"{list(x._data.shape)}: {e}") from None


def _index_node_name(idx, advanced: bool, shape: tuple) -> str:
    """torch applies an index's parts left to right and names the node by the last op it ran;
    inside a tuple, a slice covering its whole dim runs no op (``x[:, :]`` is an alias)."""
    if advanced:
        return "IndexBackward0"
    if isinstance(idx, slice):  # a bare slice always runs (x[:] is SliceBackward0)
        return "SliceBackward0"
    parts = idx if isinstance(idx, tuple) else (idx,)
    n_dims = sum(1 for i in parts if i is not None and i is not Ellipsis)
    d, last = 0, None
    for i in parts:
        if i is Ellipsis:
            d += len(shape) - n_dims
        elif i is None:
            last = "UnsqueezeBackward0"
        elif isinstance(i, slice):
            n = shape[d] if d < len(shape) else 0
            if i.indices(n) != (0, n, 1):
                last = "SliceBackward0"
            d += 1
        else:
            last = "SelectBackward0"
            d += 1
    return last or "AliasBackward0"


def _is_array(a) -> bool:
    return type(a) is not np.generic and hasattr(a, "ndim") and not isinstance(a, np.generic)


def _index_array(index, op: str, empty_ok: bool = True):
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if kind_of(idx.dtype) not in "iu" and not (empty_ok and idx.size == 0):
        raise RuntimeError(f"{op}(): Expected dtype int64 for index (got {idx.dtype})")
    return idx


def check_gather_index(op: str, idx, shape, axis: int, other=None) -> None:
    """torch's checks of a gather/scatter index: same number of dims as the input (0-d counts
    as 1-d), no larger than the input apart from ``axis`` (nor than ``other``, a src), every
    entry in [0, size). An empty index is never checked."""
    if idx.size == 0:
        return
    nd = max(len(shape), 1)
    if max(idx.ndim, 1) != nd:
        raise RuntimeError(f"{op}(): Index tensor must have the same number of dimensions as "
                           f"input tensor (index {list(idx.shape)} vs input {list(shape)})")
    ishape, sshape = tuple(idx.shape) or (1,), tuple(shape) or (1,)
    for d, (a, b) in enumerate(zip(ishape, sshape)):
        if (d != axis and a > b) or (other is not None and a > (tuple(other) or (1,))[d]):
            extra = "" if other is None else f" and to be no larger size than src {list(other)}"
            raise RuntimeError(f"{op}(): Size does not match at dimension {d} expected index "
                               f"{list(idx.shape)} to be no larger than self {list(shape)} apart "
                               f"from dimension {axis}{extra}")
    n = sshape[axis]
    bad = (idx < 0) | (idx >= n)  # torch: no wrapping of negative indices here
    if bad.any():
        raise RuntimeError(f"{op}(): index {int(idx[bad].reshape(-1)[0])} is out of bounds for "
                           f"dimension {axis} with size {n}")


def gather(input, dim, index, *, sparse_grad=False, out=None):
    """``y[i][j][k] = input[i][index[i][j][k]][k]`` (for dim = 1): pick along ``dim`` by
    ``index``.

    Shapes: index has input's number of dims and is no larger on the other dims; y has
    index's shape. dtype: input's. Raises RuntimeError for a bad index (dtype, dims, sizes,
    out of range). Derivative: each g goes back to the element it read (a scatter-add)."""
    axis = _wrap_dim(dim, input._data.ndim, "gather")
    idx = _index_array(index, "gather")
    check_gather_index("gather", idx, input._data.shape, axis)
    if idx.size == 0 and kind_of(idx.dtype) not in "iu":
        idx = idx.astype(np.int64)
    return write_out(out, GatherFn.apply(input, idx, axis), "gather", input, index)


def index_select(input, dim, index, *, out=None):
    """The slices of ``input`` at ``index`` (1-D) along ``dim``: ``input[..., index, ...]``.

    It is advanced indexing, so GetItem's backward scatter-adds: an index picked twice gets
    both gradients. Shapes: input (..., n, ...), ``index`` (k,) → the shape with ``dim`` of size k.
    Raises IndexError for ``dim`` out of range, an index out of range or not 1-D."""
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if kind_of(idx.dtype) not in "iu":
        raise RuntimeError(f"index_select(): Expected dtype int32 or int64 for index "
                           f"(got {idx.dtype})")
    if idx.ndim > 1:
        raise IndexError(f"index_select(): Index is supposed to be a vector (got shape "
                         f"{list(idx.shape)})")
    nd = input._data.ndim
    axis = _wrap_dim(dim, max(nd, 1), "index_select")
    n = input._data.shape[axis] if nd else 1
    if idx.size and ((idx < 0) | (idx >= n)).any():  # torch: no negative indices here
        raise IndexError(f"index_select(): index out of range in self (index "
                         f"{idx.tolist()}, size {n} at dimension {axis})")
    if nd == 0:  # torch: a 0-d input gives itself back
        return write_out(out, clone(input), "index_select", input, index)
    key = (slice(None),) * axis + (Tensor._wrap(idx.reshape(-1).astype(np.int64)),)
    res = named(getitem(input, key), "IndexSelectBackward0")
    return write_out(out, res, "index_select", input, index)


def masked_fill(input, mask, value):
    """``value`` where ``mask`` (broadcast against input) is True, input elsewhere. ``value``:
    a number or a 0-d tensor (whose gradient is the sum of g over the mask). dtype: input's.
    Raises RuntimeError for a non-bool mask, a mask that does not broadcast, a value tensor
    with dims. Derivative: g where the mask is False. Shapes: ``mask`` broadcasts to the input's
    shape; the output has the input's shape."""
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_fill only supports boolean masks, but got mask with dtype "
                           f"{m.dtype}")
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value._data.ndim} dimension(s).")
    if isinstance(value, complex) or getattr(value, "dtype", None) in ("complex64",):
        raise RuntimeError(f"value cannot be converted to type {input.dtype.name} without "
                           "overflow")
    try:
        np.broadcast_shapes(m.shape, input._data.shape)
    except ValueError:
        raise RuntimeError(f"masked_fill: The size of the mask {list(m.shape)} must be "
                           f"broadcastable to input {list(input._data.shape)}") from None
    if isinstance(value, _dt.NUMBERS):  # torch's overflow rule
        value = _dt.checked_scalar(value, input._data.dtype)
    return MaskedFillFn.apply(input, m, value)


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["gather", "index_select", "masked_fill"]

# ops that also have an in-place form (``exp_``), made by ops/inplace.py
INPLACE = ("masked_fill",)

METHODS = {"__getitem__": getitem, "gather": gather, "masked_fill": masked_fill,
           "index_select": index_select}
