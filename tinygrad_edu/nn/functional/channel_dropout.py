"""Channel-wise and self-normalizing dropout: ``F.dropout1d/2d/3d``, ``F.alpha_dropout``,
``F.feature_alpha_dropout``, with torch's masks (ATen's ``_dropout_impl``), composed from
multiply and add so that the backward is theirs (∂y/∂x = the same noise as forward).

    feature dropout:  noise ~ Bernoulli(1 − p) of shape (N, C, 1, …, 1),  y = x · noise/(1 − p)
    alpha dropout:    a = 1/√((α²p + 1)(1 − p)),  b = (noise − 1)·α·a + α·a·p,
                      y = x · noise·a + b      (α = 1.7580993408473766, SELU's −λα)
The noise is drawn as torch draws it (``empty(shape).bernoulli_(1 − p)`` on the host
generator), so a seeded run drops the same elements and channels as torch. Shapes:
dropout1d (N, C, L) or (C, L); dropout2d (N, C, H, W) (a 3-D input is read as (N, C, L), as
torch); dropout3d (N, C, D, H, W) or (C, D, H, W); the alpha variants any shape (feature: (N, C,
…)). The result has x's dtype. Raises ValueError for p outside [0, 1], RuntimeError for a
dropout1d input that is not 2-D or 3-D.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ..._args import no_float_cast, require_tensor
from ..._rng import kernels as _rng_kernels
from ...backend import get_array_module as _get_array_module
from ...backend import to_device as _to_device
from ...ops.dropout import draw_like as _draw_like
from ...ops.inplace import inplace as _inplace
from ...random import engine_of as _rng_engine
from ...tensor import Tensor

__all__ = ["dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"]

_ALPHA = 1.7580993408473766


def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _noise(x: Tensor, p: float, feature: bool) -> np.ndarray:
    """0/1 in x's dtype, of x's shape or (N, C, 1, …) for feature dropout."""
    shape = tuple(x.shape[:2]) + (1,) * (x.dim() - 2) if feature else tuple(x.shape)
    if feature and x.dim() < 2:
        raise RuntimeError(f"Feature dropout requires at least 2 dimensions in the input, got "
                           f"{x.dim()}-D")
    dt = x._data.dtype

    def draw(shp):
        return _rng_kernels.bernoulli_scalar(_rng_engine(), shp, dt, 1.0 - p)

    # feature noise is a fresh contiguous tensor; alpha noise is empty_like(x): x's memory order
    return draw(shape) if feature else _draw_like(x._data, draw)


def _as_tensor(arr: np.ndarray, like: Tensor) -> Tensor:
    arr = np.asarray(arr, dtype=like._data.dtype)  # 0-d arithmetic gives NumPy scalars
    if _get_array_module(like._data) is not np:
        arr = _to_device(arr, like.device)
    return Tensor._wrap(arr)


def _dropout_impl(input: Tensor, p: float, train: bool, feature: bool, alpha: bool,
                  inplace: bool, name: str) -> Tensor:
    if p == 0 or not train or input.numel() == 0:
        return input
    if p < 1:  # torch: the float noise cannot scale a non-floating input
        no_float_cast(input, name)
    if inplace:
        return _inplace(input, name + "_", _dropout_impl, p, train, feature, alpha, False, name)
    if p == 1:
        return input * 0.0  # torch: multiply(input, zeros({}))
    noise = _noise(input, p, feature)
    dt = noise.dtype.type
    if not alpha:
        return input * _as_tensor(noise * dt(1.0 / (1.0 - p)), input)  # noise.div_(1 − p)
    a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
    b = (noise - dt(1)) * dt(_ALPHA * a) + dt(_ALPHA * a * p)
    return input * _as_tensor(noise * dt(a), input) + _as_tensor(b, input)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, L) / (C, L) with probability p; scale the rest by
    1/(1 − p).

    Shapes: (N, C, L) or (C, L); the output has the input's shape. Raises ValueError for p outside
    [0, 1].
    """
    _check_p(p)
    nd = input.dim()
    if nd not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {nd}D input. "
                           "Note that dropout1d exists to provide channel-wise dropout on inputs "
                           "with 1 spatial dimension, a channel dimension, and an optional batch "
                           "dimension (i.e. 2D or 3D inputs).")
    return _batched(input, nd == 3, p, training, inplace, "dropout1d")


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, H, W) with probability p (a 3-D input is (N, C, L)).

    Shapes: (N, C, H, W) or (C, H, W); the output has the input's shape. Raises ValueError for p
    outside [0, 1].
    """
    _check_p(p)
    nd = input.dim()
    if nd not in (3, 4):
        warnings.warn(f"dropout2d: Received a {nd}-D input to dropout2d, which is deprecated "
                      "and will result in an error in a future release. To retain the behavior "
                      "and silence this warning, please use dropout instead. Note that "
                      "dropout2d exists to provide channel-wise dropout on inputs with 2 spatial "
                      "dimensions, a channel dimension, and an optional batch dimension (i.e. 3D "
                      "or 4D inputs).", stacklevel=2)
    if nd == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that "
                      "channel-wise 1D dropout behavior is desired - input is interpreted as "
                      "shape (N, C, L), where C is the channel dim. This behavior will change "
                      "in a future release to interpret the input as one without a batch "
                      "dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout "
                      "behavior, please switch to using dropout1d instead.", stacklevel=2)
    return _dropout_impl(input, p, training, True, False, inplace, "feature_dropout")


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, D, H, W) / (C, D, H, W) with probability p.

    Shapes: (N, C, D, H, W) or (C, D, H, W); the output has the input's shape. Raises ValueError for
    p outside [0, 1].
    """
    _check_p(p)
    nd = input.dim()
    if nd not in (4, 5):
        warnings.warn(f"dropout3d: Received a {nd}-D input to dropout3d, which is deprecated "
                      "and will result in an error in a future release. To retain the behavior "
                      "and silence this warning, please use dropout instead. Note that "
                      "dropout3d exists to provide channel-wise dropout on inputs with 3 spatial "
                      "dimensions, a channel dimension, and an optional batch dimension (i.e. 4D "
                      "or 5D inputs).", stacklevel=2)
    return _batched(input, nd == 5, p, training, inplace, "dropout3d")


def _batched(input, is_batched, p, training, inplace, name):
    if is_batched:
        return _dropout_impl(input, p, training, True, False, inplace, "feature_dropout")
    if inplace:
        return _inplace(input, "feature_dropout_", _batched, False, p, training, False, name)
    out = _dropout_impl(input.unsqueeze(0), p, training, True, False, False, "feature_dropout")
    return out.squeeze(0)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                  inplace: bool = False) -> Tensor:
    """Dropout for SELU networks: dropped elements become SELU's negative saturation and an
    affine map restores mean 0 and variance 1 (formula in the module docstring).

    Shapes: any; the output has the input's shape. Raises ValueError for p outside [0, 1].
    Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "alpha_dropout")
    _check_p(p)
    return _dropout_impl(input, p, training, False, True, inplace, "alpha_dropout")


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                          inplace: bool = False) -> Tensor:
    """alpha_dropout with one noise value per (sample, channel).

    Shapes: any; the output has the input's shape. Raises ValueError for p outside [0, 1].
    Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "feature_alpha_dropout")
    _check_p(p)
    return _dropout_impl(input, p, training, True, True, inplace, "feature_alpha_dropout")
