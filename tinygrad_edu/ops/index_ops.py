"""Index-based writes and reads with torch's names: ``index_add``, ``index_copy``,
``index_fill``, ``index_reduce`` (slices along one dim, picked by a 1-D index), ``take`` and
``put`` (the flattened tensor), ``masked_select`` and ``masked_scatter`` (by a bool mask),
``unravel_index``.

Each is an op of ops/scatter.py, ops/index.py or ops/view_scatter.py seen another way (an
``index_*`` op is the scatter op with the 1-D index spread over source's shape), so the
gradients are theirs; the node keeps torch's name.
"""

from __future__ import annotations

import numpy as np

from .._args import require_tensor
from ..autograd import Function
from ..backend import get_array_module
from ..dtype import kind_of
from ..tensor import Tensor, _wrap_dim
from ._dual import xp_of
from ._out import write_out
from ._util import named
from .arithmetic import mul
from .index import GetItemFn, IndexAccumulateFn, getitem, masked_fill
from .scatter import ScatterFn, scatter_add, scatter_reduce
from .shape import reshape
from .shape_as import broadcast_to
from .view_scatter import IndexPutFn, index_put

_VECTOR = {  # torch's words for an index of 2+ dims (IndexError; index_fill: RuntimeError)
    "index_add": "Index is supposed to be a vector, but got dim: {nd} with type: Long and "
                 "size: {shape}",
    "index_reduce": "Index is supposed to be a vector, but got dim: {nd} with type: Long and "
                    "size: {shape}",
    "index_copy": "Index should have dimension 1 or 0 (got {nd})",
}


def _index_1d(op: str, index, input, dim, source=None):
    """(axis, index array, was_0d) with torch's checks of an index_* index (a vector or a
    scalar of integers, in range) and, given ``source``, of the source (:func:`_check_source`),
    in torch's order: the meta checks first, the bounds last (its kernel's)."""
    nd = input._data.ndim
    axis = _wrap_dim(dim, nd, op)
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.ndim > 1:
        if op in _VECTOR:
            raise IndexError(f"{op}(): " + _VECTOR[op].format(nd=idx.ndim,
                                                               shape=list(idx.shape)))
        raise RuntimeError(f"{op}(): Index has to be a vector/scalar (got shape "
                           f"{list(idx.shape)})")
    if source is not None and op == "index_copy":
        _copy_dims(input, idx.size, source)
    if kind_of(idx.dtype) not in "iu":
        raise RuntimeError(f"{op}(): Expected a long tensor for index, but got {idx.dtype}")
    if source is not None:
        _check_source(op, input, axis, idx.size, source)
    n = input._data.shape[axis] if nd else 1
    bad = (idx < -n) | (idx >= n)
    if bad.any():
        raise IndexError(f"{op}(): index {int(idx[bad].reshape(-1)[0])} is out of bounds for "
                         f"dimension {axis} with size {n}")
    return axis, (idx.reshape(-1) % max(n, 1)).astype(np.int64), nd == 0


def _spread(idx, axis: int, shape):
    """The 1-D index laid along ``axis`` and repeated over the other dims of ``shape``."""
    xp = get_array_module(idx)
    view = [1] * len(shape)
    view[axis] = idx.size
    return xp.broadcast_to(idx.reshape(view), tuple(shape))


def _sliced(shape, axis):
    return [n for k, n in enumerate(shape) if k != axis]


def _copy_dims(input, k: int, source) -> None:
    """index_copy's first checks (before the index dtype's): IndexError, as torch."""
    s, x = source._data.shape, input._data.shape
    if not s and k != 1:
        raise IndexError(f"index_copy(): When source is scalar, index should have one element "
                         f"(got {k})")
    if s and x and len(s) != len(x):
        raise IndexError(f"index_copy(): When source and destination are not scalars, their "
                         f"dimensionality must match. Source dimensionality ({len(s)}), "
                         f"destination dimensionality ({len(x)})")


def _check_source(op: str, input, axis, k: int, source) -> None:
    """torch's checks of an index_* source, in its order (index_add/index_reduce: the meta
    function ``index_func_meta_impl``; index_copy: ``index_copy_meta``, which raises IndexError
    for some and lets a 0-d source fill a 1-D input's one index)."""
    s, x = list(source._data.shape), list(input._data.shape)
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"{op}(): self ({input.dtype.name}) and source ({source.dtype.name}) "
                           "must have the same scalar type")
    if op == "index_copy":
        if _sliced(x, axis) != _sliced(s, axis):
            raise RuntimeError(f"{op}(): Source/destination tensor must have same slice shapes. "
                               f"Destination slice shape: {_sliced(x, axis)} at dimension {axis} "
                               f"and source slice shape: {_sliced(s, axis)} at dimension 0.")
        if s and k != s[axis]:
            raise IndexError(f"{op}(): Number of indices ({k}) should be equal to "
                             f"source.size(dim) ({s[axis]})")
        return
    if s and axis >= len(s):
        raise RuntimeError(f"{op}(): Indexing dim {axis} is out of bounds of the source tensor "
                           f"with dim {len(s)}")
    if k != (s[axis] if s else 1):
        raise RuntimeError(f"{op}(): Number of indices ({k}) should be equal to source.size(dim):"
                           f" ({s[axis] if s else 1}), for dim: {axis}")
    if (_sliced(x, axis) if s and x else x) != (_sliced(s, axis) if s and x else s):
        raise RuntimeError(f"{op}(): source tensor shape must match self tensor shape, "
                           f"excluding the specified dimension. Got self.shape = {x} "
                           f"source.shape = {s}")


def _source(input, axis, source, was_0d):
    """The checked source with the input's number of dims (a 0-d one: size 1 along ``axis``)."""
    if source._data.ndim == 0 and not was_0d:
        shape = [1] * input._data.ndim
        return reshape(source, tuple(shape))
    return reshape(source, (1,)) if was_0d and source._data.ndim == 0 else source


def _as_1d(input, was_0d):
    return reshape(input, 1) if was_0d else input


def _back(out, was_0d, name):
    return named(reshape(out, ()) if was_0d else out, name)


def index_add(input, dim, index, source, *, alpha=1):
    """y = input; y[..., index[k], ...] += alpha · source[..., k, ...] along ``dim`` (repeated
    indices add up). Derivative: input gets g; source gets alpha · g[..., index[k], ...].

    Shapes: input (..., n, ...), ``index`` (k,), ``source`` the input's shape with ``dim`` of size k
    → the input's shape. Raises IndexError for ``dim`` out of range; RuntimeError for a source of
    the wrong shape.
    """
    axis, idx, was_0d = _index_1d("index_add", index, input, dim, source)
    src = _source(input, axis, source, was_0d)
    if alpha != 1:
        src = mul(src, alpha)
    x = _as_1d(input, was_0d)
    out = scatter_add(x, axis, Tensor._wrap(_spread(idx, axis, src._data.shape)), src)
    return _back(out, was_0d, "IndexAddBackward0")


def index_copy(input, dim, index, source):
    """y = input; y[..., index[k], ...] = source[..., k, ...] along ``dim``. Derivative: input
    gets g where it was not overwritten; source gets g[..., index[k], ...].

    Shapes: input (..., n, ...), ``index`` (k,), ``source`` the input's shape with ``dim`` of size k
    → the input's shape. Raises IndexError for ``dim`` out of range; RuntimeError for a source of
    the wrong shape.
    """
    axis, idx, was_0d = _index_1d("index_copy", index, input, dim, source)
    src = _source(input, axis, source, was_0d)
    x = _as_1d(input, was_0d)
    out = ScatterFn.apply(x, _spread(idx, axis, src._data.shape), src, axis)
    return _back(out, was_0d, "IndexCopyBackward0")


def index_fill(input, dim, index, value):
    """y = input with the slices ``index`` along ``dim`` set to ``value`` (a number or a 0-d
    tensor, whose gradient is the sum of g over those slices). Derivative: input gets g
    outside the filled slices.

    Shapes: input (..., n, ...), ``index`` (k,) → the input's shape. Raises IndexError for ``dim``
    out of range or an index out of range.
    """
    axis, idx, was_0d = _index_1d("index_fill", index, input, dim)
    xp = get_array_module(input._data)
    mask = xp.zeros(input._data.shape or (1,), dtype=bool)
    mask[(slice(None),) * axis + (idx,)] = True
    out = masked_fill(_as_1d(input, was_0d), Tensor._wrap(mask), value)
    name = "IndexFillBackward1" if isinstance(value, Tensor) else "IndexFillBackward0"
    return _back(out, was_0d, name)


def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    """y = input where each slice ``index[k]`` along ``dim`` also takes in source[..., k, ...]
    under ``reduce`` ('prod', 'mean', 'amax', 'amin'; with ``include_self`` the input's own
    value too). Derivative: as scatter_reduce.

    Shapes: input (..., n, ...), ``index`` (k,), ``source`` the input's shape with ``dim`` of size k
    → the input's shape. Raises IndexError for ``dim`` out of range; RuntimeError for an unknown
    reduce.
    """
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or "
                           f"amin but got {reduce}.")
    axis, idx, was_0d = _index_1d("index_reduce", index, input, dim, source)
    src = _source(input, axis, source, was_0d)
    x = _as_1d(input, was_0d)
    spread = Tensor._wrap(_spread(idx, axis, src._data.shape))
    out = scatter_reduce(x, axis, spread, src, reduce, include_self=include_self)
    return _back(out, was_0d, "IndexReduceBackward0")


def _flat_index(op: str, index, n: int):
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype != np.int64:
        raise RuntimeError(f"{op}(): Expected a long tensor for index, but got {idx.dtype}")
    bad = (idx < -n) | (idx >= n)
    if bad.any():
        raise IndexError(f"out of range: tried to access index {int(idx[bad].reshape(-1)[0])} "
                         f"on a tensor of {n} elements.")
    return idx % max(n, 1)


def take(input, index, *, out=None):
    """``input.flatten()[index]``: y has index's shape (negative indices count from the end).
    Raises IndexError out of range. Derivative: g back to the elements read (repeats add).

    Shapes: input any shape, ``index`` any shape → index's shape.
    Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "take")
    require_tensor(index, "take", "index", 2)
    idx = _flat_index("take", index, input._data.size)
    res = named(getitem(reshape(input, -1), Tensor._wrap(idx)), "TakeBackward0")
    return write_out(out, res, "take", input, index)


def put(input, index, source, accumulate=False):
    """A copy of ``input`` with ``input.flatten()[index] = source.flatten()`` (``accumulate``:
    ``+=``). Raises IndexError out of range or when index and source differ in size.
    Derivative: input gets g outside the written places (all of g when accumulating); source
    gets g at index.

    Shapes: input any shape, ``index`` and ``source`` with the same number of elements → the input's
    shape.
    """
    if source._data.size != np.size(getattr(index, "_data", index)):
        raise IndexError(f"put_(): Expected source and index to have the same number of "
                         f"elements, but got source.numel() = {source._data.size}, "
                         f"index.numel() = {np.size(getattr(index, '_data', index))}")
    idx = _flat_index("put_", index, input._data.size).reshape(-1)
    flat = reshape(input, -1)
    out = IndexPutFn.apply(flat, reshape(source, -1), (idx,), True, bool(accumulate))
    return named(reshape(out, input._data.shape), "PutBackward0")


class MaskedScatterFn(Function):
    """y = x with the places where ``mask`` holds filled, in row-major order, by the first
    elements of ``source``"""

    array_io = True

    @staticmethod
    def forward(ctx, x, mask, source):
        xp = get_array_module(x)
        shape = np.broadcast_shapes(x.shape, mask.shape)
        y = xp.broadcast_to(x, shape).copy()
        m = xp.broadcast_to(mask, shape)
        k = int(m.sum())
        y[m] = source.reshape(-1)[:k]
        ctx.mask, ctx.k, ctx.src_shape = m, k, source.shape
        return y

    @staticmethod
    def backward(ctx, g):
        xp = xp_of(g)
        gs = None
        if ctx.needs_input_grad[2]:  # source's first k elements went to the mask's places
            picked = GetItemFn.call(g, get_array_module(ctx.mask).nonzero(ctx.mask), True)
            n = int(np.prod(ctx.src_shape))
            gs = xp.reshape(IndexAccumulateFn.call(picked, (n,), (slice(0, ctx.k),), False),
                            ctx.src_shape)
        return xp.where(ctx.mask, 0, g), None, gs  # ∂y/∂x = [not mask]


def _bool_mask(op: str, mask):
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(f"{op}: expected BoolTensor for mask (got {m.dtype})")
    return m


def masked_scatter(input, mask, source):
    """A copy of ``input`` (broadcast with ``mask``) whose masked places take ``source``'s
    elements in order. Raises RuntimeError for a non-bool mask or a source with fewer
    elements than the mask has True. Derivative: input gets g outside the mask; source's
    first elements get g at the mask's places, in order.

    Shapes: ``input`` and ``mask`` broadcast; ``source`` any shape with at least as many elements as
    the mask has True → the broadcast shape.
    """
    m = _bool_mask("masked_scatter_ only supports boolean masks, masked_scatter", mask)
    try:
        shape = np.broadcast_shapes(m.shape, input._data.shape)
    except ValueError:
        raise RuntimeError(f"masked_scatter: mask {list(m.shape)} does not broadcast with "
                           f"input {list(input._data.shape)}") from None
    if int(get_array_module(m).broadcast_to(m, shape).sum()) > source._data.size:
        raise RuntimeError("masked_scatter: Number of elements of source < number of ones in "
                           "mask")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"masked_scatter_: expected self and source to have same dtypes but "
                           f"got {input.dtype.name} and {source.dtype.name}")
    return MaskedScatterFn.apply(input, m, source)


def masked_select(input, mask, *, out=None):
    """The elements of ``input`` (broadcast with ``mask``) where mask is True, as a 1-D tensor
    in row-major order. Raises RuntimeError for a non-bool mask. Derivative: g back to the
    places it was read from.

    Shapes: ``input`` and ``mask`` broadcast → (k,), k the number of True in the broadcast mask.
    Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "masked_select")
    require_tensor(mask, "masked_select", "mask", 2)
    m = _bool_mask("masked_select", mask)
    shape = np.broadcast_shapes(m.shape, input._data.shape)
    x = broadcast_to(input, shape)
    res = named(getitem(x, Tensor._wrap(get_array_module(m).broadcast_to(m, shape))),
                "MaskedSelectBackward0")
    return write_out(out, res, "masked_select", input, mask)


def unravel_index(indices, shape):
    """The coordinates of flat (row-major) ``indices`` in a tensor of ``shape``: a tuple of
    int64 tensors, one per dim, each of indices' shape. Negative indices count from the end.
    Raises TypeError for non-integer indices, ValueError for a negative shape.

    Shapes: ``indices`` any shape → a tuple of len(shape) tensors of indices' shape.
    """
    a = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
    if kind_of(a.dtype) not in "iu":
        raise TypeError(f"expected 'indices' to be integer dtype, but got {a.dtype}")
    shape = (shape,) if isinstance(shape, int) else tuple(int(n) for n in shape)
    if any(n < 0 for n in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {shape}")
    total = int(np.prod(shape, dtype=object))
    if a.size and ((a < -total) | (a >= total)).any():
        raise ValueError(f"unravel_index: 'indices' must be in [-{total}, {total - 1}] for shape "
                         f"{shape}")
    xp = get_array_module(a)
    rest = a.astype(np.int64) % total if total else a.astype(np.int64)
    out = []
    for n in reversed(shape):
        out.append(rest % n)
        rest = rest // n
    return tuple(Tensor._wrap(xp.asarray(c)) for c in reversed(out))


def _clamped(x, indices):
    """The index tensors clamped into range (torch's unsafe masked indexing reads a clamped
    place where the mask is False, and discards it)."""
    key = []
    for d, i in enumerate(indices):
        if i is None:
            key.append(slice(None))
            continue
        a = i._data if isinstance(i, Tensor) else np.asarray(i)
        n = x._data.shape[d]
        key.append(Tensor._wrap(get_array_module(a).clip(a, -n, n - 1)))
    return tuple(key)


def _unsafe_masked_index(input, mask, indices, fill):
    """torch's ``_unsafe_masked_index``: ``input[indices]`` where ``mask``, ``fill`` elsewhere
    (indices out of range are clamped: they only occur where the mask is False). Derivative:
    g back to the elements read where the mask holds."""
    out = getitem(input, _clamped(input, indices))
    return masked_fill(out, Tensor._wrap(~_bool_mask("_unsafe_masked_index", mask)), fill)


def _unsafe_masked_index_put_accumulate(input, mask, indices, values):
    """torch's ``_unsafe_masked_index_put_accumulate``: ``input`` with ``values`` added at
    ``indices`` where ``mask`` holds (clamped indices, repeated ones adding up)."""
    m = Tensor._wrap(~_bool_mask("_unsafe_masked_index_put_accumulate", mask))
    return index_put(input, _clamped(input, indices), masked_fill(values, m, 0), True)


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["_unsafe_masked_index", "_unsafe_masked_index_put_accumulate", "index_add",
           "index_copy", "index_fill", "index_reduce", "masked_scatter", "masked_select", "put",
           "take", "unravel_index"]

# ops that also have an in-place form (``index_add_``), made by ops/inplace.py
INPLACE = ("index_add", "index_copy", "index_fill", "index_reduce", "masked_scatter", "put")

METHODS = {"index_add": index_add, "index_copy": index_copy, "index_fill": index_fill,
           "index_reduce": index_reduce, "masked_scatter": masked_scatter,
           "masked_select": masked_select, "put": put, "take": take}
