"""Dropout modules: random zeroing in training mode, the identity in eval mode. ``Dropout``
(elements), ``Dropout1d/2d/3d`` (whole channels), ``AlphaDropout`` and
``FeatureAlphaDropout`` (for SELU networks); torch's ``_DropoutNd`` base with its p check and
repr."""

from __future__ import annotations

from ...tensor import Tensor
from .. import functional as F
from .module import Module


class _DropoutNd(Module):
    """p (probability of a zero) and inplace; ValueError for p outside [0, 1]."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zero each element with probability ``p`` while training; scale the rest by 1/(1 − p).

    Shapes: as ``torch.nn.functional.dropout``. Raises as ``torch.nn.functional.dropout``.
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    """Zero whole channels of (N, C, L) / (C, L) while training.

    Shapes: as ``torch.nn.functional.dropout1d``. Raises as ``torch.nn.functional.dropout1d``.
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Zero whole channels of (N, C, H, W) while training.

    Shapes: as ``torch.nn.functional.dropout2d``. Raises as ``torch.nn.functional.dropout2d``.
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    """Zero whole channels of (N, C, D, H, W) / (C, D, H, W) while training.

    Shapes: as ``torch.nn.functional.dropout3d``. Raises as ``torch.nn.functional.dropout3d``.
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout3d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    """Alpha dropout (keeps SELU's mean 0 / variance 1) while training.

    Shapes: as ``torch.nn.functional.alpha_dropout``. Raises as
    ``torch.nn.functional.alpha_dropout``.
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    """Alpha dropout of whole channels while training.

    Shapes: as ``torch.nn.functional.feature_alpha_dropout``. Raises as
    ``torch.nn.functional.feature_alpha_dropout``.
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.feature_alpha_dropout(input, self.p, self.training)
