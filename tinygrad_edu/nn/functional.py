"""``tg.nn.functional`` (F): activations, losses and layer functions in torch's names."""

from __future__ import annotations

import numpy as np

from .._rng import kernels as _rng_kernels
from ..autograd import Function as _Function
from ..backend import get_array_module as _get_array_module
from ..backend import to_device as _to_device
from ..ops.activation import (  # noqa: F401
    elu,
    gelu,
    leaky_relu,
    log_softmax,
    prelu,
    relu,
    sigmoid,
    silu,
    softmax,
    softplus,
    tanh,
)
from ..ops.index import one_hot  # noqa: F401
from ..ops.matmul import linear  # noqa: F401
from ..ops.normalization import BatchNorm as _BatchNorm
from ..ops.normalization import LayerNorm as _LayerNorm
from ..random import engine_of as _rng_engine
from ..tensor import Tensor as _Tensor
from ._losses import (  # noqa: F401
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cosine_similarity,
    cross_entropy,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)


class _Dropout(_Function):
    """y = x·m/(1 − p) with m ~ Bernoulli(1 − p) drawn once in forward"""

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
    seeded run drops the same elements as torch."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    x = input._data
    if not training or p == 0.0 or x.size == 0:
        return input
    if inplace:
        from ..ops.inplace import inplace as _inplace

        return _inplace(input, "dropout_", dropout, p, training)
    if p == 1.0:
        keep, scale = np.zeros(x.shape, dtype=bool), 0.0
    else:
        keep = _rng_kernels.bernoulli_scalar(_rng_engine(), x.shape, np.bool_, 1.0 - p)
        scale = float(x.dtype.type(1) / x.dtype.type(1.0 - p))  # torch: noise.div_(1 - p)
    if _get_array_module(x) is not np:
        keep = _to_device(keep, input.device)
    return _Dropout.apply(input, keep, scale)


def batch_norm(input: _Tensor, running_mean, running_var, weight=None, bias=None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> _Tensor:
    """Normalize per channel (dim 1); see ``ops/normalization.py`` for the backward."""
    x = input._data
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected at least 2D input (got {x.ndim}D input)")
    C = x.shape[1]
    for name, t in (("weight", weight), ("bias", bias), ("running_mean", running_mean),
                    ("running_var", running_var)):
        if t is not None and tuple(t.shape) != (C,):
            raise RuntimeError(f"batch_norm: {name} should contain {C} elements not "
                               f"{t.numel()} (input shape {list(x.shape)})")
    if training and x.size // max(C, 1) <= 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                         f"{input.shape!r}")
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError("batch_norm: running_mean and running_var must be defined in "
                           "evaluation mode")
    rm = running_mean._data if running_mean is not None else None
    rv = running_var._data if running_var is not None else None
    if training:
        if running_mean is not None:
            running_mean._version += 1
        if running_var is not None:
            running_var._version += 1
    return _BatchNorm.apply(input, weight, bias, rm, rv, bool(training),
                            float(momentum or 0.0), float(eps))


def layer_norm(input: _Tensor, normalized_shape, weight=None, bias=None,
               eps: float = 1e-5) -> _Tensor:
    """Normalize over the trailing ``normalized_shape`` dims of each sample."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    shape = tuple(int(s) for s in normalized_shape)
    k = len(shape)
    if input._data.shape[input._data.ndim - k:] != shape or input._data.ndim < k:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(str(s) for s in shape)}], but got input of size"
            f"{list(input.shape)}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(f"layer_norm: {name} has shape {list(t.shape)}, expected "
                               f"{list(shape)}")
    return _LayerNorm.apply(input, weight, bias, k, float(eps))


# conv/pool and embedding functionals live beside their modules (imported last: they need F)
from .conv import avg_pool2d, conv2d, max_pool2d  # noqa: E402, F401
from .embedding import embedding  # noqa: E402, F401
