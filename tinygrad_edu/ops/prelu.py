"""``F.prelu`` / ``torch.prelu``: the leaky ReLU whose negative slope is learned, with its
hand-derived backward (the slope's gradient sums over every dim but the channel dim)."""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..backend import get_array_module
from ..dtype import torch_type_name
from ._dual import xp_of
from ._mask_grad import depends_on
from ._util import _float_only, require_tensor


class PreluFn(Function):
    """y = x if x > 0 else a·x, with a learnable (one a, or one per channel = dim 1)"""

    node_name = "PreluKernelBackward0"  # torch's name for this node

    array_io = True

    @staticmethod
    def forward(ctx, x, a):
        xp = get_array_module(x)
        ctx.save_for_backward(x, a)
        ctx.a_shape, ctx.ab_shape = a.shape, _prelu_shape(x, a)
        return xp.where(x > 0, x, a.reshape(ctx.ab_shape) * x)

    @staticmethod
    def backward(ctx, g):
        x, a = ctx.saved_tensors
        xp = xp_of(g)
        ab = xp.reshape(a, ctx.ab_shape)
        pos = x > 0
        gx = xp.where(pos, g, ab * g)  # ∂y/∂x = 1 if x > 0 else a  (a at 0: torch)
        if type(gx) is not np.ndarray:  # create_graph: x's second derivative is 0 (_mask_grad)
            gx = depends_on(ctx, gx)
        ga = None
        if ctx.needs_input_grad[1]:
            # ∂y/∂a = x where x ≤ 0; summed over every dim but the channel dim 1
            contrib = xp.where(pos, 0, x * g)
            if int(np.prod(ctx.a_shape)) == 1:
                ga = xp.reshape(xp.sum(contrib), ctx.a_shape)
            else:
                axes = (0,) + tuple(range(2, x.ndim))
                ga = xp.reshape(xp.sum(contrib, axis=axes), ctx.a_shape)
        return gx, ga


def _prelu_shape(x, a) -> tuple:
    """The shape a takes to broadcast over x: one value per channel (dim 1), or one shared."""
    if a.size == 1:  # one shared a (also for a 0-d input: the result stays 0-d)
        return (1,) * x.ndim
    return (1, -1) + (1,) * (x.ndim - 2) if x.ndim >= 2 else a.shape


def prelu(input, weight):
    """``F.prelu``: y = x if x > 0 else a·x, a learned: ``weight`` of shape (1,) or (C,) for an
    input (N, C, *) (channel dim 1). Raises NotImplementedError for an integer input,
    RuntimeError for a weight that is not 0-d/1-d or whose size is not 1 or C.
    Derivatives: ∂y/∂x = 1 if x > 0 else a; ∂y/∂a = x where x ≤ 0 (summed over all but dim 1).

    Shapes: input (N, C, *) or any shape for a one-element weight; weight (1,) or (C,); the output
    has the input's shape.
    """
    _float_only(input, "prelu")
    require_tensor(weight, "prelu", "weight", 2)
    if weight._data.dtype != input._data.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got "
                           f"{torch_type_name(input.dtype)} and {torch_type_name(weight.dtype)}")
    if input._data.ndim == 0 and weight._data.size != 1:
        raise RuntimeError("prelu: Not allow zero-dim input tensor.")
    if weight._data.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
                           f"ndim = {weight._data.ndim}")
    if weight._data.size != 1:
        ch = input._data.shape[1] if input._data.ndim >= 2 else 1
        if weight._data.size != ch:
            raise RuntimeError(
                f"prelu: Mismatch of parameter numbers and input channel size. Found parameter "
                f"numbers = {weight._data.size} and channel size = {ch}."
            )
    return PreluFn.apply(input, weight)
