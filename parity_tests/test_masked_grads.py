"""Blocked units block everything: torch's ``mask ? grad : 0`` backwards give +0.0 where the
mask is off, even for a nan or negative upstream gradient (``ops._util.select_grad``).

``g * mask`` — what these backwards did before — leaks an upstream nan through a blocked unit
(nan·0 = nan) and gives −0.0 for a negative one. Found by running every kink op's backward with
an all-nan and an all-(−1) upstream gradient against torch: relu, relu6/hardtanh, threshold,
soft/hardshrink, hardsigmoid, hardswish, max(), min(), median() differed; then
``parity_tests/scripts/sweep_nan_upstream.py`` (every OpInfo's gradients under a nan-holding
upstream gradient) found trace, norm(p=0), prod with two zeros, nll_loss/cross_entropy with
ignored targets and embedding_bag's max (which scatter_reduce's amax had stood in for: torch's
scatter_reduce multiplies, embedding_bag picks one entry), and scatter_reduce/index_reduce
amax/amin hiding a nan that torch's multiplication passes on, and adaptive average pooling
(also interpolate's 'area') spreading a non-finite gradient beyond its window; later
scaled_dot_product_attention's causal mask (an added −inf bias in torch, so a nan reaches the
masked keys) and grid_sample's 3-D taps outside the input (torch's 3-D kernel skips them; the
margin losses are pinned in test_margin_losses.py). The ops torch itself
backpropagates by multiplication (amax, clamp's neighbours, leaky_relu, prelu, dropout) are
pinned here as they are, nan and all."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import tinygrad_edu as tg

X = [-4.0, -3.0, -0.2, -0.0, 0.0, 0.2, 3.0, 4.0, math.nan]


def F(L):
    return L.nn.functional


CASES = {
    # torch: mask ? grad : 0
    "relu": lambda L, x: L.relu(x),
    "relu_module": lambda L, x: L.nn.ReLU()(x),
    "relu6": lambda L, x: F(L).relu6(x),
    "hardtanh": lambda L, x: F(L).hardtanh(x, -1.0, 2.0),
    "threshold": lambda L, x: F(L).threshold(x, 0.5, 2.0),
    "softshrink": lambda L, x: F(L).softshrink(x, 0.5),
    "hardshrink": lambda L, x: F(L).hardshrink(x, 0.5),
    "hardsigmoid": lambda L, x: F(L).hardsigmoid(x),
    "hardswish": lambda L, x: F(L).hardswish(x),
    # torch: zeros, then g/count at the selected elements
    "max": lambda L, x: x.max(),
    "min": lambda L, x: x.min(),
    "median": lambda L, x: x.median(),
    "max_dim": lambda L, x: x.max(0)[0],
    "sort": lambda L, x: x.sort()[0][:2],
    "where": lambda L, x: L.where(x > 0, x, L.zeros(len(X))),
    "maximum": lambda L, x: L.maximum(x, L.zeros(len(X))),
    "clamp": lambda L, x: x.clamp(-1, 1),
    "norm_p0": lambda L, x: x.norm(0),  # a count: zeros (torch's norm_backward for p = 0)
    "trace": lambda L, x: x[:8].reshape(2, 4).trace(),  # zeros, g on the diagonal
    "prod_two_zeros": lambda L, x: x[2:6].prod(),  # -0.0 and 0.0: torch's zeros_like
    "nll_loss_ignored": lambda L, x: F(L).nll_loss(x[:8].reshape(4, 2), L.tensor([0, 1, 1, 0]),
                                                   ignore_index=1, reduction="none"),
    "cross_entropy_ignored": lambda L, x: F(L).cross_entropy(
        x[:8].reshape(4, 2), L.tensor([0, 1, 1, 0]), ignore_index=1, reduction="sum"),
    "embedding_bag_max": lambda L, x: F(L).embedding_bag(
        L.tensor([0, 1, 2, 1, 0, 3, 3]), x[:8].reshape(4, 2), L.tensor([0, 3, 3, 5]),
        mode="max"),
    "adaptive_avg_pool": lambda L, x: F(L).adaptive_avg_pool1d(x.reshape(1, 1, 9), 4).flatten(),
    # torch multiplies: nan flows everywhere
    "amax": lambda L, x: x.amax(),
    "scatter_reduce_amax": lambda L, x: x.scatter_reduce(
        0, L.tensor([0, 0, 1, 1]), x[4:8] * 2, "amax"),
    "leaky_relu": lambda L, x: F(L).leaky_relu(x, 0.0),
    "prelu": lambda L, x: F(L).prelu(x, L.tensor([0.0], dtype=x.dtype)),
}


def _bits(t) -> list:
    """Each gradient value: zeros and nan by their bits (repr keeps -0.0 and nan apart from
    0.0), other values rounded to 12 digits (cross_entropy's differ from torch's in the last
    float64 bit); None for no gradient (torch's norm(p=0))."""
    if t is None:
        return None
    return [repr(v) if v == 0 or v != v else f"{v:.12g}" for v in t.tolist()]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("upstream", [math.nan, -1.0], ids=["nan", "minus_one"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_blocked_gradient_is_torchs_to_the_sign_bit_of_zero(name, upstream, dtype):
    got = []
    for L in (torch, tg):
        x = L.tensor(X, dtype=getattr(L, dtype), requires_grad=True)
        y = CASES[name](L, x)
        y.backward(L.full(tuple(y.shape), upstream, dtype=y.dtype))
        got.append(_bits(x.grad))
    assert got[1] == got[0]


def test_select_grad_is_where_bit_for_bit_and_leaves_other_inputs_to_where():
    from tinygrad_edu.ops._util import select_grad

    r = np.random.RandomState(0)
    for dt in (np.float16, np.float32, np.float64):
        g = r.randn(7, 9).astype(dt)
        g[0, :3] = [np.nan, -0.0, -np.inf]
        m = r.rand(7, 9) > 0.5
        m[0, :3] = False
        for gg, mm in ((g, m), (g.T, m.T), (g[:, ::2], m[:, ::2])):  # strided views too
            want = np.where(mm, gg, dt(0))
            out = select_grad(mm, gg)
            assert out.dtype == dt and out.shape == gg.shape
            np.testing.assert_array_equal(out.view(f"u{out.itemsize}"),
                                          want.view(f"u{want.itemsize}"))


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
def test_adaptive_avg_pool_sends_a_non_finite_gradient_to_its_own_window_only(bad):
    """torch's backward adds g/len to each window; a matmul by the averaging matrix would
    also multiply g by the zeros outside it (0·inf = nan over the whole row)."""
    got = []
    for L in (torch, tg):
        x = L.zeros(1, 2, 7, 5, requires_grad=True)
        y = F(L).adaptive_avg_pool2d(x, (3, 2))
        u = L.ones(tuple(y.shape))
        u[0, 1, 1, 0] = bad
        y.backward(u)
        got.append(x.grad.flatten().tolist())
    want, mine = got
    for w, m in zip(want, mine):  # inf, nan and 0 exactly; values to float32 rounding
        if w == 0 or not math.isfinite(w):
            assert repr(m) == repr(w)
        else:
            assert m == pytest.approx(w, rel=1e-6)


@pytest.mark.parametrize("is_causal", [True, False], ids=["causal", "bool_mask"])
def test_sdpa_mask_is_an_added_bias_so_a_nan_upstream_reaches_masked_keys(is_causal):
    """torch's math (and its CPU flash kernel) adds the causal mask as a −inf bias: a masked
    score's gradient is P·(dP − …) = 0·nan = nan when its query's upstream row holds a nan, so
    every key's gradient is nan. A masked_fill would block it (0) instead."""
    gen = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(1, n, 2, generator=gen) for n in (3, 6, 6))
    up = torch.randn(1, 3, 2, generator=gen)
    up[0, 1, 0] = math.nan
    keep = torch.ones(3, 6, dtype=torch.bool).tril()
    got = []
    for L in (torch, tg):
        Q, K, V = (L.tensor(a.numpy(), requires_grad=True) for a in (q, k, v))
        mask = None if is_causal else L.tensor(keep.numpy())
        out = F(L).scaled_dot_product_attention(Q, K, V, attn_mask=mask, is_causal=is_causal)
        out.backward(L.tensor(up.numpy()))
        got.append([_bits(t.grad.flatten()) for t in (Q, K, V)])
    assert got[1][1] == [repr(math.nan)] * 12  # every key's gradient, as torch's
    assert [[v == v for v in t] for t in got[1]] == [[v == v for v in t] for t in got[0]]


@pytest.mark.parametrize("dims", [2, 3])
def test_grid_sample_outside_taps_and_a_nan_upstream_as_torchs_kernels(dims):
    """torch's 3-D CPU kernel adds a tap's grid gradient only when the tap is inside (a grid
    point wholly outside gets 0 under a nan upstream); its vectorized 2-D kernel adds 0·g for
    the taps outside (nan)."""
    gen = torch.Generator().manual_seed(0)
    x = torch.randn((1, 2) + (3,) * dims, generator=gen)
    pts = [[1.7, 0.1, 0.2], [0.3, -0.2, 0.5], [-1.9, 1.2, 0.0], [0.95, 0.9, -0.99]]
    grid = torch.tensor([p[:dims] for p in pts]).reshape((1, 4) + (1,) * (dims - 1) + (dims,))
    got = []
    for L in (torch, tg):
        X, G = (L.tensor(a.numpy(), requires_grad=True) for a in (x, grid))
        y = F(L).grid_sample(X, G, align_corners=False)
        y.backward(L.full(tuple(y.shape), math.nan))
        got.append([_bits(X.grad.flatten()), _bits(G.grad.flatten())])
    assert got[1] == got[0]
