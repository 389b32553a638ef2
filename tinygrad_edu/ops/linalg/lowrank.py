"""Randomized low-rank SVD and PCA (torch.svd_lowrank, torch.pca_lowrank), as torch's
``torch/_lowrank.py`` computes them: Halko, Martinsson & Tropp 2009, "Finding structure with
randomness" (Algorithms 4.4 and 5.1). A random Gaussian sketch (tg.randn: torch's numbers for
torch's seed) and a few subspace iterations give an orthonormal basis Q of A's range; the SVD of
the small QᵀA then gives A's leading singular triplets. Composed of randn, matmul, qr and svd,
so the gradient is theirs.
"""

from __future__ import annotations

from ...sampling import randn
from ..matmul import matmul
from ..reduce import mean
from ._common import mT
from .qr import linalg_qr
from .spectral import linalg_svd


def _approximate_basis(A, q, niter, M=None):
    """Q (…, m, q) with orthonormal columns such that Q Qᵀ (A − M) ≈ A − M."""
    niter = 2 if niter is None else niter
    r = randn(A.shape[-1], q, dtype=A.dtype, device=A.device)
    x = matmul(A, r)
    if M is not None:
        x = x - matmul(M, r)
    Q = linalg_qr(x).Q
    for _ in range(niter):
        x = matmul(mT(A), Q)
        if M is not None:
            x = x - matmul(mT(M), Q)
        Q = linalg_qr(x).Q
        x = matmul(A, Q)
        if M is not None:
            x = x - matmul(M, Q)
        Q = linalg_qr(x).Q
    return Q


def svd_lowrank(A, q=6, niter=2, M=None):
    """``torch.svd_lowrank``: (U, S, V) with A − M ≈ U diag(S) Vᵀ of rank ``q``, by a random
    sketch and ``niter`` subspace iterations. Shapes: A (..., m, n) -> U (..., m, q), S (..., q),
    V (..., n, q). Seed torch's generator (tg.manual_seed) for repeatable results.

    Raises ValueError for an input below 2 dims.
    """
    q = 6 if q is None else q
    m, n = A.shape[-2:]
    if M is not None:
        M = M.broadcast_to(A.shape)
    if m < n:
        A = mT(A)
        M = mT(M) if M is not None else None
    Q = _approximate_basis(A, q, niter, M)
    B = matmul(mT(Q), A)
    if M is not None:
        B = B - matmul(mT(Q), M)
    U, S, Vh = linalg_svd(B, full_matrices=False)
    V = mT(Vh)
    U = matmul(Q, U)
    if m < n:
        U, V = V, U
    return U, S, V


def pca_lowrank(A, q=None, center=True, niter=2):
    """``torch.pca_lowrank``: ``svd_lowrank`` of A with its column means removed (``center``);
    q defaults to min(6, m, n). V's columns are the principal directions, S²/(m − 1) the
    variances along them. Raises ValueError for q outside [0, min(m, n)] or niter < 0.

    Shapes: A (..., m, n) → U (..., m, q), S (..., q), V (..., n, q).
    """
    m, n = A.shape[-2:]
    if q is None:
        q = min(6, m, n)
    elif not 0 <= q <= min(m, n):
        raise ValueError(f"q(={q}) must be non-negative integer and not greater than "
                         f"min(m, n)={min(m, n)}")
    if not niter >= 0:
        raise ValueError(f"niter(={niter}) must be non-negative integer")
    if not center:
        return svd_lowrank(A, q, niter=niter)
    return svd_lowrank(A - mean(A, -2, keepdim=True), q, niter=niter)


__all__ = ["pca_lowrank", "svd_lowrank"]

METHODS: dict = {}
