"""Symmetric eigendecomposition and SVD: eigh, eigvalsh, svd, svdvals (and torch.svd).

Backward formulas, for distinct eigen/singular values (as torch assumes):

- eigh, A = V diag(λ) Vᵀ: Ā = V (diag(λ̄) + skew(VᵀV̄)/E) Vᵀ with Eᵢⱼ = λⱼ − λᵢ and
  skew(X) = (X − Xᵀ)/2 (Giles 2008 §3.1; Seeger et al. 2015, "Auto-differentiating linear
  algebra"; torch's linalg_eig_backward, Hermitian case).
- svd, A = U diag(s) Vᵀ: Ionescu et al. 2015, "Matrix backpropagation for deep networks with
  structured layers"; Townsend 2016, "Differentiating the singular value decomposition"; in the
  form of torch's svd_backward: with J = skew(UᵀŪ) = UᵀŪ − ŪᵀU, K = VᵀV̄ − V̄ᵀV and
  Eᵢⱼ = sⱼ² − sᵢ², Ā = U [(J sᵀ + s K)/E + diag(s̄)] Vᵀ, plus (I − UUᵀ)Ū s⁻¹ Vᵀ when m > n (and
  the transposed term when m < n).

Both use only the outputs and matmuls, so they differentiate again (gradgrad) through this
very backward. Eigenvectors and singular vectors are unique only up to sign: NumPy's LAPACK and
torch's may pick different signs (compare |V|, or V diag(λ) Vᵀ).
"""

from __future__ import annotations

import numpy as np

from ..._args import require_bool
from ...autograd import Function
from ...backend import get_array_module
from ...tensor import Tensor
from .._dual import xp_of
from .._out import honour_out
from ._common import (
    LinAlgError,
    array_of,
    check_matrix,
    check_square,
    diag_embed,
    lapack_svd,
    mT,
    return_type,
    unsqueeze,
)

eigh_type = return_type("linalg_eigh", "eigenvalues eigenvectors")
svd_type = return_type("linalg_svd", "U S Vh")
torch_svd_type = return_type("svd", "U S V")


def _off_diagonal_ratio(num, e):
    """num / e off the diagonal, 0 on it (e's diagonal is 0: λᵢ − λᵢ)."""
    xp = xp_of(e)
    eye = get_array_module(array_of(e)).eye(e.shape[-1], dtype=bool)
    e = xp.where(eye, 1, e)
    return xp.where(eye, 0, num / e)


def absent(g) -> bool:
    """An output gradient that is all zeros and carries no graph (what the engine sends for an
    output nothing used): its terms vanish, and skipping them avoids 0/0 at repeated
    eigen/singular values (torch skips an undefined gradient the same way)."""
    if isinstance(g, Tensor):
        return not g.requires_grad and not bool(g._data.any())
    return not bool(g.any())


class LinalgEighFn(Function):
    """(λ, V) with A = V diag(λ) Vᵀ, λ ascending (A symmetric; the UPLO triangle is read)"""

    array_io = True

    @staticmethod
    def forward(ctx, a, uplo):
        xp = get_array_module(a)
        try:
            w, v = xp.linalg.eigh(a, UPLO=uplo)
        except np.linalg.LinAlgError:  # nan input: torch's LinAlgError (NumPy's is a ValueError)
            bad = xp.isnan(a).any(axis=(-2, -1)).reshape(-1)
            where = f"(Batch element {int(bad.argmax())}): " if a.ndim > 2 else ""
            raise LinAlgError(f"linalg.eigh: {where}The algorithm failed to converge because the "
                              "input matrix is ill-conditioned or has too many repeated "
                              "eigenvalues.") from None
        ctx.save_for_backward(w, v)
        return w, v

    @staticmethod
    def backward(ctx, gw, gv):
        w, v = ctx.saved_tensors
        if absent(gv):  # eigenvalues only: ∂λᵢ/∂A = vᵢvᵢᵀ
            return (v * unsqueeze(gw, -2)) @ mT(v), None
        vt_gv = mT(v) @ gv
        skew = 0.5 * (vt_gv - mT(vt_gv))  # V stays orthogonal: only the skew part moves it
        e = unsqueeze(w, -2) - unsqueeze(w, -1)  # Eᵢⱼ = λⱼ − λᵢ
        inner = _off_diagonal_ratio(skew, e) + diag_embed(gw)  # ∂λᵢ/∂A = vᵢvᵢᵀ on the diag
        return v @ inner @ mT(v), None


class LinalgSvdFn(Function):
    """(U, s, Vᵀ) with A = U diag(s) Vᵀ, s descending (full_matrices: U and V square)"""

    array_io = True

    @staticmethod
    def forward(ctx, a, full_matrices):
        xp = get_array_module(a)
        m, n = a.shape[-2:]
        if a.size == 0:  # LAPACK is not called on empty input: torch returns identities
            k = min(m, n)
            u = _eye_batch(xp, a, m, m if full_matrices else k)
            vh = _eye_batch(xp, a, n if full_matrices else k, n)
            s = xp.zeros(a.shape[:-2] + (k,), dtype=a.dtype)
        else:
            u, s, vh = lapack_svd(xp, a, full_matrices=full_matrices)
        ctx.save_for_backward(u, s, vh)
        ctx.full = full_matrices
        return u, s, vh

    @staticmethod
    def backward(ctx, gu, gs, gvh):
        u, s, vh = ctx.saved_tensors
        k = s.shape[-1]
        if ctx.full:  # the extra columns of U, V span the null spaces: they do not move A
            u, vh, gu, gvh = u[..., :, :k], vh[..., :k, :], gu[..., :, :k], gvh[..., :k, :]
        m, n = u.shape[-2], vh.shape[-1]
        if absent(gu) and absent(gvh):  # singular values only: ∂sᵢ/∂A = uᵢvᵢᵀ
            return (u * unsqueeze(gs, -2)) @ vh, None
        uu = mT(u) @ gu
        vv = vh @ mT(gvh)
        j, kk = uu - mT(uu), vv - mT(vv)  # skew parts (without the ½; E below has no ½)
        s2 = s * s
        e = unsqueeze(s2, -2) - unsqueeze(s2, -1)  # Eᵢⱼ = sⱼ² − sᵢ²
        inner = _off_diagonal_ratio(j * unsqueeze(s, -2) + unsqueeze(s, -1) * kk, e)
        inner = inner + diag_embed(gs)
        if m > n:  # the part of Ū outside U's columns: (I − UUᵀ) Ū s⁻¹
            gus = gu / unsqueeze(s, -2)
            ga = (u @ inner + gus - u @ (mT(u) @ gus)) @ vh
        elif m < n:
            svh = gvh / unsqueeze(s, -1)
            ga = u @ (inner @ vh + svh - (svh @ mT(vh)) @ vh)
        else:
            ga = u @ inner @ vh
        return ga, None


def _eye_batch(xp, a, r, c):
    return xp.broadcast_to(xp.eye(r, c, dtype=a.dtype), a.shape[:-2] + (r, c)).copy()


# ---- public functions -------------------------------------------------------------------------
def _uplo(uplo, op):
    u = str(uplo).upper()
    if u not in ("L", "U"):
        raise RuntimeError(f"{op}: Expected UPLO argument to be 'L' or 'U', but got {uplo}")
    return u


@honour_out("eigh")
def eigh(A, UPLO="L", *, out=None):
    """``torch.linalg.eigh``: eigenvalues (ascending) and orthonormal eigenvectors (columns) of
    each symmetric matrix (..., n, n), read from its UPLO triangle. Shapes: (..., n) and
    (..., n, n). Derivative: see the module doc (distinct eigenvalues).

    Raises RuntimeError for a non-square matrix or an input below 2 dims.
    Raises NotImplementedError for a dtype other than float32/float64 (torch's "linalg_eigh_cpu").
    """
    check_square(A, "linalg.eigh", kernel="linalg_eigh_cpu")
    w, v = LinalgEighFn.apply(A, _uplo(UPLO, "linalg.eigh"))
    return eigh_type(w, v)


@honour_out("eigvalsh")
def eigvalsh(A, UPLO="L", *, out=None):
    """``torch.linalg.eigvalsh``: the eigenvalues of ``eigh``. Derivative: V diag(λ̄) Vᵀ.

    Shapes: A (..., n, n) → eigenvalues (..., n) (and eigenvectors (..., n, n)). Raises RuntimeError
    for a non-square matrix or an input below 2 dims.
    Raises NotImplementedError for a dtype other than float32/float64 (torch's "linalg_eigh_cpu").
    """
    check_square(A, "linalg.eigvalsh", kernel="linalg_eigh_cpu")
    return LinalgEighFn.apply(A, _uplo(UPLO, "linalg.eigvalsh"))[0]


@honour_out("linalg_svd")
def linalg_svd(A, full_matrices=True, *, driver=None, out=None):
    """``torch.linalg.svd``: U, S (descending), Vh with A = U diag(S) Vh. Shapes: A (..., m, n),
    k = min(m, n): U (..., m, m or k), S (..., k), Vh (..., n or k, n).

    Raises RuntimeError for an input below 2 dims.
    """
    check_matrix(A, "linalg.svd", half_kernel="linalg_svd_cpu")
    u, s, vh = LinalgSvdFn.apply(A, bool(full_matrices))
    return svd_type(u, s, vh)


@honour_out("svdvals")
def svdvals(A, *, driver=None, out=None):
    """``torch.linalg.svdvals``: the singular values (descending), (..., m, n) -> (..., k).
    Derivative: U diag(s̄) Vᵀ.

    Shapes: A (..., m, n) → (..., min(m, n)). Raises RuntimeError for an input below 2 dims.
    """
    check_matrix(A, "linalg.svdvals", half_kernel="linalg_svd_cpu")
    return LinalgSvdFn.apply(A, False)[1]


@honour_out("svd")
def svd(input, some=True, compute_uv=True, *, out=None):
    """``torch.svd`` (deprecated in torch for linalg.svd): (U, S, V) with V, not Vᵀ; some=False
    gives square U, V; compute_uv=False gives zero U and V.

    Shapes: A (..., m, n), k = min(m, n) → U (..., m, m or k), S (..., k), Vh (..., n or k, n)
    (``torch.svd``: V). Raises RuntimeError for an input below 2 dims.
    Raises TypeError when ``some`` or ``compute_uv`` is not a bool.
    """
    require_bool(some, "svd", "some", 2)
    require_bool(compute_uv, "svd", "compute_uv", 3)
    check_matrix(input, "svd")
    u, s, vh = LinalgSvdFn.apply(input, not some)
    if not compute_uv:  # torch: zero-filled (m, m) and (n, n) matrices
        xp = get_array_module(input._data)
        *batch, m, n = input.shape
        zeros = [Tensor._wrap(xp.zeros((*batch, r, r), dtype=input._data.dtype)) for r in (m, n)]
        return torch_svd_type(zeros[0], s, zeros[1])
    return torch_svd_type(u, s, mT(vh))

__all__ = ["svd"]

METHODS = {"svd": svd,
           # the conjugate transpose: for real tensors the transpose (shape's mT)
           "mH": property(lambda self: mT(self))}
