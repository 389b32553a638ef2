"""The padding layers, modules around ``F.pad`` as ``torch.nn`` lays them out: ConstantPad /
ZeroPad, ReflectionPad, ReplicationPad and CircularPad in 1, 2 and 3 dimensions.

``padding`` is an int (the same on every side) or a tuple (left, right[, top, bottom[, front,
back]]), last axis first, as ``F.pad`` reads it. 1d pads (C, W) or (N, C, W); 2d (C, H, W) or
(N, C, H, W); 3d (C, D, H, W) or (N, C, D, H, W) (the constant modes pad any rank)."""

from __future__ import annotations

from ...tensor import Tensor
from .. import functional as F
from .module import Module

__all__ = ["ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "ZeroPad1d", "ZeroPad2d",
           "ZeroPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
           "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d",
           "CircularPad2d", "CircularPad3d"]


def _ntuple(padding, n: int) -> tuple:
    """torch's ``_ntuple``: an int repeated n times, any iterable as a tuple."""
    return tuple(padding) if hasattr(padding, "__iter__") else (padding,) * n


class _ConstantPadNd(Module):
    """y = F.pad(x, padding, 'constant', value).

    Shapes: as ``torch.nn.functional.pad``. Raises as ``torch.nn.functional.pad``.
    """

    dims = 1

    def __init__(self, padding, value: float) -> None:
        super().__init__()
        self.padding = _ntuple(padding, 2 * self.dims)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class _ZeroPadNd(_ConstantPadNd):
    """y = F.pad(x, padding) (zeros).

    Shapes: as ``torch.nn.functional.pad``. Raises as ``torch.nn.functional.pad``.
    """

    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ModePadNd(Module):
    """y = F.pad(x, padding, mode); CircularPad also checks the rank first (ValueError).

    Shapes: as ``torch.nn.functional.pad``. Raises as ``torch.nn.functional.pad``.
    """

    dims, mode = 1, "reflect"

    def __init__(self, padding) -> None:
        super().__init__()
        self.padding = _ntuple(padding, 2 * self.dims)

    def forward(self, input: Tensor) -> Tensor:
        if self.mode == "circular" and input.dim() not in (self.dims + 1, self.dims + 2):
            raise ValueError(f"expected {self.dims + 1}D or {self.dims + 2}D input (got "
                             f"{input.dim()}D input)")
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


def _layer(base, name: str, dims: int, mode: str | None = None):
    attrs = {"dims": dims, "__module__": __name__,
             "__doc__": f"``torch.nn.{name}`` (the last {dims} ax{'i' if dims == 1 else 'e'}s): "
                        + base.__doc__}
    if mode is not None:
        attrs["mode"] = mode
    return type(name, (base,), attrs)


ConstantPad1d, ConstantPad2d, ConstantPad3d = (
    _layer(_ConstantPadNd, f"ConstantPad{d}d", d) for d in (1, 2, 3))
ZeroPad1d, ZeroPad2d, ZeroPad3d = (_layer(_ZeroPadNd, f"ZeroPad{d}d", d) for d in (1, 2, 3))
ReflectionPad1d, ReflectionPad2d, ReflectionPad3d = (
    _layer(_ModePadNd, f"ReflectionPad{d}d", d, "reflect") for d in (1, 2, 3))
ReplicationPad1d, ReplicationPad2d, ReplicationPad3d = (
    _layer(_ModePadNd, f"ReplicationPad{d}d", d, "replicate") for d in (1, 2, 3))
CircularPad1d, CircularPad2d, CircularPad3d = (
    _layer(_ModePadNd, f"CircularPad{d}d", d, "circular") for d in (1, 2, 3))
