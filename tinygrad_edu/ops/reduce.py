"""Reductions: sum, mean, prod, logsumexp, norm.

A reduction's backward spreads the upstream gradient back over the reduced axes: reshape it
to keep the reduced dims (size 1), then broadcast to the input's shape.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..backend import get_array_module
from ._dual import xp_of
from ._util import check_float, dims, named, quiet
from .promotion import _dt, cast


def _keep(g, axes, keepdim, ndim):
    """ReshapeFn a reduced gradient so it broadcasts against the input again."""
    if keepdim or axes is None and g.ndim == ndim:
        return g
    if axes is None:
        return g.reshape((1,) * ndim)
    return xp_of(g).expand_dims(g, axes)


def _count(shape, axes) -> int:
    if axes is None:
        return int(np.prod(shape))
    return int(np.prod([shape[a] for a in axes]))


def _mean(x, axes, keepdims, n):
    """x.mean without NumPy's "MeanFn of empty slice" warning: the mean of nothing is nan."""
    if n:
        return x.mean(axis=axes, keepdims=keepdims)
    with np.errstate(invalid="ignore", divide="ignore"):
        return x.sum(axis=axes, keepdims=keepdims) / x.dtype.type(0)


class SumFn(Function):
    """y = Σ x over axes"""

    array_io = True

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.shape, ctx.axes, ctx.keepdim = x.shape, axes, keepdim
        return x.sum(axis=axes, keepdims=keepdim)

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
            return xp.broadcast_to(xp.zeros_like(gk), ctx.shape), None, None
        gk = gk / ctx.n  # ∂y/∂xᵢ = 1/n
        return xp.broadcast_to(gk, ctx.shape), None, None


class ProdFn(Function):
    """y = Π x over one axis (or all)"""

    array_io = True

    @staticmethod
    def reference(x, axis, keepdim):
        """The plain twin: multiply the slices one by one (exact with zeros; used for double
        backward)."""
        xa = x.reshape(-1) if axis is None else x.movedim(axis, -1)
        out = xa.new_ones(xa.shape[:-1])
        for k in range(xa.shape[-1]):
            out = out * xa[..., k]
        if keepdim and axis is not None:
            out = out.unsqueeze(axis)
        elif keepdim:
            out = out.reshape((1,) * x.ndim)
        return out

    @staticmethod
    def forward(ctx, x, axis, keepdim):
        ctx.save_for_backward(x)
        ctx.axis, ctx.keepdim = axis, keepdim
        return x.prod(axis=axis, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xp = get_array_module(x)
        if x.size == 0:  # nothing to send the gradient to
            return xp.zeros_like(x), None, None
        axis = ctx.axis
        xa = x.reshape(-1) if axis is None else xp.moveaxis(x, axis, -1)
        # ∂y/∂xᵢ = Π_{j≠i} xⱼ, built from exclusive cumulative products (exact with zeros)
        ones = xp.ones(xa.shape[:-1] + (1,), dtype=x.dtype)
        left = xp.concatenate([ones, xp.cumprod(xa, axis=-1)[..., :-1]], axis=-1)
        right = xp.flip(xp.concatenate(
            [ones, xp.cumprod(xp.flip(xa, -1), axis=-1)[..., :-1]], axis=-1), -1)
        others = left * right
        if axis is None:
            return g.reshape(()) * others.reshape(x.shape), None, None
        gk = g if ctx.keepdim else xp.expand_dims(g, axis)
        return gk * xp.moveaxis(others, -1, axis), None, None


class LogsumexpFn(Function):
    """y = log Σ exp(x) = m + log Σ exp(x - m), m = max x (no overflow)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        xp = get_array_module(x)
        if x.size:
            m = x.max(axis=axes, keepdims=True)
            m = xp.where(xp.isfinite(m), m, 0)
        else:  # torch: log Σ over nothing = log 0 = -inf
            m = xp.zeros(x.sum(axis=axes, keepdims=True).shape, x.dtype)
        with np.errstate(divide="ignore"):
            y = xp.log(xp.exp(x - m).sum(axis=axes, keepdims=True)) + m
        y = y if keepdim else (y.reshape(()) if axes is None else y.squeeze(axis=axes)).copy()
        ctx.save_for_backward(x, y)
        ctx.axes, ctx.keepdim = axes, keepdim
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        gk = _keep(g, ctx.axes, ctx.keepdim, x.ndim)
        yk = _keep(y, ctx.axes, ctx.keepdim, x.ndim)
        return gk * xp_of(g).exp(x - yk), None, None  # ∂y/∂xᵢ = softmax(x)ᵢ


class NormFn(Function):
    """y = (Σ |x|ᵖ)^(1/p) over axes (p = 2 by default, 1, inf, or any p > 0)"""

    node_name = "LinalgVectorNormBackward0"  # torch's name for this node

    array_io = True

    @staticmethod
    def forward(ctx, x, p, axes, keepdim):
        xp = get_array_module(x)
        a = xp.abs(x)
        if p == np.inf:
            y = a.max(axis=axes, keepdims=True)
        elif p == 2:
            y = xp.sqrt((x * x).sum(axis=axes, keepdims=True))
        elif p == 1:
            y = a.sum(axis=axes, keepdims=True)
        else:
            y = (a**p).sum(axis=axes, keepdims=True) ** (1.0 / p)
        y = y if keepdim else (y.reshape(()) if axes is None else y.squeeze(axis=axes)).copy()
        ctx.save_for_backward(x, y)
        ctx.p, ctx.axes, ctx.keepdim = p, axes, keepdim
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        xp = xp_of(g)
        p = ctx.p
        gk = _keep(g, ctx.axes, ctx.keepdim, x.ndim)
        y = _keep(y, ctx.axes, ctx.keepdim, x.ndim)
        with quiet():
            if p == 1:
                local = xp.sign(x)  # ∂‖x‖₁/∂xᵢ = sign(xᵢ)
            elif p == 2:
                local = xp.where(y == 0, 0, x / y)  # ∂‖x‖₂/∂xᵢ = xᵢ/‖x‖; torch: 0 at ‖x‖ = 0
            elif p == np.inf:
                mask = xp.abs(x) == y  # like amax of |x|: ties share evenly
                local = xp.sign(x) * mask / xp.sum(mask, axis=ctx.axes, keepdims=True)
            elif p < 1:  # torch's order: sign(xᵢ)|xᵢ|^(p-1) · g · ‖x‖^(1-p)
                return xp.where(x == 0, 0, xp.sign(x) * xp.abs(x) ** (p - 1)) * gk * y ** (
                    1 - p), None, None, None
            else:  # ∂/∂xᵢ = sign(xᵢ)|xᵢ|^(p-1) / ‖x‖^(p-1)
                local = xp.where(y == 0, 0, xp.sign(x) * xp.abs(x) ** (p - 1) / y ** (p - 1))
        return gk * local, None, None, None


# ---- public functions ---------------------------------------------------------------------------
def _axes(dim, input, op):
    """Reduction axes; torch accepts dim 0/-1 on a 0-d tensor (it reduces nothing)."""
    if input._data.ndim == 0:
        dims(dim, 0, op)  # still validates the dim
        return None
    return dims(dim, input._data.ndim, op)


def _nth(op: str, dim) -> str:
    """torch's node for a full reduction is <Op>Backward0, for one over dims <Op>Backward1."""
    return f"{op}Backward{0 if dim is None else 1}"


def sum(input, dim=None, keepdim=False, *, dtype=None):
    axes = _axes(dim, input, "sum")
    if input._data.dtype.kind in "bu" or input._data.dtype == np.int32:
        input = cast(input, dtype and _dt.to_dtype(dtype) or _dt.int64)
    elif dtype is not None:
        input = cast(input, _dt.to_dtype(dtype))
    return named(SumFn.apply(input, axes, keepdim), _nth("Sum", dim))


def mean(input, dim=None, keepdim=False, *, dtype=None):
    if dtype is not None:
        input = cast(input, _dt.to_dtype(dtype))
    if input._data.dtype.kind != "f":
        raise RuntimeError(
            f"mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {input.dtype.name.capitalize()}"
        )
    return named(MeanFn.apply(input, _axes(dim, input, "mean"), keepdim), _nth("Mean", dim))


def prod(input, dim=None, keepdim=False, *, dtype=None):
    axis = None if dim is None or input._data.ndim == 0 else dims(dim, input._data.ndim,
                                                                      "prod")[0]
    return named(ProdFn.apply(input, axis, keepdim), _nth("Prod", dim))


def logsumexp(input, dim, keepdim=False):
    check_float(input, "logsumexp")
    return LogsumexpFn.apply(input, _axes(dim, input, "logsumexp"), keepdim)


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    check_float(input, "norm")
    if p in ("fro", None):
        p = 2
    if p in ("inf", float("inf")):
        p = np.inf
    if not (p == np.inf or (isinstance(p, (int, float)) and p > 0)):
        raise RuntimeError(f"norm: p must be a positive number, inf or 'fro' (got {p!r})")
    axes = _axes(dim, input, "norm")
    if p == np.inf and input._data.size == 0:  # max over nothing: torch refuses
        shape = input._data.shape
        for a in range(len(shape)) if axes is None else axes:
            if shape[a] == 0:
                raise RuntimeError(
                    "linalg.vector_norm cannot compute the inf norm on "
                    + ("an empty tensor" if axes is None else f"the dimension {a}")
                    + " because the operation does not have an identity (norm of shape "
                    f"{list(shape)})")
    return NormFn.apply(input, float(p), axes, keepdim)


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["logsumexp", "mean", "norm", "prod", "sum"]

METHODS = {"sum": sum, "mean": mean, "prod": prod, "logsumexp": logsumexp, "norm": norm}
