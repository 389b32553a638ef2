"""quantile and nanquantile, composed as torch composes them: sort, find each q's rank,
gather the values around it and interpolate. Being built from differentiable ops (sort's
gather, arithmetic), the gradient flows to the input and to a tensor ``q``.
"""

from __future__ import annotations

import numpy as np

from ..backend import get_array_module
from ..tensor import Tensor
from ._reduction import one_dim, torch_args, write_out
from ._util import quiet
from .index import GatherFn
from .sort import sort

INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _lerp(a, b, w):
    """a + w (b − a), as torch's CPU lerp rounds it (from the nearer end)."""
    return (a + w * (b - a)).where(w < 0.5, b - (b - a) * (1 - w))


def _check(input, q, interpolation, op):
    if input._data.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"{op}() input tensor must be either float or double dtype")
    if isinstance(q, Tensor):
        if q.ndim > 1:
            raise RuntimeError(f"{op}() q must be a scalar or 1D tensor")
        if q.dtype != input.dtype:
            raise RuntimeError(f"{op}() q tensor must be same dtype as the input tensor")
        qd = q._data
        if not bool(((qd >= 0) & (qd <= 1)).all()):
            raise RuntimeError(f"{op}() q values must be in the range [0, 1]")
    elif isinstance(q, (int, float)) and not isinstance(q, bool):
        if not 0 <= q <= 1:
            raise RuntimeError(f"{op}() q must be in the range [0, 1] but got {q}")
        q = Tensor._wrap(get_array_module(input._data).asarray(q, dtype=input._data.dtype))
    else:
        raise TypeError(f"{op}(): argument 'q' must be a float or a Tensor, not "
                        f"{type(q).__name__}")
    if input.numel() == 0:
        raise RuntimeError(f"{op}() input tensor must be non-empty")
    if interpolation not in INTERPOLATIONS:
        raise RuntimeError(f"{op}() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest, but got {interpolation}")
    return q


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan, op):
    """torch's quantile_compute: values (Q, *rest, n) sorted along the last dim, ranks
    q·(n − 1) (NaN anywhere: the last rank, so the result is NaN; nanquantile: ranks among the
    non-NaN values), then interpolation between the values below and above each rank."""
    q_t = _check(input, q, interpolation, op)
    nd = input.ndim
    if dim is None:
        s = sort(input.reshape(-1)).values  # (n,)
        ax = None
    else:
        ax = one_dim(dim, nd, op)
        s = sort(input.movedim(ax, -1) if nd else input.reshape(1), -1).values  # (*rest, n)
    n = s.shape[-1]
    nq = max(q_t.numel(), 1)
    s = s.unsqueeze(0).expand(nq, *s.shape)
    qv = q_t.reshape(nq, *([1] * (s.ndim - 1)))  # (Q, 1, ..., 1)
    xp = get_array_module(s._data)
    nan = xp.isnan(s._data)
    if ignore_nan:
        count = Tensor._wrap(xp.logical_not(nan).sum(axis=-1, keepdims=True).astype(
            s._data.dtype))
        ranks = qv * (count - 1)
        ranks = (ranks * 0).where(ranks < 0, ranks)  # all NaN: rank 0 (the result is NaN)
    else:
        ranks = qv * (n - 1) + Tensor._wrap(xp.zeros(s._data.shape[:-1] + (1,), s._data.dtype))
        last = Tensor._wrap(xp.asarray(n - 1, dtype=s._data.dtype))
        ranks = last.where(Tensor._wrap(nan.any(axis=-1, keepdims=True)), ranks)
    r = ranks._data
    if interpolation == "lower":
        r = xp.floor(r)
    elif interpolation == "higher":
        r = xp.ceil(r)
    elif interpolation == "nearest":
        r = xp.round(r)  # half to even, as torch.round
    below = r.astype(np.int64)
    result = GatherFn.apply(s, below, s.ndim - 1)
    if interpolation in ("linear", "midpoint"):
        with quiet():
            w = ranks - Tensor._wrap(below.astype(r.dtype)) if interpolation == "linear" else \
                Tensor._wrap(xp.full(r.shape, 0.5, dtype=r.dtype))
            above = GatherFn.apply(s, xp.ceil(r).astype(np.int64), s.ndim - 1)
            result = _lerp(result, above, w)
    result = result.squeeze(-1)  # (Q, *rest)
    if keepdim and nd:
        if ax is None:
            result = result.reshape(nq, *([1] * nd))
        else:
            result = result.unsqueeze(ax + 1)
    result = result.squeeze(0) if q_t.ndim == 0 else result
    result._view = None  # a new tensor to the user, as torch's (not a view of a temporary)
    return result


@torch_args
def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """``torch.quantile``: the q-th quantiles of ``input`` along ``dim`` (None: every
    element). q: a number or a 1-D tensor in [0, 1] (the output then gains a leading dim of
    len(q)). The rank of q is q·(n − 1) in the sorted values; ``interpolation`` (linear,
    lower, higher, midpoint, nearest) says how a fractional rank is resolved. A NaN in the
    slice gives NaN. dtype: float32/float64, q of the same dtype. Raises RuntimeError for q
    out of range or of > 1 dim, an empty input, another dtype. Derivative: the interpolation
    weights to the two values around each rank (and (above − below)·(n − 1) to q).

    Shapes: input (*) → the shape with ``dim`` removed (kept as size 1 with ``keepdim=True``; every
    element when ``dim`` is None), with a leading dim of len(q) for a 1-D ``q``.
    """
    y = _quantile(input, q, dim, keepdim, interpolation, False, "quantile")
    return write_out(y, out, "quantile")


@torch_args
def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """``torch.nanquantile``: :func:`quantile` ignoring NaNs (ranks among the non-NaN values;
    NaN when a slice is all NaN).

    Shapes: input (*) → the shape with ``dim`` removed (kept as size 1 with ``keepdim=True``; every
    element when ``dim`` is None), with a leading dim of len(q) for a 1-D ``q``. Raises IndexError
    for ``dim`` out of range; TypeError for a non-Tensor input.
    """
    y = _quantile(input, q, dim, keepdim, interpolation, True, "nanquantile")
    return write_out(y, out, "nanquantile")


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["nanquantile", "quantile"]

METHODS = {"quantile": quantile, "nanquantile": nanquantile}
