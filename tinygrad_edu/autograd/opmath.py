"""bfloat16 ops computed as torch's CPU kernels compute them: in float32, rounded once.

``Function.apply`` sends an op here when an input is bfloat16 (and the op's ``opmath`` is on).
"""

from __future__ import annotations

import numpy as np

from ..dtype import bfloat16, kind_of, to_bfloat16, widen_bfloat16

BF16 = bfloat16.np


def in_float32(cls, ctx, arrays, kwargs):
    """An op on bfloat16 arrays, the way torch's CPU kernels compute BFloat16: in float32 (their
    "opmath" type), each result rounded to bfloat16 once.

    NumPy has no bfloat16 arithmetic of its own: ml_dtypes' ufuncs cover some operations, round
    after each step, and widen to float32/float64 beside Python numbers, BLAS and SciPy refuse
    the type. So when every floating input of an op is bfloat16, its forward runs on float32
    copies and each floating output is rounded back to bfloat16. The values it saves stay
    float32: the backward computes in float32 too, and the engine rounds each input's
    gradient once when it fits it to the input's dtype (``engine.fit``). torch's backward
    formulas round after each bfloat16 step, so gradients may differ from torch's in the last
    bit (2⁻⁸ relative), inside assert_close's bfloat16 tolerance (rtol 1.6e-2).

    Ops that must see the bfloat16 arrays themselves set ``opmath = False``: the cast (its
    output dtype is not the input's), views (they share the input's memory), nextafter (the
    next bfloat16, not the next float32) and the division kernels (torch rounds their steps to
    the type).

    A Function whose forward updates an input array in place (batch norm's running statistics)
    names its positions in ``mutates``: the float32 copies are rounded back into the bfloat16
    arrays afterwards, once (else the update would land in a copy and be lost)."""
    floats = [a.dtype for a in arrays if type(a) is np.ndarray and kind_of(a.dtype) == "f"]
    if any(d is not BF16 for d in floats):  # mixed with wider floats: as is
        return cls.forward(ctx, *arrays, **kwargs)
    wide = [widen_bfloat16(a) for a in arrays]
    out = cls.forward(ctx, *wide, **kwargs)
    for i in getattr(cls, "mutates", ()):  # in-place updates (batch norm's running statistics)
        if type(arrays[i]) is np.ndarray and arrays[i].dtype is BF16:  # back, rounded once
            arrays[i][...] = to_bfloat16(wide[i])
    if type(out) is tuple:
        return tuple(to_bfloat16(o) for o in out)
    return to_bfloat16(out)
