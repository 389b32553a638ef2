"""2-D convolution and pooling: im2col + one GEMM forward, col2im backward.

Notation: input x (N, C, H, W), weight w (O, C/G, kh, kw), bias b (O,), G groups, stride
(sh, sw), dilation (dh, dw), zero padding already applied to x (so H, W are padded sizes).
The output (N, O, Ho, Wo) has Ho = ⌊(H − dh(kh − 1) − 1)/sh⌋ + 1 (likewise Wo).

im2col
------
Every output pixel (i, j) looks at one window of x. A strided *view* lists the windows
without copying (NumPy/CuPy ``as_strided``):

    win[n, c, i, j, p, q] = x[n, c, i·sh + p·dh, j·sw + q·dw]

Flattening (n, i, j) into rows and (c, p, q) into columns gives the im2col matrix X̃
(R = N·Ho·Wo rows, K = C·kh·kw columns; this reshape is the one copy). The convolution
(torch's is a cross-correlation: no kernel flip) is then one GEMM per group:

    Y[r, o] = Σ_k X̃[r, k] · W̃[o, k] + b[o]            i.e.  Y = X̃ W̃ᵀ + b

Backward (g = ∂L/∂Y, reshaped to (R, O) the same way)
-------------------------------------------------------
Y = X̃ W̃ᵀ is a matrix product, so as for nn.Linear:

    ∂L/∂W̃ = gᵀ X̃        ∂L/∂b = Σ_r g[r, :]        ∂L/∂X̃ = g W̃

∂L/∂x then follows from the chain rule through the window view: x[n, c, h, w] appears in
every window (i, j, p, q) with h = i·sh + p·dh, w = j·sw + q·dw, so its gradient is the SUM of
the column gradients of all those copies (col2im). When windows overlap (stride < kernel) an
element has several copies; for one fixed kernel offset (p, q) the map (i, j) → (h, w) is
one-to-one, so col2im is kh·kw vectorized strided ``+=`` (a scatter-add with no collisions
within one statement, deterministic, identical on NumPy and CuPy).
"""

from __future__ import annotations

from ..autograd import Function
from ..backend import get_array_module
from .index import GetItemFn, IndexAccumulateFn


def _windows(x, kh, kw, sh, sw, dh, dw, ho, wo):
    """The (N, C, Ho, Wo, kh, kw) view win[n,c,i,j,p,q] = x[n,c,i·sh + p·dh, j·sw + q·dw]."""
    xp = get_array_module(x)
    sN, sC, sH, sW = x.strides
    return xp.lib.stride_tricks.as_strided(
        x, shape=(x.shape[0], x.shape[1], ho, wo, kh, kw),
        strides=(sN, sC, sH * sh, sW * sw, sH * dh, sW * dw))


def _col2im(gwin, shape, sh, sw, dh, dw):
    """Adjoint of :func:`_windows`: gx[n,c,i·sh + p·dh, j·sw + q·dw] += gwin[n,c,i,j,p,q]."""
    xp = get_array_module(gwin)
    gx = xp.zeros(shape, dtype=gwin.dtype)
    _, _, ho, wo, kh, kw = gwin.shape
    for p in range(kh):  # one kernel offset at a time: no two (i, j) hit the same (h, w)
        hs = slice(p * dh, p * dh + sh * (ho - 1) + 1, sh)
        for q in range(kw):
            gx[:, :, hs, q * dw: q * dw + sw * (wo - 1) + 1: sw] += gwin[:, :, :, :, p, q]
    return gx


def _pad(x, pads, value=0.0):
    """Pad the last two axes by pads = (top, bottom, left, right) with ``value``."""
    if not any(pads):
        return x
    xp = get_array_module(x)
    t, b, left, r = pads
    return xp.pad(x, ((0, 0), (0, 0), (t, b), (left, r)), constant_values=value)


def _crop(gx, pads):
    t, b, left, r = pads
    return gx[:, :, t: gx.shape[2] - b, left: gx.shape[3] - r]


class Im2ColFn(Function):
    """win[n,c,i,j,p,q] = x[n,c,i·sh + p·dh, j·sw + q·dw]: every window as its own copy.

    LinearFn in x, so its backward is its adjoint, :class:`Col2Im` (and the other way round):
    the pair is what the plain reference twins of conv and pooling are built from."""

    array_io = True

    @staticmethod
    def forward(ctx, x, kernel, stride, dilation, out_hw):
        (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out_hw
        ctx.geom = (x.shape, kernel, stride, dilation, out_hw)
        return get_array_module(x).ascontiguousarray(_windows(x, kh, kw, sh, sw, dh, dw, ho, wo))

    @staticmethod
    def backward(ctx, g):
        shape, kernel, stride, dilation, out_hw = ctx.geom
        return Col2ImFn.call(g, shape, kernel, stride, dilation), None, None, None, None


class Col2ImFn(Function):
    """x[n,c,i·sh + p·dh, j·sw + q·dw] += win[n,c,i,j,p,q]: windows summed back into an image
    (the adjoint of :class:`Im2Col`)."""

    array_io = True

    @staticmethod
    def forward(ctx, win, shape, kernel, stride, dilation):
        (sh, sw), (dh, dw) = stride, dilation
        ctx.geom = (kernel, stride, dilation, win.shape[2:4])
        return _col2im(win, shape, sh, sw, dh, dw)

    @staticmethod
    def backward(ctx, g):
        kernel, stride, dilation, out_hw = ctx.geom
        return Im2ColFn.call(g, kernel, stride, dilation, out_hw), None, None, None, None


class ConstantPadFn(Function):
    """y = x with pads = (top, bottom, left, right) rows/columns of ``value`` around the last
    two axes; ∂y/∂x crops the gradient back."""

    array_io = True

    @staticmethod
    def forward(ctx, x, pads, value):
        ctx.crop = (slice(None), slice(None), slice(pads[0], pads[0] + x.shape[2]),
                    slice(pads[2], pads[2] + x.shape[3]))
        return _pad(x, pads, value)

    @staticmethod
    def backward(ctx, g):
        return GetItemFn.call(g, ctx.crop, False), None, None


def _conv2d_reference(x, w, b, stride, pads, dilation, groups):
    """The plain twin of :class:`Conv2d`: pad, cut the windows out (Im2ColFn), one matmul per
    group, add the bias — every step an op of its own, so it can be differentiated again."""
    if any(pads):
        x = ConstantPadFn.apply(x, pads, 0.0)
    N, C, H, W = x.shape
    O, Cg, kh, kw = w.shape
    (sh, sw), (dh, dw), G = stride, dilation, groups
    ho, wo = (H - dh * (kh - 1) - 1) // sh + 1, (W - dw * (kw - 1) - 1) // sw + 1
    win = Im2ColFn.apply(x, (kh, kw), stride, dilation, (ho, wo))  # (N, C, Ho, Wo, kh, kw)
    K, Og = Cg * kh * kw, O // G
    cols = win.permute(0, 2, 3, 1, 4, 5).reshape(N * ho * wo, G, K).permute(1, 0, 2)
    y = cols @ w.reshape(G, Og, K).permute(0, 2, 1)  # (G, R, Og)
    y = y.permute(1, 0, 2).reshape(N, ho, wo, O)
    if b is not None:
        y = y + b
    return y.permute(0, 3, 1, 2)


class ConvolutionFn(Function):
    """y[n,o,i,j] = b[o] + Σ_{c,p,q} w[o,c,p,q] · x_pad[n, g·C_g + c, i·sh + p·dh, j·sw + q·dw]
    (g = the group of output channel o); see the module docstring for the backward."""

    array_io = True

    reference = staticmethod(_conv2d_reference)

    @staticmethod
    def forward(ctx, x, w, b, stride, pads, dilation, groups):
        xp = get_array_module(x)
        xpd = _pad(x, pads)
        (sh, sw), (dh, dw), G = stride, dilation, groups
        N, C, H, W = xpd.shape
        O, Cg, kh, kw = w.shape
        ho = (H - dh * (kh - 1) - 1) // sh + 1
        wo = (W - dw * (kw - 1) - 1) // sw + 1
        win = _windows(xpd, kh, kw, sh, sw, dh, dw, ho, wo)  # a view: no copy yet
        R, K, Og = N * ho * wo, Cg * kh * kw, O // G
        # im2col: rows (n, i, j), columns (group, c, p, q) -> (G, R, K); the one copy
        cols = win.transpose(0, 2, 3, 1, 4, 5).reshape(R, G, K).transpose(1, 0, 2)
        cols = xp.ascontiguousarray(cols)
        wg = w.reshape(G, Og, K)
        y = cols @ wg.transpose(0, 2, 1)  # (G, R, Og): Y = X̃ W̃ᵀ, one GEMM per group
        y = y.transpose(1, 0, 2).reshape(N, ho, wo, O)
        if b is not None:
            y = y + b
        ctx.save_for_backward(cols, w)
        ctx.geom = (xpd.shape, pads, stride, dilation, groups, ho, wo)
        return xp.ascontiguousarray(y.transpose(0, 3, 1, 2))  # (N, O, Ho, Wo) like torch

    @staticmethod
    def backward(ctx, g):
        cols, w = ctx.saved_tensors
        nx, nw, nb = ctx.needs_input_grad[:3]
        pshape, pads, (sh, sw), (dh, dw), G, ho, wo = ctx.geom
        N, C = pshape[:2]
        O, Cg, kh, kw = w.shape
        R, K, Og = N * ho * wo, Cg * kh * kw, O // G
        g2 = g.transpose(0, 2, 3, 1).reshape(R, G, Og).transpose(1, 0, 2)  # (G, R, Og)
        gx = gw = gb = None
        if nb:
            gb = g.sum(axis=(0, 2, 3))  # ∂y/∂b[o] = 1 at every (n, i, j)
        if nw:
            gw = (g2.transpose(0, 2, 1) @ cols).reshape(w.shape)  # ∂L/∂W̃ = gᵀ X̃
        if nx:
            gcols = g2 @ w.reshape(G, Og, K)  # ∂L/∂X̃ = g W̃, (G, R, K)
            gwin = gcols.transpose(1, 0, 2).reshape(N, ho, wo, C, kh, kw)
            gwin = gwin.transpose(0, 3, 1, 2, 4, 5)  # back to the window layout
            gx = _crop(_col2im(gwin, pshape, sh, sw, dh, dw), pads)  # sum over copies
        return gx, gw, gb, None, None, None, None


_NP_MODE = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


class PadModeFn(Function):
    """y = x padded on the last two axes by reflection / replication / wrap-around
    (Conv2d's padding_mode). Every output pixel is a copy of some input pixel: padding an
    index grid with the same mode records which, and the backward scatter-adds g there."""

    array_io = True

    @staticmethod
    def forward(ctx, x, pads, mode):
        xp = get_array_module(x)
        N, C, H, W = x.shape
        t, b, left, r = pads
        idx = xp.pad(xp.arange(H * W).reshape(H, W), ((t, b), (left, r)), mode=_NP_MODE[mode])
        ctx.idx, ctx.shape = idx, x.shape
        return x.reshape(N, C, H * W)[:, :, idx]

    @staticmethod
    def backward(ctx, g):
        N, C, H, W = ctx.shape
        # a pixel copied into several padded places collects all their gradients
        gx = IndexAccumulateFn.call(g, (N, C, H * W), (slice(None), slice(None), ctx.idx), True)
        return gx.reshape(ctx.shape), None, None
