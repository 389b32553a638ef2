"""The compiled window kernels (ops/_window_kernels.py) give the NumPy paths' floats bit for bit,
and torch's: 2×2 max pooling forward (values, argmax indices: ties, NaNs, ±0, ±inf, padding)
and backward (0 + g at the argmax, so −0.0 lands as +0.0), and the stride-1 convolution's
col2im. Each runs three ways: the NumPy path (kernels off), the compiled kernels, and the
kernels as plain Python (what numba compiles, checked without numba)."""

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu.ops import _window_kernels

PATHS = ["numpy", "compiled", "python"]


@pytest.fixture
def path(request, monkeypatch):
    mode = request.param
    if mode == "numpy":
        monkeypatch.setattr(_window_kernels, "ENABLED", False)
    elif mode == "python":
        monkeypatch.setattr(_window_kernels, "kernel", lambda fn: fn)
    elif _window_kernels.kernel(_window_kernels.max_pool2x2) is None:
        pytest.skip("numba is not installed: the NumPy path is the only path")
    return mode


def _values(dtype, shape, seed, special):
    r = np.random.default_rng(seed)
    x = r.integers(-3, 4, size=shape).astype(dtype)  # few distinct values: many ties
    if special:
        flat = x.reshape(-1)
        pool = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0], dtype)
        mask = r.random(flat.size) < 0.3
        flat[mask] = r.choice(pool, int(mask.sum()))
    return x


def _grad(dtype, shape, seed):
    g = np.random.default_rng(seed).normal(size=shape).astype(dtype)
    flat = g.reshape(-1)
    flat[::7] = -0.0  # torch adds g into zeros: these land as +0.0
    if flat.size > 3:
        flat[3] = np.nan
    return g


def _pool(lib, x, g, padding, ceil_mode):
    """(values, indices, grad) of max_pool2d(x, 2) under the upstream gradient g."""
    t = lib.tensor(x, requires_grad=True)
    y, idx = lib.nn.functional.max_pool2d(t, 2, padding=padding, ceil_mode=ceil_mode,
                                          return_indices=True)
    y.backward(lib.tensor(g))
    return y.detach().numpy(), idx.numpy(), t.grad.numpy()


def _out_shape(x, padding, ceil_mode):
    return tuple(torch.nn.functional.max_pool2d(torch.tensor(x), 2, padding=padding,
                                                ceil_mode=ceil_mode).shape)


CASES = [((2, 3, 8, 8), 0, False), ((1, 2, 7, 9), 0, False), ((1, 2, 7, 9), 0, True),
         ((2, 1, 6, 6), 1, False), ((1, 1, 5, 4), 1, True), ((3, 4, 2, 2), 0, False)]


@pytest.mark.parametrize("path", PATHS, indirect=True)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("special", [False, True], ids=["ties", "special"])
@pytest.mark.parametrize("shape,padding,ceil_mode", CASES)
def test_max_pool2x2_equals_numpy_path_and_torch(path, dtype, special, shape, padding,
                                                 ceil_mode, monkeypatch):
    x = _values(dtype, shape, seed=sum(shape), special=special)
    g = _grad(dtype, _out_shape(x, padding, ceil_mode), seed=len(shape))
    with np.errstate(all="ignore"):
        got = _pool(tg, x, g, padding, ceil_mode)
    monkeypatch.setattr(_window_kernels, "ENABLED", False)
    with np.errstate(all="ignore"):
        ref = _pool(tg, x, g, padding, ceil_mode)  # the NumPy path
    expect = _pool(torch, x, g, padding, ceil_mode)
    for what, a, b, c in zip(["values", "indices", "grad"], got, ref, expect):
        np.testing.assert_array_equal(a, b, err_msg=f"{what}: {path} vs NumPy path")
        np.testing.assert_array_equal(np.signbit(a), np.signbit(b), err_msg=what)
        np.testing.assert_array_equal(a, c, err_msg=f"{what}: {path} vs torch")
        np.testing.assert_array_equal(np.signbit(a), np.signbit(c), err_msg=f"{what} signs")


def test_kernel_is_used_for_2x2_and_not_for_other_windows(monkeypatch):
    if _window_kernels.kernel(_window_kernels.max_pool2x2) is None:
        pytest.skip("numba is not installed")
    calls = []
    real = _window_kernels.kernel

    def spy(fn):
        calls.append(fn.__name__)
        return real(fn)

    monkeypatch.setattr(_window_kernels, "kernel", spy)
    x = tg.randn(2, 3, 8, 8, requires_grad=True)
    tg.nn.functional.max_pool2d(x, 2).sum().backward()
    assert calls == ["max_pool2x2", "max_pool2x2_backward"]
    calls.clear()
    tg.nn.functional.max_pool2d(x, 3).sum().backward()  # 3×3: the NumPy scan
    tg.nn.functional.max_pool2d(x, 2, stride=1).sum().backward()  # overlapping windows
    assert calls == []
    # a strided input: the NumPy scan forward (its int8 offsets suit the backward kernel)
    tg.nn.functional.max_pool2d(x.transpose(2, 3), 2).sum().backward()
    assert calls == ["max_pool2x2_backward"]


@pytest.mark.parametrize("path", PATHS, indirect=True)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("padding,dilation,groups", [(1, 1, 1), (0, 1, 1), (2, 2, 1), (1, 1, 2),
                                                     ((0, 1), (1, 2), 1)])
def test_conv_input_grad_equals_numpy_path(path, dtype, padding, dilation, groups, monkeypatch):
    r = np.random.default_rng(3)
    x = r.normal(size=(3, 4, 7, 6)).astype(dtype)
    w = r.normal(size=(6, 4 // groups, 3, 3)).astype(dtype)

    def run(lib):
        t = lib.tensor(x, requires_grad=True)
        y = lib.nn.functional.conv2d(t, lib.tensor(w), padding=padding, dilation=dilation,
                                     groups=groups)
        y.backward(lib.tensor(np.linspace(-1, 1, y.numel()).reshape(y.shape).astype(dtype)))
        return t.grad.numpy()

    got = run(tg)
    monkeypatch.setattr(_window_kernels, "ENABLED", False)
    np.testing.assert_array_equal(got, run(tg))  # the same additions in the same order
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got, run(torch), rtol=rtol, atol=rtol)
