"""Pooling over the windows of ``ops/im2col.py`` (see its docstring for the notation): max and
average pooling in 1, 2 or 3 spatial dimensions, and max_unpool, max pooling's scatter back.

Max pooling y = max over each window; its derivative is 1 at the window's argmax and 0
elsewhere, so the backward sends each g to one element (col2im of a one-hot window).
Average pooling y = (1/d)·Σ window; its derivative is 1/d at every element of the window, so the
backward is col2im of g/d broadcast over the window. Both keep a plain ``reference`` twin
(pad, Im2ColFn, max or sum) for double backward.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from ..autograd import Function
from ..backend import get_array_module
from ..dtype import kind_of
from ..tensor import Tensor
from . import _window_kernels
from ._mask_grad import depends_on, link
from ._util import half_opmath, quiet
from .im2col import ConstantPadFn, Im2ColFn, col2im, crop, pad_array, windows
from .index import GatherFn, ScatterAddFn, zeros_for


def _lowest(dtype):
    """The padding value that never wins a max: −∞ (or the integer minimum)."""
    return -np.inf if kind_of(dtype) == "f" else np.iinfo(dtype).min


def _on_host(xp) -> bool:
    """NumPy arrays? On a GPU a ``bool()`` of a device array waits for the device and copies
    the answer back (a sync), so there the NaN and padding rules run unconditionally instead
    of behind a check (the tests call the device branches on the host through this)."""
    return xp is np


def _non_overlapping(kernel, stride, dilation) -> bool:
    return tuple(kernel) == tuple(stride) and all(d == 1 for d in dilation)


class MaxPoolFn(Function):
    """y[n, c, i] = max_p x_pad[n, c, i·s + p·δ]  (x_pad padded with −∞)

    ∂y/∂x is 1 at the window's argmax and 0 elsewhere. torch: on ties the FIRST maximum in
    row-major window order wins (``argmax`` does the same); a NaN in the window wins (the
    last NaN). torch names the node ``MaxPool{d}DWithIndicesBackward0``.
    """

    array_io = True

    @staticmethod
    def reference(x, kernel, stride, pads, dilation, out, sink):
        """The plain twin: pad with −∞, cut out the windows, take each window's max."""
        if any(pads):
            x = ConstantPadFn.apply(x, pads, _lowest(x._data.dtype))
        cols = Im2ColFn.apply(x, kernel, stride, dilation, out)  # (N, C, *K, *O)
        cols = cols.reshape(cols.shape[0], cols.shape[1], math.prod(kernel), *out)
        return link(cols.max(dim=2).values, x)  # the gradient depends on x: _mask_grad.py

    @staticmethod
    def forward(ctx, x, kernel, stride, pads, dilation, out, sink):
        xp = get_array_module(x)
        d = len(kernel)
        ctx.node_name = f"MaxPool{max(d, 2)}DWithIndicesBackward0"
        low = _lowest(x.dtype)
        xpd = pad_array(x, pads, low)
        win = windows(xpd, kernel, stride, dilation, out)  # (N, C, *O, *K): a view
        host = _on_host(xp)  # a device computes the NaN and padding rules unconditionally
        y = am = None
        fused = _pool2x2_kernel(xpd, kernel, stride, dilation, out, _window_kernels.max_pool2x2)
        if fused is not None:  # one compiled pass (torch's tie and NaN rules inside)
            y = xp.empty(xpd.shape[:2] + tuple(out), dtype=xpd.dtype)
            am = xp.empty(y.shape, dtype=xp.int8)
            fused(xpd, y, am)
        elif _non_overlapping(kernel, stride, dilation):
            y, am = _scan_max(xp, win, d, host)
        if y is None:  # overlapping windows, or a NaN: the general search
            y, am = _argmax_max(xp, win, d, host)
        if any(pads) and (not host or bool((y == low).any())):
            # a window of only −∞: torch keeps its first REAL element (never the padding)
            ones = xp.ones((1, 1) + x.shape[2:], dtype=bool)
            valid = windows(pad_array(ones, pads, False), kernel, stride, dilation, out)
            first = valid.reshape(valid.shape[:2 + d] + (-1,)).argmax(axis=-1)
            am = xp.where(y == low, first, am)
        if sink is not None:  # return_indices: the flat index into the unpadded input
            sink.append(_flat_index(xp, am, kernel, stride, dilation, pads, x.shape[2:], out))
        ctx.save_for_backward(am)
        ctx.geom = (xpd.shape, pads, kernel, stride, dilation, x.dtype)
        return y

    @staticmethod
    def backward(ctx, g):
        (am,) = ctx.saved_tensors
        pshape, pads, kernel, stride, dilation, dtype = ctx.geom
        xp = get_array_module(g)
        offsets = itertools.product(*(range(n) for n in kernel))
        lead = g.ndim - len(kernel)
        zero = xp.zeros((), dtype=g.dtype)
        if _non_overlapping(kernel, stride, dilation):
            # windows tile the input: each element gets g·[it was its window's argmax], one
            # strided write per kernel offset; g·mask (no temporary) is exact for finite g, the
            # host checks that, the device (no sync) selects
            gx = (xp.empty if _tiles(pshape, kernel, g.shape[lead:]) else xp.zeros)(
                pshape, dtype=dtype)
            fused = _pool2x2_kernel(g, kernel, stride, dilation, g.shape[lead:],
                                    _window_kernels.max_pool2x2_backward)
            if (fused is not None and g.dtype == dtype and am.dtype == np.int8
                    and am.flags.c_contiguous and am.shape == g.shape
                    and all(2 * o <= n for o, n in zip(g.shape[2:], pshape[2:]))):
                # (the loop does not check its indices: every window inside gx, said here)
                # one compiled pass: 0 + g at the argmax, +0 elsewhere (g: often a broadcast)
                fused(np.ascontiguousarray(g), am, gx)
                return crop(gx, pads), None, None, None, None, None, None
            with quiet():  # a finite sum means every element is finite
                mul = _on_host(xp) and bool(xp.isfinite(g.sum()))
            gwin = windows(gx, kernel, stride, dilation, g.shape[lead:])
            for k, p in enumerate(offsets):
                if mul:
                    xp.multiply(g, am == k, out=gwin[(Ellipsis,) + p])
                else:
                    gwin[(Ellipsis,) + p] = xp.where(am == k, g, zero)
            gx += 0  # torch adds g into zeros: a −0.0 (g < 0 times 0, or g = −0.0) is +0
            return crop(gx, pads), None, None, None, None, None, None
        gx = xp.zeros(pshape, dtype=dtype)
        for k, p in enumerate(offsets):
            # ∂y/∂x = 1 at the argmax: the windows whose argmax is offset p send g there;
            # overlapping windows may pick one element twice, and += adds them
            sl = tuple(slice(pa * da, pa * da + sa * (oa - 1) + 1, sa)
                       for pa, da, sa, oa in zip(p, dilation, stride, g.shape[lead:]))
            gx[(slice(None),) * lead + sl] += xp.where(am == k, g, zero)
        return crop(gx, pads), None, None, None, None, None, None


def _pool2x2_kernel(a, kernel, stride, dilation, out, fn):
    """The compiled 2×2 / stride-2 max-pooling kernel ``fn`` of ``ops/_window_kernels.py``
    when it applies to ``a`` (the padded input, or the gradient): 2-d windows of a batched
    NumPy float32/float64 array, the forward's input in C order with every window inside it;
    else None (the NumPy passes run)."""
    if (tuple(kernel) != (2, 2) or tuple(stride) != (2, 2) or tuple(dilation) != (1, 1)
            or type(a) is not np.ndarray or a.ndim != 4):
        return None
    if fn is _window_kernels.max_pool2x2 and (not _window_kernels.takes(a) or any(
            2 * o > n for o, n in zip(out, a.shape[2:]))):
        return None  # strided, or a window would reach past the (padded) input (ceil_mode)
    return _window_kernels.kernel(fn) if a.dtype in (np.float32, np.float64) else None


def _tiles(shape, kernel, out) -> bool:
    """Do non-overlapping windows cover every element (no remainder)?"""
    d = len(kernel)
    return all(n == o * k for n, o, k in zip(shape[len(shape) - d:], out, kernel))


def _scan_max(xp, win, d, host=True):
    """Max and first argmax of non-overlapping windows, one kernel offset at a time (each a
    strided view: no copy of the input). On the host (None, None) when a NaN is met (the
    general search knows torch's NaN rule); on a device (no sync to ask) the scan applies the
    rule itself: ``maximum`` keeps a NaN, and each NaN met takes the argmax (the last wins)."""
    kernel = win.shape[win.ndim - d:]
    offsets = list(itertools.product(*(range(n) for n in kernel)))
    y = win[(Ellipsis,) + offsets[0]].copy()
    # the argmax offset in the smallest integer type that holds it (speed: 1 byte, not 8)
    am = xp.zeros(y.shape, dtype=xp.int8 if len(offsets) <= 127 else xp.int64)
    new = xp.empty(y.shape, dtype=am.dtype)
    nan_aware = not host and kind_of(y.dtype) == "f"
    for k, p in enumerate(offsets[1:], 1):
        v = win[(Ellipsis,) + p]
        # strictly greater: a tie keeps the first maximum (and nothing beats a NaN in y)
        gt = (v > y) | xp.isnan(v) if nan_aware else v > y
        # am = the last offset that set a new maximum; offsets grow, so it is the largest
        # k·[v > y] so far (branch-free: a masked copy on random data is several times slower)
        xp.multiply(gt, k, out=new)
        xp.maximum(am, new, out=am)
        xp.maximum(y, v, out=y)
    # a NaN anywhere in y makes its sum NaN (so does +inf with −inf: the general search then
    # runs, and is right too); one reduction, no (N, C, *O) temporary
    if host and kind_of(y.dtype) == "f":
        with quiet():  # inf − inf: NaN, no warning
            if bool(xp.isnan(y.sum())):
                return None, None
    return y, am


def _argmax_max(xp, win, d, host=True):
    """Max and argmax of any windows, torch's rules: the first maximum wins a tie; a NaN wins,
    the last NaN of the window (on a device applied without asking whether there is one)."""
    flat = win.reshape(win.shape[:2 + d] + (-1,))  # copy: (N, C, *O, ∏K)
    am = flat.argmax(axis=-1)
    if kind_of(flat.dtype) == "f":
        nan = xp.isnan(flat)
        if not host or nan.any():
            last = flat.shape[-1] - 1 - nan[..., ::-1].argmax(axis=-1)
            am = xp.where(nan.any(axis=-1), last, am)
    return xp.take_along_axis(flat, am[..., None], axis=-1)[..., 0], am


def _flat_index(xp, am, kernel, stride, dilation, pads, space, out):
    """The argmax offset of each window as a flat index into the (unpadded) input."""
    idx = xp.zeros(am.shape, dtype=xp.int64)
    rem = am
    d = len(kernel)
    for a in range(d):
        inner = math.prod(kernel[a + 1:])
        p = rem // inner
        rem = rem % inner
        shape = (1,) * a + (-1,) + (1,) * (d - a - 1)
        pos = xp.arange(out[a]).reshape(shape) * stride[a] + p * dilation[a] - pads[2 * a]
        idx = idx * space[a] + pos
    return idx


class AvgPoolFn(Function):
    """y[n, c, i] = (1/d[i]) Σ_p x_pad[n, c, i·s + p]  (zero padding)

    d[i] is torch's divisor: the window size clipped to the padded input (count_include_pad)
    or to the real input, or ``divisor_override``. ∂y/∂x = 1/d at every element of the window.
    torch names the node ``AvgPool{d}DBackward0``.
    """

    array_io = True

    @staticmethod
    def reference(x, kernel, stride, pads, out, divisor):
        """The plain twin: pad with zeros, cut out the windows, sum each, divide by d."""
        if any(pads):
            x = ConstantPadFn.apply(x, pads, 0.0)
        d = len(kernel)
        cols = Im2ColFn.apply(x, kernel, stride, (1,) * d, out)  # (N, C, *K, *O)
        return cols.sum(dim=tuple(range(2, 2 + d))) / Tensor._wrap(
            divisor.astype(x._data.dtype))

    @staticmethod
    @half_opmath  # float16: computed in float32, rounded once
    def forward(ctx, x, kernel, stride, pads, out, divisor):
        d = len(kernel)
        ctx.node_name = f"AvgPool{max(d, 2)}DBackward0"
        xpd = pad_array(x, pads)
        win = windows(xpd, kernel, stride, (1,) * d, out)
        y = win.sum(axis=tuple(range(2 + d, 2 + 2 * d))) / divisor  # divisor (*O), broadcast
        ctx.save_for_backward(divisor)
        ctx.geom = (xpd.shape, pads, kernel, stride)
        return y.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (divisor,) = ctx.saved_tensors
        pshape, pads, kernel, stride = ctx.geom
        xp = get_array_module(g)
        d = len(kernel)
        gd = g / divisor  # ∂y/∂x = 1/d for each element of the window
        out = g.shape[g.ndim - d:]
        if _non_overlapping(kernel, stride, (1,) * d):  # tiles: one strided copy per offset
            gx = (xp.empty if _tiles(pshape, kernel, out) else xp.zeros)(pshape, dtype=g.dtype)
            gwin = windows(gx, kernel, stride, (1,) * d, out)
            for p in itertools.product(*(range(n) for n in kernel)):
                gwin[(Ellipsis,) + p] = gd
        else:  # overlapping windows: col2im adds the copies
            gwin = xp.broadcast_to(gd.reshape(gd.shape + (1,) * d), gd.shape + tuple(kernel))
            gx = col2im(gwin, pshape, stride, (1,) * d)
        return crop(gx, pads), None, None, None, None, None


class MaxUnpoolFn(Function):
    """y = zeros(N, C, *out); y[n, c, idx[n, c, j]] = x[n, c, j] — max pooling's indices used to
    put each maximum back in its place (the other elements 0).

    Linear in x: ∂y/∂x reads g back at the same indices (a gather). torch names the node
    ``MaxUnpool{d}DBackward0``.
    """

    array_io = True

    @staticmethod
    def forward(ctx, x, idx, out):
        xp = get_array_module(x)
        d = len(out)
        ctx.node_name = f"MaxUnpool{max(d, 2)}DBackward0"
        N, C = x.shape[:2]
        flat_idx = idx.reshape(N, C, math.prod(idx.shape[2:]))
        y = xp.zeros((N, C, math.prod(out)), dtype=x.dtype)
        y[xp.arange(N)[:, None, None], xp.arange(C)[None, :, None], flat_idx] = x.reshape(
            flat_idx.shape)
        ctx.save_for_backward(flat_idx)
        ctx.xshape = x.shape
        return y.reshape((N, C) + tuple(out))

    @staticmethod
    def backward(ctx, g):
        (flat_idx,) = ctx.saved_tensors
        N, C = g.shape[:2]
        # linear: read g back
        gx = GatherFn.call(g.reshape(N, C, math.prod(g.shape[2:])), flat_idx, 2)
        return gx.reshape(ctx.xshape), None, None


class MaxGatherFn(Function):
    """y[n, c, j] = x[n, c, idx[n, c, j]]: the maxima of pools whose windows are found first
    (adaptive and fractional max pooling hand in the argmax of each window as ``idx``).

    ∂y/∂x sends each g to the element it read; elements read twice (overlapping windows) add
    up — a scatter-add, itself linear, so the formula runs again under create_graph.
    """

    array_io = True

    @staticmethod
    def forward(ctx, x, idx, name):
        N, C = x.shape[:2]
        ctx.node_name = name
        ctx.xshape = x.shape
        flat_idx = idx.reshape(N, C, math.prod(idx.shape[2:]))
        ctx.save_for_backward(flat_idx)
        flat_x = x.reshape(N, C, math.prod(x.shape[2:]))
        y = get_array_module(x).take_along_axis(flat_x, flat_idx, axis=2)
        return y.reshape(idx.shape)

    @staticmethod
    def backward(ctx, g):
        (flat_idx,) = ctx.saved_tensors
        N, C = ctx.xshape[:2]
        gflat = g.reshape(N, C, math.prod(g.shape[2:]))
        gx = ScatterAddFn.call(zeros_for((N, C, math.prod(ctx.xshape[2:])), g), flat_idx, gflat, 2)
        gx = gx.reshape(ctx.xshape)  # ∂y/∂x = 1 at the element read
        return (gx if type(gx) is not Tensor else depends_on(ctx, gx)), None, None


METHODS: dict = {}
__all__: list = []
