"""``torch.ops.aten._upsample_bilinear2d_aa``: the antialiased bilinear resize that
``F.interpolate(x, ..., mode="bilinear", antialias=True)`` calls, with aten's own signature (both
overloads) and argument checks (aten/src/ATen/native/UpSample.h, upsample_2d_common_check).

The algorithm (torch's _compute_index_ranges_weights, written out in ``ops/interpolate.py``,
:func:`~tinygrad_edu.ops.interpolate.aa_taps`): along each spatial axis of size S → O, with
scale s = S/O (or 1/scales_h, 1/scales_w when given; (S − 1)/(O − 1) with align_corners),

    support = max(s, 1)                        (the triangle's half-width, widened by the scale
                                                when shrinking, so every input pixel counts)
    center_o = s·(o + ½)
    w[o, j] = tri((j − center_o + ½) / max(s, 1)),   tri(x) = max(0, 1 − |x|),
              for j in [⌊center_o − support + ½⌋₊, min(⌊center_o + support + ½⌋, S))
    w[o, :] /= Σ_j w[o, j]                     (each output pixel's weights sum to 1)

    y[n, c, o_h, o_w] = Σ_i Σ_j W_h[o_h, i] · W_w[o_w, j] · x[n, c, i, j]

applied as two 1-D maps, the last axis (W) first, then H, as torch's CPU kernel; an axis whose
size does not change is skipped (an unchanged image is a copy, in any dtype). uint8 images go
through torch's int16 fixed-point kernel (``ops/interpolate_uint8.py``) and have no gradient.

Backward: y = A_h A_w x is linear in x, so ∂L/∂x = A_wᵀ A_hᵀ g: the same weights, scattered
back (:class:`~tinygrad_edu.ops.interpolate.InterpolateFn`), itself differentiable again.

dtype: the input's (float32, float64, uint8; any other dtype raises NotImplementedError unless
no axis changes). Shapes: input (N, C, H, W) → (N, C, H_out, W_out); N may be 0, C, H, W not.
"""

from __future__ import annotations

import numbers

import numpy as np

from .interpolate import InterpolateFn, aa_taps
from .interpolate_uint8 import resize_uint8
from .promotion import type_name

_OP = "_upsample_bilinear2d_aa"


def _schema_check(input, output_size, align_corners, scales, scale_factors) -> None:
    """torch's dispatcher refuses arguments of the wrong type with a RuntimeError ("failed to
    match any schema"), not a TypeError: the input a Tensor, sizes lists of ints, align_corners
    a bool (or int), scales floats or None."""
    from ..tensor import Tensor

    def ints(v):
        return isinstance(v, (list, tuple)) and all(
            isinstance(i, numbers.Integral) and not isinstance(i, bool) for i in v)

    def floats(v):
        return isinstance(v, (list, tuple)) and all(isinstance(f, numbers.Real) for f in v)

    why = None
    if not isinstance(input, Tensor):
        why = f"argument 'input' must be Tensor, not {type(input).__name__}"
    elif output_size is not None and not ints(output_size):
        why = f"argument 'output_size' must be a list of ints, not {output_size!r}"
    elif not isinstance(align_corners, numbers.Integral):
        why = f"argument 'align_corners' must be bool, not {type(align_corners).__name__}"
    elif any(v is not None and not isinstance(v, numbers.Real) for v in scales):
        why = f"arguments 'scales_h', 'scales_w' must be float or None, not {scales!r}"
    elif scale_factors is not None and not floats(scale_factors):
        why = f"argument 'scale_factors' must be a list of floats, not {scale_factors!r}"
    if why:
        raise RuntimeError(f"{_OP}(): the arguments match no schema of "
                           f"aten::{_OP}: {why}")


def _output_size(input, output_size, scale_factors) -> tuple:
    """(output (H_out, W_out), (scales_h, scales_w) or None): aten's compute_output_size for the
    ``.vec`` overload — exactly one of ``output_size`` and ``scale_factors``; from the factors,
    each size is int(S·factor) (truncated) and the factors become the kernel's scales."""
    if (output_size is None) == (scale_factors is None):
        raise RuntimeError(f"{_OP}: Must specify exactly one of output_size and scale_factors")
    spatial = input.ndim - 2
    if output_size is not None:
        return tuple(output_size), None
    if len(scale_factors) != spatial:
        raise RuntimeError(f"{_OP}: expected {spatial} scale_factors for an input of sizes "
                           f"{list(input.shape)}, but got {len(scale_factors)}")
    space = tuple(input.shape)[2:]
    out = tuple(int(n * float(f)) for n, f in zip(space, scale_factors))
    return out, tuple(float(f) for f in scale_factors)


def _check(input, out: tuple) -> None:
    """aten's upsample_2d_common_check and the kernel's checks, in torch's order."""
    if len(out) != 2:
        raise RuntimeError(f"It is expected output_size equals to 2, but got size {len(out)}")
    if input.ndim != 4:
        raise RuntimeError(f"It is expected input_size equals to 4, but got size {input.ndim}")
    _, _, H, W = input.shape
    Ho, Wo = out
    if not (H > 0 and W > 0 and Ho > 0 and Wo > 0):
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input "
                           f"(H: {H}, W: {W}) output (H: {Ho}, W: {Wo})")
    if input.numel() == 0 and input.shape[1] == 0:
        raise RuntimeError(f"Non-empty 4D data tensor expected but got a tensor with sizes "
                           f"{list(input.shape)}")
    dt = input._data.dtype
    if (H, W) != tuple(out) and dt not in (np.float32, np.float64, np.uint8):
        raise NotImplementedError(f"\"compute_index_ranges_weights\" not implemented for "
                                  f"'{type_name(input)}'")


def _upsample_bilinear2d_aa(input, output_size, align_corners, scales_h=None, scales_w=None, *,
                            scale_factors=None):
    """``torch.ops.aten._upsample_bilinear2d_aa``: bilinear resize of (N, C, H, W) to
    ``output_size`` (H_out, W_out) with an antialiasing triangle filter widened by the scale
    when shrinking (the formula in the module docstring; ``F.interpolate(mode="bilinear",
    antialias=True)`` is this op). Both aten overloads: ``(input, output_size, align_corners,
    scales_h=None, scales_w=None)`` and ``.vec`` ``(input, output_size, align_corners,
    scale_factors)``, where exactly one of ``output_size`` and ``scale_factors`` is given.

    dtype: the input's; float32/float64 (differentiable) and uint8 (torch's fixed point).
    Raises RuntimeError for output_size not of length 2, a non-4-D input, a size ≤ 0, C = 0, or
    both/neither of output_size and scale_factors; NotImplementedError for another dtype when a
    size changes, and (as torch's dispatcher) for arguments of the wrong type: an input that is
    not a Tensor, a size that is not a list of ints.
    """
    if isinstance(scales_h, (list, tuple)):  # the .vec overload, its 4th argument positional
        scale_factors, scales_h = scales_h, None
    _schema_check(input, output_size, align_corners, (scales_h, scales_w), scale_factors)
    if scale_factors is not None or output_size is None:
        out, scales = _output_size(input, output_size, scale_factors)
    else:
        out, scales = tuple(output_size), (scales_h, scales_w)
    _check(input, out)
    out = tuple(int(o) for o in out)
    space = tuple(input.shape)[2:]
    if input._data.dtype == np.uint8:
        from ..tensor import Tensor  # the array → Tensor wrapper (no gradient for uint8)

        return Tensor._wrap(resize_uint8(input._data, out, "linear", bool(align_corners),
                                         scales, True))
    plan = []
    for a in (1, 0):  # W (contiguous) first, then H, as torch
        if space[a] == out[a]:
            continue  # torch skips an axis whose size does not change
        sc = scales[a] if scales is not None else None
        idx, w, valid = aa_taps("linear", space[a], out[a], bool(align_corners), sc,
                                input._data.dtype)
        plan.append((2 + a, idx, w, valid))
    return InterpolateFn.apply(input, plan, "UpsampleBilinear2DAaBackward0")


METHODS: dict = {}
__all__ = ["_upsample_bilinear2d_aa"]
