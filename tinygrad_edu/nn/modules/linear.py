"""``nn.Identity``, ``nn.Linear`` (y = x Wᵀ + b) and ``nn.Bilinear`` (y = x1ᵀ W x2 + b), with
torch's default inits."""

from __future__ import annotations

import math

from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter, uninitialized
from .module import Module


class Identity(Module):
    """y = x (arguments are accepted and ignored, as torch).

    Shapes: any; the output is the input.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Linear(Module):
    """y = x Wᵀ + b with W of shape (out_features, in_features), as ``torch.nn.Linear``.

    Shapes: as ``torch.nn.functional.linear``. Raises as ``torch.nn.functional.linear``.
    """

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


class NonDynamicallyQuantizableLinear(Linear):
    """A plain Linear under torch's name for MultiheadAttention's out_proj (torch keeps the
    class apart only for its quantization tooling)."""


class Bilinear(Module):
    """yₒ = Σᵢⱼ x1ᵢ Wₒᵢⱼ x2ⱼ + bₒ with W of shape (out_features, in1_features, in2_features),
    as ``torch.nn.Bilinear``; input1 (..., in1), input2 (..., in2) -> (..., out). Init (torch's):
    W, b ~ U(±1/√in1_features).

    Shapes: as ``torch.nn.functional.bilinear``. Raises as ``torch.nn.functional.bilinear``.
    """

    def __init__(self, in1_features: int, in2_features: int, out_features: int, bias: bool = True,
                 device=None, dtype=None) -> None:
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        self.weight = Parameter(uninitialized((out_features, in1_features, in2_features), device,
                                              dtype))
        if bias:
            self.bias = Parameter(uninitialized((out_features,), device, dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
