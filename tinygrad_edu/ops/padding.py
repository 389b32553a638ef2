"""Padding and channel rearrangements: ``constant_pad_nd`` and ``F.pad`` (constant, reflect,
replicate, circular; negative pads crop), ``pixel_shuffle``, ``pixel_unshuffle``,
``channel_shuffle``.

``pad`` lists (left, right) widths starting from the last dim: (1, 2) pads the last dim by 1
before and 2 after; (1, 2, 3, 4) also the dim before it by 3 and 4.

Constant padding copies x into a filled tensor (backward: g's middle part). The other modes
read x at computed positions, per padded dim (reflect: …2 1 [0 1 2 3] 2 1…; replicate:
…0 0 [0 1 2 3] 3 3…; circular: …2 3 [0 1 2 3] 0 1…), so their backward adds each copy's
gradient back onto the element it came from (the getitem/scatter-add pair).
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..backend import get_array_module
from ._util import named
from .index import GetItemFn, IndexAccumulateFn
from .shape import permute, reshape, transpose


class ConstantPadNdFn(Function):
    """y = value everywhere, with y[dst] = x[src] (the widths of ``pad`` around x; negative
    widths crop x)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, out_shape, src, dst, value):
        ctx.shape, ctx.src, ctx.dst = x.shape, src, dst
        y = get_array_module(x).full(out_shape, value, dtype=x.dtype)
        y[dst] = x[src]
        return y

    @staticmethod
    def backward(ctx, g):
        # ∂y/∂x = 1 for the copied part: g's part in dst goes back to x's part in src
        inner = GetItemFn.call(g, ctx.dst, False)
        return IndexAccumulateFn.call(inner, ctx.shape, ctx.src, False), None, None, None, None


def _pairs(pad, nd: int, op: str):
    pad = [int(p) for p in pad]
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) > 2 * nd:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pad)} and input of dimension "
                           f"{nd}")
    # (dim, before, after) from the last dim backwards
    return [(nd - 1 - k, pad[2 * k], pad[2 * k + 1]) for k in range(len(pad) // 2)]


def constant_pad_nd(input, pad, value=0):
    """``input`` surrounded by ``value`` (widths in ``pad``, last dim first; negative widths
    crop). dtype: input's. Raises RuntimeError for an odd pad length, more pairs than dims, or
    a negative resulting size. Derivative: g's part where x was copied."""
    shape = list(input._data.shape)
    src = [slice(None)] * len(shape)
    dst = [slice(None)] * len(shape)
    for d, a, b in _pairs(pad, len(shape), "constant_pad_nd"):
        n = shape[d]
        new = n + a + b
        if new < 0:
            raise RuntimeError(f"The input size {n}, plus negative padding {a} and {b} resulted "
                               f"in a negative output size, which is invalid. Check dimension {d}"
                               f" of your input.")
        src[d] = slice(max(-a, 0), n - max(-b, 0))
        dst[d] = slice(max(a, 0), new - max(b, 0))
        if src[d].stop - src[d].start < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
        shape[d] = new
    v = input._data.dtype.type(value)
    return ConstantPadNdFn.apply(input, tuple(shape), tuple(src), tuple(dst), v)


def _positions(mode: str, n: int, a: int, b: int):
    """For a padded dim of size n with widths (a, b): the input position each output reads."""
    i = np.arange(-a, n + b)
    if mode == "replicate":
        return np.clip(i, 0, n - 1)
    if mode == "circular":  # torch: crop first, then wrap the cropped core around
        core = np.arange(max(-a, 0), n - max(-b, 0))
        return np.concatenate([core[len(core) - max(a, 0):], core, core[:max(b, 0)]])
    period = 2 * (n - 1)  # reflect: bounce off both ends without repeating the edge
    i = np.abs(i) % period if period else np.zeros_like(i)
    return np.where(i > n - 1, period - i, i)


_MODE_NODE = {"reflect": "ReflectionPad{}DBackward0", "replicate": "ReplicationPad{}DBackward0",
              "circular": "CircularPad{}DBackward0"}


def _index_pad(input, pad, mode: str):
    nd = input._data.ndim
    k = len(pad) // 2
    if len(pad) % 2 == 0 and k in (1, 2, 3) and nd not in (k + 1, k + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {nd}D input tensor.\nSupported "
            "combinations for non-constant padding:\n  - 2D or 3D input: padding size = 2 (pads "
            "last dimension)\n  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n  - "
            "4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    pairs = _pairs(pad, nd, "pad")
    shape = input._data.shape
    if any(shape[d] == 0 for d in range(1, nd)):
        raise RuntimeError(f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 "
                           f"batch size and other non-zero dimensions for input, but got: "
                           f"{list(shape)}")
    xp = get_array_module(input._data)
    key = [slice(None)] * nd
    for d, a, b in pairs:
        n = shape[d]
        if mode == "reflect" and (a >= n or b >= n):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding "
                               f"input dimension, but got: padding ({a}, {b}) at dimension {d} "
                               f"of input {list(shape)}")
        if mode == "circular" and (a > n or b > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if n + a + b < 0:
            raise RuntimeError(f"input tensor size {n} plus padding ({a}, {b}) is negative at "
                               f"dimension {d}")
        view = [1] * k
        view[d - (nd - k)] = -1
        key[d] = xp.asarray(_positions(mode, n, a, b).reshape(view))
    out = GetItemFn.apply(input, tuple(key), True)
    return named(out, _MODE_NODE[mode].format(k))


def pad(input, pad, mode="constant", value=None):
    """``F.pad``: surround ``input`` with ``value`` ('constant', the default; negative widths
    crop), or with its own values: 'reflect' (mirror without the edge), 'replicate' (repeat the
    edge), 'circular' (wrap around). ``pad`` gives (before, after) widths from the last dim
    backwards; the non-constant modes pad the last 1–3 dims of a (batched) 2–5-D input.
    Raises RuntimeError for bad widths (odd length, reflect widths ≥ the size, circular widths
    > the size), NotImplementedError for an unknown mode or an unsupported dims/widths pair.
    Derivative: constant — g's copied part; the others — each copy's g added back onto its
    source element."""
    if mode == "constant":
        return constant_pad_nd(input, pad, 0 if value is None else value)
    if mode not in _MODE_NODE:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    return _index_pad(input, pad, mode)


def pixel_shuffle(input, upscale_factor):
    """(*, C·r², H, W) -> (*, C, H·r, W·r): each group of r² channels becomes an r×r patch
    (sub-pixel convolution). Raises RuntimeError below 3 dims, for r < 1 or channels not
    divisible by r². Derivative: the inverse rearrangement of g."""
    r = int(upscale_factor)
    shp = tuple(input._data.shape)
    if len(shp) < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with {len(shp)} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    c, h, w = shp[-3:]
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)={c} "
                           f"is not divisible by {r * r}")
    lead = shp[:-3]
    n = len(lead)
    x = reshape(input, lead + (c // (r * r), r, r, h, w))
    x = permute(x, *range(n), n, n + 3, n + 1, n + 4, n + 2)
    return reshape(x, lead + (c // (r * r), h * r, w * r))


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H·r, W·r) -> (*, C·r², H, W): the inverse of pixel_shuffle. Raises RuntimeError
    below 3 dims, for r < 1 or H, W not divisible by r."""
    r = int(downscale_factor)
    shp = tuple(input._data.shape)
    if len(shp) < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got "
                           f"input with {len(shp)} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    c, h, w = shp[-3:]
    if h % r or w % r:
        which, size = ("height", h) if h % r else ("width", w)
        raise RuntimeError(f"pixel_unshuffle expects {which} to be divisible by "
                           f"downscale_factor, but input.size({-2 if h % r else -1})={size} is "
                           f"not divisible by {r}")
    lead = shp[:-3]
    n = len(lead)
    x = reshape(input, lead + (c, h // r, r, w // r, r))
    x = permute(x, *range(n), n, n + 2, n + 4, n + 1, n + 3)
    return reshape(x, lead + (c * r * r, h // r, w // r))


def channel_shuffle(input, groups):
    """(N, C, *) with C = g·k: the channels regrouped as if read from a (g, k) grid column by
    column (ShuffleNet). Raises RuntimeError below 3 dims, for groups < 1 or C not divisible
    by groups. Derivative: the inverse shuffle of g."""
    g = int(groups)
    shp = tuple(input._data.shape)
    if len(shp) < 3:
        raise RuntimeError(f"channel_shuffle expects input to have at least 3 dimensions, but "
                           f"got input with {len(shp)} dimension(s)")
    if g <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of "
                           f"groups:{g}")
    c = shp[1]
    if c % g:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels "
                           f"and {g} groups.")
    x = reshape(input, (shp[0], g, c // g) + shp[2:])
    return reshape(transpose(x, 1, 2), shp)


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["channel_shuffle", "constant_pad_nd", "pixel_shuffle", "pixel_unshuffle"]

METHODS: dict = {}
