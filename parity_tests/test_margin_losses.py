"""multi_margin_loss and multilabel_margin_loss as torch's CPU kernels compute them
(ops/margin_loss.py): the same bits as torch forward and backward, in float32 and float64.

The kinds pinned here: a nan score drops out of the loss (torch counts a term only where
z > 0); the backward multiplies every entry by the upstream gradient, so a nan upstream fills
the row (a composed clamp blocked it to 0); sums run in torch's order (a row left to right,
the batch in float64), and multilabel's gradient is ``g`` added k times, not k·g. The
composed formula (each Function's ``reference``) is the plain twin and gives the second
derivative."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu.ops.margin_loss import MultilabelMarginLossFn, MultiMarginLossFn


def F(L):
    return L.nn.functional


def _case(seed: int, dtype: str):
    r = np.random.RandomState(seed)
    n, c = r.randint(1, 9, size=2)
    x = (r.randn(n, c) * 3).astype(dtype)
    x[r.rand(n, c) < 0.1] = np.nan  # a nan score: dropped by torch's z > 0
    return dict(x=x, t=r.randint(0, c, n), tl=r.randint(-1, c, (n, c)),
                w=r.rand(c).astype(dtype) - 0.2, up=r.randn(n).astype(dtype))


def _losses(L, case, red, p, weighted):
    w = L.tensor(case["w"]) if weighted else None
    return {
        "multi_margin": lambda X: F(L).multi_margin_loss(
            X, L.tensor(case["t"]), p=p, margin=0.7, weight=w, reduction=red),
        "multilabel_margin": lambda X: F(L).multilabel_margin_loss(
            X, L.tensor(case["tl"]), reduction=red),
    }


def _run(L, case, red, p, weighted, name, nan_upstream):
    X = L.tensor(case["x"], requires_grad=True)
    y = _losses(L, case, red, p, weighted)[name](X)
    up = case["up"].copy() if y.dim() else case["up"][:1].reshape(())
    if nan_upstream:
        up.reshape(-1)[0] = np.nan
    y.backward(L.tensor(up))
    return y.detach().numpy().tobytes(), X.grad.numpy().tobytes()


@pytest.mark.parametrize("name", ["multi_margin", "multilabel_margin"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("red", ["none", "mean", "sum"])
def test_same_bits_as_torch_forward_and_backward(name, dtype, red):
    for seed in range(12):
        case = _case(seed, dtype)
        for p, weighted, nan_up in ((1, False, False), (2, True, False), (1, True, True)):
            if name == "multilabel_margin" and (p, weighted) != (1, False):
                p, weighted = 1, False  # no p, no weight
            want = _run(torch, case, red, p, weighted, name, nan_up)
            got = _run(tg, case, red, p, weighted, name, nan_up)
            assert got == want, (seed, p, weighted, nan_up)


def test_a_nan_score_drops_out_and_a_nan_upstream_fills_the_row():
    x = [[0.5, math.nan, 0.2], [math.nan, 0.1, 0.3]]
    X = tg.tensor(x, requires_grad=True)
    y = F(tg).multi_margin_loss(X, tg.tensor([0, 0]), reduction="none")
    assert y.tolist() == pytest.approx([0.7 / 3, 0.0])  # torch: [0.2333, 0.0], not nan
    y.backward(tg.tensor([math.nan, 1.0]))
    assert all(v != v for v in X.grad[0].tolist())  # 0·nan = nan, as torch's kernel
    assert X.grad[1].tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("fn", [MultiMarginLossFn, MultilabelMarginLossFn])
def test_the_kernel_matches_its_composed_reference_and_gives_a_second_derivative(fn):
    r = np.random.RandomState(3)
    x = tg.tensor(r.randn(4, 5), requires_grad=True)
    t = r.randint(0, 5, 4) if fn is MultiMarginLossFn else r.randint(-1, 5, (4, 5))
    args = (t, r.rand(5) + 0.5, 2, 0.9) if fn is MultiMarginLossFn else (t,)
    for red in ("none", "mean", "sum"):
        y = fn.apply(x, *args, red)
        ref = fn.reference(x, *args, red)
        np.testing.assert_allclose(y.detach().numpy(), ref.detach().numpy(), rtol=1e-12)
        up = tg.ones_like(y)
        (g,) = tg.autograd.grad(y, x, up, create_graph=True)
        (g_ref,) = tg.autograd.grad(ref, x, up, create_graph=True)
        np.testing.assert_allclose(g.detach().numpy(), g_ref.detach().numpy(), rtol=1e-12)
        assert g.requires_grad == g_ref.requires_grad  # piecewise linear: a constant gradient
        if g_ref.requires_grad:  # p = 2: the second derivative, through the reference
            v = tg.tensor(r.randn(4, 5))  # (Σ_i ∂l/∂x_i = 0: shifting all scores changes no z)
            (gg,) = tg.autograd.grad((g * v).sum(), x)
            (gg_ref,) = tg.autograd.grad((g_ref * v).sum(), x)
            np.testing.assert_allclose(gg.numpy(), gg_ref.numpy(), rtol=1e-12)
            assert np.abs(gg.numpy()).max() > 0


def test_weight_errors_are_torchs():
    x, t = tg.randn(2, 3), tg.tensor([0, 1])
    for L, X, T in ((torch, torch.randn(2, 3), torch.tensor([0, 1])), (tg, x, t)):
        with pytest.raises(RuntimeError, match="not differentiable with respect to argument"):
            F(L).multi_margin_loss(X, T, weight=L.rand(3, requires_grad=True))
        with pytest.raises(RuntimeError, match="expected scalar type Float but found Double"):
            F(L).multi_margin_loss(X, T, weight=L.rand(3, dtype=L.float64))
        with L.no_grad():  # no graph: torch allows it
            F(L).multi_margin_loss(X, T, weight=L.rand(3, requires_grad=True))
