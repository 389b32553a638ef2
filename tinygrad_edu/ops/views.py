"""Views beyond reshaping: select, narrow, unfold, as_strided, and the layout queries
``stride()`` / ``storage_offset()``.

Each result shares the input's memory (``is_view`` with a ``replay``, so an in-place write
through it reaches the base: design §3 "Views"). Each backward puts the gradient back where
the view read it: into zeros of the input's shape, at the same places (a *_scatter op), or,
where windows overlap (unfold, as_strided), by adding the copies up (a scatter-add).
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..backend import get_array_module
from ..dtype import kind_of
from ..tensor import Tensor, _wrap_dim
from ._dual import xp_of
from ._util import named
from .index import GetItemFn, IndexAccumulateFn, getitem
from .strided import (
    positions,
    storage_of,
    storage_size,
    strided_view,
    strides_of,
)


class _ReadsElementsFn(Function):
    """Shared backward of a view whose elements may read one input element several times:
    ``ctx.index`` holds, for each output element, the flat (row-major) index of the input
    element it reads; the gradient adds every copy's g back onto that element."""

    array_io = True
    is_view = True

    @staticmethod
    def backward(ctx, g):
        n = int(np.prod(ctx.shape))
        xp = xp_of(g)
        flat = xp.reshape(g, (-1,))
        # ∂yₘ/∂xᵢ = [m reads i]: scatter-add g over the elements read (copies add up)
        gx = IndexAccumulateFn.call(flat, (n + 1,), (ctx.index.reshape(-1),), True)
        gx = GetItemFn.call(gx, (slice(0, n),), False)  # slot n caught reads outside x
        return (xp.reshape(gx, ctx.shape),) + (None,) * ctx.n_args


class UnfoldFn(_ReadsElementsFn):
    """y[..., w, ..., k] = x[..., w·step + k, ...]: windows of ``size`` along ``dim`` every
    ``step`` elements, the window index in place of ``dim`` and the offset k as the last dim"""

    @staticmethod
    def forward(ctx, x, dim, size, step):
        ctx.shape, ctx.args, ctx.n_args = x.shape, (dim, size, step), 3
        lin = get_array_module(x).arange(x.size, dtype=np.int64).reshape(x.shape)
        ctx.index = _unfold(lin, dim, size, step)
        return _unfold(x, dim, size, step)

    @staticmethod
    def replay(ctx, x):
        return UnfoldFn.call(x, *ctx.args)


def _unfold(a, dim, size, step):
    """The unfold window as a strided view of ``a``."""
    shape, st = list(a.shape), list(strides_of(a))
    _, off = storage_of(a)
    if a.ndim == 0:
        return strided_view(a, (size,), (1,), off)
    n = (shape[dim] - size) // step + 1
    new_shape = shape[:dim] + [n] + shape[dim + 1:] + [size]
    new_st = st[:dim] + [st[dim] * step] + st[dim + 1:] + [st[dim]]
    return strided_view(a, new_shape, new_st, off)


class AsStridedFn(_ReadsElementsFn):
    """y[i] = storage(x)[offset + Σ iₖ·strideₖ]: any strided window on x's memory (windows may
    overlap, and read an element several times)"""

    @staticmethod
    def forward(ctx, x, size, stride, offset):
        ctx.shape, ctx.args, ctx.n_args = x.shape, (size, stride, offset), 3
        xp = get_array_module(x)
        _, own = storage_of(x)
        ctx.own, ctx.x_strides = own, strides_of(x)
        xpos = positions(x.shape, ctx.x_strides, own, xp).reshape(-1)
        vpos = positions(size, stride, offset, xp)
        # which element of x each view element reads (x.size: a slot x does not cover)
        end = int(max(int(xpos.max()) if xpos.size else 0, int(vpos.max()) if vpos.size else 0))
        owner = xp.full(end + 1, x.size, dtype=np.int64)
        owner[xpos] = xp.arange(x.size, dtype=np.int64)
        ctx.index = owner[vpos]
        return strided_view(x, size, stride, offset)

    @staticmethod
    def replay(ctx, x):
        a = x._data if isinstance(x, Tensor) else x
        if strides_of(a) != ctx.x_strides:
            raise NotImplementedError("as_strided: an in-place write through this view needs "
                                      "its base laid out as when the view was taken")
        size, stride, offset = ctx.args
        return AsStridedFn.call(x, size, stride, offset - ctx.own + storage_of(a)[1])


# ---- public functions ---------------------------------------------------------------------------
def select(input, dim, index):
    """``input[..., index, ...]`` along ``dim`` (that dim removed); a view. Raises IndexError for
    a 0-d input or an index outside [−size, size). Derivative: g lands at the selected slice.

    Shapes: input (d₀, ..., dₙ) → the shape with ``dim`` removed.
    """
    nd = input._data.ndim
    if nd == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, nd, "select")
    n = input._data.shape[d]
    index = int(index)
    if not -n <= index < n:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input._data.shape)} at dimension {d}")
    return named(getitem(input, (slice(None),) * d + (index,)), "SelectBackward0")


def _int_arg(v, what: str, op: str) -> int:
    if isinstance(v, Tensor):
        if v._data.ndim != 0 or kind_of(v._data.dtype) not in "iu":
            raise RuntimeError(f"{what} must be an 0-dim integral Tensor.")
        return int(v._data)
    return int(v)


def narrow(input, dim, start, length):
    """Elements ``start .. start+length−1`` along ``dim`` (a view; a negative start counts from
    the end, as torch). Raises RuntimeError for a 0-d input or a range past the end, IndexError
    for a dim or start out of range. Derivative: g lands in the narrowed slice.

    Shapes: input (*) → the shape with ``dim`` of size ``length``.
    """
    nd = input._data.ndim
    if nd == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, nd, "narrow")
    n = input._data.shape[d]
    start = _int_arg(start, "start", "narrow")
    length = int(length)
    if not -n <= start <= n:
        raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got "
                         f"{start})")
    if start < 0:
        start += n
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    idx = (slice(None),) * d + (slice(start, start + length),)
    return named(GetItemFn.apply(input, idx, False), "SliceBackward0")


def unfold(input, dimension, size, step):
    """``Tensor.unfold``: every window of ``size`` elements along ``dimension``, one each
    ``step``: shape (..., (n − size) // step + 1, ..., size), a view. Raises RuntimeError for a
    size larger than the dim, a negative size or a step < 1. Derivative: each window's g adds
    back onto the elements it covers (windows may overlap).

    Shapes: input (..., n, ...) at ``dimension`` → (..., (n − size)//step + 1, ..., size): the
    window count replaces the dim, a new last dim of ``size``.
    """
    nd = input._data.ndim
    d = _wrap_dim(dimension, nd, "unfold")
    n = input._data.shape[d] if nd else 1
    size, step = int(size), int(step)
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    return UnfoldFn.apply(input, d, size, step)


def as_strided(input, size, stride, storage_offset=None):
    """The window of ``input``'s storage with shape ``size`` and element strides ``stride``,
    starting at ``storage_offset`` (default: the input's own): y[i] = storage[offset +
    Σ iₖ·strideₖ], a view. Windows may overlap. Raises RuntimeError for negative strides, a
    length mismatch, or a window past the end of the storage. Derivative: g adds back onto
    the elements each view element reads (copies add up); storage x does not cover gets none.

    Shapes: input any shape → ``size``; ``stride`` has one entry per dim of ``size``.
    """
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got "
                           f"strides: {list(stride)}")
    a = input._data
    root, own = storage_of(a)
    offset = own if storage_offset is None else int(storage_offset)
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    need = 0 if 0 in size else offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))
    have = storage_size(root, a.dtype.itemsize)
    if need > have:
        raise RuntimeError(
            f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, "
            f"and itemsize {a.dtype.itemsize} requiring a storage size of "
            f"{need * a.dtype.itemsize} are out of bounds for storage of size "
            f"{have * a.dtype.itemsize}")
    return AsStridedFn.apply(input, size, stride, offset)


def stride(input, dim=None):
    """``Tensor.stride()``: elements to step in memory for +1 along each dim.

    Shapes: input (d₀, ..., dₙ) → a tuple of n + 1 ints (an int with ``dim``). Raises IndexError for
    ``dim`` out of range.
    """
    st = strides_of(input._data)
    return st if dim is None else st[_wrap_dim(dim, input._data.ndim, "stride")]


def storage_offset(input) -> int:
    """``Tensor.storage_offset()``: where the first element sits in the storage (elements).

    Shapes: any; returns a Python int.

    Raises TypeError for a memory format that is not one.
    """
    return int(storage_of(input._data)[1])


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["as_strided", "narrow", "select"]

METHODS = {"select": select, "narrow": narrow, "unfold": unfold,
           "as_strided": as_strided, "stride": stride, "storage_offset": storage_offset}
