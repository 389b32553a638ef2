"""Statistics: var and std (with torch's ``correction``).

Backward: with x̄ the mean over the reduced axes, ∂var/∂xᵢ = 2(xᵢ − x̄)/(n − c) — the x̄ terms
cancel because Σ(xⱼ − x̄) = 0 — and ∂std/∂var = 1/(2 std).
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..backend import get_array_module
from ._dual import xp_of
from ._util import check_float, quiet
from .reduce import _axes, _count, _keep, _mean


class VarFn(Function):
    """y = Σ (x - x̄)² / (n - correction)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, axes, correction, keepdim):
        n = _count(x.shape, axes)
        diff = x - _mean(x, axes, True, n)
        denom = n - correction if n > correction else 0  # (the module-level max is torch.max)
        ctx.save_for_backward(x)
        ctx.axes, ctx.keepdim, ctx.dof, ctx.n = axes, keepdim, n - correction, n
        with np.errstate(divide="ignore", invalid="ignore"):
            return (diff * diff).sum(axis=axes, keepdims=keepdim) / denom

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        gk = _keep(g, ctx.axes, ctx.keepdim, x.ndim)
        return _var_grad(gk, _diff(x, ctx), ctx.dof), None, None, None


def _diff(x, ctx):
    """x − x̄ over the reduced axes (recomputed from the saved input: exact, and differentiable
    again under create_graph)."""
    xp = xp_of(x)
    if ctx.n == 0:
        return x
    return x - xp.mean(x, axis=ctx.axes, keepdims=True)


def _var_grad(gk, diff, dof):
    # ∂y/∂xᵢ = 2(xᵢ - x̄)/(n - c)  (the x̄ terms cancel because Σ(xⱼ - x̄) = 0);
    # torch: no clamp of n - c here (n - c = 0 gives ±inf/nan, negative flips the sign)
    with quiet():
        return gk * (2.0 / dof) * diff if dof else gk * diff * np.inf


class StdFn(Function):
    """y = √(Σ (x - x̄)² / (n - correction))"""

    array_io = True

    @staticmethod
    def forward(ctx, x, axes, correction, keepdim):
        xp = get_array_module(x)
        n = _count(x.shape, axes)
        diff = x - _mean(x, axes, True, n)
        denom = n - correction if n > correction else 0
        with np.errstate(divide="ignore", invalid="ignore"):
            y = xp.asarray(xp.sqrt((diff * diff).sum(axis=axes, keepdims=keepdim) / denom))
        ctx.save_for_backward(x, y)
        ctx.axes, ctx.keepdim, ctx.dof, ctx.n = axes, keepdim, n - correction, n
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        xp = xp_of(g)
        gk = _keep(g, ctx.axes, ctx.keepdim, x.ndim)
        yk = _keep(y, ctx.axes, ctx.keepdim, x.ndim)
        with quiet():
            gv = xp.where(yk == 0, 0, gk / (2 * yk))  # ∂√v/∂v = 1/(2√v); torch: 0 where std = 0
        return _var_grad(gv, _diff(x, ctx), ctx.dof), None, None, None


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    if unbiased is None:
        return 1
    return 1 if unbiased else 0


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    if isinstance(unbiased, bool) is False and unbiased is not None and dim is None:
        dim, unbiased = unbiased, None
    if isinstance(dim, bool):  # torch.var(x, False): the legacy positional `unbiased`
        dim, unbiased = None, dim
    check_float(input, "var")
    return VarFn.apply(input, _axes(dim, input, "var"),
                     _correction(unbiased, correction), keepdim)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    if isinstance(unbiased, bool) is False and unbiased is not None and dim is None:
        dim, unbiased = unbiased, None
    if isinstance(dim, bool):  # torch.std(x, False): the legacy positional `unbiased`
        dim, unbiased = None, dim
    check_float(input, "std")
    return StdFn.apply(input, _axes(dim, input, "std"), _correction(unbiased, correction),
                     keepdim)


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["std", "var"]

METHODS = {"var": var, "std": std}
