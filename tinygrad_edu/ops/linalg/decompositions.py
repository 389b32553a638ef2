"""Cholesky factor and determinants: cholesky (+ _ex, torch.cholesky), det, slogdet, logdet.

Sources of the backward formulas: Murray 2016, "Differentiation of the Cholesky decomposition"
(arXiv:1602.07527), as torch's cholesky_backward writes it; Giles 2008 §2.2.4 for det
(∂det/∂A = det·A⁻ᵀ, Jacobi's formula) and log|det| (A⁻ᵀ).
"""

from __future__ import annotations

import numpy as np

from ..._args import require_bool
from ...autograd import Function
from ...backend import asarray, device_of, get_array_module, to_numpy
from ...tensor import Tensor
from .._out import honour_out
from .._util import named, quiet
from ..select import where
from ._common import (
    LOW_PRECISION,
    LinAlgError,
    check_square,
    lapack_svd,
    mT,
    return_type,
    tril,
    unsqueeze,
)
from .solvers import LinalgInvExFn, LinalgSolveTriangularFn

cholesky_ex_type = return_type("linalg_cholesky_ex", "L info")
slogdet_type = return_type("linalg_slogdet", "sign logabsdet")


def _potf2(a: np.ndarray) -> tuple:
    """LAPACK's unblocked Cholesky (potf2, lower) of one matrix: (L, info). It stops at the
    first pivot that is not > 0 (nan included; info = its order), leaving the pivot itself in
    that column's diagonal and the input's lower triangle right of it, as torch returns L then."""
    lo = np.tril(a)
    with np.errstate(all="ignore"):
        for j in range(a.shape[-1]):
            pivot = a[j, j] - lo[j, :j] @ lo[j, :j]
            if not pivot > 0:
                lo[j, j] = pivot
                return lo, j + 1
            lo[j, j] = np.sqrt(pivot)
            lo[j + 1:, j] = (a[j + 1:, j] - lo[j + 1:, :j] @ lo[j, :j]) / lo[j, j]
    return lo, 0


class LinalgCholeskyExFn(Function):
    """L lower triangular with A = L Lᵀ (A symmetric positive definite; its lower triangle is
    read); upper=True returns U with A = Uᵀ U, read from A's upper triangle"""

    array_io = True

    @staticmethod
    def forward(ctx, a, upper, check):
        xp = get_array_module(a)
        a_lo = mT(a) if upper else a  # LAPACK's uplo: the triangle that is read
        finite = bool(xp.isfinite(a_lo).all())  # else LAPACKs differ: torch's runs as potf2
        try:
            lo = xp.linalg.cholesky(a_lo) if finite else None
            ok = finite and bool((xp.diagonal(lo, 0, -2, -1) > 0).all())
        except np.linalg.LinAlgError:
            lo, ok = None, False
        info = xp.zeros(a.shape[:-2], dtype=np.int32)
        if not ok:  # torch's potrf: stop at the first pivot that is not > 0 (or is nan)
            flat = to_numpy(a_lo).reshape((-1,) + a.shape[-2:])
            factors = [_potf2(m) for m in flat]
            k = np.array([f[1] for f in factors], dtype=np.int32)
            if check and k.any():
                bad = int(np.argmax(k > 0))
                where = f"(Batch element {bad}): " if a.ndim > 2 else ""
                raise LinAlgError(f"linalg.cholesky: {where}The factorization could not be "
                                  "completed because the input is not positive-definite (the "
                                  f"leading minor of order {int(k[bad])} is not "
                                  "positive-definite).")
            out = np.stack([f[0] for f in factors]) if factors else flat.copy()
            good = k == 0  # these keep LAPACK's own factor
            if lo is not None:
                out[good] = to_numpy(lo).reshape(flat.shape)[good]
            elif finite and good.any():
                try:
                    out[good] = np.linalg.cholesky(flat[good])
                except np.linalg.LinAlgError:  # a pivot at rounding level: potf2's factor
                    pass
            lo = asarray(out.reshape(a.shape), dev=device_of(a))
            info = asarray(k.reshape(a.shape[:-2]), dev=device_of(a))
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
        return (mT(ga) if ctx.upper else ga), None, None  # upper read A's upper triangle


class LinalgDetFn(Function):
    """d = det(A)"""

    array_io = True

    @staticmethod
    def forward(ctx, a):
        with quiet():  # nan or inf entries: nan, silently (as torch)
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
    u, s, vh = lapack_svd(xp, a)
    alpha = xp.linalg.det(u) * xp.linalg.det(vh)
    others = xp.where(xp.eye(s.shape[-1], dtype=bool), 1, s[..., None, :]).prod(axis=-1)
    return (u * (alpha[..., None] * others)[..., None, :]) @ vh


class LinalgSlogdetFn(Function):
    """(s, l) = (sign det A, log|det A|)"""

    array_io = True

    @staticmethod
    def forward(ctx, a):
        xp = get_array_module(a)
        with quiet():  # nan or inf entries: nan, silently (as torch)
            s, logabs = xp.linalg.slogdet(a)
        if not bool(xp.isfinite(logabs).all()):  # torch: Π sign(Uᵢᵢ), and sign(nan) = 0
            s = xp.where(xp.isnan(logabs), 0, s).astype(s.dtype)
        ctx.save_for_backward(a)
        return s, logabs

    @staticmethod
    def backward(ctx, gs, gl):
        (a,) = ctx.saved_tensors
        # ∂log|det A|/∂A = A⁻ᵀ; the sign is piecewise constant (no gradient)
        return unsqueeze(unsqueeze(gl, -1), -1) * mT(LinalgInvExFn.call(a))


# ---- public functions -------------------------------------------------------------------------
@honour_out("cholesky_ex")
def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """``torch.linalg.cholesky_ex``: (L, info) with A = L Lᵀ, without raising when A is not
    positive definite (info = the order of the failing leading minor) unless check_errors.

    Shapes: A (..., n, n) → L (..., n, n) and info (...). Raises RuntimeError for a non-square
    matrix or an input below 2 dims.
    """
    check_square(A, "linalg.cholesky_ex", half_kernel="cholesky_cpu")
    lo, info = LinalgCholeskyExFn.apply(A, bool(upper), bool(check_errors))
    return cholesky_ex_type(lo, info)


@honour_out("linalg_cholesky")
def linalg_cholesky(A, *, upper=False, out=None):
    """``torch.linalg.cholesky``: the lower-triangular L with A = L Lᵀ (U = Lᵀ with upper=True)
    of each symmetric positive-definite matrix (..., n, n), read from its lower triangle.
    Raises LinAlgError when A is not positive definite. Derivative (Murray 2016):
    Ā = L⁻ᵀ Φ(Lᵀ L̄) L⁻¹, Φ = the symmetric part built from the lower triangle.

    Shapes: A (..., n, n) → L (..., n, n).
    """
    check_square(A, "linalg.cholesky", half_kernel="cholesky_cpu")
    return LinalgCholeskyExFn.apply(A, bool(upper), True)[0]


@honour_out("cholesky")
def cholesky(input, upper=False, *, out=None):
    """``torch.cholesky`` (deprecated in torch for linalg.cholesky): the same factor.

    Shapes: A (..., n, n) → L (..., n, n). Raises RuntimeError for a non-square matrix or an input
    below 2 dims, NotImplementedError for a dtype other than float32/float64 (torch's
    "cholesky_cpu"), TypeError when ``upper`` is not a bool.
    """
    require_bool(upper, "cholesky", "upper", 2)
    check_square(input, "cholesky", kernel="cholesky_cpu")
    return named(LinalgCholeskyExFn.apply(input, bool(upper), True)[0], "CholeskyBackward0")


@honour_out("det")
def det(A, *, out=None):
    """``torch.linalg.det``: det(A) of each square matrix (..., n, n) -> (...). Derivative
    (Jacobi's formula): ∂det/∂A = det(A)·A⁻ᵀ.

    Shapes: A (..., n, n) → (...) (``slogdet``: sign and log|det| both (...)). Raises RuntimeError
    for a non-square matrix or an input below 2 dims.
    """
    check_square(A, "linalg.det", half_kernel="lu_cpu")
    return LinalgDetFn.apply(A)


@honour_out("slogdet")
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
