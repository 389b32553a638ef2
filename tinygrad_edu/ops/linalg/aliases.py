"""torch's older names for linear-algebra functions, as functions (``torch.inverse``) and
Tensor methods (``A.inverse()``): each is the ``torch.linalg`` function itself, so it has the
same checks, messages and gradient. The four functions torch removed in 1.9 (``eig``,
``symeig``, ``lstsq``, ``solve``) raise torch's RuntimeError that names the replacement.
"""

from __future__ import annotations

from ..._args import require_tensor
from ..matrix import outer
from ..shape import _matrices
from .qr import householder_product
from .solve import inv, matrix_power


def inverse(input, *, out=None):
    """``torch.inverse``: alias of :func:`torch.linalg.inv`, A⁻¹ of each square matrix.

    Shapes: (..., n, n) → (..., n, n); dtype float32/float64. Gradient: Ā = −A⁻ᵀ Ȳ A⁻ᵀ. Raises
    RuntimeError for fewer than 2 dims or non-square input, LinAlgError for a singular matrix.
    """
    require_tensor(input, "inverse")
    return inv(input, out=out)


def orgqr(input, tau):
    """``torch.orgqr``: alias of :func:`torch.linalg.householder_product`, the first n columns
    of H₁…H_k with Hᵢ = I − τᵢvᵢvᵢᵀ.

    Shapes: input (..., m, n), m ≥ n; tau (..., k), k ≤ n → (..., m, n). Raises RuntimeError for
    m < n or k > n.
    """
    require_tensor(input, "orgqr")
    require_tensor(tau, "orgqr", "input2")
    return householder_product(input, tau)


def ger(input, vec2, *, out=None):
    """``torch.ger``: alias of :func:`torch.outer` (deprecated in torch), ``input[i]·vec2[j]``.

    Shapes: (n,), (m,) → (n, m); dtype: the promoted dtype. Raises RuntimeError for inputs that
    are not 1-D.
    """
    require_tensor(input, "ger")
    require_tensor(vec2, "ger", "vec2", 2)
    res = outer(input, vec2)
    return res if out is None else out.copy_(res)


def adjoint(input):
    """``torch.adjoint``: the conjugate transpose of the last two dims, a view (for real
    tensors ``input.transpose(-2, -1)``).

    Shapes: (..., m, n) → (..., n, m). Raises RuntimeError below 2 dims.
    """
    require_tensor(input, "adjoint")
    if input.ndim < 2:
        raise RuntimeError("tensor.adjoint() is only supported on matrices or batches of "
                           f"matrices. Got {input.ndim}-D tensor.")
    return _matrices(input, "mH")


_REMOVED = "This function was deprecated since version 1.9 and is now removed. "
_REPLACEMENT = {
    "eig": "`torch.linalg.eig` returns complex tensors of dtype `cfloat` or `cdouble` rather "
           "than real tensors mimicking complex tensors.\n\nL, _ = torch.eig(A) should be "
           "replaced with:\nL_complex = torch.linalg.eigvals(A)\n\nand\n\nL, V = torch.eig(A, "
           "eigenvectors=True) should be replaced with:\nL_complex, V_complex = "
           "torch.linalg.eig(A)",
    "symeig": "The default behavior has changed from using the upper triangular portion of the "
              "matrix by default to using the lower triangular portion.\n\nL, _ = "
              "torch.symeig(A, upper=upper) should be replaced with:\nL = "
              "torch.linalg.eigvalsh(A, UPLO='U' if upper else 'L')\n\nand\n\nL, V = "
              "torch.symeig(A, eigenvectors=True) should be replaced with:\nL, V = "
              "torch.linalg.eigh(A, UPLO='U' if upper else 'L')",
    "lstsq": "`torch.lstsq` is deprecated in favor of `torch.linalg.lstsq`.\n`torch.linalg.lstsq` "
             "has reversed arguments and does not return the QR decomposition in the returned "
             "tuple (although it returns other information about the problem).\n\nTo get the QR "
             "decomposition consider using `torch.linalg.qr`.\n\nThe returned solution in "
             "`torch.lstsq` stored the residuals of the solution in the last m - n columns of "
             "the returned value whenever m > n. In torch.linalg.lstsq, the residuals are in "
             "the field 'residuals' of the returned named tuple.\n\nThe unpacking of the solution, "
             "as in\nX, _ = torch.lstsq(B, A).solution[:A.size(1)]\nshould be replaced with:\n"
             "X = torch.linalg.lstsq(A, B).solution",
    "solve": "`torch.solve` is deprecated in favor of `torch.linalg.solve`. `torch.linalg.solve` "
             "has its arguments reversed and does not return the LU factorization.\n\nTo get "
             "the LU factorization see `torch.lu`, which can be used with `torch.lu_solve` or "
             "`torch.lu_unpack`.\nX = torch.solve(B, A).solution should be replaced with:\n"
             "X = torch.linalg.solve(A, B)",
}


def _removed(name, two_inputs: bool):
    """torch's stub: its signature (so a missing argument is torch's TypeError), then the
    RuntimeError."""
    if two_inputs:
        def removed(input, A, *, out=None):
            raise RuntimeError(_REMOVED + _REPLACEMENT[name])
    else:
        def removed(input, eigenvectors=False, *args, **kwargs):
            raise RuntimeError(_REMOVED + _REPLACEMENT[name])
    removed.__name__ = removed.__qualname__ = name
    removed.__doc__ = (f"``torch.{name}``, removed in torch 1.9: computes nothing.\n\n"
                       "Shapes: any (the arguments are not read). Raises RuntimeError naming its "
                       "``torch.linalg`` replacement, TypeError for missing arguments.")
    return removed


eig, symeig = _removed("eig", False), _removed("symeig", False)
lstsq, solve = _removed("lstsq", True), _removed("solve", True)

__all__ = ["inverse", "orgqr", "ger", "adjoint", "matrix_power", "eig", "symeig", "lstsq",
           "solve"]
METHODS = {"inverse": inverse, "orgqr": orgqr, "ger": ger, "adjoint": adjoint,
           "matrix_power": matrix_power, "eig": eig, "symeig": symeig, "lstsq": lstsq,
           "solve": solve}
