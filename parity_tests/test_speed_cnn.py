"""The CNN step's fast paths (issue 14) against their plain references and torch: convolution
in the (C, *K, N, *O) im2col layout and its stride-1 input gradient by long flat additions,
max pooling's branch-free int8 argmax, relu by ``np.maximum``, and the glibc malloc thresholds.
No timing here: speed lives in the benchmark."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu.ops import activation, conv, pool

CONV_CASES = [  # x shape, w shape, kwargs: 1-, 2- and 3-d, groups, dilation, stride, padding
    ((2, 4, 7, 6), (6, 2, 3, 2), {"padding": (1, 2), "dilation": (2, 1), "groups": 2}),
    ((3, 3, 9), (4, 3, 3), {"padding": 2, "dilation": 3}),
    ((2, 2, 5, 6, 4), (4, 2, 2, 3, 2), {"padding": 1, "dilation": (1, 2, 1)}),
    ((1, 1, 3, 3), (2, 1, 3, 3), {}),
    ((2, 3, 5, 5), (2, 3, 5, 5), {}),  # one window: the output is 1x1
    ((2, 3, 8, 7), (4, 3, 3, 3), {"stride": (2, 3), "padding": 1}),  # strided: generic col2im
    ((2, 1, 28, 28), (4, 1, 3, 3), {"padding": 1}),  # the benchmark's first layer, smaller
]


def _conv(nd):
    return {1: "conv1d", 2: "conv2d", 3: "conv3d"}[nd]


def _grads(lib, x, w, b, gy, kw):
    tx, tw, tb = (lib.tensor(a, requires_grad=True) for a in (x, w, b))
    y = getattr(lib.nn.functional, _conv(x.ndim - 2))(tx, tw, tb, **kw)
    return [y.detach().numpy()] + [a.numpy() for a in lib.autograd.grad(y, [tx, tw, tb],
                                                                           lib.tensor(gy))]


@pytest.mark.parametrize("xs,ws,kw", CONV_CASES, ids=[str(c[0]) for c in CONV_CASES])
def test_conv_fast_paths_equal_reference_and_torch(monkeypatch, xs, ws, kw):
    r = np.random.default_rng(0)
    x, w, b = r.normal(size=xs), r.normal(size=ws), r.normal(size=ws[0])
    ty = getattr(torch.nn.functional, _conv(len(xs) - 2))(torch.tensor(x), torch.tensor(w),
                                                         torch.tensor(b), **kw)
    gy = r.normal(size=ty.shape)
    want = _grads(torch, x, w, b, gy, kw)
    fast = _grads(tg, x, w, b, gy, kw)
    monkeypatch.setattr(conv, "_FLAT_COL2IM", False)  # the generic col2im route
    plain = _grads(tg, x, w, b, gy, kw)
    for f, p, t in zip(fast, plain, want):
        np.testing.assert_allclose(f, p, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(f, t, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("xs,ws,kw", CONV_CASES[:3], ids=[str(c[0]) for c in CONV_CASES[:3]])
def test_conv_fused_equals_composed_reference(xs, ws, kw):
    from tinygrad_edu.ops.conv import ConvolutionFn

    r = np.random.default_rng(1)
    x = tg.tensor(r.normal(size=xs), requires_grad=True)
    w = tg.tensor(r.normal(size=ws), requires_grad=True)
    b = tg.tensor(r.normal(size=ws[0]), requires_grad=True)
    d = len(xs) - 2
    pad = kw.get("padding", 0)
    pad = (pad,) * d if isinstance(pad, int) else pad
    dil = kw.get("dilation", 1)
    dil = (dil,) * d if isinstance(dil, int) else dil
    pads = tuple(p for a in pad for p in (a, a))
    args = ((1,) * d, pads, dil, kw.get("groups", 1), False, None)
    fast = ConvolutionFn.apply(x, w, b, *args)
    ref = ConvolutionFn.reference(x, w, b, *args)
    gy = tg.tensor(r.normal(size=fast.shape))
    np.testing.assert_allclose(fast.detach().numpy(), ref.detach().numpy(), rtol=1e-12,
                               atol=1e-12)
    for a, c in zip(tg.autograd.grad(fast, [x, w, b], gy), tg.autograd.grad(ref, [x, w, b], gy)):
        np.testing.assert_allclose(a.numpy(), c.numpy(), rtol=1e-12, atol=1e-12)


def _pool_case(kind, dtype):
    r = np.random.default_rng(2)
    x = r.normal(size=(3, 4, 8, 6)).astype(dtype)
    if kind == "ties":  # a relu output: whole windows of 0, and equal maxima inside windows
        x = np.maximum(x, 0)
        x[0, 0, :2, :2] = 1.5
        x[1, 2, 2:4, 2:4] = [[0.0, 2.0], [2.0, 2.0]]
    elif kind == "inf":
        x[0, 1, 0, 0] = np.inf
        x[1, 1, :2, :2] = -np.inf
    elif kind == "nan":
        x[0, 0, 1, 1] = np.nan
        x[2, 3, 4:6, 2:4] = [[np.nan, 1.0], [np.nan, 5.0]]
    return x


@pytest.mark.parametrize("kind", ["random", "ties", "inf", "nan"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("on_device", [False, True])
def test_max_pool_scan_equals_reference_and_torch(monkeypatch, kind, dtype, on_device):
    if on_device:  # the device branch (no host sync): NaN rule applied inside the scan
        monkeypatch.setattr(pool, "_on_host", lambda xp: False)
    x = _pool_case(kind, dtype)
    gy = np.random.default_rng(3).normal(size=(3, 4, 4, 3)).astype(dtype)
    gy[0, 0, 0, :2] = -0.0  # torch: +0 at the argmax too (0 + −0.0)
    tx = torch.tensor(x, requires_grad=True)
    ty, ti = torch.nn.functional.max_pool2d(tx, 2, return_indices=True)
    (tgx,) = torch.autograd.grad(ty, [tx], torch.tensor(gy))
    ox = tg.tensor(x, requires_grad=True)
    oy, oi = tg.nn.functional.max_pool2d(ox, 2, return_indices=True)
    (ogx,) = tg.autograd.grad(oy, [ox], tg.tensor(gy))
    np.testing.assert_array_equal(oy.detach().numpy(), ty.detach().numpy())
    np.testing.assert_array_equal(oi.numpy(), ti.numpy())  # ties: torch's first maximum
    np.testing.assert_array_equal(ogx.numpy(), tgx.numpy())
    # torch accumulates g into zeros: no −0.0 anywhere (g < 0 times a 0 of the mask gives −0.0)
    np.testing.assert_array_equal(np.signbit(ogx.numpy()), np.signbit(tgx.numpy()))
    # the composed reference (pad, Im2ColFn, max over the window) agrees
    rx = tg.tensor(x, requires_grad=True)
    ry = pool.MaxPoolFn.reference(rx, (2, 2), (2, 2), (0, 0, 0, 0), (1, 1), (4, 3), None)
    np.testing.assert_array_equal(ry.detach().numpy(), oy.detach().numpy())
    if kind != "nan":  # max()'s NaN gradient rule is not max_pool's
        (rgx,) = tg.autograd.grad(ry, [rx], tg.tensor(gy))
        np.testing.assert_array_equal(rgx.numpy(), ogx.numpy())


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_relu_fast_path_keeps_torch_signed_zero_and_nan(monkeypatch, fast, dtype):
    monkeypatch.setattr(activation, "_MAX_KEEPS_NEG_ZERO", fast and activation._MAX_KEEPS_NEG_ZERO)
    x = np.array([-2, -0.0, 0.0, np.nan, -np.nan, 3, -np.inf, np.inf, 1e-4] * 5, dtype)
    y = tg.relu(tg.tensor(x)).numpy()
    t = torch.relu(torch.tensor(x)).numpy()
    assert y.dtype == t.dtype
    np.testing.assert_array_equal(y, t)
    np.testing.assert_array_equal(np.signbit(y), np.signbit(t))  # relu(-0.0) = -0.0, torch


def test_malloc_thresholds_set_on_glibc_and_opt_out():
    from tinygrad_edu import _malloc

    code = "import tinygrad_edu as tg; print(tg._malloc.MALLOC_TUNED)"
    env = dict(os.environ, TINYGRAD_EDU_KEEP_FREED="0")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert out.stdout.strip() == "False", out.stderr
    import platform

    if sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc":
        assert _malloc.MALLOC_TUNED is (os.environ.get("TINYGRAD_EDU_KEEP_FREED", "1") != "0")
