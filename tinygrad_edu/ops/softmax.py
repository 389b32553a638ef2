"""softmax and log_softmax: a probability distribution along one dim, and its log.

Both subtract the max before exp, so exp never overflows; each backward is the Jacobian-vector
product written out (the full Jacobian yᵢ(δᵢⱼ − yⱼ) is never built).
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import dtype as _dt
from ..autograd import Function
from ..backend import get_array_module
from ..dtype import REDUCED_FLOATS, kind_of
from ..tensor import Tensor, _wrap_dim
from ._dual import xp_of
from ._ieee import silence_ieee_warnings
from ._util import _float_only, c_order, half_steps


class SoftmaxFn(Function):
    """yᵢ = e^{xᵢ} / Σⱼ e^{xⱼ} along ``axis``"""

    array_io = True
    opmath = False  # float16 and bfloat16 alike, as torch's kernels (below)

    @staticmethod
    def forward(ctx, x, axis):
        xp = get_array_module(x)
        half = x.dtype in REDUCED_FLOATS  # float16/bfloat16: in float32, rounded once
        xf = x.astype(np.float32) if half else x
        if x.size == 0:  # an empty input: torch returns the empty result (max has no identity)
            y = xp.empty_like(x)
        else:
            e = xp.exp(xf - xf.max(axis=axis, keepdims=True))  # subtract the max: no overflow
            y = c_order(e / e.sum(axis=axis, keepdims=True))  # row-major, as torch
            y = y.astype(x.dtype) if half else y
        ctx.save_for_backward(y)
        ctx.axis = axis
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        if type(g) is np.ndarray and g.dtype in REDUCED_FLOATS:  # half: in float32 (torch)
            g, y = g.astype(np.float32), y.astype(np.float32)
        # ∂yᵢ/∂xⱼ = yᵢ(δᵢⱼ − yⱼ)  ⇒  gx = y ⊙ (g − Σ g⊙y)
        return y * (g - xp_of(g).sum(g * y, axis=ctx.axis, keepdims=True)), None


class LogSoftmaxFn(Function):
    """yᵢ = xᵢ − log Σⱼ e^{xⱼ} along ``axis``"""

    array_io = True
    opmath = False  # float16 and bfloat16 alike, as torch's kernels (below)

    @staticmethod
    def forward(ctx, x, axis):
        xp = get_array_module(x)
        r = half_steps(x.dtype)  # float16/bfloat16: computed in float32 (torch's kernels)
        xf = x if r is None else x.astype(np.float32)
        if x.size == 0:  # an empty input: torch returns the empty result (max has no identity)
            y = xp.empty_like(x)
        else:
            shifted = xf - xf.max(axis=axis, keepdims=True)
            total = xp.exp(shifted).sum(axis=axis, keepdims=True)
            if r is not None and axis == x.ndim - 1:  # torch's last-dim kernel stores Σ and
                lse = r(xp.log(r(total)))  # its log in the type; the others round only y
            else:
                lse = xp.log(total)
            y = c_order(shifted - lse)  # row-major whatever x's layout, as torch's
            y = y if r is None else y.astype(x.dtype)
        ctx.save_for_backward(y)
        ctx.axis = axis
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        xp = xp_of(g)
        if type(g) is np.ndarray and g.dtype in REDUCED_FLOATS:  # half: in float32 (torch)
            g, y = g.astype(np.float32), y.astype(np.float32)
        # ∂yᵢ/∂xⱼ = δᵢⱼ − softmax(x)ⱼ  ⇒  gx = g − softmax ⊙ Σ g
        return g - xp.exp(y) * xp.sum(g, axis=ctx.axis, keepdims=True), None


def _softmax_dim(input, dim, op, stacklevel: int = 3):
    if dim is None:  # torch's legacy implicit dim, with its deprecation warning
        warnings.warn(f"Implicit dimension choice for {op} has been deprecated. Change the call "
                      "to include dim=X as an argument.", UserWarning, stacklevel=stacklevel)
        dim = 0 if input._data.ndim in (0, 1, 3) else 1
    return _wrap_dim(dim, input._data.ndim, op)


def _empty_non_float(input) -> bool:
    return isinstance(input, Tensor) and input._data.size == 0 and kind_of(
        input._data.dtype) in "iub"


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``torch.softmax``: yᵢ = e^{xᵢ} / Σⱼ e^{xⱼ} along ``dim`` (same shape as the input, e.g.
    (N, C) with dim=1). dtype: the input's, or ``dtype`` (cast first). Raises NotImplementedError
    for an integer input, IndexError for a dim out of range. Derivative: yᵢ(δᵢⱼ − yⱼ).

    Shapes: any; the output has the input's shape (normalized along ``dim``).
    """
    if dtype is not None:
        input = input.to(_dt.to_dtype(dtype, "softmax"))
    if _empty_non_float(input):  # torch runs no kernel (so no dtype check): an empty copy
        _softmax_dim(input, dim, "softmax", _stacklevel)  # (its checks still apply)
        return Tensor._wrap(input._data.copy())
    _float_only(input, "softmax")
    return SoftmaxFn.apply(input, _softmax_dim(input, dim, "softmax", _stacklevel))


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``torch.log_softmax``: yᵢ = xᵢ − log Σⱼ e^{xⱼ} along ``dim`` (same shape as the input).
    dtype: the input's, or ``dtype`` (cast first); float16/bfloat16 compute in float32, and over
    the last dim Σⱼ e^{xⱼ − max} and its log are rounded to the type first (torch's kernel).
    Raises NotImplementedError for an integer input, IndexError for a dim out of range.
    Derivative: δᵢⱼ − softmax(x)ⱼ.

    Shapes: any; the output has the input's shape (normalized along ``dim``).
    """
    if dtype is not None:
        input = input.to(_dt.to_dtype(dtype, "log_softmax"))
    if _empty_non_float(input):  # torch runs no kernel (so no dtype check): an empty copy
        _softmax_dim(input, dim, "log_softmax", _stacklevel)  # (its checks still apply)
        return Tensor._wrap(input._data.copy())
    _float_only(input, "log_softmax")
    return LogSoftmaxFn.apply(input, _softmax_dim(input, dim, "log_softmax", _stacklevel))

silence_ieee_warnings(__name__, "subtract")  # IEEE, silently (_ieee.py)


def _dim_given(op: str, dim, args: int) -> None:
    """torch.softmax/log_softmax and their Tensor methods take an int dim, and only it: None (or
    no dim) is torch's TypeError there; ``F.softmax(x, None)`` keeps the legacy implicit dim."""
    if dim is None:
        raise TypeError(f"{op}(): argument 'dim' (position {args}) must be int, not NoneType "
                        f"(torch.{op} and Tensor.{op} need a dim; F.{op} guesses one)")


def softmax_dim(input, dim, dtype=None):
    """``torch.softmax(input, dim, dtype=None)``, ``Tensor.softmax``: :func:`softmax` (yᵢ =
    e^{xᵢ} / Σⱼ e^{xⱼ} along ``dim``) with an int ``dim`` required, as torch's binding.

    Shapes: any; the output has the input's shape. Raises TypeError for ``dim=None`` (or none
    given), IndexError for a dim out of range, NotImplementedError for an integer input.
    """
    _dim_given("softmax", dim, 2)
    return softmax(input, dim, dtype=dtype)


def log_softmax_dim(input, dim, dtype=None):
    """``torch.log_softmax(input, dim, dtype=None)``, ``Tensor.log_softmax``: :func:`log_softmax`
    (yᵢ = xᵢ − log Σⱼ e^{xⱼ} along ``dim``) with an int ``dim`` required, as torch's binding.

    Shapes: any; the output has the input's shape. Raises TypeError for ``dim=None`` (or none
    given), IndexError for a dim out of range, NotImplementedError for an integer input.
    """
    _dim_given("log_softmax", dim, 2)
    return log_softmax(input, dim, dtype=dtype)
