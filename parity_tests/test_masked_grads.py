"""Blocked units block everything: torch's ``mask ? grad : 0`` backwards give +0.0 where the
mask is off, even for a nan or negative upstream gradient (``ops._util.select_grad``).

``g * mask`` — what these backwards did before — leaks an upstream nan through a blocked unit
(nan·0 = nan) and gives −0.0 for a negative one. Found by running every kink op's backward with
an all-nan and an all-(−1) upstream gradient against torch: relu, relu6/hardtanh, threshold,
soft/hardshrink, hardsigmoid, hardswish, max(), min(), median() differed. The ops torch itself
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
    # torch multiplies: nan flows everywhere
    "amax": lambda L, x: x.amax(),
    "leaky_relu": lambda L, x: F(L).leaky_relu(x, 0.0),
    "prelu": lambda L, x: F(L).prelu(x, L.tensor([0.0], dtype=x.dtype)),
}


def _bits(t) -> list:
    return [repr(v) for v in t.tolist()]  # repr keeps -0.0 and nan apart from 0.0


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("upstream", [math.nan, -1.0], ids=["nan", "minus_one"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_blocked_gradient_is_torchs_to_the_sign_bit(name, upstream, dtype):
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
