"""``nn.Upsample`` (and the older UpsamplingNearest2d / UpsamplingBilinear2d): modules around
``F.interpolate``, with torch's attributes and repr."""

from __future__ import annotations

from ...tensor import Tensor
from .. import functional as F
from .module import Module

__all__ = ["Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"]


class Upsample(Module):
    """Resize (N, C, *S) input to ``size`` or by ``scale_factor`` with ``mode`` ('nearest',
    'nearest-exact', 'linear', 'bilinear', 'bicubic', 'trilinear', 'area'), as
    ``torch.nn.Upsample``.

    Shapes: as ``torch.nn.functional.interpolate``. Raises as ``torch.nn.functional.interpolate``.
    """

    def __init__(self, size=None, scale_factor=None, mode: str = "nearest",
                 align_corners: bool | None = None,
                 recompute_scale_factor: bool | None = None) -> None:
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor = tuple(float(factor) for factor in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input: Tensor) -> Tensor:
        return F.interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                             recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self) -> str:
        if self.scale_factor is not None:
            info = "scale_factor=" + repr(self.scale_factor)
        else:
            info = "size=" + repr(self.size)
        return info + ", mode=" + repr(self.mode)


class UpsamplingNearest2d(Upsample):
    """``Upsample(size, scale_factor, mode='nearest')`` (deprecated in torch).

    Shapes: as ``torch.nn.functional.interpolate``. Raises as ``torch.nn.functional.interpolate``.
    """

    def __init__(self, size=None, scale_factor=None) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """``Upsample(size, scale_factor, mode='bilinear', align_corners=True)`` (deprecated in
    torch).

    Shapes: as ``torch.nn.functional.interpolate``. Raises as ``torch.nn.functional.interpolate``.
    """

    def __init__(self, size=None, scale_factor=None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
