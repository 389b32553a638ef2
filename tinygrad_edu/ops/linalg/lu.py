"""LU with partial pivoting: linalg.lu_factor(_ex), linalg.lu, torch.lu, lu_unpack,
linalg.lu_solve and torch.lu_solve.

The factorization itself is ``_lu_core.lu_factor_array`` (NumPy has none). Its backward, for
A = P L U (L unit lower, U upper; Murray 2016 style, in the form of torch's linalg_lu_backward):
square A:  Ā = P L⁻ᵀ [tril(Lᵀ L̄, −1) + triu(Ū Uᵀ)] U⁻ᵀ. A wide A = P L [U₁ U₂] or a tall
A = P [L₁; L₂] U adds the extra block's gradient through one more triangular solve. Everything
else here (unpacking, solving with the factors) is composed of tril/triu/slices and triangular
solves, whose gradients compose.
"""

from __future__ import annotations

from ..._args import require_bool
from ...autograd import Function
from ...backend import get_array_module
from ...tensor import Tensor
from .._out import honour_out
from .._util import named
from ._common import (
    LinAlgError,
    check_matrix,
    check_same_dtype,
    concat,
    const,
    eye_like,
    mT,
    return_type,
    tril,
    triu,
)
from ._lu_core import lu_factor_array, permutation_from_pivots
from .solvers import LinalgSolveTriangularFn

lu_factor_type = return_type("linalg_lu_factor", "LU pivots")
lu_factor_ex_type = return_type("linalg_lu_factor_ex", "LU pivots info")
lu_type = return_type("linalg_lu", "P L U")
lu_unpack_type = return_type("lu_unpack", "P L U")
lu_with_info_type = return_type("_lu_with_info", "LU pivots info")


def _solve_tri(a, b, upper, left, unit=False):
    return LinalgSolveTriangularFn.call(a, b, upper, left, unit)


def lu_backward(gl, gu, p, lo, up):
    """Ā for A = P L U from L̄ and Ū (torch's linalg_lu_backward, real case)."""
    m, n = lo.shape[-2], up.shape[-1]
    k = min(m, n)
    if m == n:
        inner = tril(mT(lo) @ gl, -1) + triu(gu @ mT(up))
        ga = _solve_tri(mT(up), inner, False, False)  # · U⁻ᵀ
        ga = _solve_tri(mT(lo), ga, True, True, True)  # L⁻ᵀ ·
    elif m < n:  # A = P L [U₁ U₂]
        u1, gu1, gu2 = up[..., :, :k], gu[..., :, :k], gu[..., :, k:]
        inner = tril(mT(lo) @ gl - triu(gu) @ mT(up), -1)
        ga = _solve_tri(mT(u1), inner, False, False) + triu(gu1)
        ga = _solve_tri(mT(lo), concat([ga, gu2], -1), True, True, True)
    else:  # A = P [L₁; L₂] U
        l1, gl1, gl2 = lo[..., :k, :], gl[..., :k, :], gl[..., k:, :]
        inner = triu(gu @ mT(up) - mT(lo) @ tril(gl, -1))
        ga = _solve_tri(mT(l1), inner, True, True, True) + tril(gl1, -1)
        ga = _solve_tri(mT(up), concat([ga, gl2], -2), False, False)
    return p @ ga


def _unpack(lu):
    """(L, U) from a packed LU (arrays or Tensors): L unit lower (m, k), U upper (k, n)."""
    m, n = lu.shape[-2:]
    k = min(m, n)
    lo = tril(lu[..., :, :k], -1) + eye_like(lu, m)[..., :, :k]
    return lo, triu(lu[..., :k, :])


def _perm_matrix(piv, m, dtype):
    """P with A = P L U, from LAPACK's pivots: P[perm[i], i] = 1."""
    xp = get_array_module(piv)
    perm = permutation_from_pivots(piv, m)
    eye = xp.eye(m, dtype=dtype)
    return xp.swapaxes(eye[perm], -1, -2)


class LinalgLuFactorExFn(Function):
    """(LU, pivots, info): L and U packed in one matrix, LAPACK's getrf"""

    array_io = True

    @staticmethod
    def forward(ctx, a):
        lu, piv, info = lu_factor_array(a)
        ctx.save_for_backward(lu)
        ctx.p = _perm_matrix(piv, a.shape[-2], a.dtype)
        return lu, piv, info

    @staticmethod
    def backward(ctx, g, _gp, _gi):
        (lu,) = ctx.saved_tensors
        lo, up = _unpack(lu)
        m, n = lu.shape[-2:]
        k = min(m, n)
        # the packed output holds L below the diagonal and U on and above it
        return lu_backward(tril(g[..., :, :k], -1), triu(g[..., :k, :]), const(ctx.p, g), lo, up)


class LinalgLuFn(Function):
    """(P, L, U) with A = P L U"""

    array_io = True

    @staticmethod
    def forward(ctx, a):
        lu, piv, _ = lu_factor_array(a)
        p = _perm_matrix(piv, a.shape[-2], a.dtype)
        lo, up = _unpack(lu)
        ctx.save_for_backward(p, lo, up)
        return p, lo, up

    @staticmethod
    def backward(ctx, _gp, gl, gu):
        p, lo, up = ctx.saved_tensors
        return lu_backward(gl, gu, p, lo, up)


def _check_pivot(pivot, op):
    if not pivot:
        raise RuntimeError(f"{op}: LU without pivoting is not implemented on the CPU")


@honour_out("lu_factor_ex")
def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    """``torch.linalg.lu_factor_ex``: (LU, pivots, info) of A (..., m, n): L (unit lower) and U
    packed, pivots int32 (..., k) 1-based as LAPACK's, info = the first zero pivot (1-based;
    0 if none). Raises LinAlgError for a singular A only with ``check_errors``.

    Shapes: A (..., m, n) → LU (..., m, n), pivots (..., min(m, n)) and info (...).
    Raises NotImplementedError for a dtype other than float32/float64 (torch's "lu_cpu").
    """
    op = "linalg.lu_factor_ex"
    check_matrix(A, op, kernel="lu_cpu")
    _check_pivot(pivot, op)
    lu, piv, info = LinalgLuFactorExFn.apply(A)
    if check_errors and bool(info._data.any()):
        raise LinAlgError(f"{op}: U[{int(info._data.max())}, {int(info._data.max())}] is zero "
                          "and using it on lu_solve would result in a division by zero.")
    return lu_factor_ex_type(lu, piv, info)


@honour_out("lu_factor")
def lu_factor(A, *, pivot=True, out=None):
    """``torch.linalg.lu_factor``: (LU, pivots) of ``lu_factor_ex``. Derivative: see the
    module doc (through L and U unpacked from LU).

    Shapes: A (..., m, n) → LU (..., m, n) and pivots (..., min(m, n)). Raises RuntimeError for an
    input below 2 dims.
    Raises NotImplementedError for a dtype other than float32/float64 (torch's "lu_cpu").
    """
    op = "linalg.lu_factor"
    check_matrix(A, op, kernel="lu_cpu")
    _check_pivot(pivot, op)
    lu, piv, _ = LinalgLuFactorExFn.apply(A)
    return lu_factor_type(lu, piv)


@honour_out("linalg_lu")
def linalg_lu(A, *, pivot=True, out=None):
    """``torch.linalg.lu``: (P, L, U) with A = P L U; shapes P (m, m), L (m, k), U (k, n).

    Shapes: A (..., m, n), k = min(m, n) → P (..., m, m), L (..., m, k), U (..., k, n). Raises
    RuntimeError for an input below 2 dims.
    Raises NotImplementedError for a dtype other than float32/float64 (torch's "lu_cpu").
    """
    op = "linalg.lu"
    check_matrix(A, op, kernel="lu_cpu")
    _check_pivot(pivot, "linalg.lu_factor")
    p, lo, up = LinalgLuFn.apply(A)
    return lu_type(p, lo, up)


@honour_out("lu")
def lu(A, pivot=True, get_infos=False, out=None):
    """``torch.lu`` (deprecated in torch for linalg.lu_factor): (LU, pivots[, infos]).

    Shapes: A (..., m, n) → LU (..., m, n) and pivots (..., min(m, n)). Raises RuntimeError for an
    input below 2 dims.
    Raises NotImplementedError for a dtype other than float32/float64 (torch's "lu_cpu").
    Raises TypeError when ``pivot`` or ``get_infos`` is not a bool.
    """
    op = "linalg.lu_factor"
    require_bool(pivot, "lu", "pivot")
    require_bool(get_infos, "lu", "get_infos")
    check_matrix(A, op, kernel="lu_cpu")
    _check_pivot(pivot, op)
    lu_, piv, info = LinalgLuFactorExFn.apply(A)
    return lu_with_info_type(lu_, piv, info) if get_infos else (lu_, piv)


@honour_out("lu_unpack")
def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    """``torch.lu_unpack``: (P, L, U) from a packed LU and its pivots (empty tensors for the
    parts not asked for). L and U are slices of LU: their gradient goes back into it.

    Raises RuntimeError for LU below 2 dims.
    """
    check_matrix(LU_data, "lu_unpack")
    xp = get_array_module(LU_data._data)
    empty = Tensor._wrap(xp.zeros((0,), dtype=LU_data._data.dtype))
    m = LU_data.shape[-2]
    p = empty
    if unpack_pivots:
        p = Tensor._wrap(_perm_matrix(LU_pivots._data, m, LU_data._data.dtype))
    lo, up = _unpack(LU_data) if unpack_data else (empty, empty)
    return lu_unpack_type(p, lo, up)


@honour_out("lu_solve_factored")
def lu_solve_factored(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """``torch.linalg.lu_solve``: X with AX = B (XA = B when not ``left``; Aᵀ instead of A when
    ``adjoint``) from A's LU factorization: permutation, then two triangular solves.

    Shapes: LU (..., n, n), pivots (..., n), B (..., n, k) ((..., k, n) when not ``left``) → the
    shape of B (batch dims broadcast). Raises RuntimeError for sizes that do not match.
    """
    op = "linalg.lu_solve"
    check_matrix(LU, op)
    check_matrix(B, op, "B")
    check_same_dtype(LU, B, op, ("LU", "B"))
    n = LU.shape[-1]
    if LU.shape[-2] != n:
        raise RuntimeError(f"{op}: Expected LU to be square, but got {LU.shape[-2]}x{n}")
    if B.shape[-2 if left else -1] != n:
        raise RuntimeError(f"{op}: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({n}x{n} and "
                           f"{B.shape[-2]}x{B.shape[-1]})")
    lo, up = _unpack(LU)
    p = Tensor._wrap(_perm_matrix(pivots._data, n, LU._data.dtype))
    if left and not adjoint:  # X = U⁻¹ L⁻¹ Pᵀ B
        x = _solve_tri(up, _solve_tri(lo, mT(p) @ B, False, True, True), True, True)
    elif left:  # Aᵀ X = B: X = P L⁻ᵀ U⁻ᵀ B
        x = p @ _solve_tri(mT(lo), _solve_tri(mT(up), B, False, True), True, True, True)
    elif not adjoint:  # X A = B: X = B U⁻¹ L⁻¹ Pᵀ
        x = _solve_tri(lo, _solve_tri(up, B, True, False), False, False, True) @ mT(p)
    else:  # X Aᵀ = B: X = B P L⁻ᵀ U⁻ᵀ
        x = _solve_tri(mT(up), _solve_tri(mT(lo), B @ p, True, False, True), False, False)
    return named(x, "LinalgLuSolveBackward0")


@honour_out("lu_solve")
def lu_solve(b, LU_data, LU_pivots, *, out=None):
    """``torch.lu_solve`` (deprecated in torch for linalg.lu_solve): X with AX = b.

    Raises RuntimeError for sizes that do not match.

    Shapes: self b (..., n, k), LU (..., n, n), pivots (..., n) → (..., n, k).
    """
    return lu_solve_factored(LU_data, LU_pivots, b)


__all__ = ["lu", "lu_solve", "lu_unpack"]

METHODS = {"lu": lu, "lu_solve": lu_solve}
