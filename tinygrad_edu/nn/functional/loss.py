"""The functional losses (``F.mse_loss`` ...): argument checks in torch's words, then one fused
Function from ``ops/loss.py`` each."""

from __future__ import annotations

import warnings

import numpy as np

from ..._args import type_of
from ...autograd import is_grad_enabled
from ...backend import get_array_module
from ...dtype import kind_of, promote_types
from ...ops import cross_entropy as CE
from ...ops import distance as D
from ...ops import loss as L
from ...ops._util import as_tensor_like, named
from ...ops.promotion import cast, type_name
from ...ops.reduce import sum as _sum
from ...ops.shape import squeeze as _squeeze
from ...ops.shape import unsqueeze as _unsqueeze
from ...tensor import Tensor


def _legacy_reduction(size_average, reduce, reduction: str) -> str:
    """torch's ``_Reduction.legacy_get_string``: the deprecated size_average/reduce flags."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def _check_reduction(reduction: str) -> None:
    if reduction not in L._REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _float_pair(input, target, op: str):
    """Tensors of one floating dtype (torch promotes, e.g. a float64 target with float32 input)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type_of(input)}")
    target = as_tensor_like(target, input)
    if kind_of(input._data.dtype) != "f":
        raise RuntimeError(f"{op}: expected a floating point input, got {input.dtype}")
    if target._data.dtype != input._data.dtype:
        if kind_of(target._data.dtype) == "f":  # float16 with bfloat16: float32, as torch
            input = cast(input, promote_types(input.dtype, target.dtype))
        target = cast(target, input.dtype)
    return input, target


def _same_dtype(input, target, op: str) -> None:
    """torch's binary_cross_entropy takes no other target dtype (no promotion): RuntimeError."""
    if isinstance(target, Tensor) and isinstance(input, Tensor) and (
            target._data.dtype != input._data.dtype):
        raise RuntimeError(f"Found dtype {type_name(target)} but expected {type_name(input)} "
                           f"({op}: target of dtype {target.dtype}, input of dtype {input.dtype})")


def _broadcast_check(input, target, op: str):
    si, st = input._data.shape, target._data.shape
    if si != st:
        warnings.warn(
            f"Using a target size ({target.shape!r}) that is different to the input size "
            f"({input.shape!r}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            stacklevel=3,
        )
        try:
            np.broadcast_shapes(si, st)
        except ValueError:
            for k in range(1, max(len(si), len(st)) + 1):
                a = si[-k] if k <= len(si) else 1
                b = st[-k] if k <= len(st) else 1
                if a != b and a != 1 and b != 1:
                    raise RuntimeError(
                        f"{op}: The size of tensor a ({a}) must match the size of tensor b ({b}) "
                        f"at non-singleton dimension {max(len(si), len(st)) - k}"
                    ) from None


def _weighted(per_elem, weight, reduction, op):
    if weight._data.shape != per_elem._data.shape:
        raise ValueError("Weights and input must have the same size.")
    wl = per_elem * weight
    if reduction == "none":
        return wl
    if reduction == "sum":
        return _sum(wl)
    return _sum(wl) / _sum(weight)


def mse_loss(input, target, size_average=None, reduce=None, reduction: str = "mean",
             weight=None) -> Tensor:
    """Mean squared error: (x − t)² reduced. Shapes: input and target broadcast to one shape
    (any); the loss is 0-d for ``reduction`` 'mean' (default) or 'sum', that shape for 'none'.
    Raises RuntimeError for unbroadcastable shapes, ValueError for an unknown reduction.
    Derivative: 2(x − t) (/n for 'mean')."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    input, target = _float_pair(input, target, "mse_loss")
    _broadcast_check(input, target, "mse_loss")
    if weight is not None:
        return _weighted(L.MseLossFn.apply(input, target, "none"), weight, reduction, "mse_loss")
    return L.MseLossFn.apply(input, target, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction: str = "mean",
            weight=None) -> Tensor:
    """Mean absolute error: |x − t| reduced. Shapes: input and target broadcast to one shape
    (any); the loss is 0-d for ``reduction`` 'mean' (default) or 'sum', that shape for 'none'.
    Raises RuntimeError for unbroadcastable shapes, ValueError for an unknown reduction.
    Derivative: sign(x − t) (/n for 'mean')."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    input, target = _float_pair(input, target, "l1_loss")
    _broadcast_check(input, target, "l1_loss")
    if weight is not None:
        return _weighted(L.L1LossFn.apply(input, target, "none"), weight, reduction, "l1_loss")
    return L.L1LossFn.apply(input, target, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """Huber-like loss: ½d²/β for |d| < β, |d| − ½β beyond.

    Shapes: input and target broadcast → () when reduced, the broadcast shape with
    ``reduction='none'``. Raises RuntimeError for shapes that do not broadcast; ValueError for an
    unknown reduction.
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    input, target = _float_pair(input, target, "smooth_l1_loss")
    _broadcast_check(input, target, "smooth_l1_loss")
    return L.SmoothL1LossFn.apply(input, target, reduction, float(beta))


def _opt(t, ref, op: str = "", name: str = ""):
    if t is None:
        return None
    if op and isinstance(t, Tensor) and t.requires_grad and is_grad_enabled():
        raise RuntimeError(f"The function '{op}' is not differentiable with respect to argument "
                           f"'{name}'. This input cannot have requires_grad True.")
    return cast(as_tensor_like(t, ref), ref.dtype)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction: str = "mean") -> Tensor:
    """−w [t log x + (1 − t) log(1 − x)], logs clamped at −100; x must lie in [0, 1]. Shapes:
    input and target of one shape (any); 0-d for 'mean'/'sum', that shape for 'none'. Raises
    ValueError for a target of another shape, RuntimeError for an input outside [0, 1].
    Derivative: (x − t)/(x(1 − x)) (times w)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _same_dtype(input, target, "binary_cross_entropy")
    input, target = _float_pair(input, target, "binary_cross_entropy")
    if target._data.shape != input._data.shape:
        raise ValueError(
            f"Using a target size ({target.shape!r}) that is different to the input size "
            f"({input.shape!r}) is deprecated. Please ensure they have the same size."
        )
    x = input._data
    if x.size:
        bad = (x < 0) | (x > 1) | (x != x)
        if get_array_module(x) is np:
            if bad.any():
                raise RuntimeError("all elements of input should be between 0 and 1")
        else:  # GPU: no host sync per step (torch: a device-side assert); nan instead
            input = _poisoned(input, _nan_if(bad))
    w = _opt(weight, input, "binary_cross_entropy", "weight")
    if w is not None:
        try:
            np.broadcast_shapes(w._data.shape, x.shape)
            if len(w._data.shape) > x.ndim or any(
                a != 1 and a != b for a, b in zip(w._data.shape[::-1], x.shape[::-1])
            ):
                raise ValueError
        except ValueError:
            raise RuntimeError(f"binary_cross_entropy: weight of shape {list(w.shape)} does not "
                               f"broadcast to the input shape {list(x.shape)}") from None
    return L.BinaryCrossEntropyFn.apply(input, target, w, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction: str = "mean", pos_weight=None) -> Tensor:
    """BCE on logits, computed stably: w [(1 − t)x + (1 + (p − 1)t) softplus(−x)].

    Shapes: input and target (*) of one shape; ``weight`` and ``pos_weight`` broadcast to it → ()
    when reduced, the input's shape with ``reduction='none'``. Raises ValueError for target and
    input of different shapes or an unknown reduction.
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    # torch computes (1 − t)·x in place on the target: the loss has a float target's dtype
    out_dtype = target.dtype if isinstance(target, Tensor) and kind_of(
        target._data.dtype) == "f" else None
    input, target = _float_pair(input, target, "binary_cross_entropy_with_logits")
    if target._data.shape != input._data.shape:
        raise ValueError(f"Target size ({target.shape!r}) must be the same as input size "
                         f"({input.shape!r})")
    op = "binary_cross_entropy_with_logits"
    w, pw = _opt(weight, input, op, "weight"), _opt(pos_weight, input, op, "pos_weight")
    for name, t in (("weight", w), ("pos_weight", pw)):
        if t is not None:
            try:
                shape = np.broadcast_shapes(t._data.shape, input._data.shape)
            except ValueError:
                shape = None
            if shape != input._data.shape:
                raise RuntimeError(f"binary_cross_entropy_with_logits: {name} of shape "
                                   f"{list(t.shape)} does not broadcast to the input shape "
                                   f"{list(input.shape)}")
    out = L.BinaryCrossEntropyWithLogitsFn.apply(input, target, w, pw, reduction)
    return out if out_dtype is None or out_dtype == out.dtype else out.to(out_dtype)


def _class_checks(input, target, weight, op: str):
    """Validate (input, target, weight) of a class loss; returns (input, target, w, unbatched)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type_of(input)}")
    if kind_of(input._data.dtype) != "f":
        raise RuntimeError(f"{op}: expected a floating point input, got {input.dtype}")
    target = as_tensor_like(target, input)
    unbatched = input._data.ndim == 1
    if input._data.ndim == 0:
        raise ValueError(f"{op}: Expected 1 or more dimensions (got 0)")
    C = input._data.shape[0 if unbatched else 1]
    w = None
    if weight is not None:
        w = _opt(weight, input, "nll_loss_forward", "weight")
        if w._data.ndim != 1 or w._data.shape[0] != C:
            raise RuntimeError(f"weight tensor should be defined either for all {C} classes or "
                               f"no classes but got weight tensor of shape: {list(w.shape)}")
        w = w._data
    return input, target, w, unbatched, C


def _check_weight_dtype(weight, input) -> None:
    """torch's class-index losses (nll_loss, cross_entropy with class targets) take a weight of
    exactly the input's dtype: RuntimeError otherwise (no promotion)."""
    if isinstance(weight, Tensor) and weight._data.dtype != input._data.dtype:
        raise RuntimeError(f"expected scalar type {type_name(input)} but found "
                           f"{type_name(weight)} (weight of shape {list(weight.shape)})")


def _index_target(input, target, C, ignore_index, unbatched, op):
    t = target._data
    if t.dtype not in (np.int64, np.uint8):
        names = {"int32": "Int", "int16": "Short", "int8": "Char", "float32": "Float",
                 "float64": "Double", "float16": "Half", "bool": "Bool"}
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got "
                           f"{names.get(t.dtype.name, t.dtype.name)}")
    si = input._data.shape
    want = si[1:] if unbatched else (si[:1] + si[2:])
    if unbatched:
        want = ()
    if t.shape != want:
        if not unbatched and t.ndim >= 1 and t.shape[0] != si[0]:
            raise ValueError(f"Expected input batch_size ({si[0]}) to match target batch_size "
                             f"({t.shape[0]}).")
        raise RuntimeError(f"{op}: Expected target size {list(want)}, got {list(t.shape)} "
                           f"(input {list(si)})")
    poison = None
    if t.size:
        bad = (t != ignore_index) & ((t < 0) | (t >= C))
        xp = get_array_module(t)
        if xp is np:
            if bad.any():
                raise IndexError(f"Target {int(t[bad].reshape(-1)[0])} is out of bounds.")
        else:  # GPU: checking on the host would sync every step (torch: a device-side assert)
            t = xp.where(bad, 0, t)  # a valid class, so the gather stays in bounds ...
            poison = _nan_if(bad)  # ... and the loss nan
    return t.astype(np.int64, copy=False), poison


def _nan_if(bad):
    """0-d device array: nan when any element of the device mask ``bad`` is set, else 1 (no
    host sync: the check stays on the GPU)."""
    xp = get_array_module(bad)
    return xp.where(bad.any(), xp.nan, 1.0)


def _poisoned(input, poison):
    """``input · nan`` when a GPU-side check failed (loss and gradients become nan, never a
    silently wrong number), ``input · 1`` (exact) when not, ``input`` when there was no check
    (the CPU raises instead, as torch does). A host check would sync the GPU every step."""
    if poison is None:
        return input
    return input * Tensor._wrap(poison.astype(input._data.dtype))


def nll_loss(input, target, weight=None, size_average=None, ignore_index: int = -100,
             reduce=None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of class ``target`` under log-probabilities ``input``. Shapes:
    input (N, C) log-probabilities (or (N, C, d₁, ...)), target (N,) int64 classes in [0, C);
    the loss is 0-d ('mean', 'sum') or (N,) ('none'). Raises IndexError for a class out of
    range, ValueError for mismatched batch sizes, RuntimeError for a float target. Derivative:
    −1 at the target class (weighted), 0 elsewhere."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    input, target, w, unbatched, C = _class_checks(input, target, weight, "nll_loss")
    _check_weight_dtype(weight, input)
    t, poison = _index_target(input, target, C, ignore_index, unbatched, "nll_loss")
    input = _poisoned(input, poison)
    if unbatched:
        out = CE.NllLossFn.apply(_unsqueeze(input, 0), t[None], w, ignore_index, reduction)
        out = _squeeze(out, 0) if reduction == "none" else out
    else:
        out = CE.NllLossFn.apply(input, t, w, ignore_index, reduction)
    return named(out, _nll_node_name(input._data.ndim, reduction))


def _nll_node_name(ndim: int, reduction: str) -> str:
    """torch: nll_loss for (N, C), nll_loss2d for (N, C, H, W) and, through a reshape, for
    other ranks (the per-element losses are reshaped back: a view)."""
    if ndim <= 2:
        return "NllLossBackward0"
    return "ViewBackward0" if reduction == "none" and ndim != 4 else "NllLoss2DBackward0"


def cross_entropy(input, target, weight=None, size_average=None, ignore_index: int = -100,
                  reduce=None, reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """log_softmax over the class dim (1) followed by NLL, fused; or probability targets. Shapes:
    input (N, C) logits (or (C,), or (N, C, d₁, ...)), target (N,) class indices in [0, C)
    (int64) or (N, C) probabilities; the loss is 0-d ('mean', 'sum') or (N,) ('none'). Raises
    IndexError for a class out of range, ValueError for mismatched batch sizes or an unknown
    reduction, RuntimeError for a float target of class-index shape. Derivative: softmax(x) −
    onehot(t) (per sample, /N for 'mean')."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    input, target, w, unbatched, C = _class_checks(input, target, weight, "cross_entropy")
    eps = float(label_smoothing)
    x = _unsqueeze(input, 0) if unbatched else input
    if target._data.shape == input._data.shape:  # class probabilities
        if kind_of(target._data.dtype) != "f":
            raise RuntimeError(f"cross_entropy: Expected floating point type for target with "
                               f"class probabilities, got {type_name(target)} (target shape "
                               f"{list(target.shape)})")
        if ignore_index != -100:
            raise RuntimeError("cross_entropy: ignore_index is not supported for floating "
                               "point target")
        r = promote_types(input.dtype, target.dtype)  # torch: log_softmax(x) * t promotes
        if isinstance(weight, Tensor):  # (and · w)
            r = promote_types(r, weight.dtype)
            w = w if w is None else cast(weight, r)._data
        t, x = cast(target, r), cast(x, r)
        out = CE.SoftCrossEntropyFn.apply(x, _unsqueeze(t, 0) if unbatched else t, w,
                                           reduction, eps)
        # torch composes it: −Σ (w t) log_softmax, then ÷ N for the mean
        out = named(out, "DivBackward1" if reduction == "mean" else "NegBackward0")
    elif kind_of(target._data.dtype) == "f" and target._data.ndim == input._data.ndim:
        if input._data.ndim >= 2 and target.shape[0] != input.shape[0]:  # torch checks N first
            raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                             f"batch_size ({target.shape[0]}).")
        raise RuntimeError(f"cross_entropy: Expected target size {list(input.shape)}, got "
                           f"{list(target.shape)}")
    else:
        _check_weight_dtype(weight, input)
        t, poison = _index_target(input, target, C, ignore_index, unbatched, "cross_entropy")
        x = _poisoned(x, poison)
        out = CE.CrossEntropyFn.apply(x, t[None] if unbatched else t, w, ignore_index,
                                       reduction, eps)
        # torch: log_softmax + nll_loss (+ the label-smoothing term added last)
        out = named(out, "AddBackward0" if eps > 0 else _nll_node_name(input._data.ndim,
                                                                         reduction))
    if unbatched and reduction == "none":  # the squeeze keeps the name of the loss's node
        name = out.grad_fn.name() if out.grad_fn is not None else None
        out = _squeeze(out, 0)
        if name is not None:
            named(out, name)
    return out


def cosine_similarity(x1, x2, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """Σ x₁x₂ / (max(‖x₁‖, ε)·max(‖x₂‖, ε)) along ``dim`` (inputs broadcast).

    Shapes: x1 and x2 broadcast → the broadcast shape with ``dim`` removed. Raises RuntimeError for
    shapes that do not broadcast; IndexError for ``dim`` out of range.
    """
    x1, x2 = _float_pair(x1, x2, "cosine_similarity")
    try:
        shape = np.broadcast_shapes(x1._data.shape, x2._data.shape)
    except ValueError:
        raise RuntimeError(f"cosine_similarity: shapes {list(x1.shape)} and {list(x2.shape)} "
                           "cannot be broadcast together") from None
    nd = max(len(shape), 1)
    if not -nd <= dim < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], "
                         f"but got {dim})")
    return D.CosineSimilarityFn.apply(x1, x2, dim % nd, float(eps))

