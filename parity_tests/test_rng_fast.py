"""The fast block normal samplers (``tinygrad_edu._rng.fast32`` for float32, ``fast`` for
float64) against their plain references (``kernels._box_muller_16``, ``libm.log_ps``/
``sincos_ps``, glibc through ``math``), and 1M-element ``randn`` against torch. The grid
properties the float32 path relies on are checked on all 2²⁴ inputs (marked slow). Speed itself
is measured by the benchmark, not here."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu._rng import engine, fast, fast32, kernels, libm

f32, f64 = np.float32, np.float64
AVX = kernels.capability() != "DEFAULT"


def _grid_rows(rng, rows: int) -> np.ndarray:
    """Rows of 16 float64 uniforms on torch's grid (k·2⁻⁵³), with the end points of the grid in
    the first rows: d = 0 (u1 = 1, θ = 0), the largest d, and the smallest nonzero d."""
    k = rng.integers(0, 1 << 53, size=(rows, 16))
    k[0, :] = 0
    k[1, :] = (1 << 53) - 1
    k[2, :] = 1
    k[3, :8] = (1 << 53) - 1 - np.arange(8)  # u1 = 2⁻⁵³·(1 .. 8): the deepest logs
    return k * 2.0**-53


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def _f32_pair(words):
    """fast32 on raw words, and the plain reference on the uniforms torch makes of them."""
    d = ((words & 0xFFFFFF) * 2.0**-24).astype(f32)
    return fast32.box_muller_words(words), kernels._box_muller_16(d, f32)


def test_random24_is_the_low_bits_of_the_same_words():
    """``engine.random24`` (NumPy's legacy masked ``randint``) takes one word per value, as
    ``random`` does, and leaves the stream where ``random`` would."""
    a, b = engine.MT19937(1337), engine.MT19937(1337)
    for n in (1, 17, 100_003):
        got = a.random24(n)
        assert got.dtype == np.uint32 and np.array_equal(got, b.random(n) & 0xFFFFFF)
    assert np.array_equal(a.random(5), b.random(5))


@pytest.fixture(params=["complex", "float64"])
def horner(request, monkeypatch):
    """Both ways fast32 runs the log's Horner steps: complex64 multiplies (where NumPy fuses
    them, as on this machine) and the float64 fallback."""
    if request.param == "complex" and not fast32.complex_fma():
        pytest.skip("NumPy's complex64 multiply is not fused here")
    if request.param == "float64":
        monkeypatch.setattr(fast32, "complex_fma", lambda: False)
    return request.param


@pytest.mark.skipif(not AVX, reason="torch's DEFAULT build has no fast float32 path here")
@pytest.mark.parametrize("rows", [1, 3, 4097, 9000])
def test_box_muller_f32_fast_equals_reference(rows, horner):
    """Random words (all 32 bits, so the mask is exercised) and the grid's end points: k = 0
    (u1 = 1, θ = 0), the largest k, k = 1, the deepest logs (u1 = 2⁻²⁴·(1 .. 8)) and the
    octant boundaries (k near multiples of 2²¹) on the sincos side; more rows than a slab."""
    rng = np.random.default_rng(rows)
    words = rng.integers(0, 1 << 32, size=(max(rows, 8), 16), dtype=np.uint32)
    words[0], words[1], words[2] = 0, 0xFFFFFFFF, 1
    words[3, :8] = (1 << 24) - 1 - np.arange(8)
    edges = (np.arange(1, 9)[:, None] << 21) + np.array([-1, 0, 1, 2])
    words[4:8, 8:] = edges.reshape(4, 8) + (7 << 24)  # high bits set: masked away
    fast32_out, ref = _f32_pair(words[:max(rows, 8)])
    assert _same_bits(fast32_out, ref)


@pytest.mark.skipif(not AVX, reason="torch's DEFAULT build has no fast float32 path here")
def test_f32_slab_size_does_not_change_bits(monkeypatch):
    """Slab boundaries (and a partial last slab) leave every row as it was."""
    words = np.random.default_rng(5).integers(0, 1 << 32, size=(1000, 16), dtype=np.uint32)
    want = fast32.box_muller_words(words)
    monkeypatch.setattr(fast32, "SLAB", 8 * 96)
    assert _same_bits(fast32.box_muller_words(words), want)


@pytest.mark.skipif(not AVX, reason="torch's DEFAULT build has no fast float32 path here")
@pytest.mark.parametrize("n", [16, 17, 31, 33, 4096 * 16 + 5])
def test_f32_normal_fill_draws_what_torch_draws(n):
    """Values and the stream position afterwards (the leftover words and the redone tail)."""
    torch.manual_seed(42)
    want, after = torch.randn(n).numpy(), torch.randint(0, 1 << 20, (4,)).numpy()
    gen = engine.MT19937(42)
    got = fast32.normal_fill(gen, n)
    assert _same_bits(got, want)
    assert np.array_equal(gen.random(4) % (1 << 20), after)  # randint: one word mod 2²⁰
    # float16: the same float32 math, without the words of a partial last row
    torch.manual_seed(42)
    want, after = torch.randn(n, dtype=torch.float16).numpy(), torch.randint(0, 9, (4,)).numpy()
    gen = engine.MT19937(42)
    assert _same_bits(fast32.normal_fill(gen, n, partial=False).astype(np.float16), want)
    assert np.array_equal(gen.random(4) % 9, after)


@pytest.mark.skipif(not AVX, reason="torch's DEFAULT build has no fast float32 path here")
def test_f32_threads_keep_their_own_scratch():
    """fast32 reuses its slab buffers; each thread has its own, so generators drawn in parallel
    threads still give torch's numbers."""
    import threading
    got = {}

    def draw(seed):
        gen = engine.MT19937(seed)
        got[seed] = [fast32.normal_fill(gen, 70_001) for _ in range(2)]

    threads = [threading.Thread(target=draw, args=(s,)) for s in (0, 1, 42, 1337)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for seed in (0, 1, 42, 1337):
        torch.manual_seed(seed)
        assert all(_same_bits(g, torch.randn(70_001).numpy()) for g in got[seed]), seed


def test_complex_multiply_is_fused_here():
    """This machine's NumPy rounds a complex64 product's real part once (its SIMD loops use
    fused multiply-subtract), so fast32 takes the complex Horner; in float32 terms:
    re((y + i·p)(x − i)) = fma(y, x, p), which differs from y·x + p in ~1/4 of cases."""
    rng = np.random.default_rng(11)
    y, x = (rng.random(5000, dtype=f32) - f32(0.5) for _ in range(2))
    p = np.full(5000, f32(0.1166998740))
    prod = (y + 1j * p).astype(np.complex64) * (x - 1j).astype(np.complex64)
    assert np.array_equal(prod.real, libm.fma32(y, x, p))
    assert not np.array_equal(prod.real, (y * x + p).astype(f32))  # the sample can tell
    assert fast32.complex_fma()


def test_complex_fma_check_rejects_an_unfused_multiply(monkeypatch):
    """The once-per-process check fails (so the float64 steps are used) when the complex steps
    round twice: here a Horner that rounds y·x before adding p."""
    def two_roundings(x, S):
        y = np.full(x.shape, libm._LOG_P[0], f32)
        for p in libm._LOG_P[1:]:
            y = (y * x + f32(p)).astype(f32)
        S.ca.real[...] = y
    monkeypatch.setattr(fast32, "_horner_complex", two_roundings)
    assert fast32.complex_fma.__wrapped__() is False


def test_sincos_grid_constants_are_exact():
    """The first trigonometric fma's grid constants: M + c − M gives c back (c is a multiple of
    M's float64 step), and that step is float32's in the binade of every value of the step."""
    assert np.array_equal(fast32._CS1_GRID - fast32._GRID, fast32._CS[1])
    step = np.spacing(fast32._GRID)
    z = np.linspace(0, (math.pi / 4) ** 2, 10001).astype(f32).astype(f64)
    w = (z * fast32._CS[0] + fast32._CS[1]).astype(f32)  # both rows, every z
    assert np.all(np.spacing(np.abs(w)) == step.astype(f32))


@pytest.mark.parametrize("rows", [1, 4, 5000])
def test_box_muller_f64_fast_equals_reference(rows):
    d = _grid_rows(np.random.default_rng(rows), max(rows, 4))
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


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("seed", [0, 1337])
def test_randn_million_equals_torch(seed, dtype):
    torch.manual_seed(seed)
    tg.manual_seed(seed)
    want = [torch.randn(10**6 + 3, dtype=getattr(torch, dtype)).numpy() for _ in range(2)]
    got = [tg.randn(10**6 + 3, dtype=getattr(tg, dtype)).numpy() for _ in range(2)]
    assert all(_same_bits(g, w) for g, w in zip(got, want))


@pytest.mark.slow
@pytest.mark.skipif(not AVX, reason="torch's DEFAULT build has no fast float32 path here")
def test_box_muller_f32_fast_every_input(horner):
    """All 2²⁴ values of k = w & 0xFFFFFF on both sides of a row: the fast path's check-free
    fma steps and its grid shortcuts are exact on the whole input grid, not only on samples
    (a few seconds per Horner mode)."""
    step = 1 << 20
    for start in range(0, 1 << 24, step):
        k = np.arange(start, start + step, dtype=np.uint32).reshape(-1, 8)
        words = np.concatenate([k, k[::-1] | np.uint32(0xAB000000)], axis=1)
        got, ref = _f32_pair(words)
        assert _same_bits(got, ref), start


@pytest.mark.slow
def test_octant_from_k_every_input():
    """torch's octant h = ((int)(θ·4/π) + 1) >> 1, θ = float32(k·2⁻²⁴·2π), equals
    (k + 2²¹) >> 22 for every k < 2²⁴ (fast32 takes it without float work)."""
    for start in range(0, 1 << 24, 1 << 22):
        k = np.arange(start, start + (1 << 22), dtype=np.int64)
        theta = (k * 2.0**-24).astype(f32) * f32(2 * math.pi)
        h = ((theta * libm._FOPI).astype(np.int32) + 1) >> 1
        assert np.array_equal(h, (k + (1 << 21)) >> 22), start
