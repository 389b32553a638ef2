"""Classification losses as fused Functions: NLL, cross-entropy with class indices (fused
log-softmax + NLL, label smoothing) and with probability targets.

Per-sample losses lₙ are reduced as torch does: none, Σl, or the weighted mean Σl / Σw_{yₙ}.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..backend import get_array_module
from ..dtype import kind_of
from ..tensor import Tensor
from ._dual import xp_of
from ._util import quiet
from .activation import LogSoftmaxFn
from .index import ScatterAddFn, zeros_for


def _row_sum(e, xp):
    """Σ_c e[n, c] kept as (N, 1, ...). For a float32/64 (N, C) array this is one BLAS GEMV,
    e @ 1 (speed: NumPy's row-wise add.reduce over 1024×1000 takes ~20× longer; the GEMV sums
    in a different order, within float rounding of it)."""
    if e.ndim == 2 and kind_of(e.dtype) == "f" and e.dtype.itemsize >= 4:
        return (e @ xp.ones(e.shape[1], dtype=e.dtype))[:, None]
    return e.sum(axis=1, keepdims=True)


_ROW_MIN = 512  # row length from which per-row NumPy loops beat NumPy's buffered loops


class _row_loops:
    """``with _row_loops(a):`` NumPy ufuncs inside run an (N, C) float array row by row.

    Speed only, the same floats: for a NumPy (N, C) float32/64 array with long rows (C >= 512),
    NumPy's default 8192-element ufunc buffer makes ``a - col`` or ``a * col`` (col of shape
    (N, 1)) copy several rows and the broadcast column through buffers; a buffer of one row's
    size lets each row run straight from memory, ~1.8x faster at 1024x1000 (measured: 180 us
    -> 100 us, one thread). Short rows keep the default (there the buffered loop is faster).
    """

    __slots__ = ("size", "old")

    def __init__(self, a) -> None:
        long_rows = (type(a) is np.ndarray and a.ndim == 2 and a.shape[1] >= _ROW_MIN
                     and a.dtype in (np.float32, np.float64))
        self.size = -(-a.shape[1] // 16) * 16 if long_rows else None  # NumPy: a multiple of 16

    def __enter__(self) -> None:
        if self.size is not None:
            self.old = np.setbufsize(self.size)

    def __exit__(self, *exc) -> None:
        if self.size is not None:
            np.setbufsize(self.old)


class _ClassLossFn(Function):
    """Shared backward bookkeeping for the class losses (class axis 1, input (N, C, d1, ...))."""

    array_io = True

    @staticmethod
    def _reduce(ctx, l, wy, reduction):
        """Per-sample losses lₙ reduced as torch does: none, Σl, or the weighted mean Σl / Σw."""
        xp = get_array_module(l)
        if reduction == "none":
            return l
        if reduction == "sum":
            return xp.asarray(l.sum())
        ctx.denom = wy.sum()
        with quiet():  # Σw = 0 gives nan, as torch
            return xp.asarray(l.sum() / ctx.denom)

    @staticmethod
    def _scale(ctx, g):
        """∂L/∂lₙ per sample (shape (N, 1, d1, ...)), with torch's weighted mean."""
        xp = xp_of(g)
        if ctx.reduction == "none":
            return xp.expand_dims(g, 1)
        if ctx.reduction == "mean":  # every target ignored: torch's loss is nan, its grad 0
            d = ctx.denom  # a device array on a GPU: no bool() of it (that would sync)
            dxp = get_array_module(d)
            nz = d != 0
            return g / dxp.where(nz, d, 1) * nz.astype(d.dtype)
        return g


class NllLossFn(_ClassLossFn):
    """lₙ = −w_{yₙ} · x_{n, yₙ}  (x = log-probabilities; ignored targets contribute 0)

    mean: L = Σ lₙ / Σ w_{yₙ} (non-ignored n), as torch.
    """

    node_name = "NllLossBackward0"  # torch's name for this node

    @staticmethod
    def forward(ctx, x, target, w, ignore_index, reduction):
        xp = get_array_module(x)
        keep = target != ignore_index
        safe = xp.where(keep, target, 0)[:, None]  # (N, 1, d...)
        wy = (w[safe[:, 0]] if w is not None else xp.ones(safe[:, 0].shape, x.dtype)) * keep
        wy = wy.astype(x.dtype, copy=False)
        l = -xp.take_along_axis(x, safe, axis=1)[:, 0] * wy
        ctx.save_for_backward(safe)
        ctx.wy = wy  # per-sample weights: constants (from the targets), not activations
        ctx.keep = keep[:, None]
        ctx.reduction, ctx.xshape = reduction, x.shape
        return _ClassLossFn._reduce(ctx, l, wy, reduction)

    @staticmethod
    def backward(ctx, g):
        (safe,) = ctx.saved_tensors
        # ∂lₙ/∂x_{n,c} = −w_{yₙ} [c = yₙ]: one value per sample, put at its class; an ignored
        # sample puts +0 (torch skips it: a nan g does not reach it, as 0·nan would)
        vals = -(ctx.wy[:, None] * NllLossFn._scale(ctx, g))
        vals = xp_of(vals).where(ctx.keep, vals, 0)
        return ScatterAddFn.call(zeros_for(ctx.xshape, vals), safe, vals, 1), None, None, None, None


class CrossEntropyFn(_ClassLossFn):
    """Fused log_softmax + NLL with class-index targets and label smoothing ε:

        p = softmax(x) over classes, log pₙ = xₙ − logsumexp(xₙ)
        lₙ = (1 − ε) w_{yₙ} (−log p_{n,yₙ}) + (ε/C) Σ_c w_c (−log p_{n,c})

    ∂lₙ/∂x_{n,j} = aₙ (p_j − [j = yₙ]) + bₙ (p_j Σ_c w_c − w_j),
    with aₙ = (1 − ε) w_{yₙ} and bₙ = ε/C (both 0 for ignored targets).
    mean: both terms divided by Σ w_{yₙ} over non-ignored n (torch's rule).
    """

    node_name = "NllLossBackward0"  # torch's name for this node

    @staticmethod
    def reference(x, target, w, ignore_index, reduction, eps):
        """The plain twin: log_softmax, then NLL, plus torch's label-smoothing term."""
        logp = LogSoftmaxFn.apply(x, 1)
        nll = NllLossFn.apply(logp, target, w, ignore_index, reduction)
        if eps == 0:
            return nll
        C = x.shape[1]
        xp = get_array_module(target)  # target (and w) arrive as arrays: constants
        keep = target != ignore_index
        wc = 1 if w is None else w.reshape((1, C) + (1,) * (x.ndim - 2))
        smooth = -(logp * wc).sum(1) * Tensor._wrap(keep.astype(x._data.dtype))
        if reduction == "sum":
            smooth = smooth.sum()
        elif reduction == "mean":
            wy = (w[xp.where(keep, target, 0)] if w is not None else 1.0) * keep
            smooth = smooth.sum() / Tensor._wrap(xp.asarray(wy.sum(), dtype=x._data.dtype))
        return nll * (1 - eps) + smooth * (eps / C)

    @staticmethod
    def forward(ctx, x, target, w, ignore_index, reduction, eps):
        xp = get_array_module(x)
        C = x.shape[1]
        mx = x.max(axis=1, keepdims=True)
        with _row_loops(x):
            e = x - mx  # subtract the max: no overflow
        xp.exp(e, out=e)  # e = exp(x − max), in place (speed: one (N, C) buffer, 4 passes)
        s = _row_sum(e, xp)
        log_s = xp.log(s)  # log p = (x − max) − log s
        keep = target != ignore_index
        safe = xp.where(keep, target, 0)[:, None]
        wy = (w[safe[:, 0]] if w is not None else xp.ones(safe[:, 0].shape, x.dtype)) * keep
        wy = wy.astype(x.dtype, copy=False)
        a = (1 - eps) * wy  # weight of the true-class term
        # only the true class's log p is needed (no (N, C) log p unless smoothing)
        logp_y = (xp.take_along_axis(x, safe, axis=1) - mx) - log_s
        l = -logp_y[:, 0] * a
        b = None
        if eps > 0:
            logp = (x - mx) - log_s
            b = (eps / C) * keep.astype(x.dtype)
            wc = w.reshape((1, C) + (1,) * (x.ndim - 2)) if w is not None else 1
            l = l - b * (logp * wc).sum(axis=1)
        ctx.save_for_backward(e, s, safe, a, b, w)  # p = e / s is formed in backward
        ctx.reduction, ctx.keep = reduction, keep[:, None]
        return _ClassLossFn._reduce(ctx, l, wy, reduction)

    @staticmethod
    def backward(ctx, g):
        e, s, safe, a, b, w = ctx.saved_tensors
        xp = get_array_module(e)
        # ∂L/∂lₙ; an ignored sample's row gets +0 even for a nan g (torch's nll_loss_backward
        # skips it, and log_softmax's backward of a zero row is zero)
        up = xp.where(ctx.keep, _ClassLossFn._scale(ctx, g), 0)
        coef = a[:, None]  # (N, 1, d...): coefficient of p_j
        if b is not None:
            coef = coef + b[:, None] * (w.sum() if w is not None else e.shape[1])
        # gx = up · (coef · p − aₙ[j = yₙ] − bₙ w_j) with p = e / s: the (N, C) work is ONE
        # product, e · (up · coef / s), the per-row factors being folded first (speed)
        with _row_loops(e):
            gx = e * ((coef * up) / s)
        a_up = a[:, None] * up
        idx_val = xp.take_along_axis(gx, safe, axis=1) - a_up
        xp.put_along_axis(gx, safe, idx_val, axis=1)  # − aₙ at the true class
        if b is not None:
            wc = w.reshape((1, -1) + (1,) * (e.ndim - 2)) if w is not None else 1
            gx -= (b[:, None] * up) * wc  # − bₙ w_j
        return gx, None, None, None, None, None


class SoftCrossEntropyFn(Function):
    """Cross-entropy with probability targets t (same shape as x), smoothed t' = (1−ε)t + ε/C:

        lₙ = −Σ_c w_c t'_{n,c} log p_{n,c}
        ∂lₙ/∂x_{n,j} = p_j Σ_c w_c t'_{n,c} − w_j t'_{n,j}
        ∂lₙ/∂t_{n,c} = −(1 − ε) w_c log p_{n,c}
    mean divides by numel/C (the number of samples), as torch.
    """

    array_io = True

    @staticmethod
    def reference(x, t, w, reduction, eps):
        """The plain twin: −Σ_c w_c t'_c log_softmax(x)_c, then the reduction."""
        C = x.shape[1]
        logp = LogSoftmaxFn.apply(x, 1)
        ts = t * (1 - eps) + eps / C if eps > 0 else t
        wt = ts if w is None else ts * w.reshape((1, C) + (1,) * (x.ndim - 2))
        l = -(logp * wt).sum(1)
        if reduction == "none":
            return l
        return l.sum() if reduction == "sum" else l.sum() / l.numel()

    @staticmethod
    def forward(ctx, x, t, w, reduction, eps):
        xp = get_array_module(x)
        C = x.shape[1]
        shifted = x - x.max(axis=1, keepdims=True)
        logp = shifted - xp.log(xp.exp(shifted).sum(axis=1, keepdims=True))
        ts = t * (1 - eps) + eps / C if eps > 0 else t
        wt = ts if w is None else ts * w.reshape((1, C) + (1,) * (x.ndim - 2))
        ctx.save_for_backward(logp, wt, w)
        ctx.eps = eps
        ctx.reduction = reduction
        l = -(logp * wt).sum(axis=1)
        ctx.n = l.size
        if reduction == "none":
            return l
        return xp.asarray(l.sum() if reduction == "sum" else l.sum() / ctx.n)

    @staticmethod
    def backward(ctx, g):
        logp, wt, w = ctx.saved_tensors
        xp = get_array_module(logp)
        nx, nt = ctx.needs_input_grad[:2]
        up = xp.expand_dims(g, 1) if ctx.reduction == "none" else (
            g / ctx.n if ctx.reduction == "mean" else g)
        gx = gt = None
        if nx:
            gx = (xp.exp(logp) * wt.sum(axis=1, keepdims=True) - wt) * up
        if nt:
            wc = 1 if w is None else w.reshape((1, -1) + (1,) * (logp.ndim - 2))
            gt = -(1 - ctx.eps) * wc * logp * up
        return gx, gt, None, None, None
