"""Diagonals: ``diagonal`` (a view), ``diagonal_scatter`` (write one), ``diag_embed`` and
``diagflat`` (build matrices around one).

Reading a diagonal and writing one are each other's adjoints, so each backward is the other
op: diagonal's gradient is g written onto the diagonal of zeros; diag_embed's is the diagonal
of g.
"""

from __future__ import annotations

from ..autograd import Function
from ..backend import get_array_module
from ..tensor import _wrap_dim
from ._util import named
from .index import zeros_for
from .shape import reshape
from .strided import writable_diagonal
from .view_scatter import _as_input_dtype, _check_src


class DiagonalFn(Function):
    """y[..., k] = x[.., i₀ + k, .., j₀ + k, ..]: the ``offset``-th diagonal of dims (dim1,
    dim2), as the last dim (i₀ = max(0, −offset), j₀ = max(0, offset))"""

    array_io = True
    is_view = True

    @staticmethod
    def forward(ctx, x, offset, dim1, dim2):
        ctx.shape, ctx.args = x.shape, (offset, dim1, dim2)
        return writable_diagonal(x, offset, dim1, dim2)

    @staticmethod
    def backward(ctx, g):
        # ∂yₖ/∂x is 1 at the k-th diagonal slot: g goes onto the diagonal of zeros
        z = zeros_for(ctx.shape, g)
        return DiagonalScatterFn.call(z, g, *ctx.args), None, None, None

    @staticmethod
    def replay(ctx, x):
        return DiagonalFn.call(x, *ctx.args)


class DiagonalScatterFn(Function):
    """y = x with diagonal(y, offset, dim1, dim2) = src"""

    array_io = True

    @staticmethod
    def forward(ctx, x, src, offset, dim1, dim2):
        ctx.args, ctx.src_shape = (offset, dim1, dim2), src.shape
        y = x.copy()
        writable_diagonal(y, offset, dim1, dim2)[...] = src
        return y

    @staticmethod
    def backward(ctx, g):
        gx = gs = None
        if ctx.needs_input_grad[0]:  # ∂y/∂x = 1 off the diagonal: g with its diagonal zeroed
            gx = DiagonalScatterFn.call(g, zeros_for(ctx.src_shape, g), *ctx.args)
        if ctx.needs_input_grad[1]:  # ∂y/∂src = 1 on the diagonal: g's diagonal
            gs = DiagonalFn.call(g, *ctx.args)
        return gx, gs, None, None, None


class DiagEmbedFn(Function):
    """y = zeros with diagonal(y, offset, dim1, dim2) = x (x's last dim along the diagonal)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, offset, dim1, dim2):
        ctx.args = (offset, dim1, dim2)
        n = (x.shape[-1] if x.ndim else 1) + abs(offset)
        shape = list(x.shape[:-1])
        for d in sorted((dim1, dim2)):
            shape.insert(d, n)
        y = get_array_module(x).zeros(shape, dtype=x.dtype)
        writable_diagonal(y, offset, dim1, dim2)[...] = x
        return y

    @staticmethod
    def backward(ctx, g):
        return DiagonalFn.call(g, *ctx.args), None, None, None  # ∂yᵢⱼ/∂xₖ = [(i, j) is slot k]


def _two_dims(dim1, dim2, nd: int, op: str):
    a, b = _wrap_dim(dim1, nd, op), _wrap_dim(dim2, nd, op)
    if a == b:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return a, b


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The ``offset``-th diagonal of the matrices in dims (dim1, dim2), as a new last dim (a
    view; offset > 0 is above the main diagonal). Raises IndexError for dims out of range,
    RuntimeError for dim1 == dim2. Derivative: g onto the same diagonal of zeros.

    Shapes: input (*) → the shape with dim1 and dim2 removed and a new last dim of the diagonal's
    length.
    """
    a, b = _two_dims(dim1, dim2, input._data.ndim, "diagonal")
    return DiagonalFn.apply(input, int(offset), a, b)


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """A copy of ``input`` whose ``offset``-th diagonal in (dim1, dim2) is ``src`` (shape:
    that diagonal's). dtype: input's. Raises RuntimeError for a src of the wrong shape.
    Derivative: g off the diagonal to input, g's diagonal to src.

    Shapes: input (*), ``src`` of the diagonal's shape (see :func:`diagonal`) → the input's shape.
    """
    a, b = _two_dims(dim1, dim2, input._data.ndim, "diagonal_scatter")
    region = get_array_module(input._data).diagonal(input._data, int(offset), a, b).shape
    _check_src(src, region)
    return DiagonalScatterFn.apply(input, _as_input_dtype(src, input), int(offset), a, b)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Matrices with ``input``'s last dim on their ``offset``-th diagonal in the new dims
    (dim1, dim2) of the result (input (..., n) -> (..., n + |offset|, n + |offset|) by default);
    zeros elsewhere. Raises IndexError for dims out of range, RuntimeError for dim1 == dim2.
    Derivative: the same diagonal of g.

    Shapes: input (..., n) → (..., n + |offset|, n + |offset|) with the new dims at dim1, dim2.
    """
    a, b = _two_dims(dim1, dim2, input._data.ndim + 1, "diag_embed")
    return DiagEmbedFn.apply(input, int(offset), a, b)


def diagflat(input, offset=0):
    """A 2-D matrix with the flattened ``input`` on its ``offset``-th diagonal, zeros elsewhere.
    Derivative: the diagonal of g.

    Shapes: input (*) with N elements → (N + |offset|, N + |offset|).
    """
    return named(diag_embed(reshape(input, -1), offset, 0, 1), "DiagEmbedBackward0")


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["diag_embed", "diagflat", "diagonal", "diagonal_scatter"]

METHODS = {"diagonal": diagonal, "diagonal_scatter": diagonal_scatter,
           "diag_embed": diag_embed, "diagflat": diagflat}
