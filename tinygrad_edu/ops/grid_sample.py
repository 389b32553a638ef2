"""Grid sampling (``F.grid_sample``, ``torch.grid_sampler_2d/3d``): read an image at arbitrary
(real-valued) points given by a grid in normalized coordinates, as a Spatial Transformer does.

For each output point p the grid holds a location (x, y[, z]) in [−1, 1]; each coordinate is
mapped to a pixel coordinate of its axis (x → W, y → H, z → D):

    unnormalize   c = (g + 1)/2 · (size − 1)          align_corners=True  (−1, +1: corner centres)
                  c = ((g + 1) · size − 1)/2          align_corners=False (−1, +1: image edges)
    padding       'zeros': c unchanged (taps outside the image read 0); 'border': clamp c to
                  [0, size − 1]; 'reflection': reflect c about the borders until it falls
                  inside, then clamp.

and the output is a weighted sum of a few input pixels ("taps") around c:

    y[n, ch, p] = Σ_t w_t(f) · x[n, ch, idx_t]        f = c − ⌊c⌋ per axis (the fraction)

    nearest    one tap at round-half-even(c), w = 1
    bilinear   2 taps per axis, ⌊c⌋ and ⌊c⌋ + 1, weights (1 − f, f); N-d weight = product
    bicubic    4 taps per axis, ⌊c⌋ − 1 … ⌊c⌋ + 2, Keys' cubic weights (A = −0.75) of f;
               padding applies to each tap's integer position (torch's rule)

Backward (one formula per input; both are torch's, aten/src/ATen/native/GridSampler.h):

    ∂y/∂x        each g·w_t goes back onto the pixel its tap read (a scatter-add: many points
                 may read one pixel)
    ∂y/∂grid_k   Σ_t x[idx_t] · ∂w_t/∂f_k · dc_k/dg_k, summed over channels; dc/dg is the
                 unnormalize scale times ±1 where reflection flips and 0 where clamping holds
                 c at a border (borders count as outside, torch: the clip's gradient at the
                 bound is 0). Nearest: 0 (the output is piecewise constant in the grid).

The indices, masks and multipliers are constants of the grid's value; the value and the grid
gradient are polynomials of f. :func:`_combine` is written once over ``xp``: the forward runs
it on arrays, and ``GridSamplerFn.reference`` on Tensors (f rebuilt from the grid Tensor with
the same local slope), which is what double backward differentiates.
"""

from __future__ import annotations

import itertools

import numpy as np

from ..autograd import Function
from ..backend import get_array_module, scatter_add
from ._dual import tensor_xp
from ._util import half_opmath_backward

INTERPOLATION = {"bilinear": 0, "nearest": 1, "bicubic": 2}
PADDING = {"zeros": 0, "border": 1, "reflection": 2}
_A = -0.75  # torch: the cubic convolution constant of bicubic grid sampling


# ---- pixel coordinates (arrays) -----------------------------------------------------------------
def _unnormalize(g, size: int, align: bool, vectorized: bool):
    """(c, dc/dg): grid value -> pixel coordinate. torch's 2-D CPU kernel (vectorized) computes
    (g + 1)·s − ½, its 3-D kernel the GridSampler.h form; the two round differently."""
    s = (size - 1) / 2 if align else size / 2
    if vectorized:
        c = (g + 1) * s if align else (g + 1) * s - 0.5
    else:
        c = ((g + 1) / 2) * (size - 1) if align else ((g + 1) * size - 1) / 2
    return c, s


def _reflect(c, twice_low: int, twice_high: int, vectorized: bool):
    """(reflected c, ±1): fold c into [low, high] (bounds given doubled, so half-integers stay
    integers), and the sign of the fold's slope. torch's 2-D kernel folds by whole periods
    (2·span) in the dtype, its 3-D kernel by fmod(|c − low|, span) and the parity of the
    number of folds; the two differ only in rounding (visible for |c| ≳ 1e7 in float32)."""
    xp = get_array_module(c)
    if twice_low == twice_high:
        return xp.zeros_like(c), xp.zeros_like(c)
    low, span = twice_low / 2, (twice_high - twice_low) / 2
    d = c - low
    sign = xp.where(d < 0, -1, 1).astype(c.dtype)
    a = xp.abs(d)
    with np.errstate(invalid="ignore"):
        if vectorized:
            period = 2 * span
            extra = a - xp.trunc(a / period) * period
            flip = extra > period - extra
            return xp.minimum(extra, period - extra) + low, xp.where(flip, -sign, sign)
        extra = xp.fmod(a, span)
        even = xp.floor(a / span) % 2 == 0
    return xp.where(even, extra + low, span - extra + low), xp.where(even, sign, -sign)


def _clip(c, size: int, vectorized: bool):
    """(clamped c, 1 inside the open interval (0, size − 1) else 0): torch's clip and its
    gradient, which counts the borders as outside. A NaN clamps to 0 in torch's 2-D kernel
    (SIMD max(NaN, 0) = 0) and to size − 1 in its 3-D one (std::min/std::max)."""
    xp = get_array_module(c)
    with np.errstate(invalid="ignore"):
        inside = (c > 0) & (c < size - 1)
        out = xp.clip(c, 0, size - 1)
    return xp.where(xp.isnan(out), 0 if vectorized else size - 1, out), inside.astype(c.dtype)


def _pad(c, size: int, padding: int, align: bool, vectorized: bool):
    """(c after the padding rule, its slope dc'/dc). torch's 3-D kernel then sends a
    non-finite or huge coordinate to −100 (outside: safe_downgrade_to_int_range)."""
    slope = 1
    if padding == 2:
        lo, hi = (0, 2 * (size - 1)) if align else (-1, 2 * size - 1)
        c, slope = _reflect(c, lo, hi, vectorized)
    if padding:
        c, inside = _clip(c, size, vectorized)
        slope = slope * inside
    if not vectorized:
        xp = get_array_module(c)
        with np.errstate(invalid="ignore"):
            ok = xp.isfinite(c) & (c <= 2**31 - 2) & (c >= -(2**31))
        c = xp.where(ok, c, -100).astype(c.dtype, copy=False)
    return c, slope


def _index(pos, size: int):
    """(int index, in-bounds mask) of integer-valued float positions; NaN/±inf are out."""
    xp = get_array_module(pos)
    with np.errstate(invalid="ignore"):
        valid = (pos >= 0) & (pos < size)
    return xp.where(valid, pos, 0).astype(xp.int64), valid


def _cubic(f):
    """Keys' cubic weights of the taps at −1, 0, 1, 2 around fraction f, and their derivatives."""
    A = _A

    def c1(t):  # |t| ≤ 1
        return ((A + 2) * t - (A + 3)) * t * t + 1

    def c2(t):  # 1 < |t| < 2
        return ((A * t - 5 * A) * t + 8 * A) * t - 4 * A

    def d1(t):
        return (3 * (A + 2) * t - 2 * (A + 3)) * t

    def d2(t):
        return (3 * A * t - 10 * A) * t + 8 * A

    w = [c2(f + 1), c1(f), c1(1 - f), c2(2 - f)]
    dw = [d2(f + 1), d1(f), -d1(1 - f), -d2(2 - f)]  # d/df, chain rule through f+1, 1−f, 2−f
    return w, dw


def plan(grid, sizes: tuple, mode: int, padding: int, align: bool) -> tuple:
    """The constants of a grid: per grid axis k (x, y, z), ``(f, slope, taps)`` with f the
    fraction (N, 1, P) (None for nearest), slope = dc/dg, and taps a list of (index, mask)."""
    xp = get_array_module(grid)
    N, d = grid.shape[0], grid.shape[-1]
    g = grid.reshape(N, 1, -1, d)
    axes = []
    for k in range(d):
        size = sizes[d - 1 - k]  # grid[..., 0] is x: the last input axis
        vec = d == 2
        c, s = _unnormalize(g[..., k], size, align, vec)
        if mode == 2:  # bicubic: padding applies to each tap's integer position
            base = xp.floor(c)
            taps = [_index(_pad(base + o, size, padding, align, vec)[0], size)
                    for o in (-1, 0, 1, 2)]
            axes.append((c - base, s, taps))
            continue
        c, slope = _pad(c, size, padding, align, vec)
        if mode == 1:
            axes.append((None, 0, [_index(xp.rint(c), size)]))
            continue
        base = xp.floor(c)
        axes.append((c - base, s * slope, [_index(base, size), _index(base + 1, size)]))
    return tuple(axes)


# ---- the sampling itself, written once for arrays and Tensors -----------------------------------
def _weights(xp, f, mode: int):
    if mode == 1:  # f is None, or (in the reference) 0·grid: the grid's gradient is 0, in-graph
        return [1] if f is None else [f + 1]
    if mode == 2:
        return _cubic(f)[0]
    return [1 - f, f]


def _combos(axes):
    """Every tap combination, z outermost and x innermost (torch's summation order)."""
    return itertools.product(*(range(len(taps)) for _, _, taps in reversed(axes)))


def _flat(axes, combo, sizes):
    """(flat index (N, 1, P), mask) of one tap combination (combo in z, y, x order)."""
    d = len(axes)
    idx, valid, stride = 0, True, 1
    for k in range(d):
        i, v = axes[k][2][combo[d - 1 - k]]
        idx, valid, stride = idx + i * stride, valid & v, stride * sizes[d - 1 - k]
    return idx, valid


def _read(xp, xf, idx, valid):
    """x[n, ch, idx] for every channel, 0 where the tap falls outside (padding 'zeros')."""
    N, C = xf.shape[0], xf.shape[1]
    ixp = get_array_module(idx)
    full = ixp.ascontiguousarray(ixp.broadcast_to(idx, (N, C, idx.shape[-1])))
    v = xp.take_along_axis(xf, full, axis=2)
    return v if bool(valid.all()) else xp.where(valid, v, 0)


def _combine(xp, xf, fracs, axes, sizes, mode: int):
    """y (N, C, P) = Σ_t w_t · x[idx_t]; ``fracs`` the per-axis fractions (arrays or Tensors)."""
    ws = [_weights(xp, f, mode) for f in fracs]
    if mode == 2:  # torch: interpolate along x first, then along y
        y = None
        for i in range(4):
            row = None
            for j in range(4):
                term = _read(xp, xf, *_flat(axes, (i, j), sizes)) * ws[0][j]
                row = term if row is None else row + term
            term = row * ws[1][i]
            y = term if y is None else y + term
        return y
    y = None
    for combo in _combos(axes):
        term = _read(xp, xf, *_flat(axes, combo, sizes))
        w = ws[0][combo[-1]]
        for k in range(1, len(axes)):  # x's weight first, as torch multiplies
            w = w * ws[k][combo[len(axes) - 1 - k]]
        if not isinstance(w, int):  # nearest on arrays: weight 1
            term = term * w
        y = term if y is None else y + term
    return y


class GridSamplerFn(Function):
    """y[n, ch, p] = Σ_t w_t(grid[n, p]) · x[n, ch, idx_t(grid[n, p])]  (see the module doc).

    ∂y/∂x scatters g·w_t back to the pixels read; ∂y/∂grid = Σ_t x[idx_t]·∂w_t/∂f · dc/dg.
    torch names the node ``GridSampler2DBackward0`` / ``GridSampler3DBackward0``."""

    array_io = True

    @staticmethod
    def reference(x, grid, mode, padding, align):
        """The same sum on Tensors: f = slope·grid + const (the grid's local affine map), so
        the engine can differentiate the gradient again."""
        with np.errstate(invalid="ignore", over="ignore"):
            axes = plan(grid._data, x.shape[2:], mode, padding, align)
        N, C = x.shape[0], x.shape[1]
        g = grid.reshape(N, 1, -1, grid.shape[-1])
        fracs = []
        for k, (f, slope, _) in enumerate(axes):
            gk = g[..., k]
            if f is None:  # nearest: piecewise constant, ∂y/∂grid = 0 (in the graph, as torch)
                fracs.append(gk * 0)
                continue
            fracs.append(gk * slope + (f - slope * gk._data))  # value f, slope dc/dg
        y = _combine(tensor_xp, x.reshape(N, C, -1), fracs, axes, x.shape[2:], mode)
        return y.reshape(N, C, *grid.shape[1:-1])

    @staticmethod
    def forward(ctx, x, grid, mode, padding, align):
        ctx.node_name = f"GridSampler{x.ndim - 2}DBackward0"
        xp = get_array_module(x)
        N, C = x.shape[:2]
        out_shape = (N, C) + grid.shape[1:-1]
        ctx.shapes = (x.shape, grid.shape)
        if x.size == 0 or grid.size == 0:
            ctx.axes = None
            return xp.zeros(out_shape, dtype=x.dtype)
        with np.errstate(invalid="ignore", over="ignore"):  # NaN/±inf grids: torch's rules
            axes = plan(grid, x.shape[2:], mode, padding, align)
            xf = x.reshape(N, C, -1)
            y = _combine(xp, xf, [a[0] for a in axes], axes, x.shape[2:], mode)
        ctx.save_for_backward(x, grid)
        ctx.axes, ctx.mode = axes, mode
        return y.reshape(out_shape)

    @staticmethod
    @half_opmath_backward  # float16: computed in float32 (torch's backward kernel)
    def backward(ctx, g):
        xp = get_array_module(g)
        if ctx.axes is None:  # an empty input or grid: nothing was read
            return (xp.zeros(ctx.shapes[0], g.dtype), xp.zeros(ctx.shapes[1], g.dtype),
                    None, None, None)
        x, grid = ctx.saved_tensors
        axes, mode, sizes = ctx.axes, ctx.mode, x.shape[2:]
        N, C = x.shape[:2]
        gf = g.reshape(N, C, -1)
        fracs = [a[0] for a in axes]
        if mode == 1:
            ws, dws = [[1]] * len(axes), None
        elif mode == 2:
            ws, dws = zip(*(_cubic(f) for f in fracs))
        else:
            ws = [[1 - f, f] for f in fracs]
            dws = [[-1, 1]] * len(axes)  # ∂(1 − f)/∂f = −1, ∂f/∂f = 1
        gx = xp.zeros(N * C * x[0, 0].size, dtype=x.dtype) if ctx.needs_input_grad[0] else None
        ggrid = [0] * len(axes) if ctx.needs_input_grad[1] and mode != 1 else None
        base = (xp.arange(N * C) * x[0, 0].size).reshape(N, C, 1)
        xf = x.reshape(N, C, -1)
        d = len(axes)
        with np.errstate(invalid="ignore", over="ignore"):  # NaN/±inf grids: quietly
            for combo in _combos(axes):
                wk = [ws[k][combo[d - 1 - k]] for k in range(d)]
                idx, valid = _flat(axes, combo, sizes)
                if gx is not None:  # ∂y/∂x[idx_t] = w_t: scatter g·w_t back
                    w = wk[0]
                    for wj in wk[1:]:
                        w = w * wj
                    contrib = xp.where(valid, gf * w, 0)
                    _scatter(gx, (base + idx).reshape(-1), contrib.reshape(-1))
                if ggrid is not None:  # ∂y/∂f_k = Σ_t x[idx_t] · ∂w_t/∂f_k
                    gv = (_read(xp, xf, idx, valid) * gf).sum(axis=1, keepdims=True)
                    if d == 3 and not bool(valid.all()):  # torch's 3-D kernel skips a tap
                        gv = xp.where(valid, gv, 0)  # outside (0·nan would be nan); 2-D's adds it
                    for k in range(d):
                        dk = dws[k][combo[d - 1 - k]]
                        for j in range(d):
                            if j != k:
                                dk = dk * wk[j]
                        ggrid[k] = ggrid[k] + gv * dk
        gxr = gx.reshape(x.shape) if gx is not None else None
        if ctx.needs_input_grad[1]:
            if ggrid is None:  # nearest: ∂y/∂grid = 0
                ggd = xp.zeros(grid.shape, dtype=grid.dtype)
            else:  # chain rule through c(g): × dc/dg
                ggd = xp.stack([(gk * a[1])[:, 0] for gk, a in zip(ggrid, axes)],
                               axis=-1).reshape(grid.shape)
            return gxr, ggd.astype(grid.dtype, copy=False), None, None, None
        return gxr, None, None, None, None


def _scatter(target, flat_idx, vals):
    """target[flat_idx] += vals, repeated indices summed (bincount on the host: one pass)."""
    if get_array_module(target) is np:
        target += np.bincount(flat_idx, weights=vals, minlength=target.size).astype(target.dtype)
    else:
        scatter_add(target, flat_idx, vals)


METHODS: dict = {}
__all__: list = []
