"""More functional losses, for regression and distributions: kl_div, huber_loss,
poisson_nll_loss, gaussian_nll_loss.

Each is composed of differentiable tensor ops, in torch's own formula (aten/native/Loss.cpp and
torch/nn/functional.py), so its gradient and second derivative come from the ops it uses.
Reduction: 'none' keeps the per-element loss l, 'sum' is Σ l, 'mean' is Σ l / numel.
"""

from __future__ import annotations

import math
import warnings

from ..._args import type_of
from ...ops._util import as_tensor_like
from ...ops.select import where
from ...tensor import Tensor
from .loss import _broadcast_check, _check_reduction, _float_pair, _legacy_reduction


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    """torch's ``apply_loss_reduction``: 'mean' over every element, 'sum', or 'none'."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _xlogy_self(t: Tensor) -> Tensor:
    """t·log t with 0 where t = 0 (torch's ``xlogy(t, t)``; nan for t < 0)."""
    zero = t == 0
    return where(zero, 0.0, t * where(zero, 1.0, t).log())  # log(1) at 0: no 0·(−inf)


def kl_div(input, target, size_average=None, reduce=None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """``F.kl_div``: the pointwise KL divergence of ``target`` from ``input`` (a log-probability).

    l = t·(log t − x) (0 where t = 0), or eᵗ·(t − x) with ``log_target=True``.
    Reductions: 'none', 'sum', 'mean' (over every element: warns, as torch), 'batchmean'
    (Σ l / N, the KL divergence's definition). Shapes: any, input and target broadcast.
    Raises ValueError for an unknown reduction. Derivative: ∂l/∂x = −t (or −eᵗ).
    """
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce, reduction)
    else:
        if reduction == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and "
                          "the support size.'batchmean' divides only by the batch size, and "
                          "aligns with the KL div math definition.'mean' will be changed to "
                          "behave the same as 'batchmean' in the next major release.",
                          stacklevel=2)
        if reduction not in ("none", "mean", "sum", "batchmean"):
            raise ValueError(f"{reduction} is not a valid value for reduction")
    input, target = _float_pair(input, target, "kl_div")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = _xlogy_self(target) - target * input
    if reduction == "batchmean":
        total = loss.sum()
        return total / input.shape[0] if input.dim() != 0 else total
    return _reduce(loss, reduction)


def huber_loss(input, target, reduction: str = "mean", delta: float = 1.0,
               weight=None) -> Tensor:
    """``F.huber_loss``: quadratic near the target, linear far from it.

    With d = x − t: l = ½d² if |d| < δ, else δ(|d| − ½δ). ``weight`` (the input's shape)
    multiplies l before the reduction. Raises RuntimeError for δ ≤ 0, ValueError for an unknown
    reduction or a weight of another shape. Derivative: ∂l/∂x = d clipped to [−δ, δ].

    Shapes: input and target broadcast → () when reduced, the broadcast shape with
    ``reduction='none'``.
    """
    _check_reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    dt = input.dtype if isinstance(input, Tensor) else None
    input, target = _float_pair(input, target, "huber_loss")
    _broadcast_check(input, target, "huber_loss")
    d = input - target
    ad = d.abs()
    loss = where(ad < delta, 0.5 * d * d, delta * (ad - 0.5 * delta))
    if dt is not None and loss.dtype != dt:  # torch's loss has the input's dtype
        loss = loss.to(dt)
    if weight is not None:
        if tuple(weight.shape) != tuple(input.shape):
            raise ValueError("Weights and input must have the same size.")
        loss = loss * weight
    return _reduce(loss, reduction)


def poisson_nll_loss(input, target, log_input: bool = True, full: bool = False,
                     size_average=None, eps: float = 1e-8, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """``F.poisson_nll_loss``: the negative log-likelihood of ``target`` under Poisson(λ).

    log_input=True (x = log λ): l = eˣ − t·x; else (x = λ): l = x − t·log(x + eps).
    full=True adds Stirling's term t·log t − t + ½log(2πt) where t > 1. Shapes: broadcast.
    dtype: torch's formula as written, op by op: t·x in the promoted dtype of the two (integers
    wrap), eˣ and log in float, so integer inputs give float32.
    Raises ValueError for an unknown reduction. Derivative: eˣ − t (or 1 − t/(x + eps)).
    """
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not isinstance(input, Tensor):
        raise TypeError(f"poisson_nll_loss(): argument 'input' must be Tensor, not "
                        f"{type_of(input)}")
    target = as_tensor_like(target, input)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        big = target > 1
        tt = where(big, target, target.detach() * 0 + 2)  # a safe t where the term is masked
        stirling = tt * tt.log() - tt + 0.5 * (2 * math.pi * tt).log()
        loss = loss + where(big, stirling, stirling * 0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean") -> Tensor:
    """``F.gaussian_nll_loss``: the negative log-likelihood of ``target`` under N(x, var).

    l = ½(log max(var, eps) + (x − t)² / max(var, eps)) (+ ½log 2π with full=True).
    Shapes: input (N, *), target like input, var like input, or with one dimension of size 1,
    or with the last dimension dropped (homoscedastic). The clamp at eps is not differentiated
    (as torch: the gradient reaches var as if unclamped). Raises ValueError for a negative var,
    a var of the wrong size, or an unknown reduction.
    """
    if isinstance(var, (int, float)):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = input.detach() * 0 + float(var)
    elif bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    vs, ins = tuple(var.shape), tuple(input.shape)
    if vs != ins:
        if ins[:-1] == vs:
            var = var.unsqueeze(-1)
        elif not (len(ins) == len(vs)
                  and sum(y for x, y in zip(ins, vs) if x != y) == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    # clamp without recording: var + (clamped − var) as a constant offset, gradient 1
    var = var + (var.detach().clamp(min=eps) - var.detach())
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)
