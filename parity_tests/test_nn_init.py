"""nn.init vs torch. The random streams differ (NumPy's generator vs torch's), so the checks
compare what must agree: the formulas (gain, fans, bounds, std) with torch's own functions, the
support (every value inside torch's bound, the extremes close to it), and the empirical moments
of a large tensor with torch's empirical moments of the same fill."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from helpers import tg_np, th_np

import tinygrad_edu as tg

I, TI = tg.nn.init, torch.nn.init
SHAPE = (400, 250)  # 100000 draws: standard errors ≈ 0.3 %


@pytest.mark.parametrize("nl,param", [("linear", None), ("conv2d", None), ("sigmoid", None),
                                      ("tanh", None), ("relu", None), ("leaky_relu", None),
                                      ("leaky_relu", 0.2), ("leaky_relu", math.sqrt(5)),
                                      ("selu", None)])
def test_calculate_gain(nl, param):
    assert I.calculate_gain(nl, param) == pytest.approx(TI.calculate_gain(nl, param), rel=1e-15)


@pytest.mark.parametrize("shape", [(3, 4), (5, 2, 3, 3), (7, 1, 2)])
def test_fans(shape):
    assert I._calculate_fan_in_and_fan_out(tg.zeros(*shape)) == \
        TI._calculate_fan_in_and_fan_out(torch.zeros(*shape))


def _fill_both(name, **kw):
    t = tg.zeros(*SHAPE)
    r = torch.zeros(*SHAPE)
    out = getattr(I, name)(t, **kw)
    getattr(TI, name)(r, **kw)
    assert out is t  # in place, returns its argument
    return tg_np(t).astype(np.float64), th_np(r).astype(np.float64)


UNIFORM = [("uniform_", {"a": -2.0, "b": 3.0}), ("xavier_uniform_", {}),
           ("xavier_uniform_", {"gain": 2.0}), ("kaiming_uniform_", {}),
           ("kaiming_uniform_", {"a": math.sqrt(5)}), ("kaiming_uniform_", {"mode": "fan_out"}),
           ("kaiming_uniform_", {"nonlinearity": "relu"})]
NORMAL = [("normal_", {"mean": 1.0, "std": 0.5}), ("xavier_normal_", {"gain": 1.5}),
          ("kaiming_normal_", {}), ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "relu"}),
          ("trunc_normal_", {"std": 2.0, "a": -1.0, "b": 3.0})]


@pytest.mark.parametrize("name,kw", UNIFORM, ids=[f"{n}{k}" for n, k in UNIFORM])
def test_uniform_family_bounds(name, kw):
    ours, ref = _fill_both(name, **kw)
    lo, hi = ref.min(), ref.max()  # torch's support, estimated from 100000 draws
    width = hi - lo
    assert ours.min() >= lo - 1e-3 * width and ours.max() <= hi + 1e-3 * width, (name, kw)
    assert ours.min() <= lo + 1e-3 * width and ours.max() >= hi - 1e-3 * width, (name, kw)
    assert abs(ours.mean() - ref.mean()) < 0.02 * width
    assert ours.std() == pytest.approx(ref.std(), rel=0.02)


@pytest.mark.parametrize("name,kw", NORMAL, ids=[f"{n}{k}" for n, k in NORMAL])
def test_normal_family_moments(name, kw):
    ours, ref = _fill_both(name, **kw)
    assert ours.std() == pytest.approx(ref.std(), rel=0.02), (name, kw)
    assert abs(ours.mean() - ref.mean()) < 0.02 * ref.std()
    if name == "trunc_normal_":
        assert ours.min() >= kw["a"] and ours.max() <= kw["b"]


def test_kaiming_uniform_bound_formula():
    t = tg.zeros(64, 30)
    I.kaiming_uniform_(t, a=math.sqrt(5))
    bound = math.sqrt(3.0) * TI.calculate_gain("leaky_relu", math.sqrt(5)) / math.sqrt(30)
    a = tg_np(t)
    assert np.abs(a).max() <= bound and np.abs(a).max() > 0.9 * bound


@pytest.mark.parametrize("name,args", [("zeros_", ()), ("ones_", ()), ("constant_", (0.3,)),
                                       ("eye_", ())])
def test_deterministic_fills_equal_torch(name, args):
    t, r = tg.randn(3, 5), torch.randn(3, 5)
    getattr(I, name)(t, *args)
    getattr(TI, name)(r, *args)
    np.testing.assert_array_equal(tg_np(t), th_np(r))


def test_init_in_place_without_graph_and_seeded():
    lin = tg.nn.Linear(20, 10)
    w = lin.weight
    data = w._data
    I.xavier_normal_(w)  # a leaf that requires grad: allowed (no_grad inside)
    assert w._data is data and w.grad_fn is None and w.requires_grad
    tg.manual_seed(7)
    a = tg_np(I.kaiming_normal_(tg.zeros(5, 4))).copy()
    tg.manual_seed(7)
    np.testing.assert_array_equal(a, tg_np(I.kaiming_normal_(tg.zeros(5, 4))))


def test_linear_default_init_matches_torch_distribution():
    ours, ref = tg.nn.Linear(1000, 100), torch.nn.Linear(1000, 100)
    bound = 1 / math.sqrt(1000)  # kaiming_uniform_(a=√5) gives U(±1/√fan_in), as the bias
    for a, r in ((tg_np(ours.weight), th_np(ref.weight)), (tg_np(ours.bias), th_np(ref.bias))):
        assert np.abs(a).max() <= bound and np.abs(r).max() <= bound
        assert a.std() == pytest.approx(r.std(), rel=0.15 if a.size < 1000 else 0.02)
    assert ours.weight.shape == tuple(ref.weight.shape) == (100, 1000)


def test_errors():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        I.xavier_uniform_(tg.zeros(3))
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        I.calculate_gain("foo")
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        I.kaiming_uniform_(tg.zeros(3, 3), mode="fan_avg")
