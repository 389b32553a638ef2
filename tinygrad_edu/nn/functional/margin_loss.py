"""Margin and embedding losses: margin_ranking_loss, hinge_embedding_loss, soft_margin_loss,
multilabel_soft_margin_loss, multi_margin_loss, multilabel_margin_loss, cosine_embedding_loss,
triplet_margin_loss and triplet_margin_with_distance_loss (distances: ops/linalg's
pairwise_distance).

Each is composed of differentiable tensor ops in torch's own formula (aten/native/Loss.cpp
and torch/nn/functional.py), so gradients and second derivatives come from the ops it uses;
except multi_margin_loss and multilabel_margin_loss, which are torch's CPU kernels
(ops/margin_loss.py: a nan score drops out, a nan upstream fills the row, torch's summation
order), with the composed formula as their reference. Reductions as in ``loss2``.
"""

from __future__ import annotations

import numpy as np

from ..._args import require_tensor
from ...autograd import is_grad_enabled
from ...backend import to_numpy
from ...dtype import REDUCED_FLOATS, torch_type_name
from ...ops.activation2 import logsigmoid
from ...ops.linalg import pairwise_distance
from ...ops.loss2 import SoftMarginLossFn
from ...ops.margin_loss import MultilabelMarginLossFn, MultiMarginLossFn
from ...ops.select import minimum, where
from ...tensor import Tensor
from .loss import _check_reduction, _float_pair, _legacy_reduction
from .loss2 import _reduce


def _reduction(size_average, reduce, reduction: str) -> str:
    if size_average is not None or reduce is not None:
        return _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    return reduction


def margin_ranking_loss(input1, input2, target, margin: float = 0, size_average=None,
                        reduce=None, reduction: str = "mean") -> Tensor:
    """``F.margin_ranking_loss``: l = max(0, −y·(x₁ − x₂) + margin), y ∈ {1, −1} says which
    input should rank higher. Shapes: all three of one dimensionality, broadcast.
    dtype: as torch's formula, −y·(x₁ − x₂) in the inputs' promoted dtype (integers wrap) plus
    ``margin`` as a float (a double in torch), so integer inputs give float32.
    Raises RuntimeError if the dimensionalities differ. Derivative: −y (x₁), y (x₂) where l > 0."""
    reduction = _reduction(size_average, reduce, reduction)
    if not (input1.dim() == input2.dim() == target.dim()):
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension "
                           f"but got sizes: input1: {input1.shape}, input2: {input2.shape}, "
                           f"target: {target.shape} ")
    loss = (-target * (input1 - input2) + float(margin)).clamp(min=0)
    return _reduce(loss, reduction)


def hinge_embedding_loss(input, target, margin: float = 1.0, size_average=None, reduce=None,
                         reduction: str = "mean") -> Tensor:
    """``F.hinge_embedding_loss``: l = x where y = 1, max(0, margin − x) where y = −1 (x is a
    distance, y says similar/dissimilar). Shapes: broadcast. Derivative: 1, or −1 where l > 0.

    Raises ValueError for an unknown reduction. Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "hinge_embedding_loss")
    reduction = _reduction(size_average, reduce, reduction)
    out_margin = where(target != 1, (margin - input).clamp(min=0), 0.0)
    out_self = where(target != -1, input, 0.0)
    return _reduce(out_margin + out_self, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """``F.soft_margin_loss``: l = log(1 + e^{−y·x}), a two-class logistic loss, y ∈ {1, −1}.
    Shapes: broadcast (RuntimeError if they do not). Derivative: −y·σ(−y·x).

    Raises ValueError for an unknown reduction.
    """
    reduction = _reduction(size_average, reduce, reduction)
    dt = input.dtype if isinstance(input, Tensor) else None
    input, target = _float_pair(input, target, "soft_margin_loss")
    if tuple(input.shape) != tuple(target.shape):
        input, target = input.broadcast_to(_bshape(input, target)), target.broadcast_to(
            _bshape(input, target))
    loss = SoftMarginLossFn.apply(input, target)
    # torch's loss has the input's dtype (a float64 target is read into it)
    return _reduce(loss if dt is None or loss.dtype == dt else loss.to(dt), reduction)


def _bshape(a, b) -> tuple:
    try:
        return tuple(np.broadcast_shapes(tuple(a.shape), tuple(b.shape)))
    except ValueError:
        (a * b)  # raises torch's broadcast RuntimeError, naming the shapes
        raise


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction: str = "mean") -> Tensor:
    """``F.multilabel_soft_margin_loss``: per sample, the mean over the C classes of
    −(y·log σ(x) + (1 − y)·log σ(−x)), each class weighted by ``weight``. Shapes: input and
    target (N, C) or (C); the result (N) with 'none'.

    Raises ValueError for an unknown reduction.
    """
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    loss = loss.sum(dim=class_dim) / input.shape[class_dim]
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    return _reduce(loss, reduction)


def _check_class_input(input, op: str, kernel: str) -> None:
    if input._data.dtype in REDUCED_FLOATS:  # torch has no float16/bfloat16 CPU kernel
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{torch_type_name(input.dtype)}' ({op})")
    s = tuple(input.shape)
    ok = (len(s) <= 1 and input.numel() > 0) or (len(s) == 2 and s[1] != 0)
    if not ok:
        raise RuntimeError(f"{op}: Expected non-empty vector or matrix with optional 0-dim "
                           f"batch size, but got: {list(s)}")


def multi_margin_loss(input, target, p: int = 1, margin: float = 1.0, weight=None,
                      size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """``F.multi_margin_loss``: the multi-class hinge loss. Per sample with class y:
    l = Σ_{i≠y} w_y·max(0, margin − x_y + x_i)ᵖ / C, p ∈ {1, 2}.
    Shapes: input (N, C) or (C) or (); target (N) or () of int64 class indices; weight (C).
    Raises ValueError for p ∉ {1, 2} or a weight that is not 1-D, RuntimeError for an empty
    input, a target of the wrong size or dtype, or a weight of the wrong size.
    Raises TypeError when ``input`` is not a Tensor."""
    require_tensor(input, "multi_margin_loss")
    reduction = _reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    _check_class_input(input, "multi_margin_loss", "multi_margin_loss_cpu_kernel")
    x = input.reshape(1, -1) if input.dim() <= 1 else input
    n, c = x.shape
    if target.dim() > 1 or target.numel() != n:
        raise RuntimeError(f"multi_margin_loss: target tensor should be 1-D with size equal to "
                           f"input batch size. Expected target size [{n}], but got "
                           f"{list(target.shape)}")
    if target._data.dtype != np.int64:
        raise RuntimeError(f"multi_margin_loss: expected scalar type Long but found "
                           f"{_scalar_name(target)}")
    if weight is not None and weight.numel() != c:
        raise RuntimeError(f"multi_margin_loss: inconsistent weight size, expected {c} but got "
                           f"{list(weight.shape)}")
    if weight is not None and weight._data.dtype != input._data.dtype:  # torch: no promotion
        raise RuntimeError(f"expected scalar type {_scalar_name(input)} but found "
                           f"{_scalar_name(weight)} (multi_margin_loss: weight of dtype "
                           f"{weight.dtype}, input of dtype {input.dtype})")
    yv = to_numpy(target._data).reshape(n)
    if ((yv < 0) | (yv >= c)).any():
        raise RuntimeError(f"multi_margin_loss: target out of range (C = {c})")
    w = None
    if weight is not None:
        if weight.requires_grad and is_grad_enabled():
            raise RuntimeError("The function 'multi_margin_loss' is not differentiable with "
                               "respect to argument 'weight'. This input cannot have "
                               "requires_grad True.")
        w = weight._data
    loss = MultiMarginLossFn.apply(x, target._data.reshape(n), w, p, float(margin), reduction)
    if reduction == "none" and input.dim() <= 1:
        loss = loss.reshape(tuple(target.shape))  # torch: a (1) target gives a (1) result
    return loss


def _scalar_name(t) -> str:
    """torch's scalar type name of a tensor's dtype (Float, Double, Int ...)."""
    return {"float32": "Float", "float64": "Double", "int32": "Int", "int16": "Short",
            "int8": "Char", "uint8": "Byte", "bool": "Bool", "float16": "Half"}.get(
        t._data.dtype.name, t._data.dtype.name)


def multilabel_margin_loss(input, target, size_average=None, reduce=None,
                           reduction: str = "mean") -> Tensor:
    """``F.multilabel_margin_loss``: the multi-label hinge loss. Per sample, with the target
    classes T = target[:k] (k = the first −1, or C):
    l = Σ_{j∈T} Σ_{i∉T} max(0, 1 − (x_j − x_i)) / C.
    Shapes: input (N, C) or (C) or (); target of int64 class indices, the input's shape.
    Raises RuntimeError for an empty input or a target of another shape.
    Raises TypeError when ``input`` is not a Tensor."""
    require_tensor(input, "multilabel_margin_loss")
    reduction = _reduction(size_average, reduce, reduction)
    _check_class_input(input, "multilabel_margin_loss",
                       "multilabel_margin_loss_forward_out_frame")
    if tuple(target.shape) != tuple(input.shape):
        raise RuntimeError(f"multilabel_margin_loss: inconsistent target size: "
                           f"{list(target.shape)} for input of size: {list(input.shape)}")
    x = input.reshape(1, -1) if input.dim() <= 1 else input
    n, c = x.shape
    tv = to_numpy(target._data).reshape(n, c).astype(np.int64)
    valid = np.cumprod(tv >= 0, axis=1).astype(bool)  # positions before the first −1
    if (tv[valid] >= c).any():
        raise RuntimeError(f"multilabel_margin_loss: target out of range (C = {c})")
    t = target._data.reshape(n, c).astype(np.int64, copy=False)
    loss = MultilabelMarginLossFn.apply(x, t, reduction)
    if input.dim() <= 1 and reduction == "none":
        loss = loss.reshape(())
    return loss


def cosine_embedding_loss(input1, input2, target, margin: float = 0, size_average=None,
                          reduce=None, reduction: str = "mean") -> Tensor:
    """``F.cosine_embedding_loss``: with c = cos(x₁, x₂), l = 1 − c where y = 1,
    max(0, c − margin) where y = −1. Shapes: x₁, x₂ (N, D) with y (N), or (D) with y ().
    Raises RuntimeError for other shapes. (torch adds 1e-12 to each squared norm.)"""
    reduction = _reduction(size_average, reduce, reduction)
    td = target.dim()
    if td not in (0, 1):
        raise RuntimeError("cosine_embedding_loss: 0D or 1D target tensor expected, "
                           "multi-target not supported")
    want = 2 if td == 1 else 1
    if input1.dim() != want or input2.dim() != want:
        raise RuntimeError(f"cosine_embedding_loss: {td}D target tensor expects {want}D input "
                           f"tensors, but found inputs with sizes {list(input1.shape)} and "
                           f"{list(input2.shape)}.")
    prod = (input1 * input2).sum(dim=td)
    mag1 = (input1 * input1).sum(dim=td) + 1e-12
    mag2 = (input2 * input2).sum(dim=td) + 1e-12
    cos = prod / (mag1 * mag2).sqrt()
    out = where(target == 1, 1 - cos, 0.0) + where(target == -1, (cos - margin).clamp(min=0),
                                                   0.0)
    return _reduce(out, reduction)


def _triplet_dims(anchor, positive, negative) -> None:
    a, p, n = anchor.dim(), positive.dim(), negative.dim()
    if not (a == p == n):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have "
                           f"the same number of dimensions, but got: anchor {a}D, positive "
                           f"{p}D, and negative {n}D inputs")


def triplet_margin_loss(anchor, positive, negative, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, size_average=None, reduce=None,
                        reduction: str = "mean") -> Tensor:
    """``F.triplet_margin_loss``: l = max(0, d(a, p) − d(a, n) + margin), d the p-norm
    pairwise distance (swap: d(a, n) ← min(d(a, n), d(p, n))). Shapes: (N, D) or (D).
    Raises ValueError for margin ≤ 0, RuntimeError for mismatched dimensionalities."""
    reduction = _reduction(size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    _triplet_dims(anchor, positive, negative)
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce((margin + d_pos - d_neg).clamp(min=0), reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin: float = 1.0, swap: bool = False,
                                      reduction: str = "mean") -> Tensor:
    """``F.triplet_margin_with_distance_loss``: triplet_margin_loss with any distance
    function (default: pairwise_distance). Raises as
    ``torch.nn.functional.triplet_margin_loss``."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    _triplet_dims(anchor, positive, negative)
    dist = distance_function if distance_function is not None else pairwise_distance
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        d_neg = minimum(d_neg, dist(positive, negative))
    return _reduce((margin + d_pos - d_neg).clamp(min=0), reduction)
