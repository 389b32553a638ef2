"""Reductions: sum, mean, prod, nansum, nanmean, count_nonzero, logsumexp (the norms live in
ops/linalg/norms.py).

A reduction's backward spreads the upstream gradient back over the reduced axes: reshape it
to keep the reduced dims (size 1), then broadcast to the input's shape.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function, is_grad_enabled
from ..backend import get_array_module
from ..dtype import kind_of
from ..tensor import Tensor
from ._dual import xp_of
from ._ieee import silence_ieee_warnings
from ._reduction import (
    accumulate_dtype,
    count,
    dtype_from_out,
    float_out,
    keep,
    reduce_dims,
    refuse_grad_dtype,
    torch_args,
    write_out,
)
from ._util import half_steps, named, quiet
from ._wide_out import logsumexp_into, other_float_out
from .join import CatFn
from .promotion import _dt, cast
from .scan import CumprodFn

_keep, _count = keep, count  # the names the other modules of the family import


def _mean(x, axes, keepdims, n):
    """x.mean without NumPy's warnings: the mean of nothing is nan ("Mean of empty slice"), and
    on NumPy the float mean is NumPy's own steps (Σ by the ufunc's reduce, float16 in float32,
    ÷ n in float64) run here, where their IEEE warnings are silenced (torch's sum to inf is
    silent)."""
    if not n:
        with np.errstate(invalid="ignore", divide="ignore"):
            return x.sum(axis=axes, keepdims=keepdims) / x.dtype.type(0)
    if type(x) is not np.ndarray or kind_of(x.dtype) != "f":
        return x.mean(axis=axes, keepdims=keepdims)
    half = x.dtype == np.float16
    s = np.add.reduce(x, axis=axes, dtype=np.float32 if half else x.dtype, keepdims=keepdims)
    if isinstance(s, np.ndarray):
        s = np.true_divide(s, np.intp(n), out=s, casting="unsafe")
    else:
        s = s.dtype.type(s / np.intp(n))
    return s.astype(x.dtype) if half else s


silence_ieee_warnings(__name__, "reduce")  # Σ overflowing to inf, inf − inf: IEEE, silently
silence_ieee_warnings("tinygrad_edu.dtype", "reduce", "cast")  # reduce_in_dtype's sums


class SumFn(Function):
    """y = Σ x over axes"""

    array_io = True

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.shape, ctx.axes, ctx.keepdim = x.shape, axes, keepdim
        return _dt.reduce_in_dtype(x.sum, x, axes, keepdim)

    @staticmethod
    def backward(ctx, g):
        xp = xp_of(g)
        # ∂y/∂xᵢ = 1: every summed element receives the upstream gradient
        gk = _keep(g, ctx.axes, ctx.keepdim, len(ctx.shape))
        return xp.broadcast_to(gk, ctx.shape), None, None


class MeanFn(Function):
    """y = (1/n) Σ x over axes"""

    array_io = True

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.shape, ctx.axes, ctx.keepdim = x.shape, axes, keepdim
        ctx.n = _count(x.shape, axes)
        return _mean(x, axes, keepdim, ctx.n)

    @staticmethod
    def backward(ctx, g):
        xp = xp_of(g)
        gk = _keep(g, ctx.axes, ctx.keepdim, len(ctx.shape))
        if ctx.n == 0:  # an empty input: no element to receive the gradient
            return xp.broadcast_to(gk * 0, ctx.shape), None, None
        gk = gk / ctx.n  # ∂y/∂xᵢ = 1/n
        return xp.broadcast_to(gk, ctx.shape), None, None


def _half_prod(x, axis, keepdim: bool):
    """Π x over ``axis`` (None: all) for float16/bfloat16 x, rounding to x's dtype after every
    multiply, as torch's CPU prod kernel does (it multiplies in the half type, so a product
    overflows to inf where a float32 accumulator would not; NumPy's half reduce accumulates in
    float32): in order up to 1024 factors (torch's scalar loop), pairwise beyond (torch's vector
    lanes group a long product their own way: the last bits may differ)."""
    xp = get_array_module(x)
    v = xp.reshape(x, (-1,)) if axis is None else xp.moveaxis(x, axis, 0)
    if v.shape[0] == 0:
        y = xp.ones(v.shape[1:], dtype=x.dtype)
    elif v.shape[0] <= 1024:
        y = v[0].copy()
        for i in range(1, v.shape[0]):
            y = y * v[i]
    else:
        y = v
        while y.shape[0] > 1:
            if y.shape[0] % 2:
                y = xp.concatenate([y, xp.ones((1,) + y.shape[1:], dtype=x.dtype)])
            y = y[0::2] * y[1::2]
        y = y[0]
    if keepdim:
        y = xp.reshape(y, (1,) * x.ndim) if axis is None else xp.expand_dims(y, axis)
    return xp.asarray(y, dtype=x.dtype)


class ProdFn(Function):
    """y = Π x over one axis (or all)"""

    array_io = True
    opmath = False  # bfloat16 multiplies in bfloat16, step by step, as torch's prod kernel

    @staticmethod
    def forward(ctx, x, axis, keepdim):
        with quiet():  # inf·0 = nan silently, as torch
            if x.dtype in _dt.REDUCED_FLOATS:
                y = _half_prod(x, axis, keepdim)
            else:
                y = get_array_module(x).asarray(_dt.reduce_in_dtype(x.prod, x, axis, keepdim))
        ctx.save_for_backward(x, y)
        ctx.axis, ctx.keepdim = axis, keepdim
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        xp = xp_of(g)
        axes = None if ctx.axis is None else (ctx.axis,)
        gk = keep(g, axes, ctx.keepdim, x.ndim)
        if x.ndim == 0:
            return g, None, None
        if not bool((x == 0).any()):
            yk = keep(y, axes, ctx.keepdim, x.ndim)
            with quiet():  # inf/inf = nan silently, as torch
                return gk * (yk / x), None, None  # ∂y/∂xᵢ = Π_{j≠i} xⱼ = y / xᵢ (no zero)
        if ctx.axis is None:  # torch: the whole tensor as one flat slice
            # two zeros: every Π_{j≠i} is 0, and torch returns zeros_like (+0, even for a nan
            # g) unless the gradient is to be differentiated again (create_graph: g a Tensor)
            if not isinstance(g, Tensor) and int((x == 0).sum()) > 1:
                return xp.zeros_like(x), None, None
            flat = xp.reshape(x, (-1,))
            return gk * xp.reshape(_others_product(flat, 0), x.shape), None, None
        return gk * _others_product(x, ctx.axis), None, None


def _others_product(x, axis):
    """Π_{j≠i} xⱼ along ``axis`` for every i, exact with zeros (torch's
    prod_safe_zeros_backward): the exclusive cumulative products from the left and from the
    right, multiplied. Built from cumprod and cat, so differentiable again."""
    xp = xp_of(x)
    n = x.shape[axis]
    if n == 0:
        return x
    xa = xp.moveaxis(x, axis, -1)
    last = xa.ndim - 1
    ones = xp.ones_like(xa[..., :1])
    left = CumprodFn.call(CatFn.call(ones, xa[..., : n - 1], axis=last), last)
    right = CumprodFn.call(CatFn.call(ones, xp.flip(xa[..., 1:], -1), axis=last), last)
    return xp.moveaxis(left * xp.flip(right, -1), -1, axis)


class NansumFn(Function):
    """y = Σ x over axes, NaNs counted as 0"""

    array_io = True

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        xp = get_array_module(x)
        ctx.axes, ctx.keepdim = axes, keepdim
        if kind_of(x.dtype) != "f":
            return _dt.reduce_in_dtype(x.sum, x, axes, keepdim)
        ctx.save_for_backward(x)
        with quiet():  # inf + (−inf) = nan silently, as torch
            return xp.nansum(x, axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xp = xp_of(g)
        gk = keep(g, ctx.axes, ctx.keepdim, x.ndim)
        with quiet():  # torch multiplies by the mask (inf·0 = nan, as in nanmean of all-NaN)
            return gk * ~xp.isnan(x), None, None  # ∂y/∂xᵢ = 1, 0 at a NaN


class LogsumexpFn(Function):
    """y = log Σ exp(x) = m + log Σ exp(x - m), m = max x (no overflow)"""

    array_io = True
    opmath = False  # float16/bfloat16: torch's steps, each rounded to the type (half_steps)

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        xp = get_array_module(x)
        r = half_steps(x.dtype)  # torch composes it of half-type ops: x − m, exp, Σ, log, + m
        xf = x if r is None else x.astype(np.float32)
        if x.size:
            m = xf.max(axis=axes, keepdims=True)
            m = xp.where(xp.isfinite(m), m, 0)
        else:  # torch: log Σ over nothing = log 0 = -inf
            m = xp.zeros(xf.sum(axis=axes, keepdims=True).shape, xf.dtype)
        with np.errstate(divide="ignore", over="ignore"):
            if r is None:
                y = xp.log(xp.exp(xf - m).sum(axis=axes, keepdims=True)) + m
            else:  # each step in float32, stored in x's type (the sum accumulated in float32)
                e = r(xp.exp(r(xf - m)))
                y = r(r(xp.log(r(e.sum(axis=axes, keepdims=True)))) + m)
        y = y if keepdim else (y.reshape(()) if axes is None else y.squeeze(axis=axes)).copy()
        y = y.astype(x.dtype, copy=False)
        ctx.save_for_backward(x, y)
        ctx.axes, ctx.keepdim = axes, keepdim
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        gk = _keep(g, ctx.axes, ctx.keepdim, x.ndim)
        yk = _keep(y, ctx.axes, ctx.keepdim, x.ndim)
        r = half_steps(x.dtype) if type(g) is np.ndarray else None
        with quiet():  # x = y = −inf (a slice of −inf): nan, as torch, silently
            if r is not None:  # torch's g·exp(x − y) of half-type ops: each step rounded
                return r(gk.astype(np.float32) * r(np.exp(r(
                    x.astype(np.float32) - yk.astype(np.float32))))), None, None
            return gk * xp_of(g).exp(x - yk), None, None  # ∂y/∂xᵢ = softmax(x)ᵢ


def _axes(dim, input, op):
    """Reduction axes (None: every axis); see :func:`._reduction.reduce_dims`."""
    return reduce_dims(dim, input._data.ndim, op)


def _nth(op: str, dim) -> str:
    """torch's node for a full reduction is <Op>Backward0, for one over dims <Op>Backward1."""
    return f"{op}Backward{0 if dim is None else 1}"


@torch_args(dim_for=("keepdim", "out"))
def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """``torch.sum``: y = Σ x over ``dim`` (None or ``()``: every dim; an int or a tuple).
    Shapes: the reduced dims are removed (kept as size 1 with ``keepdim``). dtype: bool and
    integer inputs sum in int64, or in ``dtype``. Raises IndexError for a dim out of range,
    RuntimeError for a dim given twice or an integer ``dtype`` beside grad. ∂y/∂xᵢ = 1."""
    axes = _axes(dim, input, "sum")
    input = accumulate_dtype(input, dtype, "sum", out)
    return write_out(named(SumFn.apply(input, axes, keepdim), _nth("Sum", dim)), out, "sum")


@torch_args(dim_for=("keepdim",))
def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """``torch.mean``: y = (1/n) Σ x over ``dim`` (n: the number of elements combined; the
    mean of nothing is nan). dtype: floating only (or ``dtype``); integers raise RuntimeError.
    A float16/bfloat16 ``dtype`` is computed as torch's: the input cast to float32, summed,
    divided, then rounded to ``dtype`` once (not cast to ``dtype`` first).
    Derivative: ∂y/∂xᵢ = 1/n. Shapes: input any shape; output drops ``dim`` (kept as size 1 with
    ``keepdim``), 0-d without ``dim``. Raises IndexError for a dim out of range."""
    half = None
    if dtype is None and isinstance(out, Tensor) and out.dtype.is_floating_point and \
            kind_of(input._data.dtype) == "f":  # torch: a float out sets the dtype
        dtype = out.dtype
    if dtype is not None:
        d = _dt.to_dtype(dtype, "mean")
        if d.np in _dt.REDUCED_FLOATS:  # torch: cast to float32 -> sum -> div -> cast to d
            half, d = d, _dt.float32
        input = cast(input, d)
    if kind_of(input._data.dtype) != "f":
        raise RuntimeError(
            f"mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {input.dtype.name.capitalize()}"
        )
    out_t = MeanFn.apply(input, _axes(dim, input, "mean"), keepdim)
    if half is not None:
        out_t = cast(out_t, half)
    return write_out(named(out_t, _nth("Mean", dim)), out, "mean")


@torch_args(dim_for=("keepdim", "out"), dim_type="int")
def prod(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """``torch.prod``: y = Π x over one ``dim`` (or every element). dtype: as :func:`sum`.
    Derivative: ∂y/∂xᵢ = Π_{j≠i} xⱼ (y/xᵢ without zeros; exclusive cumulative products with
    them, so one zero sends its slice's product of the others to that element). Shapes: input any
    shape; output drops ``dim`` (size 1 with ``keepdim``), 0-d without ``dim``. Raises IndexError
    for a dim out of range."""
    if isinstance(dim, (list, tuple)):
        raise TypeError("prod(): argument 'dim' must be int, not tuple")
    axes = _axes(dim, input, "prod")
    input = accumulate_dtype(input, dtype, "prod", out)
    y = ProdFn.apply(input, None if axes is None else axes[0], keepdim)
    return write_out(named(y, _nth("Prod", dim)), out, "prod")


@torch_args(dim_type="tuple of ints")
def logsumexp(input, dim, keepdim=False, *, out=None):
    """``torch.logsumexp``: y = log Σ exp(x) over ``dim``, computed as m + log Σ exp(x − m)
    with m = max x (no overflow). dtype: floating; integers and bools compute in the default
    float dtype; float16/bfloat16 round each step to the type (x − m, exp, Σ accumulated in
    float32, log, + m), as torch composes it. Derivative: ∂y/∂xᵢ = softmax(x)ᵢ = exp(xᵢ − y).
    Shapes: input any shape; output drops ``dim`` (size 1 with ``keepdim``). Raises
    IndexError for a dim out of range."""
    if kind_of(input._data.dtype) != "f":
        input = cast(input, _dt.default_float())
    if other_float_out(input, out) and not (input._rg and is_grad_enabled()):  # (torch's steps
        y = logsumexp_into(input, _axes(dim, input, "logsumexp"), keepdim, out)  # there)
        return write_out(y, out, "logsumexp")
    y = LogsumexpFn.apply(input, _axes(dim, input, "logsumexp"), keepdim)
    return write_out(float_out(y, out), out, "logsumexp")


@torch_args
def nansum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """``torch.nansum``: Σ x over ``dim`` with NaNs treated as zero. dtype: as :func:`sum`.
    Derivative: 1, and 0 at a NaN.

    Shapes: input (*) → the shape with ``dim`` removed (kept as size 1 with ``keepdim=True``); every
    dim when ``dim`` is ``()`` or None. Raises IndexError for ``dim`` out of range; RuntimeError for
    a dim given twice.
    """
    axes = _axes(dim, input, "nansum")
    dtype = dtype_from_out(dtype, out, "nansum", "nansum_cpu" * input.is_floating_point(),
                           input)  # (out= beside grad refused first)
    refuse_grad_dtype(input, dtype, "nansum")  # (before nan_to_num drops the graph)
    if dtype is not None and kind_of(input._data.dtype) == "f" and \
            not _dt.to_dtype(dtype, "nansum").is_floating_point:  # torch: nan_to_num first
        d = input._data  # (nan 0, ±inf the dtype's extremes), then the cast to the integer
        xp, hi = get_array_module(d), d.dtype.type(_dt.finfo(d.dtype).max)  # dtype (no
        # gradient there; minimum/maximum, as NumPy's nan_to_num skips bfloat16)
        input = Tensor._wrap(xp.where(d != d, 0, xp.minimum(xp.maximum(d, -hi), hi)))
    input = accumulate_dtype(input, dtype, "nansum")
    return write_out(NansumFn.apply(input, axes, keepdim), out, "nansum")


@torch_args
def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """``torch.nanmean``: the mean of the non-NaN elements over ``dim`` (nansum / their
    count; nan when every element is NaN), as torch composes it. dtype: floating only
    (RuntimeError). Derivative: 1/count, 0 at a NaN.

    Shapes: input (*) → the shape with ``dim`` removed (kept as size 1 with ``keepdim=True``); every
    dim when ``dim`` is ``()`` or None. Raises IndexError for ``dim`` out of range; RuntimeError for
    a dim given twice or an integer input.
    """
    if kind_of(input._data.dtype) != "f":  # checked before dtype= (torch refuses int input)
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype "
                           f"but got {input.dtype.name.capitalize()}")
    dtype = dtype_from_out(dtype, out, "nanmean", floats_only="nansum_cpu", input=input)
    if dtype is not None:
        input = cast(input, _dt.to_dtype(dtype, "nanmean"))
    if kind_of(input._data.dtype) != "f":
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype "
                           f"but got {input.dtype.name.capitalize()}")
    axes = _axes(dim, input, "nanmean")
    xp = get_array_module(input._data)
    n = xp.logical_not(xp.isnan(input._data)).sum(axis=axes, keepdims=keepdim)
    with quiet():
        y = NansumFn.apply(input, axes, keepdim) / Tensor._wrap(xp.asarray(n))
    return write_out(y, out, "nanmean")


@torch_args
def count_nonzero(input, dim=None):
    """``torch.count_nonzero``: how many elements are not zero over ``dim`` (None or ``()``:
    all). int64, no gradient.

    Shapes: input (*) → the shape with ``dim`` removed; 0-d when ``dim`` is None. Raises IndexError
    for ``dim`` out of range; RuntimeError for a dim given twice.
    """
    axes = _axes(dim, input, "count_nonzero")
    xp = get_array_module(input._data)
    n = xp.count_nonzero(input._data, axis=axes)
    return Tensor._wrap(xp.asarray(n, dtype=np.int64))


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["count_nonzero", "logsumexp", "mean", "nanmean", "nansum", "prod", "sum"]

METHODS = {"sum": sum, "mean": mean, "prod": prod, "logsumexp": logsumexp,
           "nansum": nansum, "nanmean": nanmean, "count_nonzero": count_nonzero}
