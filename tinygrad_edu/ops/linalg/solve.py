"""The public solve and inverse functions (torch's names, signatures and errors) over the
Functions of ``solvers.py``, and the ones composed of them: matrix_power, tensorinv,
tensorsolve."""

from __future__ import annotations

import math

import numpy as np

from ..._args import require_bool, require_tensor
from ...tensor import Tensor
from .._out import honour_out
from .._util import named
from ..inplace import CopyFromFn
from ..matmul import matmul
from ..shape import permute, reshape, unsqueeze
from ..unary import clone
from ._common import (
    LOW_PRECISION,
    check_float,
    check_matrix,
    check_same_dtype,
    check_square,
    eye_like,
    mT,
    return_type,
)
from ._lu_core import lu_factor_array
from .solvers import (
    CholeskyInverseFn,
    CholeskySolveFn,
    LinalgInvExFn,
    LinalgSolveExFn,
    LinalgSolveTriangularFn,
)

inv_ex_type = return_type("linalg_inv_ex", "inverse info")
solve_ex_type = return_type("linalg_solve_ex", "result info")
triangular_solve_type = return_type("triangular_solve", "solution cloned_coefficient")


def _out(y, out):
    if out is None:
        return y
    out.data = y.detach()
    return out


def _info(a):
    """torch's ``info``: per matrix, the 1-based index of the first zero pivot of A's LU
    factorization (0: invertible), as int32 with A's batch shape."""
    return Tensor._wrap(lu_factor_array(a._data)[2])


def inv(A, *, out=None):
    """``torch.linalg.inv``: A⁻¹ for each square matrix of a batch (..., n, n). dtype: float32
    or float64. Raises RuntimeError for non-square or non-float input and LinAlgError for a
    singular matrix. Derivative (Giles 2008): Ā = −A⁻ᵀ Ȳ A⁻ᵀ.

    Shapes: A (..., n, n) → (..., n, n).
    """
    check_square(A, "linalg.inv", half_message=LOW_PRECISION)
    return _out(LinalgInvExFn.apply(A), out)


@honour_out("inv_ex")
def inv_ex(A, *, check_errors=False, out=None):
    """``torch.linalg.inv_ex``: (inverse, info) without raising for a singular matrix (its
    inverse is then inf/nan and info > 0) unless ``check_errors``.

    Shapes: A (..., n, n) → the inverse (..., n, n) and info (...). Raises RuntimeError for a
    non-square matrix or an input below 2 dims.
    """
    check_square(A, "linalg.inv_ex", half_message=LOW_PRECISION.replace("{op}", "linalg.inv"))
    y = LinalgInvExFn.apply(A, bool(check_errors))
    return inv_ex_type(y, _info(A))


def _solve_shapes(A, B, left, op):
    """torch's rule: B is a (batch of) vector(s) when 1-D, or when B.shape == A.shape[:-1]."""
    check_square(A, op, half_kernel="lu_cpu")
    check_float(B, op, half_kernel="lu_cpu")
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(f"{op}: Expected A and B to have the same dtype, but found A of type "
                           f"{A.dtype.name} and B of type {B.dtype.name} instead")
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
    n = A.shape[-1]
    k = (B.shape[-1] if vector else B.shape[-2 if left else -1])
    if (vector and k != n) or (not vector and B.shape[-2 if left else -1] != n):
        eq = "AX = B" if left else "XA = B"
        bs = f"{B.shape[-1]}x1" if vector else f"{B.shape[-2]}x{B.shape[-1]}"
        raise RuntimeError(f"{op}: Incompatible shapes of A and B for the equation {eq} "
                           f"({n}x{n} and {bs})")
    try:
        np.broadcast_shapes(A.shape[:-2], B.shape[:-1 if vector else -2])
    except ValueError:
        raise RuntimeError(f"{op}: the batch dims of A {list(A.shape)} and B {list(B.shape)} "
                           "do not broadcast") from None
    return vector


def _solve(A, B, left, check, op):
    vector = _solve_shapes(A, B, left, op)
    if vector:
        B = unsqueeze(B, -1)
    if left:
        x = LinalgSolveExFn.apply(A, B, check)
    else:  # X A = B  ⇔  Aᵀ Xᵀ = Bᵀ
        x = mT(LinalgSolveExFn.apply(mT(A), mT(B), check))
    return x.squeeze(-1) if vector else x


def solve(A, B, *, left=True, out=None):
    """``torch.linalg.solve``: X with AX = B (XA = B when ``left=False``). Shapes: A (..., n,
    n), B (..., n, k) or a vector (n,) / A.shape[:-1]; batch dims broadcast. Raises
    LinAlgError for a singular A. Derivative (Giles 2008): B̄ = A⁻ᵀX̄, Ā = −B̄Xᵀ."""
    return _out(named(_solve(A, B, left, True, "linalg.solve"), "LinalgSolveExBackward0"), out)


@honour_out("solve_ex")
def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    """``torch.linalg.solve_ex``: (result, info) of ``solve`` without raising for a singular A
    unless ``check_errors``.

    Shapes: A (..., n, n), B (..., n, k) or (n,) → the result of B's shape (batch dims broadcast)
    and info (...). Raises RuntimeError for a non-square A.
    """
    x = _solve(A, B, left, bool(check_errors), "linalg.solve_ex")
    return solve_ex_type(x, _info(A))


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """``torch.linalg.solve_triangular``: X with AX = B (XA = B) for triangular A, reading only
    A's ``upper`` or lower triangle (and not its diagonal when ``unitriangular``). Shapes: A
    (..., n, n), B (..., n, k) (..., k, n for left=False), batch dims broadcast. Derivative:
    B̄ = A⁻ᵀX̄, Ā = −B̄Xᵀ kept to A's triangle (torch's convention).

    Raises RuntimeError for a non-square A or sizes that do not match.
    Raises NotImplementedError for a dtype other than float32/float64
    (torch's "triangular_solve_cpu").
    """
    op = "linalg.solve_triangular"
    check_square(A, op, kernel="triangular_solve_cpu")
    check_matrix(B, op, "B")
    check_same_dtype(A, B, op)
    n = A.shape[-1]
    if B.shape[-2 if left else -1] != n:
        raise RuntimeError(f"{op}: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({n}x{n} and "
                           f"{B.shape[-2]}x{B.shape[-1]})")
    y = LinalgSolveTriangularFn.apply(A, B, bool(upper), bool(left), bool(unitriangular))
    return _out(y, out)


@honour_out("triangular_solve")
def triangular_solve(b, A, upper=True, transpose=False, unitriangular=False, *, out=None):
    """``torch.triangular_solve`` (deprecated in torch for linalg.solve_triangular): the
    solution X of AX = b (AᵀX = b with ``transpose``) and a copy of A.

    Shapes: b (..., n, k), A (..., n, n) → the solution (..., n, k) and a copy of A. Raises
    RuntimeError for a non-square A.
    Raises NotImplementedError for a dtype other than float32/float64
    (torch's "triangular_solve_cpu").
    Raises TypeError when A is not a Tensor or a flag not a bool.
    """
    op = "triangular_solve"
    require_tensor(A, op, "A", 2)
    for i, (arg, v) in enumerate((("upper", upper), ("transpose", transpose),
                                  ("unitriangular", unitriangular))):
        require_bool(v, op, arg, 3 + i)
    check_matrix(b, op, "b", "triangular_solve_cpu")
    check_square(A, op, kernel="triangular_solve_cpu")
    a = mT(A) if transpose else A
    x = solve_triangular(a, b, upper=bool(upper) != bool(transpose), unitriangular=unitriangular)
    xa = np.broadcast_shapes(A.shape[:-2], b.shape[:-2])
    return triangular_solve_type(x, clone(A.expand(*xa, *A.shape[-2:])))


def cholesky_solve(B, L, upper=False, *, out=None):
    """``torch.cholesky_solve``: X = (LLᵀ)⁻¹B from the Cholesky factor L (Uᵀ U with ``upper``),
    reading only its triangle. Shapes: B (..., n, k), L (..., n, n). Derivative (torch's
    cholesky_solve_backward): B̄ = A⁻¹X̄, L̄ = −(B̄Xᵀ + XB̄ᵀ)L.

    Raises RuntimeError for a non-square L or sizes that do not match.
    Raises NotImplementedError for a dtype other than float32/float64
    (torch's "cholesky_solve_cpu").
    Raises TypeError when L is not a Tensor or ``upper`` not a bool.
    """
    op = "cholesky_solve"
    require_tensor(L, op, "input2", 2)
    require_bool(upper, op, "upper", 3)
    check_matrix(B, op, "B", "cholesky_solve_cpu")
    check_square(L, op, "L", "cholesky_solve_cpu")
    check_same_dtype(L, B, op, ("L", "B"))
    if B.shape[-2] != L.shape[-1]:
        raise RuntimeError(f"{op}: Incompatible matrix sizes for cholesky_solve: each L matrix "
                           f"is {L.shape[-1]} by {L.shape[-1]} but each b matrix is "
                           f"{B.shape[-2]} by {B.shape[-1]}")
    return _out(CholeskySolveFn.apply(B, L, bool(upper)), out)


def cholesky_inverse(L, upper=False, *, out=None):
    """``torch.cholesky_inverse``: (LLᵀ)⁻¹ from the Cholesky factor L (Uᵀ U with ``upper``).
    Derivative (torch): L̄ = −Y(Ȳ + Ȳᵀ)Y L.

    Raises RuntimeError for a non-square matrix or an input below 2 dims.

    Shapes: L (..., n, n) → (..., n, n).
    Raises NotImplementedError for a dtype other than float32/float64
    (torch's "cholesky_inverse_out_cpu").
    Raises TypeError when ``upper`` is not a bool.
    """
    require_bool(upper, "cholesky_inverse", "upper", 2)
    check_square(L, "cholesky_inverse", "L", "cholesky_inverse_out_cpu")
    return _out(CholeskyInverseFn.apply(L, bool(upper)), out)


def matrix_power(A, n, *, out=None):
    """``torch.linalg.matrix_power``: Aⁿ by repeated squaring (n < 0: (A⁻¹)^|n|; n = 0: the
    identity, recorded as torch's copy into A, so A's gradient is zeros; n = 1: a clone). Its
    gradient is that of the matmuls (and of inv).

    Shapes: A (..., n, n) → (..., n, n). Raises RuntimeError for a non-square matrix or an input
    below 2 dims. Raises TypeError when ``A`` is not a Tensor.
    """
    require_tensor(A, "matrix_power", "A", 1)
    op = "linalg.matrix_power"
    if not isinstance(A, Tensor) or A.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{op}: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    n = int(n)
    if n == 0:  # the identity, in A's shape; A's gradient is 0 (torch: eye copied into A)
        return _out(CopyFromFn.apply(A, Tensor._wrap(eye_like(A._data))), out)
    if n == 1:  # a copy, never A itself (torch: CloneBackward0)
        return _out(clone(A), out)
    if n < 0:
        A, n = inv(A), -n
    result, square = None, A
    while True:
        if n & 1:
            result = square if result is None else matmul(result, square)
        n >>= 1
        if not n:
            break
        square = matmul(square, square)
    return _out(result, out)


def tensorinv(A, ind=2, *, out=None):
    """``torch.linalg.tensorinv``: the tensor X with tensordot(X, A, ind) = I; A's first ``ind``
    dims as rows, the rest as columns, of one square matrix, inverted and reshaped.

    Shapes: A (i₁, ..., i_ind, j₁, ..., jₖ) with Π i = Π j → (j₁, ..., jₖ, i₁, ..., i_ind). Raises
    RuntimeError for dims whose products differ or ind ≤ 0.
    Raises TypeError when ``A`` is not a Tensor.
    """
    require_tensor(A, "tensorinv", "A", 1)
    op = "linalg.tensorinv"
    if ind <= 0:
        raise RuntimeError(f"{op}: Expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = A.shape[:ind], A.shape[ind:]
    if math.prod(rows) != math.prod(cols):
        raise RuntimeError(f"{op}: Expected self to satisfy the requirement "
                           f"prod(self.shape[ind:]) == prod(self.shape[:ind]), but got "
                           f"{math.prod(cols)} != {math.prod(rows)}")
    m = reshape(A, (math.prod(rows), -1))
    return _out(reshape(inv(m), tuple(cols) + tuple(rows)), out)


def tensorsolve(A, B, dims=None, *, out=None):
    """``torch.linalg.tensorsolve``: X with tensordot(A, X, X.ndim) = B; ``dims`` of A are moved
    to the end first. A's leading B.ndim dims form the rows of one square system.

    Shapes: A (B.shape + X.shape), B (*) → X of A.shape[B.ndim:]. Raises RuntimeError for shapes
    that do not form a square system. Raises TypeError when ``A`` is not a Tensor.
    """
    require_tensor(A, "tensorsolve", "A", 1)
    require_tensor(B, "tensorsolve", "B", 2)
    if dims is not None:
        nd = A.ndim
        dims = [d % nd for d in dims]
        A = permute(A, [d for d in range(nd) if d not in dims] + dims)
    xshape = A.shape[B.ndim:]
    m = reshape(A, (B.numel(), -1))
    return _out(reshape(solve(m, reshape(B, (-1,))), xshape), out)


__all__ = ["cholesky_inverse", "cholesky_solve", "triangular_solve"]

METHODS = {"cholesky_inverse": cholesky_inverse, "cholesky_solve": cholesky_solve,
           "triangular_solve": triangular_solve}
