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
from ._dual import xp_of
from ._util import half_opmath, quiet
from .activation import SigmoidFn

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


class MseLossFn(Function):
    """l = mean((x − t)²) (reduction 'mean'; 'sum' adds, 'none' keeps each (x − t)²)"""

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
        gd = 2 * (x - t) * _upstream(ctx, g)  # ∂l/∂x = 2(x − t)/N ('mean'; N = numel)
        nx, nt = ctx.needs_input_grad[:2]
        return (gd if nx else None), (-gd if nt else None), None  # ∂l/∂t = −∂l/∂x


class L1LossFn(Function):
    """l = |x − t|"""

    array_io = True

    @staticmethod
    def forward(ctx, x, t, reduction):
        xp = get_array_module(x)
        ctx.save_for_backward(x, t)
        # torch composes l1_loss: |x − t| (AbsBackward0), then mean or sum
        ctx.node_name = {"none": "AbsBackward0", "mean": "MeanBackward0"}.get(reduction,
                                                                            "SumBackward0")
        return _reduce(ctx, xp.abs(x - t), reduction)

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.saved_tensors
        xp, d = xp_of(g), x - t  # ∂|d|/∂d = sign(d); torch's sgn: 0 at d = 0 and at nan
        gd = xp.where(xp.isnan(d), 0.0, xp.sign(d)) * _upstream(ctx, g)
        nx, nt = ctx.needs_input_grad[:2]
        return (gd if nx else None), (-gd if nt else None), None


class SmoothL1LossFn(Function):
    """l = ½d²/β if |d| < β else |d| − ½β   (d = x − t; β = 0 is the L1 loss)"""

    array_io = True

    @staticmethod
    @half_opmath  # float16: computed in float32, rounded once
    def forward(ctx, x, t, reduction, beta):
        xp = get_array_module(x)
        d = x - t
        ad = xp.abs(d)
        ctx.save_for_backward(x, t)
        ctx.beta = beta
        if beta == 0:  # torch: smooth_l1 with β = 0 is l1_loss
            ctx.node_name = {"none": "AbsBackward0", "mean": "MeanBackward0"}.get(reduction,
                                                                                "SumBackward0")
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


class BinaryCrossEntropyFn(Function):
    """l = −w [t·log x + (1 − t)·log(1 − x)], each log clamped at −100 (as torch)"""

    node_name = "BinaryCrossEntropyBackward0"  # torch's name for this node

    array_io = True
    node_inputs = (0, 1)  # torch lists input, target (not weight)

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


class BinaryCrossEntropyWithLogitsFn(Function):
    """l = w [(1 − t)·x + (1 + (p − 1)t)·softplus(−x)]   (p = pos_weight, default 1)

    = −w [p·t·log σ(x) + (1 − t)·log(1 − σ(x))], written with softplus(−x) = −log σ(x)
    computed as max(−x, 0) + log1p(e^{−|x|}), so |x| = 1e4 neither overflows nor loses digits.
    """

    node_name = "BinaryCrossEntropyWithLogitsBackward0"  # torch's name for this node

    array_io = True
    node_inputs = (0, 1)  # torch lists input, target only

    @staticmethod
    @half_opmath  # float16: computed in float32, rounded once
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
            sig = SigmoidFn.call(x)
            if pw is None:
                gx = upw * (sig - t)  # ∂l/∂x = σ(x) − t
            else:  # ∂l/∂x = (1 − t) − (1 + (p − 1)t)(1 − σ(x))
                gx = upw * ((1 - t) - (1 + (pw - 1) * t) * (1 - sig))
        if nt:  # ∂l/∂t = −x + (p − 1)·softplus(−x)
            sp = xp.maximum(-x, 0) + xp.log1p(xp.exp(-xp.abs(x))) if pw is not None else 0
            gt = upw * (-x if pw is None else -x + (pw - 1) * sp)
        return gx, gt, None, None, None  # torch: weight, pos_weight not differentiable


