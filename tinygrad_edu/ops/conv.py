"""N-d convolution and transposed convolution: im2col + one GEMM per group forward, col2im
backward (the window machinery is ``ops/im2col.py``).

Notation: input x (N, C, *S) with d = 1, 2 or 3 spatial axes, weight w (O, C/G, *K), bias b
(O,), G groups, stride s, dilation δ, zero padding already applied to x. The output is
(N, O, *Oₛ) with Oₛ = ⌊(S − δ(K − 1) − 1)/s⌋ + 1 per axis.

Convolution
-----------
torch's convolution is a cross-correlation (no kernel flip). Each output element reads one
window; flattening (n, i) into rows and (c, p) into columns gives the im2col matrix X̃
(R = N·∏Oₛ rows, C/G·∏K columns per group) and the convolution is one GEMM per group:

    Y = X̃ W̃ᵀ + b        Y[r, o] = Σ_k X̃[r, k] · W̃[o, k] + b[o]

Backward (g = ∂L/∂Y laid out the same way), as for nn.Linear:

    ∂L/∂W̃ = gᵀ X̃        ∂L/∂b = Σ_r g[r, :]        ∂L/∂X̃ = g W̃

and ∂L/∂x is col2im of ∂L/∂X̃: an element of x copied into several windows gets the sum of
their gradients.

Transposed convolution: the adjoint
-----------------------------------
A convolution is linear in x: y = A x for a (huge, sparse) matrix A built from w. Its input
gradient is ∂L/∂x = Aᵀ g. ``conv_transpose`` *is* that map, y = Aᵀ x, so

- its forward is a convolution's input-gradient: GEMM with W̃ then col2im (scatter each input
  element's contribution over a window of the output), then crop the padding;
- its input-gradient is a convolution's forward: pad g back, im2col, GEMM — (Aᵀ)ᵀ = A;
- its weight gradient is the convolution's, with the roles of input and output swapped.

Here w is (C_in, C_out/G, *K) and the output has (S − 1)·s − 2·pad + δ(K − 1) + output_padding
+ 1 elements per axis (output_padding picks one of the sizes a strided convolution maps onto
the same input size). torch names both nodes ``ConvolutionBackward0``: one op, a flag.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from ..autograd import Function
from ..backend import get_array_module
from . import _window_kernels
from ._util import half_opmath
from .im2col import (
    Col2ImFn,
    ConstantPadFn,
    Im2ColFn,
    col2im,
    crop,
    out_size,
    pad_array,
    windows,
)


def _space(d: int, start: int = 2) -> tuple:
    return tuple(range(start, start + d))


def _conv_reference(x, w, b, stride, pads, dilation, groups, transposed, output_padding):
    """The plain twin of :class:`ConvolutionFn`: pad, cut out the windows (Im2ColFn), one
    matmul per group, add the bias; transposed: matmul, then Col2ImFn, crop — every step an op
    of its own, so it can be differentiated again."""
    d, G = w.ndim - 2, groups
    K = tuple(w.shape[2:])
    if not transposed:
        if any(pads):
            x = ConstantPadFn.apply(x, pads, 0.0)
        N, S = x.shape[0], tuple(x.shape[2:])
        O, Cg = w.shape[0], w.shape[1]
        out = tuple(out_size(n, k, s, dl) for n, k, s, dl in zip(S, K, stride, dilation))
        R, Kc, Og = N * math.prod(out), Cg * math.prod(K), O // G
        cols = Im2ColFn.apply(x, K, stride, dilation, out)  # (N, C, *K, *O)
        cols = cols.permute(0, *_space(d, 2 + d), 1, *_space(d)).reshape(R, G, Kc)
        y = cols.permute(1, 0, 2) @ w.reshape(G, Og, Kc).permute(0, 2, 1)  # (G, R, Og)
        y = y.permute(1, 0, 2).reshape(N, *out, O)
        if b is not None:
            y = y + b
        return y.permute(0, d + 1, *_space(d, 1))
    N, Cin, S = x.shape[0], x.shape[1], tuple(x.shape[2:])
    Og, Cg, P = w.shape[1], Cin // G, math.prod(S)
    xs = x.reshape(N, G, Cg, P).permute(1, 0, 3, 2).reshape(G, N * P, Cg)
    cols = xs @ w.reshape(G, Cg, Og * math.prod(K))  # (G, R, Og·∏K)
    cols = cols.reshape(G, N, *S, Og, *K).permute(1, 0, 2 + d, *_space(d, 3 + d), *_space(d))
    full = tuple((n - 1) * s + dl * (k - 1) + 1 + op
                 for n, k, s, dl, op in zip(S, K, stride, dilation, output_padding))
    y = Col2ImFn.apply(cols.reshape(N, G * Og, *K, *S), (N, G * Og) + full, K, stride, dilation)
    y = y[(slice(None), slice(None)) + tuple(
        slice(pads[2 * a], full[a] - pads[2 * a + 1]) for a in range(d))]
    return y if b is None else y + b.reshape(-1, *(1,) * d)


class ConvolutionFn(Function):
    """y[n, o, i] = b[o] + Σ_{c, p} w[o, c, p] · x_pad[n, g·C_g + c, i·s + p·δ]  (g = the group
    of output channel o); ``transposed``: y = the adjoint map of that convolution applied to x
    (see the module docstring)."""

    array_io = True
    node_inputs = (0, 1, 2)  # torch lists the bias even when None

    reference = staticmethod(_conv_reference)

    @staticmethod
    @half_opmath  # float16: computed in float32, rounded once
    def forward(ctx, x, w, b, stride, pads, dilation, groups, transposed=False,
                output_padding=None):
        if transposed:
            if getattr(ctx, "from_half", False):  # torch's col2im adds float16 in half steps
                x, w, b = (a if a is None else a.astype("float16") for a in (x, w, b))
            return _transposed_forward(ctx, x, w, b, stride, pads, dilation, groups,
                                       output_padding)
        xp = get_array_module(x)
        xpd = pad_array(x, pads)
        d, G = w.ndim - 2, groups
        N, S = xpd.shape[0], xpd.shape[2:]
        O, Cg, K = w.shape[0], w.shape[1], w.shape[2:]
        out = tuple(out_size(n, k, s, dl) for n, k, s, dl in zip(S, K, stride, dilation))
        win = windows(xpd, K, stride, dilation, out)  # (N, C, *O, *K): a view, no copy yet
        P, Kc, Og = math.prod(out), Cg * math.prod(K), O // G
        # im2col, the one copy, laid out (C, *K, N, *Oₛ): rows (group, c, p), columns (n, i).
        # Speed: the innermost axis is a run of the output's last axis (long strided reads, not
        # ∏K-element scraps), and every group is ONE GEMM over the whole batch.
        cols = xp.ascontiguousarray(win.transpose(
            (1,) + _space(d, 2 + d) + (0,) + _space(d))).reshape(G, Kc, N * P)
        y = w.reshape(G, Og, Kc) @ cols  # (G, Og, N·P): Y = W̃ X̃ per group
        ctx.save_for_backward(cols, w)
        ctx.geom = (xpd.shape, pads, stride, dilation, groups, out, False)
        y = y.reshape(O, N, P).swapaxes(0, 1)  # (N, O, ∏Oₛ), a view
        # the bias is added in the same pass that lays y out as (N, O, *Oₛ) (speed: one pass
        # over the output instead of two), as a contiguous (O, ∏Oₛ) plane: NumPy adds two
        # contiguous operands several times faster than a stride-0 broadcast one
        res = xp.empty(y.shape, dtype=y.dtype if b is None else xp.result_type(y, b))
        if b is None:
            res[...] = y
        else:
            xp.add(y, xp.repeat(b.reshape(O, 1), P, axis=1), out=res)
        return res.reshape((N, O) + out)

    @staticmethod
    def backward(ctx, g):
        if ctx.geom[-1]:
            return _transposed_backward(ctx, g)
        cols, w = ctx.saved_tensors
        xp = get_array_module(g)
        nx, nw, nb = ctx.needs_input_grad[:3]
        pshape, pads, stride, dilation, G, out, _ = ctx.geom
        d = w.ndim - 2
        N, C = pshape[:2]
        O, Cg, K = w.shape[0], w.shape[1], w.shape[2:]
        P, Kc, Og = math.prod(out), Cg * math.prod(K), O // G
        # g laid out as Y: (G, Og, N·P), one copy with runs of ∏Oₛ elements
        g2 = xp.ascontiguousarray(g.reshape(N, O, P).swapaxes(0, 1)).reshape(G, Og, N * P)
        gx = gw = gb = None
        if nb:
            gb = g2.reshape(O, N * P).sum(axis=1)  # ∂y/∂b[o] = 1 at every (n, i)
        if nw:
            gw = (g2 @ cols.swapaxes(1, 2)).reshape(w.shape)  # ∂L/∂W̃ = g X̃ᵀ
        if nx and _FLAT_COL2IM and all(s == 1 for s in stride) and g.size and math.prod(pshape):
            gx = crop(_input_grad_stride1(g, w, G, pshape, out, dilation), pads)
        elif nx:
            gcols = w.reshape(G, Og, Kc).swapaxes(1, 2) @ g2  # ∂L/∂X̃ = W̃ᵀ g, (G, Kc, N·P)
            gwin = gcols.reshape((C,) + K + (N,) + out)  # (C, *K, N, *Oₛ)
            gwin = gwin.transpose((d + 1, 0) + _space(d, d + 2) + _space(d, 1))
            gx = crop(col2im(gwin, pshape, stride, dilation), pads)  # sum over the copies
        return gx, gw, gb, None, None, None, None, None, None


# stride-1 input gradients through _input_grad_stride1 (False: the im2col.col2im route, its
# reference; the parity tests compare the two)
_FLAT_COL2IM = True


def _input_grad_stride1(g, w, G, pshape, out, dilation):
    """∂L/∂x_pad of a stride-1 convolution, col2im done as ∏K long contiguous additions.

    With stride 1, window i reads x_pad at i + p·δ. Lay g out on the padded grid's rows,
    (O, N, O₁, S₂, …, S_d), zero where no window starts: then position q of a flattened row
    block and x_pad's flat index q + off(p), off(p) = Σₐ pₐ·δₐ·∏_{b>a} S_b, line up for every
    kernel offset p at once, so ∂L/∂X̃ = W̃ᵀ g (one GEMM) is added back with one slice per p
    over N·C rows of O₁·∏S₂.. elements (the generic col2im adds N·C·∏O₁.. short rows). The zero
    columns cost (∏S₂.. / ∏O₂..) − 1 extra GEMM work; their products are 0, added harmlessly.
    """
    xp = get_array_module(g)
    d = w.ndim - 2
    N, C, S = pshape[0], pshape[1], tuple(pshape[2:])
    O, Og, Cg, K = w.shape[0], w.shape[0] // G, w.shape[1], tuple(w.shape[2:])
    L = out[0] * math.prod(S[1:])
    z = xp.zeros((O, N, out[0]) + S[1:], dtype=g.dtype)
    z[(slice(None),) * 3 + tuple(slice(0, o) for o in out[1:])] = g.swapaxes(0, 1)
    gcols = w.reshape(G, Og, Cg * math.prod(K)).swapaxes(1, 2) @ z.reshape(G, Og, N * L)
    gcols = gcols.reshape(C, math.prod(K), N, L)  # ∂L/∂X̃ = W̃ᵀ g on the padded rows
    flat = math.prod(S)
    row = [math.prod(S[a + 1:]) for a in range(d)]  # x_pad's flat stride of each axis
    gx = xp.zeros((N, C, flat), dtype=gcols.dtype)
    offs = [sum(pa * da * ra for pa, da, ra in zip(p, dilation, row))
            for p in itertools.product(*(range(n) for n in K))]
    fused = _window_kernels.kernel(_window_kernels.col2im_rows) if _window_kernels.takes(
        gcols, gx) else None
    if fused is not None:  # the same additions in the same order, one compiled pass
        fused(gcols, np.asarray(offs, dtype=np.int64), gx)
        return gx.reshape(pshape)
    for k, off in enumerate(offs):
        n = min(L, flat - off)  # past it only zero columns (a real window ends inside x_pad)
        gx[:, :, off:off + n] += gcols[:, k, :, :n].swapaxes(0, 1)
    return gx.reshape(pshape)


def _transposed_forward(ctx, x, w, b, stride, pads, dilation, G, output_padding):
    """y = Aᵀx: one GEMM per group (each input element times the kernel), col2im, crop."""
    xp = get_array_module(x)
    d = w.ndim - 2
    N, Cin, S = x.shape[0], x.shape[1], x.shape[2:]
    Og, K = w.shape[1], w.shape[2:]
    Cg, P, Kp = Cin // G, math.prod(S), math.prod(K)
    xs = x.reshape(N, G, Cg, P).transpose(1, 0, 3, 2).reshape(G, N * P, Cg)  # rows (n, i)
    cols = xs @ w.reshape(G, Cg, Og * Kp)  # (G, R, Og·∏K): ∂L/∂X̃ = g W̃ of a convolution
    win = cols.reshape((G, N) + S + (Og,) + K)
    win = win.transpose((1, 0, 2 + d) + _space(d) + _space(d, 3 + d))  # (N, G, Og, *S, *K)
    full = tuple((n - 1) * s + dl * (k - 1) + 1 + op
                 for n, k, s, dl, op in zip(S, K, stride, dilation, output_padding))
    y = col2im(win.reshape((N, G * Og) + S + K), (N, G * Og) + full, stride, dilation)
    y = crop(y, pads)
    if b is not None:
        y = y + b.reshape((-1,) + (1,) * d)
    ctx.save_for_backward(x, w)
    ctx.geom = (pads, stride, dilation, G, tuple(S), True)
    return xp.ascontiguousarray(y)


def _transposed_backward(ctx, g):
    """The adjoint of the adjoint is the convolution: pad g back, im2col, GEMM."""
    x, w = ctx.saved_tensors
    nx, nw, nb = ctx.needs_input_grad[:3]
    pads, stride, dilation, G, S, _ = ctx.geom
    xp = get_array_module(g)
    d = w.ndim - 2
    N, Cin = x.shape[:2]
    Og, K = w.shape[1], w.shape[2:]
    Cg, P, Kp = Cin // G, math.prod(S), math.prod(K)
    gx = gw = gb = None
    if nb:
        gb = g.sum(axis=(0,) + _space(d))  # ∂y/∂b[o] = 1 at every (n, i)
    if nx or nw:
        gwin = windows(pad_array(g, pads), K, stride, dilation, S)  # (N, C_out, *S, *K)
        gwin = gwin.reshape((N, G, Og) + S + K)
        gcols = gwin.transpose((1, 0) + _space(d, 3) + (2,) + _space(d, 3 + d))
        gcols = xp.ascontiguousarray(gcols).reshape(G, N * P, Og * Kp)  # im2col of g
        if nx:  # ∂L/∂x = A g: the convolution of g with w
            gxs = gcols @ w.reshape(G, Cg, Og * Kp).transpose(0, 2, 1)  # (G, R, Cg)
            gx = gxs.reshape(G, N, P, Cg).transpose(1, 0, 3, 2).reshape(x.shape)
        if nw:  # ∂L/∂W̃ = X̃ᵀ (im2col of g), the convolution's weight gradient transposed
            xs = x.reshape(N, G, Cg, P).transpose(1, 2, 0, 3).reshape(G, Cg, N * P)
            gw = (xs @ gcols).reshape(w.shape)
    return gx, gw, gb, None, None, None, None, None, None


METHODS: dict = {}
__all__: list = []
