"""``F.embedding`` (a lookup table; backward in ``ops/embedding.py``), ``F.embedding_bag`` (sums,
means or maxima of bags of rows) and ``F.one_hot``."""

from __future__ import annotations

import numpy as np

from ..._args import require_tensor
from ...autograd import no_grad
from ...backend import get_array_module
from ...dtype import kind_of
from ...ops.embedding import EmbeddingFn
from ...tensor import Tensor

__all__ = ["embedding", "embedding_bag", "one_hot"]


def _renorm_(weight: Tensor, idx, max_norm: float, norm_type: float) -> None:
    """torch's max_norm: rows used by ``idx`` with norm > max_norm are scaled (in place, no
    grad) to norm max_norm (torch: scale = max_norm / (norm + 1e-7))."""
    xp = get_array_module(weight._data)
    rows = xp.unique(idx.reshape(-1))
    w = weight._data
    # torch: row.norm() (float16/bfloat16 computed in float32, so no overflow at 65504, and
    # returned in the row's dtype), read as a double; row *= scale in the opmath type
    op = xp.float64 if w.dtype == xp.float64 else xp.float32
    wide = w[rows].astype(op)
    with np.errstate(over="ignore"):
        norms = (xp.abs(wide) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    norms = norms.astype(w.dtype).astype(xp.float64)
    big = norms > max_norm
    if bool(big.any()):
        scale = (max_norm / (norms[big] + 1e-7)).astype(op)
        with no_grad():
            w[rows[big]] = (wide[big] * scale[:, None]).astype(w.dtype)
        weight._version += 1


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows ``weight[input]``; see :class:`Embedding`. Shapes: input (*) int64 indices in [0,
    num_embeddings), weight (num_embeddings, D) → (*, D). Raises IndexError for an index out
    of range, RuntimeError for a non-integer index. Derivative: ∂L/∂weight[i] = Σ of g over
    the positions holding i (none to the indices).
    Raises TypeError when ``input`` is not a Tensor."""
    require_tensor(input, "embedding")
    require_tensor(weight, "embedding", "weight", 2)
    idx = input._data if isinstance(input, Tensor) else np.asarray(input)
    if kind_of(idx.dtype) not in "iu":
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got {input.dtype} instead "
                           "(while checking arguments for embedding)")
    if weight._data.ndim != 2:
        raise RuntimeError(f"embedding: 'weight' must be 2-D, got size {list(weight.shape)}")
    if sparse:
        raise NotImplementedError("embedding: sparse=True (sparse gradients) is not supported; "
                                  "tinygrad_edu keeps gradients dense")
    n = weight._data.shape[0]
    xp = get_array_module(idx)
    poison = None
    if idx.size and xp is np:
        if int(idx.min()) < 0 or int(idx.max()) >= n:
            raise IndexError(f"embedding: index out of range in self (indices must be in [0, "
                             f"{n}), got min {int(idx.min())}, max {int(idx.max())})")
    elif idx.size:  # GPU: a host check would sync every step (torch: a device-side assert);
        bad = (idx < 0) | (idx >= n)  # so out-of-range rows read row 0 and come out nan
        poison = xp.where(bad.any(), xp.nan, 1.0).astype(weight._data.dtype)
        idx = xp.where(bad, 0, idx)
    if padding_idx is not None:
        if padding_idx < 0:
            padding_idx += n
        if not 0 <= padding_idx < n:
            raise AssertionError("Padding_idx must be within num_embeddings")
    if max_norm is not None:
        _renorm_(weight, idx, max_norm, norm_type)
    return EmbeddingFn.apply(weight, idx, padding_idx, bool(scale_grad_by_freq), poison)


def _bags(input, offsets, include_last_offset: bool):
    """Flat int64 indices, the bag number of each, and the bag count B, checked as torch."""
    idx = input._data if isinstance(input, Tensor) else np.asarray(input)
    xp = get_array_module(idx)
    if kind_of(idx.dtype) not in "iu":
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got {input.dtype} instead "
                           "(while checking arguments for embedding_bag)")
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError("embedding_bag: if input is 2D, then offsets has to be None, as "
                             "input is treated is a mini-batch of fixed length sequences. "
                             f"However, found offsets of type {type(offsets)}")
        b, n = idx.shape
        return idx.reshape(-1), xp.repeat(xp.arange(b), n), b
    if idx.ndim != 1:
        raise ValueError(f"embedding_bag: input has to be 1D or 2D Tensor, but got Tensor of "
                         f"dimension {idx.ndim}")
    if offsets is None:
        raise ValueError("embedding_bag: offsets has to be a 1D Tensor but got None")
    off = offsets._data if isinstance(offsets, Tensor) else xp.asarray(offsets)
    if off.ndim != 1:
        raise ValueError(f"embedding_bag: offsets has to be a 1D Tensor (got shape "
                         f"{list(off.shape)})")
    off = off.astype(np.int64)
    if off.size and int(off[0]) != 0:
        raise RuntimeError("embedding_bag: offsets[0] has to be 0, i.e., the first sequence in "
                           f"the mini-batch has to start from position 0. However, got "
                           f"{int(off[0])}")
    if off.size and int(off[-1]) > idx.size:
        raise RuntimeError(f"embedding_bag: offsets[-1] can not be greater than input's length "
                           f"{idx.size} but got offsets[-1] of {int(off[-1])}")
    b = off.size - 1 if include_last_offset else off.size
    end = int(off[-1]) if include_last_offset and off.size else idx.size
    bag = xp.searchsorted(off[:b], xp.arange(end), side="right") - 1  # bag of each position
    return idx[:end], bag, max(b, 0)


def _bag_max(rows: Tensor, bid, b: int, xp) -> Tensor:
    """out[k, d] = max of rows[i, d] over bag k's entries, as torch's CPU kernel picks it: the
    bag's first entry, replaced by each later one that is strictly greater (so a nan first
    entry stays, a later nan never wins, ties keep the first). The result is a gather of the
    chosen entries (empty bags: 0), so g[k, d] goes to that one entry and nowhere else.
    ``bid`` (M,) is each row's bag, non-decreasing (bags are contiguous)."""
    r = rows._data
    m = r.shape[0]
    start = xp.ones(m, dtype=bool)
    start[1:] = bid[1:] != bid[:-1]
    starts = xp.flatnonzero(start)  # first entry of each non-empty bag
    seg = xp.cumsum(start) - 1  # each entry's segment
    first_nan = xp.isnan(r[starts])
    with np.errstate(invalid="ignore"):
        best = xp.fmax.reduceat(r, starts, axis=0)  # the max of the non-nan values
        best = xp.where(first_nan, r[starts], best)
        cand = xp.where(r == best[seg], xp.arange(m)[:, None], m)
    pick = xp.where(first_nan, starts[:, None], xp.minimum.reduceat(cand, starts, axis=0))
    index = xp.zeros((b, r.shape[1]), dtype=xp.int64)
    index[bid[starts]] = pick
    empty = xp.ones((b, 1), dtype=bool)
    empty[bid[starts]] = False
    return rows.gather(0, Tensor._wrap(index)).masked_fill(Tensor._wrap(empty), 0.0)


def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None,
                  max_norm: float | None = None, norm_type: float = 2,
                  scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """Sums, means or maxima of bags of embedding rows, without building ``weight[input]``
    as one (B, L, D) tensor first.

    Shapes: ``weight`` (num_embeddings, D); ``input`` either (B, L) (B bags of L indices,
    ``offsets`` None) or (N,) with ``offsets`` (B,) marking where each bag starts (bag k is
    ``input[offsets[k]:offsets[k+1]]``; with ``include_last_offset`` offsets has B+1 entries
    and the last one ends the last bag). Result (B, D), weight's dtype:

        sum:  out[k] = Σ_{i in bag k} w_i · weight[input[i]]   (w_i = per_sample_weights or 1)
        mean: out[k] = Σ_{i in bag k} weight[input[i]] / |bag k|
        max:  out[k, d] = max_{i in bag k} weight[input[i], d]

    Entries equal to ``padding_idx`` are left out (and not counted by the mean); an empty bag
    gives zeros. Written with differentiable ops (index_select, index_add, scatter_reduce), so
    the derivative is theirs: ∂out[k]/∂weight[r] = Σ w_i over bag k's entries holding r (sum;
    divided by |bag k| for the mean; the max routes g[k, d] to the row holding the maximum),
    ∂out[k]/∂w_i = weight[input[i]].
    Raises torch's types: RuntimeError for non-integer indices, bad offsets or an index out of
    range; ValueError for a bad mode, offsets with 2-D input, or per_sample_weights whose shape
    differs from input's; NotImplementedError for per_sample_weights outside mode='sum'.
    (torch's CPU kernel divides the last bag's sum by N - offsets[-2] under include_last_offset
    with offsets[-1] < N; tinygrad_edu divides by the bag's size.)
    """
    if mode not in ("sum", "mean", "max"):
        raise ValueError("embedding_bag: mode has to be one of sum, mean or max")
    if per_sample_weights is not None and tuple(per_sample_weights.shape) != tuple(input.shape):
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) "
                         f"is not None, then it must have the same shape as the input "
                         f"({input.shape})")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError("embedding_bag: per_sample_weights was not None. "
                                  "per_sample_weights is only supported for mode='sum' "
                                  f"(got mode='{mode}')")
    if sparse:
        raise NotImplementedError("embedding_bag: sparse=True (sparse gradients) is not "
                                  "supported; tinygrad_edu keeps gradients dense")
    if scale_grad_by_freq:
        raise NotImplementedError("embedding_bag: scale_grad_by_freq=True is not supported")
    if weight._data.ndim != 2:
        raise RuntimeError(f"embedding_bag: 'weight' must be 2-D, got size {list(weight.shape)}")
    idx, bag, b = _bags(input, offsets, include_last_offset)
    xp = get_array_module(idx)
    n, d = weight._data.shape
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= n):
        bad = int(xp.flatnonzero((idx < 0) | (idx >= n))[0])
        raise RuntimeError(f"embedding_bag: Index {bad} of input takes value {int(idx[bad])} "
                           f"which is not in the valid range [0, {n})")
    keep = xp.ones(idx.shape, dtype=bool)
    if padding_idx is not None:
        if padding_idx < 0:
            padding_idx += n
        if not 0 <= padding_idx < n:
            raise AssertionError("Padding_idx must be within num_embeddings")
        keep = idx != padding_idx
    pos = xp.flatnonzero(keep)
    if max_norm is not None:
        _renorm_(weight, idx[pos], max_norm, norm_type)
    rows = weight.index_select(0, Tensor._wrap(idx[pos]))  # (M, D), M kept entries
    bag_t = Tensor._wrap(bag[pos])
    out0 = Tensor._wrap(xp.zeros((b, d), dtype=weight._data.dtype))
    if mode == "max":
        if pos.size == 0:  # every bag empty: zeros, still connected to weight
            where = Tensor._wrap(xp.zeros((0, d), dtype=xp.int64))
            return out0.scatter_reduce(0, where, rows, "amax", include_self=False)
        return _bag_max(rows, bag[pos], b, xp)
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.reshape(-1)[Tensor._wrap(pos)].unsqueeze(1)
    out = out0.index_add(0, bag_t, rows)
    if mode == "mean":
        count = xp.bincount(bag[pos], minlength=b)[:b].astype(weight._data.dtype)
        out = out / Tensor._wrap(xp.maximum(count, 1)[:, None])
    return out


def one_hot(tensor, num_classes=-1):
    """``F.one_hot``: int64 (..., num_classes) with a 1 at each class index (num_classes = max + 1
    by default). Raises RuntimeError for non-integer input or classes out of range. Shapes: (*)
    int64 → (*, num_classes). Raises TypeError when ``tensor`` is not a Tensor."""
    a = tensor._data if isinstance(tensor, Tensor) else require_tensor(tensor, "one_hot", "tensor")
    if kind_of(a.dtype) not in "iu":
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    xp = get_array_module(a)
    if num_classes == -1:
        num_classes = int(a.max()) + 1 if a.size else 0
    if a.size and (a.min() < 0 or a.max() >= num_classes):
        raise RuntimeError(f"one_hot: Class values must be in [0, {num_classes}) "
                           f"(got min {int(a.min())}, max {int(a.max())})")
    return Tensor._wrap((a[..., None] == xp.arange(num_classes)).astype(np.int64))
