"""Conv2d / MaxPool2d / AvgPool2d / BatchNorm2d / Embedding vs torch (identical weights: ours
copied into torch's module): forward, input and parameter gradients in float32 and float64,
hypothesis-drawn geometry, MaxPool ties, padding modes, reprs, init, errors, and the seed-001
CNN listings. The functional forms are driven by specs/nn_conv.py (test_ops_parity.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from helpers import assert_close, tg_np, th_np
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg

DTYPES = ("float32", "float64")
FEW = settings(max_examples=max(8, settings.default.max_examples // 3))


def _pair(ours, ref, dtype):
    ours.to(getattr(tg, dtype))
    ref.to(getattr(torch, dtype))
    ref.load_state_dict({k: torch.from_numpy(np.array(tg_np(v), copy=True))
                         for k, v in ours.state_dict().items()})
    return ours, ref


def _check(op, ours, ref, x, dtype, factor=1.0, g_seed=0):
    """Forward, input grad and every parameter grad of ours vs ref on input x."""
    tx = tg.tensor(np.array(x, copy=True), requires_grad=True)
    rx = torch.from_numpy(np.array(x, copy=True)).requires_grad_(True)
    y, ry = ours(tx), ref(rx)
    assert_close(tg_np(y), th_np(ry), op=op, what="output", dtype=dtype, backend="numpy",
                 factor=factor)
    g = np.random.default_rng(g_seed).uniform(-1, 1, tuple(ry.shape)).astype(dtype)
    y.backward(tg.tensor(g))
    ry.backward(torch.from_numpy(g))
    assert_close(tg_np(tx.grad), th_np(rx.grad), op=op, what="grad of input", dtype=dtype,
                 backend="numpy", check="grad", factor=10 * factor)
    rp = dict(ref.named_parameters())
    for n, p in ours.named_parameters():
        assert_close(tg_np(p.grad), th_np(rp[n].grad), op=op, what=f"grad of {n}", dtype=dtype,
                     backend="numpy", check="grad", factor=10 * factor)
    return tx, rx


# ---- Conv2d --------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@FEW
@given(data=st.data())
def test_conv2d_module_parity(dtype, data):
    d = data.draw
    G = d(st.sampled_from([1, 1, 2]))
    cin, cout = G * d(st.integers(1, 2)), G * d(st.integers(1, 3))
    k = (d(st.integers(1, 4)), d(st.integers(1, 3)))
    stride = (d(st.integers(1, 3)), d(st.integers(1, 2)))
    dil = (d(st.integers(1, 2)), d(st.integers(1, 2)))
    mode = d(st.sampled_from(["zeros", "zeros", "reflect", "replicate", "circular"]))
    pad = d(st.sampled_from(["int", "pair", "same", "valid"]))
    if pad == "same" and stride != (1, 1):
        pad = "pair"
    padding = {"int": d(st.integers(0, 2)), "pair": (d(st.integers(0, 2)), d(st.integers(0, 1))),
               }.get(pad, pad)
    eff = (dil[0] * (k[0] - 1) + 1, dil[1] * (k[1] - 1) + 1)
    H, W = eff[0] + d(st.integers(2, 4)), eff[1] + d(st.integers(2, 4))  # reflect needs H > pad
    kw = dict(stride=stride, padding=padding, dilation=dil, groups=G, bias=d(st.booleans()),
              padding_mode=mode)
    ours, ref = _pair(tg.nn.Conv2d(cin, cout, k, **kw), torch.nn.Conv2d(cin, cout, k, **kw),
                      dtype)
    assert repr(ours) == repr(ref)
    lead = (d(st.integers(1, 3)),) if d(st.integers(0, 4)) else ()  # unbatched sometimes
    x = np.random.default_rng(d(st.integers(0, 999))).uniform(-3, 3, lead + (cin, H, W))
    _check("Conv2d", ours, ref, x.astype(dtype), dtype)


def test_conv2d_init_matches_torch_bounds():
    tg.manual_seed(0)
    m = tg.nn.Conv2d(8, 16, (3, 5), groups=2)
    fan_in = 4 * 3 * 5  # C/groups·kh·kw
    bound = 1 / math.sqrt(fan_in)  # torch: kaiming_uniform(a=√5) ⇒ U(±1/√fan_in)
    w, b = tg_np(m.weight), tg_np(m.bias)
    assert w.shape == (16, 4, 3, 5) and w.dtype == np.float32
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.1 * bound  # std of U(±b) is b/√3
    assert np.abs(b).max() <= bound
    assert tg.nn.Conv2d(1, 2, 3, bias=False).bias is None


@pytest.mark.parametrize("build", [
    lambda nn: nn.Conv2d(1, 2, 3),
    lambda nn: nn.Conv2d(3, 32, kernel_size=3, padding=1),
    lambda nn: nn.Conv2d(2, 4, (3, 2), stride=2, padding=(1, 0), dilation=2, groups=2,
                         bias=False, padding_mode="reflect"),
    lambda nn: nn.Conv2d(2, 4, 3, padding="same"),
    lambda nn: nn.Conv2d(2, 4, 3, padding="valid"),
    lambda nn: nn.MaxPool2d(2),
    lambda nn: nn.MaxPool2d(kernel_size=2, stride=2),
    lambda nn: nn.MaxPool2d((2, 3), stride=1, padding=1, dilation=2, ceil_mode=True,
                            return_indices=True),
    lambda nn: nn.AvgPool2d(3, 1, 1),
    lambda nn: nn.AvgPool2d((2, 3), ceil_mode=True, count_include_pad=False),
    lambda nn: nn.BatchNorm2d(32),
    lambda nn: nn.Conv1d(2, 4, 3, stride=2, padding=1, padding_mode="circular"),
    lambda nn: nn.Conv3d(2, 4, (1, 2, 3), padding="same", groups=2),
    lambda nn: nn.ConvTranspose1d(2, 4, 3, stride=2, output_padding=1),
    lambda nn: nn.ConvTranspose2d(2, 4, 3, padding=1, dilation=2, groups=2, bias=False),
    lambda nn: nn.ConvTranspose3d(2, 2, 2),
    lambda nn: nn.MaxPool1d(3, 2, 1, ceil_mode=True),
    lambda nn: nn.MaxPool3d((1, 2, 2)),
    lambda nn: nn.AvgPool1d(3),
    lambda nn: nn.AvgPool3d(2, divisor_override=3),
    lambda nn: nn.LPPool2d(2, 3, stride=2),
    lambda nn: nn.MaxUnpool2d(2),
    lambda nn: nn.AdaptiveAvgPool2d((None, 3)),
    lambda nn: nn.AdaptiveMaxPool3d(2, return_indices=True),
    lambda nn: nn.FractionalMaxPool2d(2, output_ratio=0.5),
    lambda nn: nn.BatchNorm3d(4, momentum=None),
    lambda nn: nn.InstanceNorm2d(3, affine=True),
    lambda nn: nn.InstanceNorm1d(3, track_running_stats=True),
    lambda nn: nn.GroupNorm(2, 4, affine=False),
    lambda nn: nn.RMSNorm([3, 4], eps=1e-6),
    lambda nn: nn.LocalResponseNorm(2),
    lambda nn: nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True),
    lambda nn: nn.Upsample((3, 4)),
    lambda nn: nn.UpsamplingNearest2d(scale_factor=(2, 3)),
    lambda nn: nn.UpsamplingBilinear2d(5),
    lambda nn: nn.Fold((4, 5), 2, stride=(1, 2)),
    lambda nn: nn.Unfold((2, 3), dilation=2, padding=1),
    lambda nn: nn.Embedding(10, 3),
    lambda nn: nn.Embedding(10, 3, padding_idx=-1, max_norm=1.5, norm_type=1.0,
                            scale_grad_by_freq=True),
])
def test_repr_identical_to_torch(build):
    assert repr(build(tg.nn)) == repr(build(torch.nn))


def test_conv2d_errors():
    x = tg.randn(2, 3, 5, 5)
    with pytest.raises(RuntimeError, match=r"expected input\[2, 3, 5, 5\] to have 4 channels"):
        tg.nn.functional.conv2d(x, tg.randn(2, 4, 3, 3))
    with pytest.raises(RuntimeError, match="conv2d.*Input type.*weight type"):
        tg.nn.functional.conv2d(x, tg.randn(2, 3, 3, 3, dtype=tg.float64))
    with pytest.raises(RuntimeError, match="Kernel size can't be greater than actual input"):
        tg.nn.functional.conv2d(x, tg.randn(2, 3, 7, 7))
    with pytest.raises(RuntimeError, match="Expected 3D .* or 4D"):
        tg.nn.functional.conv2d(tg.randn(5, 5), tg.randn(2, 3, 3, 3))
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        tg.nn.Conv2d(3, 2, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        tg.nn.Conv2d(3, 2, 3, groups=2)
    with pytest.raises(RuntimeError, match="pad should be at most half"):
        tg.nn.functional.max_pool2d(x, 2, padding=2)
    with pytest.raises(RuntimeError, match="Output size is too small"):
        tg.nn.functional.avg_pool2d(x, 6)


# ---- pooling -------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@FEW
@given(data=st.data())
def test_pool_modules_parity(dtype, data):
    d = data.draw
    k = (d(st.integers(1, 3)), d(st.integers(1, 3)))
    stride = d(st.sampled_from([None, 1, 2, (2, 1)]))
    padding = (d(st.integers(0, k[0] // 2)), d(st.integers(0, k[1] // 2)))
    ceil = d(st.booleans())
    if d(st.booleans()):
        dil = (1, d(st.integers(1, 2)))
        padding = padding if dil[1] == 1 else (padding[0], 0)
        kw = dict(stride=stride, padding=padding, dilation=dil, ceil_mode=ceil)
        ours, ref = tg.nn.MaxPool2d(k, **kw), torch.nn.MaxPool2d(k, **kw)
        grid = True
    else:
        kw = dict(stride=stride, padding=padding, ceil_mode=ceil,
                  count_include_pad=d(st.booleans()),
                  divisor_override=d(st.sampled_from([None, 2])))
        ours, ref = tg.nn.AvgPool2d(k, **kw), torch.nn.AvgPool2d(k, **kw)
        grid = False
    rng = np.random.default_rng(d(st.integers(0, 999)))
    x = rng.uniform(-3, 3, (d(st.integers(1, 2)), 2, k[0] + d(st.integers(0, 4)),
                            2 * k[1] + d(st.integers(0, 4))))
    if grid:  # few distinct values: many ties inside windows
        x = np.round(x)
    _check(type(ours).__name__, ours, ref, x.astype(dtype), dtype)


def test_maxpool_ties_first_max_and_overlap_accumulates():
    # every value equal: torch sends each window's gradient to its FIRST element; with
    # stride 1 the windows overlap, so an element that is first in several windows collects
    # several gradients
    x = np.ones((1, 1, 4, 5))
    for k, s in [(2, 2), (2, 1), (3, 1)]:
        ours, ref = tg.nn.MaxPool2d(k, s), torch.nn.MaxPool2d(k, s)
        tx, _ = _check("MaxPool2d[ties]", ours, ref, x, "float64")
        assert (tg_np(tx.grad) != 0).sum() < x.size  # really only the first maxima


def test_maxpool_return_indices_and_nan():
    x = np.array([[[[1, 3, 3, 0], [3, np.nan, 2, np.nan], [0, 1, 5, 5], [5, 0, 1, 1]]]])
    ours = tg.nn.MaxPool2d(2, 1, return_indices=True)
    ref = torch.nn.MaxPool2d(2, 1, return_indices=True)
    (y, i), (ry, ri) = ours(tg.tensor(x)), ref(torch.from_numpy(x))
    assert np.array_equal(tg_np(i), th_np(ri)) and tg_np(i).dtype == np.int64
    assert np.array_equal(tg_np(y), th_np(ry), equal_nan=True)


# ---- BatchNorm2d (H2's module; its 4-D path is exercised here) --------------------------------
@pytest.mark.parametrize("momentum", [0.1, None])
@pytest.mark.parametrize("dtype", DTYPES)
def test_batchnorm2d_train_steps_then_eval(momentum, dtype):
    rng = np.random.default_rng(3)
    ours, ref = _pair(tg.nn.BatchNorm2d(3, momentum=momentum),
                      torch.nn.BatchNorm2d(3, momentum=momentum), dtype)
    for step in range(4):
        x = (rng.normal(size=(4, 3, 5, 2)) * (step + 1) + step).astype(dtype)
        ours.zero_grad()
        ref.zero_grad()
        _check("BatchNorm2d", ours, ref, x, dtype, g_seed=step)
        for k in ("running_mean", "running_var", "num_batches_tracked"):
            assert_close(tg_np(getattr(ours, k)), th_np(getattr(ref, k)), op="BatchNorm2d",
                         what=f"{k} after step {step}", dtype=dtype, backend="numpy",
                         check="buffer")
    ours.eval()
    ref.eval()
    ours.zero_grad()
    ref.zero_grad()
    _check("BatchNorm2d[eval]", ours, ref, rng.normal(size=(2, 3, 4, 4)).astype(dtype), dtype)


# ---- Embedding -------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("padding_idx", [None, 0, 2, -1])
def test_embedding_padding_idx_and_repeats(padding_idx, dtype):
    tg.manual_seed(1)
    ours, ref = _pair(tg.nn.Embedding(5, 3, padding_idx=padding_idx),
                      torch.nn.Embedding(5, 3, padding_idx=padding_idx), dtype)
    if padding_idx is not None:  # torch: that row starts at zero
        assert not tg_np(ours.weight)[padding_idx].any()
    idx = np.array([[0, 2, 2, 4], [2, 0, 1, 2]], dtype=np.int64)  # repeated indices
    y, ry = ours(tg.tensor(idx)), ref(torch.from_numpy(idx))
    assert_close(tg_np(y), th_np(ry), op="Embedding", what="output", dtype=dtype,
                 backend="numpy")
    g = np.random.default_rng(0).uniform(-1, 1, (2, 4, 3)).astype(dtype)
    y.backward(tg.tensor(g))
    ry.backward(torch.from_numpy(g))
    gw = tg_np(ours.weight.grad)
    assert_close(gw, th_np(ref.weight.grad), op="Embedding", what="grad of weight",
                 dtype=dtype, backend="numpy", check="grad", factor=10)
    assert not gw[3].any()  # an unused row gets zero
    if padding_idx is None:
        assert np.allclose(gw[2], g[0, 1] + g[0, 2] + g[1, 0] + g[1, 3])  # repeats add up
    else:
        assert not gw[padding_idx].any()  # torch: the padding row never gets a gradient


def test_embedding_max_norm_scale_grad_and_from_pretrained():
    w = np.random.default_rng(0).normal(size=(6, 4)) * 3
    idx = np.array([1, 1, 3, 5, 1], dtype=np.int64)
    kw = dict(max_norm=1.5, scale_grad_by_freq=True)
    ours = tg.nn.Embedding.from_pretrained(tg.tensor(w.copy()), freeze=False, **kw)
    ref = torch.nn.Embedding.from_pretrained(torch.tensor(w.copy()), freeze=False, **kw)
    y, ry = ours(tg.tensor(idx)), ref(torch.from_numpy(idx))
    assert_close(tg_np(y), th_np(ry), op="Embedding[max_norm]", what="output",
                 dtype="float64", backend="numpy")
    assert_close(tg_np(ours.weight), th_np(ref.weight), op="Embedding[max_norm]",
                 what="renormed weight", dtype="float64", backend="numpy")
    (y * y).sum().backward()
    (ry * ry).sum().backward()
    assert_close(tg_np(ours.weight.grad), th_np(ref.weight.grad), op="Embedding[freq]",
                 what="grad of weight", dtype="float64", backend="numpy", check="grad")
    frozen = tg.nn.Embedding.from_pretrained(tg.tensor(w))
    assert not frozen.weight.requires_grad
    with pytest.raises(RuntimeError, match="indices.*Long, Int"):
        ours(tg.tensor([1.0]))
    with pytest.raises(IndexError, match="index out of range"):
        ours(tg.tensor([6]))


def test_embedding_init_is_standard_normal():
    tg.manual_seed(0)
    w = tg_np(tg.nn.Embedding(400, 50).weight)
    assert abs(w.mean()) < 0.02 and abs(w.std() - 1) < 0.02 and w.dtype == np.float32


# ---- seed 001 listings -----------------------------------------------------------------------
def _small_cnn(nn):
    return nn.Sequential(
        nn.Conv2d(1, 4, kernel_size=3, padding=1), nn.BatchNorm2d(4), nn.ReLU(inplace=True),
        nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Conv2d(4, 8, kernel_size=3, padding=1), nn.BatchNorm2d(8), nn.ReLU(inplace=True),
        nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Flatten(), nn.Dropout(0.5), nn.Linear(8 * 7 * 7, 10), nn.LogSoftmax(dim=1))


@pytest.mark.parametrize("dtype", DTYPES)
def test_seed001_small_cnn_mnist_shape_parity(dtype):
    """A CNN on (N, 1, 28, 28) as in seed 001: forward, loss, every gradient vs torch (train
    mode with Dropout(p) made deterministic by eval-ing the dropout layer only)."""
    tg.manual_seed(0)
    ours, ref = _pair(_small_cnn(tg.nn), _small_cnn(torch.nn), dtype)
    ours[9].eval()
    ref[9].eval()
    x = np.random.default_rng(0).uniform(0, 1, (4, 1, 28, 28)).astype(dtype)
    t = np.array([3, 1, 4, 1], dtype=np.int64)
    tx, rx = tg.tensor(x, requires_grad=True), torch.from_numpy(x).requires_grad_(True)
    out, rout = ours(tx), ref(rx)
    assert tuple(out.shape) == (4, 10)
    loss = tg.nn.functional.nll_loss(out, tg.tensor(t))
    rloss = torch.nn.functional.nll_loss(rout, torch.from_numpy(t))
    assert_close(tg_np(loss), th_np(rloss), op="seed001_cnn", what="loss", dtype=dtype,
                 backend="numpy")
    loss.backward()
    rloss.backward()
    assert_close(tg_np(tx.grad), th_np(rx.grad), op="seed001_cnn", what="grad of input",
                 dtype=dtype, backend="numpy", check="grad", factor=10)
    rp = dict(ref.named_parameters())
    for n, p in ours.named_parameters():
        assert_close(tg_np(p.grad), th_np(rp[n].grad), op="seed001_cnn", what=f"grad of {n}",
                     dtype=dtype, backend="numpy", check="grad", factor=10)


def test_seed001_cnn_listing_shapes():
    """The seed's features/classifier listing with ``import tinygrad_edu as torch``."""
    import tinygrad_edu as torch_  # the seed's spelling: import tinygrad_edu as torch

    nn = torch_.nn
    features = nn.Sequential(
        nn.Conv2d(3, 32, kernel_size=3, padding=1), nn.BatchNorm2d(32), nn.ReLU(inplace=True),
        nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Conv2d(32, 64, kernel_size=3, padding=1), nn.BatchNorm2d(64), nn.ReLU(inplace=True),
        nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Conv2d(64, 128, kernel_size=3, padding=1), nn.BatchNorm2d(128),
        nn.ReLU(inplace=True), nn.MaxPool2d(kernel_size=2, stride=2))
    classifier = nn.Sequential(nn.Dropout(0.5), nn.Linear(128 * 4 * 4, 512), nn.ReLU(inplace=True),
                               nn.Dropout(0.5), nn.Linear(512, 256), nn.ReLU(inplace=True),
                               nn.Linear(256, 10))
    x = torch_.randn(2, 3, 32, 32)
    f = features(x)
    assert tuple(f.shape) == (2, 128, 4, 4)
    out = classifier(f.view(f.size(0), -1))
    assert tuple(out.shape) == (2, 10)
    out.sum().backward()
    assert features[0].weight.grad is not None and features[0].weight.grad.shape == (32, 3, 3, 3)


@pytest.mark.parametrize("build", [
    lambda nn: nn.Conv1d(3, 4, 3),
    lambda nn: nn.Conv2d(4, 6, (2, 3), groups=2),
    lambda nn: nn.Conv3d(2, 3, 2, bias=False),
    lambda nn: nn.ConvTranspose1d(3, 4, 3),
    lambda nn: nn.ConvTranspose2d(4, 6, (2, 3), groups=2),
    lambda nn: nn.ConvTranspose3d(2, 3, 2),
])
def test_seeded_init_is_torchs(build):
    """Same seed, same weights: the default init is drawn in torch's order with torch's
    generator (kaiming_uniform(a=√5) weight, then U(±1/√fan_in) bias)."""
    tg.manual_seed(7)
    torch.manual_seed(7)
    ours, ref = build(tg.nn), build(torch.nn)
    for (n, p), (rn, rp) in zip(ours.named_parameters(), ref.named_parameters()):
        assert n == rn
        np.testing.assert_array_equal(tg_np(p), th_np(rp))


@pytest.mark.parametrize("d", [1, 2, 3])
def test_conv_transpose_is_the_adjoint_of_conv(d):
    """⟨conv(x), y⟩ = ⟨x, conv_transpose(y)⟩ for the same weight: the transposed convolution is
    the adjoint map (its forward is the convolution's input gradient)."""
    rng = np.random.default_rng(d)
    F = tg.nn.functional
    x = tg.tensor(rng.standard_normal((2, 4) + (7,) * d))
    w = tg.tensor(rng.standard_normal((6, 2) + (3,) * d))
    kw = {"stride": 2, "padding": 1, "dilation": 1, "groups": 2}
    y = getattr(F, f"conv{d}d")(x, w, **kw)
    v = tg.tensor(rng.standard_normal(tuple(y.shape)))
    xt = getattr(F, f"conv_transpose{d}d")(v, w, output_padding=0, **kw)
    assert tuple(xt.shape) == tuple(x.shape)
    np.testing.assert_allclose(float((y * v).sum()), float((x * xt).sum()), rtol=1e-12)


@pytest.mark.parametrize("on_device", [False, True])
@pytest.mark.parametrize("k, s, p", [(2, 2, 0), (2, 1, 0), (3, 2, 1), (2, 2, 1)])
def test_maxpool_nan_inf_padding_rules_on_host_and_device_branch(monkeypatch, on_device, k, s, p):
    """torch's rules (a NaN wins, the last NaN; a window of only −∞ keeps its first REAL
    element; a tie keeps the first maximum; an inf upstream gradient reaches only the argmax)
    hold on both branches of MaxPoolFn: the host's checked fast paths and the device's
    unconditional ones (called here on NumPy through ``_on_host``)."""
    from tinygrad_edu.ops import pool

    if on_device:
        monkeypatch.setattr(pool, "_on_host", lambda xp: False)
    x = np.array([[[[1, 3, 3, 0, 2], [3, np.nan, 2, np.nan, 1], [0, 1, 5, 5, -np.inf],
                    [-np.inf, -np.inf, 1, 1, 2], [-np.inf, -np.inf, 4, np.nan, 0]]]])
    tx, rx = tg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    (y, i), (ry, ri) = (F.max_pool2d(a, k, s, p, return_indices=True) for F, a in
                        ((tg.nn.functional, tx), (torch.nn.functional, rx)))
    assert np.array_equal(tg_np(i), th_np(ri))
    assert np.array_equal(tg_np(y), th_np(ry.detach()), equal_nan=True)
    g = np.arange(np.prod(ry.shape), dtype=np.float64).reshape(tuple(ry.shape))
    g.flat[0] = np.inf  # g·mask would give nan where the mask is 0
    y.backward(tg.tensor(g))
    ry.backward(torch.from_numpy(g))
    assert np.array_equal(tg_np(tx.grad), th_np(rx.grad), equal_nan=True)
