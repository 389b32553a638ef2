"""Copies and combinations: repeat, tile, repeat_interleave, meshgrid, cartesian_prod,
combinations, block_diag, broadcast_shapes.

Whatever is copied several times gets the sum of its copies' gradients (repeat's backward
sums over the repeats; the others are index_select / expand / cat, whose backwards do).
"""

from __future__ import annotations

import itertools

import numpy as np

from .._args import no_kernel, require_tensor, require_tensors
from ..autograd import Function
from ..backend import get_array_module, to_numpy
from ..tensor import Size, Tensor, _wrap_dim
from ._dual import xp_of
from ._util import named
from .index import index_select
from .join import cat, stack, tensor_list
from .promotion import _dt, cast
from .shape import _shape_arg, expand, reshape


class RepeatFn(Function):
    """y = x tiled ``reps`` times along each axis"""

    array_io = True

    @staticmethod
    def forward(ctx, x, reps):
        ctx.shape = (1,) * (len(reps) - x.ndim) + x.shape
        ctx.reps = reps
        return get_array_module(x).tile(x, reps)

    @staticmethod
    def backward(ctx, g):
        # view g as (r₀, s₀, r₁, s₁, ...) and sum the copies: over the repeat axes rₖ
        split = []
        for r, s in zip(ctx.reps, ctx.shape):
            split += [r, s]
        xp = xp_of(g)
        return xp.sum(xp.reshape(g, split), axis=tuple(range(0, len(split), 2))), None


def repeat(input, *sizes):
    """``Tensor.repeat``: the tensor tiled ``sizes[k]`` times along dim k (extra leading sizes
    add dims). Raises RuntimeError for fewer sizes than dims or a negative size. Derivative:
    the sum of g over the copies.

    Shapes: input (d₁, ..., dₖ), ``sizes`` (s₀, ..., sₙ) with n ≥ k → the input left-padded to n
    dims, each multiplied by its size.
    """
    sizes = _shape_arg(sizes, "repeat", "repeats")
    if len(sizes) < input._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"Trying to create tensor with negative dimension: {list(sizes)}")
    return RepeatFn.apply(input, sizes)


def tile(input, dims):
    """``repeat`` where fewer ``dims`` than the tensor's dims are padded with leading 1s.

    Shapes: input (d₁, ..., dₖ), ``dims`` (r₁, ..., rₖ) (left-padded with 1s) → (d₁·r₁, ..., dₖ·rₖ).
    Raises RuntimeError for a negative repeat. Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "tile")
    dims = _shape_arg((dims,) if isinstance(dims, int) else tuple(dims), "tile", "dims")
    dims = (1,) * (input._data.ndim - len(dims)) + dims
    return repeat(input, *dims)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Each element (or slice along ``dim``) repeated ``repeats`` times in place: [a, b] ->
    [a, a, b, b]. ``repeats``: an int or a 1-D tensor (one count per slice). Without dim: over
    the flattened input. ``repeat_interleave(counts)``: the indices 0, 1, ... each repeated
    (1-D integer counts; the result in their dtype). Raises RuntimeError for negative counts,
    counts of the wrong length or rank; NotImplementedError for float or bool counts.
    Derivative: each slice gets the sum of its copies' gradients.

    Shapes: input (..., n, ...) → the shape with ``dim`` of size Σ repeats (without ``dim``: (numel
    · repeats,)). Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "repeat_interleave")
    if repeats is None:  # repeat_interleave(repeats_tensor): repeated indices, in its dtype
        no_kernel(input, "repeat_interleave_cpu", "bf")
        counts = to_numpy(input._data)
        if counts.ndim != 1:
            raise RuntimeError(f"repeat_interleave only accept 1D vector as repeat (got shape "
                               f"{list(counts.shape)})")
        if (counts < 0).any():
            raise RuntimeError("repeats can not be negative")
        idx = np.repeat(np.arange(counts.size, dtype=counts.dtype), counts)
        return Tensor._wrap(get_array_module(input._data).asarray(idx))
    x = reshape(input, -1) if dim is None else input
    d = 0 if dim is None else _wrap_dim(dim, x._data.ndim, "repeat_interleave")
    n = x._data.shape[d] if x._data.ndim else 1
    if x._data.ndim == 0:
        x = reshape(x, 1)
    r = repeats._data if isinstance(repeats, Tensor) else np.asarray(repeats)
    r = np.asarray(r).reshape(-1) if r.ndim else np.full(n, int(r))
    if r.size == 1 and n != 1:
        r = np.full(n, int(r[0]))
    if (r < 0).any():
        raise RuntimeError("repeats can not be negative" if isinstance(repeats, Tensor)
                           else "Repeats must be non-negative")
    if r.size != n:
        raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                           f"repeats.size(0) = {r.size} and input.size({d}) = {n}")
    idx = np.repeat(np.arange(n, dtype=np.int64), r)
    if output_size is not None and idx.size != output_size:
        raise RuntimeError(f"repeat_interleave: output_size {output_size} does not match the "
                           f"repeated size {idx.size}")
    return index_select(x, d, Tensor._wrap(get_array_module(x._data).asarray(idx)))


def meshgrid(*tensors, indexing=None):
    """Coordinate grids: for 1-D (or 0-d) tensors of sizes n₀, n₁, ..., each output has shape
    (n₀, n₁, ...) and varies along its own dim ('ij'); 'xy' swaps the first two dims
    (Cartesian, as NumPy). Views (expanded). Derivative: the sum of g over the copies.

    Shapes: k tensors (nᵢ,) → k tensors (n₀, n₁, ..., nₖ₋₁) ('xy': n₀ and n₁ swapped). Raises
    RuntimeError for a tensor that is not 0-d or 1-D.
    """
    ts = tensor_list(tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple))
                     else tensors, "meshgrid")
    if not ts:
        raise RuntimeError("torch.meshgrid: expects a non-empty TensorList")
    indexing = indexing or "ij"
    if indexing not in ("ij", "xy"):
        raise ValueError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                         f"received: {indexing}")
    for t in ts:
        if t._data.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got: {t._data.ndim}D tensor")
    ts = [reshape(t, -1) for t in ts]
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    shape = tuple(t._data.shape[0] for t in ts)
    out = []
    for k, t in enumerate(ts):
        view = [1] * len(ts)
        view[k] = shape[k]
        out.append(expand(reshape(t, tuple(view)), *shape))
    if swap:  # 'xy' is 'ij' of (b, a, ...) with the first two grids swapped back
        out[0], out[1] = out[1], out[0]
    return tuple(out)


def cartesian_prod(*tensors):
    """All tuples (a, b, ...) with a from the first 1-D tensor, b from the second, ...: shape
    (Π nᵢ, k) (one tensor: itself). Derivative: the sum over the rows that copy an element.

    Shapes: k 1-D tensors (nᵢ,) → (Π nᵢ, k); one tensor (n,) → (n,). Raises RuntimeError for a
    tensor that is not 1-D, TypeError for an argument that is not a Tensor.
    """
    ts = list(tensors)
    require_tensors(ts, "cartesian_prod")
    if len(ts) == 1:
        return ts[0]
    grids = meshgrid(*ts, indexing="ij")
    return stack([reshape(g, -1) for g in grids], 1)


def combinations(input, r=2, with_replacement=False):
    """All r-element combinations of a 1-D tensor's elements, in order (as itertools): shape
    (C, r); ``with_replacement`` allows repeats. Raises RuntimeError for a non-1-D input or a
    negative r. Derivative: each element gets the sum of g where it appears.

    Shapes: (n,) → (C, r), C the number of combinations.
    Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "combinations")
    if input._data.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input._data.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return Tensor._wrap(get_array_module(input._data).empty((0,), dtype=input._data.dtype))
    n = input._data.shape[0]
    pick = itertools.combinations_with_replacement if with_replacement else \
        itertools.combinations
    rows = np.array(list(pick(range(n), r)), dtype=np.int64).reshape(-1, r)
    cols = [index_select(input, 0, Tensor._wrap(get_array_module(input._data).asarray(
        np.ascontiguousarray(rows[:, k])))) for k in range(r)]
    return stack(cols, 1)


def block_diag(*tensors):
    """A block-diagonal matrix: the tensors (0-d -> 1×1, 1-d -> 1×n, 2-d as is) along the
    diagonal, zeros elsewhere; dtype promoted over them. Raises RuntimeError for > 2 dims.
    Derivative: each block gets its part of g.

    Shapes: k tensors (rᵢ, cᵢ) (0-d: (1, 1); 1-D (n,): (1, n)) → (Σ rᵢ, Σ cᵢ).
    """
    ts = []
    for i, t in enumerate(tensor_list(tensors, "block_diag")):
        if t._data.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer "
                               f"dimensions. Input {i} has {t._data.ndim} dimensions")
        ts.append(reshape(t, (1, -1) if t._data.ndim == 1 else (1, 1)) if t._data.ndim < 2
                  else t)
    if not ts:
        return Tensor._wrap(np.empty((1, 0), dtype=_dt.default_float().np))
    dt = _dt.result_type(*ts) if len(ts) > 1 else ts[0].dtype
    ts = [cast(t, dt) if t.dtype is not dt else t for t in ts]
    total = sum(t._data.shape[1] for t in ts)
    xp = get_array_module(ts[0]._data)
    rows, left = [], 0
    for t in ts:
        h, w = t._data.shape
        parts = [Tensor._wrap(xp.zeros((h, left), dtype=dt.np)), t,
                 Tensor._wrap(xp.zeros((h, total - left - w), dtype=dt.np))]
        rows.append(cat(parts, 1))
        left += w
    return named(cat(rows, 0), "BlockDiagBackward0")


def broadcast_shapes(*shapes):
    """The shape that tensors of ``shapes`` broadcast to (torch.Size). Raises RuntimeError when
    they do not broadcast."""
    shapes = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    try:
        return Size(np.broadcast_shapes(*shapes))
    except ValueError:
        raise RuntimeError(f"Shape mismatch: objects cannot be broadcast to a single shape "
                           f"(shapes {shapes})") from None


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["block_diag", "broadcast_shapes", "cartesian_prod", "combinations", "meshgrid",
           "repeat_interleave", "tile"]

METHODS = {"repeat": repeat, "tile": tile, "repeat_interleave": repeat_interleave}
