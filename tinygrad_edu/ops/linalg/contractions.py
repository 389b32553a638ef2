"""Contractions built from matmul and friends: inner, tensordot, kron, vecdot, multi_dot, and
two Functions of their own: trace and cross.

The composites need no backward of their own: each is a permute / reshape / matmul / mul / sum
of other ops, whose recorded gradients compose to the contraction's (and differentiate again).
"""

from __future__ import annotations

import math

import numpy as np

from ..._args import no_kernel, require_tensor
from ...autograd import Function
from ...backend import get_array_module
from ...dtype import kind_of
from ...tensor import Tensor, _wrap_dim
from .._dual import xp_of
from .._out import honour_out
from .._util import named
from ..arithmetic import mul
from ..matmul import matmul
from ..reduce import sum as _reduce_sum
from ..shape import permute, reshape
from ._common import DiagonalFn, array_of


def _sum(t, dim, keepdim=False):
    """A sum that keeps the operand's dtype (torch's contractions do not widen int32 to
    int64 as ``torch.sum`` does)."""
    return _reduce_sum(t, dim, keepdim, dtype=t.dtype)


class TraceFn(Function):
    """y = Σᵢ Aᵢᵢ  (a 2-D A, square or not)"""

    array_io = True

    @staticmethod
    def forward(ctx, a):
        ctx.shape = a.shape
        # dtype: integers and bools sum in int64 (NumPy would give uint64 for uint8), float16
        # accumulates in float32 and rounds once, as torch
        if kind_of(a.dtype) in "biu":
            return get_array_module(a).trace(a, dtype=np.int64)
        if a.dtype == np.float16:
            return get_array_module(a).trace(a, dtype=np.float32).astype(np.float16)
        return get_array_module(a).trace(a)

    @staticmethod
    def backward(ctx, g):
        eye = get_array_module(array_of(g)).eye(*ctx.shape, dtype=bool)
        # ∂y/∂Aᵢⱼ = [i = j]: g on the diagonal, +0 elsewhere even for a nan g (torch's
        # trace_backward fills zeros; g·I would spread a nan over the whole matrix)
        return xp_of(g).where(eye, g, 0)


class LinalgCrossFn(Function):
    """y = a × b along ``dim`` (3-vectors; broadcast)"""

    array_io = True

    @staticmethod
    def forward(ctx, a, b, dim):
        ctx.save_for_backward(a, b)
        ctx.dim = dim
        return get_array_module(a).cross(a, b, axis=dim)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad[:2]
        # (a × b)·g = a·(b × g) = b·(g × a): the triple product's cyclic symmetry
        ga = LinalgCrossFn.call(b, g, ctx.dim) if na else None  # ∂/∂a: b × g
        gb = LinalgCrossFn.call(g, a, ctx.dim) if nb else None  # ∂/∂b: g × a
        return ga, gb, None


def _same_dtype(op, a, b, msg="both inputs should have same dtype") -> None:
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"{op}: {msg} (got {a.dtype.name} and {b.dtype.name})")


def trace(input):
    """``torch.trace``: the sum of the main diagonal of a 2-D tensor (n, m) -> (). Raises
    RuntimeError for other ranks, NotImplementedError for a bool tensor (torch has no bool
    kernel; checked before the rank, as torch). Derivative: ∂/∂Aᵢⱼ = [i = j].

    Shapes: (n, m) → (). Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "trace")
    no_kernel(input, "trace")
    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input._data.ndim}")
    return TraceFn.apply(input)


@honour_out("inner")
def inner(input, other, *, out=None):
    """``torch.inner``: the sum over the last dim of both (a 0-d operand multiplies).
    Shapes: (..., k) and (..., k) -> a.shape[:-1] + b.shape[:-1].

    Raises RuntimeError for last dims that differ. Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "inner")
    require_tensor(other, "inner", "other", 2)
    if input._data.ndim == 0 or other._data.ndim == 0:
        return mul(input, other)
    _same_dtype("inner", input, other)
    if input._data.shape[-1] != other._data.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got "
                           f"shapes {list(input.shape)} and {list(other.shape)}")
    return tensordot(input, other, ([-1], [-1]))


@honour_out("tensordot")
def tensordot(a, b, dims=2, out=None):
    """``torch.tensordot``: contract ``dims`` (n: a's last n with b's first n; or two lists of
    dims) -> a's free dims then b's. Computed as one matmul of a (free, K) and b (K, free).

    Raises RuntimeError for contracted sizes that differ.
    """
    _same_dtype("tensordot", a, b)
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        da, db = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        da, db = ([d] if isinstance(d, int) else list(d) for d in dims)
    if len(da) != len(db):
        raise RuntimeError("tensordot: both dimension lists should have same length")
    da = [_wrap_dim(d, a.ndim, "tensordot") for d in da]
    db = [_wrap_dim(d, b.ndim, "tensordot") for d in db]
    for i, j in zip(da, db):
        if a.shape[i] != b.shape[j]:
            if a.shape[i] != 1 and b.shape[j] != 1:
                raise RuntimeError(f"tensordot: contracted dimensions need to match, but first "
                                   f"has size {a.shape[i]} in dim {i} and second has size "
                                   f"{b.shape[j]} in dim {j}")
            # torch: a size-1 dim against a size-n one contracts with the other's sum
            if a.shape[i] == 1:
                b = _sum(b, j, keepdim=True)
            else:
                a = _sum(a, i, keepdim=True)
    fa = [d for d in range(a.ndim) if d not in da]
    fb = [d for d in range(b.ndim) if d not in db]
    k = math.prod(a.shape[d] for d in da)
    a2 = reshape(permute(a, fa + da), (math.prod(a.shape[d] for d in fa), k))
    b2 = reshape(permute(b, db + fb), (k, math.prod(b.shape[d] for d in fb)))
    return reshape(matmul(a2, b2), [a.shape[d] for d in fa] + [b.shape[d] for d in fb])


@honour_out("kron")
def kron(input, other, *, out=None):
    """``torch.kron``: the Kronecker product; block (i, j, ...) is input[i, j, ...]·other.
    Shapes: both padded to one rank r; result dim d = input.size(d)·other.size(d). dtype:
    promoted. Computed as a broadcast multiply of interleaved axes, then a reshape.
    Raises TypeError when ``input`` is not a Tensor."""
    require_tensor(input, "kron")
    require_tensor(other, "kron", "other", 2)
    nd = max(input.ndim, other.ndim)
    sa = (1,) * (nd - input.ndim) + tuple(input.shape)
    sb = (1,) * (nd - other.ndim) + tuple(other.shape)
    ai = reshape(input, [v for n in sa for v in (n, 1)])
    bi = reshape(other, [v for n in sb for v in (1, n)])
    return reshape(mul(ai, bi), [x * y for x, y in zip(sa, sb)])


@honour_out("vecdot")
def vecdot(x, y, *, dim=-1, out=None):
    """``torch.linalg.vecdot``: Σ x·y along ``dim`` (broadcast). dtype: x and y the same.

    Shapes: x and y broadcast → the broadcast shape with ``dim`` removed. Raises RuntimeError for
    sizes along ``dim`` that differ. Raises TypeError when ``x`` is not a Tensor.
    """
    require_tensor(x, "vecdot", "x", 1)
    require_tensor(y, "vecdot", "y", 2)
    if x._data.dtype != y._data.dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found x "
                           f"of type {x.dtype.name} and y of type {y.dtype.name} instead")
    return _sum(mul(x, y), dim)


def _chain_order(dims):
    """The cheapest parenthesization of a matrix chain (dynamic programming over split points;
    Cormen et al., "Introduction to Algorithms", §15.2). dims: p0, p1, ..., pn for n matrices."""
    n = len(dims) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = math.inf
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k
    return split


@honour_out("multi_dot")
def multi_dot(tensors, *, out=None):
    """``torch.linalg.multi_dot``: A₁ A₂ ... Aₙ in the cheapest order. The first may be 1-D (a
    row), the last 1-D (a column); the rest 2-D; one dtype.

    Shapes: (a, n₁) or (n₁,), (n₁, n₂), ..., (nₖ₋₁, b) or (nₖ₋₁,) → (a, b), with the 1-D ends' dims
    dropped. Raises RuntimeError for fewer than two tensors or inner sizes that do not match.
    """
    ts = list(tensors)
    if len(ts) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(ts)}")
    for i, t in enumerate(ts):
        where = "first" if i == 0 else "last" if i == len(ts) - 1 else None
        if where and t.ndim not in (1, 2):
            raise RuntimeError(f"multi_dot(): the {where} tensor must be 1D or 2D but got "
                               f"{t.ndim}D")
        if not where and t.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.ndim}D")
        if t.dtype != ts[0].dtype:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but tensor "
                               f"0 is {ts[0].dtype.name} and tensor {i} {t.dtype.name}")
    first, last = ts[0].ndim == 1, ts[-1].ndim == 1
    ms = [reshape(ts[0], (1, -1)) if first else ts[0]] + ts[1:-1] + [
        reshape(ts[-1], (-1, 1)) if last else ts[-1]]
    for i in range(len(ms) - 1):
        if ms[i].shape[1] != ms[i + 1].shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes "
                               f"{list(ts[i].shape)} and {list(ts[i + 1].shape)} cannot be "
                               "multiplied")
    split = _chain_order([ms[0].shape[0]] + [m.shape[1] for m in ms])

    def product(i, j):
        return ms[i] if i == j else matmul(product(i, split[i][j]), product(split[i][j] + 1, j))

    y = product(0, len(ms) - 1)
    shape = ([] if first else [y.shape[0]]) + ([] if last else [y.shape[1]])
    return reshape(y, shape)


@honour_out("cross")
def cross(input, other, dim=None, *, out=None):
    """``torch.cross``: the cross product of 3-vectors along ``dim`` (default: the first dim
    of size 3). Shapes: broadcast. Derivative: ∂/∂a = b × g, ∂/∂b = g × a.

    Raises RuntimeError for no dim of size 3. Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "cross")
    require_tensor(other, "cross", "other", 2)
    if dim is None:
        dim = next((d for d, n in enumerate(input.shape) if n == 3), None)
        if dim is None:
            raise RuntimeError("cross: no dimension of size 3 in input")
    return linalg_cross(input, other, dim=dim)


@honour_out("linalg_cross")
def linalg_cross(input, other, *, dim=-1, out=None):
    """``torch.linalg.cross``: the cross product of 3-vectors along ``dim`` (both of one rank,
    broadcast; size 3 at ``dim``).

    Shapes: ``input`` and ``other`` broadcast, size 3 at ``dim``; the output has the broadcast
    shape. Raises RuntimeError for a dim whose size is not 3.
    Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "linalg_cross")
    require_tensor(other, "linalg_cross", "other", 2)
    if input.ndim != other.ndim:
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions. Got "
                           f"{input.ndim} and {other.ndim}")
    d = _wrap_dim(dim, input.ndim, "linalg.cross")
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[d]} and {other.shape[d]}")
    if input.dtype != other.dtype:
        raise RuntimeError(f"linalg.cross: expected both inputs to have the same dtype, got "
                           f"{input.dtype.name} and {other.dtype.name}")
    try:
        return LinalgCrossFn.apply(input, other, d)
    except ValueError:
        raise RuntimeError(f"linalg.cross: shapes {list(input.shape)} and {list(other.shape)} "
                           "cannot be broadcast together") from None


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """``torch.linalg.diagonal``: the diagonal of A over (dim1, dim2), ``offset`` above the main
    one, as A's last dim (a view). Derivative: g written back onto that diagonal.

    Shapes: A (..., m, n) (dim1, dim2) → the shape with dim1 and dim2 removed and a new last dim of
    the diagonal's length. Raises IndexError for an input below 2 dims.
    Raises TypeError when ``A`` is not a Tensor.
    """
    require_tensor(A, "diagonal", "A", 1)
    d1 = _wrap_dim(dim1, A.ndim, "linalg.diagonal")
    d2 = _wrap_dim(dim2, A.ndim, "linalg.diagonal")
    if d1 == d2:
        raise RuntimeError(f"linalg.diagonal: diagonal dimensions cannot be identical {dim1}, "
                           f"{dim2}")
    return named(DiagonalFn.apply(A, int(offset), d1, d2), "DiagonalBackward0")


__all__ = ["cross", "inner", "kron", "tensordot", "trace"]

METHODS = {"cross": cross, "inner": inner, "kron": kron, "trace": trace}
