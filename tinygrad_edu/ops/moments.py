"""Mean and variance as torch's CPU kernels compute them, for the inputs where that differs
from the plain formula beyond rounding: the statistics of ``layer_norm``/``group_norm``
(``RowwiseMoments``) and of ``batch_norm``/``instance_norm`` (see the second half).

The readable formula (and what the normalization Functions compute for ordinary inputs) is the
two-pass one::

    μ = (1/N) Σ x,   σ² = (1/N) Σ (x − μ)²

torch's ``RowwiseMoments`` (aten/src/ATen/native/cpu/moments_utils.h) instead runs Welford's
update in vector lanes of V elements (V = 32 bytes / itemsize: 8 float32 lanes), 16 vectors to
a chunk, merges chunks pairwise (a cascade), adds the N mod V leftover elements one by one, and
folds the V lanes into them::

    Welford, one element:   δ = x − m1;  m1 += δ/k;  m2 += δ·(x − m1)
    merging (n_b, m1_b, m2_b) into (n_a, m1_a, m2_a):
        c = n_b/(n_a + n_b);  δ = m1_b − m1_a;  m1_a += c·δ;  m2_a += m2_b + δ·δ·c·n_a

On ordinary inputs the two agree to rounding. They part where a square overflows: the lane
merges compute δ·δ even for empty lanes (c = 0), so a row of [1e20, 1e20, 1e20] in float32
gets δ·δ = inf, times c = 0: σ² = nan (the two-pass σ² is 0), and [1e38, −1e38] gets
m2 = inf, so 1/√σ² = 0 and the output is 0 where (x − μ)·(1/√σ²) of the two-pass would be nan.
:func:`rowwise_moments` replays torch's steps (bit for bit in float32 up to rows of ~128, to
the last bit beyond), vectorized over the rows; :func:`moments` takes it only where a square
may overflow, from the two-pass statistics it computes first.
"""

from __future__ import annotations

import numpy as np

from ..backend import get_array_module
from ._util import quiet

CHUNK = 16  # kChunkSize: vectors per Welford chunk
_MAX = np.maximum.reduce  # (nan propagates; faster than .max() on the small statistics)
_LIMIT = {c: float(np.finfo(c).max) for c in "efd"}


# torch 2.13's CPU wheel runs these kernels on 32-byte vectors (8 float32 / 4 float64 lanes),
# measured on an AVX-512 machine as well; its build contracts a·b + c into one fused
# multiply-add where the source writes them together (emulated by _fma, as measured)
VECTOR_BYTES = 32


def _fma(a, b, c):
    """a·b + c rounded once (float32: exact product in float64; float64: two roundings)."""
    if getattr(a, "dtype", None) == np.float32 or getattr(c, "dtype", None) == np.float32:
        wide = np.float64
        return (np.asarray(a, wide) * np.asarray(b, wide) + np.asarray(c, wide)).astype(np.float32)
    return a * b + c


def _merge(n_add: int, m1_add, m2_add, n: int, m1, m2, T, lanes: bool = False):
    """AddMoments: fold (n_add, m1_add, m2_add) into (n, m1, m2); returns the new triple.

    ``lanes`` (AddMomentsVec, merging vectors of lanes): an empty side leaves the other as it
    is; the scalar merge computes δ·δ·c·n even then (so 0·inf = nan when δ·δ overflows), as
    torch 2.13's CPU build measurably does (layer_norm of 16 × 1e20: nan; of 17 × 1e20: not)."""
    if lanes and (n == 0 or n_add == 0):
        return (n_add, m1_add, m2_add) if n == 0 else (n, m1, m2)
    total = n + n_add
    c = T(0) if total == 0 else T(n_add) / T(total)
    delta = m1_add - m1
    m1 = _fma(c, delta, m1)
    return total, m1, m2 + _fma(delta * delta * c, T(n), m2_add)


def rowwise_moments(x, ddof: int = 0):
    """(mean, var) of each row of a 2-d array (M, N), step for step as torch's CPU
    ``RowwiseMoments`` (see the module docstring); var divides by N − ddof."""
    xp = get_array_module(x)
    T = x.dtype.type
    M, N = x.shape
    V = max(VECTOR_BYTES // x.dtype.itemsize, 1)
    n = N // V
    m = -(-n // CHUNK)
    depth = max(m - 1, 1).bit_length() if m > 2 else 1  # utils::CeilLog2
    zero = xp.zeros((M, V), x.dtype)
    stack = [[0, zero, zero] for _ in range(depth)]
    lanes = x[:, :n * V].reshape(M, n, V)
    with quiet():
        for i in range(m):
            k = min(CHUNK, n - i * CHUNK)
            m1, m2 = zero, zero
            for j in range(k):
                xv = lanes[:, i * CHUNK + j]
                delta = xv - m1
                m1 = _fma(delta, T(1) / T(j + 1), m1)
                m2 = _fma(delta, xv - m1, m2)
            stack[0] = list(_merge(k, m1, m2, *stack[0], T, True))
            mask, j = i + 1, 1
            while j < depth and mask & 1 == 0:
                stack[j] = list(_merge(*stack[j - 1], *stack[j], T, True))
                stack[j - 1] = [0, zero, zero]
                mask >>= 1
                j += 1
        for i in range(1, depth):
            stack[0] = list(_merge(*stack[i], *stack[0], T, True))
        count, m1, m2 = 0, xp.zeros(M, x.dtype), xp.zeros(M, x.dtype)
        for i in range(n * V, N):  # the leftover elements, one by one
            delta = x[:, i] - m1
            count += 1
            m1 = m1 + delta / T(count)
            m2 = m2 + delta * (x[:, i] - m1)
        lane_m1, lane_m2 = stack[0][1], stack[0][2]
        for i in range(V):
            count, m1, m2 = _merge(n, lane_m1[:, i], lane_m2[:, i], count, m1, m2, T)
        return m1, m2 / T(N - ddof)


def moments(x, axes: tuple):
    """(μ, x − μ, σ²) of ``x`` over the trailing ``axes`` (μ, σ² keep them as size-1 axes),
    σ² biased: the two-pass formula of the module docstring, unless a square in torch's
    Welford steps may overflow (or x holds inf/nan: bounded through |x − μ| ≤ √(n·σ²)); then
    torch's :func:`rowwise_moments`, so that nan and inf land where torch's do."""
    with quiet():  # a square that overflows is judged below, never warned about
        mu = x.mean(axis=axes, keepdims=True)
        xc = x - mu
        var = (xc * xc).mean(axis=axes, keepdims=True)
        if not mu.size or type(x) is not np.ndarray:  # on a GPU: no host sync per call
            return mu, xc, var  # (torch's CUDA kernels are not these CPU steps either)
        n = x.size // mu.size
        big = _MAX(mu * mu + n * var, axis=None)  # ≥ every (x − 0)² and (x − μ)² of the rows
        if big * (16.0 * n) < _LIMIT[x.dtype.char]:  # False for inf/nan
            return mu, xc, var
        mu, var = rowwise_moments(x.reshape(mu.size, n))
        mu, var = mu.reshape(shape := mu_shape(x, axes)), var.reshape(shape)
        return mu, x - mu, var


def mu_shape(x, axes: tuple) -> tuple:
    return x.shape[:x.ndim - len(axes)] + (1,) * len(axes)


# ------------------------------------------------------------------------ batch norm --------
# torch's CPU batch_norm (aten/src/ATen/native/cpu/batch_norm_kernel.cpp), training, one thread:
#   x viewed as (N, C, P); per channel, over n = N·P elements:
#   P == 1 and N > 1 ("channels last"): Σx and Σ(x − μ)² accumulate row after row in x's dtype,
#       the squares fused into the sum (fma);
#   otherwise: Σx in float64, Σ(x − μ)² of x's-dtype squares in float64, stored in x's dtype;
#   μ = Σx / n (in float64, rounded),  σ² = (Σ(x − μ)²) / n (in x's dtype),
#   s = 1/√(σ² + ε) (in float64, rounded);  α = s·γ,  β = fma(−μ, α, b),  y = fma(x, α, β).
#   A non-contiguous x takes a generic path instead: μ = mean(x) in x's dtype, Σ(x − μ)² in
#   float64, y = (x − μ)·s·γ + β.
# On ordinary inputs this equals (x − μ)·s·γ + β up to rounding, and BatchNormFn computes that.
# It parts (a) where a sum or a square overflows in x's dtype (σ² = inf gives s = 0, y = β),
# and (b) on a channel whose |μ| is many standard deviations: the fused x·α + β keeps the
# rounding error of μ·α (a constant channel of 1e20 normalizes to ~1e15, not 0).
CANCELLATION = 64.0  # |μ|·s beyond which (b) shows above float32 tolerances


def batch_stats_risky(mu, var, s, n: int) -> bool:
    """True when BatchNormFn's two-pass result may differ from torch's beyond rounding:
    inf/nan statistics, squares that may overflow, or a channel in case (b) above."""
    with quiet():  # inf·0 is nan, and nan says "risky"
        m, v = _MAX(abs(mu) * s, axis=None), _MAX(var, axis=None)
    return not (m < CANCELLATION and v * ((4096.0 + n) * 16.0 * n) < _LIMIT[var.dtype.char])


def batch_stats(x3, eps: float, contiguous: bool = True):
    """(μ, σ², s) per channel of x viewed as (N, C, P), step for step as torch (see above);
    a ``contiguous=False`` input takes torch's generic path: μ in x's dtype, Σ(x − μ)² in
    float64 (then y = (x − μ)·s·γ + β, BatchNormFn's own formula)."""
    N, C, P = x3.shape
    n, T = N * P, x3.dtype.type
    wide = np.float64
    with quiet():
        if not contiguous:
            mu = x3.mean(axis=(0, 2))
            var = ((x3.astype(wide) - mu[None, :, None].astype(wide)) ** 2).sum(axis=(0, 2)) / n
            return mu, var.astype(T), (1 / np.sqrt(var + eps)).astype(T)
        if P == 1 and N > 1:
            rows = x3[:, :, 0]
            mu = (np.cumsum(rows, axis=0, dtype=x3.dtype)[-1].astype(wide) / n).astype(T)
            acc = np.zeros(C, x3.dtype)
            for i in range(N):  # one row at a time, the square fused into the sum
                d = rows[i] - mu
                acc = _fma(d, d, acc)
            var_sum = acc
        else:
            mu = (x3.astype(wide).sum(axis=(0, 2)) / n).astype(T)
            d = x3 - mu[None, :, None]
            var_sum = (d * d).astype(wide).sum(axis=(0, 2)).astype(T)
        var = var_sum / T(n)
        s = (1 / np.sqrt(var.astype(wide) + eps)).astype(T)
    return mu, var, s


def batch_transform(x3, mu, s, weight, bias):
    """y = fma(x, α, β) with α = s·γ, β = fma(−μ, α, b), as torch's CPU batch_norm."""
    T = x3.dtype.type
    with quiet():
        alpha = s * weight if weight is not None else s
        b = bias if bias is not None else T(0)
        beta = _fma(-mu, alpha, b)
        return _fma(x3, alpha[None, :, None], beta[None, :, None])
