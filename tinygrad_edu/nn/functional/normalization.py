"""Normalization functionals: batch, instance, layer, group, RMS and local response norm, and
``normalize``. Argument checks and the running-statistics bookkeeping live here; the fused
Functions (and their plain twins) in ``ops/normalization.py``; instance, RMS and local
response norm and ``normalize`` are compositions of ops, as in torch.

Shapes: input (N, C, *S) (batch/instance/group norm; γ, β of shape (C,)) or (*, *normalized_shape)
(layer/RMS norm). dtype: the input's (float32 stays float32).
"""

from __future__ import annotations

import math

import numpy as np

from ..._args import require_tensor
from ...backend import get_array_module
from ...dtype import REDUCED_FLOATS, finfo
from ...ops.im2col import ConstantPadFn
from ...ops.linalg.norms import vector_norm
from ...ops.normalization import BatchNormFn, GroupNormFn, LayerNormFn
from ...ops.pool import AvgPoolFn
from ...tensor import Tensor

__all__ = ["batch_norm", "instance_norm", "layer_norm", "group_norm", "rms_norm",
           "local_response_norm", "normalize"]


def _verify_batch_size(size) -> None:
    if size[0] * math.prod(size[2:]) == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                         f"{size!r}")


def _mixed(input: Tensor, op: str, *params) -> bool:
    """Whether the parameters (weight, bias, running statistics) have another dtype than the
    input, as torch's CPU kernels allow it only for a float16/bfloat16 input with float32
    parameters (computed in float32, returned in the input's dtype). Any other mix raises
    RuntimeError, torch's "mixed dtype (CPU): ..." (``_check_mixed``)."""
    d = input._data.dtype
    for p in params:
        if p is not None and p._data.dtype != d:
            return _check_mixed(input, op, params)
    return False


def _check_mixed(input: Tensor, op: str, params) -> bool:
    given = [p for p in params if p is not None]
    if input._data.dtype in REDUCED_FLOATS and all(p._data.dtype == np.float32 for p in given):
        return True
    dts = ", ".join(str(p.dtype) for p in given)
    if all(p._data.dtype == np.float32 for p in given):  # a float64 input, float32 params
        raise RuntimeError(f"mixed dtype (CPU): all inputs must share same datatype. ({op}: "
                           f"input {input.dtype}, parameters {dts})")
    raise RuntimeError(f"mixed dtype (CPU): expect parameter to have scalar type of Float ({op}: "
                       f"input {input.dtype}, parameters {dts}; only a float16/bfloat16 input "
                       f"takes float32 parameters)")


def _channel_affine(y: Tensor, weight, bias) -> Tensor:
    shape = (1, -1) + (1,) * (y._data.ndim - 2)
    if weight is not None:
        y = y * weight.reshape(shape)
    return y if bias is None else y + bias.reshape(shape)


def batch_norm(input: Tensor, running_mean, running_var, weight=None, bias=None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """y = γ·(x − μ)/√(σ² + ε) + β per channel (dim 1), μ and the biased σ² over every other
    dim (training) or the running statistics (eval). Training updates running_mean/var in place
    with ``momentum`` (running_var with the unbiased σ²). An empty input is returned as is.
    Raises ValueError (one value per channel while training, eps ≤ 0), RuntimeError (shapes).
    Derivative: see ``ops/normalization.py``.

    Shapes: input (N, C, *), running_mean/running_var/weight/bias (C,) → the input's shape.
    dtype: the input's; the others share it, except float32 ones beside a float16/bfloat16
    input (then computed in float32); any other mix raises RuntimeError (mixed dtype).
    """
    if _mixed(input, "batch_norm", running_mean, running_var, weight, bias):  # float32
        return batch_norm(input.float(), running_mean, running_var, weight, bias, training,
                          momentum, eps).to(input.dtype)
    x = input._data
    if training:
        _verify_batch_size(tuple(input.shape))
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    if eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    C = x.shape[1] if x.ndim > 1 else 0
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and t._data.size != C:
            raise RuntimeError(f"{name} should contain {C} elements not {t._data.size} "
                               f"(batch_norm: input of size {list(x.shape)})")
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError("batch_norm: running_mean and running_var must be defined in "
                           "evaluation mode")
    if x.size == 0:  # torch: an empty batch passes through (statistics untouched)
        return _channel_affine(input.clone(), weight, bias) if x.ndim > 1 else input.clone()
    rm = running_mean._data if running_mean is not None else None
    rv = running_var._data if running_var is not None else None
    if training:
        for t in (running_mean, running_var):
            if t is not None:
                t._version += 1
    return BatchNormFn.apply(input, weight, bias, rm, rv, bool(training),
                             float(momentum or 0.0), float(eps))


def instance_norm(input: Tensor, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats: bool = True, momentum: float = 0.1,
                  eps: float = 1e-5) -> Tensor:
    """Batch norm of each (sample, channel) on its own: x viewed as (1, N·C, *S), γ, β and the
    running statistics repeated N times, as torch computes it; the running statistics are then
    averaged over the batch. ``use_input_stats=False`` normalizes with the running statistics.
    Raises ValueError when there is only one spatial element while using input statistics.

    Shapes: input (N, C, *), running_mean/running_var/weight/bias (C,) → the input's shape.
    """
    shape = tuple(input.shape)
    if use_input_stats and math.prod(shape[2:]) == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                         f"{list(shape)}")
    N, C = shape[0], shape[1]
    x = input.reshape(1, N * C, *shape[2:])
    w = weight.repeat(N) if weight is not None else None
    b = bias.repeat(N) if bias is not None else None
    # torch takes running statistics of any float dtype here (updated in their own dtype)
    low = weight is not None and input._data.dtype in REDUCED_FLOATS
    sd = (weight if low else input)._data.dtype
    rm = Tensor._wrap(np.tile(running_mean._data, N).astype(sd, copy=False)) if (
        running_mean is not None) else None
    rv = Tensor._wrap(np.tile(running_var._data, N).astype(sd, copy=False)) if (
        running_var is not None) else None
    y = batch_norm(x, rm, rv, w, b, use_input_stats, momentum, eps)
    if use_input_stats:
        for run, rep in ((running_mean, rm), (running_var, rv)):
            if run is not None:
                run._data[...] = rep._data.reshape(N, C).mean(axis=0).astype(run._data.dtype)
                run._version += 1
    return y.reshape(*shape)


def layer_norm(input: Tensor, normalized_shape, weight=None, bias=None,
               eps: float = 1e-5) -> Tensor:
    """y = γ·(x − μ)/√(σ² + ε) + β with μ, σ² over the trailing ``normalized_shape`` dims of
    each sample (γ, β of that shape). Raises RuntimeError on a shape mismatch.

    Shapes: input (*, normalized_shape), weight/bias of ``normalized_shape`` → the input's shape.
    Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "layer_norm")
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    shape = tuple(int(s) for s in normalized_shape)
    k = len(shape)
    if not k:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., "
                           "containing at least one element, but got normalized_shape = []")
    if input._data.shape[input._data.ndim - k:] != shape or input._data.ndim < k:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(str(s) for s in shape)}], but got input of size"
            f"{list(input.shape)}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but "
                               f"got {name} of shape {list(t.shape)} and normalized_shape = "
                               f"{list(shape)}")
    if _mixed(input, "layer_norm", weight, bias):  # in float32, back to the input's dtype
        return LayerNormFn.apply(input.float(), weight, bias, k, float(eps)).to(input.dtype)
    return LayerNormFn.apply(input, weight, bias, k, float(eps))


def group_norm(input: Tensor, num_groups: int, weight=None, bias=None,
               eps: float = 1e-5) -> Tensor:
    """y = γ[c]·(x − μ)/√(σ² + ε) + β[c] with μ, σ² per sample and group of C/num_groups
    channels (over those channels and all spatial positions). Raises RuntimeError (fewer than
    2 dims, C not divisible by num_groups), ValueError (one value per group).

    Shapes: input (N, C, *), weight/bias (C,) → the input's shape.
    """
    shape = tuple(input.shape)
    if len(shape) < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{len(shape)} (group_norm)")
    N, C = shape[0], shape[1]
    if num_groups <= 0 or C % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {list(shape)} and "
                           f"num_groups={num_groups}")
    _verify_batch_size([N * C // num_groups, num_groups] + list(shape[2:]))
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != (C,):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of "
                               f"channels in input, but got {name} of shape {list(t.shape)} "
                               f"and input of shape {list(shape)} (group_norm)")
    if _mixed(input, "group_norm", weight, bias):  # in float32, back to the input's dtype
        return GroupNormFn.apply(input.float(), weight, bias, int(num_groups),
                                 float(eps)).to(input.dtype)
    return GroupNormFn.apply(input, weight, bias, int(num_groups), float(eps))


def rms_norm(input: Tensor, normalized_shape, weight=None, eps: float | None = None) -> Tensor:
    """y = x / √(mean(x²) + ε) · γ over the trailing ``normalized_shape`` dims (ε defaults to
    the dtype's machine epsilon). Composed of ops as torch composes it, so its derivative is
    the chain rule through them. dtype: the input's; float16/bfloat16 are computed in float32
    (ε then float32's epsilon) and rounded once, as torch's kernel. Raises RuntimeError on
    shape mismatches.

    Shapes: input (*, normalized_shape), weight/bias of ``normalized_shape`` → the input's shape.
    Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "rms_norm")
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    shape = tuple(int(s) for s in normalized_shape)
    if not shape:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., "
                           "containing at least one element, but got normalized_shape = [] "
                           "(rms_norm)")
    if weight is not None and tuple(weight.shape) != shape:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got "
                           f"weight of shape {list(weight.shape)} and normalized_shape = "
                           f"{list(shape)} (rms_norm)")
    k, xs = len(shape), tuple(input.shape)
    if len(xs) < k or xs[len(xs) - k:] != shape:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*{', '.join(map(str, shape))}], but got input of size{list(xs)}")
    low = input._data.dtype in REDUCED_FLOATS  # float16/bfloat16: in float32, eps float32's
    if eps is None:
        eps = float(finfo(np.float32 if low else input._data.dtype).eps)
    dims = tuple(range(len(xs) - k, len(xs)))
    x = input.float() if low else input
    y = x * ((x * x).mean(dim=dims, keepdim=True) + eps).rsqrt()
    if weight is not None:
        y = y * (weight.float() if low else weight)
    # torch's type_as(input): a float64 weight times a float32 input is float32 again
    return y if y._data.dtype == input._data.dtype else y.to(input.dtype)


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """y = x / (k + α/n · Σ_{c' near c} x²)^β, the sum over ``size`` neighbouring channels
    (zero-padded), composed as torch composes it (x², pad, avg_pool over channels). Raises
    ValueError for fewer than 3 dims.

    Shapes: input (N, C, *) → the input's shape.
    """
    dim = input._data.ndim
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {dim} dimensions) "
                         "(local_response_norm)")
    if input._data.size == 0:
        return input
    shape = tuple(input.shape)
    div = (input * input).reshape(shape[0], 1, shape[1], math.prod(shape[2:]))
    pads = (size // 2, (size - 1) // 2, 0, 0)  # along the channels only
    div = ConstantPadFn.apply(div, pads, 0.0)
    out = (shape[1], div._data.shape[3])
    divisor = get_array_module(input._data).full(out, float(size), dtype=input._data.dtype)
    div = AvgPoolFn.apply(div, (size, 1), (1, 1), (0, 0, 0, 0), out, divisor)
    div = (div.reshape(*shape) * alpha + k) ** beta
    return input / div


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out=None) -> Tensor:
    """x / max(‖x‖_p, ε) along ``dim`` (torch's composition: norm, clamp_min, divide), for any
    p: ‖x‖₀ counts the non-zeros (no gradient), a negative p gives (Σ|x|ᵖ)^(1/p).

    Shapes: any; the output has the input's shape. Raises IndexError for ``dim`` out of range.
    """
    denom = vector_norm(input, float(p), dim, keepdim=True)  # torch: input.norm(p, dim, True)
    denom = denom.clamp(min=eps).expand_as(input)
    y = input / denom
    if out is not None:
        out._data[...] = y._data
        return out
    return y
