"""The multi-class hinge losses as torch's CPU kernels compute them (aten/native/
LossMultiMargin.cpp, LossMultiLabelMargin.cpp), forward and backward side by side.

Both kernels count a term only where ``z > 0``, so a nan score drops out of the sum (nan > 0
is false) instead of making the loss nan; and both backwards first form the gradient for a
unit upstream and then multiply *every* entry by the upstream gradient, so a nan upstream
reaches the whole row, zeros included (0·nan = nan), where a composed ``clamp`` would block it.
Sums run in torch's order: a row's terms one after another in the input's dtype (a cumulative
sum's last entry is that sequential sum), the rows of 'mean'/'sum' in float64 (torch's
accumulate type for float on the CPU). ``nn.functional.margin_loss`` composes the same
formulas from tensor ops (the ``reference``), which is what a second derivative
differentiates.

Arrays: ``x`` (N, C) floating, ``t`` int64 (N) class indices (multi_margin) or (N, C) class
lists ended by −1 (multilabel_margin); ``reduction`` "none" gives (N), "mean"/"sum" a 0-d
result.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..backend import get_array_module, ufunc_at
from ..tensor import Tensor
from ._util import half_opmath, half_opmath_backward, quiet
from .select import where


def _last_of_cumsum(a, dtype=None):
    """Σ along the last axis, added one after another from the left (torch's loops)."""
    xp = get_array_module(a)
    if a.shape[-1] == 0:  # no terms (an empty batch): 0
        return xp.zeros(a.shape[:-1], dtype=dtype or a.dtype)
    return xp.cumsum(a, axis=-1, dtype=dtype)[..., -1]


def _reduce_rows(rows, reduction: str, extra_divisor: int = 1):
    """'none': the rows; 'mean'/'sum': their float64 sum (÷ ``extra_divisor``, ÷ N for mean),
    rounded once to the rows' dtype, as torch's accscalar_t accumulation."""
    if reduction == "none":
        return rows
    total = _last_of_cumsum(rows.astype(np.float64)) / extra_divisor
    if reduction == "mean":
        with quiet():  # an empty batch: 0/0 = nan, as torch's mean of nothing
            total = total / rows.shape[0]
    return total.astype(rows.dtype)


def _upstream(g, n: int):
    """The upstream gradient as a column: (N) → (N, 1); 0-d stays 0-d."""
    return g.reshape(n, 1) if g.ndim == 1 else g


class MultiMarginLossFn(Function):
    """l_n = Σ_{i≠y} w_y·max(0, margin − x_y + x_i)ᵖ / C (z = margin − x_y + x_i, terms with
    z > 0 only)"""

    array_io = True
    node_name = "MultiMarginLossBackward0"  # torch's name for this node

    @staticmethod
    def reference(x, t, w, p, margin, reduction):
        """The same loss composed of tensor ops (what a second derivative differentiates)."""
        n, c = x.shape
        _, _, on = MultiMarginLossFn._terms(x._data, t, margin)
        z = (margin - x.gather(1, Tensor._wrap(t.reshape(n, 1)))) + x
        h = z if p == 1 else z * z
        if w is not None:
            h = h * Tensor._wrap(w[t].reshape(n, 1))
        rows = where(Tensor._wrap(on), h, 0.0).sum(1) / c
        return _reduce_reference(rows, reduction)

    @staticmethod
    def _terms(x, t, margin):
        xp = get_array_module(x)
        rows = xp.arange(x.shape[0])
        with quiet():  # inf − inf = nan: a nan term is dropped, as torch's z > 0
            z = (x.dtype.type(margin) - x[rows, t][:, None]) + x
        on = z > 0
        on[rows, t] = False  # the target's own term is skipped
        return rows, z, on

    @staticmethod
    @half_opmath  # float16: computed in float32, rounded once
    def forward(ctx, x, t, w, p, margin, reduction):
        xp = get_array_module(x)
        rows, z, on = MultiMarginLossFn._terms(x, t, margin)
        with quiet():
            h = z if p == 1 else z * z
            if w is not None:
                h = h * w[t][:, None]
            h = xp.where(on, h, x.dtype.type(0))
        ctx.save_for_backward(x, t, w)
        ctx.p, ctx.margin, ctx.reduction = p, margin, reduction
        return _reduce_rows(_last_of_cumsum(h) / x.dtype.type(x.shape[1]), reduction)

    @staticmethod
    @half_opmath_backward  # float16: computed in float32 (torch's CUDA kernel works in float)
    def backward(ctx, g):
        x, t, w = ctx.saved_tensors
        xp = get_array_module(x)
        n, c = x.shape
        rows, z, on = MultiMarginLossFn._terms(x, t, ctx.margin)
        unit = x.dtype.type(1.0 / (n * c) if ctx.reduction == "mean" else 1.0 / c)
        with quiet():
            h = xp.broadcast_to(unit, z.shape) if ctx.p == 1 else (2 * unit) * z  # ∂(zᵖ)/∂z
            if w is not None:
                h = h * w[t][:, None]
            h = xp.where(on, h, x.dtype.type(0))  # ∂l/∂x_i = h_i (i ≠ y, z_i > 0)
            h[rows, t] = x.dtype.type(0) - _last_of_cumsum(h)  # ∂l/∂x_y = 0 − Σ_i h_i (+0)
            return h * _upstream(g, n), None, None  # every entry times the upstream


class MultilabelMarginLossFn(Function):
    """l_n = Σ_{j∈T} Σ_{i∉T} max(0, 1 − (x_j − x_i)) / C, T the target classes (the row of
    ``t`` up to its first −1)"""

    array_io = True
    node_name = "MultilabelMarginLossBackward0"  # torch's name for this node

    @staticmethod
    def reference(x, t, reduction):
        """The same loss composed of tensor ops (what a second derivative differentiates)."""
        n, c = x.shape
        idx, _, on = MultilabelMarginLossFn._terms(x._data, t)
        z = (1 - x.gather(1, Tensor._wrap(idx)).unsqueeze(2)) + x.unsqueeze(1)  # (N, K, C)
        rows = where(Tensor._wrap(on), z, 0.0).sum(dim=(1, 2)) / c
        return _reduce_reference(rows, reduction)

    @staticmethod
    def _terms(x, t):
        """is_target (N, C), z (N, K, C) = 1 − x_{t_k} + x_i and where a term counts (t_k a
        target, i not one, z > 0)."""
        xp = get_array_module(x)
        n, c = x.shape
        valid = xp.cumprod(t >= 0, axis=1).astype(bool)  # the entries before the first −1
        idx = xp.where(valid, t, 0)
        is_target = xp.zeros((n, c), dtype=bool)
        rows = xp.broadcast_to(xp.arange(n)[:, None], (n, c))
        is_target[rows[valid], idx[valid]] = True
        xt = xp.take_along_axis(x, idx, axis=1)  # (N, K): the target classes' scores
        with quiet():
            z = (x.dtype.type(1) - xt[:, :, None]) + x[:, None, :]
        on = (z > 0) & valid[:, :, None] & ~is_target[:, None, :]
        return idx, z, on

    @staticmethod
    @half_opmath  # float16: computed in float32, rounded once
    def forward(ctx, x, t, reduction):
        xp = get_array_module(x)
        n, c = x.shape
        _, z, on = MultilabelMarginLossFn._terms(x, t)
        ctx.save_for_backward(x, t)
        ctx.reduction = reduction
        terms = xp.where(on, z, x.dtype.type(0)).astype(np.float64).reshape(n, -1)
        # torch: a float64 sum over (target k, class i), rounded to the input's dtype per row
        row = _last_of_cumsum(terms).astype(x.dtype)
        if reduction == "none":
            return row / x.dtype.type(c)
        return _reduce_rows(row, reduction, c)

    @staticmethod
    @half_opmath_backward  # float16: computed in float32
    def backward(ctx, g):
        x, t = ctx.saved_tensors
        xp = get_array_module(x)
        n, c = x.shape
        idx, _, on = MultilabelMarginLossFn._terms(x, t)
        unit = x.dtype.type(1.0 / (n * c) if ctx.reduction == "mean" else 1.0 / c)
        # torch adds +unit to x_i and −unit to x_{t_k} once per counted term, one at a time:
        # a column counted k times holds the k-th partial sum of unit, unit, ... (not k·unit)
        plus = on.sum(axis=1)  # (N, C): terms in which class i is the non-target
        minus = xp.zeros((n, c), dtype=np.int64)  # terms in which class j is the target
        rows = xp.broadcast_to(xp.arange(n)[:, None], idx.shape)
        ufunc_at("add", minus, (rows, idx), on.sum(axis=2))
        # steps[k]: unit added k times, one after another (steps[0] = 0)
        steps = xp.concatenate([xp.zeros(1, dtype=x.dtype),
                                xp.cumsum(xp.full(on.shape[1] * c, unit, dtype=x.dtype))])
        with quiet():
            return (steps[plus] - steps[minus]) * _upstream(g, n), None


def _reduce_reference(rows, reduction: str):
    if reduction == "none":
        return rows
    return rows.mean() if reduction == "mean" else rows.sum()


# torch.<name> functions this module provides (re-exported by the package root)
__all__: list = []
