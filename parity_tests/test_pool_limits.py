"""Pooling at its limits, against torch: lp_pool at p = ±∞ is max/min |x| pooling (tg once
returned 1.0 everywhere, a silent wrong number), and torch's exception types for inputs of the
wrong rank."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg

INF = float("inf")


@pytest.mark.parametrize("p", [INF, -INF, 2.0, 1.5])
@pytest.mark.parametrize("d, shape, kernel", [(1, (2, 3, 8), 2), (2, (1, 2, 5, 5), 2),
                                              (3, (1, 2, 3, 4, 4), (1, 2, 2))])
def test_lp_pool_matches_torch_including_infinite_p(p, d, shape, kernel):
    x = np.random.default_rng(d).standard_normal(shape)
    name = f"lp_pool{d}d"
    xt, xg = torch.tensor(x, requires_grad=True), tg.tensor(x, requires_grad=True)
    yt = getattr(torch.nn.functional, name)(xt, p, kernel)
    yg = getattr(tg.nn.functional, name)(xg, p, kernel)
    np.testing.assert_allclose(yg.detach().numpy(), yt.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = np.random.default_rng(9).standard_normal(tuple(yt.shape))
    yt.backward(torch.tensor(g))
    yg.backward(tg.tensor(g))
    np.testing.assert_allclose(xg.grad.numpy(), xt.grad.numpy(), rtol=1e-12, atol=1e-12)


CALLS = [
    ("adaptive_avg_pool2d", (3,), (2,)), ("adaptive_max_pool2d", (3, 4), (2,)),
    ("adaptive_avg_pool2d", (3,), ((2, 2),)), ("adaptive_max_pool3d", (2, 2, 2), ((2, 2, 2),)),
    ("adaptive_avg_pool3d", (3,), (2,)), ("adaptive_max_pool3d", (2, 3, 4), (2,)),
    ("avg_pool2d", (3,), (2,)), ("avg_pool2d", (3, 4), (2,)), ("avg_pool2d", (), (2,)),
    ("lp_pool2d", (3,), (2.0, 2)), ("max_pool2d", (3,), (2,)), ("avg_pool3d", (3,), (2,)),
]


@pytest.mark.parametrize("name, shape, args", CALLS)
def test_wrong_rank_raises_torchs_exception_type(name, shape, args):
    with pytest.raises(Exception) as want:
        getattr(torch.nn.functional, name)(torch.ones(shape), *args)
    with pytest.raises(want.type):
        getattr(tg.nn.functional, name)(tg.ones(shape), *args)
