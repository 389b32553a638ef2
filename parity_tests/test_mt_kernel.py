"""The compiled mt19937 loops (_rng/_mt_kernel.py) draw NumPy's MT19937 words and torch's
Bernoulli values bit for bit, leave the same state behind, and dropout's mask stays torch's."""

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu._rng import _mt_kernel, engine


def _state(seed, skip):
    bits = np.random.MT19937(seed)
    bits.random_raw(skip)  # start mid-block
    st = bits.state["state"]
    return bits, np.array(st["key"], dtype=np.uint32), int(st["pos"])


def _ways():
    yield "python", _mt_kernel.mt_fill, _mt_kernel.mt_bernoulli
    fill = _mt_kernel.kernel(_mt_kernel.mt_fill)
    if fill is not None:
        yield "compiled", fill, _mt_kernel.kernel(_mt_kernel.mt_bernoulli)


@pytest.mark.parametrize("seed,skip,n", [(0, 0, 1), (1, 623, 2), (2, 5, 624), (3, 624, 1249),
                                         (4, 100, 5000)])
def test_words_and_state_equal_numpys_generator(seed, skip, n):
    for way, fill, _ in _ways():
        bits, key, pos = _state(seed, skip)
        out = np.empty(n, np.uint64)
        pos = fill(key, pos, out)
        want = bits.random_raw(n)
        np.testing.assert_array_equal(out, want, err_msg=way)
        st = bits.state["state"]
        assert pos == st["pos"], way
        np.testing.assert_array_equal(key, st["key"], err_msg=way)


@pytest.mark.parametrize("p", [0.0, 1e-300, 0.2, 0.5, 0.8, 1.0])
@pytest.mark.parametrize("seed,skip,n", [(5, 0, 3), (6, 623, 700), (7, 11, 5000)])
def test_bernoulli_equals_the_uniform_double_passes(p, seed, skip, n):
    for way, _, bern in _ways():
        bits, key, pos = _state(seed, skip)
        gen = engine.MT19937.__new__(engine.MT19937)  # the NumPy passes on the same state
        gen._bits, gen._fresh = bits, False
        out = np.empty(n, np.bool_)
        pos = bern(key, pos, p, out, np.empty(2 * _mt_kernel.CHUNK, np.uint32))
        want = engine.MT19937.uniform_double(gen, n) < p
        np.testing.assert_array_equal(out, want, err_msg=way)
        assert pos == bits.state["state"]["pos"], way
        np.testing.assert_array_equal(key, bits.state["state"]["key"], err_msg=way)


@pytest.mark.parametrize("enabled", [True, False])
@pytest.mark.parametrize("shape,p", [((3,), 0.5), ((1024, 512), 0.2), ((7, 3000), 0.9)])
def test_dropout_mask_and_stream_stay_torchs(enabled, shape, p, monkeypatch):
    monkeypatch.setattr(_mt_kernel, "ENABLED", enabled)
    torch.manual_seed(11)
    tg.manual_seed(11)
    want = torch.nn.functional.dropout(torch.ones(shape), p).numpy()
    got = tg.nn.functional.dropout(tg.ones(shape), p).numpy()
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(tg.rand(5).numpy(), torch.rand(5).numpy())  # the state after
    np.testing.assert_array_equal(tg.get_rng_state().numpy(), torch.get_rng_state().numpy())


@pytest.mark.parametrize("enabled", [True, False])
def test_randn_float32_and_rand_stay_torchs(enabled, monkeypatch):
    # randn float32 takes random24 (24-bit words) for its Box–Muller blocks; rand float64 two
    monkeypatch.setattr(_mt_kernel, "ENABLED", enabled)
    for seed, n in [(1, 10), (2, 40000), (3, 100003)]:
        torch.manual_seed(seed)
        tg.manual_seed(seed)
        np.testing.assert_array_equal(tg.randn(n).numpy(), torch.randn(n).numpy())
        np.testing.assert_array_equal(tg.rand(n, dtype=tg.float64).numpy(),
                                      torch.rand(n, dtype=torch.float64).numpy())
        np.testing.assert_array_equal(tg.get_rng_state().numpy(), torch.get_rng_state().numpy())


def test_large_draws_use_the_kernel_and_small_ones_numpy(monkeypatch):
    if _mt_kernel.kernel(_mt_kernel.mt_fill) is None:
        pytest.skip("numba is not installed")
    calls = []
    real = _mt_kernel.kernel
    monkeypatch.setattr(_mt_kernel, "kernel", lambda fn: calls.append(fn.__name__) or real(fn))
    gen = engine.MT19937(3)
    gen.random(10)
    gen.bernoulli(10, 0.5)
    assert calls == []
    gen.random(engine._MIN_WORDS)
    gen.bernoulli(engine._MIN_WORDS, 0.5)
    assert calls == ["mt_fill", "mt_bernoulli"]
