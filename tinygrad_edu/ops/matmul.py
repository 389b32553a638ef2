"""Matrix products: matmul (1-D, 2-D, batched, broadcast) and the fused linear layer."""

from __future__ import annotations

import math

from .._args import not_tensor, require_tensor
from ..autograd import Function
from ..backend import get_array_module
from ..dtype import torch_type_name
from ..tensor import Tensor
from ._dual import xp_of
from ._ieee import silence_ieee_warnings
from ._out import honour_out
from ._util import half_opmath, named


def _gemm_ready(g):
    """``g`` as BLAS can read it. A broadcast gradient (e.g. from ``.sum()``) has zero strides,
    which NumPy re-packs inside EVERY GEMM it enters (1.7x slower at 1024²); one copy here
    serves both backward GEMMs. (Transposed views need no copy: BLAS takes them as they are.)"""
    if not isinstance(g, Tensor) and 0 in g.strides and g.size > 1:
        return get_array_module(g).ascontiguousarray(g)
    return g


class MatMulFn(Function):
    """Z = A @ B"""

    array_io = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        xp = xp_of(g)
        g = _gemm_ready(g)
        if a.ndim == 1 and b.ndim == 1:  # dot product: z = Σ aᵢbᵢ
            return (g * b if na else None), (g * a if nb else None)
        # treat a vector as a 1-row (a) or 1-column (b) matrix, as matmul does
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g2 = g
        if a.ndim == 1:
            g2 = xp.expand_dims(g2, -2)
        if b.ndim == 1:
            g2 = xp.expand_dims(g2, -1)
        ga = gb = None
        if na:
            ga = g2 @ xp.swapaxes(b2, -1, -2)  # ∂Z/∂A: G Bᵀ
            if a.ndim == 1:
                ga = ga[..., 0, :]
        if nb:
            if b2.ndim == 2 and a2.ndim > 2:  # fold the batch into one GEMM: Σ_batch Aᵀ G
                k, rows = a2.shape[-1], math.prod(a2.shape[:-1])  # (no -1: k may be 0)
                gb = a2.reshape(rows, k).T @ g2.reshape(rows, g2.shape[-1])
            else:
                gb = xp.swapaxes(a2, -1, -2) @ g2  # ∂Z/∂B: Aᵀ G
            if b.ndim == 1:
                gb = gb[..., 0]
        return ga, gb


class LinearFn(Function):
    """y = x Wᵀ + b  (W is (out, in), as torch.nn.Linear): one GEMM plus a bias"""

    array_io = True

    @staticmethod
    @half_opmath  # float16: computed in float32, rounded once
    def forward(ctx, x, w, b=None):
        ctx.save_for_backward(x, w)
        y = x @ w.T  # a transposed view: no copy
        if b is not None:
            y += b
        return y

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        nx, nw, nb = (ctx.needs_input_grad + (False,))[:3]
        g = _gemm_ready(g)
        g2 = g.reshape(-1, g.shape[-1])
        gx = (g @ w) if nx else None  # ∂y/∂x = W
        gw = (g2.T @ x.reshape(-1, x.shape[-1])) if nw else None  # ∂y/∂W = gᵀ x (summed over batch)
        gb = xp_of(g).sum(g2, axis=0) if nb else None  # ∂y/∂b = 1 (summed over batch)
        return gx, gw, gb


def _check_mm(a: Tensor, b: Tensor, op: str) -> None:
    sa, sb = a._data.shape, b._data.shape
    if a._data.ndim == 0 or b._data.ndim == 0:
        raise RuntimeError(f"{op}: both arguments to matmul need to be at least 1D, but they are "
                           f"{a._data.ndim}D and {b._data.ndim}D")
    ka = sa[-1]
    kb = sb[0] if b._data.ndim == 1 else sb[-2]
    if ka != kb:
        if a._data.ndim <= 2 and b._data.ndim <= 2:
            ra = sa if a._data.ndim == 2 else (1,) + sa
            raise RuntimeError(f"{op}: mat1 and mat2 shapes cannot be multiplied "
                               f"({ra[0]}x{ra[1]} and {sb[0]}x{sb[-1] if len(sb) == 2 else 1})")
        raise RuntimeError(f"{op}: shapes {list(sa)} and {list(sb)} cannot be multiplied "
                           f"(inner dimensions {ka} and {kb} differ)")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"{op}: expected both arguments to have the same dtype, but got: "
                           f"{a.dtype} != {b.dtype}")


def _matmul_node_name(a, b) -> str:
    """The aten op torch's matmul dispatches to for these ranks, and so its node's name."""
    na, nb = a._data.ndim, b._data.ndim
    if na == 3 and nb == 3 and a._data.shape[0] == 1 and b._data.shape[0] != 1:
        na = 2  # torch drops A's batch of 1 and takes the (2-D, batched) route below
    if na == 2 and nb >= 3:  # torch: (Bᵀ Aᵀ)ᵀ, made contiguous unless it already is
        sa, sb = a._data.shape, b._data.shape  # the result (batch of B, n, m) is contiguous
        empty = sa[-2] == 0 or sb[-1] == 0 or 0 in sb[:-2]  # already only when it is empty
        return "TransposeBackward0" if empty else "CloneBackward0"
    return {(1, 1): "DotBackward0", (2, 1): "MvBackward0", (1, 2): "SqueezeBackward4",
            (2, 2): "MmBackward0"}.get((na, nb), "UnsafeViewBackward0")


def matmul(input, other):
    """``torch.matmul`` (``a @ b``): the matrix product with NumPy's rules for ranks — (n,)·(n,)
    → () a dot product; (N, n)·(n,) → (N,); (n,)·(n, M) → (M,); (N, K)·(K, M) → (N, M); with
    3+ dims, the last two are matrices and the leading (batch) dims broadcast, e.g.
    (B, N, K)·(K, M) → (B, N, M). Both must share one dtype (no promotion; integers allowed).
    Raises RuntimeError for a 0-d argument, mismatched inner sizes, unbroadcastable batch
    dims or different dtypes. Derivatives: ∂L/∂A = G Bᵀ, ∂L/∂B = Aᵀ G (summed over broadcast
    batch dims).

    Shapes: (n,)·(n,) → (); (N, n)·(n,) → (N,); (n,)·(n, M) → (M,); (..., N, K)·(..., K, M) → (...,
    N, M), batch dims broadcast. Raises TypeError when ``input`` is not a Tensor.
    """
    if not isinstance(input, Tensor):
        raise not_tensor("matmul", input)
    if not isinstance(other, Tensor):
        raise not_tensor("matmul", other, "other", 2)
    _check_mm(input, other, "matmul")
    try:
        return named(MatMulFn.apply(input, other), _matmul_node_name(input, other))
    except ValueError as e:
        raise RuntimeError(f"matmul: shapes {list(input.shape)} and {list(other.shape)} cannot "
                           f"be broadcast together ({e})") from None


def mm(input, mat2):
    """``torch.mm``: C = A B for matrices only, (N, K)·(K, M) → (N, M); one dtype, no
    broadcasting. Raises RuntimeError unless both are 2-D with matching inner size and one
    dtype. Derivatives: ∂L/∂A = G Bᵀ, ∂L/∂B = Aᵀ G.

    Shapes: (N, K), (K, M) → (N, M). Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "mm")
    require_tensor(mat2, "mm", "mat2", 2)
    if input._data.ndim != 2 or mat2._data.ndim != 2:
        raise RuntimeError("mm: both arguments must be 2-D matrices")
    return named(matmul(input, mat2), "MmBackward0")


def bmm(input, mat2):
    """``torch.bmm``: a batch of matrix products, (B, N, K)·(B, K, M) → (B, N, M), Cᵦ = Aᵦ Bᵦ;
    one dtype. Raises RuntimeError unless both are 3-D with the same B, matching K and one
    dtype. Derivatives: ∂L/∂Aᵦ = Gᵦ Bᵦᵀ, ∂L/∂Bᵦ = Aᵦᵀ Gᵦ.

    Shapes: (B, N, K), (B, K, M) → (B, N, M). Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "bmm")
    require_tensor(mat2, "bmm", "mat2", 2)
    if input._data.ndim != 3 or mat2._data.ndim != 3:
        raise RuntimeError("bmm: both arguments must be 3-D (batched matrices)")
    return named(matmul(input, mat2), "BmmBackward0")




@honour_out("dot")
def dot(input, other, *, out=None):
    """``torch.dot``: Σᵢ xᵢyᵢ of two 1-D tensors of one size and dtype (no promotion, no
    broadcasting; RuntimeError otherwise). Derivative: ∂/∂x = g·y, ∂/∂y = g·x.

    Shapes: (n,), (n,) → (). Raises RuntimeError for inputs that are not 1-D or differ in size.
    Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "dot")
    require_tensor(other, "dot", "other", 2)
    return _dot(input, other, "dot", "DotBackward0")


@honour_out("vdot")
def vdot(input, other, *, out=None):
    """``torch.vdot``: Σᵢ conj(xᵢ)yᵢ; for real tensors the same as ``dot``.

    Shapes: (n,), (n,) → (). Raises RuntimeError for inputs that are not 1-D or differ in size.
    Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "vdot")
    require_tensor(other, "vdot", "other", 2)
    return _dot(input, other, "vdot", "VdotBackward0")


def _dot(input, other, op, node):
    if input._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError(f"{op}: 1D tensors expected, but got {input._data.ndim}D and "
                           f"{other._data.ndim}D tensors")
    if input._data.dtype != other._data.dtype:
        a, b = (torch_type_name(t._data.dtype) for t in (input, other))
        raise RuntimeError(f"{op} : expected both vectors to have same dtype, but found {a} "
                           f"and {b}")
    n, m = input._data.shape[0], other._data.shape[0]
    if n != m:
        raise RuntimeError(f"{op}: inconsistent tensor size, expected tensor [{n}] and src [{m}] "
                           f"to have the same number of elements, but got {n} and {m} elements "
                           "respectively")
    return named(matmul(input, other), node)


def linear(input, weight, bias=None):
    """``F.linear``: y = x Wᵀ + b, fused into one GEMM plus a bias. Shapes: input (*, in), weight
    (out, in), bias (out,) → (*, out). One dtype for all. Raises RuntimeError for mismatched
    sizes or dtypes. Derivatives: ∂L/∂x = G W, ∂L/∂W = Gᵀ x, ∂L/∂b = Σ G.
    Raises TypeError when ``input`` is not a Tensor."""
    if not isinstance(input, Tensor):
        raise not_tensor("linear", input)
    if not isinstance(weight, Tensor):
        raise not_tensor("linear", weight, "weight", 2)
    if input._data.shape[-1] != weight._data.shape[-1]:
        n = input._data.shape
        raise RuntimeError(
            f"linear: mat1 and mat2 shapes cannot be multiplied "
            f"({int(input._data.size // max(n[-1], 1))}x{n[-1]} and "
            f"{weight._data.shape[1]}x{weight._data.shape[0]})"
        )
    if input._data.dtype != weight._data.dtype:
        raise RuntimeError(f"linear: mat1 and mat2 must have the same dtype, but got "
                           f"{input.dtype} and {weight.dtype}")
    if bias is None:
        y = LinearFn.apply(input, weight)
        return named(y, {1: "SqueezeBackward4", 2: "MmBackward0"}.get(input._data.ndim,
                                                                        "UnsafeViewBackward0"))
    if bias._data.dtype != input._data.dtype:  # torch's addmm: self (the bias) and mat2
        raise RuntimeError(f"linear: bias and input must have the same dtype, but got "
                           f"{bias.dtype} and {input.dtype}")
    # torch fuses x Wᵀ + b into one addmm for a 2-D x (and for a contiguous x of other ranks,
    # viewed as 2-D and back); otherwise it adds the bias last
    y = LinearFn.apply(input, weight, bias)
    nd = input._data.ndim
    return named(y, "AddmmBackward0" if nd == 2 else "ViewBackward0"
                 if input._data.flags.c_contiguous else "AddBackward0")


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["bmm", "dot", "matmul", "mm", "vdot"]

METHODS = {"__matmul__": matmul, "__rmatmul__": lambda self, other: matmul(other, self),
           "matmul": matmul, "mm": mm, "bmm": bmm, "dot": dot,
           "vdot": vdot}

silence_ieee_warnings(__name__, "matmul", "add", "multiply")  # IEEE, silently (_ieee.py)
