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

from ..autograd import Function
from ..backend import get_array_module
from ..tensor import Tensor


class BatchNormFn(Function):
    """y = γ·(x − μ)/√(σ² + ε) + β per channel (axis 1), statistics over every other axis.

    training=True: μ, σ² of this batch (biased σ² to normalize); the running buffers (raw
    arrays, or None) are updated in place with ``momentum``, using the unbiased σ²·M/(M − 1).
    training=False: μ, σ² are the given running statistics (constants).
    """

    node_name = "NativeBatchNormBackward0"  # torch's name for this node

    array_io = True

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

    @staticmethod
    def forward(ctx, x, weight, bias, running_mean, running_var, training, momentum, eps):
        xp = get_array_module(x)
        axes = (0,) + tuple(range(2, x.ndim))
        cshape = (1, -1) + (1,) * (x.ndim - 2)
        if training:
            mu = x.mean(axis=axes, keepdims=True)
            xc = x - mu
            var = (xc * xc).mean(axis=axes, keepdims=True)
            m = x.size // x.shape[1]
            if running_mean is not None:
                running_mean *= 1 - momentum
                running_mean += momentum * mu.reshape(-1).astype(running_mean.dtype)
            if running_var is not None:
                unbiased = var.reshape(-1) * (m / max(m - 1, 1))  # torch: unbiased running_var
                running_var *= 1 - momentum
                running_var += momentum * unbiased.astype(running_var.dtype)
        else:
            xc = x - running_mean.reshape(cshape).astype(x.dtype, copy=False)
            var = running_var.reshape(cshape).astype(x.dtype, copy=False)
        s = 1 / xp.sqrt(var + eps)
        if training and s.dtype == xc.dtype:
            xc *= s  # x̂ in place: xc is this op's own temporary (speed: no third array)
            xhat = xc
        else:
            xhat = xc * s
        if weight is not None:
            y = xhat * weight.reshape(cshape)
            if bias is not None and y.dtype == xp.result_type(y, bias):
                y += bias.reshape(cshape)  # in place: no second (N, C, ...) array (speed)
            elif bias is not None:
                y = y + bias.reshape(cshape)
        else:
            y = xhat if bias is None else xhat + bias.reshape(cshape)
        ctx.save_for_backward(xhat, s, weight)
        ctx.training, ctx.axes, ctx.cshape = training, axes, cshape
        return y

    @staticmethod
    def backward(ctx, g):
        xhat, s, weight = ctx.saved_tensors
        xp = get_array_module(g)
        nx, nw, nb = ctx.needs_input_grad[:3]
        axes = ctx.axes
        gx = gw = gb = None
        train = nx and ctx.training
        # per channel, Σ g and Σ g·x̂ give the γ and β gradients and, γ being constant over the
        # summed axes (the sums of ĝ and ĝ·x̂ are γ times them), x's too: each computed once
        sg = g.sum(axis=axes, keepdims=True) if nb or train else None  # ∂y/∂β = 1
        gxh = g * xhat if nw or train else None
        sgx = gxh.sum(axis=axes, keepdims=True) if nw or train else None  # ∂y/∂γ = x̂
        gw = sgx.reshape(-1) if nw else None
        gb = sg.reshape(-1) if nb else None
        if nx:
            ws = s * weight.reshape(ctx.cshape) if weight is not None else s  # γ·s, one per channel
            if ctx.training:  # μ, σ² depend on x: ∂L/∂x = γs·(g − Σ g/M − x̂·Σ g·x̂/M)
                m = g.size // g.shape[1]  # (the module docstring's formula, in place)
                # speed: written into g·x̂'s buffer, one (N, C, ...) array in all
                gx = gxh if gxh.dtype == xp.result_type(g, xhat, ws) else xp.empty_like(gxh)
                xp.multiply(xhat, sgx / m, out=gx)
                xp.subtract(g, gx, out=gx)
                gx -= sg / m
                gx *= ws
            else:  # running statistics are constants: ∂x̂/∂x = s
                gx = g * ws
        return gx, gw, gb, None, None, None, None, None


class LayerNormFn(Function):
    """y = γ·(x − μ)/√(σ² + ε) + β with μ, σ² over the last ``k`` axes (per sample)."""

    node_name = "NativeLayerNormBackward0"  # torch's name for this node

    array_io = True

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
    def forward(ctx, x, weight, bias, k, eps):
        xp = get_array_module(x)
        axes = tuple(range(x.ndim - k, x.ndim))
        mu = x.mean(axis=axes, keepdims=True)
        xc = x - mu
        var = (xc * xc).mean(axis=axes, keepdims=True)
        s = 1 / xp.sqrt(var + eps)
        xhat = xc * s
        y = xhat * weight if weight is not None else xhat
        if bias is not None:
            y = y + bias
        ctx.save_for_backward(xhat, s, weight)
        ctx.axes = axes
        return y

    @staticmethod
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
    def forward(ctx, x, weight, bias, groups, eps):
        xp = get_array_module(x)
        N, C = x.shape[:2]
        cshape = (1, C) + (1,) * (x.ndim - 2)
        xg = x.reshape(N, groups, (C // groups) * math.prod(x.shape[2:]))
        xc = xg - xg.mean(axis=2, keepdims=True)
        s = 1 / xp.sqrt((xc * xc).mean(axis=2, keepdims=True) + eps)
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
