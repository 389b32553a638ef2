"""Gradient clipping, as ``torch.nn.utils.clip_grad_norm_`` / ``clip_grad_value_``."""

from __future__ import annotations

import numpy as np

from ...autograd import no_grad
from ...backend import get_array_module
from ...dtype import default_float
from ...tensor import Tensor


def _grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


@no_grad()
def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach=None) -> Tensor:
    """Scale all gradients together so their joint ``norm_type``-norm is at most ``max_norm``;
    returns the total norm before clipping.

    As torch: total = ‖(‖g₁‖, ‖g₂‖, …)‖ (each a ``vector_norm``, so float16/bfloat16 gradients
    are normed in float32 and do not overflow at 65504; the stack promotes mixed dtypes), then
    every gradient is multiplied in place by min(max_norm / (total + 1e-6), 1) (in float32 for
    a half gradient, rounded once). Raises RuntimeError for a non-finite total when
    ``error_if_nonfinite``."""
    from ...ops.join import stack
    from ...ops.linalg.norms import vector_norm

    grads = _grads(parameters)
    norm_type = float(norm_type)
    if not grads:
        return Tensor._wrap(get_array_module(0).asarray(0.0, dtype=default_float().np))
    xp = get_array_module(grads[0]._data)
    total = vector_norm(stack([vector_norm(g, norm_type) for g in grads]), norm_type)
    if error_if_nonfinite and not bool(xp.isfinite(total._data)):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the gradients "
            "by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        coef = xp.minimum(max_norm / (total._data + 1e-6), 1.0)
        coef = xp.asarray(coef, dtype=total._data.dtype)
        for g in grads:
            g._data[...] = g._data * coef  # torch's mul_: in the wider type, rounded once
    return total


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated alias of :func:`clip_grad_norm_` (as torch)."""
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


@no_grad()
def clip_grad_value_(parameters, clip_value: float, foreach=None) -> None:
    """Clamp every gradient element into [−clip_value, clip_value] in place."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        xp = get_array_module(g._data)
        xp.clip(g._data, -clip_value, clip_value, out=g._data)
