"""LBFGS vs torch on the 4-d Rosenbrock function in float64, step by step.

torch's OptimizerInfo check for LBFGS (test_torch_optim.py) is waived: its quadratic is solved
to rounding noise inside every step, so the next curvature pair is built from a noise-level
direction and the trajectories separate with the summation order of the dot products. Here the
problem stays well above the noise floor for the steps compared, so the loss, the parameters,
the evaluation counters and the state layout must agree with torch's, for plain steps, the
strong-Wolfe line search and a short history, and after a state_dict moves between libraries.
The parameters agree to rtol 1e-5: the dot products' last bits depend on the BLAS kernel (the
order it sums in, FMA or not), and 40 inner iterations on Rosenbrock's curved valley grow them
to ~2.4e-6 relative (OpenBLAS's SkylakeX kernels on an Intel Xeon against torch's).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg

X0 = np.array([-1.5, 2.0, -0.5, 1.2])

CONFIGS = {  # name: (kwargs, steps compared)
    "default": ({}, 2),
    "strong_wolfe": ({"line_search_fn": "strong_wolfe"}, 3),
    "short_history": ({"lr": 0.5, "history_size": 3, "max_iter": 7}, 5),
    "strong_wolfe_short_history": ({"line_search_fn": "strong_wolfe", "history_size": 3}, 5),
    "tolerance_change": ({"tolerance_change": 1e-3, "max_iter": 50}, 3),
}


def _problem(lib, kwargs):
    x = lib.tensor(X0, dtype=lib.float64, requires_grad=True)
    opt = lib.optim.LBFGS([x], **kwargs)

    def closure():
        opt.zero_grad()
        loss = (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()
        loss.backward()
        return loss

    return x, opt, closure


def _same_step(x_g, opt_g, loss_g, x_t, opt_t, loss_t, where):
    np.testing.assert_allclose(float(loss_g.detach()), float(loss_t.detach()), rtol=1e-7,
                               err_msg=where)
    np.testing.assert_allclose(x_g.detach().numpy(), x_t.detach().numpy(), rtol=1e-5,
                               atol=1e-9, err_msg=where)
    st, sg = opt_t.state[x_t], opt_g.state[x_g]
    assert set(sg) == set(st), where
    for key in ("func_evals", "n_iter"):
        assert sg[key] == st[key], f"{where}: state[{key!r}] {sg[key]}, torch {st[key]}"
    assert len(sg["old_dirs"]) == len(st["old_dirs"]), where
    np.testing.assert_allclose(sg["d"].numpy(), st["d"].numpy(), rtol=1e-5, atol=1e-8,
                               err_msg=where)


@pytest.mark.parametrize("name", CONFIGS)
def test_lbfgs_matches_torch_on_rosenbrock(name):
    kwargs, steps = CONFIGS[name]
    x_t, opt_t, closure_t = _problem(torch, kwargs)
    x_g, opt_g, closure_g = _problem(tg, kwargs)
    for k in range(steps):
        loss_t, loss_g = opt_t.step(closure_t), opt_g.step(closure_g)
        _same_step(x_g, opt_g, loss_g, x_t, opt_t, loss_t, f"{name}: step {k + 1}")


def test_lbfgs_state_dict_moves_between_libraries():
    kwargs = {"line_search_fn": "strong_wolfe", "history_size": 3}
    x_t, opt_t, closure_t = _problem(torch, kwargs)
    x_g, opt_g, closure_g = _problem(tg, kwargs)
    opt_t.step(closure_t)
    opt_g.step(closure_g)
    sd_t = opt_t.state_dict()
    assert set(opt_g.state_dict()["state"][0]) == set(sd_t["state"][0])
    # torch's checkpoint continues in tinygrad_edu exactly as in torch
    x_g2, opt_g2, closure_g2 = _problem(tg, kwargs)
    x_g2.data = tg.tensor(x_t.detach().numpy())
    opt_g2.load_state_dict(sd_t)
    loss_t, loss_g = opt_t.step(closure_t), opt_g2.step(closure_g2)
    _same_step(x_g2, opt_g2, loss_g, x_t, opt_t, loss_t, "after loading torch's state_dict")


def test_lbfgs_errors_like_torch():
    x = tg.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        tg.optim.LBFGS([x], lr=-1)
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        tg.optim.LBFGS([{"params": [x]}, {"params": [tg.zeros(1, requires_grad=True)]}])
    opt = tg.optim.LBFGS([x], line_search_fn="armijo")

    def closure():
        opt.zero_grad()
        loss = ((x - 1) ** 2).sum()
        loss.backward()
        return loss

    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        opt.step(closure)
