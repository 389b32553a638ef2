"""The chunked ``linear_cross_entropy``: cross entropy of a linear layer's logits computed a few
rows at a time, so the (N, C) logits never exist at once (an LLM head has C ≈ 10⁵ classes).

For rows i of a chunk, with z = x Wᵀ + b (B, C), class weights w and t_i the target class:

    loss_i = w[t_i] · (logsumexp_j z_ij − z_{i, t_i})        (0 where t_i = ignore_index)

    'none' -> loss (N,),  'sum' -> Σ loss,  'mean' -> Σ loss / Σ_i w[t_i]  (torch's weighted mean)

Backward, recomputed chunk by chunk from the saved inputs (nothing (N, C) is kept):

    ∂loss_i/∂z_ij = w[t_i] · (softmax(z_i)_j − [j = t_i])      =: dz_ij  (× the row's g)
    ∂L/∂x = dz W      ∂L/∂W = dzᵀ x (summed over chunks)      ∂L/∂b = Σ_i dz_i

``reference`` is the same loss as ``F.linear`` then ``F.cross_entropy``; double backward
differentiates it.
"""

from __future__ import annotations

from ..autograd import Function
from ..backend import get_array_module
from ..tensor import Tensor


def _rows(x, W, b, t, cw, ignore_index: int, xp):
    """(z, target index with ignored rows at 0, per-row weight w[t_i] (0 if ignored))."""
    z = x @ W.T
    if b is not None:
        z = z + b
    valid = t != ignore_index
    ti = xp.where(valid, t, 0)
    wt = cw[ti] if cw is not None else xp.ones(ti.shape, dtype=z.dtype)
    return z, ti, xp.where(valid, wt, 0).astype(z.dtype, copy=False)


def _softmax_lse(z, xp):
    m = z.max(axis=1, keepdims=True)
    e = xp.exp(z - m)
    s = e.sum(axis=1, keepdims=True)
    return e / s, (m + xp.log(s))[:, 0]


class LinearCrossEntropyChunkedFn(Function):
    """loss = cross_entropy(x Wᵀ + b, t; w) computed ``chunk`` rows at a time (module doc);
    x (N, F), W (C, F), b (C,) or None, t (N,) int64, w (C,) or None."""

    array_io = True

    @staticmethod
    def reference(x, W, b, t, cw, reduction, ignore_index, chunk):
        """The same loss from simpler ops: −w[t]·log_softmax(linear(x, W, b))[t], reduced."""
        from .matmul import linear
        from .softmax import log_softmax

        lp = log_softmax(linear(x, W, b), 1)
        xp = get_array_module(lp._data)
        valid = t._data != ignore_index
        ti = xp.where(valid, t._data, 0)
        wt = cw._data[ti] if cw is not None else xp.ones(ti.shape, dtype=lp._data.dtype)
        wt = xp.where(valid, wt, 0).astype(lp._data.dtype, copy=False)
        loss = -lp.gather(1, Tensor._wrap(ti[:, None]))[:, 0] * Tensor._wrap(wt)
        if reduction == "none":
            return loss
        return loss.sum() if reduction == "sum" else loss.sum() / Tensor._wrap(xp.asarray(wt.sum()))

    @staticmethod
    def forward(ctx, x, W, b, t, cw, reduction, ignore_index, chunk):
        xp = get_array_module(x)
        N = x.shape[0]
        loss = xp.zeros(N, dtype=x.dtype)
        wsum = xp.zeros((), dtype=x.dtype)
        for s in range(0, N, chunk):
            z, ti, wt = _rows(x[s:s + chunk], W, b, t[s:s + chunk], cw, ignore_index, xp)
            _, lse = _softmax_lse(z, xp)
            zt = xp.take_along_axis(z, ti[:, None], axis=1)[:, 0]
            loss[s:s + chunk] = wt * (lse - zt)  # w[t]·(logsumexp z − z_t)
            wsum = wsum + wt.sum()
        ctx.save_for_backward(x, W, b, t, cw)
        ctx.args = (reduction, ignore_index, chunk, wsum)
        if reduction == "none":
            return loss
        total = loss.sum()
        return total if reduction == "sum" else total / wsum

    @staticmethod
    def backward(ctx, g):
        x, W, b, t, cw = ctx.saved_tensors
        reduction, ignore_index, chunk, wsum = ctx.args
        xp = get_array_module(g)
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        gx = xp.zeros_like(x) if need_x else None
        gW = xp.zeros_like(W) if need_w else None
        gb = xp.zeros_like(b) if need_b else None
        for s in range(0, x.shape[0], chunk):
            xc = x[s:s + chunk]
            z, ti, wt = _rows(xc, W, b, t[s:s + chunk], cw, ignore_index, xp)
            p, _ = _softmax_lse(z, xp)
            p[xp.arange(len(ti)), ti] -= 1  # ∂(lse − z_t)/∂z = softmax(z) − onehot(t)
            gi = g[s:s + chunk] if reduction == "none" else (g if reduction == "sum" else g / wsum)
            dz = p * (wt * gi)[:, None]  # × w[t_i] × the row's upstream gradient
            if need_x:
                gx[s:s + chunk] = dz @ W  # ∂z/∂x = W
            if need_w:
                gW += dz.T @ xc  # ∂z/∂W = x, summed over the chunks
            if need_b:
                gb += dz.sum(axis=0)  # ∂z/∂b = 1
        return gx, gW, gb, None, None, None, None, None


METHODS: dict = {}
__all__: list = []
