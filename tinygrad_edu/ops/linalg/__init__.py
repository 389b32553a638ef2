"""Linear algebra with gradients: products, einsum, norms, solvers and decompositions.

NumPy's ``linalg`` (CuPy's on the GPU, through ``xp``) computes the forward; every backward is
derived by hand, with its source in the Function's docstring, and written with other ops'
``.call`` so that it runs on Tensors under ``create_graph=True`` (second derivatives).

Modules, in reading order: ``_common`` (checks, batched-matrix helpers, the diagonal view),
``products`` (addmm, addmv, addr, baddbmm, addbmm, mv), ``contractions`` (inner, tensordot, kron,
trace, cross, vecdot, multi_dot, diagonal), ``einstein`` (einsum, bilinear), ``norms`` (vector and
matrix norms, dist, renorm), ``distances`` (cdist, pdist, pairwise_distance), ``solvers`` +
``solve`` (inv, solve, triangular and Cholesky solves, matrix_power, tensorinv/tensorsolve),
``decompositions`` (cholesky, det, slogdet, logdet), ``spectral`` (eigh, svd), ``pseudo`` (pinv,
lstsq, rank, cond), ``qr`` (qr and the Householder family), ``_lu_core`` + ``lu`` (LU), ``ldl``
(LDLᵀ, Bunch–Kaufman), ``matfuncs`` (matrix_exp, vander), ``lowrank`` (svd_lowrank, pca_lowrank),
``aliases`` (torch's older names: inverse, matrix_power, orgqr, ger, adjoint; removed eig ...).
The ``torch.linalg`` namespace itself is ``tinygrad_edu/linalg.py``.
"""

from . import (
    aliases,
    contractions,
    decompositions,
    distances,
    einstein,
    ldl,
    lowrank,
    matfuncs,
    norms,
    products,
    pseudo,
    spectral,
)
from . import lu as lu_module  # (``from .lu import *`` below binds ``lu`` to the function)
from . import qr as qr_module
from . import solve as solve_module  # (``aliases`` binds ``solve`` to torch's removed function)
from .aliases import *  # noqa: F401,F403  (binds ``solve`` to a function, as torch.solve)
from .contractions import *  # noqa: F401,F403
from .decompositions import *  # noqa: F401,F403
from .distances import *  # noqa: F401,F403
from .einstein import *  # noqa: F401,F403
from .ldl import *  # noqa: F401,F403
from .lowrank import *  # noqa: F401,F403
from .lu import *  # noqa: F401,F403
from .matfuncs import *  # noqa: F401,F403
from .norms import *  # noqa: F401,F403
from .products import *  # noqa: F401,F403
from .pseudo import *  # noqa: F401,F403
from .qr import *  # noqa: F401,F403
from .solve import *  # noqa: F401,F403
from .spectral import *  # noqa: F401,F403

_MODULES = (products, contractions, einstein, norms, distances, solve_module, decompositions,
            spectral, pseudo, qr_module, lu_module, ldl, matfuncs, lowrank, aliases)

# torch.<name> functions of the family (re-exported by the package root), Tensor methods, and
# the ops with an in-place form
__all__ = [n for m in _MODULES for n in m.__all__]
METHODS = {k: v for m in _MODULES for k, v in m.METHODS.items()}
INPLACE = tuple(n for m in _MODULES for n in getattr(m, "INPLACE", ()))
