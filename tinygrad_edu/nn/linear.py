"""Linear, Identity, Flatten, Unflatten."""

from __future__ import annotations

import numpy as np

from ..backend import asarray
from ..dtype import float32 as _float32
from ..dtype import to_dtype as _to_dtype
from ..ops.shape import flatten as _flatten
from ..ops.shape import unflatten as _unflatten
from ..tensor import Tensor, _device
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter


def _empty(shape, device=None, dtype=None) -> Tensor:
    """An uninitialized (zero-filled) tensor for a new parameter, on ``device`` in ``dtype``."""
    d = _to_dtype(dtype) if dtype is not None else _float32
    dev = _device(device) if device is not None else _device("cpu")
    return Tensor._wrap(asarray(np.zeros(shape, dtype=d.np), dev=dev))


class Identity(Module):
    """y = x (arguments are accepted and ignored, as torch)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Linear(Module):
    """y = x Wᵀ + b with W of shape (out_features, in_features), as ``torch.nn.Linear``."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(_empty((out_features, in_features), device, dtype))
        if bias:
            self.bias = Parameter(_empty((out_features,), device, dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.default_layer_init_(self.weight, self.bias)  # torch: W, b ~ U(±1/√in_features)

    def forward(self, input: Tensor) -> Tensor:
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Flatten(Module):
    """Flatten dims ``start_dim`` … ``end_dim`` into one."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        return _flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dim ``dim`` into ``unflattened_size``."""

    def __init__(self, dim: int, unflattened_size) -> None:
        super().__init__()
        self.dim = dim
        self.unflattened_size = unflattened_size

    def forward(self, input: Tensor) -> Tensor:
        return _unflatten(input, self.dim, tuple(self.unflattened_size))

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
