"""Activation modules: thin wrappers over the fused Functions in ``ops/activation.py``."""

from __future__ import annotations

from ...ops import activation as A
from ...tensor import Tensor
from ..parameter import Parameter
from ..parameter import uninitialized as _empty
from .module import Module


class ReLU(Module):
    """y = max(x, 0)

    Shapes: as ``torch.nn.functional.relu``. Raises as ``torch.nn.functional.relu``.
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return A.relu(input, self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """y = x if x > 0 else negative_slope·x

    Shapes: as ``torch.nn.functional.leaky_relu``. Raises as ``torch.nn.functional.leaky_relu``.
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return A.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class PReLU(Module):
    """y = x if x > 0 else a·x with a learnable ``a`` (one, or one per channel), init 0.25.

    Shapes: as ``torch.nn.functional.prelu``. Raises as ``torch.nn.functional.prelu``.
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None,
                 dtype=None) -> None:
        super().__init__()
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(_empty((num_parameters,), device, dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        self.weight._data[...] = self.init

    def forward(self, input: Tensor) -> Tensor:
        return A.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class Sigmoid(Module):
    """y = 1 / (1 + e^{−x})

    Shapes: as ``torch.nn.functional.sigmoid``.
    """

    def forward(self, input: Tensor) -> Tensor:
        return A.sigmoid(input)


class Tanh(Module):
    """``nn.Tanh``: y = tanh x, elementwise (input and output: any shape, the same). Integer
    inputs give the default dtype (see ``torch.tanh``).

    Shapes: as ``torch.nn.functional.tanh``.
    """

    def forward(self, input: Tensor) -> Tensor:
        return A.tanh(input)


class SiLU(Module):
    """``nn.SiLU``: y = x·σ(x) (swish), elementwise (input and output: any shape, the same);
    ``inplace=True`` writes into the input. Raises NotImplementedError for an integer input.

    Shapes: as ``torch.nn.functional.silu``.
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return A.silu(input, self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Softmax(Module):
    """y = softmax(x) along ``dim``

    Shapes: as ``torch.nn.functional.softmax``. Raises as ``torch.nn.functional.softmax``.
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return A.softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """y = log softmax(x) along ``dim``

    Shapes: as ``torch.nn.functional.log_softmax``. Raises as ``torch.nn.functional.log_softmax``.
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return A.log_softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class ELU(Module):
    """y = x if x > 0 else α(eˣ − 1)

    Shapes: as ``torch.nn.functional.elu``. Raises as ``torch.nn.functional.elu``.
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return A.elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class GELU(Module):
    """y = x·Φ(x) (or its tanh approximation)

    Shapes: as ``torch.nn.functional.gelu``. Raises as ``torch.nn.functional.gelu``.
    """

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return A.gelu(input, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    """y = (1/β) log(1 + e^{βx}), linear above ``threshold``

    Shapes: as ``torch.nn.functional.softplus``. Raises as ``torch.nn.functional.softplus``.
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input: Tensor) -> Tensor:
        return A.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"
