"""Windows of an N-d image: im2col, its adjoint col2im, and padding — the machinery that
convolution, pooling, fold/unfold and the padding modes are built from.

Notation: x (N, C, *S) with d spatial axes S = (S₁, …, S_d), a kernel K = (K₁, …, K_d), stride
s, dilation δ. Window i = (i₁, …, i_d) of an output O = (O₁, …, O_d) looks at the elements

    win[n, c, i, p] = x[n, c, i·s + p·δ]        (per axis: i_a·s_a + p_a·δ_a, p_a < K_a)

with O_a = ⌊(S_a − δ_a(K_a − 1) − 1)/s_a⌋ + 1 (x already padded). A strided *view* lists all
windows without copying (NumPy/CuPy ``as_strided``); one copy makes them the im2col matrix.

col2im is the adjoint (the transpose of im2col as a linear map): every window copy is added
back onto the element it came from. An element inside several overlapping windows
(stride < kernel) collects all their contributions. For one fixed kernel offset p the map
i → i·s + p·δ is one-to-one, so col2im is ∏K vectorized strided ``+=`` (deterministic, identical
on NumPy and CuPy: no scatter with collisions).

Because the two are each other's adjoint, each is the other's backward: the pair differentiates
any number of times, which is why the plain ``reference`` twins of conv and pooling are built
from them.
"""

from __future__ import annotations

import itertools
import math

from ..autograd import Function
from ..backend import get_array_module
from .index import GetItemFn, IndexAccumulateFn


def out_size(n: int, k: int, s: int, d: int) -> int:
    """Windows along one (padded) axis of length n: ⌊(n − d(k − 1) − 1)/s⌋ + 1."""
    return (n - d * (k - 1) - 1) // s + 1


def windows(x, kernel, stride, dilation, out):
    """The (N, C, *O, *K) view win[n, c, i, p] = x[n, c, i·s + p·δ] (no copy)."""
    xp = get_array_module(x)
    st = x.strides
    d = len(kernel)
    lead = x.ndim - d
    shape = tuple(x.shape[:lead]) + tuple(out) + tuple(kernel)
    strides = (tuple(st[:lead]) + tuple(st[lead + a] * stride[a] for a in range(d))
               + tuple(st[lead + a] * dilation[a] for a in range(d)))
    return xp.lib.stride_tricks.as_strided(x, shape=shape, strides=strides)


def col2im(gwin, shape, stride, dilation):
    """Adjoint of :func:`windows`: gx[n, c, i·s + p·δ] += gwin[n, c, i, p] (gwin (N, C, *O, *K))."""
    xp = get_array_module(gwin)
    gx = xp.zeros(shape, dtype=gwin.dtype)
    d = len(stride)
    lead = gwin.ndim - 2 * d
    out, kernel = gwin.shape[lead:lead + d], gwin.shape[lead + d:]
    if 0 in out or gx.size == 0:
        return gx
    head = (slice(None),) * lead
    for p in itertools.product(*(range(k) for k in kernel)):
        # one kernel offset at a time: no two windows hit the same element
        sl = tuple(slice(pa * da, pa * da + sa * (oa - 1) + 1, sa)
                   for pa, da, sa, oa in zip(p, dilation, stride, out))
        gx[head + sl] += gwin[head + (slice(None),) * d + p]
    return gx


def pad_array(x, pads, value=0.0):
    """Pad the trailing len(pads)//2 axes of x: pads = (before₁, after₁, before₂, after₂, …),
    first spatial axis first, with the constant ``value``."""
    if not any(pads):
        return x
    xp = get_array_module(x)
    d = len(pads) // 2
    lead = x.ndim - d
    if min(pads) < 0:  # cropping too: NumPy's pad says what is wrong
        width = [(0, 0)] * lead + [(pads[2 * a], pads[2 * a + 1]) for a in range(d)]
        return xp.pad(x, width, constant_values=value)
    # one fill and one copy (speed: np.pad costs 2-4x that at these sizes)
    out = xp.full(x.shape[:lead] + tuple(
        n + pads[2 * a] + pads[2 * a + 1] for a, n in enumerate(x.shape[lead:])), value,
        dtype=x.dtype)
    out[(slice(None),) * lead + tuple(
        slice(pads[2 * a], pads[2 * a] + n) for a, n in enumerate(x.shape[lead:]))] = x
    return out


def crop(gx, pads):
    """Undo :func:`pad_array`: cut ``pads`` off the trailing axes."""
    if not any(pads):
        return gx
    d = len(pads) // 2
    lead = gx.ndim - d
    return gx[(slice(None),) * lead + tuple(
        slice(pads[2 * a], gx.shape[lead + a] - pads[2 * a + 1]) for a in range(d))]


class Im2ColFn(Function):
    """cols[n, c, p, i] = x[n, c, i·s + p·δ]: every window as its own copy, laid out
    (N, C, *K, *O) as torch's im2col (so ``F.unfold`` is a reshape of it).

    Linear in x, so its backward is its adjoint, :class:`Col2ImFn` (and the other way round)."""

    array_io = True

    @staticmethod
    def forward(ctx, x, kernel, stride, dilation, out):
        d = len(kernel)
        ctx.geom = (x.shape, kernel, stride, dilation, out)
        win = windows(x, kernel, stride, dilation, out)  # (N, C, *O, *K)
        lead = x.ndim - d
        order = tuple(range(lead)) + tuple(range(lead + d, lead + 2 * d)) + tuple(
            range(lead, lead + d))
        return get_array_module(x).ascontiguousarray(win.transpose(order))

    @staticmethod
    def backward(ctx, g):
        shape, kernel, stride, dilation, out = ctx.geom
        # ∂cols/∂x is the window map itself: its transpose adds each copy back (col2im)
        return Col2ImFn.call(g, shape, kernel, stride, dilation), None, None, None, None


class Col2ImFn(Function):
    """x[n, c, i·s + p·δ] += cols[n, c, p, i]: windows (N, C, *K, *O) summed back into an image
    of ``shape`` (the adjoint of :class:`Im2ColFn`; ``F.fold``)."""

    array_io = True

    @staticmethod
    def forward(ctx, cols, shape, kernel, stride, dilation):
        d = len(kernel)
        lead = cols.ndim - 2 * d
        ctx.geom = (kernel, stride, dilation, cols.shape[lead + d:])
        order = tuple(range(lead)) + tuple(range(lead + d, lead + 2 * d)) + tuple(
            range(lead, lead + d))
        return col2im(cols.transpose(order), shape, stride, dilation)

    @staticmethod
    def backward(ctx, g):
        kernel, stride, dilation, out = ctx.geom
        # the adjoint of a sum of copies is the copying: im2col
        return Im2ColFn.call(g, kernel, stride, dilation, out), None, None, None, None


class ConstantPadFn(Function):
    """y = x with pads = (before₁, after₁, before₂, after₂, …) elements of ``value`` around the
    trailing axes (first spatial axis first); ∂y/∂x crops the gradient back."""

    array_io = True

    @staticmethod
    def forward(ctx, x, pads, value):
        d = len(pads) // 2
        lead = x.ndim - d
        ctx.crop = (slice(None),) * lead + tuple(
            slice(pads[2 * a], pads[2 * a] + x.shape[lead + a]) for a in range(d))
        return pad_array(x, pads, value)

    @staticmethod
    def backward(ctx, g):
        return GetItemFn.call(g, ctx.crop, False), None, None  # ∂y/∂x: 1 where x was copied


_NP_MODE = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def _source(xp, mode, n, before, after):
    """Output j of an axis of length n reads input i = j − before, moved inside [0, n − 1]:
    replicate clips it, reflect mirrors it about the edge (−i, or 2(n − 1) − i). Either sign of
    the sizes (a negative one crops), torch's formulas."""
    i = xp.arange(n + before + after) - before
    if mode == "replicate":
        return xp.clip(i, 0, n - 1)
    i = xp.abs(i)
    return xp.where(i > n - 1, 2 * (n - 1) - i, i)


class PadModeFn(Function):
    """y = x padded on the trailing axes by reflection / replication / wrap-around (the
    padding modes of Conv). Every output element is a copy of some input element: padding an
    index grid with the same mode records which, and the backward scatter-adds g there."""

    array_io = True

    @staticmethod
    def forward(ctx, x, pads, mode):
        xp = get_array_module(x)
        d = len(pads) // 2
        lead, space = x.shape[:x.ndim - d], x.shape[x.ndim - d:]
        grid = xp.arange(math.prod(space)).reshape(space)
        if mode in ("replicate", "reflect"):  # torch's per-axis source index of each output
            idx = grid[xp.ix_(*(_source(xp, mode, n, pads[2 * a], pads[2 * a + 1])
                                for a, n in enumerate(space)))]
        else:
            idx = xp.pad(grid, [(pads[2 * a], pads[2 * a + 1]) for a in range(d)],
                         mode=_NP_MODE[mode])
        ctx.idx, ctx.shape = idx, x.shape
        return x.reshape(lead + (math.prod(space),))[(Ellipsis, idx)]  # not -1: N may be 0

    @staticmethod
    def backward(ctx, g):
        d = ctx.idx.ndim
        lead = ctx.shape[:len(ctx.shape) - d]
        flat = lead + (math.prod(ctx.shape[len(lead):]),)
        # an element copied into several padded places collects all their gradients
        gx = IndexAccumulateFn.call(g, flat, (slice(None),) * len(lead) + (ctx.idx,), True)
        return gx.reshape(ctx.shape), None, None


METHODS: dict = {}
__all__: list = []
