"""LDLᵀ with Bunch–Kaufman pivoting: linalg.ldl_factor(_ex) and linalg.ldl_solve.

A symmetric A (only its lower triangle is read) is factored as P A Pᵀ = L D Lᵀ with L unit
lower and D block diagonal (1×1 and 2×2 blocks), LAPACK's sytrf in its unblocked form (dsytf2,
UPLO='L'), which NumPy does not offer: at column k, with α = (1 + √17)/8, the diagonal |a_kk|,
the column's largest |a_ik| (row r) and row r's largest off-diagonal |a_rj|,
- |a_kk| ≥ α·colmax, or |a_kk|·rowmax ≥ α·colmax²: a 1×1 pivot, no swap;
- else |a_rr| ≥ α·rowmax: a 1×1 pivot, swap k and r;
- else a 2×2 pivot on rows k, k+1, swap k+1 and r;
then the trailing block gets the rank-1 (or rank-2) update and the column(s) of L are stored
below D. ``pivots`` is LAPACK's ipiv (1-based; a 2×2 block stores −r twice); the swaps act on
the trailing block only, so L is in LAPACK's compact form, which ldl_solve (sytrs) undoes step
by step. torch offers no gradient for either op, and neither does this module. Each matrix of
a batch is factored on its own (pivot choices differ); the arithmetic is on ``xp``.
"""

from __future__ import annotations

import math

import numpy as np

from ...backend import get_array_module
from ...dtype import kind_of
from ...tensor import Tensor
from .._out import honour_out
from .._util import quiet
from ._common import LinAlgError, check_float, check_square, return_type

ldl_factor_type = return_type("linalg_ldl_factor", "LD pivots")
ldl_factor_ex_type = return_type("linalg_ldl_factor_ex", "LD pivots info")
_ALPHA = (1 + math.sqrt(17)) / 8


def _swap(w, k, a, b):
    """Swap rows and columns a and b of the symmetric trailing block w[k:, k:]."""
    if a != b:
        w[[a, b], k:] = w[[b, a], k:]
        w[k:, [a, b]] = w[k:, [b, a]]


def _symmetric(w, k):
    """Copy the trailing block's lower triangle onto its upper one (reads stay LAPACK's)."""
    t = w[k:, k:]
    w[k:, k:] = get_array_module(w).tril(t) + get_array_module(w).tril(t, -1).T


def _sytf2(a):
    """(LD, ipiv, info) of one n×n array (LAPACK dsytf2, lower)."""
    xp = get_array_module(a)
    n = a.shape[0]
    w = xp.tril(a) + xp.tril(a, -1).T
    ipiv = np.zeros(n, dtype=np.int32)
    info, k = 0, 0
    while k < n:
        step, absakk = 1, abs(float(w[k, k]))
        r = k + 1 + int(xp.argmax(xp.abs(w[k + 1:, k]))) if k < n - 1 else k
        colmax = abs(float(w[r, k])) if k < n - 1 else 0.0
        if max(absakk, colmax) == 0 or math.isnan(absakk):
            info, kp = info or k + 1, k  # a zero column: D[k, k] = 0, nothing to eliminate
        else:
            if absakk >= _ALPHA * colmax:
                kp = k
            else:
                rowmax = float(xp.max(xp.abs(w[r, k:r])))  # row r left of the diagonal
                if r < n - 1:
                    rowmax = max(rowmax, float(xp.max(xp.abs(w[r + 1:, r]))))
                if absakk >= _ALPHA * colmax * (colmax / rowmax):
                    kp = k
                elif abs(float(w[r, r])) >= _ALPHA * rowmax:
                    kp = r
                else:
                    kp, step = r, 2
            _swap(w, k, k + step - 1, kp)
            if step == 1 and k < n - 1:
                d11 = 1 / w[k, k]
                x = w[k + 1:, k].copy()
                w[k + 1:, k + 1:] -= x[:, None] * (d11 * x)[None, :]
                w[k + 1:, k] = x * d11
                _symmetric(w, k + 1)
            elif step == 2 and k < n - 2:
                d21 = w[k + 1, k]
                d11, d22 = w[k + 1, k + 1] / d21, w[k, k] / d21
                d21 = (1 / (d11 * d22 - 1)) / d21
                c0, c1 = w[k + 2:, k].copy(), w[k + 2:, k + 1].copy()
                wk, wkp1 = d21 * (d11 * c0 - c1), d21 * (d22 * c1 - c0)
                w[k + 2:, k + 2:] -= c0[:, None] * wk[None, :] + c1[:, None] * wkp1[None, :]
                w[k + 2:, k], w[k + 2:, k + 1] = wk, wkp1
                _symmetric(w, k + 2)
        ipiv[k:k + step] = kp + 1 if step == 1 else -(kp + 1)
        k += step
    return xp.tril(w), ipiv, info


def _factor(A, op):
    check_square(A, op, half_kernel="ldl_factor_kernel_cpu")
    xp = get_array_module(A._data)
    a = A._data
    *batch, n, _ = a.shape
    flat = a.reshape(int(np.prod(batch)), n, n)
    ld, piv, info = xp.empty_like(flat), np.zeros((flat.shape[0], n), np.int32), []
    with quiet():
        for i in range(flat.shape[0]):
            ld[i], piv[i], inf = _sytf2(flat[i])
            info.append(inf)
    shape = tuple(batch)
    return (Tensor._wrap(ld.reshape(a.shape)), Tensor._wrap(xp.asarray(piv).reshape(shape + (n,))),
            Tensor._wrap(xp.asarray(np.array(info, dtype=np.int32)).reshape(shape)))


def _check_hermitian(hermitian, op):
    if not isinstance(hermitian, bool):
        raise TypeError(f"{op}(): argument 'hermitian' must be bool, not "
                        f"{type(hermitian).__name__}")


@honour_out("ldl_factor_ex")
def ldl_factor_ex(A, *, hermitian=False, check_errors=False, out=None):
    """``torch.linalg.ldl_factor_ex``: (LD, pivots, info) of a symmetric A (..., n, n), its
    lower triangle read: P A Pᵀ = L D Lᵀ with L unit lower and D 1×1/2×2 blocks (Bunch–Kaufman,
    LAPACK's sytrf; see the module doc). LD holds L below D (upper triangle 0); pivots int32
    (..., n), 1-based, a 2×2 block marked −r twice; info the first zero D[i, i] (1-based, 0 if
    none). dtype: float32/float64 (hermitian = symmetric for real A). Raises RuntimeError for
    non-float, non-square or < 2-D input, LinAlgError for info > 0 with ``check_errors``.
    Not differentiable (as in torch).

    Shapes: A (..., n, n) → LD (..., n, n) and pivots (..., n) (and info (...) for ``_ex``).
    """
    op = "torch.linalg.ldl_factor_ex"
    _check_hermitian(hermitian, op)
    ld, piv, info = _factor(A, op)
    if check_errors and bool((info._data > 0).any()):
        raise LinAlgError(f"{op}: D[{int(info._data.max())}, {int(info._data.max())}] is zero: "
                          "the factorization could not be completed (singular A)")
    return ldl_factor_ex_type(ld, piv, info)


@honour_out("ldl_factor")
def ldl_factor(A, *, hermitian=False, out=None):
    """``torch.linalg.ldl_factor``: (LD, pivots) of ``ldl_factor_ex``; raises LinAlgError
    (a RuntimeError) where a D[i, i] is exactly zero. Not differentiable (as in torch).

    Shapes: A (..., n, n) → LD (..., n, n) and pivots (..., n) (and info (...) for ``_ex``).
    """
    op = "torch.linalg.ldl_factor"
    _check_hermitian(hermitian, op)
    ld, piv, info = _factor(A, op)
    if bool((info._data > 0).any()):
        i = int(info._data[info._data > 0].min())
        raise LinAlgError(f"{op}: D[{i}, {i}] is zero: the factorization could not be "
                          "completed (singular A)")
    return ldl_factor_type(ld, piv)


def _sytrs(ld, ipiv, b):
    """X with A X = B from one factorization (LAPACK dsytrs, lower); b (n, k) is overwritten."""
    n, k = ld.shape[0], 0
    while k < n:  # L D y = P b, one pivot block at a time
        kp = abs(int(ipiv[k])) - 1
        if ipiv[k] > 0:
            b[[k, kp]] = b[[kp, k]]
            b[k + 1:] -= ld[k + 1:, k:k + 1] * b[k:k + 1]
            b[k] /= ld[k, k]
            k += 1
        else:
            b[[k + 1, kp]] = b[[kp, k + 1]]
            c0, c1 = ld[k + 2:, k:k + 1], ld[k + 2:, k + 1:k + 2]
            b[k + 2:] -= c0 * b[k:k + 1] + c1 * b[k + 1:k + 2]
            e = ld[k + 1, k]
            d0, d1 = ld[k, k] / e, ld[k + 1, k + 1] / e
            denom = d0 * d1 - 1
            b0, b1 = b[k] / e, b[k + 1] / e
            b[k], b[k + 1] = (d1 * b0 - b1) / denom, (d0 * b1 - b0) / denom
            k += 2
    k = n - 1
    while k >= 0:  # Lᵀ Pᵀ x = y, backwards
        kp = abs(int(ipiv[k])) - 1
        b[k] -= ld[k + 1:, k] @ b[k + 1:]
        if ipiv[k] > 0:
            b[[k, kp]] = b[[kp, k]]
            k -= 1
        else:
            b[k - 1] -= ld[k + 1:, k - 1] @ b[k + 1:]
            b[[k, kp]] = b[[kp, k]]
            k -= 2
    return b


@honour_out("ldl_solve")
def ldl_solve(LD, pivots, B, *, hermitian=False, out=None):
    """``torch.linalg.ldl_solve``: X with A X = B, A given by ``ldl_factor``'s (LD, pivots).
    Shapes: LD (*, n, n), pivots (*, n), B (*, n, k); batch dims broadcast -> (*, n, k). dtype:
    LD's (B the same). Raises RuntimeError for mismatched shapes or dtypes. Not differentiable
    (as in torch)."""
    op = "torch.linalg.ldl_solve"
    _check_hermitian(hermitian, op)
    check_square(LD, op, "LD")
    check_float(B, op)
    if B.ndim < 2:
        raise IndexError(f"{op}: B must have at least 2 dimensions (n, k), got shape "
                         f"{list(B.shape)}")
    if tuple(pivots.shape) != tuple(LD.shape[:-1]):
        raise RuntimeError(f"{op}: Expected LD.shape[:-1] and pivots.shape to be the same, but "
                           f"got pivots with shape {list(pivots.shape)} instead")
    if kind_of(pivots._data.dtype) not in "iu":
        raise RuntimeError(f"{op}: Expected pivots to be integers. Got {pivots.dtype.name}")
    n = LD.shape[-1]
    if B.shape[-2] != n:
        raise RuntimeError(f"Incompatible matrix sizes for {op}: each A matrix is {n} by {n} "
                           f"but each b matrix is {B.shape[-2]} by {B.shape[-1]}")
    if B.dtype != LD.dtype:
        raise RuntimeError(f"{op}: Expected B and LD to have the same dtype, but found B of "
                           f"type {B.dtype.name} and LD of type {LD.dtype.name} instead.")
    xp = get_array_module(LD._data)
    batch = np.broadcast_shapes(LD.shape[:-2], B.shape[:-2])
    nb = int(np.prod(batch))
    ld = xp.broadcast_to(LD._data, batch + (n, n)).reshape(nb, n, n)
    piv = np.asarray(xp.broadcast_to(pivots._data, batch + (n,)).reshape(nb, n).tolist())
    x = xp.broadcast_to(B._data, batch + tuple(B.shape[-2:])).reshape(nb, *B.shape[-2:]).copy()
    with quiet():
        for i in range(x.shape[0]):
            _sytrs(ld[i], piv[i], x[i])
    return Tensor._wrap(x.reshape(batch + tuple(B.shape[-2:])))


__all__: list = []  # torch.linalg names only (tinygrad_edu/linalg.py)

METHODS: dict = {}
