"""Every optimizer on device="cuda" (the simulated CuPy device in CI, a real GPU where one is
visible) takes the same steps as on the CPU: parameters and state after 3 steps."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.backend import to_numpy

CONFIGS = {
    "SGD": dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    "Adam": dict(lr=0.01, amsgrad=True),
    "AdamW": dict(lr=0.01),
    "Adam-differentiable": dict(lr=0.01, differentiable=True),
    "Adagrad": dict(lr=0.1, lr_decay=0.01),
    "RMSprop": dict(lr=0.01, momentum=0.5, centered=True),
    "Adadelta": dict(weight_decay=0.1),
    "Adamax": dict(lr=0.01, maximize=True),
    "NAdam": dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True),
    "RAdam": dict(lr=0.01, weight_decay=0.1),
    "ASGD": dict(lr=0.01, t0=0),
    "Rprop": dict(lr=0.01),
    "Adafactor": dict(lr=0.01, weight_decay=0.1),
    "Rprop-differentiable": dict(lr=0.01, differentiable=True),
    "NAdam-differentiable": dict(lr=0.01, differentiable=True),
    "ASGD-differentiable": dict(lr=0.01, t0=0, differentiable=True),
    "SGD-differentiable": dict(lr=0.1, momentum=0.9, differentiable=True),
    "RMSprop-differentiable": dict(lr=0.01, centered=True, differentiable=True),
}
SHAPES = ((3, 4), (5,), (2, 2, 3))


def _run(name, device):
    cls = getattr(tg.optim, name.split("-")[0])
    rng = np.random.default_rng(0)
    leaves = [tg.tensor(rng.standard_normal(s), device=device, requires_grad=True)
              for s in SHAPES]
    params = [p.clone() for p in leaves] if "differentiable" in name else leaves
    opt = cls(params, **CONFIGS[name])
    for _ in range(3):
        for p in params:
            p.grad = tg.tensor(rng.standard_normal(p.shape), device=device)
        opt.step()
    return params, opt


@pytest.mark.parametrize("name", list(CONFIGS))
def test_optimizer_steps_on_cuda_like_on_cpu(name, any_cuda):
    cpu_params, cpu_opt = _run(name, "cpu")
    gpu_params, gpu_opt = _run(name, "cuda")
    exact = any_cuda is not None  # the simulation computes with NumPy: identical numbers
    for pc, pg in zip(cpu_params, gpu_params):
        assert pg.device.type == "cuda"
        got, want = to_numpy(pg.detach()._data), to_numpy(pc.detach()._data)
        if exact:
            np.testing.assert_array_equal(got, want)
        else:
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
        sc, sg = cpu_opt.state[pc], gpu_opt.state[pg]
        assert set(sc) == set(sg)
        for key in sc:
            a, b = to_numpy(sg[key].detach()._data), to_numpy(sc[key].detach()._data)
            np.testing.assert_allclose(a, b, rtol=0 if exact else 1e-10, atol=0 if exact else 1e-12)
