"""Matrix helpers: tril/triu (a mask multiply), diag, outer.

Each is linear in its input, so each backward applies the same selection to the gradient.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..backend import get_array_module
from ..tensor import Tensor
from ._util import named
from .arithmetic import mul
from .index import GetItemFn, IndexAccumulateFn
from .shape import reshape


class TrilFn(Function):
    """y = x ⊙ M, M[i, j] = [j - i ≤ k] (lower triangle, on the last two axes)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return get_array_module(x).tril(x, k)

    @staticmethod
    def backward(ctx, g):
        return TrilFn.call(g, ctx.k), None  # ∂y/∂x = M (the same mask)


class TriuFn(Function):
    """y = x ⊙ M, M[i, j] = [j - i ≥ k] (upper triangle, on the last two axes)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return get_array_module(x).triu(x, k)

    @staticmethod
    def backward(ctx, g):
        return TriuFn.call(g, ctx.k), None  # ∂y/∂x = M (the same mask)


def _diag_index(xp, shape, k):
    """(rows, cols) of the k-th diagonal of a matrix of ``shape``."""
    rows, cols = shape
    i = np.arange(max(0, -k), rows)
    i = i[i + k < cols]
    return xp.asarray(i), xp.asarray(i + k)


class DiagFn(Function):
    """1-D x: y = the matrix with x on its k-th diagonal; 2-D x: y = x's k-th diagonal"""

    array_io = True

    @staticmethod
    def forward(ctx, x, k):
        xp = get_array_module(x)
        ctx.shape, ctx.k = x.shape, k
        if x.ndim == 1:
            n = x.shape[0] + abs(k)
            y = xp.zeros((n, n), dtype=x.dtype)
            r, c = _diag_index(xp, (n, n), k)
            y[r, c] = x
            return y
        r, c = _diag_index(xp, x.shape, k)
        return x[r, c]

    @staticmethod
    def backward(ctx, g):
        xp = get_array_module(g._data if isinstance(g, Tensor) else g)
        if len(ctx.shape) == 1:
            r, c = _diag_index(xp, tuple(g.shape), ctx.k)
            return GetItemFn.call(g, (r, c), True), None  # ∂yᵢⱼ/∂x_m = [(i, j) is slot m]
        r, c = _diag_index(xp, ctx.shape, ctx.k)
        # ∂y_m/∂xᵢⱼ = [(i, j) is the m-th diagonal slot]; the rest get 0
        return IndexAccumulateFn.call(g, ctx.shape, (r, c), True), None


def _tri(input, diagonal, fn, name):
    if input._data.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions (got shape "
                           f"{list(input._data.shape)})")
    return fn.apply(input, int(diagonal))


def tril(input, diagonal: int = 0):
    """The lower triangle of the last two dims (elements with j - i ≤ diagonal); others 0.

    Shapes: (..., m, n) → (..., m, n). Raises RuntimeError for an input below 2 dims.
    """
    return _tri(input, diagonal, TrilFn, "tril")


def triu(input, diagonal: int = 0):
    """The upper triangle of the last two dims (elements with j - i ≥ diagonal); others 0.

    Shapes: (..., m, n) → (..., m, n). Raises RuntimeError for an input below 2 dims.
    """
    return _tri(input, diagonal, TriuFn, "triu")


def diag(input, diagonal: int = 0):
    """1-D: a square matrix with ``input`` on its diagonal; 2-D: the diagonal as a 1-D tensor.

    Shapes: (n,) → (n + |d|, n + |d|); (n, m) → the diagonal (k,). Raises RuntimeError for an input
    of more than 2 dims.
    """
    nd = input._data.ndim
    if nd not in (1, 2):
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {nd}D")
    return named(DiagFn.apply(input, int(diagonal)),
                 "DiagEmbedBackward0" if nd == 1 else "DiagonalBackward0_copy")


def outer(input, vec2):
    """yᵢⱼ = xᵢ · vⱼ: a broadcast multiply of a column and a row (its gradient comes from mul).

    Shapes: (n,), (m,) → (n, m). Raises RuntimeError for inputs that are not 1-D.
    """
    for name, v in (("self", input), ("vec2", vec2)):
        if not isinstance(v, Tensor) or v._data.ndim != 1:
            nd = v._data.ndim if isinstance(v, Tensor) else "non-tensor"
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {nd}-D")
    return mul(reshape(input, (-1, 1)), reshape(vec2, (1, -1)))


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["diag", "outer", "tril", "triu"]

# ops that also have an in-place form (``tril_``), made by ops/inplace.py
INPLACE = ("tril", "triu")

METHODS = {"tril": tril, "triu": triu, "diag": diag, "outer": outer}
