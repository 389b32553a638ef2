"""Batch, layer and group normalization as fused Functions with hand-derived backward passes.

All three normalize x over some axes R (M = number of elements reduced per statistic):

    μ = (1/M) Σ_R x,   σ² = (1/M) Σ_R (x − μ)²  (biased),   s = 1/√(σ² + ε)
    x̂ = (x − μ)·s,    y = γ·x̂ + β

Backward for the normalization itself (with ĝ = ∂L/∂x̂ = g·γ):

    ∂L/∂x = (s/M)·(M·ĝ − Σ_R ĝ − x̂·Σ_R(ĝ·x̂))

(derivation: x̂ depends on x directly, through μ (∂μ/∂x = 1/M) and through s
(∂s/∂x = −s³(x − μ)/M); collecting terms and writing (x − μ)s = x̂ gives the line above.)
The affine part gives ∂L/∂γ = Σ g·x̂ and ∂L/∂β = Σ g over every axis that γ is broadcast on.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd import Function
from ..backend import get_array_module
from ..tensor import Tensor
from . import _norm_kernels
from ._util import half_opmath, half_opmath_backward, quiet
from .moments import batch_stats, batch_stats_risky, batch_transform, moments


class BatchNormFn(Function):
    """y = γ·(x − μ)/√(σ² + ε) + β per channel (axis 1), statistics over every other axis.

    training=True: μ, σ² of this batch (biased σ² to normalize); the running buffers (raw
    arrays, or None) are updated in place with ``momentum``, using the unbiased σ²·M/(M − 1).
    training=False: μ, σ² are the given running statistics (constants).
    """

    node_name = "NativeBatchNormBackward0"  # torch's name for this node

    array_io = True
    node_inputs = (0, 1, 2)  # torch lists weight, bias even when None

    @staticmethod
    def reference(x, weight, bias, running_mean, running_var, training, momentum, eps):
        """The plain twin, composed of ops (used for double backward; it leaves the running
        buffers alone: the fused forward already updated them)."""
        axes = (0,) + tuple(range(2, x.ndim))
        cshape = (1, -1) + (1,) * (x.ndim - 2)
        if training:
            mu = x.mean(dim=axes, keepdim=True)
            xc = x - mu
            var = (xc * xc).mean(dim=axes, keepdim=True)
        else:
            xc = x - Tensor._wrap(running_mean.reshape(cshape).astype(x._data.dtype))
            var = Tensor._wrap(running_var.reshape(cshape).astype(x._data.dtype))
        y = xc / (var + eps).sqrt()
        if weight is not None:
            y = y * weight.reshape(cshape)
        return y if bias is None else y + bias.reshape(cshape)

    # forward updates running_mean, running_var (arguments 3, 4) in place: in float32 for a
    # float16/bfloat16 input, rounded back once (opmath.in_float32, half_opmath)
    mutates = (3, 4)

    @staticmethod
    @half_opmath(mutates=mutates)  # float16: computed in float32, rounded once
    def forward(ctx, x, weight, bias, running_mean, running_var, training, momentum, eps):
        xp = get_array_module(x)
        N, C, P = x.shape[0], x.shape[1], math.prod(x.shape[2:])
        x3 = x.reshape(N, C, P)  # (N, C, ∏S): the statistics run over axes 0 and 2
        wide = _widen(xp, C, P)
        exact = risky = False
        if training:
            m = N * P
            with quiet():  # overflowing squares are judged below, never warned about
                mu = x3.mean(axis=(0, 2))
                xc = x3 - wide(mu)
                var = (xc * xc).mean(axis=(0, 2))
                s = 1 / xp.sqrt(var + eps)
            risky = xp is np and batch_stats_risky(mu, var, s, m)
            if risky:  # torch's own steps (moments.py)
                exact = x.flags.c_contiguous  # (torch takes another path for a strided x)
                mu, var, s = batch_stats(x3, eps, exact)
                with quiet():
                    xc = x3 - wide(mu)
            if running_mean is not None:
                running_mean *= 1 - momentum
                running_mean += momentum * mu.astype(running_mean.dtype)
            if running_var is not None:
                unbiased = var * (m / max(m - 1, 1))  # torch: unbiased running_var
                running_var *= 1 - momentum
                running_var += momentum * unbiased.astype(running_var.dtype)
        else:
            xc = x3 - wide(running_mean.astype(x.dtype, copy=False))
            var = running_var.astype(x.dtype, copy=False)
            s = 1 / xp.sqrt(var + eps)  # (C,)
        if exact:
            with quiet():
                xhat = xc * wide(s)
            y = batch_transform(x3, mu, s, weight, bias)
        elif risky:
            with quiet():  # inf·0 = nan, as torch's, silently
                xhat, y = _affine(xp, xc, s, weight, bias, wide)
        else:
            xhat, y = _affine(xp, xc, s, weight, bias, wide)
        ctx.save_for_backward(xhat, s, weight)
        ctx.training = training
        return y.reshape(x.shape)

    @staticmethod
    def backward(ctx, g):
        xhat, s, weight = ctx.saved_tensors
        xp = get_array_module(g)
        nx, nw, nb = ctx.needs_input_grad[:3]
        N, C, P = xhat.shape
        g3 = g.reshape(N, C, P)
        wide = _widen(xp, C, P)
        gx = gw = gb = None
        train = nx and ctx.training
        # per channel, Σ g and Σ g·x̂ give the γ and β gradients and, γ being constant over the
        # summed axes (the sums of ĝ and ĝ·x̂ are γ times them), x's too: each computed once
        sg = g3.sum(axis=(0, 2)) if nb or train else None  # ∂y/∂β = 1
        gxh = g3 * xhat if nw or train else None
        sgx = gxh.sum(axis=(0, 2)) if nw or train else None  # ∂y/∂γ = x̂
        gw = sgx if nw else None
        gb = sg if nb else None
        if nx:
            ws = s * weight if weight is not None else s  # γ·s, one per channel
            if ctx.training:  # μ, σ² depend on x: ∂L/∂x = γs·(g − Σ g/M − x̂·Σ g·x̂/M)
                m = N * P  # (the module docstring's formula, in place)
                # speed: written into g·x̂'s buffer, one (N, C, ...) array in all
                gx = gxh if gxh.dtype == xp.result_type(g, xhat, ws) else xp.empty_like(gxh)
                fused = (_norm_kernels.kernel(_norm_kernels.bn_input_grad)
                         if _norm_kernels.takes(g3, xhat, ws, gx) else None)
                if fused is not None:  # the four passes below in one compiled pass
                    fused(g3, xhat, sgx / m, sg / m, ws, gx)
                    return gx.reshape(g.shape), gw, gb, None, None, None, None, None
                xp.multiply(xhat, wide(sgx / m), out=gx)
                xp.subtract(g3, gx, out=gx)
                gx -= wide(sg / m)
                gx *= wide(ws)
            else:  # running statistics are constants: ∂x̂/∂x = s
                gx = g3 * wide(ws)
            gx = gx.reshape(g.shape)
        return gx, gw, gb, None, None, None, None, None


def _affine(xp, xc, s, weight, bias, wide):
    """(x̂, y): x̂ = (x − μ)·s, y = γ·x̂ + β, per channel."""
    if weight is not None and bias is not None and _norm_kernels.takes(xc, s, weight, bias):
        fused = _norm_kernels.kernel(_norm_kernels.bn_affine)
        if fused is not None:  # the three passes below in one compiled pass, the same floats
            y = xp.empty_like(xc)
            fused(xc, s, weight, bias, y)
            return xc, y
    if s.dtype == xc.dtype:
        xc *= wide(s)  # x̂ in place: xc is this op's own temporary (speed: no third array)
        xhat = xc
    else:
        xhat = xc * wide(s)
    if weight is not None:
        y = xhat * wide(weight)
        if bias is not None and y.dtype == xp.result_type(y, bias):
            y += wide(bias)  # in place: no second (N, C, ...) array (speed)
        elif bias is not None:
            y = y + wide(bias)
    else:
        y = xhat if bias is None else xhat + wide(bias)
    return xhat, y


def _widen(xp, C: int, P: int):
    """A per-channel (C,) array shaped to broadcast against x viewed as (N, C, P).

    For images (P > 1) it is materialized as a contiguous (C, P) plane: NumPy runs an
    elementwise op on two contiguous operands about twice as fast as against a stride-0
    broadcast one, and the plane is N times smaller than x (speed only; the values are equal).
    """
    if P < 16:
        return lambda v: v.reshape(C, 1)
    return lambda v: xp.repeat(v.reshape(C, 1), P, axis=1)


class LayerNormFn(Function):
    """y = γ·(x − μ)/√(σ² + ε) + β with μ, σ² over the last ``k`` axes (per sample)."""

    node_name = "NativeLayerNormBackward0"  # torch's name for this node

    array_io = True
    node_inputs = (0, 1, 2)  # torch lists weight, bias even when None

    @staticmethod
    def reference(x, weight, bias, k, eps):
        """The plain twin, composed of ops (used for double backward)."""
        axes = tuple(range(x.ndim - k, x.ndim))
        xc = x - x.mean(dim=axes, keepdim=True)
        y = xc / ((xc * xc).mean(dim=axes, keepdim=True) + eps).sqrt()
        if weight is not None:
            y = y * weight
        return y if bias is None else y + bias

    @staticmethod
    @half_opmath  # float16: computed in float32, rounded once
    def forward(ctx, x, weight, bias, k, eps):
        xp = get_array_module(x)
        axes = tuple(range(x.ndim - k, x.ndim))
        _, xc, var = moments(x, axes)  # two-pass, or torch's Welford steps where squares overflow
        with quiet():  # 1/√(σ² + ε) of an overflowed σ² is 0, of a nan one nan: torch's, silently
            s = 1 / xp.sqrt(var + eps)
            xhat = xc * s
        y = xhat * weight if weight is not None else xhat
        if bias is not None:
            y = y + bias
        ctx.save_for_backward(xhat, s, weight)
        ctx.axes = axes
        return y

    @staticmethod
    @half_opmath_backward  # float16: computed in float32 (torch's backward kernel)
    def backward(ctx, g):
        xhat, s, weight = ctx.saved_tensors
        nx, nw, nb = ctx.needs_input_grad[:3]
        axes = ctx.axes
        lead = tuple(range(g.ndim - len(axes)))  # the axes γ and β are broadcast on
        gx = gw = gb = None
        if nw:
            gw = (g * xhat).sum(axis=lead)  # ∂y/∂γ = x̂
        if nb:
            gb = g.sum(axis=lead)  # ∂y/∂β = 1
        if nx:
            gh = g * weight if weight is not None else g  # ĝ = g·γ
            m = 1
            for a in axes:
                m *= g.shape[a]
            gx = (s / m) * (m * gh - gh.sum(axis=axes, keepdims=True)
                            - xhat * (gh * xhat).sum(axis=axes, keepdims=True))
        return gx, gw, gb, None, None


class GroupNormFn(Function):
    """y = γ[c]·(x − μ)/√(σ² + ε) + β[c] with μ, σ² per (sample, group of C/G channels), over
    the group's channels and every spatial position; γ, β per channel.

    The normalization is layer norm's over the trailing axis of x viewed as (N, G, C/G·∏S),
    so the backward is the module docstring's formula on that view, with ĝ = g·γ[c].
    """

    node_name = "NativeGroupNormBackward0"  # torch's name for this node

    array_io = True
    node_inputs = (0, 1, 2)  # torch lists weight, bias even when None

    @staticmethod
    def reference(x, weight, bias, groups, eps):
        """The plain twin, composed of ops (used for double backward)."""
        N, C = x.shape[0], x.shape[1]
        xg = x.reshape(N, groups, (C // groups) * math.prod(x.shape[2:]))
        xc = xg - xg.mean(dim=2, keepdim=True)
        y = (xc / ((xc * xc).mean(dim=2, keepdim=True) + eps).sqrt()).reshape(x.shape)
        cshape = (1, C) + (1,) * (x.ndim - 2)
        if weight is not None:
            y = y * weight.reshape(cshape)
        return y if bias is None else y + bias.reshape(cshape)

    @staticmethod
    @half_opmath  # float16: computed in float32, rounded once
    def forward(ctx, x, weight, bias, groups, eps):
        xp = get_array_module(x)
        N, C = x.shape[:2]
        cshape = (1, C) + (1,) * (x.ndim - 2)
        xg = x.reshape(N, groups, (C // groups) * math.prod(x.shape[2:]))
        _, xc, var = moments(xg, (2,))  # two-pass, or torch's Welford steps (ops/moments.py)
        with quiet():
            s = 1 / xp.sqrt(var + eps)
            xhat = xc * s  # (N, G, M)
        y = xhat.reshape(x.shape)
        if weight is not None:
            y = y * weight.reshape(cshape)
        if bias is not None:
            y = y + bias.reshape(cshape)
        ctx.save_for_backward(xhat, s, weight)
        ctx.cshape = cshape
        return y

    @staticmethod
    @half_opmath_backward  # float16: computed in float32 (torch's backward kernel)
    def backward(ctx, g):
        xhat, s, weight = ctx.saved_tensors
        nx, nw, nb = ctx.needs_input_grad[:3]
        axes = (0,) + tuple(range(2, g.ndim))  # every axis but the channel's
        gx = gw = gb = None
        if nw:
            gw = (g * xhat.reshape(g.shape)).sum(axis=axes)  # ∂y/∂γ = x̂
        if nb:
            gb = g.sum(axis=axes)  # ∂y/∂β = 1
        if nx:
            gh = g * weight.reshape(ctx.cshape) if weight is not None else g  # ĝ = g·γ
            gh = gh.reshape(xhat.shape)
            m = xhat.shape[2]
            gx = (s / m) * (m * gh - gh.sum(axis=2, keepdims=True)
                            - xhat * (gh * xhat).sum(axis=2, keepdims=True))
            gx = gx.reshape(g.shape)
        return gx, gw, gb, None, None


METHODS: dict = {}
__all__: list = []
