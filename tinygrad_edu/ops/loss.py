"""Loss functions as fused Functions: one forward, one hand-derived backward each.

Every loss first computes a per-element loss ``l`` and then reduces it:

    reduction='none' : L = l            ⇒ ∂L/∂l = g
    reduction='sum'  : L = Σ l          ⇒ ∂L/∂l = g (broadcast)
    reduction='mean' : L = (1/n) Σ l    ⇒ ∂L/∂l = g / n        (n = numel: torch's rule)

so each backward multiplies the derivative of ``l`` by ``_upstream(g)`` below.
Cross-entropy and NLL use torch's *weighted* mean instead: L = Σ wₙ lₙ / Σ wₙ.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..backend import get_array_module
from ..tensor import Tensor
from ._dual import xp_of
from ._util import quiet
from .activation import Sigmoid
from .index import GatherBackward

_REDUCTIONS = ("none", "mean", "sum")


def _reduce(ctx, l, reduction: str):
    """Reduce the per-element loss and remember how to spread the gradient back."""
    ctx.reduction, ctx.n, ctx.lshape = reduction, l.size, l.shape
    if reduction == "none":
        return l
    xp = get_array_module(l)
    return xp.asarray(l.sum() if reduction == "sum" else l.mean())


def _upstream(ctx, g):
    """∂L/∂l for each element (an array broadcastable to the per-element loss)."""
    if ctx.reduction == "none":
        return g
    return g / ctx.n if ctx.reduction == "mean" else g


class MSELoss(Function):
    """l = (x − t)²"""

    node_name = "MseLossBackward0"  # torch's name for this node

    array_io = True

    @staticmethod
    def forward(ctx, x, t, reduction):
        d = x - t
        ctx.save_for_backward(x, t)
        return _reduce(ctx, d * d, reduction)

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.saved_tensors
        gd = 2 * (x - t) * _upstream(ctx, g)  # ∂l/∂x = 2(x − t)
        nx, nt = ctx.needs_input_grad[:2]
        return (gd if nx else None), (-gd if nt else None), None  # ∂l/∂t = −2(x − t)


class L1Loss(Function):
    """l = |x − t|"""

    array_io = True

    @staticmethod
    def forward(ctx, x, t, reduction):
        xp = get_array_module(x)
        ctx.save_for_backward(x, t)
        return _reduce(ctx, xp.abs(x - t), reduction)

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.saved_tensors
        gd = xp_of(g).sign(x - t) * _upstream(ctx, g)  # ∂|d|/∂d = sign(d); torch: 0 at d = 0
        nx, nt = ctx.needs_input_grad[:2]
        return (gd if nx else None), (-gd if nt else None), None


class SmoothL1Loss(Function):
    """l = ½d²/β if |d| < β else |d| − ½β   (d = x − t; β = 0 is the L1 loss)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, t, reduction, beta):
        xp = get_array_module(x)
        d = x - t
        ad = xp.abs(d)
        ctx.save_for_backward(x, t)
        ctx.beta = beta
        if beta == 0:
            return _reduce(ctx, ad, reduction)
        return _reduce(ctx, xp.where(ad < beta, 0.5 * d * d / beta, ad - 0.5 * beta), reduction)

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.saved_tensors
        xp = xp_of(g)
        d = x - t
        beta = ctx.beta
        if beta == 0:
            dl = xp.sign(d)
        else:  # ∂l/∂d = d/β inside the quadratic zone, sign(d) outside
            dl = xp.where(xp.abs(d) < beta, d / beta, xp.sign(d))
        gd = dl * _upstream(ctx, g)
        nx, nt = ctx.needs_input_grad[:2]
        return (gd if nx else None), (-gd if nt else None), None, None


class BCELoss(Function):
    """l = −w [t·log x + (1 − t)·log(1 − x)], each log clamped at −100 (as torch)"""

    node_name = "BinaryCrossEntropyBackward0"  # torch's name for this node

    array_io = True

    @staticmethod
    def forward(ctx, x, t, w, reduction):
        xp = get_array_module(x)
        with np.errstate(divide="ignore", invalid="ignore"):  # log 0: clamped below
            log_x = xp.maximum(xp.log(x), -100)
            log_1mx = xp.maximum(xp.log1p(-x), -100)
        l = -(t * log_x + (1 - t) * log_1mx)
        if w is not None:
            l = l * w
        ctx.save_for_backward(x, t, w)
        return _reduce(ctx, l, reduction)

    @staticmethod
    def backward(ctx, g):
        x, t, w = ctx.saved_tensors
        xp = xp_of(g)
        up = _upstream(ctx, g)
        if w is not None:
            up = up * w
        nx, nt = ctx.needs_input_grad[:2]
        gx = gt = None
        if nx:
            # ∂l/∂x = −t/x + (1 − t)/(1 − x) = (x − t) / (x(1 − x));
            # torch: the denominator is clamped at 1e-12 so x ∈ {0, 1} stays finite
            gx = up * (x - t) / xp.maximum(x * (1 - x), 1e-12)
        if nt:
            with quiet():
                # ∂l/∂t = log(1 − x) − log x; torch: unclamped here (±inf at x ∈ {0, 1})
                gt = up * (xp.log1p(-x) - xp.log(x))
        return gx, gt, None, None


class BCEWithLogitsLoss(Function):
    """l = w [(1 − t)·x + (1 + (p − 1)t)·softplus(−x)]   (p = pos_weight, default 1)

    = −w [p·t·log σ(x) + (1 − t)·log(1 − σ(x))], written with softplus(−x) = −log σ(x)
    computed as max(−x, 0) + log1p(e^{−|x|}), so |x| = 1e4 neither overflows nor loses digits.
    """

    node_name = "BinaryCrossEntropyWithLogitsBackward0"  # torch's name for this node

    array_io = True

    @staticmethod
    def forward(ctx, x, t, w, pw, reduction):
        xp = get_array_module(x)
        sp = xp.maximum(-x, 0) + xp.log1p(xp.exp(-xp.abs(x)))  # softplus(−x) = −log σ(x)
        lw = 1 if pw is None else 1 + (pw - 1) * t
        l = (1 - t) * x + lw * sp
        ctx.save_for_backward(x, t, w, pw)
        if w is not None:
            l = l * w
        return _reduce(ctx, l, reduction)

    @staticmethod
    def backward(ctx, g):
        x, t, w, pw = ctx.saved_tensors
        xp = xp_of(g)
        nx, nt = ctx.needs_input_grad[:2]
        up = _upstream(ctx, g)
        upw = up if w is None else up * w
        gx = gt = None
        if nx:
            sig = Sigmoid.call(x)
            if pw is None:
                gx = upw * (sig - t)  # ∂l/∂x = σ(x) − t
            else:  # ∂l/∂x = (1 − t) − (1 + (p − 1)t)(1 − σ(x))
                gx = upw * ((1 - t) - (1 + (pw - 1) * t) * (1 - sig))
        if nt:  # ∂l/∂t = −x + (p − 1)·softplus(−x)
            sp = xp.maximum(-x, 0) + xp.log1p(xp.exp(-xp.abs(x))) if pw is not None else 0
            gt = upw * (-x if pw is None else -x + (pw - 1) * sp)
        return gx, gt, None, None, None  # torch: weight, pos_weight not differentiable


class _ClassLoss(Function):
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
            return g / ctx.denom if ctx.denom != 0 else g * 0
        return g


class NLLLoss(_ClassLoss):
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
        ctx.reduction, ctx.xshape = reduction, x.shape
        return _ClassLoss._reduce(ctx, l, wy, reduction)

    @staticmethod
    def backward(ctx, g):
        (safe,) = ctx.saved_tensors
        # ∂lₙ/∂x_{n,c} = −w_{yₙ} [c = yₙ]: one value per sample, put at its class
        vals = -(ctx.wy[:, None] * NLLLoss._scale(ctx, g))
        return GatherBackward.call(vals, safe, 1, ctx.xshape), None, None, None, None


class CrossEntropyLoss(_ClassLoss):
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
        from .activation import LogSoftmax

        logp = LogSoftmax.apply(x, 1)
        nll = NLLLoss.apply(logp, target, w, ignore_index, reduction)
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
        e = x - mx  # subtract the max: no overflow
        xp.exp(e, out=e)  # e = exp(x − max), in place (speed: one (N, C) buffer, 4 passes)
        s = e.sum(axis=1, keepdims=True)
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
        ctx.reduction = reduction
        return _ClassLoss._reduce(ctx, l, wy, reduction)

    @staticmethod
    def backward(ctx, g):
        e, s, safe, a, b, w = ctx.saved_tensors
        xp = get_array_module(e)
        up = _ClassLoss._scale(ctx, g)  # ∂L/∂lₙ
        coef = a[:, None]  # (N, 1, d...): coefficient of p_j
        if b is not None:
            coef = coef + b[:, None] * (w.sum() if w is not None else e.shape[1])
        # gx = up · (coef · p − aₙ[j = yₙ] − bₙ w_j) with p = e / s: the (N, C) work is ONE
        # product, e · (up · coef / s), the per-row factors being folded first (speed)
        gx = e * ((coef * up) / s)
        a_up = a[:, None] * up
        idx_val = xp.take_along_axis(gx, safe, axis=1) - a_up
        xp.put_along_axis(gx, safe, idx_val, axis=1)  # − aₙ at the true class
        if b is not None:
            wc = w.reshape((1, -1) + (1,) * (e.ndim - 2)) if w is not None else 1
            gx -= (b[:, None] * up) * wc  # − bₙ w_j
        return gx, None, None, None, None, None


class SoftCrossEntropyLoss(Function):
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
        from .activation import LogSoftmax

        C = x.shape[1]
        logp = LogSoftmax.apply(x, 1)
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


class CosineSimilarity(Function):
    """y = Σ x₁x₂ / (max(‖x₁‖, ε)·max(‖x₂‖, ε)) along ``dim`` (torch 2's formula)

    torch clamps the norms without recording the clamp, so the derivative treats nᵢ as ‖xᵢ‖:
        ∂y/∂x₁ = x₂/(n₁n₂) − y·x₁/(‖x₁‖·n₁) = (u₂ − y·e₁)/n₁
    with uᵢ = xᵢ/nᵢ and the unit vector eᵢ = xᵢ/‖xᵢ‖ (0 when ‖xᵢ‖ = 0); the second form keeps
    both terms O(1), so nearly parallel inputs do not cancel large numbers.
    """

    array_io = True

    @staticmethod
    def reference(x1, x2, dim, eps):
        """The plain twin, as torch computes it: the norms are clamped at ε without the clamp
        being differentiated (the value is clamped, the gradient is the norm's)."""
        x1, x2 = x1 * 1.0 + x2 * 0.0, x2 * 1.0 + x1 * 0.0  # broadcast both to one shape
        n1 = x1.norm(dim=dim, keepdim=True)
        n2 = x2.norm(dim=dim, keepdim=True)
        n1 = n1 + (n1.clamp(min=eps) - n1).detach()
        n2 = n2 + (n2.clamp(min=eps) - n2).detach()
        return ((x1 / n1) * (x2 / n2)).sum(dim)

    @staticmethod
    def forward(ctx, x1, x2, dim, eps):
        xp = get_array_module(x1)
        x1, x2 = xp.broadcast_arrays(x1, x2)
        r1 = xp.sqrt((x1 * x1).sum(axis=dim, keepdims=True))
        r2 = xp.sqrt((x2 * x2).sum(axis=dim, keepdims=True))
        n1, n2 = xp.maximum(r1, eps), xp.maximum(r2, eps)
        y = ((x1 / n1) * (x2 / n2)).sum(axis=dim, keepdims=True)
        ctx.save_for_backward(x1, x2, r1, r2, n1, n2, y)
        ctx.dim = dim
        return y.squeeze(dim)

    @staticmethod
    def backward(ctx, g):
        x1, x2, r1, r2, n1, n2, y = ctx.saved_tensors
        xp = get_array_module(x1)
        g = xp.expand_dims(g, ctx.dim)
        u1, u2 = x1 / n1, x2 / n2
        g1 = g2 = None
        if ctx.needs_input_grad[0]:
            e1 = xp.where(r1 > 0, x1 / xp.where(r1 > 0, r1, 1), 0)
            g1 = g * (u2 - y * e1) / n1
        if ctx.needs_input_grad[1]:
            e2 = xp.where(r2 > 0, x2 / xp.where(r2 > 0, r2, 1), 0)
            g2 = g * (u1 - y * e2) / n2
        return g1, g2, None, None
