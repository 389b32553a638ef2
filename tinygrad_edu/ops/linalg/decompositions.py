"""Cholesky factor and determinants: cholesky (+ _ex, torch.cholesky), det, slogdet, logdet.

Sources of the backward formulas: Murray 2016, "Differentiation of the Cholesky decomposition"
(arXiv:1602.07527), as torch's cholesky_backward writes it; Giles 2008 §2.2.4 for det
(∂det/∂A = det·A⁻ᵀ, Jacobi's formula) and log|det| (A⁻ᵀ).
"""

from __future__ import annotations

import numpy as np

from ..._args import require_bool
from ...autograd import Function
from ...backend import get_array_module
from ...tensor import Tensor
from .._util import named
from ..select import where
from ._common import LOW_PRECISION, LinAlgError, check_square, mT, return_type, tril, unsqueeze
from .solvers import LinalgInvExFn, LinalgSolveTriangularFn

cholesky_ex_type = return_type("linalg_cholesky_ex", "L info")
slogdet_type = return_type("linalg_slogdet", "sign logabsdet")


def _cholesky_info(a):
    """Per matrix: the order of the first leading minor that is not positive definite (0: all
    are), as LAPACK's potrf reports it. Only computed when a factorization failed."""
    xp = get_array_module(a)
    flat = a.reshape((-1,) + a.shape[-2:])
    info = np.zeros(flat.shape[0], dtype=np.int32)
    for b in range(flat.shape[0]):
        for k in range(1, a.shape[-1] + 1):
            try:
                xp.linalg.cholesky(flat[b, :k, :k])
            except np.linalg.LinAlgError:
                info[b] = k
                break
    return xp.asarray(info.reshape(a.shape[:-2]))


class LinalgCholeskyExFn(Function):
    """L lower triangular with A = L Lᵀ (A symmetric positive definite; its lower triangle is
    read); upper=True returns U = Lᵀ, A = Uᵀ U"""

    array_io = True

    @staticmethod
    def forward(ctx, a, upper, check):
        xp = get_array_module(a)
        try:
            lo = xp.linalg.cholesky(a)
            info = xp.zeros(a.shape[:-2], dtype=np.int32)
        except np.linalg.LinAlgError:
            info = _cholesky_info(a)
            if check:
                k = info.reshape(-1)
                bad = int(xp.argmax(k > 0))
                where = f"(Batch element {bad}): " if a.ndim > 2 else ""
                raise LinAlgError(f"linalg.cholesky: {where}The factorization could not be "
                                  "completed because the input is not positive-definite (the "
                                  f"leading minor of order {int(k[bad])} is not "
                                  "positive-definite).") from None
            # the matrices that factor get their L; a failed one keeps its lower triangle
            flat = a.reshape((-1,) + a.shape[-2:])
            lo = xp.tril(flat)
            ok = info.reshape(-1) == 0
            if bool(ok.any()):
                lo[ok] = xp.linalg.cholesky(flat[ok])
            lo = lo.reshape(a.shape)
        y = mT(lo).copy() if upper else lo
        ctx.save_for_backward(y)
        ctx.upper = upper
        return y, info

    @staticmethod
    def backward(ctx, g, _ginfo):
        (y,) = ctx.saved_tensors
        lo, gl = (mT(y), mT(g)) if ctx.upper else (y, g)
        # Murray 2016 / torch's cholesky_backward: Φ = sym(tril(Lᵀ L̄)) with the diagonal
        # halved, then Ā = L⁻ᵀ Φ L⁻¹ (two triangular solves)
        phi = tril(mT(lo) @ gl)
        phi = 0.5 * (phi + mT(tril(phi, -1)))
        ga = LinalgSolveTriangularFn.call(mT(lo), phi, True, True, False)
        ga = LinalgSolveTriangularFn.call(lo, ga, False, False, False)
        return ga, None, None


class LinalgDetFn(Function):
    """d = det(A)"""

    array_io = True

    @staticmethod
    def forward(ctx, a):
        d = get_array_module(a).linalg.det(a)
        ctx.save_for_backward(a, d)
        return d

    @staticmethod
    def backward(ctx, g):
        a, d = ctx.saved_tensors
        try:
            inv = LinalgInvExFn.call(a)
        except LinAlgError:
            if isinstance(a, Tensor):
                raise
            return unsqueeze(unsqueeze(g, -1), -1) * _cofactors(a)
        # Jacobi's formula: ∂det/∂A = det(A)·A⁻ᵀ (the cofactor matrix)
        return unsqueeze(unsqueeze(g * d, -1), -1) * mT(inv)


def _cofactors(a):
    """det(A)·A⁻ᵀ without inverting, for a singular A: with A = U diag(s) Vᵀ it is
    U diag(α Π_{j≠i} sⱼ) Vᵀ, α = det(U)·det(V) (the adjugate's transpose; torch's
    linalg_det_backward uses the same SVD form for singular matrices)."""
    xp = get_array_module(a)
    u, s, vh = xp.linalg.svd(a)
    alpha = xp.linalg.det(u) * xp.linalg.det(vh)
    others = xp.where(xp.eye(s.shape[-1], dtype=bool), 1, s[..., None, :]).prod(axis=-1)
    return (u * (alpha[..., None] * others)[..., None, :]) @ vh


class LinalgSlogdetFn(Function):
    """(s, l) = (sign det A, log|det A|)"""

    array_io = True

    @staticmethod
    def forward(ctx, a):
        s, logabs = get_array_module(a).linalg.slogdet(a)
        ctx.save_for_backward(a)
        return s, logabs

    @staticmethod
    def backward(ctx, gs, gl):
        (a,) = ctx.saved_tensors
        # ∂log|det A|/∂A = A⁻ᵀ; the sign is piecewise constant (no gradient)
        return unsqueeze(unsqueeze(gl, -1), -1) * mT(LinalgInvExFn.call(a))


# ---- public functions -------------------------------------------------------------------------
def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """``torch.linalg.cholesky_ex``: (L, info) with A = L Lᵀ, without raising when A is not
    positive definite (info = the order of the failing leading minor) unless check_errors.

    Shapes: A (..., n, n) → L (..., n, n) and info (...). Raises RuntimeError for a non-square
    matrix or an input below 2 dims.
    """
    check_square(A, "linalg.cholesky_ex", half_kernel="cholesky_cpu")
    lo, info = LinalgCholeskyExFn.apply(A, bool(upper), bool(check_errors))
    return cholesky_ex_type(lo, info)


def linalg_cholesky(A, *, upper=False, out=None):
    """``torch.linalg.cholesky``: the lower-triangular L with A = L Lᵀ (U = Lᵀ with upper=True)
    of each symmetric positive-definite matrix (..., n, n), read from its lower triangle.
    Raises LinAlgError when A is not positive definite. Derivative (Murray 2016):
    Ā = L⁻ᵀ Φ(Lᵀ L̄) L⁻¹, Φ = the symmetric part built from the lower triangle.

    Shapes: A (..., n, n) → L (..., n, n).
    """
    check_square(A, "linalg.cholesky", half_kernel="cholesky_cpu")
    return LinalgCholeskyExFn.apply(A, bool(upper), True)[0]


def cholesky(input, upper=False, *, out=None):
    """``torch.cholesky`` (deprecated in torch for linalg.cholesky): the same factor.

    Shapes: A (..., n, n) → L (..., n, n). Raises RuntimeError for a non-square matrix or an input
    below 2 dims, NotImplementedError for a dtype other than float32/float64 (torch's
    "cholesky_cpu"), TypeError when ``upper`` is not a bool.
    """
    require_bool(upper, "cholesky", "upper", 2)
    check_square(input, "cholesky", kernel="cholesky_cpu")
    return named(LinalgCholeskyExFn.apply(input, bool(upper), True)[0], "CholeskyBackward0")


def det(A, *, out=None):
    """``torch.linalg.det``: det(A) of each square matrix (..., n, n) -> (...). Derivative
    (Jacobi's formula): ∂det/∂A = det(A)·A⁻ᵀ.

    Shapes: A (..., n, n) → (...) (``slogdet``: sign and log|det| both (...)). Raises RuntimeError
    for a non-square matrix or an input below 2 dims.
    """
    check_square(A, "linalg.det", half_kernel="lu_cpu")
    return LinalgDetFn.apply(A)


def slogdet(A, *, out=None):
    """``torch.linalg.slogdet``: (sign, log|det A|) of each square matrix; a singular matrix
    gives (0, -inf). Derivative: ∂log|det A|/∂A = A⁻ᵀ.

    Shapes: A (..., n, n) → (...) (``slogdet``: sign and log|det| both (...)). Raises RuntimeError
    for a non-square matrix or an input below 2 dims.
    """
    check_square(A, "linalg.slogdet", half_message=LOW_PRECISION)
    s, logabs = LinalgSlogdetFn.apply(A)
    return slogdet_type(s, logabs)


def logdet(input):
    """``torch.logdet``: log det(A); nan where det(A) < 0 (torch: where(sign = -1, nan,
    log|det A|)).

    Shapes: A (..., n, n) → (...) (``slogdet``: sign and log|det| both (...)). Raises RuntimeError
    for a non-square matrix or an input below 2 dims.
    """
    check_square(input, "logdet")
    s, logabs = LinalgSlogdetFn.apply(input)
    return where(s == -1, Tensor._wrap(get_array_module(s._data).asarray(
        np.nan, dtype=s._data.dtype)), logabs)


__all__ = ["cholesky", "det", "logdet", "slogdet"]

METHODS = {"cholesky": cholesky, "det": det, "logdet": logdet, "slogdet": slogdet}
