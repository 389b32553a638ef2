"""Per-element losses that need their own backward for a stable second derivative.

``soft_margin_loss`` composed as log1p(exp(−y·x)) would differentiate twice into
w/(1+w) − w²/(1+w)² (w = e^{−y·x}), which cancels catastrophically in float32; the Function
below states the derivative as a sigmoid, whose own derivative σ(1 − σ) is stable.
"""

from __future__ import annotations

from ..autograd import Function
from ..backend import get_array_module
from ._util import half_opmath_backward, quiet
from .activation import SigmoidFn


class SoftMarginLossFn(Function):
    """l = log(1 + e^{−y·x}) per element (reduced by the caller)"""

    node_name = "SoftMarginLossBackward0"  # torch's name for this node

    array_io = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        with quiet():  # torch's formula: e^{−y·x} may overflow to inf, and so may l
            return get_array_module(x).log1p(get_array_module(x).exp(-x * y))

    @staticmethod
    @half_opmath_backward  # float16: computed in float32 (torch's backward kernel)
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        s = SigmoidFn.call(-x * y)  # e^{−yx} / (1 + e^{−yx}) = σ(−yx)
        gx = -y * s * g if ctx.needs_input_grad[0] else None  # ∂l/∂x = −y·σ(−yx)
        gy = -x * s * g if ctx.needs_input_grad[1] else None  # ∂l/∂y = −x·σ(−yx)
        return gx, gy


# torch.<name> functions this module provides (re-exported by the package root)
__all__: list = []
