"""Bilinear and bicubic resampling of uint8 images (with or without antialias), as torch's CPU
kernel computes them: integer arithmetic with int16 weights, as PIL does (torch's
``separable_upsample_generic_Nd_kernel_impl`` for uint8, and its AVX2 twin, which gives the same
numbers).

Along one axis, for every output o:

1. float64 weights of the taps x[xmin .. xmin + xsize − 1]. Without antialias these are the
   float path's linear (2 taps) or cubic (4 taps, Keys' a = −0.75) weights, with the taps that
   fall outside the input folded onto the edge ones (so each index appears once); with
   antialias, the stretched filter (linear, or cubic a = −0.5) over its whole support,
   normalized to sum 1.
2. Fixed point: p = the number of fraction bits, the largest p ≤ 22 with
   round(w_max·2^p) < 2^15 (w_max: the largest weight of the whole axis, for the folded
   weights also any partial sum on the way), and wᵢ = round(w·2^p) (half away from zero),
   an int16.
3. y = clamp((2^(p−1) + Σᵢ wᵢ·x[xmin + i]) >> p, 0, 255): the 2^(p−1) rounds to nearest, the
   shift floors; each pass stores uint8, so the second axis reads rounded values.

The last (contiguous) axis is resampled first, then the other; an axis whose size does not change
is skipped, and an unchanged image is a copy. Integers only, so there is no gradient (uint8 tensors
never require one).

Not reproduced: torch 2.13's generic kernel (taken for C > 4, or on a CPU without AVX2) gives every
row of an output of width 1 the first row's value when the height changes (its vertical pass reads
the first row's taps for the whole inner loop); this module computes those rows as the AVX2 kernel
(C ≤ 4) does.
"""

from __future__ import annotations

import math

import numpy as np

from ..backend import get_array_module


def _filter(kind: str, a: float):
    """The interpolation kernel k(x): linear 1 − |x|, or Keys' cubic with parameter ``a``."""
    def linear(x):
        x = abs(x)
        return 1.0 - x if x < 1.0 else 0.0

    def cubic(x):
        x = abs(x)
        if x < 1.0:
            return ((a + 2) * x - (a + 3)) * x * x + 1
        if x < 2.0:
            return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
        return 0.0

    return linear if kind == "linear" else cubic


def _scale(S: int, O: int, align_corners: bool, scale) -> float:
    """torch's area_pixel_compute_scale<double>: the input step per output step."""
    if align_corners:
        return (S - 1) / (O - 1) if O > 1 else 0.0
    return 1.0 / scale if scale is not None and scale > 0 else S / O


def _plain_taps(kind: str, S: int, O: int, align_corners: bool, scale: float):
    """Without antialias (torch's _compute_indices_min_size_weights): per output, the float
    path's source position and fraction λ, then the 2 or 4 kernel weights k(j + 1 − s − λ),
    with weights of taps left of 0 added onto tap 0 and right of S − 1 onto the last.
    Returns (rows of (xmin, xsize, weights), the largest weight or partial sum seen)."""
    size = 2 if kind == "linear" else 4
    support = size // 2
    k = _filter(kind, -0.75)
    rows, w_max = [], 0.0
    for o in range(O):
        if align_corners:
            real = scale * o
        else:
            real = scale * (o + 0.5) - 0.5
            if kind == "linear" and real < 0:
                real = 0.0
        i0 = min(int(math.floor(np.float32(real))), S - 1)  # torch: floorf, a float32 floor
        lam = min(max(real - i0, 0.0), 1.0)
        lo, hi = i0 - support + 1, i0 + support + 1  # the unclipped taps [lo, hi)
        xmin = max(lo, 0)
        xsize = min(max(min(hi, S) - xmin, 0), size)
        w = [0.0] * size
        t = 0
        for j in range(size):
            if lo + j <= 0:
                t = 0
            elif lo + j >= S - 1:
                t = xsize - 1
            w[t] += k(float(j + 1 - support) - lam)
            w_max = max(w_max, w[t])
            t += 1
        rows.append((xmin, xsize, w))
    return rows, w_max


def _aa_taps(kind: str, S: int, O: int, scale: float):
    """With antialias (torch's _compute_indices_min_size_weights_aa): when shrinking, the filter
    is stretched by the scale; the weights over its support are normalized to sum 1.
    Returns (rows of (xmin, xsize, weights), the largest weight)."""
    size = 2 if kind == "linear" else 4
    support = size * 0.5 * scale if scale >= 1.0 else size * 0.5
    width = int(math.ceil(support)) * 2 + 1
    invscale = 1.0 / scale if scale >= 1.0 else 1.0
    k = _filter(kind, -0.5)
    rows, w_max = [], 0.0
    for o in range(O):
        center = scale * (o + 0.5)
        xmin = max(int(center - support + 0.5), 0)
        xsize = min(max(min(int(center + support + 0.5), S) - xmin, 0), width)
        w = [k((j + xmin - center + 0.5) * invscale) for j in range(xsize)]
        total = sum(w)  # torch adds them left to right, as sum() does
        if total != 0.0:
            w = [v / total for v in w]
            w_max = max([w_max] + w)
        rows.append((xmin, xsize, w + [0.0] * (width - xsize)))
    return rows, w_max


def _fixed_point(rows, w_max: float):
    """(p, int16 weights): p as torch's _compute_index_ranges_int16_weights chooses it."""
    p = 0
    while p < 22 and int(0.5 + w_max * (1 << (p + 1))) < (1 << 15):
        p += 1
    q = [[int(-0.5 + v * (1 << p)) if v * (1 << p) < 0 else int(0.5 + v * (1 << p)) for v in w]
         for _, _, w in rows]
    return p, q


def _resample_axis(x, axis: int, kind: str, O: int, align_corners: bool, scale, antialias: bool):
    """One uint8 pass along ``axis`` (size S → O), in fixed point."""
    xp = get_array_module(x)
    S = x.shape[axis]
    s = _scale(S, O, align_corners, scale)
    if antialias:
        rows, w_max = _aa_taps(kind, S, O, s)
    else:
        rows, w_max = _plain_taps(kind, S, O, align_corners, s)
    p, q = _fixed_point(rows, w_max)
    T = max(xsize for _, xsize, _ in rows)
    idx = np.zeros((O, T), np.int64)
    wts = np.zeros((O, T), np.int64)
    for o, ((xmin, xsize, _), wq) in enumerate(zip(rows, q)):
        idx[o, :xsize] = np.arange(xmin, xmin + xsize)
        wts[o, :xsize] = wq[:xsize]  # taps past xsize keep weight 0 (and read x[0])
    acc = xp.full(x.shape[:axis] + (O,) + x.shape[axis + 1:], 1 << (p - 1), dtype=np.int64)
    shape = (O,) + (1,) * (x.ndim - axis - 1)
    for t in range(T):
        term = xp.take(x, xp.asarray(idx[:, t]), axis=axis).astype(np.int64)
        acc += term * xp.asarray(wts[:, t]).reshape(shape)
    return xp.clip(acc >> p, 0, 255).astype(np.uint8)


def resize_uint8(x, out: tuple, kind: str, align_corners: bool, scales, antialias: bool):
    """Resize the spatial axes of a uint8 array ``x`` (N, C, *S) to ``out`` by 'linear' or
    'cubic' ``kind``: the last axis first, then the others from the last; unchanged axes are
    skipped. ``scales``: the scale factor per spatial axis, or None (then S/O)."""
    d = len(out)
    y = x
    for a in reversed(range(d)):
        if y.shape[2 + a] != out[a]:
            sc = scales[a] if scales is not None else None
            y = _resample_axis(y, 2 + a, kind, out[a], align_corners, sc, antialias)
    return y.copy() if y is x else y


METHODS: dict = {}
__all__: list = []
