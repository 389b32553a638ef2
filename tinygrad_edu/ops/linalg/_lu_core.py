"""The LU factorization with partial pivoting, on arrays (NumPy has none; LAPACK's getrf).

``lu_factor_array(a)`` returns (LU, pivots, info) as torch's ``linalg.lu_factor_ex``: L (unit
lower, below the diagonal) and U (on and above it) packed in one matrix, the 1-based row
swapped with row i at step i (LAPACK's ipiv), and info = the 1-based index of the first exact
zero pivot (0 when there is none). Column by column (right-looking, unblocked): pick the
largest |entry| at or below the diagonal, swap it up, scale the column below it, and subtract
the rank-1 update from the trailing block. Batched: every step works on all matrices at once.
"""

from __future__ import annotations

import numpy as np

from ...backend import get_array_module
from .._util import quiet


def lu_factor_array(a):
    xp = get_array_module(a)
    *batch, m, n = a.shape
    k = min(m, n)
    nb = int(np.prod(batch)) if batch else 1
    lu = a.reshape(nb, m, n).copy()
    piv = xp.zeros((nb, k), dtype=np.int32)
    info = xp.zeros(nb, dtype=np.int32)
    rows = xp.arange(nb)
    with quiet():
        for j in range(k):
            p = xp.argmax(xp.abs(lu[:, j:, j]), axis=1) + j  # the pivot row of each matrix
            piv[:, j] = p + 1
            top = lu[rows, j, :].copy()
            lu[rows, j, :] = lu[rows, p, :]
            lu[rows, p, :] = top
            pivot = lu[:, j, j]
            zero = pivot == 0
            info = xp.where((info == 0) & zero, j + 1, info)
            # LAPACK leaves the column unscaled at a zero pivot (it is all zeros below it)
            lu[:, j + 1:, j] /= xp.where(zero, 1, pivot)[:, None]
            lu[:, j + 1:, j + 1:] -= lu[:, j + 1:, j:j + 1] * lu[:, j:j + 1, j + 1:]
    return (lu.reshape(a.shape), piv.reshape(tuple(batch) + (k,)),
            info.reshape(tuple(batch)))


def permutation_from_pivots(piv, m: int):
    """The row order P (as indices) that LAPACK's sequential swaps produce: (A[perm] = L U)."""
    xp = get_array_module(piv)
    batch = piv.shape[:-1]
    nb = int(np.prod(batch)) if batch else 1
    perm = xp.broadcast_to(xp.arange(m), (nb, m)).copy()
    p = piv.reshape(nb, piv.shape[-1]).astype(np.int64) - 1
    rows = xp.arange(nb)
    for j in range(p.shape[1]):
        top = perm[:, j].copy()
        perm[:, j] = perm[rows, p[:, j]]
        perm[rows, p[:, j]] = top
    return perm.reshape(tuple(batch) + (m,))
