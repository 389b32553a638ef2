"""The fast block normal sampler (``tinygrad_edu._rng.fast``) against its plain references
(``kernels._box_muller_16``, ``libm.log_ps``/``sincos_ps``, glibc through ``math``), and
1M-element ``randn`` against torch. Speed itself is measured by the benchmark, not here."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu._rng import fast, kernels, libm

f32, f64 = np.float32, np.float64
AVX = kernels.capability() != "DEFAULT"


def _grid_rows(rng, rows: int, bits: int) -> np.ndarray:
    """Rows of 16 uniforms on torch's grid (k·2⁻ᵇⁱᵗˢ), with the end points of the grid in the
    first rows: d = 0 (u1 = 1, θ = 0), the largest d, and the smallest nonzero d."""
    k = rng.integers(0, 1 << bits, size=(rows, 16))
    k[0, :] = 0
    k[1, :] = (1 << bits) - 1
    k[2, :] = 1
    k[3, :8] = (1 << bits) - 1 - np.arange(8)  # u1 = 2⁻ᵇⁱᵗˢ·(1 .. 8): the deepest logs
    d = k * 2.0 ** -bits
    return d.astype(f32) if bits == 24 else d


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


@pytest.mark.skipif(not AVX, reason="torch's DEFAULT build has no fast float32 path here")
@pytest.mark.parametrize("rows", [1, 3, 4097, 9000])
def test_box_muller_f32_fast_equals_reference(rows):
    d = _grid_rows(np.random.default_rng(rows), max(rows, 4), 24)[:max(rows, 4)]
    assert _same_bits(fast.box_muller_16_f32(d), kernels._box_muller_16(d, f32))


@pytest.mark.parametrize("rows", [1, 4, 5000])
def test_box_muller_f64_fast_equals_reference(rows):
    d = _grid_rows(np.random.default_rng(rows), max(rows, 4), 53)
    assert _same_bits(fast.box_muller_16_f64(d), kernels._box_muller_16(d, f64))


def test_log_glibc_equals_math_log():
    """Every branch: the intervals with c = 1 around 1, far from 1, tiny and huge values,
    powers of two, torch's u1 = 1 − k·2⁻⁵³, and values outside the fast domain."""
    rng = np.random.default_rng(7)
    x = np.concatenate([
        rng.random(200_000), 1 - rng.random(50_000) * 2.0**-7, 1 + rng.random(50_000) * 2.0**-6,
        1 - rng.integers(1, 1 << 20, 50_000) * 2.0**-53, rng.random(20_000) * 1e-300,
        rng.random(20_000) * 1e300, 2.0 ** np.arange(-1074, 1024, dtype=f64),
        [1.0, 5e-324, np.inf, 0.0, -1.0, np.nan, 0.6875, 1.375],
    ])
    with np.errstate(all="ignore"):
        ref = np.array([math.log(v) if v > 0 else (-np.inf if v == 0 else np.nan)
                        for v in x.tolist()])
        ok = x > 0  # math.log raises at 0 and below: compare where it is defined
    got = fast.log_glibc(x[ok])
    assert _same_bits(got, ref[ok])


def test_numpy_trig_is_glibc():
    assert fast.numpy_calls_libm("cos") and fast.numpy_calls_libm("sin")
    th = np.random.default_rng(3).random(100_000) * (2 * math.pi)
    assert _same_bits(fast.trig_glibc("sin", th), libm.elementwise(math.sin, th))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("seed", [0, 1337])
def test_randn_million_equals_torch(seed, dtype):
    torch.manual_seed(seed)
    tg.manual_seed(seed)
    want = [torch.randn(10**6 + 3, dtype=getattr(torch, dtype)).numpy() for _ in range(2)]
    got = [tg.randn(10**6 + 3, dtype=getattr(tg, dtype)).numpy() for _ in range(2)]
    assert all(_same_bits(g, w) for g, w in zip(got, want))


@pytest.mark.slow
@pytest.mark.skipif(not AVX, reason="torch's DEFAULT build has no fast float32 path here")
def test_box_muller_f32_fast_every_input():
    """All 2²⁴ values of d in both halves of a row: the fast path's check-free fma steps are
    exact on the whole input grid, not only on samples (about 30 s)."""
    step = 1 << 20
    for start in range(0, 1 << 24, step):
        k = np.arange(start, start + step, dtype=np.int64)
        half = (k * 2.0**-24).astype(f32).reshape(-1, 8)
        d = np.concatenate([half, half[::-1]], axis=1)  # every value as u1 and as u2
        assert _same_bits(fast.box_muller_16_f32(d), kernels._box_muller_16(d, f32)), start
