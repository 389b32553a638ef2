"""More activation modules (torch's constructor signatures, defaults and reprs): thin wrappers
over ``ops/activation2.py``."""

from __future__ import annotations

from ...ops import activation2 as A
from ...tensor import Tensor
from .module import Module


def _inplace_str(inplace: bool, lead: str = ", ") -> str:
    return f"{lead}inplace=True" if inplace else ""


class Threshold(Module):
    """y = x if x > threshold else value

    Shapes: as ``torch.nn.functional.threshold``.
    """

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input: Tensor) -> Tensor:
        return A.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}" + _inplace_str(self.inplace)


class Hardtanh(Module):
    """y = clamp(x, min_val, max_val); ``min_value``/``max_value`` are torch's deprecated names

    Shapes: as ``torch.nn.functional.hardtanh``. Raises as ``torch.nn.functional.hardtanh``.
    """

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False,
                 min_value: float | None = None, max_value: float | None = None) -> None:
        super().__init__()
        if min_value is not None:
            min_val = min_value
        if max_value is not None:
            max_val = max_value
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace
        if self.max_val <= self.min_val:
            raise AssertionError("Hardtanh: max_val must be greater than min_val")

    def forward(self, input: Tensor) -> Tensor:
        return A.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}" + _inplace_str(self.inplace)


class ReLU6(Hardtanh):
    """y = min(max(x, 0), 6)

    Shapes: as ``torch.nn.functional.hardtanh``. Raises as ``torch.nn.functional.hardtanh``.
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return _inplace_str(self.inplace, "")


class _InplaceOnly(Module):
    """An activation whose only argument is ``inplace``."""

    _fn = None

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return type(self)._fn(input, self.inplace)


class Hardsigmoid(_InplaceOnly):
    """y = relu6(x + 3) / 6

    Shapes: as ``torch.nn.functional.hardsigmoid``. Raises as ``torch.nn.functional.hardsigmoid``.
    """

    _fn = staticmethod(A.hardsigmoid)


class Hardswish(_InplaceOnly):
    """y = x·relu6(x + 3) / 6

    Shapes: as ``torch.nn.functional.hardswish``. Raises as ``torch.nn.functional.hardswish``.
    """

    _fn = staticmethod(A.hardswish)


class Mish(_InplaceOnly):
    """y = x·tanh(softplus(x))

    Shapes: as ``torch.nn.functional.mish``. Raises as ``torch.nn.functional.mish``.
    """

    _fn = staticmethod(A.mish)


class SELU(_InplaceOnly):
    """y = scale·elu(x, α), α ≈ 1.6733, scale ≈ 1.0507

    Shapes: as ``torch.nn.functional.selu``. Raises as ``torch.nn.functional.selu``.
    """

    _fn = staticmethod(A.selu)

    def extra_repr(self) -> str:
        return _inplace_str(self.inplace, "")


class CELU(Module):
    """y = max(0, x) + min(0, α(e^{x/α} − 1))

    Shapes: as ``torch.nn.functional.celu``. Raises as ``torch.nn.functional.celu``.
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input: Tensor) -> Tensor:
        return A.celu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + _inplace_str(self.inplace)


class RReLU(Module):
    """Leaky ReLU with a random negative slope from U(lower, upper) in training, the mean in eval

    Shapes: as ``torch.nn.functional.rrelu``. Raises as ``torch.nn.functional.rrelu``.
    """

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
                 inplace: bool = False) -> None:
        super().__init__()
        self.lower, self.upper, self.inplace = lower, upper, inplace

    def forward(self, input: Tensor) -> Tensor:
        return A.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}" + _inplace_str(self.inplace)


class GLU(Module):
    """y = a ⊗ σ(b), a and b the halves of the input along ``dim``

    Shapes: as ``torch.nn.functional.glu``. Raises as ``torch.nn.functional.glu``.
    """

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return A.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class _Shrink(Module):
    _fn = None

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:
        return type(self)._fn(input, self.lambd)

    def extra_repr(self) -> str:
        return str(self.lambd)


class Hardshrink(_Shrink):
    """y = x if |x| > λ else 0

    Shapes: as ``torch.nn.functional.hardshrink``. Raises as ``torch.nn.functional.hardshrink``.
    """

    _fn = staticmethod(A.hardshrink)


class Softshrink(_Shrink):
    """y = x − sign(x)·λ if |x| > λ else 0

    Shapes: as ``torch.nn.functional.softshrink``. Raises as ``torch.nn.functional.softshrink``.
    """

    _fn = staticmethod(A.softshrink)


class Softsign(Module):
    """y = x / (1 + |x|)

    Shapes: as ``torch.nn.functional.softsign``.

    Raises as ``torch.nn.functional.softsign``.
    """

    def forward(self, input: Tensor) -> Tensor:
        return A.softsign(input)


class LogSigmoid(Module):
    """y = log σ(x)

    Shapes: as ``torch.nn.functional.logsigmoid``. Raises as ``torch.nn.functional.logsigmoid``.
    """

    def forward(self, input: Tensor) -> Tensor:
        return A.logsigmoid(input)


class Tanhshrink(Module):
    """y = x − tanh x

    Shapes: as ``torch.nn.functional.tanhshrink``. Raises as ``torch.nn.functional.tanhshrink``.
    """

    def forward(self, input: Tensor) -> Tensor:
        return A.tanhshrink(input)


class Softmin(Module):
    """y = softmax(−x) along ``dim``

    Shapes: as ``torch.nn.functional.softmin``. Raises as ``torch.nn.functional.softmin``.
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return A.softmin(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax2d(Module):
    """softmax over the channels at every location: (N, C, H, W) or (C, H, W), dim −3

    Shapes: as ``torch.nn.functional.softmax``. Raises as ``torch.nn.functional.softmax``.
    """

    def forward(self, input: Tensor) -> Tensor:
        if input.dim() not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.dim()}D "
                             f"instead")
        return A.softmax(input, -3)
