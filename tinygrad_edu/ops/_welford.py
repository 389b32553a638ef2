"""Welford's running variance, as torch's CPU std/var/var_mean kernel (``WelfordOps``) runs it
over each output's elements: with n the count so far, δ = x − x̄ₙ₋₁, x̄ₙ = x̄ₙ₋₁ + δ/n,
M2ₙ = M2ₙ₋₁ + δ·(x − x̄ₙ); the variance is M2 / (n − correction).

In float64 the two-pass Σ(x − x̄)² differs from it in the last bit for most outputs; the same
recurrence, run in order over the reduced elements (vectorized across the outputs), is torch's
to the bit. One NumPy step per reduced element: used up to ``WELFORD_MAX`` elements per output
(beyond that torch splits the reduction across threads anyway, and the two passes are kept).
"""

from __future__ import annotations

import numpy as np

WELFORD_MAX = 4096  # reduced elements per output (~5 µs of NumPy calls each)


def welford_m2(x: np.ndarray, axes, keepdim: bool):
    """(M2, mean) of ``x`` over ``axes`` (None: every axis) by Welford's recurrence, in x's
    dtype, visiting the reduced elements in row-major order (torch's order for a contiguous
    input). Shapes: x (*) → the shape with ``axes`` removed (size 1 with ``keepdim``)."""
    axes = tuple(range(x.ndim)) if axes is None else axes
    kept = [d for d in range(x.ndim) if d not in axes]
    flat = x.transpose(kept + list(axes)).reshape([x.shape[d] for d in kept] + [-1])
    one = x.dtype.type(1)
    mean = np.zeros(flat.shape[:-1], x.dtype)
    m2 = np.zeros(flat.shape[:-1], x.dtype)
    with np.errstate(all="ignore"):  # inf − inf: nan, silently (torch)
        for k in range(flat.shape[-1]):
            v = flat[..., k]
            delta = v - mean
            mean = mean + delta / (one * (k + 1))
            m2 = m2 + delta * (v - mean)
    if keepdim:
        shape = [1 if d in axes else s for d, s in enumerate(x.shape)]
        return m2.reshape(shape), mean.reshape(shape)
    return m2, mean


SERIAL_MAX = 32768  # torch's GRAIN_SIZE: below it one thread sums the elements in order


def serial_sum_of_squares(x: np.ndarray, mean) -> np.ndarray:
    """Σ (x − x̄)² over every element of float64 ``x``, added one by one in memory order (a
    cumulative sum's last entry), as torch's single-output std/var kernel (``std_var_all_cpu``)
    adds them, x̄ its mean. NumPy's pairwise sum differs in the last bit for ~half of inputs."""
    d = (x - mean).reshape(-1)
    with np.errstate(all="ignore"):
        return np.cumsum(d * d)[-1:]
