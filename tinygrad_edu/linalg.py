"""``torch.linalg``: the linear-algebra namespace (``tg.linalg.inv``, ``tg.linalg.norm`` ...).

The ops themselves live in ``tinygrad_edu/ops/linalg/`` (one Function per op, forward and
backward side by side); this module only gathers them under torch's names.
"""

from __future__ import annotations

from .ops.linalg._common import LinAlgError
from .ops.linalg.contractions import diagonal, multi_dot, tensordot, vecdot
from .ops.linalg.contractions import linalg_cross as cross
from .ops.linalg.decompositions import cholesky_ex, det, slogdet
from .ops.linalg.decompositions import linalg_cholesky as cholesky
from .ops.linalg.ldl import ldl_factor, ldl_factor_ex, ldl_solve
from .ops.linalg.lu import linalg_lu as lu
from .ops.linalg.lu import lu_factor, lu_factor_ex
from .ops.linalg.lu import lu_solve_factored as lu_solve
from .ops.linalg.matfuncs import matrix_exp, vander
from .ops.linalg.norms import linalg_norm as norm
from .ops.linalg.norms import matrix_norm, vector_norm
from .ops.linalg.pseudo import cond, lstsq, matrix_rank, pinv
from .ops.linalg.qr import householder_product
from .ops.linalg.qr import linalg_qr as qr
from .ops.linalg.solve import (
    inv,
    inv_ex,
    matrix_power,
    solve,
    solve_ex,
    solve_triangular,
    tensorinv,
    tensorsolve,
)
from .ops.linalg.spectral import eigh, eigvalsh, svdvals
from .ops.linalg.spectral import linalg_svd as svd
from .ops.matmul import matmul

__all__ = [
    "LinAlgError", "cholesky", "cholesky_ex", "cond", "cross", "det", "diagonal", "eigh",
    "eigvalsh", "householder_product", "inv", "inv_ex", "ldl_factor", "ldl_factor_ex",
    "ldl_solve", "lstsq", "lu", "lu_factor",
    "lu_factor_ex", "lu_solve", "matmul", "matrix_exp", "matrix_norm", "matrix_power",
    "matrix_rank", "multi_dot", "norm", "pinv", "qr", "slogdet", "solve", "solve_ex",
    "solve_triangular", "svd", "svdvals", "tensordot", "tensorinv", "tensorsolve",
    "vander", "vecdot", "vector_norm",
]
