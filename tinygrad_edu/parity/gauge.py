"""Comparing decompositions whose vectors are defined only up to a gauge.

A singular vector pair (u_k, v_k) is defined up to a common sign, an eigenvector up to a sign,
and the columns of a full SVD beyond min(m, n) (a basis of a null space) up to any rotation.
Two correct LAPACKs (NumPy's OpenBLAS, torch's MKL) pick differently, so comparing raw outputs
fails on correct results, and torch's own OpInfo tests never compare them raw either (its
gradient checks go through ``output_process_fn_grad``, e.g. |U|).

Here the forward values of these ops are compared in a canonical form, on both sides alike:

- each of the first k = min(m, n) columns is multiplied by the sign of its entry of largest
  magnitude *in torch's result* (the same row on both sides, so near-ties cannot flip one side
  only); a singular pair gets the sign of its left vector on both vectors;
- the remaining columns E (a null-space basis) are replaced by the projector E Eᵀ and the Gram
  matrix Eᵀ E (identity), which every valid basis shares;
- singular values and eigenvalues are compared as they are.

Everything else (dtype, shape, the return type's field names) is checked on the raw outputs
first. A wrong vector still fails: a sign fix cannot turn a wrong direction into a right one.
"""

from __future__ import annotations

import numpy as np
import torch

import tinygrad_edu as tg

# opinfo name -> (position of the left vectors, of the values, of the right vectors, whether the
# right vectors are rows (Vh) rather than columns (V)); eigh: (values, vectors)
SVD_LIKE = {
    "linalg.svd": (0, 1, 2, True),
    "svd": (0, 1, 2, False),
    "svd_lowrank": (0, 1, 2, False),
    "pca_lowrank": (0, 1, 2, False),
}
EIGH_LIKE = {"linalg.eigh": (0, 1)}


def applies(name: str) -> bool:
    return name in SVD_LIKE or name in EIGH_LIKE


def _column_signs(cols: np.ndarray, ref: np.ndarray, k: int):
    """Per column j < k of ``cols``: the sign of its entry in the row where torch's ``ref`` has
    its largest |entry| (the same row on both sides); 1 where that entry is 0, or when the
    matrices are empty."""
    if ref[..., :, :k].size == 0:
        return 1.0
    rows = np.argmax(np.abs(ref[..., :, :k]), axis=-2)[..., None, :]
    s = np.sign(np.take_along_axis(cols[..., :, :k], rows, axis=-2))
    return np.where(s == 0, 1, s)


def _extra(cols: np.ndarray, k: int) -> tuple:
    e = cols[..., :, k:]
    et = np.swapaxes(e, -1, -2)
    return e @ et, et @ e


def _canon_svd(out, spec, ref) -> tuple:
    li, si, ri, rows_are_vh = spec
    left, vals, right = (np.asarray(x, dtype=np.float64) for x in (out[li], out[si], out[ri]))
    if rows_are_vh:
        right = np.swapaxes(right, -1, -2)
    k = vals.shape[-1]
    sign = _column_signs(left, np.asarray(ref[li], np.float64), k)  # one sign per pair
    return (left[..., :, :k] * sign, vals, right[..., :, :k] * sign,
            *_extra(left, k), *_extra(right, k))


def _canon_eigh(out, spec, ref) -> tuple:
    vi, qi = spec
    vals, vecs = np.asarray(out[vi], np.float64), np.asarray(out[qi], np.float64)
    return vals, vecs * _column_signs(vecs, np.asarray(ref[qi], np.float64), vecs.shape[-1])


def canonical(name: str, got, want) -> tuple:
    """(tg's, torch's) outputs of a gauge op in canonical form (tg tensors, torch tensors)."""
    g_np = [x.detach().numpy() for x in got]
    t_np = [x.detach().numpy() for x in want]
    canon = _canon_svd if name in SVD_LIKE else _canon_eigh
    spec = SVD_LIKE.get(name) or EIGH_LIKE[name]
    dtype = want[spec[1] if name in SVD_LIKE else spec[0]].dtype
    g_c, t_c = canon(g_np, spec, t_np), canon(t_np, spec, t_np)
    to_tg = tuple(tg.tensor(np.ascontiguousarray(a), dtype=getattr(tg, str(dtype)[6:]))
                  for a in g_c)
    to_torch = tuple(torch.from_numpy(np.ascontiguousarray(a)).to(dtype) for a in t_c)
    return to_tg, to_torch
