"""gradcheck: passes correct backwards, catches wrong ones with a per-element report, and
treats inputs sitting on a kink (relu/abs/max/clamp corners) as kinks, not failures."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu.autograd import Function
from tinygrad_edu.inspect import (
    GradcheckError,
    KinkWarning,
    check_gradients,
    gradcheck,
    gradgradcheck,
)


def _t(*shape, seed=0, lo=-2.0, hi=2.0):
    rng = np.random.default_rng(seed)
    return tg.tensor(rng.uniform(lo, hi, shape), dtype=tg.float64, requires_grad=True)


SMOOTH = [
    ("add", lambda x, y: x + y, [(3, 4), (4,)]),
    ("mul", lambda x, y: x * y, [(3, 4), (3, 1)]),
    ("div", lambda x, y: x / (y * y + 1), [(2, 3), (2, 3)]),
    ("matmul", lambda a, b: a @ b, [(3, 4), (4, 2)]),
    ("linear", lambda x, w, b: F.linear(x, w, b), [(2, 3), (4, 3), (4,)]),
    ("sigmoid", lambda x: x.sigmoid(), [(5,)]),
    ("tanh", lambda x: x.tanh(), [(5,)]),
    ("softmax", lambda x: x.softmax(dim=1), [(2, 4)]),
    ("log_softmax", lambda x: x.log_softmax(dim=-1), [(2, 4)]),
    ("exp_log", lambda x: (x.exp() + 1).log(), [(3,)]),
    ("mean_var", lambda x: x.var(dim=0) + x.mean(), [(4, 3)]),
    ("cross_entropy", lambda x: F.cross_entropy(x, tg.tensor([0, 2, 1])), [(3, 4)]),
    ("mse", lambda x, y: F.mse_loss(x, y), [(3, 2), (3, 2)]),
]


@pytest.mark.parametrize("name,fn,shapes", SMOOTH, ids=[s[0] for s in SMOOTH])
def test_gradcheck_passes_correct_backwards(name, fn, shapes):
    xs = [_t(*s, seed=i) for i, s in enumerate(shapes)]
    res = check_gradients(fn, xs)
    assert res.ok and res.mode == "full" and res.kinks == [], res.report()
    assert res.max_abs_err < 1e-6
    assert gradcheck(fn, tuple(xs)) is True


class WrongSigmoid(Function):
    """y = σ(x)"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        y = 1 / (1 + np.exp(-x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y  # deliberately wrong: dσ/dx = σ(1 − σ)


class WrongSquareTorchStyle(Function):
    """A torch-style (Tensor in, Tensor out) Function with a wrong derivative."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x  # deliberately wrong: d x²/dx = 2x


def test_gradcheck_catches_a_wrong_backward_with_a_per_element_report():
    x = _t(4, seed=3)
    with pytest.raises(GradcheckError) as ei:
        gradcheck(WrongSigmoid.apply, (x,))
    msg = str(ei.value)
    assert "gradcheck FAILED" in msg and "ops: WrongSigmoid" in msg
    assert "4 mismatching entries" in msg
    xv = x.detach().numpy()
    s = 1 / (1 + np.exp(-xv))
    for j in range(4):  # each diagonal entry reported with both numbers
        assert f"output 0[{j}] / input 0[{j}]: analytic {s[j]:.8g}, numerical " in msg
    res = check_gradients(WrongSigmoid.apply, (x,))
    np.testing.assert_allclose([m.numeric for m in res.mismatches], s * (1 - s), rtol=1e-6)
    assert gradcheck(WrongSigmoid.apply, (x,), raise_exception=False) is False
    with pytest.raises(GradcheckError, match="WrongSquareTorchStyle"):
        gradcheck(WrongSquareTorchStyle.apply, (_t(3, seed=4),))


def test_gradcheck_catches_a_wrong_backward_in_projection_mode():
    x = _t(40, 30, seed=5)
    res = check_gradients(lambda x: WrongSigmoid.apply(x).sum(dim=0), (x,), max_full=100)
    assert res.mode == "projection" and not res.ok and len(res.mismatches) == res.checked
    ok = check_gradients(lambda x: x.sigmoid().sum(dim=0), (x,), max_full=100)
    assert ok.mode == "projection" and ok.ok and ok.max_abs_err < 1e-6


def test_relu_at_zero_is_a_reported_kink_not_a_failure():
    x = tg.tensor([-1.0, 0.0, 2.0, 0.0], dtype=tg.float64, requires_grad=True)
    with pytest.warns(KinkWarning) as rec:
        assert gradcheck(tg.relu, (x,)) is True
    msg = str(rec[0].message)
    assert "input 0[1] = 0 is within eps of a non-differentiable point" in msg
    assert "input 0[3] = 0" in msg and "one-sided slopes 0 below, 1 above" in msg
    res = check_gradients(tg.relu, (x,))
    assert res.ok and [k.index for k in res.kinks] == [(1,), (3,)]
    assert all(abs(k.redrawn_to) > 1e-5 for k in res.kinks)  # moved off the corner
    assert x.detach().numpy()[1] == 0.0  # the caller's tensor is untouched


@pytest.mark.parametrize(
    "fn,vals",
    [
        (lambda x: tg.clamp(x, -1.0, 1.0), [1.0, -1.0, 0.3]),
        (lambda x: x.max(dim=0).values, [[1.0, 0.5], [1.0, -1.0]]),
        (lambda x: F.leaky_relu(x, 0.1), [0.0, 2.0, -2.0]),
    ],
    ids=["clamp_bounds", "max_dim_tie", "leaky_relu_0"],
)
def test_other_kinks_are_reported(fn, vals):
    x = tg.tensor(vals, dtype=tg.float64, requires_grad=True)
    res = check_gradients(fn, (x,))
    assert res.ok and res.kinks and res.kinks[0].index in ((0,), (0, 0)), res.report()


def test_maximum_tie_needs_no_redraw():
    # torch's maximum gives each side ½ at a tie: exactly the central difference
    x = tg.tensor([0.0, 1.0, -1.0], dtype=tg.float64, requires_grad=True)
    res = check_gradients(lambda x: tg.maximum(x, tg.zeros(3, dtype=tg.float64)), (x,))
    assert res.ok and res.kinks == []


def test_abs_at_zero_needs_no_redraw_and_smooth_points_give_no_warning():
    x = tg.tensor([0.0, 1.5], dtype=tg.float64, requires_grad=True)
    assert check_gradients(tg.abs, (x,)).kinks == []  # central difference = abs'(0) = 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert gradcheck(lambda x: x.tanh(), (x,))


def test_a_wrong_backward_is_still_caught_next_to_a_kink():
    class WrongRelu(Function):
        array_io = True

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x > 0)
            return x * (x > 0)

        @staticmethod
        def backward(ctx, g):
            (m,) = ctx.saved_tensors
            return g * m * 2  # wrong: dy/dx = [x > 0]

    x = tg.tensor([0.0, 1.0, -1.0], dtype=tg.float64, requires_grad=True)
    res = check_gradients(WrongRelu.apply, (x,))
    # x[0] = 0 is a kink: re-drawn (to a small positive or negative value), then re-checked;
    # x[1] = 1 is smooth and wrong
    assert not res.ok and [k.index for k in res.kinks] == [(0,)]
    assert (1,) in [m.in_index for m in res.mismatches]
    assert (2,) not in [m.in_index for m in res.mismatches]


def test_float32_inputs_are_checked_in_float64_and_non_tensor_args_pass_through():
    x = tg.randn(3, 2, requires_grad=True)  # float32
    assert gradcheck(lambda x, d: x.softmax(dim=d), (x, 1))
    with pytest.raises(ValueError, match="no input requires grad"):
        gradcheck(lambda x: x * 2, (tg.randn(3),))


def test_gradgradcheck_checks_second_derivatives():
    """Engine v2 records the backward pass, so second derivatives are checked (more in
    test_higher_order.py, including a wrong second derivative being caught)."""
    assert gradgradcheck(lambda x: (x * x).tanh(), (_t(2),))
