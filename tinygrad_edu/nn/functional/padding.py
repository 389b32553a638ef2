"""``F.pad``: grow (or, with negative sizes, crop) the trailing axes of a tensor, in torch's four
modes, and its checks.

``pad`` lists (before, after) pairs starting from the LAST axis: ``(l, r)`` pads W,
``(l, r, t, b)`` pads W then H, ``(l, r, t, b, f, k)`` pads W, H, D. For W = 4, pad (2, 1):

    x            = [a b c d]
    constant (v) = [v v a b c d v]
    reflect      = [c b a b c d c]      mirror about the edge element (which is not repeated)
    replicate    = [a a a b c d d]      repeat the edge element
    circular     = [c d a b c d a]      wrap around

A negative size cuts that many elements off. Output j reads input i = j − before: replicate
clips i into [0, W − 1], reflect mirrors it (−i, 2(W − 1) − i), both in the uncropped input;
circular crops first and wraps the cropped tensor.
Every output element is a copy of an input element or the constant, so ∂y/∂x adds each
output's gradient onto the element it was copied from (the constant gets none).
The Functions are ``ConstantPadFn`` and ``PadModeFn`` of ``ops/im2col.py``.
"""

from __future__ import annotations

import operator

from ...ops._util import named
from ...ops.im2col import ConstantPadFn, PadModeFn
from ...tensor import Tensor

__all__ = ["pad"]

_MODES = ("constant", "reflect", "replicate", "circular")


def pad(input: Tensor, pad, mode: str = "constant", value=None) -> Tensor:
    """Pad the last ``len(pad) // 2`` axes of ``input`` (sizes from the last axis backwards;
    negative sizes crop). ``mode``: ``'constant'`` (``value``, default 0, cast to the input's
    dtype; any number of axes), ``'reflect'``, ``'replicate'``, ``'circular'`` (the last 1, 2
    or 3 axes of a 2-3, 3-4 or 4-5 dimensional input). The dtype is the input's.

    Raises, as torch: TypeError for non-integer sizes; RuntimeError for an odd length, more
    pairs than axes, a ``value`` with a non-constant mode, a reflect size not smaller than its
    axis, a circular size over its axis, an empty non-batch axis (reflect, replicate);
    NotImplementedError for an unknown mode or an unsupported rank.

    Shapes: input (*, n₁, ..., nₖ), ``pad`` (a₁, b₁, ...) from the last axis backwards → each padded
    axis nᵢ + aᵢ + bᵢ.
    """
    sizes = _sizes(pad)
    if mode not in _MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if len(sizes) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    dim = input._data.ndim
    if len(sizes) // 2 > dim:
        raise RuntimeError("Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(sizes)} and input of "
                           f"dimension {dim}")
    d = len(sizes) // 2
    # ours: (before, after) per axis, first padded axis first
    pads = tuple(p for a in reversed(range(d)) for p in (sizes[2 * a], sizes[2 * a + 1]))
    if mode == "constant":
        return named(_crop_then(input, pads, lambda t, grow: ConstantPadFn.apply(
            t, grow, 0 if value is None else value)), "ConstantPadNdBackward0")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if not (d in (1, 2, 3) and dim in (d + 1, d + 2)):
        raise NotImplementedError(
            f"Padding size {len(sizes)} is not supported for {dim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    shape = tuple(input.shape)
    space = shape[dim - d:]
    if mode == "circular":
        if any(p > n for a, n in enumerate(space) for p in pads[2 * a:2 * a + 2]):
            raise RuntimeError("Padding value causes wrapping around more than once.")
    else:
        first = 1 if dim == d + 2 else 0  # a batch axis may be empty
        if any(n == 0 for n in shape[first:]):
            raise RuntimeError(f"Expected {d + 1}D or {d + 2}D (batch mode) tensor with possibly "
                               "0 batch size and other non-zero dimensions for input, but got: "
                               f"{list(shape)}")
    if mode == "reflect":  # torch checks W first (argument #4), then H (#6), then D (#8)
        for k, a in enumerate(reversed(range(d))):
            if pads[2 * a] >= space[a] or pads[2 * a + 1] >= space[a]:
                raise RuntimeError(
                    f"Argument #{4 + 2 * k}: Padding size should be less than the corresponding "
                    f"input dimension, but got: padding ({pads[2 * a]}, {pads[2 * a + 1]}) at "
                    f"dimension {dim - d + a} of input {list(shape)}")
    if mode in ("replicate", "reflect"):  # torch's source index of each output, any sign
        y = PadModeFn.apply(input, pads, mode)
    else:  # circular: crop, then wrap the cropped tensor around
        y = _crop_then(input, pads, lambda t, grow: PadModeFn.apply(t, grow, mode))
    name = {"reflect": f"ReflectionPad{d}DBackward0", "replicate": f"ReplicationPad{d}DBackward0",
            "circular": "torch::autograd::CopySlices"}[mode]
    return named(y, name)


def _sizes(pad) -> tuple:
    """The pad sizes as ints (torch's TypeError for anything else)."""
    out = []
    for k, p in enumerate(pad):
        try:
            if isinstance(p, float):
                raise TypeError
            out.append(operator.index(p))
        except TypeError:
            raise TypeError(f"pad(): argument 'pad' (position 2) must be tuple of ints, but found "
                            f"element of type {type(p).__name__} at pos {k}") from None
    return tuple(out)


def _crop_then(x: Tensor, pads, grow_fn) -> Tensor:
    """Cut the negative sizes off (a slice: its gradient flows back in place), then grow by the
    positive ones with ``grow_fn``; a copy when nothing changes (the output never aliases x)."""
    d = len(pads) // 2
    lead = x._data.ndim - d
    if any(p < 0 for p in pads):
        sl = tuple(slice(max(-pads[2 * a], 0), x.shape[lead + a] - max(-pads[2 * a + 1], 0))
                   for a in range(d))
        x = x[(slice(None),) * lead + sl]
    grow = tuple(max(p, 0) for p in pads)
    return grow_fn(x, grow) if any(grow) else x.clone()
