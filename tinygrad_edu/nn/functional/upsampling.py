"""``F.interpolate`` (and the older ``upsample``, ``upsample_nearest``, ``upsample_bilinear``):
torch's argument rules (size or scale_factor, align_corners, recompute_scale_factor,
antialias) and output sizes; the resampling itself is ``ops/interpolate.py``, and mode='area'
is adaptive average pooling, as in torch.

Shapes: input (N, C, L) for 'linear', (N, C, H, W) for 'bilinear'/'bicubic', (N, C, D, H, W)
for 'trilinear'; 'nearest', 'nearest-exact' and 'area' take any of the three.
"""

from __future__ import annotations

import math

import numpy as np

from ...dtype import REDUCED_FLOATS, kind_of, torch_type_name
from ...ops.interpolate import InterpolateFn, aa_taps, taps
from ...ops.interpolate_uint8 import resize_uint8
from ...tensor import Tensor
from .adaptive_pooling import adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear"]

_LINEAR_DIMS = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}
_NAMES = {"nearest": "UpsampleNearest{d}D", "nearest-exact": "UpsampleNearestExact{d}D",
          "linear": "UpsampleLinear1D", "bilinear": "UpsampleBilinear2D",
          "bicubic": "UpsampleBicubic2D", "trilinear": "UpsampleTrilinear3D"}


def _sizes(input, size, scale_factor, mode, recompute_scale_factor) -> tuple:
    """(output size, the scales the kernel uses or None), torch's rules."""
    dim = input._data.ndim - 2
    space = tuple(input.shape)[2:]
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(f"Input and output must have the same number of spatial "
                                 f"dimensions, but got input with spatial dimensions of "
                                 f"{list(space)} and output size of {size}. Please provide "
                                 "input tensor in (N, C, d1, d2, ...,dK) format and output size "
                                 "in (o1, o2, ...,oK) format.")
            if not all(isinstance(s, int) or hasattr(s, "__index__") for s in size):
                raise TypeError(f"expected size to be one of int or Tuple[int] or Tuple[int, "
                                f"int] or Tuple[int, int, int], but got size with types "
                                f"{[type(s) for s in size]}")
            out = tuple(int(s) for s in size)
        else:
            out = (int(size),) * dim
        scales = None
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(f"Input and scale_factor must have the same number of spatial "
                                 f"dimensions, but got input with spatial dimensions of "
                                 f"{list(space)} and scale_factor of shape {scale_factor}. "
                                 "Please provide input tensor in (N, C, d1, d2, ...,dK) format "
                                 "and scale_factor in (s1, s2, ...,sK) format.")
            scales = tuple(float(s) for s in scale_factor)
        else:
            scales = (float(scale_factor),) * dim
        out = tuple(int(math.floor(n * s)) for n, s in zip(space, scales))
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if recompute_scale_factor or mode == "area":
        scales = None  # torch: the kernel then uses input/output sizes
    return out, scales


def _check_dtype(input, mode: str, out: tuple, antialias: bool, vectorized: bool) -> None:
    """torch resamples floating tensors, and uint8 by nearest, nearest-exact, bilinear and
    bicubic; any other dtype is NotImplementedError (named after the kernel torch fails in), as
    is an antialiased resize of float16/bfloat16 (torch's antialias weights are
    float32/float64/uint8 only; an unchanged size is a plain copy there)."""
    dt, d = input._data.dtype, len(out)
    if antialias and dt in REDUCED_FLOATS and tuple(input.shape)[2:] != tuple(out):
        raise NotImplementedError("\"compute_index_ranges_weights\" not implemented for "
                                  f"'{torch_type_name(dt)}'")
    if kind_of(dt) == "f" or dt == np.uint8 and mode in ("nearest", "nearest-exact", "bilinear",
                                                    "bicubic"):
        return
    if mode == "area":
        kernel = "adaptive_avg_pool3d_cpu" if d == 3 else "adaptive_avg_pool2d"
    elif antialias:
        kernel = "compute_index_ranges_weights"
    elif vectorized and mode in ("nearest", "nearest-exact", "bilinear"):
        kernel = f"upsample_{mode.split('-')[0]}2d_channels_last"
    else:
        kernel = "compute_indices_weights_" + {"nearest-exact": "nearest", "bicubic": "cubic"}.get(
            mode, mode if mode == "nearest" else "linear")
    raise NotImplementedError(f'"{kernel}" not implemented for \'{torch_type_name(dt)}\'')


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """Resize the spatial dims to ``size`` (or ⌊size·scale_factor⌋) by ``mode``: 'nearest',
    'nearest-exact', 'linear', 'bilinear', 'bicubic', 'trilinear' (``align_corners``: the corner
    pixels' centres map onto each other) or 'area' (adaptive average pooling); ``antialias``
    (bilinear, bicubic) low-pass filters when shrinking. The map is linear in the input, so the
    derivative is its transpose (``ops/interpolate.py``). Raises ValueError/NotImplementedError
    on inconsistent arguments, RuntimeError on empty sizes, as torch does.

    dtype: the input's. Floating inputs, and uint8 for nearest, nearest-exact, bilinear and
    bicubic (these two in torch's int16 fixed point, ``ops/interpolate_uint8.py``); any other
    dtype raises NotImplementedError, as torch.

    Shapes: (N, C, *S) → (N, C, *S_out), S_out = ``size`` or ⌊S·scale_factor⌋ (1-3 spatial dims:
    3-D, 4-D, 5-D input).
    """
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    nd = input._data.ndim
    out, scales = _sizes(input, size, scale_factor, mode, recompute_scale_factor)
    if antialias and not (mode in ("bilinear", "bicubic") and nd == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos "
                         "modes and requires a 4-D tensor as input")
    if nd not in (3, 4, 5) or mode not in _NAMES and mode != "area":
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported "
                                  f"(got {nd}D) for the modes: nearest | linear | bilinear | "
                                  f"bicubic | trilinear | area | nearest-exact (got {mode})")
    d = nd - 2
    if mode in _LINEAR_DIMS and _LINEAR_DIMS[mode] != d:
        want = {1: "3D", 2: "4D", 3: "5D"}[_LINEAR_DIMS[mode]]
        raise NotImplementedError(f"Got {nd}D input, but {mode} mode needs {want} input")
    # torch's 2-d nearest and bilinear take a vectorized kernel for small outputs (or an
    # NCHW input that is also channels-last: C > 3 with 1×1 images); nearest's indices differ
    vectorized = d == 2 and (out[0] + out[1] <= 128 or (
        input.shape[1] > 3 and tuple(input.shape)[2:] == (1, 1)))
    _check_dtype(input, mode, out, antialias, vectorized)
    if mode == "area":
        return (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d)[d - 1](input, out)
    space = tuple(input.shape)[2:]
    if any(n <= 0 for n in space) or any(o <= 0 for o in out):
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input "
                           f"({', '.join(map(str, space))}) output ({', '.join(map(str, out))}) "
                           f"(interpolate, mode={mode})")
    kind = {"bilinear": "linear", "trilinear": "linear", "bicubic": "cubic"}.get(mode, mode)
    dtype = input._data.dtype
    if dtype == np.uint8 and kind in ("linear", "cubic"):  # torch's integer (PIL) kernel
        return Tensor._wrap(resize_uint8(input._data, out, kind, align_corners, scales, antialias))
    plan = []
    for a in reversed(range(d)):  # the last (contiguous) axis first, as torch
        S, O = space[a], out[a]
        sc = scales[a] if scales is not None else None
        if antialias:
            if S == O:
                continue  # torch skips an axis whose size does not change
            idx, w, valid = aa_taps(kind, S, O, align_corners, sc, dtype)
        else:
            idx, w, valid = taps(kind, S, O, align_corners, sc, dtype, vectorized)
        plan.append((2 + a, idx, w, valid))
    name = _NAMES[mode].format(d=d)
    if antialias:
        name += "Aa"  # torch: UpsampleBilinear2DAaBackward0
    return InterpolateFn.apply(input, plan, name + "Backward0")


def upsample(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
             align_corners: bool | None = None) -> Tensor:
    """Deprecated in torch in favour of :func:`interpolate` (which it calls).

    Shapes: (N, C, *S) → (N, C, *S_out), S_out = ``size`` or ⌊S·scale_factor⌋ (1-3 spatial dims:
    3-D, 4-D, 5-D input). Raises ValueError for both size and scale_factor (or neither) or an input
    of another rank than the mode needs.
    """
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """``interpolate(input, size, scale_factor, mode='nearest')`` (deprecated in torch).

    Shapes: (N, C, *S) → (N, C, *S_out), S_out = ``size`` or ⌊S·scale_factor⌋ (1-3 spatial dims:
    3-D, 4-D, 5-D input). Raises ValueError for both size and scale_factor (or neither) or an input
    of another rank than the mode needs.
    """
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """``interpolate(..., mode='bilinear', align_corners=True)`` (deprecated in torch).

    Shapes: (N, C, *S) → (N, C, *S_out), S_out = ``size`` or ⌊S·scale_factor⌋ (1-3 spatial dims:
    3-D, 4-D, 5-D input). Raises ValueError for both size and scale_factor (or neither) or an input
    of another rank than the mode needs.
    """
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
