"""``nn.LinearCrossEntropyLoss`` and ``nn.LinearCrossEntropyOptions``: a Linear head and the
cross entropy of its logits in one module (``F.linear_cross_entropy``), optionally chunked."""

from __future__ import annotations

import dataclasses
import math

from ...tensor import Tensor
from .. import functional as F
from .linear import Linear
from .loss import _WeightedLoss

__all__ = ["LinearCrossEntropyLoss", "LinearCrossEntropyOptions"]


@dataclasses.dataclass(frozen=True)
class LinearCrossEntropyOptions:
    """Asks ``F.linear_cross_entropy`` for the chunked computation (torch's fields):
    ``batch_chunk_size`` rows per chunk (None: one chunk); ``allow_retain_graph``,
    ``chunking_method``, ``acc_policy`` and ``acc_dtype`` are accepted for compatibility
    (tinygrad_edu recomputes each chunk in backward in the input's dtype, so a second backward
    always works). Raises ValueError for a non-positive batch_chunk_size or an unknown
    acc_policy / chunking_method."""

    allow_retain_graph: bool = False
    batch_chunk_size: int | None = None
    chunking_method: str | None = "auto"
    acc_policy: str = "auto"
    acc_dtype: object = None

    def __post_init__(self):
        if self.acc_policy not in {"auto", "accurate", "balanced", "compact"}:
            raise ValueError(f"invalid acc_policy: {self.acc_policy!r}")
        if self.chunking_method is not None and self.chunking_method != "auto":
            name, sep, factor = self.chunking_method.partition(":")
            factor = factor if sep else "1"
            if not (name == "aspect_ratio" and factor.isdigit() and int(factor) > 0):
                raise ValueError(f"invalid chunking_method: {self.chunking_method!r}")
        n = self.batch_chunk_size
        if not (n is None or (isinstance(n, int) and n > 0)):
            raise ValueError(f"batch_chunk_size must be positive int or None, got {n!r}")


class LinearCrossEntropyLoss(_WeightedLoss):
    """``linear_cross_entropy(input, W, target)`` with W a Linear(in_features, C·∏out_features)
    kept 2-D and reshaped to (C, *out_features, in_features) in forward.

    Shapes: input (N, in_features) or (in_features,); target (N[, *out_features]) int64 or
    probabilities (N, C[, *out_features]); output () or, for reduction='none', the target's
    batch shape. The Linear draws its init as nn.Linear does. Raises RuntimeError for a weight
    not of shape (C,) or label_smoothing outside [0, 1]; the forward raises as
    ``F.linear_cross_entropy``."""

    def __init__(self, in_features: int, num_classes: int, *, out_features: tuple = (),
                 bias: bool = False, device=None, dtype=None, reduction: str = "mean",
                 weight: Tensor | None = None, ignore_index: int | None = None,
                 label_smoothing: float = 0.0, options=None) -> None:
        if weight is not None and tuple(weight.shape) != (num_classes,):
            raise RuntimeError(f"expected weight shape to be {(num_classes,)}, got "
                               f"{tuple(weight.shape)}")
        if label_smoothing < 0 or label_smoothing > 1.0:
            raise RuntimeError(f"expected label_smoothing to be in range [0, 1], got "
                               f"{label_smoothing}")
        super().__init__(weight=weight, reduction=reduction)
        self.num_classes = num_classes
        self.out_features = out_features
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing
        self.linear = Linear(in_features, math.prod(out_features, start=num_classes),
                             bias=bias, device=device, dtype=dtype)
        self.options = options

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        w = self.linear.weight.reshape((self.num_classes, *self.out_features,
                                        self.linear.in_features))
        b = (self.linear.bias.reshape((self.num_classes, *self.out_features))
             if self.linear.bias is not None else None)
        return F.linear_cross_entropy(input, w, target, linear_bias=b, weight=self.weight,
                                      reduction=self.reduction, ignore_index=self.ignore_index,
                                      label_smoothing=self.label_smoothing,
                                      options=self.options)

    def extra_repr(self) -> str:
        return (f"in_features={self.linear.in_features}, num_classes={self.num_classes}, "
                f"out_features={self.out_features}, bias={self.linear.bias is not None}, "
                f"reduction={self.reduction}, ignore_index={self.ignore_index}, "
                f"label_smoothing={self.label_smoothing}, options={self.options}")
