"""Dropout: y = x·m/(1 − p) with a Bernoulli(1 − p) mask m drawn as torch draws it.
"""

from __future__ import annotations

import numpy as np

from .._rng import kernels as _rng_kernels
from ..autograd import Function
from ..backend import get_array_module as _get_array_module
from ..backend import to_device as _to_device
from ..random import engine_of as _rng_engine
from ..tensor import Tensor as _Tensor
from .inplace import inplace as _inplace


class DropoutFn(Function):
    """y = x·m/(1 − p) with m ~ Bernoulli(1 − p) drawn once in forward"""

    node_name = "MulBackward0"  # torch's name for this node

    array_io = True

    @staticmethod
    def forward(ctx, x, keep, scale):
        ctx.save_for_backward(keep)
        ctx.scale = scale
        return x * (keep * x.dtype.type(scale))

    @staticmethod
    def backward(ctx, g):
        (keep,) = ctx.saved_tensors
        return g * keep * ctx.scale, None, None  # ∂y/∂x = m/(1 − p): the same mask as forward


def dropout(input: _Tensor, p: float = 0.5, training: bool = True,
            inplace: bool = False) -> _Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1/(1 − p).

    The mask is torch's: ``noise = empty_like(x).bernoulli_(1 − p)`` (1 where a float64 uniform
    u < 1 − p), then ``noise / (1 − p)`` in x's dtype, drawn from the host generator, so a
    seeded run drops the same elements as torch.

    Shapes: any (the output has the input's shape and dtype); in eval mode (``training=False``) or
    with p = 0 the input itself. Raises ValueError for p outside [0, 1]. Derivative: the same mask,
    mask/(1 − p)."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    x = input._data
    if not training or p == 0.0 or x.size == 0:
        return input
    if inplace:
        return _inplace(input, "dropout_", dropout, p, training)
    if p == 1.0:
        keep, scale = np.zeros(x.shape, dtype=bool), 0.0
    else:
        keep = _rng_kernels.bernoulli_scalar(_rng_engine(), x.shape, np.bool_, 1.0 - p)
        scale = float(x.dtype.type(1) / x.dtype.type(1.0 - p))  # torch: noise.div_(1 - p)
    if _get_array_module(x) is not np:
        keep = _to_device(keep, input.device)
    return DropoutFn.apply(input, keep, scale)
