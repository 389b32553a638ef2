"""``torch.constant_pad_nd``: a tensor grown by a constant (negative pads crop). ``F.pad`` in all
four modes is :mod:`tinygrad_edu.nn.functional.padding` (on ``ops/im2col.py``'s Functions).

``pad`` lists (left, right) widths starting from the last dim: (1, 2) pads the last dim by 1
before and 2 after; (1, 2, 3, 4) also the dim before it by 3 and 4.

Constant padding copies x into a filled tensor; its backward is g's middle part.
"""

from __future__ import annotations

from ..autograd import Function
from ..backend import get_array_module
from .index import GetItemFn, IndexAccumulateFn


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
    a negative resulting size. Derivative: g's part where x was copied.

    Shapes: input (*, n₁, ..., nₖ), ``pad`` (a₁, b₁, ...) from the last axis backwards → each padded
    axis nᵢ + aᵢ + bᵢ.
    """
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


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["constant_pad_nd"]

METHODS: dict = {}
