"""``F.batch_norm`` and ``F.layer_norm``: argument checks and the running-statistics
bookkeeping; the fused Functions (and their plain twins) live in ``ops/normalization.py``."""

from __future__ import annotations

from ...ops.normalization import BatchNormFn, LayerNormFn
from ...tensor import Tensor


def batch_norm(input: Tensor, running_mean, running_var, weight=None, bias=None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
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
    return BatchNormFn.apply(input, weight, bias, rm, rv, bool(training),
                            float(momentum or 0.0), float(eps))


def layer_norm(input: Tensor, normalized_shape, weight=None, bias=None,
               eps: float = 1e-5) -> Tensor:
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
    return LayerNormFn.apply(input, weight, bias, k, float(eps))
