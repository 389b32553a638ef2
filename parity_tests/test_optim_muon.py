"""Muon vs torch: the bfloat16 rounding helper, the Newton–Schulz iteration, whole training runs
(nesterov on/off, weight decay, both adjust_lr_fn, Tensor lr, wide and tall matrices, float32
and float64), state_dicts moved both ways, and torch's errors.

torch runs the Newton–Schulz iteration in bfloat16 (on the CPU too). tinygrad_edu emulates every
bfloat16 rounding on float32 arrays and torch's fused multiply-adds, so for the small matrices
here (torch's plain CPU gemm, not oneDNN) float32 results agree with torch's bit for bit and
float64 ones to the last bits (torch fuses a·b + c in double, tinygrad_edu rounds twice).
The OptimizerInfo check (test_torch_optim.py) runs torch's own configurations on top.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.optim._muon import _zeropower_via_newtonschulz as torch_ns

import tinygrad_edu as tg
from tinygrad_edu.optim.muon import bfloat16_round, zeropower_via_newtonschulz

SHAPES = ((3, 4), (6, 2), (5, 5))  # wide, tall (Newton–Schulz on the transpose), square
TOL = {torch.float32: dict(rtol=0, atol=0), torch.float64: dict(rtol=1e-13, atol=1e-15)}


def _bits(a: np.ndarray) -> np.ndarray:
    return np.asarray(a, dtype=np.float32).view(np.uint32)


# ---- bfloat16 rounding -------------------------------------------------------------------------
def test_bfloat16_round_is_torchs_cast_bit_for_bit():
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(20000) * np.exp(rng.uniform(-80, 80, 20000))).astype(np.float32)
    grid = bfloat16_round(x[:1000]).astype(np.float64)
    halfway = (grid * (1 + 2.0**-8)).astype(np.float32)  # ties: to even, both directions
    special = np.array([0.0, -0.0, np.inf, -np.inf, 3.4028235e38, 3.39e38, 1e-45, -1e-40,
                        1.0 + 2**-8, 1.0 + 3 * 2**-8, -(1.0 + 2**-8)], dtype=np.float32)
    x = np.concatenate([x, halfway, special])
    want = torch.from_numpy(x).bfloat16().float().numpy()
    np.testing.assert_array_equal(_bits(bfloat16_round(x)), _bits(want))
    assert np.isnan(bfloat16_round(np.array([np.nan], np.float32)))[0]


def test_bfloat16_round_of_float64_goes_through_float32_as_torch():
    rng = np.random.default_rng(1)
    base = bfloat16_round(rng.standard_normal(5000).astype(np.float32)).astype(np.float64)
    # just above a bfloat16 tie: float32 rounds it onto the tie, which then rounds to even
    x = np.concatenate([base * (1 + 2.0**-9) * (1 + 1e-12), rng.standard_normal(5000)])
    want = torch.from_numpy(x).bfloat16().float().numpy()
    np.testing.assert_array_equal(_bits(bfloat16_round(x)), _bits(want))


# ---- Newton–Schulz -----------------------------------------------------------------------------
@pytest.mark.parametrize("shape", SHAPES + ((1, 1), (8, 16), (16, 8)))
@pytest.mark.parametrize("coeffs, steps", [((3.4445, -4.7750, 2.0315), 5), ((3.4, -4.7, 2.0), 6)])
def test_newtonschulz_matches_torch_bit_for_bit(shape, coeffs, steps):
    gen = torch.Generator().manual_seed(7)
    for _ in range(5):
        g = torch.randn(shape, generator=gen)
        want = torch_ns(g, coeffs, steps, 1e-7).float().numpy()
        got = zeropower_via_newtonschulz(g.numpy(), coeffs, steps, 1e-7)
        np.testing.assert_array_equal(_bits(got), _bits(want))


def test_newtonschulz_orthogonalizes():
    """The point of the iteration: O ≈ U S' Vᵀ for G = U S Vᵀ, with S' in about [0.7, 1.2]
    (not exactly 1: the coefficients trade convergence for speed)."""
    g = np.random.default_rng(3).standard_normal((16, 32)).astype(np.float32)
    o = zeropower_via_newtonschulz(g, (3.4445, -4.7750, 2.0315), 5, 1e-7)
    u, _, vt = np.linalg.svd(g, full_matrices=False)
    m = u.T @ o @ vt.T  # diagonal up to bfloat16 noise
    assert 0.6 < np.diag(m).min() and np.diag(m).max() < 1.3, np.diag(m)
    assert np.abs(m - np.diag(np.diag(m))).max() < 0.05


def test_newtonschulz_zero_gradient_is_zero():
    got = zeropower_via_newtonschulz(np.zeros((3, 4), np.float32), (3.4445, -4.775, 2.0315), 5,
                                     1e-7)
    assert not got.any()


# ---- whole runs --------------------------------------------------------------------------------
CONFIGS = {
    "default": {},
    "no_nesterov": {"nesterov": False},
    "weight_decay_lr": {"weight_decay": 0.3, "lr": 0.02},
    "original": {"adjust_lr_fn": "original", "momentum": 0.8},
    "match_rms_adamw": {"adjust_lr_fn": "match_rms_adamw", "nesterov": False},
    "tensor_lr": {"lr": "tensor", "weight_decay": 0.2},
    "no_momentum": {"momentum": 0.0, "ns_steps": 3},
}


def _kwargs(lib, kwargs):
    kwargs = dict(kwargs)
    if kwargs.get("lr") == "tensor":
        kwargs["lr"] = lib.tensor(0.003)
    return kwargs


def _twins(dtype, kwargs, groups=False):
    gen = torch.Generator().manual_seed(0)
    p_t = [torch.randn(s, dtype=dtype, generator=gen).requires_grad_() for s in SHAPES]
    p_g = [tg.tensor(p.detach().numpy().copy(), requires_grad=True) for p in p_t]
    if groups:  # the square matrix in a group of its own, with its own lr and adjust_lr_fn
        extra = {"lr": 0.05, "adjust_lr_fn": "match_rms_adamw"}
        opt_t = torch.optim.Muon([{"params": p_t[:2]}, {"params": p_t[2:], **extra}],
                                 **_kwargs(torch, kwargs))
        opt_g = tg.optim.Muon([{"params": p_g[:2]}, {"params": p_g[2:], **extra}],
                              **_kwargs(tg, kwargs))
    else:
        opt_t, opt_g = torch.optim.Muon(p_t, **_kwargs(torch, kwargs)), tg.optim.Muon(
            p_g, **_kwargs(tg, kwargs))
    return p_t, p_g, opt_t, opt_g


def _step(p_t, p_g, opt_t, opt_g, k, dtype):
    gen = torch.Generator().manual_seed(100 + k)
    for i, (pt, pg) in enumerate(zip(p_t, p_g)):
        g = torch.randn(pt.shape, dtype=dtype, generator=gen)
        if k % 4 == 3 and i == 1:  # now and then a parameter without gradient: skipped
            pt.grad = pg.grad = None
            continue
        pt.grad, pg.grad = g.clone(), tg.tensor(g.numpy())
    opt_t.step()
    opt_g.step()


def _same(p_t, p_g, opt_t, opt_g, dtype, where):
    for i, (pt, pg) in enumerate(zip(p_t, p_g)):
        np.testing.assert_allclose(pg.detach().numpy(), pt.detach().numpy(), **TOL[dtype],
                                   err_msg=f"{where}: param {i}")
        st, sg = opt_t.state.get(pt, {}), opt_g.state.get(pg, {})
        assert set(sg) == set(st), f"{where}: state keys {sorted(sg)}, torch {sorted(st)}"
        if st:
            np.testing.assert_allclose(sg["momentum_buffer"].numpy(),
                                       st["momentum_buffer"].numpy(), **TOL[dtype],
                                       err_msg=f"{where}: momentum_buffer {i}")


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", CONFIGS)
def test_muon_steps_match_torch(name, dtype):
    p_t, p_g, opt_t, opt_g = _twins(dtype, CONFIGS[name], groups=name == "default")
    for k in range(8):
        _step(p_t, p_g, opt_t, opt_g, k, dtype)
        _same(p_t, p_g, opt_t, opt_g, dtype, f"{name}: step {k + 1}")


@pytest.mark.parametrize("direction", ["torch_to_tg", "tg_to_torch"])
def test_muon_state_dict_moves_between_libraries(direction):
    dtype, kwargs = torch.float32, {"weight_decay": 0.2, "adjust_lr_fn": "match_rms_adamw"}
    p_t, p_g, opt_t, opt_g = _twins(dtype, kwargs, groups=True)
    for k in range(3):
        _step(p_t, p_g, opt_t, opt_g, k, dtype)
    sd_t, sd_g = opt_t.state_dict(), opt_g.state_dict()
    assert [set(g) for g in sd_g["param_groups"]] == [set(g) for g in sd_t["param_groups"]]
    assert [g["params"] for g in sd_g["param_groups"]] == [
        g["params"] for g in sd_t["param_groups"]]
    assert {i: set(s) for i, s in sd_g["state"].items()} == {
        i: set(s) for i, s in sd_t["state"].items()}
    # fresh optimizers with default hyperparameters: the loaded state_dict sets them
    fresh_t = torch.optim.Muon([{"params": p_t[:2]}, {"params": p_t[2:]}])
    fresh_g = tg.optim.Muon([{"params": p_g[:2]}, {"params": p_g[2:]}])
    if direction == "torch_to_tg":
        fresh_g.load_state_dict(sd_t)
        opt_g = fresh_g
    else:
        fresh_t.load_state_dict({
            "state": {i: {k: torch.from_numpy(v.numpy().copy()) for k, v in s.items()}
                      for i, s in sd_g["state"].items()},
            "param_groups": sd_g["param_groups"]})
        opt_t = fresh_t
    assert opt_g.param_groups[1]["lr"] == opt_t.param_groups[1]["lr"] == 0.05
    for k in range(3, 6):
        _step(p_t, p_g, opt_t, opt_g, k, dtype)
        _same(p_t, p_g, opt_t, opt_g, dtype, f"{direction}: step {k + 1}")


def test_muon_defaults_and_repr_match_torch():
    p_t, p_g = torch.zeros(2, 3, requires_grad=True), tg.zeros(2, 3, requires_grad=True)
    opt_t, opt_g = torch.optim.Muon([p_t]), tg.optim.Muon([p_g])
    assert opt_g.defaults == opt_t.defaults
    assert repr(opt_g) == repr(opt_t)


# ---- errors ------------------------------------------------------------------------------------
BAD_CONSTRUCTION = [
    ({"lr": -1.0}, "Learning rate should be >= 0 but is: -1.0"),
    ({"momentum": -0.1}, "momentum should be >= 0 but is: -0.1"),
    ({"weight_decay": -0.1}, "weight decay should be >= 0 but is: -0.1"),
    ({"adjust_lr_fn": "rms"}, "Adjust learning rate function rms is not supported"),
]


@pytest.mark.parametrize("kwargs, message", BAD_CONSTRUCTION)
def test_muon_rejects_bad_hyperparameters_as_torch(kwargs, message):
    for lib in (torch, tg):
        with pytest.raises(ValueError, match=f"^{message}$"):
            lib.optim.Muon([lib.zeros(2, 3, requires_grad=True)], **kwargs)


def test_muon_rejects_non_matrices_as_torch():
    for lib in (torch, tg):
        with pytest.raises(ValueError, match=r"^Muon only supports 2D parameters whereas we "
                           r"found a parameter with size: torch.Size\(\[2, 3, 4\]\)$"):
            lib.optim.Muon([lib.zeros(2, 3, requires_grad=True), lib.zeros(2, 3, 4)])
        with pytest.raises(ValueError, match="^Tensor lr must be 1-element$"):
            lib.optim.Muon([lib.zeros(2, 3, requires_grad=True)], lr=lib.tensor([0.1, 0.2]))


@pytest.mark.parametrize("group, message", [
    ({"ns_steps": 100}, "Number of steps must be less than 100 for computational efficiency"),
    ({"ns_coefficients": (3.0, -4.0)}, "Coefficients must be a tuple of exactly 3 values"),
    ({"extra_1d": True}, "Param gradient must be a 2D matrix"),  # torch checks groups added
])                                                                 # later only at step()
def test_muon_step_errors_as_torch(group, message):
    for lib in (torch, tg):
        p = lib.zeros(2, 3, requires_grad=True)
        p.grad = lib.ones(2, 3)
        opt = lib.optim.Muon([p])
        if "extra_1d" in group:
            q = lib.zeros(3, requires_grad=True)
            q.grad = lib.ones(3)
            opt.add_param_group({"params": [q]})
        else:
            opt.param_groups[0].update(group)
        with pytest.raises(ValueError, match=f"^{message}$"):
            opt.step()


def test_muon_on_cuda_steps_like_on_cpu(any_cuda):
    """device="cuda" (CuPy, or its simulation in CI): the same bfloat16 roundings on the device."""
    from tinygrad_edu.backend import to_numpy

    def run(device):
        rng = np.random.default_rng(0)
        ps = [tg.tensor(rng.standard_normal(s), device=device, requires_grad=True) for s in SHAPES]
        opt = tg.optim.Muon(ps, lr=0.02, adjust_lr_fn="match_rms_adamw")
        for _ in range(3):
            for p in ps:
                p.grad = tg.tensor(rng.standard_normal(p.shape), device=device)
            opt.step()
        return ps, opt

    (cpu, opt_c), (gpu, opt_g) = run("cpu"), run("cuda")
    for pc, pg in zip(cpu, gpu):
        assert pg.device.type == "cuda"
        # a real GPU sums the float32 dot products in its own order: bfloat16-level agreement
        tol = dict(rtol=0, atol=0) if any_cuda is not None else dict(rtol=0, atol=1e-3)
        np.testing.assert_allclose(to_numpy(pg.detach()._data), to_numpy(pc.detach()._data), **tol)
        np.testing.assert_allclose(to_numpy(opt_g.state[pg]["momentum_buffer"]._data),
                                   to_numpy(opt_c.state[pc]["momentum_buffer"]._data), **tol)
