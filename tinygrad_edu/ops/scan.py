"""Scans (cumulative ops along one dim): cumsum, cumprod, cummax, cummin, logcumsumexp.

The backward of a scan is a scan run the other way: each output yᵢ depends on x₀..xᵢ, so the
gradient of xⱼ gathers the upstream gradients of yⱼ..yₙ₋₁ (a cumulative sum from the end).
"""

from __future__ import annotations

import numpy as np

from .. import dtype as _dt
from ..autograd import Function
from ..backend import get_array_module
from ..dtype import finfo, kind_of
from ..tensor import Tensor
from ._dual import xp_of
from ._ieee import silence_ieee_warnings
from ._reduction import dtype_from_out, one_dim, refuse_grad_dtype, torch_args, write_out
from ._util import c_order, named, quiet
from .index import GatherFn
from .inplace import inplace
from .join import CatFn
from .promotion import CastFn, cast
from .return_types import cummax_type, cummin_type
from .unary import clone


def _reverse_cumsum(g, axis):
    """Σ_{i ≥ j} gᵢ along ``axis`` (a cumulative sum from the end)."""
    xp = xp_of(g)
    return xp.flip(_from_plus_zero(xp.cumsum(xp.flip(g, axis), axis=axis)), axis)


def _from_plus_zero(s):
    """A running sum as torch's kernels compute it, starting from +0: 0 + (-0.0) is +0, so no
    element of torch's cumsum is -0.0 (NumPy's copies a leading -0.0). ``s`` is a fresh array:
    adding +0 in place changes every -0.0 to +0 and nothing else."""
    if isinstance(s, Tensor):  # (create_graph: the backward runs on Tensors)
        return s + 0.0 if s.is_floating_point() else s
    if s.dtype.kind in "fc":
        s += 0
    return s


def _wide(x):
    """torch's CPU scans accumulate float16/float32 in double (``acc_type``), then round once:
    the running value of the sum (product, logaddexp) keeps its low bits."""
    return x.astype(np.float64) if kind_of(x.dtype) == "f" and x.dtype.itemsize < 8 else x


_BF16 = _dt.bfloat16.np


def accumulate(xp, ufunc: str, x, axis: int):
    """``xp.<ufunc>.accumulate(x, axis)`` (running max, running logaddexp); a loop over the
    axis where the array library has no ``accumulate`` for that ufunc (CuPy)."""
    fn = getattr(xp, ufunc)
    if x.dtype == _BF16:  # ml_dtypes' ufuncs warn on NaN: run in float32, round once
        return accumulate(xp, ufunc, x.astype(np.float32), axis).astype(_BF16)
    try:
        return fn.accumulate(x, axis=axis)
    except (AttributeError, NotImplementedError, TypeError):
        xa = xp.moveaxis(x, axis, -1).copy()
        for k in range(1, xa.shape[-1]):
            xa[..., k] = fn(xa[..., k - 1], xa[..., k])
        return xp.moveaxis(xa, -1, axis)


class CumsumFn(Function):
    """yᵢ = Σ_{j ≤ i} xⱼ along one axis"""

    array_io = True

    @staticmethod
    def forward(ctx, x, axis, dtype=None):
        ctx.axis, ctx.src, x = axis, x.dtype, _to(x, dtype)
        # row-major whatever x's layout (torch's); the array's own method, so that a warning
        # comes from this module, which silences it
        return _from_plus_zero(_wide(c_order(x)).cumsum(axis=axis)).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        # ∂L/∂xⱼ = Σ_{i ≥ j} ∂L/∂yᵢ: a cumulative sum from the end (torch's derivatives.yaml:
        # in x's own dtype, grad.to(self.scalar_type()), not in cumsum's dtype=)
        return _reverse_cumsum(_as_src(g, ctx.src), ctx.axis), None, None


def _as_src(g, src):
    """The gradient in the input's own dtype ``src``."""
    return g if (g._data if isinstance(g, Tensor) else g).dtype == src else CastFn.call(g, src)


def _to(x, dtype):
    """x as ``dtype`` (a scan's dtype= applied inside its node, as torch: no ToCopy node)."""
    if dtype is None or x.dtype == dtype:
        return x
    with quiet():
        return x.astype(dtype)


class CumprodFn(Function):
    """yᵢ = Π_{j ≤ i} xⱼ along one axis"""

    array_io = True

    @staticmethod
    def forward(ctx, x, axis, dtype=None):
        ctx.axis, ctx.src = axis, x.dtype
        xr = c_order(_to(x, dtype))  # row-major, as torch's (x itself is saved: no intermediate)
        with quiet():  # inf·0 = nan silently, as torch
            y = get_array_module(x).cumprod(_wide(xr), axis=axis).astype(xr.dtype, copy=False)
        ctx.save_for_backward(x, y)  # (torch's cumprod_backward: self, and result in dtype=)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        ax = ctx.axis
        g = _as_src(g, ctx.src)  # in x's own dtype, as torch (grad.to(self.scalar_type()))
        if x.shape[ax] <= 1:
            return g, None, None  # y = x
        with quiet():  # infinities give nan silently, as torch
            if not bool((x == 0).any()):
                # ∂L/∂xⱼ = Σ_{i ≥ j} gᵢ yᵢ / xⱼ  (yᵢ = Π_{m ≤ i} xₘ contains xⱼ once)
                return _reverse_cumsum(y * g, ax) / x, None, None
            if isinstance(g, Tensor):  # zeros, differentiable again: torch's O(n²) formula
                return _cumprod_grad_with_zeros(x, g, ax), None, None
            return _cumprod_grad_zeros_fast(x, y, g, ax), None, None


def _cumprod_grad_with_zeros(x, g, ax):
    """∂L/∂xₖ = Σ_{j ≥ k} gⱼ Π_{m ≤ j, m ≠ k} xₘ, one k at a time (exact with zeros; each step
    is an op, so the result is differentiable again)."""
    xp = xp_of(g)
    xa, ga = xp.moveaxis(x, ax, -1), xp.moveaxis(g, ax, -1)
    last, n = xa.ndim - 1, xa.shape[-1]
    ones = xp.ones_like(xa[..., :1])
    cols = []
    for k in range(n):
        # Π_{k < m ≤ j} xₘ for j = k..n-1 (1 at j = k), times Π_{m < k} xₘ
        after = CumprodFn.call(xa[..., k + 1:], last) if k + 1 < n else None
        omitted = ones if after is None else CatFn.call(ones, after, axis=last)
        if k:
            omitted = omitted * CumprodFn.call(xa[..., :k], last)[..., k - 1:k]
        cols.append(xp.sum(ga[..., k:] * omitted, axis=-1, keepdims=True))
    return xp.moveaxis(CatFn.call(*cols, axis=last), -1, ax)


def _cumprod_grad_zeros_fast(x, y, g, ax):
    """The same gradient in O(n) on arrays (torch's first-order path): before the first zero
    of a slice the usual formula holds; at the first zero z₁ the gradient is
    y_{z₁-1} Σ_{z₁ ≤ j < z₂} gⱼ Π_{z₁ < m ≤ j} xₘ; after it, 0 (every product holds that zero)."""
    xp = get_array_module(x)
    is_zero = x == 0
    zeros_seen = xp.cumsum(is_zero, axis=ax)
    before = zeros_seen == 0
    with quiet():
        gin = xp.where(before, _reverse_cumsum(xp.where(before, y * g, 0), ax)
                       / xp.where(before, x, 1), 0)
    first = (zeros_seen == 1) & is_zero
    between = (zeros_seen == 1) & ~is_zero
    run = xp.cumprod(xp.where(between, x, 1), axis=ax)
    total = xp.sum(run * xp.where(zeros_seen == 1, g, 0), axis=ax, keepdims=True)
    ones = xp.ones_like(xp.take(y, [0], axis=ax))
    shifted = xp.concatenate([ones, xp.take(y, range(y.shape[ax] - 1), axis=ax)], axis=ax)
    return xp.where(first, total * shifted, gin)


class LogcumsumexpFn(Function):
    """yᵢ = log Σ_{j ≤ i} exp(xⱼ) along one axis (a running logaddexp: no overflow)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, axis):
        ctx.axis = axis
        xr = c_order(x)  # a row-major result, as torch's (x itself is saved: no intermediate)
        with quiet():
            y = accumulate(get_array_module(x), "logaddexp", _wide(xr), axis).astype(x.dtype,
                                                                                  copy=False)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        ax = ctx.axis
        xp = xp_of(g)
        if g.ndim == 0 or g.size == 0:
            return g, None

        def reverse_lcse(v):
            return xp.flip(LogcumsumexpFn.call(xp.flip(v, ax), ax), ax)

        # ∂L/∂xⱼ = Σ_{i ≥ j} gᵢ exp(xⱼ − yᵢ), in log space with the signs of g apart
        # (torch's formula, after TensorFlow's): exp(xⱼ + log Σ_{i≥j} exp(log|gᵢ| − yᵢ))
        lowest = float(finfo((g._data if isinstance(g, Tensor) else g).dtype).min)
        with quiet():
            log_abs = xp.log(xp.abs(g))
            pos = xp.where(g > 0, log_abs, lowest)
            neg = xp.where(g < 0, log_abs, lowest)
            return xp.exp(reverse_lcse(pos - y) + x) - xp.exp(reverse_lcse(neg - y) + x), None


# ---- public functions ---------------------------------------------------------------------------
def _scan_input(input, dim, dtype, op: str, integer_ok: bool = True, out=None):
    """(input cast as torch does, axis or None for a 0-d input, the floating dtype= of a
    floating input: applied inside the scan's node, whose gradient is in the input's dtype).
    Without ``dtype`` an ``out`` sets it (torch computes in out's dtype: int64 out casts x)."""
    to = None
    given, dtype = dtype is not None, dtype_from_out(dtype, out, op, input=input)
    if dtype is not None:
        if _dt.to_dtype(dtype, op) is _dt.bool_:  # torch has no bool accumulation kernel
            raise NotImplementedError(f'"{op}_out_cpu" not implemented for \'Bool\'')
        if given:
            refuse_grad_dtype(input, dtype, op)
        to = _dt.to_dtype(dtype, op)
        if kind_of(input._data.dtype) != "f" or kind_of(to.np) != "f" or \
                input._data.dtype in (to.np, _BF16):  # (bfloat16: opmath rounds the node's
            input, to = cast(input, to), None  # output back to it, so cast before the node)
    elif kind_of(input._data.dtype) in "biu" and integer_ok:
        input = cast(input, _dt.int64)  # torch: integer scans accumulate in int64
    if input._data.ndim == 0:
        one_dim(dim, 0, op)
        return input, None, to
    return input, one_dim(dim, input._data.ndim, op), to


def _inplace_scan(op: str, scan):
    """``x.cumsum_(dim, *, dtype=None)``: the scan written back into x, in x's own dtype;
    torch refuses a ``dtype`` other than x's (RuntimeError "Bad in-place call"), and a bool x
    has no kernel (NotImplementedError)."""
    def method(self, dim, *, dtype=None):
        if dtype is not None and _dt.to_dtype(dtype, op) != self.dtype:
            raise RuntimeError(f"Bad in-place call: input tensor dtype "
                               f"{_dt.cpp_type_name(self.dtype)} and output tensor dtype "
                               f"{_dt.cpp_type_name(_dt.to_dtype(dtype, op))} should match "
                               f"({op}_ of a tensor of shape {list(self.shape)})")
        return inplace(self, f"{op}_", scan, dim, dtype=self.dtype)

    method.__name__ = method.__qualname__ = f"{op}_"
    method.__doc__ = _inplace_scan.__doc__.replace("cumsum", op)
    return method


@torch_args
def cumsum(input, dim, *, dtype=None, out=None):
    """``torch.cumsum``: yᵢ = Σ_{j ≤ i} xⱼ along ``dim``. Shapes: as the input. dtype: bool and
    integers accumulate in int64 (uint8 [200, 100] gives [200, 300]), or in ``dtype``.
    Raises IndexError for a dim out of range. Derivative: ∂L/∂xⱼ = Σ_{i ≥ j} ∂L/∂yᵢ."""
    input, ax, to = _scan_input(input, dim, dtype, "cumsum", out=out)
    y = named(clone(cast(input, to) if to else input), "CumsumBackward0") if ax is None else \
        CumsumFn.apply(input, ax, to and to.np)
    return write_out(y, out, "cumsum")


@torch_args
def cumprod(input, dim, *, dtype=None, out=None):
    """``torch.cumprod``: yᵢ = Π_{j ≤ i} xⱼ along ``dim``. dtype: as :func:`cumsum`.
    Derivative: ∂L/∂xⱼ = Σ_{i ≥ j} gᵢ Π_{m ≤ i, m ≠ j} xₘ (= Σ_{i≥j} gᵢyᵢ/xⱼ without zeros;
    exact with zeros, and differentiable again).

    Shapes: any; the output(s) have the input's shape. Raises IndexError for ``dim`` out of range;
    TypeError for a non-Tensor input.
    """
    input, ax, to = _scan_input(input, dim, dtype, "cumprod", out=out)
    y = named(clone(cast(input, to) if to else input), "CumprodBackward0") if ax is None else \
        CumprodFn.apply(input, ax, to and to.np)
    return write_out(y, out, "cumprod")


def _cum_extreme(input, dim, is_min: bool, out):
    op = "cummin" if is_min else "cummax"
    ret = cummin_type if is_min else cummax_type
    node = "CumminBackward0" if is_min else "CummaxBackward0"
    xp = get_array_module(input._data)
    if input._data.ndim == 0:
        one_dim(dim, 0, op)
        res = ret(named(clone(input), node), Tensor._wrap(xp.zeros((), np.int64)))
        return write_out(res, out, op)
    ax = one_dim(dim, input._data.ndim, op)
    x = c_order(input._data)  # row-major values and indices, as torch's
    vals = accumulate(xp, "minimum" if is_min else "maximum", x, ax)
    # x wins where it equals the running extreme (ties: the later index, as torch) or is nan
    chosen = x == vals
    if kind_of(x.dtype) == "f":
        chosen |= xp.isnan(x)
    shape = [1] * x.ndim
    shape[ax] = x.shape[ax]
    pos = xp.arange(x.shape[ax], dtype=np.int64).reshape(shape)
    idx = accumulate(xp, "maximum", xp.where(chosen, pos, 0), ax) if x.size else \
        xp.zeros(x.shape, np.int64)
    # the values are x gathered at those indices: the gradient goes to each chosen element
    values = named(GatherFn.apply(input, idx, ax), node)
    return write_out(ret(values, Tensor._wrap(idx)), out, op)


@torch_args
def cummax(input, dim, *, out=None):
    """``torch.cummax``: (values, indices) with valuesᵢ = max_{j ≤ i} xⱼ along ``dim`` and
    indicesᵢ the position of that maximum (the last one on ties; nan wins and stays, as in
    torch). indices are int64. Derivative: each gᵢ goes to x[indicesᵢ] (a scatter-add).

    Shapes: any; the output(s) have the input's shape. Raises IndexError for ``dim`` out of range;
    TypeError for a non-Tensor input.
    """
    return _cum_extreme(input, dim, False, out)


@torch_args
def cummin(input, dim, *, out=None):
    """``torch.cummin``: as :func:`cummax` with the running minimum.

    Shapes: any; the output(s) have the input's shape. Raises IndexError for ``dim`` out of range;
    TypeError for a non-Tensor input.
    """
    return _cum_extreme(input, dim, True, out)


@torch_args
def logcumsumexp(input, dim, *, out=None):
    """``torch.logcumsumexp``: yᵢ = log Σ_{j ≤ i} exp(xⱼ) along ``dim``, as a running
    logaddexp (no overflow). dtype: floating only (integers and bool raise NotImplementedError,
    as torch).
    Derivative: ∂L/∂xⱼ = Σ_{i ≥ j} gᵢ exp(xⱼ − yᵢ) (a softmax weight per output).

    Shapes: any; the output(s) have the input's shape.
    """
    if kind_of(input._data.dtype) != "f":
        raise NotImplementedError(f"logcumsumexp(): \"logcumsumexp_out_cpu\" not implemented for "
                                  f"'{_dt.torch_type_name(input._data.dtype)}' (expected a "
                                  "floating point tensor)")
    input, ax, _ = _scan_input(input, dim, None, "logcumsumexp")
    y = (named(clone(input), "LogcumsumexpBackward0") if ax is None
         else LogcumsumexpFn.apply(input, ax))
    return write_out(y, out, "logcumsumexp")


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["cummax", "cummin", "cumprod", "cumsum", "logcumsumexp"]

METHODS = {"cumsum": cumsum, "cumprod": cumprod, "cummax": cummax, "cummin": cummin,
           "logcumsumexp": logcumsumexp, "cumsum_": _inplace_scan("cumsum", cumsum),
           "cumprod_": _inplace_scan("cumprod", cumprod)}

silence_ieee_warnings(__name__, "accumulate", "cast")  # inf − inf, a sum past the max: IEEE
