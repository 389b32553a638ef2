"""``F.pixel_shuffle`` / ``F.pixel_unshuffle`` (channels to space and back, the sub-pixel
convolution layer of Shi et al. 2016) and ``F.channel_shuffle`` (ShuffleNet, Zhang et al. 2017).

All three only move elements: a reshape, a permute, a reshape, so the gradient is the inverse
move of g (the reshape and permute nodes compose it, and differentiate again).

    pixel_shuffle    (*, C·r², H, W) -> (*, C, H·r, W·r)
                     y[c, h·r + i, w·r + j] = x[c·r² + i·r + j, h, w]
    pixel_unshuffle  (*, C, H·r, W·r) -> (*, C·r², H, W), its inverse
    channel_shuffle  (N, g·k, *) -> (N, k·g, *),  y[:, j·g + i] = x[:, i·k + j]
"""

from __future__ import annotations

from ...ops._util import named
from ...tensor import Tensor

__all__ = ["pixel_shuffle", "pixel_unshuffle", "channel_shuffle"]


def _check(op: str, x: Tensor, factor: int, name: str) -> tuple:
    shape = tuple(x.shape)
    if len(shape) < 3:
        raise RuntimeError(f"{op} expects input to have at least 3 dimensions, but got input with "
                           f"{len(shape)} dimension(s)")
    if factor <= 0:
        raise RuntimeError(f"{op} expects a positive {name}, but got {factor}")
    return shape


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C·r², H, W) -> (*, C, H·r, W·r) with r = ``upscale_factor``; any dtype, kept.
    Raises RuntimeError for fewer than 3 dims, r <= 0 or a channel count not divisible by r².

    Shapes: (*, C·r², H, W) → (*, C, H·r, W·r).
    """
    r = int(upscale_factor)
    shape = _check("pixel_shuffle", input, r, "upscale_factor")
    *lead, c, h, w = shape
    if c % (r * r):
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be divisible "
                           f"by the square of upscale_factor, but input.size(-3)={c} is not "
                           f"divisible by {r * r}")
    k = len(lead)
    y = input.reshape(*lead, c // (r * r), r, r, h, w)
    y = y.permute(*range(k), k, k + 3, k + 1, k + 4, k + 2)  # (*, C, H, r, W, r)
    return named(y.reshape(*lead, c // (r * r), h * r, w * r), "PixelShuffleBackward0")


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H·r, W·r) -> (*, C·r², H, W), the inverse of :func:`pixel_shuffle`. Raises
    RuntimeError for fewer than 3 dims, r <= 0 or a height/width not divisible by r.

    Shapes: (*, C, H·r, W·r) → (*, C·r², H, W).
    """
    r = int(downscale_factor)
    shape = _check("pixel_unshuffle", input, r, "downscale_factor")
    *lead, c, h, w = shape
    for name, n, axis in (("height", h, -2), ("width", w, -1)):
        if n % r:
            raise RuntimeError(f"pixel_unshuffle expects {name} to be divisible by "
                               f"downscale_factor, but input.size({axis})={n} is not divisible "
                               f"by {r}")
    k = len(lead)
    y = input.reshape(*lead, c, h // r, r, w // r, r)
    y = y.permute(*range(k), k, k + 2, k + 4, k + 1, k + 3)  # (*, C, r, r, H, W)
    return named(y.reshape(*lead, c * r * r, h // r, w // r), "PixelUnshuffleBackward0")


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """(N, C, *) with C = g·k: view the channels as (g, k), transpose to (k, g), flatten
    (``groups`` = g). Raises RuntimeError for fewer than 3 dims, g <= 0 or C not divisible
    by g.

    Shapes: (N, C, *) → (N, C, *).
    """
    shape = tuple(input.shape)
    g = int(groups)
    if len(shape) <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with "
                           f"sizes {list(shape)}")
    if g <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of "
                           f"groups:{g}")
    n, c, *space = shape
    if c % g:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels and "
                           f"{g} groups.")
    y = input.reshape(n, g, c // g, *space).transpose(1, 2)
    return named(y.reshape(n, c, *space), "ChannelShuffleBackward0")
