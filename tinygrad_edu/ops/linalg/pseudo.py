"""The pseudo-inverse and what builds on it: pinv, pinverse, lstsq, matrix_rank, cond.

pinv's backward is Golub & Pereyra's derivative of A⁺ ("The differentiation of pseudo-inverses
and nonlinear least squares problems whose variables separate", SIAM J. Numer. Anal. 1973), in
the form of torch's pinv_backward (valid while the rank does not change):

    Ā = −(A⁺ᵀ Ḡ A⁺ᵀ) + (I − A A⁺)ᵀ Ḡᵀ A⁺ A⁺ᵀ + A⁺ᵀ A⁺ Ḡᵀ (I − A⁺ A)ᵀ   (Ḡ = ∂L/∂A⁺ transposed)

written with matmuls of A and A⁺ only, so it differentiates again. lstsq's gradient is that of
X = A⁺B and of the residuals ‖AX − B‖² (torch's linalg_lstsq_backward).
"""

from __future__ import annotations

import numpy as np

from ..._args import require_tensor
from ...autograd import Function
from ...backend import get_array_module
from ...dtype import finfo
from ...tensor import Tensor
from .._out import honour_out
from .._util import quiet
from ..matmul import matmul
from ._common import FLOAT_DOUBLE, check_matrix, check_same_dtype, lapack_svd, mT, return_type
from .norms import matrix_norm
from .solve import inv
from .spectral import svdvals

lstsq_type = return_type("linalg_lstsq", "solution residuals rank singular_values")


def _tolerance(s_max, atol, rtol, m, n, dtype):
    """torch's threshold max(atol, rtol·σ_max); rtol defaults to eps·max(m, n) unless only atol
    > 0 was given."""
    xp = get_array_module(s_max)
    if rtol is None:
        rtol = 0.0 if (atol is not None and np.any(np.asarray(atol) > 0)) else (
            finfo(dtype).eps * max(m, n))
    atol = 0.0 if atol is None else atol
    return xp.maximum(xp.asarray(atol, dtype=dtype), xp.asarray(rtol, dtype=dtype) * s_max)


def _pinv_array(a, atol, rtol, hermitian):
    """A⁺ of an array: V diag(1/σ above the tolerance, else 0) Uᵀ (eigh when hermitian)."""
    xp = get_array_module(a)
    m, n = a.shape[-2:]
    if a.size == 0:
        return xp.zeros(a.shape[:-2] + (n, m), dtype=a.dtype)
    if hermitian:
        w, v = xp.linalg.eigh(a)
        tol = _tolerance(xp.abs(w).max(axis=-1, keepdims=True), atol, rtol, m, n, a.dtype)
        with quiet():
            winv = xp.where(xp.abs(w) > tol, 1 / w, 0).astype(a.dtype)
        return (v * winv[..., None, :]) @ xp.swapaxes(v, -1, -2)
    u, s, vh = lapack_svd(xp, a, full_matrices=False)
    tol = _tolerance(s[..., :1], atol, rtol, m, n, a.dtype)
    with quiet():
        sinv = xp.where(s > tol, 1 / s, 0).astype(a.dtype)
    return (xp.swapaxes(vh, -1, -2) * sinv[..., None, :]) @ xp.swapaxes(u, -1, -2)


def pinv_backward(a, p, g):
    """Ā from Ḡ = ∂L/∂A⁺ (Golub & Pereyra 1973, as torch's pinv_backward, ordered to keep the
    products small)."""
    m, n = a.shape[-2:]
    pt, gt = mT(p), mT(g)
    if m <= n:
        k = gt @ p
        kpt = k @ pt
        return -mT(p @ k) + kpt - (a @ p) @ kpt + (pt @ p) @ (gt - k @ a)
    k = p @ gt
    ptk = pt @ k
    return -mT(k @ p) + ((gt - a @ k) @ p) @ pt + ptk - (ptk @ p) @ a


class LinalgPinvFn(Function):
    """P = A⁺ = V diag(1/σ, 0 below the tolerance) Uᵀ (or from eigh when hermitian)"""

    array_io = True

    @staticmethod
    def forward(ctx, a, atol, rtol, hermitian):
        p = _pinv_array(a, atol, rtol, hermitian)
        ctx.save_for_backward(a, p)
        return p

    @staticmethod
    def backward(ctx, g):
        a, p = ctx.saved_tensors
        return pinv_backward(a, p, g), None, None, None


def _tol_arg(t, a):
    """An atol/rtol argument as a number or an array broadcasting over a's batch (..., 1)."""
    if t is None or not isinstance(t, Tensor):
        return t
    return t._data.astype(a._data.dtype)[..., None]


@honour_out("pinv")
def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """``torch.linalg.pinv``: the Moore–Penrose pseudo-inverse A⁺ (..., m, n) -> (..., n, m),
    singular values ≤ max(atol, rtol·σ_max) treated as 0 (rtol defaults to eps·max(m, n));
    ``hermitian`` uses eigh. Derivative: Golub & Pereyra (see the module doc).

    Shapes: A (..., m, n) → (..., n, m). Raises RuntimeError for an input below 2 dims.
    """
    check_matrix(A, "linalg.pinv")
    return LinalgPinvFn.apply(A, _tol_arg(atol, A), _tol_arg(rtol, A), bool(hermitian))


def pinverse(input, rcond=1e-15):
    """``torch.pinverse``: ``pinv`` with rtol = rcond.

    Shapes: A (..., m, n) → (..., n, m). Raises RuntimeError for an input below 2 dims.
    """
    check_matrix(input, "pinverse")
    return LinalgPinvFn.apply(input, None, float(rcond), False)


@honour_out("matrix_rank")
def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """``torch.linalg.matrix_rank``: the number of singular values (|eigenvalues| when
    hermitian) above max(atol, rtol·σ_max), as int64 (..., m, n) -> (...).

    Shapes: A (..., m, n) → (...) int64. Raises RuntimeError for an input below 2 dims.
    """
    check_matrix(A, "linalg.matrix_rank", half_message=FLOAT_DOUBLE)
    a = A._data
    xp = get_array_module(a)
    m, n = a.shape[-2:]
    if a.size == 0:
        return Tensor._wrap(xp.zeros(a.shape[:-2], dtype=np.int64))
    s = xp.abs(xp.linalg.eigvalsh(a)) if hermitian else lapack_svd(xp, a, compute_uv=False)
    tol = _tolerance(s.max(axis=-1, keepdims=True), _tol_arg(atol, A), _tol_arg(rtol, A), m, n,
                     a.dtype)
    return Tensor._wrap(xp.asarray((s > tol).sum(axis=-1), dtype=np.int64))


@honour_out("cond")
def cond(A, p=None, *, out=None):
    """``torch.linalg.cond``: the condition number ‖A‖ₚ‖A⁻¹‖ₚ; for p = None/2 (−2) the ratio
    σ_max/σ_min (σ_min/σ_max) of the singular values, any shape; other p square matrices.
    Composed of svdvals / matrix_norm / inv, whose gradients it uses.

    Shapes: A (..., m, n) → (...). Raises RuntimeError for an input below 2 dims.
    """
    check_matrix(A, "linalg.cond", half_kernel="linalg_svd_cpu")
    if p in (None, 2, -2):
        s = svdvals(A)
        big, small = s[..., 0], s[..., -1]
        return big / small if p != -2 else small / big
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.cond: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    return matrix_norm(A, p) * matrix_norm(inv(A), p)


_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def lstsq(A, B, rcond=None, *, driver=None):
    """``torch.linalg.lstsq``: the least-squares (minimum-norm) solution X of AX ≈ B, with the
    residuals (gels/gelsd/gelss, tall A), the rank (gelsy/gelsd/gelss) and the singular values
    (gelsd/gelss), as torch fills them per driver (empty otherwise). Shapes: A (..., m, n), B
    (..., m, k) -> X (..., n, k). Computed as A⁺B; gradient that of A⁺B.

    Raises RuntimeError for rows of A and B that differ.
    Raises TypeError when ``A`` is not a Tensor.
    """
    require_tensor(A, "lstsq", "A", 1)
    require_tensor(B, "lstsq", "B", 2)
    op = "torch.linalg.lstsq"
    if not isinstance(A, Tensor) or A.ndim < 2:
        raise RuntimeError(f"{op}: input must have at least 2 dimensions.")
    check_matrix(A, op, half_message=FLOAT_DOUBLE)
    if B.ndim < 1:
        raise RuntimeError(f"{op}: other must have at least 1 dimension.")
    check_same_dtype(A, B, op, ("input", "other"))
    driver = driver or "gelsy"
    if driver not in _DRIVERS:
        raise RuntimeError(f"{op}: parameter `driver` should be one of (gels, gelsy, gelsd, "
                           f"gelss)")
    vector = B.ndim == A.ndim - 1
    b = B.unsqueeze(-1) if vector else B
    if A.shape[-2] != b.shape[-2]:
        raise RuntimeError(f"{op}: input.size(-2) should match other.size(-{1 + (not vector)})")
    m, n = A.shape[-2:]
    xp = get_array_module(A._data)
    s = lapack_svd(xp, A._data, compute_uv=False) if A._data.size else xp.zeros(
        A.shape[:-2] + (min(m, n),), dtype=A._data.dtype)
    tol_r = finfo(A._data.dtype).eps * max(m, n) if rcond is None else rcond
    rank = (s > tol_r * s[..., :1]).sum(axis=-1) if s.size else xp.zeros(A.shape[:-2], int)
    full = bool(np.all(rank == min(m, n)))
    residuals = driver != "gelsy" and m > n and full
    x = matmul(LinalgPinvFn.apply(A, None, rcond, False), b)  # X = A⁺B
    if residuals:
        r = ((matmul(A, x) - b) ** 2).sum(-2)
    else:  # empty, but part of the graph as torch's (its gradient contributes nothing)
        r = x.reshape(-1)[:0]
    if vector:
        x = x.squeeze(-1)
    empty = Tensor._wrap(xp.zeros((0,), dtype=np.int64))
    rank_t = Tensor._wrap(xp.asarray(rank, dtype=np.int64)) if driver != "gels" else empty
    sv = Tensor._wrap(s) if driver in ("gelsd", "gelss") else Tensor._wrap(
        xp.zeros((0,), dtype=A._data.dtype))
    return lstsq_type(x, r, rank_t, sv)


__all__ = ["pinverse"]

METHODS = {"pinverse": pinverse}
