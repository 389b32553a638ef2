"""Matrix functions: matrix_exp, and the Vandermonde matrix (linalg.vander).

matrix_exp forward: scaling and squaring with the [13/13] Padé approximant (Higham 2005, "The
scaling and squaring method for the matrix exponential revisited"): scale A by 2⁻ˢ until
‖A‖₁ ≤ θ₁₃, take r₁₃(A) = (V − U)⁻¹(V + U), square s times. NumPy has no expm (SciPy's
``scipy.linalg.expm`` is this algorithm), so it is written here on ``xp``.

Backward (Najfeld & Havel 1995, "Derivatives of the matrix exponential and their computation";
torch's linalg_matrix_exp_differential): the adjoint of d exp at A applied to Ḡ is the
upper-right block of exp([[Aᵀ, Ḡ], [0, Aᵀ]]) — matrix_exp again, so it differentiates again.
"""

from __future__ import annotations

import numpy as np

from ... import dtype as _dt
from ..._args import require_tensor
from ...autograd import Function
from ...backend import get_array_module
from ...dtype import kind_of, torch_type_name
from ...tensor import Tensor
from .._util import half_opmath, named, quiet
from ..join import stack
from ._common import array_of, check_square, concat, mT

_B13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0,
        129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0,
        40840800.0, 960960.0, 16380.0, 182.0, 1.0)
_THETA13 = 5.371920351148152


def expm_array(a):
    """exp(A) for a batch of square matrices (arrays), Padé 13 with scaling and squaring."""
    xp = get_array_module(a)
    if a.size == 0:
        return a.copy()
    norm = xp.abs(a).sum(axis=-2).max(axis=-1)  # ‖A‖₁ per matrix
    with np.errstate(divide="ignore"):
        s = np.maximum(0, np.ceil(np.log2(np.asarray(norm, dtype=np.float64) / _THETA13)))
    s = np.where(np.isfinite(s), s, 0).astype(np.int64)
    scale = xp.asarray(2.0 ** -s, dtype=a.dtype)[..., None, None]
    x = a * scale
    b = _B13
    eye = xp.eye(a.shape[-1], dtype=a.dtype)
    x2 = x @ x
    x4 = x2 @ x2
    x6 = x4 @ x2
    u = x @ (x6 @ (b[13] * x6 + b[11] * x4 + b[9] * x2) + b[7] * x6 + b[5] * x4 + b[3] * x2
             + b[1] * eye)
    v = x6 @ (b[12] * x6 + b[10] * x4 + b[8] * x2) + b[6] * x6 + b[4] * x4 + b[2] * x2 + b[0] * eye
    r = xp.linalg.solve(v - u, v + u)
    for k in range(int(s.max()) if s.size else 0):  # square each matrix its own s times
        squared = r @ r
        r = xp.where(xp.asarray(k < s)[..., None, None], squared, r)
    return r


class LinalgMatrixExpFn(Function):
    """Y = exp(A) = Σₖ Aᵏ/k!"""

    array_io = True

    @staticmethod
    @half_opmath  # float16: computed in float32, rounded once
    def forward(ctx, a):
        ctx.save_for_backward(a)
        with quiet():  # inf entries: inf − inf = nan, silently (as torch)
            return expm_array(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        n = a.shape[-1]
        at = mT(a)
        zeros = get_array_module(array_of(g)).zeros_like(array_of(g))
        block = concat([concat([at, g], -1), concat([zeros, at], -1)], -2)
        # Ā = [exp([[Aᵀ, Ḡ], [0, Aᵀ]])]₁₂ (Najfeld & Havel 1995)
        return LinalgMatrixExpFn.call(block)[..., :n, n:]


def matrix_exp(A):
    """``torch.linalg.matrix_exp`` / ``torch.matrix_exp``: exp(A) of each square matrix
    (..., n, n). dtype: float32/float64, and float16/bfloat16 computed in float32 and rounded
    once. Derivative: the upper-right block of exp([[Aᵀ, Ḡ], [0, Aᵀ]]).

    Shapes: A (..., n, n) → (..., n, n). Raises RuntimeError for a non-square matrix, an input below
    2 dims or an integer input.
    """
    check_square(A, "linalg.matrix_exp", half=True)
    return LinalgMatrixExpFn.apply(A)


def vander(x, N=None):
    """``torch.linalg.vander``: the Vandermonde matrix [1, x, x², …, x^(N−1)] along a new last
    dim, (..., n) -> (..., n, N), N = n by default. Built by repeated multiplication (so the
    gradient is mul's: ∂xᵏ/∂x = k·x^(k−1), exact at x = 0).

    Shapes: x (..., n) → (..., n, N). dtype: integer inputs give int64 (torch's cumprod).
    Raises RuntimeError for N ≤ 1 and for a bool or float16 x (torch's kernel takes
    float32/64 and integers). Raises TypeError when ``x`` is not a Tensor.
    """
    require_tensor(x, "vander", "x", 1)
    dt = x._data.dtype
    if kind_of(dt) == "b" or (kind_of(dt) == "f" and dt.itemsize == 2):
        raise RuntimeError(f"linalg.vander supports floating point, complex, and integer "
                           f"tensors, but got {torch_type_name(dt)} (shape {list(x.shape)})")
    if x.ndim == 0:  # torch: a 0-d x is one point
        x = x.reshape(1)
    if kind_of(dt) in "iu":  # torch builds it with cumprod, which computes integers in int64
        x = x.to(_dt.int64)
    N = x.shape[-1] if N is None else int(N)
    if N <= 1:
        raise RuntimeError("N must be greater than 1.")
    ones = Tensor._wrap(get_array_module(x._data).ones(x.shape, dtype=x._data.dtype))
    cols = [ones, x]
    for _ in range(N - 2):
        cols.append(cols[-1] * x)
    return named(stack(cols, -1), "CatBackward0")


__all__ = ["matrix_exp"]

METHODS = {"matrix_exp": matrix_exp}
