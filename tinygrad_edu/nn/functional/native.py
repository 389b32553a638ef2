"""The aten-level forms of the normalizations (``torch.native_layer_norm``, ...): the same
output as the nn.functional function, plus the statistics the forward saves for its backward.

They show what a normalization layer keeps between forward and backward: the mean μ and the
reciprocal standard deviation rstd = 1/√(σ² + ε) (``invstd`` for batch norm), σ² the biased
variance. Each output is built from the functional (whose backward is the lesson, in
normalization.py) and the statistics from plain ops, so every derivative is autograd's.
"""

from __future__ import annotations

from ...autograd import no_grad
from ...tensor import Tensor
from .normalization import batch_norm, group_norm, layer_norm


def _stats(x: Tensor, dims: tuple, eps: float) -> tuple:
    """(μ, 1/√(σ² + ε)) over ``dims`` (kept as size 1), σ² the biased variance."""
    mean = x.mean(dims, keepdim=True)
    var = ((x - mean) ** 2).mean(dims, keepdim=True)
    return mean, (var + eps).rsqrt()


def native_layer_norm(input: Tensor, normalized_shape, weight, bias, eps: float) -> tuple:
    """``torch.native_layer_norm``: (y, μ, rstd) with y = F.layer_norm(input, normalized_shape,
    weight, bias, eps) and μ, rstd = 1/√(σ² + ε) per sample over the trailing
    ``normalized_shape`` dims.

    Shapes: input (*, *normalized_shape) -> y of the same shape; μ and rstd of shape
    (*, 1, ..., 1) (one 1 per normalized dim). μ and rstd carry no gradient (torch 2.13: they
    are not differentiable outputs). Raises RuntimeError for an empty normalized_shape, or a
    weight, bias or input whose shape does not end in it (F.layer_norm's checks)."""
    y = layer_norm(input, list(normalized_shape), weight, bias, eps)
    k = len(tuple(normalized_shape))
    with no_grad():
        mean, rstd = _stats(input, tuple(range(input.dim() - k, input.dim())), eps)
    return y, mean, rstd


def native_group_norm(input: Tensor, weight, bias, N: int, C: int, HxW: int, group: int,
                      eps: float) -> tuple:
    """``torch.native_group_norm``: (y, μ, rstd) with y = F.group_norm(input, group, weight,
    bias, eps) and μ, rstd = 1/√(σ² + ε) per sample and group.

    Shapes: input (N, C, *) with ∏* = HxW -> y (N, C, *); μ and rstd (N, group). All three
    outputs are differentiable (torch: infinitely_differentiable_native_group_norm_backward),
    here by autograd through the plain ops. Raises RuntimeError when C is not divisible by
    group or N, C, HxW disagree with the input's shape."""
    if input.numel() != N * C * HxW or (input.dim() >= 2 and input.shape[1] != C):
        raise RuntimeError(f"native_group_norm: expected input of N={N}, C={C}, HxW={HxW} "
                           f"elements, got shape {list(input.shape)}")
    y = group_norm(input, group, weight, bias, eps)
    mean, rstd = _stats(input.reshape(N, group, (C // group) * HxW), (2,), eps)
    return y, mean.reshape(N, group), rstd.reshape(N, group)


def native_batch_norm(input: Tensor, weight, bias, running_mean, running_var, training: bool,
                      momentum: float, eps: float) -> tuple:
    """``torch.native_batch_norm``: (y, save_mean, save_invstd) with y = F.batch_norm(input,
    running_mean, running_var, weight, bias, training, momentum, eps) (which updates the
    running statistics in place in training).

    Shapes: input (N, C, *) -> y (N, C, *); in training save_mean and save_invstd are (C,): μ
    and 1/√(σ² + ε) over every dim but 1; in eval both are empty (0,), as torch's CPU kernel
    returns. They carry no gradient. Raises RuntimeError in eval without running statistics
    (torch's CPU kernel crashes there)."""
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError("native_batch_norm: running_mean and running_var must be defined "
                           "in evaluation mode")
    y = batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)
    if not training:
        empty = input.new_empty((0,))
        return y, empty, empty.clone()
    with no_grad():
        dims = (0,) + tuple(range(2, input.dim()))
        mean, invstd = _stats(input, dims, eps)
    return y, mean.reshape(-1), invstd.reshape(-1)


def _native_batch_norm_legit(input: Tensor, weight, bias, *args) -> tuple:
    """``torch._native_batch_norm_legit``, native_batch_norm's functional twin, with torch's
    two overloads: ``(input, weight, bias, running_mean, running_var, training, momentum,
    eps)`` (the same outputs and running-statistics update as :func:`native_batch_norm`) and
    ``(input, weight, bias, training, momentum, eps)`` (no running statistics: batch
    statistics always). Raises TypeError for any other number of arguments."""
    if len(args) == 3:
        running_mean = running_var = None
        training, momentum, eps = args
    elif len(args) == 5:
        running_mean, running_var, training, momentum, eps = args
    else:
        raise TypeError(f"_native_batch_norm_legit() takes 6 or 8 positional arguments but "
                        f"{3 + len(args)} were given")
    return native_batch_norm(input, weight, bias, running_mean, running_var, training,
                             momentum, eps)


def _softmax_backward_data(grad_output: Tensor, output: Tensor, dim: int, input_dtype) -> Tensor:
    """``torch._softmax_backward_data``: softmax's vector-Jacobian product written as a
    function, ∂L/∂x = y ⊙ (g − Σ_dim g ⊙ y) with y = softmax(x) (``output``) and g the upstream
    gradient. Shapes: g and y of one shape (any); the result has it, in ``input_dtype``.
    Differentiable in g and y (its own backward is autograd's)."""
    gy = grad_output * output
    out = output * (grad_output - gy.sum(dim, keepdim=True))
    return out.to(input_dtype)


def native_dropout_backward(grad_output: Tensor, mask: Tensor, scale: float) -> Tensor:
    """``torch.native_dropout_backward``: dropout's backward as a function, g ⊙ mask · scale
    (scale = 1/(1 − p) for the forward's p). Shapes: g and the bool mask of one shape (any);
    the result has g's shape and dtype. Raises RuntimeError when the shapes do not
    broadcast."""
    return grad_output * (mask.to(grad_output.dtype) * scale)


__all__ = ["native_layer_norm", "native_group_norm", "native_batch_norm",
           "_native_batch_norm_legit", "_softmax_backward_data", "native_dropout_backward"]
