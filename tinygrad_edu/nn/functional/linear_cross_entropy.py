"""``F.linear_cross_entropy``: ``cross_entropy(linear(input, linear_weight, linear_bias),
target, ...)`` in one call, with torch's argument checks; ``options`` (a
:class:`~tinygrad_edu.nn.LinearCrossEntropyOptions`) asks for the chunked computation of
``ops/linear_cross_entropy.py``.
"""

from __future__ import annotations

import math
import warnings

from ...ops.linear_cross_entropy import LinearCrossEntropyChunkedFn
from ...ops.matmul import linear
from ...tensor import Tensor
from .loss import cross_entropy

__all__ = ["linear_cross_entropy"]


def linear_cross_entropy(input: Tensor, linear_weight: Tensor, target: Tensor, *,
                         linear_bias: Tensor | None = None, weight: Tensor | None = None,
                         reduction: str = "mean", ignore_index: int | None = None,
                         label_smoothing: float = 0.0, options=None) -> Tensor:
    """Cross entropy of the logits ``input @ linear_weightᵀ + linear_bias`` against ``target``.

    Shapes: input (in_features,) or (N, in_features); linear_weight (C, in_features), or
    (C, d_1, …, d_K, in_features) for a K-dimensional loss (batched input only), the logits
    then (N, C, d_1, …, d_K); linear_bias (C, d_1, …, d_K); target class indices (N[, d…])
    int64 or probabilities of the logits' shape; weight (C,). Output: () for 'mean'/'sum', the
    target's batch shape for 'none'.

    loss_i = w[t_i]·(logsumexp_j z_ij − z_{i,t_i}) with z the logits (label smoothing and
    probability targets as ``F.cross_entropy``); 'mean' divides by Σ w[t_i]. ``ignore_index``
    None means −100 for class indices (and may not be given with probabilities). With
    ``options`` (class indices, no label smoothing, K = 0) the loss and its gradient are
    computed ``options.batch_chunk_size`` rows at a time: ∂L/∂x = dz W, ∂L/∂W = dzᵀ x with
    dz = w[t]·(softmax(z) − onehot(t)); otherwise ``options`` is ignored with a warning.

    dtype: the inputs' floating dtype. Raises RuntimeError for an input that is not 1-D/2-D,
    a linear_weight under 2-D, mismatched in_features or bias shape, ignore_index with
    probability targets, or a K-dimensional weight with unbatched input."""
    if input.dim() < 1 or input.dim() > 2:
        raise RuntimeError(f"expected input with dimensionality 1 or 2, got {input.dim()}")
    if linear_weight.dim() < 2:
        raise RuntimeError(f"expected linear_weight with dimensionality at least 2, got "
                           f"{linear_weight.dim()}")
    batches, in_features = tuple(input.shape[:-1]), input.shape[-1]
    if in_features != linear_weight.shape[-1]:
        raise RuntimeError(f"expected equal input and linear_weight last dimensions "
                           f"(in_features), got {input.shape[-1]} and "
                           f"{linear_weight.shape[-1]}, respectively")
    num_classes, out_features = linear_weight.shape[0], tuple(linear_weight.shape[1:-1])
    if linear_bias is not None and tuple(linear_bias.shape) != (num_classes, *out_features):
        raise RuntimeError(f"expected linear_bias shape {(num_classes, *out_features)}, got "
                           f"{tuple(linear_bias.shape)}")
    if out_features and not batches:
        raise RuntimeError(f"K-dimensional loss defined by linear_weight shape "
                           f"{tuple(linear_weight.shape)} requires batched input, (N, "
                           f"{in_features}), got unbatched input with shape "
                           f"{tuple(input.shape)}")
    logits_shape = (*batches, num_classes, *out_features)
    probabilities = tuple(target.shape) == logits_shape
    if probabilities and ignore_index is not None:
        raise RuntimeError("ignore_index cannot be specified when target contains "
                           "probabilities")
    ignore_index = ignore_index if ignore_index is not None else -100
    chunkable = (reduction in ("mean", "sum", "none") and label_smoothing == 0.0
                 and str(target.dtype) == "torch.int64" and not out_features)
    if options is not None and not chunkable:
        warnings.warn(
            "linear_cross_entropy: ``options`` ignored; chunked path needs reduction in "
            "{'mean','sum','none'}, label_smoothing == 0, target.dtype == int64, out_features "
            f"== (). Got reduction={reduction!r}, label_smoothing={label_smoothing}, "
            f"target.dtype={target.dtype}, out_features={out_features}, tracing=False, "
            f"linear_bias.shape="
            f"{tuple(linear_bias.shape) if linear_bias is not None else None}.", stacklevel=2)
    if options is not None and chunkable:
        x, t = (input, target) if batches else (input.unsqueeze(0), target.unsqueeze(0))
        n = x.shape[0]
        chunk = getattr(options, "batch_chunk_size", None) or max(n, 1)
        _check_targets(t, num_classes, ignore_index)
        out = LinearCrossEntropyChunkedFn.apply(x, linear_weight, linear_bias, t, weight,
                                                reduction, ignore_index, chunk)
        return out if batches or reduction != "none" else out.squeeze(0)
    if out_features:
        linear_weight = linear_weight.reshape((math.prod(out_features, start=num_classes),
                                               in_features))
        if linear_bias is not None:
            linear_bias = linear_bias.reshape(math.prod(out_features, start=num_classes))
    logits = linear(input, linear_weight, linear_bias).reshape(logits_shape)
    return cross_entropy(logits, target, weight=weight, reduction=reduction,
                         ignore_index=ignore_index, label_smoothing=label_smoothing)


def _check_targets(t, num_classes: int, ignore_index: int) -> None:
    """torch (nll_loss): a class index outside [0, C) that is not ignore_index raises."""
    a = t._data
    bad = (a != ignore_index) & ((a < 0) | (a >= num_classes))
    if bad.any():
        raise IndexError(f"Target {int(a[bad].reshape(-1)[0])} is out of bounds.")
