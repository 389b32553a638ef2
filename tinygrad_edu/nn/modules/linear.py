"""``nn.Identity`` and ``nn.Linear`` (y = x Wᵀ + b, torch's default init)."""

from __future__ import annotations

from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter, uninitialized
from .module import Module


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
        self.weight = Parameter(uninitialized((out_features, in_features), device, dtype))
        if bias:
            self.bias = Parameter(uninitialized((out_features,), device, dtype))
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
