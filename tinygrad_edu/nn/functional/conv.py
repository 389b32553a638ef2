"""``F.conv2d``, ``F.max_pool2d``, ``F.avg_pool2d``: torch's argument checks (same exception
types, messages naming the op and the shapes), padding and output sizes; the Functions with the
hand-written backward passes live in ``ops/conv.py`` and ``ops/pool.py``."""

from __future__ import annotations

import numpy as np

from ...backend import get_array_module
from ...ops._util import named
from ...ops.conv import ConvolutionFn
from ...ops.pool import AvgPool2dFn, MaxPool2dFn
from ...ops.shape import reshape as _reshape
from ...tensor import Tensor


def _pair(v, name: str = "argument") -> tuple:
    if isinstance(v, (tuple, list)):
        if len(v) == 1:
            return (int(v[0]),) * 2
        if len(v) != 2:
            raise RuntimeError(f"{name} must be an int or a tuple of 2 ints, got {v}")
        return tuple(int(a) for a in v)
    return (int(v), int(v))


def _unbatched(input: Tensor, op: str) -> bool:
    nd = input._data.ndim
    if nd not in (3, 4):
        raise RuntimeError(f"{op}: Expected 3D (unbatched) or 4D (batched) input to {op}, "
                           f"but got input of size: {list(input.shape)}")
    return nd == 3


# ---- conv2d ------------------------------------------------------------------------------------
def _conv_pads(padding, kernel, dilation, stride) -> tuple:
    """(top, bottom, left, right) zero padding from torch's ``padding`` argument."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0)
        if padding != "same":
            raise ValueError(f"Invalid padding string '{padding}', should be one of "
                             "{'valid', 'same'}")
        if stride != (1, 1):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        pads = []
        for k, d in zip(kernel, dilation):  # torch: the odd extra pixel goes at the end
            total = d * (k - 1)
            pads += [total // 2, total - total // 2]
        return tuple(pads)
    ph, pw = _pair(padding, "padding")
    if ph < 0 or pw < 0:
        raise RuntimeError(f"conv2d: negative padding is not supported (padding={(ph, pw)})")
    return (ph, ph, pw, pw)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """2-D cross-correlation of (N, C, H, W) input with (O, C/groups, kh, kw) weight."""
    unb = _unbatched(input, "conv2d")
    if weight._data.ndim != 4:
        raise RuntimeError(f"conv2d: weight should be 4-D (O, C/groups, kh, kw), got size "
                           f"{list(weight.shape)}")
    x = _reshape(input, (1,) + input._data.shape) if unb else input
    stride, dilation = _pair(stride, "stride"), _pair(dilation, "dilation")
    if min(stride) <= 0:
        raise RuntimeError(f"conv2d: non-positive stride is not supported (stride={stride})")
    if min(dilation) <= 0:
        raise RuntimeError(f"conv2d: dilation should be greater than zero (got {dilation})")
    groups = int(groups)
    if groups <= 0:
        raise RuntimeError("conv2d: non-positive groups is not supported")
    O, Cg, kh, kw = weight._data.shape
    N, C, H, W = x._data.shape
    if C != Cg * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(weight.shape)}, "
                           f"expected input{list(x.shape)} to have {Cg * groups} channels, "
                           f"but got {C} channels instead")
    if O % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size {list(weight.shape)}")
    if bias is not None and tuple(bias._data.shape) != (O,):
        raise RuntimeError(f"Given weight of size {list(weight.shape)}, expected bias to be "
                           f"1-dimensional with {O} elements, but got bias of size "
                           f"{list(bias.shape)} instead")
    for t, name in ((weight, "weight"), (bias, "bias")):
        if t is not None and t._data.dtype != x._data.dtype:
            raise RuntimeError(f"conv2d: Input type ({x.dtype}) and {name} type ({t.dtype}) "
                               "should be the same")
    pads = _conv_pads(padding, (kh, kw), dilation, stride)
    hp, wp = H + pads[0] + pads[1], W + pads[2] + pads[3]
    eh, ew = dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1
    if hp < eh or wp < ew:
        raise RuntimeError(f"conv2d: Calculated padded input size per channel: ({hp} x {wp}). "
                           f"Kernel size: ({eh} x {ew}). Kernel size can't be greater than "
                           "actual input size")
    y = ConvolutionFn.apply(x, weight, bias, stride, pads, dilation, groups)
    # torch: an unbatched conv2d ends in a squeeze; its pools take 3-D input natively
    return named(_reshape(y, y._data.shape[1:]), "SqueezeBackward1") if unb else y


# ---- pooling -----------------------------------------------------------------------------------
def _pool_geometry(op, shape, kernel, stride, padding, dilation, ceil_mode):
    """torch's pooling_output_shape per axis, plus the extra right/bottom padding ceil_mode
    needs so the last window fits. Returns (pads, (Ho, Wo))."""
    pads, out = [], []
    for n, k, s, p, d in zip(shape, kernel, stride, padding, dilation):
        if k <= 0 or s <= 0 or d <= 0:
            raise RuntimeError(f"{op}: kernel_size, stride and dilation must be greater than "
                               f"zero, but got kernel_size={kernel} stride={stride} "
                               f"dilation={dilation}")
        if p < 0 or p > k // 2:
            raise RuntimeError(f"{op}: pad should be at most half of effective kernel size, "
                               f"but got pad={p}, kernel_size={k} and dilation={d}")
        span = n + 2 * p - d * (k - 1) - 1
        o = (span + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (o - 1) * s >= n + p:  # torch: the last window must start inside
            o -= 1
        if o < 1:
            raise RuntimeError(f"{op}: Given input size: {list(shape)}. Calculated output "
                               f"size is too small (kernel_size={kernel}, stride={stride}, "
                               f"padding={padding})")
        extra = max(0, (o - 1) * s + d * (k - 1) + 1 - (n + 2 * p))
        pads += [p, p + extra]
        out.append(o)
    return tuple(pads), tuple(out)


def max_pool2d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """Max over each (kernel_size) window; gradient to the window's (first) argmax."""
    unb = _unbatched(input, "max_pool2d")
    x = _reshape(input, (1,) + input._data.shape) if unb else input
    kernel = _pair(kernel_size, "kernel_size")
    stride = kernel if stride is None or stride == [] else _pair(stride, "stride")
    padding, dilation = _pair(padding, "padding"), _pair(dilation, "dilation")
    pads, out_hw = _pool_geometry("max_pool2d", x._data.shape[2:], kernel, stride, padding,
                                  dilation, ceil_mode)
    sink = [] if return_indices else None
    y = MaxPool2dFn.apply(x, kernel, stride, pads, dilation, out_hw, sink)
    if unb:
        y = named(_reshape(y, y._data.shape[1:]), "MaxPool2DWithIndicesBackward0")
    if not return_indices:
        return y
    idx = sink[0].astype(np.int64, copy=False)
    return y, Tensor._wrap(idx[0] if unb else idx)


def avg_pool2d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override=None) -> Tensor:
    """Mean over each window with torch's divisor rules (padding, ceil_mode, override)."""
    unb = _unbatched(input, "avg_pool2d")
    x = _reshape(input, (1,) + input._data.shape) if unb else input
    kernel = _pair(kernel_size, "kernel_size")
    stride = kernel if stride is None or stride == [] else _pair(stride, "stride")
    padding = _pair(padding, "padding")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("avg_pool2d: divisor must be not zero")
    shape = x._data.shape[2:]
    pads, out_hw = _pool_geometry("avg_pool2d", shape, kernel, stride, padding, (1, 1),
                                  ceil_mode)
    xp = get_array_module(x._data)  # the divisor is built on x's device (no transfer)
    counts = []  # per axis: the window length clipped as torch clips it
    for n, k, s, p, o in zip(shape, kernel, stride, padding, out_hw):
        start = xp.arange(o) * s - p
        end = xp.minimum(start + k, n + p)
        if count_include_pad:
            counts.append(end - start)
        else:
            counts.append(xp.minimum(end, n) - xp.maximum(start, 0))
    if divisor_override is not None:
        div = xp.full(out_hw, float(divisor_override))
    else:
        div = xp.outer(counts[0], counts[1]).astype(np.float64)
    div = div.astype(x._data.dtype)
    y = AvgPool2dFn.apply(x, kernel, stride, pads, out_hw, div)
    return named(_reshape(y, y._data.shape[1:]), "AvgPool2DBackward0") if unb else y
