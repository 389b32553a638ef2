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
from ..tensor import Tensor


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


class Im2Col(Function):
    """win[n,c,i,j,p,q] = x[n,c,i·sh + p·dh, j·sw + q·dw]: every window as its own copy.

    Linear in x, so its backward is its adjoint, :class:`Col2Im` (and the other way round):
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
        return Col2Im.call(g, shape, kernel, stride, dilation), None, None, None, None


class Col2Im(Function):
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
        return Im2Col.call(g, kernel, stride, dilation, out_hw), None, None, None, None


class ConstantPad2d(Function):
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
        from .index import GetItem

        return GetItem.call(g, ctx.crop, False), None, None


def _conv2d_reference(x, w, b, stride, pads, dilation, groups):
    """The plain twin of :class:`Conv2d`: pad, cut the windows out (Im2Col), one matmul per
    group, add the bias — every step an op of its own, so it can be differentiated again."""
    if any(pads):
        x = ConstantPad2d.apply(x, pads, 0.0)
    N, C, H, W = x.shape
    O, Cg, kh, kw = w.shape
    (sh, sw), (dh, dw), G = stride, dilation, groups
    ho, wo = (H - dh * (kh - 1) - 1) // sh + 1, (W - dw * (kw - 1) - 1) // sw + 1
    win = Im2Col.apply(x, (kh, kw), stride, dilation, (ho, wo))  # (N, C, Ho, Wo, kh, kw)
    K, Og = Cg * kh * kw, O // G
    cols = win.permute(0, 2, 3, 1, 4, 5).reshape(N * ho * wo, G, K).permute(1, 0, 2)
    y = cols @ w.reshape(G, Og, K).permute(0, 2, 1)  # (G, R, Og)
    y = y.permute(1, 0, 2).reshape(N, ho, wo, O)
    if b is not None:
        y = y + b
    return y.permute(0, 3, 1, 2)


class Conv2d(Function):
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


class MaxPool2d(Function):
    """y[n,c,i,j] = max_{p,q} x_pad[n, c, i·sh + p·dh, j·sw + q·dw]  (x_pad padded with −∞)

    ∂y/∂x is 1 at the window's argmax and 0 elsewhere. torch: on ties the FIRST maximum in
    row-major window order wins (``argmax`` does the same); a NaN in the window wins.
    """

    array_io = True

    @staticmethod
    def reference(x, kernel, stride, pads, dilation, out_hw, sink):
        """The plain twin: pad with −∞, cut out the windows, take each window's max."""
        if any(pads):
            x = ConstantPad2d.apply(x, pads, -float("inf"))
        win = Im2Col.apply(x, kernel, stride, dilation, out_hw)
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
        if nan.any():  # torch: any NaN wins, and the LAST NaN of the window is the one kept
            last = kh * kw - 1 - nan[..., ::-1].argmax(axis=-1)
            am = xp.where(nan.any(axis=-1), last, am)
        y = xp.take_along_axis(flat, am[..., None], axis=-1)[..., 0]
        if any(pads) and bool((y == -xp.inf).any()):
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


class AvgPool2d(Function):
    """y[n,c,i,j] = (1/d[i,j]) Σ_{p,q} x_pad[n, c, i·sh + p, j·sw + q]  (zero padding)

    d[i,j] is torch's divisor: the window area clipped to the padded input
    (count_include_pad) or to the real input, or ``divisor_override``. ∂y/∂x = 1/d at every
    element of the window.
    """

    array_io = True

    @staticmethod
    def reference(x, kernel, stride, pads, out_hw, divisor):
        """The plain twin: pad with zeros, cut out the windows, sum each, divide by d."""
        if any(pads):
            x = ConstantPad2d.apply(x, pads, 0.0)
        win = Im2Col.apply(x, kernel, stride, (1, 1), out_hw)
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


_NP_MODE = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


class PadMode(Function):
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
        from .index import IndexBackward

        N, C, H, W = ctx.shape
        # a pixel copied into several padded places collects all their gradients
        gx = IndexBackward.call(g, (N, C, H * W), (slice(None), slice(None), ctx.idx), True)
        return gx.reshape(ctx.shape), None, None
