"""QR: linalg.qr / torch.qr (one Function), and the Householder form of LAPACK: geqrf,
householder_product (orgqr) and ormqr, the latter two composed of rank-1 updates (so their
gradients are those of the updates).

qr's backward (Walter & Lehmann 2018, "Algorithmic differentiation of linear algebra
functions with application in optimum experimental design"; Roberts et al. 2020; in the form of
torch's linalg_qr_backward), with X = R̄Rᵀ − QᵀQ̄:

- m ≥ n: Ā = (Q̄ + Q·copyltu(X)) R⁻ᵀ, copyltu(X) = triu(X) + triu(X)ᵀ with the diagonal once;
- m < n (A = Q [R₁ R₂]): Ā = [Q·tril(−X + Xᵀ)·R₁⁻ᵀ, 0] + Q R̄ — derived from
  QᵀdA₁R₁⁻¹ = QᵀdQ (skew) + dR₁R₁⁻¹ (upper), dR₂ = QᵀdA₂ − QᵀdQ R₂.
"""

from __future__ import annotations

import numpy as np

from ..._args import no_kernel, require_bool
from ...autograd import Function
from ...backend import get_array_module
from ...tensor import Tensor
from .._out import honour_out
from .._util import named
from ._common import (
    array_of,
    check_float,
    check_matrix,
    check_same_dtype,
    concat,
    const,
    diag_embed,
    diagonal,
    mT,
    return_type,
    tril,
    triu,
)
from .solvers import LinalgSolveTriangularFn

qr_type = return_type("linalg_qr", "Q R")
torch_qr_type = return_type("qr", "Q R")
geqrf_type = return_type("geqrf", "a tau")


class LinalgQrFn(Function):
    """(Q, R) with A = Q R, Q orthonormal columns, R upper triangular (LAPACK's signs)"""

    array_io = True

    @staticmethod
    def forward(ctx, a, mode):
        xp = get_array_module(a)
        if mode == "r":
            r = xp.linalg.qr(a, mode="r")
            q = xp.zeros((0,), dtype=a.dtype)
        else:
            q, r = xp.linalg.qr(a, mode=mode)
        ctx.save_for_backward(q, r)
        ctx.mode = mode
        return q, r

    @staticmethod
    def backward(ctx, gq, gr):
        q, r = ctx.saved_tensors
        if ctx.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed "
                               "when mode='r'. Please use linalg.qr(A, mode='reduced') if you "
                               "are going to differentiate through linalg.qr.")
        m, n = q.shape[-2], r.shape[-1]
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' "
                               "and nrows > ncols.")
        x = gr @ mT(r) - mT(q) @ gq
        if m >= n:
            up = triu(x)
            sym = up + mT(up) - diag_embed(diagonal(up))  # the upper triangle, mirrored
            # Ā R = Q̄ + Q·sym  ⇒  Ā = (Q̄ + Q·sym) R⁻ᵀ (a right solve with Rᵀ, lower)
            return LinalgSolveTriangularFn.call(mT(r), gq + q @ sym, False, False, False), None
        r1 = r[..., :, :m]
        ga = LinalgSolveTriangularFn.call(mT(r1), q @ tril(mT(x) - x), False, False, False)
        arr = array_of(ga)
        zeros = get_array_module(arr).zeros(arr.shape[:-1] + (n - m,), arr.dtype)
        return concat([ga, zeros], -1) + q @ gr, None


_MODES = ("reduced", "complete", "r")


def _no_half(A) -> None:
    """torch's geqrf kernel has no float16 case (NotImplementedError); integers fail its
    floating check afterwards (RuntimeError), as in torch."""
    if isinstance(A, Tensor):
        no_kernel(A, "geqrf_cpu", "e")


@honour_out("linalg_qr")
def linalg_qr(A, mode="reduced", *, out=None):
    """``torch.linalg.qr``: A = QR for (..., m, n), k = min(m, n): 'reduced' Q (m, k), R (k, n);
    'complete' Q (m, m), R (m, n); 'r' only R (Q empty). Derivative: see the module doc (not
    for 'r', nor 'complete' with m > n: raised at backward, as torch).

    Shapes: A (..., m, n), k = min(m, n) → Q (..., m, k) and R (..., k, n) (reduced); Q (..., m, m)
    and R (..., m, n) (complete). Raises RuntimeError for an input below 2 dims.
    """
    _no_half(A)
    check_matrix(A, "linalg.qr")
    if mode not in _MODES:
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    q, r = LinalgQrFn.apply(A, mode)
    return qr_type(q, r)


@honour_out("qr")
def qr(input, some=True, *, out=None):
    """``torch.qr`` (deprecated in torch for linalg.qr): reduced when ``some``, else complete.

    Shapes: A (..., m, n), k = min(m, n) → Q (..., m, k) and R (..., k, n) (reduced); Q (..., m, m)
    and R (..., m, n) (complete). Raises RuntimeError for an input below 2 dims.
    Raises TypeError when ``some`` is not a bool.
    """
    require_bool(some, "qr", "some", 2)
    _no_half(input)
    check_matrix(input, "linalg.qr")
    q, r = LinalgQrFn.apply(input, "reduced" if some else "complete")
    return torch_qr_type(q, r)


@honour_out("geqrf")
def geqrf(input, *, out=None):
    """``torch.geqrf``: LAPACK's packed QR — R on and above the diagonal, the Householder
    vectors below it, and their scales τ. No gradient (torch has none either).

    Shapes: A (..., m, n) → the packed QR (..., m, n) and τ (..., min(m, n)). Raises RuntimeError
    for an input below 2 dims.
    Raises NotImplementedError for a dtype other than float32/float64 (torch's "geqrf_cpu").
    """
    check_matrix(input, "geqrf", kernel="geqrf_cpu")
    xp = get_array_module(input._data)
    h, tau = xp.linalg.qr(input._data, mode="raw")  # NumPy returns the transposed layout
    return geqrf_type(Tensor._wrap(xp.ascontiguousarray(xp.swapaxes(h, -1, -2))),
                      Tensor._wrap(tau))


def _reflector(A, i):
    """vᵢ: 1 at row i, A's column i below it, 0 above (LAPACK's implicit unit entry)."""
    m = A.shape[-2]
    xp = get_array_module(A._data)
    below = const((xp.arange(m) > i).astype(A._data.dtype), A)
    unit = const((xp.arange(m) == i).astype(A._data.dtype), A)
    return A[..., :, i] * below + unit


def _apply_reflector(C, v, tau, left):
    """H C = C − τ v (vᵀC) (left) or C H = C − τ (C v) vᵀ (right), H = I − τ v vᵀ."""
    t = tau.unsqueeze(-1).unsqueeze(-1)
    if left:
        return C - t * (v.unsqueeze(-1) @ (v.unsqueeze(-2) @ C))
    return C - t * ((C @ v.unsqueeze(-1)) @ v.unsqueeze(-2))


class NoReflectorsFn(Function):
    """Q = I (householder_product with no reflectors, k = 0): torch records its node but its
    backward gives A and tau no gradient (None, not zeros)"""

    node_name = "LinalgHouseholderProductBackward0"
    array_io = True

    @staticmethod
    def forward(ctx, A, tau, q):
        return q.copy()

    @staticmethod
    def backward(ctx, g):
        return None, None, None  # torch: undefined gradients


@honour_out("householder_product")
def householder_product(A, tau, *, out=None):
    """``torch.linalg.householder_product`` (LAPACK's orgqr): the first n columns of
    H₁H₂…H_k, Hᵢ = I − τᵢvᵢvᵢᵀ with vᵢ read from A's column i below the diagonal. Shapes: A
    (..., m, n) with m ≥ n, tau (..., k), k ≤ n. Composed of rank-1 updates (their gradient).

    Raises RuntimeError for m < n or k > n.
    Raises NotImplementedError for a dtype other than float32/float64 (torch's "orgqr_cpu").
    """
    op = "torch.linalg.householder_product"
    check_matrix(A, op, kernel="orgqr_cpu")
    m, n = A.shape[-2:]
    k = tau.shape[-1]
    if m < n:
        raise RuntimeError(f"{op}: input.shape[-2] must be greater than or equal to "
                           "input.shape[-1]")
    if k > n:
        raise RuntimeError(f"{op}: input.shape[-1] must be greater than or equal to "
                           "tau.shape[-1]")
    check_same_dtype(A, tau, op, ("input", "tau"))
    xp = get_array_module(A._data)
    eye = np.broadcast_shapes(A.shape[:-2], tau.shape[:-1]) + (m, n)
    q = Tensor._wrap(xp.broadcast_to(xp.eye(m, n, dtype=A._data.dtype), eye).copy())
    if k == 0:  # the identity, recorded by torch's node, which gives A and tau no gradient
        return NoReflectorsFn.apply(A, tau, q)
    for i in reversed(range(k)):  # H₁(H₂(…(H_k I)))
        q = _apply_reflector(q, _reflector(A, i), tau[..., i], left=True)
    return named(q, "LinalgHouseholderProductBackward0")


@honour_out("ormqr")
def ormqr(input, tau, other, left=True, transpose=False, *, out=None):
    """``torch.ormqr``: Q·C, Qᵀ·C, C·Q or C·Qᵀ with Q = H₁…H_k the product of the Householder
    reflectors in (input, tau) (as geqrf returns them), applied one by one.

    Shapes: input (..., m, n), tau (..., k), other (..., m, p) (``left``) or (..., p, m) → other's
    shape.

    Raises RuntimeError for an input below 2 dims.
    Raises NotImplementedError for a dtype other than float32/float64 (torch's "ormqr_cpu").
    """
    op = "ormqr"
    for name, t in (("input", input), ("tau", tau), ("other", other)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(t).__name__}")
    if input.ndim < 2:
        raise RuntimeError(f"{op}: input must have at least 2 dimensions.")
    if other.ndim < 2:
        raise RuntimeError(f"{op}: other must have at least 2 dimensions.")
    d = -2 if left else -1
    m, k = other.shape[d], tau.shape[-1]
    if input.shape[-2] != m:
        raise RuntimeError(f"torch.{op}: other.shape[{d}] must be equal to input.shape[-2]")
    if k != min(m, input.shape[-1]):
        raise RuntimeError(f"torch.{op}: tau.shape[-1] must be equal to min(other.shape[{d}], "
                           "input.shape[-1])")
    for name, t in (("tau", tau), ("other", other)):
        if t.dtype != input.dtype:
            raise RuntimeError(f"{op}: Expected input and {name} to have the same dtype, but "
                               f"input has dtype {input.dtype.name} and {name} has dtype "
                               f"{t.dtype.name}")
    check_float(input, op, kernel="ormqr_cpu")  # torch checks the shapes first
    # Q C = H₁(…(H_k C)); QᵀC = H_k(…(H₁C)); C Q = ((C H₁)…)H_k; C Qᵀ = ((C H_k)…)H₁
    order = range(k) if left == transpose else reversed(range(k))
    c = other
    for i in order:
        c = _apply_reflector(c, _reflector(input, i), tau[..., i], left)
    return c


__all__ = ["geqrf", "ormqr", "qr"]

METHODS = {"qr": qr, "geqrf": geqrf, "ormqr": ormqr}
