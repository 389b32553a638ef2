"""Pooling: max and average over (kh, kw) windows of the last two axes, via the window view of
conv.py (see its docstring for the notation).
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..backend import get_array_module
from ..tensor import Tensor
from .conv import ConstantPadFn, Im2ColFn, _col2im, _crop, _pad, _windows


class MaxPool2dFn(Function):
    """y[n,c,i,j] = max_{p,q} x_pad[n, c, i·sh + p·dh, j·sw + q·dw]  (x_pad padded with −∞)

    ∂y/∂x is 1 at the window's argmax and 0 elsewhere. torch: on ties the FIRST maximum in
    row-major window order wins (``argmax`` does the same); a NaN in the window wins.
    """

    node_name = "MaxPool2DWithIndicesBackward0"  # torch's name for this node

    array_io = True

    @staticmethod
    def reference(x, kernel, stride, pads, dilation, out_hw, sink):
        """The plain twin: pad with −∞, cut out the windows, take each window's max."""
        if any(pads):
            x = ConstantPadFn.apply(x, pads, -float("inf"))
        win = Im2ColFn.apply(x, kernel, stride, dilation, out_hw)
        return win.reshape(*win.shape[:4], -1).max(dim=-1).values

    @staticmethod
    def forward(ctx, x, kernel, stride, pads, dilation, out_hw, sink):
        xp = get_array_module(x)
        (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out_hw
        xpd = _pad(x, pads, -xp.inf)
        win = _windows(xpd, kh, kw, sh, sw, dh, dw, ho, wo)
        flat = win.reshape(win.shape[:4] + (kh * kw,))  # copy: (N, C, Ho, Wo, kh·kw)
        am = flat.argmax(axis=-1)  # torch: the FIRST maximum wins a tie
        nan = xp.isnan(flat)
        host = xp is np  # on a GPU a bool() of a device array is a sync: compute unconditionally
        if not host or nan.any():  # torch: any NaN wins, the LAST NaN of the window is kept
            last = kh * kw - 1 - nan[..., ::-1].argmax(axis=-1)
            am = xp.where(nan.any(axis=-1), last, am)
        y = xp.take_along_axis(flat, am[..., None], axis=-1)[..., 0]
        if any(pads) and (not host or bool((y == -xp.inf).any())):
            # a window of only −∞: torch keeps its first REAL element (never the padding)
            valid = _windows(_pad(xp.ones(x.shape[2:], dtype=bool)[None, None], pads, False),
                             kh, kw, sh, sw, dh, dw, ho, wo)
            first = valid.reshape(valid.shape[:4] + (kh * kw,)).argmax(axis=-1)
            am = xp.where(y == -xp.inf, first, am)
        if sink is not None:  # return_indices: flat index h·W + w into the unpadded input
            ii = xp.arange(ho).reshape(-1, 1) * sh + (am // kw) * dh - pads[0]
            jj = xp.arange(wo) * sw + (am % kw) * dw - pads[2]
            sink.append(ii * x.shape[3] + jj)
        ctx.save_for_backward(am)
        ctx.geom = (xpd.shape, pads, kernel, stride, dilation, x.dtype)
        return y

    @staticmethod
    def backward(ctx, g):
        (am,) = ctx.saved_tensors
        pshape, pads, (kh, kw), (sh, sw), (dh, dw), dtype = ctx.geom
        xp = get_array_module(g)
        gx = xp.zeros(pshape, dtype=dtype)
        ho, wo = g.shape[2:]
        for p in range(kh):  # overlapping windows may pick one element twice: += adds them
            hs = slice(p * dh, p * dh + sh * (ho - 1) + 1, sh)
            for q in range(kw):
                hit = am == p * kw + q  # this offset was the window's argmax
                gx[:, :, hs, q * dw: q * dw + sw * (wo - 1) + 1: sw] += xp.where(hit, g, 0)
        return _crop(gx, pads), None, None, None, None, None, None


class AvgPool2dFn(Function):
    """y[n,c,i,j] = (1/d[i,j]) Σ_{p,q} x_pad[n, c, i·sh + p, j·sw + q]  (zero padding)

    d[i,j] is torch's divisor: the window area clipped to the padded input
    (count_include_pad) or to the real input, or ``divisor_override``. ∂y/∂x = 1/d at every
    element of the window.
    """

    node_name = "AvgPool2DBackward0"  # torch's name for this node

    array_io = True

    @staticmethod
    def reference(x, kernel, stride, pads, out_hw, divisor):
        """The plain twin: pad with zeros, cut out the windows, sum each, divide by d."""
        if any(pads):
            x = ConstantPadFn.apply(x, pads, 0.0)
        win = Im2ColFn.apply(x, kernel, stride, (1, 1), out_hw)
        return win.sum(dim=(4, 5)) / Tensor._wrap(divisor.astype(x._data.dtype))

    @staticmethod
    def forward(ctx, x, kernel, stride, pads, out_hw, divisor):
        (kh, kw), (sh, sw), (ho, wo) = kernel, stride, out_hw
        xpd = _pad(x, pads)
        win = _windows(xpd, kh, kw, sh, sw, 1, 1, ho, wo)
        y = win.sum(axis=(4, 5)) / divisor  # divisor (Ho, Wo), broadcast over (N, C)
        ctx.save_for_backward(divisor)
        ctx.geom = (xpd.shape, pads, kernel, stride)
        return y.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (divisor,) = ctx.saved_tensors
        pshape, pads, (kh, kw), (sh, sw) = ctx.geom
        xp = get_array_module(g)
        gd = g / divisor  # ∂y/∂x = 1/d for each element of the window
        gwin = xp.broadcast_to(gd[..., None, None], gd.shape + (kh, kw))
        return _crop(_col2im(gwin, pshape, sh, sw, 1, 1), pads), None, None, None, None, None
