"""``nn.PixelShuffle``, ``nn.PixelUnshuffle`` and ``nn.ChannelShuffle``: modules around the
functions of ``nn/functional/pixelshuffle.py`` (elements moved, nothing learned)."""

from __future__ import annotations

from ...tensor import Tensor
from .. import functional as F
from .module import Module

__all__ = ["PixelShuffle", "PixelUnshuffle", "ChannelShuffle"]


class PixelShuffle(Module):
    """(*, C·r², H, W) -> (*, C, H·r, W·r), r = ``upscale_factor`` (``F.pixel_shuffle``).

    Shapes: as ``torch.nn.functional.pixel_shuffle``. Raises as
    ``torch.nn.functional.pixel_shuffle``.
    """

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input: Tensor) -> Tensor:
        return F.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """(*, C, H·r, W·r) -> (*, C·r², H, W), r = ``downscale_factor`` (``F.pixel_unshuffle``).

    Shapes: as ``torch.nn.functional.pixel_unshuffle``. Raises as
    ``torch.nn.functional.pixel_unshuffle``.
    """

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input: Tensor) -> Tensor:
        return F.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"


class ChannelShuffle(Module):
    """(N, g·k, *) -> (N, k·g, *): the channels regrouped (``F.channel_shuffle``).

    Shapes: as ``torch.nn.functional.channel_shuffle``. Raises as
    ``torch.nn.functional.channel_shuffle``.
    """

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, input: Tensor) -> Tensor:
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"
