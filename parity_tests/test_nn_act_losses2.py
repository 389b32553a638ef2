"""The activations of ops/activation2.py and the losses of nn/functional/loss2.py and
margin_loss.py beyond torch's OpInfos/ModuleInfos: numerically hard corners, rrelu's training
draw, reprs, and the float32 second derivative of soft_margin_loss."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg

F, TF = tg.nn.functional, torch.nn.functional


def _grad2(lib, fn, x_np, *rest):
    """d/dx Σ (d/dx Σ fn(x))·1: the diagonal second derivative, by double backward."""
    x = lib.tensor(x_np, requires_grad=True)
    (g,) = lib.autograd.grad(fn(lib, x, *rest).sum(), x, create_graph=True)
    (gg,) = lib.autograd.grad(g.sum(), x)
    return gg.detach().numpy()


def test_soft_margin_gradgrad_float32_is_stable():
    # composed as log1p(exp(−yx)), the second derivative cancels catastrophically in float32
    x = np.array([-3.0, -1.5, 0.3, 2.0], np.float32)
    y = np.array([8.5, 7.0, -9.0, -8.0], np.float32)
    fn = lambda lib, a, t: (TF if lib is torch else F).soft_margin_loss(a, lib.tensor(t),  # noqa
                                                                          reduction="none")
    np.testing.assert_allclose(_grad2(tg, fn, x, y), _grad2(torch, fn, x, y), atol=1e-5,
                               rtol=1e-4)


def test_softmax_of_an_empty_input_is_empty():
    for f in (F.softmax, F.log_softmax, F.softmin):
        x = tg.zeros(5, 0, 0, requires_grad=True)
        y = f(x, -1)
        assert tuple(y.shape) == (5, 0, 0)
        y.sum().backward()
        assert tuple(x.grad.shape) == (5, 0, 0)


def test_rrelu_training_draws_slopes_in_range_and_grad_is_the_slope():
    tg.manual_seed(0)
    x = tg.tensor(-np.ones(1000), requires_grad=True)
    y = F.rrelu(x, 0.1, 0.3, training=True)
    slopes = -y.detach().numpy()
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and slopes.std() > 0.03
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), slopes)
    # eval: the mean slope, exactly leaky_relu's
    np.testing.assert_allclose(F.rrelu(x, 0.1, 0.3).detach().numpy(), -0.2 * np.ones(1000))


def test_gaussian_nll_var_clamp_is_not_differentiated():
    inp, tgt = np.array([0.5, 1.0]), np.array([0.0, 2.0])
    var = np.array([1e-9, 2.0])  # the first is clamped to eps
    grads = []
    for lib, f in ((tg, F), (torch, TF)):
        v = lib.tensor(var, requires_grad=True)
        f.gaussian_nll_loss(lib.tensor(inp), lib.tensor(tgt), v).backward()
        grads.append(v.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-10)


def test_kl_div_zero_target_has_finite_gradient():
    for lib, f in ((tg, F), (torch, TF)):
        x = lib.tensor([-1.0, -2.0, -0.5], requires_grad=True)
        f.kl_div(x, lib.tensor([0.0, 0.5, 0.5]), reduction="batchmean").backward()
        assert np.isfinite(x.grad.numpy()).all()


def test_hardswish_and_hardtanh_kinks_match_torch():
    pts = np.array([-3.0, -1.0, 0.0, 1.0, 3.0, 6.0, np.nan])
    for name, kw in (("hardswish", {}), ("hardsigmoid", {}), ("hardtanh", {}), ("relu6", {}),
                     ("softshrink", {"lambd": 1.0}), ("hardshrink", {"lambd": 1.0})):
        outs = []
        for lib, f in ((tg, F), (torch, TF)):
            x = lib.tensor(pts, requires_grad=True)
            y = getattr(f, name)(x, **kw)
            y.sum().backward()
            outs.append((y.detach().numpy(), x.grad.numpy()))
        np.testing.assert_array_equal(outs[0][0], outs[1][0], err_msg=name)
        # (torch's float64 hardsigmoid gradient is float32's 1/6: compare to 1e-7)
        np.testing.assert_allclose(outs[0][1], outs[1][1], rtol=1e-7, atol=0, err_msg=name)


@pytest.mark.parametrize("name,args", [
    ("Hardtanh", (-2.0, 3.0, True)), ("ReLU6", ()), ("Threshold", (0.5, -1.0)),
    ("CELU", (0.5,)), ("RReLU", (0.2, 0.4, True)), ("GLU", (1,)), ("Softshrink", (0.25,)),
    ("Softmin", (0,)), ("KLDivLoss", (None, None, "batchmean", True)),
    ("HuberLoss", ("sum", 2.0)), ("MultiMarginLoss", (2, 0.5)),
    ("TripletMarginLoss", (0.5, 1.0)),
])
def test_module_attributes_and_repr_match_torch(name, args):
    a, b = getattr(torch.nn, name)(*args), getattr(tg.nn, name)(*args)
    assert repr(a) == repr(b)
    for k, v in vars(a).items():
        if not k.startswith("_") and k != "training":
            assert getattr(b, k) == v, k
