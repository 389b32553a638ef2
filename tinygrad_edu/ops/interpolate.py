"""Resampling (``F.interpolate``): nearest, nearest-exact, (bi/tri)linear and bicubic, with and
without antialiasing — all separable linear maps.

Along one spatial axis every mode computes each output element o as a weighted sum of a few
input elements ("taps"):

    y[o] = Σ_t w[o, t] · x[idx[o, t]]        (nearest: one tap of weight 1; linear: two;
                                              cubic: four; antialiased: a filter's support)

and an N-d resize applies that 1-D map axis by axis, the last (contiguous) axis first, as
torch's CPU kernels do — so the sums run in torch's order. The index and weight formulas below
are torch's (aten/src/ATen/native/UpSample.h), computed in the input's dtype like torch's
``opmath``.

Backward: each 1-D map is linear, y = A x with A[o, idx[o, t]] = w[o, t]; its adjoint Aᵀ adds
each g[o]·w[o, t] back onto x[idx[o, t]] (a scatter-add: several outputs read the same input
when upsampling). :class:`AxisGatherFn` and :class:`AxisScatterFn` are that adjoint pair, each
the other's backward, so the gradient can be differentiated again.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd import Function
from ..backend import get_array_module, scatter_add
from ._util import quiet


# ---- the taps of one axis -----------------------------------------------------------------------
def _scale(S: int, O: int, align_corners: bool, scale, t):
    """torch's area_pixel_compute_scale: the input step per output step, in dtype ``t``."""
    if align_corners:
        return t(S - 1) / t(O - 1) if O > 1 else t(0)
    return t(1.0 / scale) if scale is not None and scale > 0 else t(S) / t(O)


def _source(scale, o, align_corners: bool, cubic: bool, t):
    """torch's area_pixel_compute_source_index for output positions ``o``."""
    if align_corners:
        return scale * o.astype(t)
    # torch: scale · (o + 0.5) − 0.5 with the 0.5s as doubles: one rounding, to the dtype
    src = (np.float64(scale) * (o + 0.5) - 0.5).astype(t)
    return src if cubic else np.maximum(src, t(0))


def _guard(real, S: int):
    """torch's guard_index_and_lambda: the left tap and the fraction past it."""
    i0 = np.minimum(np.floor(real).astype(np.int64), S - 1)
    lam = np.clip(real - i0.astype(real.dtype), 0, 1).astype(real.dtype)
    return i0, lam


def _cubic_coeffs(lam, t):
    """Keys' cubic convolution weights (A = −0.75) of the 4 taps around a fraction ``lam``."""
    A = t(-0.75)

    def c1(x):
        return ((A + 2) * x - (A + 3)) * x * x + 1

    def c2(x):
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A

    return np.stack([c2(lam + 1), c1(lam), c1(1 - lam), c2(2 - lam)], axis=1)


def _nearest(mode: str, S: int, O: int, scale, dtype, vectorized: bool):
    """The source index of each output, as torch's CPU kernels compute it. The generic kernel
    (HelperInterpNearest[Exact]) works in opmath (float64 for float64, float32 otherwise, uint8
    included): nearest ⌊s·o⌋, nearest-exact ⌊max(s·(o + ½) − ½, 0) + ½⌋, each floor a float32
    floorf. The vectorized 2-d kernel (``vectorized``: torch takes it when out_h + out_w ≤ 128)
    uses UpSample.h's nearest_idx instead: a float32 scale, o itself when S = O and o >> 1 when
    O = 2S, and nearest-exact ⌊(o + ½)·s⌋."""
    o = np.arange(O)
    if vectorized:
        sc = np.float32(1.0 / scale) if scale is not None and scale > 0 else np.float32(S) / O
        if mode == "nearest":
            if O == S:
                return o
            if O == 2 * S:
                return o >> 1
            i = np.floor(o.astype(np.float32) * sc)
        else:  # (o + 0.5) is a double, the product too; floorf rounds it to float32 first
            i = np.floor(((o + 0.5) * np.float64(sc)).astype(np.float32))
        return np.minimum(i.astype(np.int64), S - 1)
    t = np.float64 if np.dtype(dtype) == np.float64 else np.float32
    sc = _scale(S, O, False, scale, t)
    if mode == "nearest":
        real = sc * o.astype(t)
        i = np.floor(real.astype(np.float32)).astype(np.int64)
    else:
        real = np.maximum(sc * (o.astype(t) + t(0.5)) - t(0.5), t(0))
        i = np.floor((real + t(0.5)).astype(np.float32)).astype(np.int64)
    return np.minimum(i, S - 1)


def taps(mode: str, S: int, O: int, align_corners: bool, scale, dtype,
         vectorized: bool = False) -> tuple:
    """(idx (O, T), w (O, T) or None, valid (O, T) or None) of one axis of size S -> O
    (``vectorized``: see :func:`_nearest`)."""
    if mode in ("nearest", "nearest-exact"):
        return _nearest(mode, S, O, scale, dtype, vectorized)[:, None], None, None
    t = np.dtype(dtype).type
    o = np.arange(O)
    sc = _scale(S, O, align_corners, scale, t)
    if mode == "linear":
        if S == O:  # torch: the same size is a copy
            return o[:, None], None, None
        i0, lam = _guard(_source(sc, o, align_corners, False, t), S)
        i1 = i0 + (i0 < S - 1)
        return np.stack([i0, i1], 1), np.stack([t(1) - lam, lam], 1).astype(dtype), None
    # cubic
    i0, lam = _guard(_source(sc, o, align_corners, True, t), S)
    idx = np.clip(i0[:, None] - 1 + np.arange(4), 0, S - 1)
    return idx, _cubic_coeffs(lam, t).astype(dtype), None


def _aa_filter(mode: str, x):
    x = np.abs(x)
    if mode == "linear":
        return np.where(x < 1, 1 - x, 0)
    a = -0.5  # torch (as PIL): Keys' a = −0.5 for the antialiasing cubic filter
    return np.where(x < 1, ((a + 2) * x - (a + 3)) * x * x + 1,
                    np.where(x < 2, ((a * x - 5 * a) * x + 8 * a) * x - 4 * a, 0))


def aa_taps(mode: str, S: int, O: int, align_corners: bool, scale, dtype) -> tuple:
    """Antialiased taps: when shrinking, the interpolation filter is stretched by the scale so
    every input element contributes (torch's _compute_index_ranges_weights)."""
    t = np.dtype(dtype).type
    sc = _scale(S, O, align_corners, scale, t)
    size = 2 if mode == "linear" else 4
    support = t(size * 0.5 * float(sc)) if sc >= 1 else t(size * 0.5)
    width = int(math.ceil(support)) * 2 + 1
    invscale = t(1.0 / float(sc)) if sc >= 1 else t(1.0)
    idx = np.zeros((O, width), np.int64)
    w = np.zeros((O, width), dtype)
    valid = np.zeros((O, width), bool)
    for i in range(O):
        center = t(float(sc) * (i + 0.5))
        xmin = max(int(float(center) - float(support) + 0.5), 0)
        xsize = min(max(min(int(float(center) + float(support) + 0.5), S) - xmin, 0), width)
        j = np.arange(xsize)
        ws = _aa_filter(mode, t((j + xmin - float(center) + 0.5) * float(invscale)).astype(
            dtype) if xsize else np.zeros(0, dtype)).astype(dtype)
        total = ws.sum(dtype=dtype)
        if total != 0:
            ws = ws / total
        idx[i, :xsize], w[i, :xsize], valid[i, :xsize] = j + xmin, ws, True
        idx[i, xsize:] = min(xmin, S - 1)
    return idx, w, valid


# ---- the adjoint pair along one axis ---------------------------------------------------------
def _along(a, axis: int, ndim: int):
    """A per-output (O,) array shaped to broadcast along ``axis`` of an ndim array."""
    return a.reshape((-1,) + (1,) * (ndim - axis - 1))


def axis_gather(x, axis, idx, w, valid):
    """y[…, o, …] = Σ_t w[o, t]·x[…, idx[o, t], …] along ``axis`` (arrays)."""
    xp = get_array_module(x)
    y = None
    with quiet():  # inf·0 (a tap of weight 0 on an inf) is nan silently, as in torch
        for k in range(idx.shape[1]):
            term = xp.take(x, xp.asarray(idx[:, k]), axis=axis)
            if w is not None:
                term = term * _along(xp.asarray(w[:, k]), axis, x.ndim)
            if valid is not None and not valid[:, k].all():  # a padding tap: exactly nothing
                term = xp.where(_along(xp.asarray(valid[:, k]), axis, x.ndim), term, 0)
            y = term if y is None else y + term
    return y


def axis_scatter(g, axis, idx, w, valid, size):
    """gx[…, s, …] = Σ_{o, t: idx[o, t] = s} w[o, t]·g[…, o, …]: the adjoint of
    :func:`axis_gather` (a scatter-add: upsampling reads one input element many times)."""
    xp = get_array_module(g)
    gm = xp.moveaxis(g, axis, 0)
    out = xp.zeros((size,) + gm.shape[1:], dtype=g.dtype)
    with quiet():  # inf·0 is nan silently, as in torch
        for k in range(idx.shape[1]):
            vals = gm
            if w is not None:
                vals = vals * _along(xp.asarray(w[:, k]), 0, gm.ndim)
            if valid is not None and not valid[:, k].all():
                vals = xp.where(_along(xp.asarray(valid[:, k]), 0, gm.ndim), vals, 0)
            scatter_add(out, xp.asarray(idx[:, k]), vals)
    return xp.moveaxis(out, 0, axis)


class AxisGatherFn(Function):
    """y[…, o, …] = Σ_t w[o, t]·x[…, idx[o, t], …]: one axis of a resampling (see the module
    docstring); linear in x, its backward is the adjoint :class:`AxisScatterFn`."""

    array_io = True

    @staticmethod
    def forward(ctx, x, axis, idx, w, valid):
        ctx.args = (axis, idx, w, valid, x.shape[axis])
        return axis_gather(x, axis, idx, w, valid)

    @staticmethod
    def backward(ctx, g):
        return AxisScatterFn.call(g, *ctx.args), None, None, None, None  # ∂y/∂x = Aᵀ


class AxisScatterFn(Function):
    """gx = Aᵀ g along one axis (the adjoint of :class:`AxisGatherFn`, and its backward)."""

    array_io = True

    @staticmethod
    def forward(ctx, g, axis, idx, w, valid, size):
        ctx.args = (axis, idx, w, valid)
        return axis_scatter(g, axis, idx, w, valid, size)

    @staticmethod
    def backward(ctx, gg):
        return AxisGatherFn.call(gg, *ctx.args), None, None, None, None, None  # (Aᵀ)ᵀ = A


class InterpolateFn(Function):
    """y = A_1 ⋯ A_d x: a resize, one 1-D map per spatial axis (``plan``: (axis, idx, w,
    valid) per axis that changes, applied in order). Backward: the adjoint maps in reverse,
    each an :class:`AxisScatterFn` (so the gradient is itself differentiable). The node is
    named as torch's (``UpsampleBilinear2DBackward0`` …)."""

    array_io = True

    @staticmethod
    def forward(ctx, x, plan, name):
        ctx.node_name = name
        sizes = []
        y = x
        for axis, idx, w, valid in plan:
            sizes.append(y.shape[axis])
            y = axis_gather(y, axis, idx, w, valid)
        ctx.plan, ctx.sizes = plan, sizes
        return get_array_module(x).ascontiguousarray(y) if plan else y.copy()

    @staticmethod
    def backward(ctx, g):
        for (axis, idx, w, valid), size in zip(reversed(ctx.plan), reversed(ctx.sizes)):
            g = AxisScatterFn.call(g, axis, idx, w, valid, size)  # ∂y/∂x = Aᵀ, axis by axis
        return g, None, None


METHODS: dict = {}
__all__: list = []
