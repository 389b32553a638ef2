"""Dropout: y = x·m/(1 − p) with a Bernoulli(1 − p) mask m drawn as torch draws it.
"""

from __future__ import annotations

import numpy as np

from .._args import no_float_cast, not_tensor
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
    node_inputs = (0, 1)  # torch: x * mask, the mask a constant

    @staticmethod
    def forward(ctx, x, keep, scale):
        ctx.save_for_backward(keep)
        ctx.scale = scale
        return x * (keep * x.dtype.type(scale))

    @staticmethod
    def backward(ctx, g):
        (keep,) = ctx.saved_tensors
        return g * keep * ctx.scale, None, None  # ∂y/∂x = m/(1 − p): the same mask as forward


def memory_order(strides, shape) -> list:
    """x's dims from outermost to innermost in memory: torch's ``infer_dense_strides``, the
    layout ``empty_like(x)`` gives the noise (an insertion sort by stride, a larger size first
    among equal strides, 0 strides left in place)."""
    nd = len(shape)
    perm = list(range(nd - 1, -1, -1))  # innermost first

    def should_swap(d0, d1):
        s0, s1 = strides[d0], strides[d1]
        if s0 == 0 or s1 == 0:
            return 0
        if s0 != s1:
            return -1 if s0 < s1 else 1
        return 1 if shape[d0] > shape[d1] else 0

    for i in range(1, nd):
        d1 = i
        for d0 in range(i - 1, -1, -1):
            c = should_swap(perm[d0], perm[d1])
            if c > 0:
                perm[d0], perm[d1] = perm[d1], perm[d0]
                d1 = d0
            elif c < 0:
                break
    return perm[::-1]


def draw_like(x, draw):
    """``draw(shape)`` filled as torch fills ``empty_like(x).bernoulli_()``: in x's memory order
    (a transposed x gets its numbers along its storage, not along its logical C order)."""
    if x.ndim < 2 or x.flags.c_contiguous:
        return draw(x.shape)
    order = memory_order([abs(s) for s in x.strides], x.shape)
    drawn = draw(tuple(x.shape[d] for d in order))
    return drawn.transpose(np.argsort(order))


def dropout(input: _Tensor, p: float = 0.5, training: bool = True,
            inplace: bool = False) -> _Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1/(1 − p).

    The mask is torch's: ``noise = empty_like(x).bernoulli_(1 − p)`` (1 where a float64 uniform
    u < 1 − p), then ``noise / (1 − p)`` in x's dtype, drawn from the host generator in x's
    memory order, so a seeded run drops the same elements as torch, for a transposed x too.

    Shapes: any (the output has the input's shape and dtype); in eval mode (``training=False``) or
    with p = 0 the input itself. Raises ValueError for p outside [0, 1], RuntimeError for a
    non-floating input with 0 < p < 1 (its scaled mask is float). Derivative: the same mask,
    mask/(1 − p). Raises TypeError when ``input`` is not a Tensor."""
    if not isinstance(input, _Tensor):
        raise not_tensor("dropout", input)
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    x = input._data
    if not training or p == 0.0 or x.size == 0:
        return input
    if p < 1.0:
        no_float_cast(input, "dropout")
    if inplace:
        return _inplace(input, "dropout_", dropout, p, training)
    if p == 1.0:
        keep, scale = np.zeros(x.shape, dtype=bool), 0.0
    else:
        keep = draw_like(x, lambda shape: _rng_kernels.bernoulli_scalar(
            _rng_engine(), shape, np.bool_, 1.0 - p))
        # torch: noise.div_(1 - p), computed in the opmath type (float32 for float16)
        op = np.float64 if x.dtype == np.float64 else np.float32
        scale = float(x.dtype.type(op(1) / op(1.0 - p)))
    if _get_array_module(x) is not np:
        keep = _to_device(keep, input.device)
    return DropoutFn.apply(input, keep, scale)
