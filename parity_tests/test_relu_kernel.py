"""ReLU's compiled backward (ops/_relu_kernel.py) gives the NumPy passes' floats bit for bit:
g where the output is > 0 or nan, +0.0 elsewhere, with nan, ±inf and −0.0 in both the
output and the upstream gradient; compiled and as plain Python; and torch's gradient."""

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu.ops import _relu_kernel


def _grad(lib, x, g):
    t = lib.tensor(x, requires_grad=True)
    lib.relu(t).backward(lib.tensor(g))
    return t.grad.numpy()


@pytest.mark.parametrize("way", ["compiled", "python"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(128, 130), (4, 3, 5), (7,)])
def test_relu_backward_equals_numpy_passes_and_torch(way, dtype, shape, monkeypatch):
    if way == "compiled" and _relu_kernel.load_kernel(
            _relu_kernel.__name__, _relu_kernel.relu_backward, _relu_kernel._warm_up, "ReLU",
            "") is None:
        pytest.skip("numba is not installed: the NumPy passes are the only path")
    r = np.random.default_rng(sum(shape))
    x, g = r.normal(size=shape).astype(dtype), r.normal(size=shape).astype(dtype)
    special = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0], dtype)
    x.reshape(-1)[::3] = r.choice(special, x.reshape(-1)[::3].size)
    g.reshape(-1)[1::4] = r.choice(special, g.reshape(-1)[1::4].size)
    want = _grad(tg, x, g)  # small arrays: the NumPy passes
    calls = []
    if way == "python":
        monkeypatch.setattr(_relu_kernel, "load_kernel",
                            lambda *a: calls.append(1) or _relu_kernel.relu_backward)
    monkeypatch.setattr(_relu_kernel, "MIN_SIZE", 1)
    got = _grad(tg, x, g)
    assert calls or way == "compiled"
    np.testing.assert_array_equal(got.view(np.uint8), want.view(np.uint8))  # the bits, ±0
    np.testing.assert_array_equal(got.view(np.uint8), _grad(torch, x, g).view(np.uint8))


def test_kernel_only_for_large_contiguous_float_arrays():
    y = np.ones((2, 3), np.float32)
    assert _relu_kernel.relu_grad(y, y) is None  # small: NumPy's passes
    big = np.ones(1 << 15, np.float32)
    assert _relu_kernel.relu_grad(big[::2], big[::2]) is None  # strided
    assert _relu_kernel.relu_grad(big, big.astype(np.float64)) is None  # two dtypes
