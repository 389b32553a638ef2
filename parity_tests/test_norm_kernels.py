"""BatchNorm's compiled passes (ops/_norm_kernels.py) give the NumPy passes' floats bit for
bit: forward y and the input, weight and bias gradients, BatchNorm1d and 2d, training and
eval, float32 and float64, with huge values, nan and inf; compiled and as plain Python; and
the result stays within torch's tolerance."""

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu.ops import _norm_kernels


def _run(lib, x, w, b, g, training):
    t = lib.tensor(x, requires_grad=True)
    wt, bt = lib.tensor(w, requires_grad=True), lib.tensor(b, requires_grad=True)
    rm, rv = lib.zeros(x.shape[1], dtype=t.dtype), lib.ones(x.shape[1], dtype=t.dtype)
    y = lib.nn.functional.batch_norm(t, rm, rv, wt, bt, training=training)
    y.backward(lib.tensor(g))
    return [v.detach().numpy() for v in (y, t.grad, wt.grad, bt.grad, rm, rv)]


def _data(shape, dtype, special, seed):
    r = np.random.default_rng(seed)
    x = (r.normal(size=shape) * 3 + 1).astype(dtype)
    if special:
        flat = x.reshape(-1)
        flat[::11] = 1e30 if dtype == np.float64 else 1e18  # squares overflow float32
        flat[5] = np.nan
        flat[-1] = -np.inf
    c = shape[1]
    w, b = (r.random(c) + 0.5).astype(dtype), r.normal(size=c).astype(dtype)
    return x, w, b, r.normal(size=shape).astype(dtype)


@pytest.mark.parametrize("way", ["compiled", "python"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(6, 5), (4, 3, 5, 5), (2, 4, 17, 1), (3, 2, 7)])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("special", [False, True])
def test_batchnorm_kernels_equal_numpy_passes(way, dtype, shape, training, special,
                                              monkeypatch):
    if way == "compiled" and _norm_kernels.kernel(_norm_kernels.bn_affine) is None:
        pytest.skip("numba is not installed: the NumPy passes are the only path")
    if way == "python":
        monkeypatch.setattr(_norm_kernels, "kernel", lambda fn: fn)
    monkeypatch.setattr(_norm_kernels, "MIN_SIZE", 1)  # the kernels for these small shapes too
    args = _data(shape, dtype, special, seed=sum(shape))
    with np.errstate(all="ignore"):
        got = _run(tg, *args, training)
        monkeypatch.setattr(_norm_kernels, "ENABLED", False)
        want = _run(tg, *args, training)
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)
    if not special:
        rtol = 1e-4 if dtype == np.float32 else 1e-10
        for a, b in zip(got, _run(torch, *args, training)):
            np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol)


def test_kernels_are_used_for_contiguous_float_input(monkeypatch):
    if _norm_kernels.kernel(_norm_kernels.bn_affine) is None:
        pytest.skip("numba is not installed")
    calls = []
    real = _norm_kernels.kernel
    monkeypatch.setattr(_norm_kernels, "kernel", lambda fn: calls.append(fn.__name__) or real(fn))
    x, w, b, g = _data((4, 3, 5, 5), np.float32, False, 0)
    _run(tg, x, w, b, g, True)
    assert calls == []  # small: NumPy's passes (a kernel call's dispatch would eat the gain)
    monkeypatch.setattr(_norm_kernels, "MIN_SIZE", 1)
    _run(tg, x, w, b, g, True)
    assert calls == ["bn_affine", "bn_input_grad"]
    calls.clear()
    _run(tg, x.astype(np.float16), w.astype(np.float16), b.astype(np.float16),
         g.astype(np.float16), True)  # float16 runs in float32 inside: kernels too
    assert "bn_affine" in calls
