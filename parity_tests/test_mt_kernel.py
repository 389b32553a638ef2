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
        out = np.empty(n, np.bool_)
        pos = bern(key, pos, p, out, np.empty(2 * _mt_kernel.CHUNK, np.uint32))
        k = (bits.random_raw(2 * n).reshape(n, 2) << np.uint64([32, 0])).sum(axis=1)
        want = (k & np.uint64(2**53 - 1)).astype(np.float64) * 2.0**-53 < p  # NumPy's passes
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


def test_state_moves_between_numpy_and_the_kernels_once(monkeypatch):
    """Draws alternate between the compiled loops and NumPy's generator (numba switched off
    and on): the stream is one stream, and the state moves only when the drawer changes."""
    if _mt_kernel.kernel(_mt_kernel.mt_fill) is None:
        pytest.skip("numba is not installed")
    ours, ref = engine.MT19937(9), np.random.MT19937()
    ref.state = {"bit_generator": "MT19937",
                 "state": {"key": engine.init_genrand(9), "pos": 624}}
    for enabled, n in [(True, 5), (True, 700), (False, 3), (False, 1000), (True, 2), (False, 1)]:
        monkeypatch.setattr(_mt_kernel, "ENABLED", enabled)
        np.testing.assert_array_equal(ours.random(n), ref.random_raw(n))
        assert ours._in_numpy is (not enabled)
        key, pos = ours._words()
        np.testing.assert_array_equal(key, ref.state["state"]["key"])
        assert pos == ref.state["state"]["pos"]
    twin = ours.clone()
    np.testing.assert_array_equal(twin.random(10), ours.random(10))
