"""Inverse and linear solves: inv, solve, solve_triangular, cholesky_solve, cholesky_inverse.

Backward formulas (Giles 2008, "An extended collection of matrix derivative results for
forward and reverse mode automatic differentiation", §2.2.3; torch's FunctionsManual.cpp for
the conventions): for X = A⁻¹B,  B̄ = A⁻ᵀ X̄  and  Ā = −B̄ Xᵀ; for Y = A⁻¹,  Ā = −Yᵀ Ȳ Yᵀ. Each
is written with these very Functions' ``.call`` (a solve of Aᵀ ...), so it records under
``create_graph=True`` and differentiates again.

The triangular solves run by substitution (what LAPACK's trsm does): row by row, each a small
matmul over the batch. They read only the named triangle, and a zero on the diagonal gives
inf/nan as in torch (no error).
"""

from __future__ import annotations

import numpy as np

from ...autograd import Function
from ...backend import get_array_module
from .._util import quiet
from ._common import mT, raise_singular, tril, triu
from ._lu_core import lu_factor_array, permutation_from_pivots


def substitute(a, b, upper: bool, unit: bool):
    """X with A X = B for triangular A (..., n, n) and B (..., n, k), batch dims broadcast.

    Forward substitution for lower A (row i uses rows < i), backward for upper A; ``unit``
    takes the diagonal as ones without reading it."""
    xp = get_array_module(a)
    n = a.shape[-1]
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    x = xp.empty(batch + b.shape[-2:], dtype=np.result_type(a.dtype, b.dtype))
    with quiet():  # a zero pivot gives inf/nan, as LAPACK's trsm
        for i in (range(n - 1, -1, -1) if upper else range(n)):
            done = slice(i + 1, n) if upper else slice(0, i)
            r = b[..., i, :] - (a[..., i:i + 1, done] @ x[..., done, :])[..., 0, :]
            x[..., i, :] = r if unit else r / a[..., i, i, None]
    return x


class LinalgInvExFn(Function):
    """Y = A⁻¹"""

    array_io = True

    @staticmethod
    def forward(ctx, a, check=True):
        xp = get_array_module(a)
        try:
            y = xp.linalg.inv(a)
        except np.linalg.LinAlgError:
            if check:
                _raise_lu_singular(a, "linalg.inv")
            eye = xp.broadcast_to(xp.eye(a.shape[-1], dtype=a.dtype), a.shape)
            y = _lu_solve_unchecked(a, eye)  # torch: inf/nan where the matrix is singular
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return -(mT(y) @ g @ mT(y)), None  # d(A⁻¹) = −A⁻¹ dA A⁻¹  ⇒  Ā = −Yᵀ Ȳ Yᵀ


class LinalgSolveExFn(Function):
    """X = A⁻¹ B  (A (..., n, n), B (..., n, k), batch dims broadcast)"""

    array_io = True

    @staticmethod
    def forward(ctx, a, b, check=True):
        try:
            x = get_array_module(a).linalg.solve(a, b)
        except np.linalg.LinAlgError:
            if check:
                raise_singular("torch.linalg.solve")
            x = _lu_solve_unchecked(a, b)  # torch: inf/nan where the matrix is singular
        ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx, g):
        a, x = ctx.saved_tensors
        gb = LinalgSolveExFn.call(mT(a), g)  # ∂/∂B: A⁻ᵀ X̄
        ga = -(gb @ mT(x)) if ctx.needs_input_grad[0] else None  # ∂/∂A: −B̄ Xᵀ
        return ga, gb, None


class LinalgSolveTriangularFn(Function):
    """X = A⁻¹ B (left) or B A⁻¹ (right), A upper or lower triangular (unit diagonal or not)"""

    array_io = True

    @staticmethod
    def forward(ctx, a, b, upper, left, unit):
        x = _solve_tri(a, b, upper, left, unit)
        ctx.save_for_backward(a, x)
        ctx.upper, ctx.left, ctx.unit = upper, left, unit
        return x

    @staticmethod
    def backward(ctx, g):
        a, x = ctx.saved_tensors
        up, left, unit = ctx.upper, ctx.left, ctx.unit
        # torch's linalg_solve_triangular_backward: B̄ = A⁻ᵀ X̄ (X̄ A⁻ᵀ on the right), and Ā the
        # solve's −B̄ Xᵀ (−Xᵀ B̄) kept to A's triangle (without the diagonal if unit)
        gb = LinalgSolveTriangularFn.call(mT(a), g, not up, left, unit)
        ga = None
        if ctx.needs_input_grad[0]:
            ga = -(gb @ mT(x)) if left else -(mT(x) @ gb)
            ga = triu(ga, int(unit)) if up else tril(ga, -int(unit))
        return ga, gb, None, None, None


def _lu_solve_unchecked(a, b):
    """A⁻¹B through the LU factors, with no singularity check (inf/nan where singular)."""
    lu, piv, _ = lu_factor_array(a)
    perm = permutation_from_pivots(piv, a.shape[-1])
    xp = get_array_module(a)
    pb = xp.take_along_axis(xp.broadcast_to(b, a.shape[:-2] + b.shape[-2:]), perm[..., None], -2)
    return substitute(lu, substitute(lu, pb, False, True), True, False)


def _raise_lu_singular(a, op):
    """torch's message for a singular matrix: the first zero pivot of its LU factorization."""
    _, _, info = lu_factor_array(a)
    info = info.reshape(-1)
    bad = int(get_array_module(info).argmax(info > 0))
    where = f"(Batch element {bad}): " if a.ndim > 2 else ""
    raise_singular(op, f"{where}The diagonal element {int(info[bad])} is zero, the inversion "
                   "could not be completed because the input matrix is singular.")


def _solve_tri(a, b, upper, left, unit):
    if left:
        return substitute(a, b, upper, unit)
    return mT(substitute(mT(a), mT(b), not upper, unit))  # X A = B ⇔ Aᵀ Xᵀ = Bᵀ


class CholeskySolveFn(Function):
    """X = (L Lᵀ)⁻¹ B  (or (Uᵀ U)⁻¹ B with upper=True): two triangular solves"""

    array_io = True

    @staticmethod
    def forward(ctx, b, l, upper):
        x = _cholesky_solve(b, l, upper)
        ctx.save_for_backward(l, x)
        ctx.upper = upper
        return x

    @staticmethod
    def backward(ctx, g):
        l, x = ctx.saved_tensors
        gb = CholeskySolveFn.call(g, l, ctx.upper)  # ∂/∂B: A⁻¹ X̄ (A = LLᵀ is symmetric)
        gl = None
        if ctx.needs_input_grad[1]:
            # torch's cholesky_solve_backward: with S = B̄ Xᵀ + X B̄ᵀ, dA = dL Lᵀ + L dLᵀ
            # and Ā = −B̄ Xᵀ give L̄ = −S L (−U S for upper)
            s = gb @ mT(x)
            s = s + mT(s)
            gl = -(l @ s) if ctx.upper else -(s @ l)
        return gb, gl, None


def _cholesky_solve(b, l, upper):
    if upper:  # A = Uᵀ U
        return substitute(l, substitute(mT(l), b, False, False), True, False)
    return substitute(mT(l), substitute(l, b, False, False), True, False)


class CholeskyInverseFn(Function):
    """Y = (L Lᵀ)⁻¹  (or (Uᵀ U)⁻¹ with upper=True)"""

    array_io = True

    @staticmethod
    def forward(ctx, l, upper):
        xp = get_array_module(l)
        eye = xp.broadcast_to(xp.eye(l.shape[-1], dtype=l.dtype), l.shape)
        y = _cholesky_solve(eye, l, upper)
        ctx.save_for_backward(l, y)
        ctx.upper = upper
        return y

    @staticmethod
    def backward(ctx, g):
        l, y = ctx.saved_tensors
        # torch's cholesky_inverse_backward: dY = −Y dA Y with dA = dL Lᵀ + L dLᵀ, so
        # L̄ = −Y (Ȳ + Ȳᵀ) Y L  (−U Y (Ȳ + Ȳᵀ) Y for upper)
        s = y @ (g + mT(g)) @ y
        return (-(l @ s) if ctx.upper else -(s @ l)), None
