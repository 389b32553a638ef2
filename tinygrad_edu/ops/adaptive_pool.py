"""Pools whose windows depend on the sizes (adaptive) or on random draws (fractional).

Adaptive pooling to an output of O elements per axis uses, for output i, the window
[⌊i·S/O⌋, ⌈(i + 1)·S/O⌉) of the S input elements (torch's start/end index rule): windows of
varying size that cover the input and may overlap by one.

- **Average**: per axis the map is a matrix A (S × O) with A[j, i] = 1/len(window i) for j in
  window i, so y = x ×₁ A₁ ×₂ A₂ … (one matmul per spatial axis, a separable linear map).
  Its backward is the transposed map, g ×₁ A₁ᵀ ×₂ A₂ᵀ …: the same matmuls, so the one formula
  also runs on Tensors under create_graph.
- **Max**: each window's argmax is searched on arrays (:func:`window_argmax`) and handed to
  ``pool.MaxGatherFn`` (y = x at the argmax; backward a scatter-add).

Fractional max pooling (Graham, 2014) uses windows of a fixed size K starting at
pseudo-random positions: for a uniform sample u in [0, 1) per (sample, channel, axis) and
α = (S − K)/(O − 1), window i starts at ⌊(i + u)·α⌋ − ⌊u·α⌋ (the last one at S − K), computed
in the input's dtype as torch does.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd import Function
from ..backend import get_array_module
from ..dtype import kind_of
from ._dual import xp_of
from ._util import half_opmath
from .pool import _lowest


def adaptive_windows(S: int, O: int) -> tuple:
    """(start, length) arrays of the O adaptive windows over S elements (torch's rule)."""
    i = np.arange(O)
    start = (i * S) // O
    end = -((-(i + 1) * S) // O)  # ⌈(i + 1)·S/O⌉
    return start, end - start


def _averaging_matrix(S: int, O: int, dtype) -> np.ndarray:
    start, length = adaptive_windows(S, O)
    j = np.arange(S)[:, None]
    inside = (j >= start) & (j < start + length)
    with np.errstate(divide="ignore"):
        return np.where(inside, 1.0 / np.maximum(length, 1), 0.0).astype(dtype)


class AdaptiveAvgPoolFn(Function):
    """y[n, c, i] = mean of x[n, c, window i] = x ×₁ A₁ … ×_d A_d  (A_a: S_a × O_a averaging)"""

    array_io = True

    @staticmethod
    @half_opmath  # float16: computed in float32, rounded once
    def forward(ctx, x, out):
        xp = get_array_module(x)
        d = len(out)
        ctx.node_name = f"AdaptiveAvgPool{max(d, 2)}DBackward0"
        mats = [xp.asarray(_averaging_matrix(S, O, x.dtype))
                for S, O in zip(x.shape[2:], out)]
        ctx.mats = mats
        y = x
        for a, A in enumerate(mats):
            y = xp.moveaxis(xp.moveaxis(y, 2 + a, -1) @ A, -1, 2 + a)
        return xp.ascontiguousarray(y)

    @staticmethod
    def backward(ctx, g):
        xp = xp_of(g)
        if type(g) is np.ndarray and not np.isfinite(g).all():
            return _spread_to_windows(g, ctx.mats), None
        for a, A in enumerate(ctx.mats):  # the transposed map: ∂y/∂x = Aᵀ per axis
            g = xp.moveaxis(xp.matmul(xp.moveaxis(g, 2 + a, -1), A.T), -1, 2 + a)
        return g, None


def _spread_to_windows(g, mats):
    """The backward as torch's loop computes it: each output's g/len(window) added to its own
    window and nowhere else, per axis. Used for a g holding inf or nan: the matmul by Aᵀ would
    also multiply it by the zeros outside the window (0·inf = nan everywhere)."""
    for a, A in enumerate(mats):
        S, O = A.shape
        start, length = adaptive_windows(S, O)
        ga = np.moveaxis(g, 2 + a, -1)
        out = np.zeros(ga.shape[:-1] + (S,), dtype=g.dtype)
        with np.errstate(invalid="ignore"):  # inf - inf where windows overlap: nan, as torch
            for i in range(O):
                out[..., start[i]:start[i] + length[i]] += ga[..., i:i + 1] * A[start[i], i]
        g = np.moveaxis(out, -1, 2 + a)
    return g


def window_argmax(x, index_grids):
    """The flat input index of each window's maximum.

    ``index_grids``: per spatial axis a pair (idx (O, K), valid (O, K)) of the element each
    window offset reads and whether it is part of the window. torch's rule: the first maximum
    in row-major window order wins a tie; a NaN wins (the last NaN). Returns (N, C, *O) int64.
    """
    xp = get_array_module(x)
    N, C, space = x.shape[0], x.shape[1], x.shape[2:]
    d = len(space)
    flat = xp.zeros((), dtype=xp.int64)
    ok = xp.ones((), dtype=bool)
    for a, (idx, valid) in enumerate(index_grids):
        # axes of the joint grid: (O₁, …, O_d, K₁, …, K_d)
        shape = [1] * (2 * d)
        shape[a], shape[d + a] = idx.shape
        flat = flat * space[a] + xp.asarray(idx).reshape(shape)
        ok = ok & xp.asarray(valid).reshape(shape)
    out = flat.shape[:d]
    kp = math.prod(flat.shape[d:])
    ok = xp.broadcast_to(ok, flat.shape).reshape(out + (kp,))
    flat = flat.reshape(out + (kp,))
    vals = x.reshape(N, C, math.prod(space))[:, :, flat]  # (N, C, *O, ∏K)
    vals = xp.where(ok, vals, _lowest(x.dtype))
    am = vals.argmax(axis=-1)  # torch: the first maximum wins a tie
    if kind_of(x.dtype) == "f":
        nan = xp.isnan(vals)
        if nan.any():  # torch: a NaN wins, the last one of the window
            am = xp.where(nan.any(axis=-1), kp - 1 - nan[..., ::-1].argmax(axis=-1), am)
    return xp.take_along_axis(xp.broadcast_to(flat, vals.shape), am[..., None], axis=-1)[..., 0]


def adaptive_grids(space, out) -> list:
    """(idx, valid) per axis for adaptive windows (see :func:`window_argmax`)."""
    grids = []
    for S, O in zip(space, out):
        start, length = adaptive_windows(S, O)
        k = int(length.max()) if O else 1
        offs = np.arange(k)
        grids.append((np.minimum(start[:, None] + offs, max(S - 1, 0)), offs < length[:, None]))
    return grids


def fractional_starts(u, S: int, O: int, K: int, dtype) -> np.ndarray:
    """torch's generate_intervals: window starts for one sample u, in the input's dtype."""
    seq = np.empty(O, dtype=np.int64)
    if O > 1:
        t = np.dtype(dtype).type
        alpha = t(S - K) / t(O - 1)
        i = np.arange(O - 1).astype(dtype)
        seq[:-1] = ((i + t(u)) * alpha).astype(np.int64) - np.int64(t(u) * alpha)
    if O > 0:
        seq[-1] = S - K
    return seq


def fractional_argmax(x, samples, kernel, out):
    """Flat argmax indices (N, C, *O) of fractional max pooling; ``samples`` (N, C, d) holds
    one uniform draw per axis, in torch's order (2-D: [W, H]; 3-D: [T, H, W])."""
    xp = get_array_module(x)
    N, C, space = x.shape[0], x.shape[1], x.shape[2:]
    d = len(space)
    order = (1, 0) if d == 2 else tuple(range(d))  # which sample drives which axis
    u = np.asarray(samples.get() if hasattr(samples, "get") else samples)
    res = xp.zeros((N, C) + tuple(out), dtype=xp.int64)
    for n in range(N):
        for c in range(C):
            grids = []
            for a in range(d):
                starts = fractional_starts(u[n, c, order[a]], space[a], out[a], kernel[a],
                                           x.dtype)
                offs = np.arange(kernel[a])
                grids.append((starts[:, None] + offs, np.ones((out[a], kernel[a]), bool)))
            res[n, c] = window_argmax(x[n:n + 1, c:c + 1], grids)[0, 0]
    return res


METHODS: dict = {}
__all__: list = []
