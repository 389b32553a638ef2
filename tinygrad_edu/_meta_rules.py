"""NumPy's shape and dtype rules, as the meta device needs them (:mod:`tinygrad_edu._meta`):
each function returns what a NumPy call would give, ``(shape, dtype)``, without computing it.
The dtype (and NumPy's own errors: an empty reduction without identity, an unknown axis)
comes from the same call on a tiny stand-in: 0-d, or one element per dimension (zero-size
dimensions kept); the shape from NumPy's rule."""

from __future__ import annotations

import warnings

import numpy as np


def tiny(x):
    """A 0-d array of an array operand's dtype; Python numbers and NumPy scalars as they are
    (NEP 50: their dtype is weak, an array's is not)."""
    if hasattr(x, "dtype") and not isinstance(x, np.generic):
        return np.zeros((), x.dtype)
    return x


def dtypes(fn, inputs, kwargs) -> tuple:
    """The dtype of each output of ``fn(*inputs, **kwargs)``."""
    kw = {k: v for k, v in kwargs.items() if k not in ("where", "axes", "axis", "keepdims")}
    with np.errstate(all="ignore"):
        res = fn(*[tiny(x) for x in inputs], **kw)
    res = res if isinstance(res, tuple) else (res,)
    return tuple(np.asarray(r).dtype for r in res)


def matmul_shape(a: tuple, b: tuple) -> tuple:
    """``np.matmul``'s (n?,k),(k,m?)->(n?,m?) with broadcast batch dims."""
    if not a or not b:
        raise ValueError("matmul: Input operand does not have enough dimensions")
    a2 = (1,) + a if len(a) == 1 else a
    b2 = b + (1,) if len(b) == 1 else b
    if a2[-1] != b2[-2]:
        raise ValueError(f"matmul: Input operand 1 has a mismatch in its core dimension 0, "
                         f"with gufunc signature (n?,k),(k,m?)->(n?,m?) (size {b2[-2]} is "
                         f"different from {a2[-1]})")
    batch = np.broadcast_shapes(a2[:-2], b2[:-2])
    return batch + a2[-2:-1] * (len(a) > 1) + b2[-1:] * (len(b) > 1)


def ufunc_call(ufunc, inputs, kwargs):
    """``ufunc(*inputs)``: (broadcast shape, the outputs' dtypes); matmul: its own rule."""
    shapes = [np.shape(x) if not hasattr(x, "shape") else x.shape for x in inputs]
    if ufunc is np.matmul:
        with np.errstate(all="ignore"):
            dt = np.matmul(*[np.zeros((1, 1), x.dtype) for x in inputs], **kwargs).dtype
        return matmul_shape(*shapes), (dt,)
    if "where" in kwargs:
        shapes.append(np.shape(kwargs["where"]))
    return np.broadcast_shapes(*shapes), dtypes(ufunc, inputs, kwargs)


def _tiny_of(x):
    return np.broadcast_to(np.zeros((), x.dtype), tuple(min(n, 1) for n in x.shape))


def _reduced(shape, axis, keepdims) -> tuple:
    nd = len(shape)
    axes = range(nd) if axis is None else (axis,) if isinstance(axis, (int, np.integer)) \
        else axis
    axes = {int(a) % max(nd, 1) for a in axes}
    return tuple(1 if i in axes else n for i, n in enumerate(shape) if keepdims or i not in axes)


def ufunc_reduce(ufunc, method, x, kwargs):
    """``ufunc.reduce``/``accumulate`` (axis 0 by default, as NumPy's)."""
    kw = {k: v for k, v in kwargs.items() if k != "where"}
    with np.errstate(all="ignore"):
        dt = np.asarray(getattr(ufunc, method)(_tiny_of(x), **kw)).dtype
    if method == "accumulate":
        return x.shape, dt
    return _reduced(x.shape, kwargs.get("axis", 0), kwargs.get("keepdims", False)), dt


def reduction(func, scan: bool, x, rest, kwargs):
    """``np.sum(x, axis, ..., keepdims=)`` and the other reductions (axis None by default);
    ``scan``: ``np.cumsum`` and the like (flattened without an axis)."""
    kw = {k: v for k, v in kwargs.items() if k != "out"}
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # nanmean of nothing ...
        dt = np.asarray(func(_tiny_of(x), *rest, **kw)).dtype
    axis = kwargs.get("axis", rest[0] if rest else None)
    if scan:
        return ((x.size,) if axis is None else x.shape), dt
    return _reduced(x.shape, axis, kwargs.get("keepdims", False)), dt
