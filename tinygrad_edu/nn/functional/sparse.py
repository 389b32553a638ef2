"""``F.embedding`` (a lookup table; backward in ``ops/embedding.py``) and ``F.one_hot``."""

from __future__ import annotations

import numpy as np

from ...autograd import no_grad
from ...backend import get_array_module
from ...ops.embedding import EmbeddingFn
from ...ops.index import one_hot
from ...tensor import Tensor

__all__ = ["embedding", "one_hot"]


def _renorm_(weight: Tensor, idx, max_norm: float, norm_type: float) -> None:
    """torch's max_norm: rows used by ``idx`` with norm > max_norm are scaled (in place, no
    grad) to norm max_norm (torch: scale = max_norm / (norm + 1e-7))."""
    xp = get_array_module(weight._data)
    rows = xp.unique(idx.reshape(-1))
    w = weight._data
    norms = (xp.abs(w[rows]) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    big = norms > max_norm
    if bool(big.any()):
        scale = (max_norm / (norms[big] + 1e-7)).astype(w.dtype)
        with no_grad():
            w[rows[big]] *= scale[:, None]
        weight._version += 1


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows ``weight[input]``; see :class:`Embedding`."""
    idx = input._data if isinstance(input, Tensor) else np.asarray(input)
    if idx.dtype.kind not in "iu":
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
    out = EmbeddingFn.apply(weight, idx, padding_idx, bool(scale_grad_by_freq))
    return out if poison is None else out * Tensor._wrap(poison)
