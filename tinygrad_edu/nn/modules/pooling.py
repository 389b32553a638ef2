"""Pooling layers, as torch's: Max/Avg/LP pooling and MaxUnpool (1d, 2d, 3d), adaptive
Avg/Max pooling and fractional max pooling. Each stores torch's attributes (with torch's
normalization of them: AvgPool1d and MaxUnpool keep tuples, the others what was given) and
calls the matching ``F`` function."""

from __future__ import annotations

from ...tensor import Tensor
from .. import functional as F
from .module import Module

__all__ = [f"{kind}{d}d" for kind in ("MaxPool", "AvgPool", "LPPool", "MaxUnpool",
                                      "AdaptiveAvgPool", "AdaptiveMaxPool") for d in (1, 2, 3)]
__all__ += ["FractionalMaxPool2d", "FractionalMaxPool3d"]


def _ntuple(v, d: int) -> tuple:
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * d


# ---- max pooling -------------------------------------------------------------------------------
class _MaxPoolNd(Module):
    _fn = None

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if (stride is not None) else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input: Tensor):
        return getattr(F, self._fn)(input, self.kernel_size, self.stride, self.padding,
                                    self.dilation, ceil_mode=self.ceil_mode,
                                    return_indices=self.return_indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """Max over windows of (N, C, L) input, as ``torch.nn.MaxPool1d`` (``F.max_pool1d``).

    Shapes: as ``torch.nn.functional.max_pool1d``. Raises as ``torch.nn.functional.max_pool1d``.
    """

    _fn = "max_pool1d"


class MaxPool2d(_MaxPoolNd):
    """Max over windows of (N, C, H, W) input, as ``torch.nn.MaxPool2d``.

    Shapes: as ``torch.nn.functional.max_pool2d``. Raises as ``torch.nn.functional.max_pool2d``.
    """

    _fn = "max_pool2d"


class MaxPool3d(_MaxPoolNd):
    """Max over windows of (N, C, D, H, W) input, as ``torch.nn.MaxPool3d``.

    Shapes: as ``torch.nn.functional.max_pool3d``. Raises as ``torch.nn.functional.max_pool3d``.
    """

    _fn = "max_pool3d"


class _MaxUnpoolNd(Module):
    _d = 0

    def __init__(self, kernel_size, stride=None, padding=0) -> None:
        super().__init__()
        d = self._d
        self.kernel_size = _ntuple(kernel_size, d)
        self.stride = _ntuple(stride if (stride is not None) else kernel_size, d)
        self.padding = _ntuple(padding, d)

    def forward(self, input: Tensor, indices: Tensor, output_size=None) -> Tensor:
        return getattr(F, f"max_unpool{self._d}d")(input, indices, self.kernel_size,
                                                     self.stride, self.padding, output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """The partial inverse of MaxPool1d (``forward(input, indices, output_size=None)``).

    Shapes: as ``torch.nn.functional.max_unpool1d``. Raises as ``torch.nn.functional.max_unpool1d``.
    """

    _d = 1


class MaxUnpool2d(_MaxUnpoolNd):
    """The partial inverse of MaxPool2d (``forward(input, indices, output_size=None)``).

    Shapes: as ``torch.nn.functional.max_unpool2d``. Raises as ``torch.nn.functional.max_unpool2d``.
    """

    _d = 2


class MaxUnpool3d(_MaxUnpoolNd):
    """The partial inverse of MaxPool3d (``forward(input, indices, output_size=None)``).

    Shapes: as ``torch.nn.functional.max_unpool3d``. Raises as ``torch.nn.functional.max_unpool3d``.
    """

    _d = 3


# ---- average pooling ---------------------------------------------------------------------------
class _AvgPoolNd(Module):
    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(_AvgPoolNd):
    """Mean over windows of (N, C, L) input, as ``torch.nn.AvgPool1d``.

    Shapes: as ``torch.nn.functional.avg_pool1d``. Raises as ``torch.nn.functional.avg_pool1d``.
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True) -> None:
        super().__init__()
        self.kernel_size = _ntuple(kernel_size, 1)
        self.stride = _ntuple(stride if stride is not None else kernel_size, 1)
        self.padding = _ntuple(padding, 1)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)


class _AvgPool23d(_AvgPoolNd):
    _fn = None

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override=None) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if (stride is not None) else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return getattr(F, self._fn)(input, self.kernel_size, self.stride, self.padding,
                                    self.ceil_mode, self.count_include_pad,
                                    self.divisor_override)


class AvgPool2d(_AvgPool23d):
    """Mean over windows of (N, C, H, W) input, as ``torch.nn.AvgPool2d``.

    Shapes: as ``torch.nn.functional.avg_pool2d``. Raises as ``torch.nn.functional.avg_pool2d``.
    """

    _fn = "avg_pool2d"


class AvgPool3d(_AvgPool23d):
    """Mean over windows of (N, C, D, H, W) input, as ``torch.nn.AvgPool3d``.

    Shapes: as ``torch.nn.functional.avg_pool3d``. Raises as ``torch.nn.functional.avg_pool3d``.
    """

    _fn = "avg_pool3d"


# ---- power-average pooling ---------------------------------------------------------------------
class _LPPoolNd(Module):
    _fn = None

    def __init__(self, norm_type: float, kernel_size, stride=None,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def forward(self, input: Tensor) -> Tensor:
        return getattr(F, self._fn)(input, float(self.norm_type), self.kernel_size,
                                    self.stride, self.ceil_mode)

    def extra_repr(self) -> str:
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, ceil_mode={self.ceil_mode}")


class LPPool1d(_LPPoolNd):
    """(Σ_window xᵖ)^(1/p) over windows of (N, C, L) input, as ``torch.nn.LPPool1d``.

    Shapes: as ``torch.nn.functional.lp_pool1d``. Raises as ``torch.nn.functional.lp_pool1d``.
    """

    _fn = "lp_pool1d"


class LPPool2d(_LPPoolNd):
    """(Σ_window xᵖ)^(1/p) over windows of (N, C, H, W) input, as ``torch.nn.LPPool2d``.

    Shapes: as ``torch.nn.functional.lp_pool2d``. Raises as ``torch.nn.functional.lp_pool2d``.
    """

    _fn = "lp_pool2d"


class LPPool3d(_LPPoolNd):
    """(Σ_window xᵖ)^(1/p) over windows of (N, C, D, H, W) input, as ``torch.nn.LPPool3d``.

    Shapes: as ``torch.nn.functional.lp_pool3d``. Raises as ``torch.nn.functional.lp_pool3d``.
    """

    _fn = "lp_pool3d"


# ---- adaptive pooling --------------------------------------------------------------------------
class _AdaptiveMaxPoolNd(Module):
    _fn = None

    def __init__(self, output_size, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def forward(self, input: Tensor):
        return getattr(F, self._fn)(input, self.output_size, self.return_indices)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """Max over adaptive windows, giving L_out = output_size, as ``torch.nn.AdaptiveMaxPool1d``.

    Shapes: as ``torch.nn.functional.adaptive_max_pool1d``. Raises as
    ``torch.nn.functional.adaptive_max_pool1d``.
    """

    _fn = "adaptive_max_pool1d"


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """Max over adaptive windows of (N, C, H, W) input, as ``torch.nn.AdaptiveMaxPool2d``.

    Shapes: as ``torch.nn.functional.adaptive_max_pool2d``.

    Raises as ``torch.nn.functional.adaptive_max_pool2d``.
    """

    _fn = "adaptive_max_pool2d"


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    """Max over adaptive windows of (N, C, D, H, W) input, as ``torch.nn.AdaptiveMaxPool3d``.

    Shapes: as ``torch.nn.functional.adaptive_max_pool3d``.

    Raises as ``torch.nn.functional.adaptive_max_pool3d``.
    """

    _fn = "adaptive_max_pool3d"


class _AdaptiveAvgPoolNd(Module):
    _fn = None

    def __init__(self, output_size) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return getattr(F, self._fn)(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    """Mean over adaptive windows, giving L_out = output_size, as ``torch.nn.AdaptiveAvgPool1d``.

    Shapes: as ``torch.nn.functional.adaptive_avg_pool1d``. Raises as
    ``torch.nn.functional.adaptive_avg_pool1d``.
    """

    _fn = "adaptive_avg_pool1d"


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    """Mean over adaptive windows of (N, C, H, W) input, as ``torch.nn.AdaptiveAvgPool2d``.

    Shapes: as ``torch.nn.functional.adaptive_avg_pool2d``.

    Raises as ``torch.nn.functional.adaptive_avg_pool2d``.
    """

    _fn = "adaptive_avg_pool2d"


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    """Mean over adaptive windows of (N, C, D, H, W) input, as ``torch.nn.AdaptiveAvgPool3d``.

    Shapes: as ``torch.nn.functional.adaptive_avg_pool3d``.

    Raises as ``torch.nn.functional.adaptive_avg_pool3d``.
    """

    _fn = "adaptive_avg_pool3d"


# ---- fractional max pooling --------------------------------------------------------------------
class _FractionalMaxPoolNd(Module):
    _d = 0

    def __init__(self, kernel_size, output_size=None, output_ratio=None,
                 return_indices: bool = False, _random_samples=None) -> None:
        super().__init__()
        d, name = self._d, type(self).__name__
        if d == 3 and any(k <= 0 for k in _ntuple(kernel_size, d)):
            raise ValueError(f"kernel_size must be greater than 0, but got {kernel_size}")
        self.kernel_size = _ntuple(kernel_size, d)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = _ntuple(output_size, d) if output_size is not None else None
        self.output_ratio = _ntuple(output_ratio, d) if output_ratio is not None else None
        if output_size is None and output_ratio is None:
            raise ValueError(f"{name} requires specifying either an output size, or a pooling "
                             "ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not all(0 < r < 1 for r in self.output_ratio):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def forward(self, input: Tensor):
        return getattr(F, f"fractional_max_pool{self._d}d")(
            input, self.kernel_size, self.output_size, self.output_ratio, self.return_indices,
            _random_samples=self._random_samples)


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """Max over kernel_size windows at pseudo-random offsets of (N, C, H, W) input, as
    ``torch.nn.FractionalMaxPool2d`` (the offsets drawn as torch draws them).

    Shapes: as ``torch.nn.functional.fractional_max_pool2d``. Raises as
    ``torch.nn.functional.fractional_max_pool2d``.
    """

    _d = 2


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """Fractional max pooling of (N, C, D, H, W) input, as ``torch.nn.FractionalMaxPool3d``.

    Shapes: as ``torch.nn.functional.fractional_max_pool3d``. Raises as
    ``torch.nn.functional.fractional_max_pool3d``.
    """

    _d = 3
