"""Integer (and other non-float32/64) dtypes of nn ops where torch takes its own path, checked
against torch directly: values with ==, dtype and shape.

- F.interpolate of uint8: nearest indices from a float32 scale (and the 2-d vectorized kernel's
  special cases), bilinear/bicubic in torch's fixed-point int16 arithmetic, with and without
  antialias; other integer dtypes raise.
- F.threshold: threshold and value converted to the input's dtype, checked (uint8 wraps −9).
- F.margin_ranking_loss / F.poisson_nll_loss of integers: torch's formula op by op, so float32.
- F.softmin(uint8, dtype=float64): −x wraps in uint8 before the cast.
- sort / argsort / topk: ties come out in the order of torch's libstdc++ algorithms.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg

F, TF = tg.nn.functional, torch.nn.functional


def _tg(x: torch.Tensor):
    return tg.tensor(x.numpy(), dtype=getattr(tg, str(x.dtype).split(".")[1]))


def _same(got, want):
    """tinygrad_edu result == torch result: dtype, shape, every value (nan where nan)."""
    if isinstance(want, tuple):
        assert len(got) == len(want)
        for g, w in zip(got, want):
            _same(g, w)
        return
    assert str(got.dtype) == str(want.dtype)
    assert tuple(got.shape) == tuple(want.shape)
    np.testing.assert_array_equal(got.numpy(), want.numpy())


def _both(fn_t, fn_g, *xs, **kw):
    _same(fn_g(*[_tg(x) for x in xs], **kw), fn_t(*xs, **kw))


# ---- interpolate ---------------------------------------------------------------------------
def _image(shape, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, shape, generator=g, dtype=torch.uint8)


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact"])
@pytest.mark.parametrize("shape", [(2, 3, 13), (2, 3, 9, 11), (2, 3, 5, 4, 6)])
@pytest.mark.parametrize("kw", [dict(scale_factor=1.7), dict(scale_factor=0.6),
                                dict(scale_factor=1.7, recompute_scale_factor=True),
                                dict(scale_factor=2.0000001), dict(scale_factor=1.0000001)])
def test_interpolate_nearest_uint8(mode, shape, kw):
    _both(TF.interpolate, F.interpolate, _image(shape), mode=mode, **kw)


def test_interpolate_nearest_2d_vectorized_special_cases_float32():
    # torch's 2-d kernel for small outputs maps o -> o when S = O and o -> o >> 1 when O = 2S,
    # whatever the scale factor says
    x = torch.randn(1, 2, 5, 5, generator=torch.Generator().manual_seed(1))
    for sf in (2.0000001, 1.0000001):
        _both(TF.interpolate, F.interpolate, x, scale_factor=sf, mode="nearest")


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("antialias", [False, True])
@pytest.mark.parametrize("shape,kw", [
    ((2, 3, 4, 4), dict(size=(3, 3))), ((2, 3, 4, 4), dict(size=(5, 7))),
    ((2, 1, 9, 6), dict(scale_factor=1.7)), ((2, 4, 12, 17), dict(scale_factor=0.6)),
    ((1, 5, 11, 13), dict(size=(4, 29))), ((2, 3, 6, 9), dict(size=(6, 4))),
    ((2, 3, 6, 9), dict(scale_factor=(1.1, 2.0), recompute_scale_factor=True))])
def test_interpolate_bilinear_bicubic_uint8(mode, align_corners, antialias, shape, kw):
    _both(TF.interpolate, F.interpolate, _image(shape, 3), mode=mode,
          align_corners=align_corners, antialias=antialias, **kw)


@pytest.mark.filterwarnings("ignore:.*is deprecated")
def test_interpolate_uint8_large_downscale_and_upsample_bilinear():
    x = _image((1, 3, 140, 150), 4)  # a strong shrink: antialias spans many taps
    for mode in ("bilinear", "bicubic"):
        for aa in (False, True):
            _both(TF.interpolate, F.interpolate, x, size=(33, 61), mode=mode, antialias=aa)
    _both(TF.upsample_bilinear, F.upsample_bilinear, _image((2, 3, 4, 4)), scale_factor=1.7)
    _both(TF.upsample_nearest, F.upsample_nearest, _image((2, 3, 4, 4)), scale_factor=1.7)


@pytest.mark.parametrize("dtype,mode,shape,aa", [
    (torch.int32, "nearest", (1, 1, 4, 4), False), (torch.bool, "nearest", (1, 1, 5), False),
    (torch.int8, "bilinear", (1, 1, 4, 4), False), (torch.int64, "bicubic", (1, 1, 4, 4), True),
    (torch.uint8, "linear", (1, 2, 5), False), (torch.uint8, "trilinear", (1, 1, 3, 3, 3), False),
    (torch.uint8, "area", (1, 1, 4, 4), False), (torch.float16, "bilinear", (1, 1, 4, 4), True)])
def test_interpolate_dtypes_torch_lacks_raise(dtype, mode, shape, aa):
    x = torch.zeros(shape, dtype=dtype)
    kw = dict(scale_factor=1.5, mode=mode, antialias=aa)
    with pytest.raises(NotImplementedError):
        TF.interpolate(x, **kw)
    with pytest.raises(NotImplementedError, match="not implemented for"):
        F.interpolate(_tg(x), **kw)


# ---- threshold -----------------------------------------------------------------------------
def test_threshold_uint8_wraps_a_negative_value():
    x = torch.tensor([0, 5, 10, 200, 255], dtype=torch.uint8)
    for th, v in ((6, -9), (-1, 3), (6.7, 3.9), (6, -255), (True, False)):
        _both(TF.threshold, F.threshold, x, threshold=th, value=v)
        _both(TF.threshold, F.threshold, x.clone(), threshold=th, value=v, inplace=True)


@pytest.mark.parametrize("dtype,th,v", [
    (torch.uint8, 6, -256), (torch.uint8, -3.5, 1), (torch.uint8, 6, 255.9),
    (torch.int8, 200, 1), (torch.int32, 2, float("nan")), (torch.int16, 2, float("inf")),
    (torch.float16, 2, 1e6), (torch.float32, 2, 1e300)])
def test_threshold_out_of_range_scalars_raise(dtype, th, v):
    x = torch.tensor([1, 5, 7], dtype=dtype)
    with pytest.raises(RuntimeError):
        TF.threshold(x, th, v)
    with pytest.raises(RuntimeError, match="without overflow"):
        F.threshold(_tg(x), th, v)


def test_threshold_float16_compares_in_float32():
    # 0.10009765625 (a half) ≤ 0.1000366 (half(0.10005)) is False, ≤ 0.10005 (float32) too;
    # the cases near rounding boundaries are only right when the threshold stays float32
    x = torch.tensor([0.0999755859375, 0.10009765625, 0.1001, 1e4], dtype=torch.float16)
    for th in (0.1, 0.10005, 0.10009, 1e6):
        _both(TF.threshold, F.threshold, x, threshold=th, value=2.0)


# ---- losses of integers --------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [torch.int64, torch.int16, torch.uint8])
@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
def test_margin_ranking_loss_integers_give_float32(dtype, reduction):
    a = torch.tensor([[1, 5], [3, 2]], dtype=dtype)
    b = torch.tensor([[4, 2], [3, 3]], dtype=dtype)
    t = torch.tensor([[1, 255 if dtype == torch.uint8 else -1], [1, 1]], dtype=dtype)
    for margin in (0, 1.5):
        _both(TF.margin_ranking_loss, F.margin_ranking_loss, a, b, t, margin=margin,
              reduction=reduction)


@pytest.mark.parametrize("dtype", [torch.int64, torch.int8, torch.uint8])
@pytest.mark.parametrize("log_input,full", [(True, False), (False, False), (False, True)])
def test_poisson_nll_loss_integers(dtype, log_input, full):
    g = torch.Generator().manual_seed(2)
    x, t = (torch.randint(0, 30, (4, 5), generator=g).to(dtype) for _ in range(2))
    for reduction in ("none", "sum", "mean"):
        want = TF.poisson_nll_loss(x, t, log_input=log_input, full=full, reduction=reduction)
        got = F.poisson_nll_loss(_tg(x), _tg(t), log_input=log_input, full=full,
                                 reduction=reduction)
        assert str(got.dtype) == str(want.dtype) == "torch.float32"
        assert tuple(got.shape) == tuple(want.shape)
        # exp/log of float32 differ from torch's by an ulp; uint8's t·x wraps (up to 255·…)
        torch.testing.assert_close(torch.from_numpy(got.numpy()), want)


# ---- softmin -------------------------------------------------------------------------------
def test_softmin_uint8_with_dtype_negates_before_the_cast():
    x = torch.tensor([[0, 3, 200], [255, 1, 2]], dtype=torch.uint8)
    for dim in (0, 1):
        want = TF.softmin(x, dim, dtype=torch.float64)  # softmax(255, 253, 56 | 1, 255, 254)
        got = F.softmin(_tg(x), dim, dtype=tg.float64)
        assert str(got.dtype) == "torch.float64" and tuple(got.shape) == (2, 3)
        # float64 exp differs from torch's by an ulp; casting before −x is off by up to 1
        torch.testing.assert_close(torch.from_numpy(got.numpy()), want, rtol=1e-12, atol=0)


# ---- sort, argsort, topk -------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [torch.int8, torch.uint8, torch.bool, torch.float16,
                                   torch.int64, torch.float32])
def test_sort_ties_in_torchs_order(dtype):
    rng = np.random.default_rng(0)
    x = torch.from_numpy(rng.integers(0, 40, 8000)).to(dtype)
    y = torch.from_numpy(rng.integers(0, 4, (6, 50))).to(dtype)
    for descending in (False, True):
        for stable in (False, True):
            _both(torch.sort, tg.sort, x, descending=descending, stable=stable)
            _both(torch.sort, tg.sort, y, dim=0, descending=descending, stable=stable)
        _both(torch.argsort, tg.argsort, x, descending=descending)


def test_sort_nan_and_signed_zero_ties_and_expanded_dims():
    x = torch.tensor([0.0, float("nan"), -0.0, 1.0, float("nan")] * 5)
    for descending in (False, True):
        _both(torch.sort, tg.sort, x, descending=descending)
    e = torch.arange(3.0).reshape(3, 1).expand(3, 20)  # stride 0: torch leaves 0, 1, ... as is
    _same(tg.sort(_tg(torch.arange(3.0)).reshape(3, 1).expand(3, 20), 1), torch.sort(e, 1))


def test_sort_big_1d_integer_ascending_is_torchs_stable_radix_sort():
    x = torch.from_numpy(np.random.default_rng(1).integers(0, 9, 40000))
    for descending in (False, True):
        _both(torch.sort, tg.sort, x, descending=descending)


@pytest.mark.parametrize("dtype", [torch.int64, torch.int8, torch.uint8, torch.float16])
def test_topk_ties_in_torchs_order(dtype):
    rng = np.random.default_rng(3)
    x = torch.from_numpy(rng.integers(-9, 10, (5, 10, 5))).to(dtype).clamp(min=0) \
        if dtype == torch.uint8 else torch.from_numpy(rng.integers(-9, 10, (5, 10, 5))).to(dtype)
    z = torch.from_numpy(rng.integers(0, 3, (2, 1000))).to(dtype)  # k·64 ≤ n: partial_sort
    for largest in (True, False):
        for srt in (True, False):
            for dim, k in ((1, 3), (-1, 5), (0, 2)):
                _both(torch.topk, tg.topk, x, k=k, dim=dim, largest=largest, sorted=srt)
            _both(torch.topk, tg.topk, z, k=7, dim=1, largest=largest, sorted=srt)


def test_topk_of_bool_raises():
    with pytest.raises(RuntimeError):
        torch.topk(torch.ones(3, dtype=torch.bool), 1)
    with pytest.raises(RuntimeError, match="bool"):
        tg.topk(tg.ones(3, dtype=tg.bool), 1)
