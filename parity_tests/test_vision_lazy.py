"""grid_sample's edge values, affine_grid (no OpInfo in torch), the Lazy modules' life cycle and
LinearCrossEntropyOptions — each against torch. (The OpInfo/ModuleInfo samples of
grid_sample, grid_sampler_2d/3d, linear_cross_entropy and the Lazy convolutions run in
test_torch_ops.py / test_torch_modules.py.)"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F

SPECIAL = (np.nan, np.inf, -np.inf, 1e20, -3e9, 1e7 + 0.3)


@pytest.mark.parametrize("value", SPECIAL)
def test_grid_sample_special_coordinates(value):
    """torch's rules for NaN/±inf/huge grid values: the 2-D kernel clamps a NaN to 0 and folds
    reflection by whole periods in float32; the 3-D kernel sends them to −100 (outside)."""
    x2 = np.arange(32, dtype=np.float32).reshape(1, 2, 4, 4)
    g2 = np.array([[[[value, 0.3], [0.2, value]]]], dtype=np.float32)
    x3 = np.arange(16, dtype=np.float32).reshape(1, 2, 2, 2, 2)
    g3 = np.array([[[[[value, 0.3, 0.1], [0.2, value, 0.5]]]]], dtype=np.float32)
    cases = [(2, x2, g2, m) for m in (0, 1, 2)] + [(3, x3, g3, m) for m in (0, 1)]
    for (d, x, g, mode), pad, align in itertools.product(cases, (0, 1, 2), (False, True)):
        t_fn = torch.grid_sampler_2d if d == 2 else torch.grid_sampler_3d
        g_fn = tg.grid_sampler_2d if d == 2 else tg.grid_sampler_3d
        want = t_fn(torch.tensor(x), torch.tensor(g), mode, pad, align).numpy()
        got = g_fn(tg.tensor(x), tg.tensor(g), mode, pad, align).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-5, equal_nan=True,
                                   err_msg=f"{d}-D mode {mode} padding {pad} align {align}")


@pytest.mark.parametrize("size", [(2, 3, 4, 5), (2, 1, 3, 4, 2), (1, 1, 1, 3)])
@pytest.mark.parametrize("align", [False, True])
def test_affine_grid_value_and_theta_grad(size, align):
    d = len(size) - 2
    theta = np.random.default_rng(len(size)).normal(size=(size[0], d, d + 1))
    t = torch.tensor(theta, requires_grad=True)
    g = tg.tensor(theta, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unit-size grids with align_corners warn in both
        want = TF.affine_grid(t, size, align_corners=align)
        got = F.affine_grid(g, size, align_corners=align)
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), atol=1e-12)
    up = np.random.default_rng(0).normal(size=want.shape)
    want.backward(torch.tensor(up))
    got.backward(tg.tensor(up))
    np.testing.assert_allclose(g.grad.numpy(), t.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize("call", [
    lambda m, th: m.affine_grid(th.long(), (2, 3, 4, 5), align_corners=False),
    lambda m, th: m.affine_grid(th, (2, 3, 4), align_corners=False),
    lambda m, th: m.affine_grid(th, (2, 3, 4, 5, 6), align_corners=False),
    lambda m, th: m.affine_grid(th, (2, 3, 0, 5), align_corners=False),
    lambda m, th: m.grid_sample(th.reshape(2, 1, 2, 3), th[:, :, :2].reshape(2, 1, 2, 2),
                                mode="area", align_corners=False),
    lambda m, th: m.grid_sample(th.reshape(2, 1, 2, 3), th[:1, :, :2].reshape(1, 1, 2, 2),
                                align_corners=False),
    lambda m, th: m.grid_sample(th.reshape(2, 1, 1, 2, 3), th.reshape(2, 1, 1, 2, 3),
                                mode="bicubic", align_corners=False),
])
def test_vision_errors_match_torch(call):
    theta = np.random.default_rng(0).normal(size=(2, 2, 3)).astype(np.float32)
    with pytest.raises(Exception) as want:
        call(TF, torch.tensor(theta))
    with pytest.raises(type(want.value)) as got:
        call(F, tg.tensor(theta))
    assert str(got.value) == str(want.value)


def test_lazy_linear_draws_torchs_weights_and_becomes_linear():
    x = np.random.default_rng(1).normal(size=(3, 7))
    torch.manual_seed(5)
    mt = torch.nn.LazyLinear(4).double()
    yt = mt(torch.tensor(x))
    tg.manual_seed(5)
    mg = tg.nn.LazyLinear(4).double()
    assert mg.has_uninitialized_params() and isinstance(mg.weight, tg.nn.UninitializedParameter)
    assert repr(mg) == repr(torch.nn.LazyLinear(4))
    yg = mg(tg.tensor(x))
    assert type(mg) is tg.nn.Linear and not mg._forward_pre_hooks
    assert repr(mg) == repr(mt)
    np.testing.assert_array_equal(mg.weight.detach().numpy(), mt.weight.detach().numpy())
    np.testing.assert_allclose(yg.detach().numpy(), yt.detach().numpy(), atol=1e-12)
    assert mg.weight.dtype == tg.float64


def test_lazy_conv_load_state_dict_materializes():
    src = torch.nn.Conv2d(3, 4, 2)
    m = tg.nn.LazyConv2d(4, 2)
    m.load_state_dict({k: tg.tensor(v.detach().numpy()) for k, v in src.state_dict().items()})
    assert tuple(m.weight.shape) == (4, 3, 2, 2)
    np.testing.assert_array_equal(m.weight.detach().numpy(), src.weight.detach().numpy())


def test_lazy_conv_rejects_a_wrong_rank_like_torch():
    x = np.zeros((2, 3, 4, 5, 6), dtype=np.float32)
    with pytest.raises(RuntimeError) as want:
        torch.nn.LazyConv2d(4, 2)(torch.tensor(x))
    with pytest.raises(RuntimeError) as got:
        tg.nn.LazyConv2d(4, 2)(tg.tensor(x))
    assert str(got.value).replace("tinygrad_edu", "torch") == str(want.value)


@pytest.mark.parametrize("kwargs", [dict(batch_chunk_size=0), dict(acc_policy="fast"),
                                    dict(chunking_method="aspect_ratio:0")])
def test_linear_cross_entropy_options_validate_like_torch(kwargs):
    with pytest.raises(ValueError) as want:
        torch.nn.LinearCrossEntropyOptions(**kwargs)
    with pytest.raises(ValueError) as got:
        tg.nn.LinearCrossEntropyOptions(**kwargs)
    assert str(got.value) == str(want.value)
