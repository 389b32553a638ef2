"""``nn.Flatten`` and ``nn.Unflatten``."""

from __future__ import annotations

from ...ops.shape import flatten as _flatten
from ...ops.shape import unflatten as _unflatten
from ...tensor import Tensor
from .module import Module


class Flatten(Module):
    """Flatten dims ``start_dim`` … ``end_dim`` into one.

    Shapes: (d₀, ..., dₙ) → the dims start_dim..end_dim merged into their product. Raises IndexError
    for dims out of range.
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        return _flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dim ``dim`` into ``unflattened_size``.

    Shapes: (..., d, ...) at ``dim`` → (..., *unflattened_size, ...) with Π unflattened_size = d.
    Raises RuntimeError for sizes whose product is not the dim's size.
    """

    def __init__(self, dim: int, unflattened_size) -> None:
        super().__init__()
        self.dim = dim
        self.unflattened_size = unflattened_size

    def forward(self, input: Tensor) -> Tensor:
        return _unflatten(input, self.dim, tuple(self.unflattened_size))

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
