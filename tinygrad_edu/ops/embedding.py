"""EmbeddingFn lookup: rows of a weight matrix picked by integer indices.

    y[..., :] = W[idx[...], :]

Backward: each use of row r sends its upstream gradient back to row r, so
∂L/∂W[r] = Σ_{positions with idx = r} g[position]: a scatter-add (repeated indices add up).
torch: the padding_idx row gets no gradient; with scale_grad_by_freq each row's sum is divided
by how often it occurs in this batch.
"""

from __future__ import annotations

from ..autograd import Function
from ..backend import get_array_module, scatter_add
from ..tensor import Tensor
from .index import GetItemFn


class EmbeddingFn(Function):
    """y = W[idx]  (idx: an integer array of any shape, W: (num_embeddings, dim))"""

    array_io = True

    @staticmethod
    def reference(weight, idx, padding_idx, scale_grad_by_freq, poison=None):
        """The plain twin: W[idx] as an indexing op; the padding row is read through a
        detached copy (no gradient), and with scale_grad_by_freq each read's gradient is
        divided by its index's count (value unchanged)."""
        xp = get_array_module(idx)
        w = weight
        if padding_idx is not None:
            row = Tensor._wrap(xp.arange(weight.shape[0])[:, None] == padding_idx)
            w = w.detach().where(row, w)
        y = GetItemFn.apply(w, (idx,), True)
        if scale_grad_by_freq:
            c = xp.bincount(idx.reshape(-1), minlength=weight.shape[0])[idx][..., None]
            inv = Tensor._wrap((1.0 / c).astype(weight._data.dtype))
            y = y * inv + (y * (1 - inv)).detach()
        return y if poison is None else y * Tensor._wrap(poison)

    @staticmethod
    def forward(ctx, weight, idx, padding_idx, scale_grad_by_freq, poison=None):
        ctx.idx, ctx.padding_idx, ctx.scale = idx, padding_idx, scale_grad_by_freq
        ctx.wshape, ctx.poison = weight.shape, poison
        y = weight[idx]
        if poison is not None:  # GPU: nan everywhere when an index was out of range (no sync)
            y = y * poison
        return y

    @staticmethod
    def backward(ctx, g):
        if ctx.poison is not None:  # the nan reaches the weight's gradient too
            g = g * (Tensor._wrap(ctx.poison) if isinstance(g, Tensor) else ctx.poison)
        xp = get_array_module(g)
        n, d = ctx.wshape
        flat = ctx.idx.reshape(-1)
        g2 = g.reshape(-1, d)
        if ctx.scale:  # torch: divide by the index's frequency in this batch
            counts = xp.bincount(flat, minlength=n)
            g2 = g2 / counts[flat][:, None].astype(g.dtype)
        gw = xp.zeros((n, d), dtype=g.dtype)
        scatter_add(gw, flat, g2)  # ∂y/∂W[r] = 1 at every position holding r: sum them
        if ctx.padding_idx is not None:
            gw[ctx.padding_idx] = 0  # torch: the padding row is never updated
        return gw, None, None, None, None
