"""Module parity vs torch, driven by module_registry.py: same weights (ours copied into torch's
module through its state_dict), same inputs; outputs, input gradients, parameter gradients and
buffers compared in train and eval mode, float32 and float64. Also: the registry covers every
public class of tinygrad_edu.nn, BatchNorm running statistics over several steps, Dropout."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch
from helpers import assert_close, flatten_outputs, tg_np, th_np
from hypothesis import given, settings
from hypothesis import strategies as st
from module_registry import EXEMPT, SPECS

import tinygrad_edu as tg

DTYPES = ("float32", "float64")
# module runs cost more than op runs: a quarter of the profile's examples (min 10)
FEW = settings(max_examples=max(10, settings.default.max_examples // 4))


def _pair(spec, hp, dtype):
    ours = spec.build(tg, hp)
    ref = spec.build(torch, hp)
    (ours.double() if dtype == "float64" else ours.float())
    (ref.double() if dtype == "float64" else ref.float())
    # our initial weights (and buffers) into torch's module, through NumPy
    ref.load_state_dict({k: torch.from_numpy(np.array(tg_np(v), copy=True))
                         for k, v in ours.state_dict().items()})
    return ours, ref


def _set_mode(m, mode):
    if mode == "train":
        m.train()
    elif mode == "eval":
        m.eval()


def test_registry_covers_every_public_class():
    public = {n for n, obj in vars(tg.nn).items()
              if inspect.isclass(obj) and not n.startswith("_")}
    specced = {s.name for s in SPECS}
    missing = sorted(public - specced - set(EXEMPT))
    assert not missing, f"public tinygrad_edu.nn classes without a ModuleSpec: {missing}"
    stale = sorted((specced | set(EXEMPT)) - public)
    assert not stale, f"ModuleSpecs/exemptions for names tinygrad_edu.nn lacks: {stale}"
    for name in specced:  # every spec'd name exists in torch.nn too, with the same name
        assert hasattr(torch.nn, name), name


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.id)
@FEW
@given(data=st.data())
def test_module_parity(spec, dtype, data):
    tg.manual_seed(0)  # initial weights must not depend on which tests ran before (replayable)
    hp = spec.hparams(data.draw)
    arrays = spec.inputs(data.draw, hp, dtype)
    for mode in spec.modes:
        ours, ref = _pair(spec, hp, dtype)
        _set_mode(ours, mode)
        _set_mode(ref, mode)
        assert ours.training == ref.training
        tin = [tg.tensor(np.array(a, copy=True)) for a in arrays]
        rin = [torch.from_numpy(np.array(a, copy=True)) for a in arrays]
        for i in spec.grad_inputs:
            tin[i].requires_grad_(True)
            rin[i].requires_grad_(True)
        outs, routs = flatten_outputs(ours(*tin)), flatten_outputs(ref(*rin))
        what = f"{spec.id} mode={mode}"
        factor = spec.tol
        assert len(outs) == len(routs), f"{what}: {len(outs)} outputs, torch {len(routs)}"
        for k, (o, r) in enumerate(zip(outs, routs)):
            assert_close(tg_np(o), th_np(r), op=spec.id, what=f"{mode} output {k}", dtype=dtype,
                         backend="numpy", factor=factor)
        # buffers after the forward (running statistics, num_batches_tracked)
        rsd = ref.state_dict()
        for k, v in ours.state_dict().items():
            assert_close(tg_np(v), th_np(rsd[k]), op=spec.id, what=f"{mode} buffer {k}",
                         dtype=dtype, backend="numpy", check="buffer", factor=factor)
        pairs = [(o, r) for o, r in zip(outs, routs) if r.requires_grad]
        assert [o.requires_grad for o in outs] == [r.requires_grad for r in routs], what
        if not pairs:
            continue
        rng = np.random.default_rng(0)
        gs = [rng.uniform(-1, 1, tuple(r.shape)).astype(dtype) for _, r in pairs]
        sum((o * tg.tensor(g)).sum() for (o, _), g in zip(pairs, gs)).backward()
        sum((r * torch.from_numpy(g)).sum() for (_, r), g in zip(pairs, gs)).backward()
        for i in spec.grad_inputs:
            assert_close(tg_np(tin[i].grad), th_np(rin[i].grad), op=spec.id,
                         what=f"{mode} grad of input {i}", dtype=dtype, backend="numpy",
                         check="grad", factor=10 * factor)
        rparams = dict(ref.named_parameters())
        names = [n for n, _ in ours.named_parameters()]
        assert names == list(rparams), f"{what}: parameter names {names} vs {list(rparams)}"
        for n, p in ours.named_parameters():
            assert (p.grad is None) == (rparams[n].grad is None), f"{what}: grad of {n}"
            if p.grad is not None:
                assert_close(tg_np(p.grad), th_np(rparams[n].grad), op=spec.id,
                             what=f"{mode} grad of {n}", dtype=dtype, backend="numpy",
                             check="grad", factor=10 * factor)


# ---- BatchNorm running statistics over several training steps ---------------------------------
@pytest.mark.parametrize("momentum", [0.1, 0.7, None])
@pytest.mark.parametrize("shape", [(6, 3), (5, 3, 4)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_batchnorm_running_stats(momentum, shape, dtype):
    rng = np.random.default_rng(1)
    ours = tg.nn.BatchNorm1d(3, momentum=momentum).to(getattr(tg, dtype))
    ref = torch.nn.BatchNorm1d(3, momentum=momentum).to(getattr(torch, dtype))
    for step in range(5):
        x = (rng.normal(size=shape) * (step + 1) + step).astype(dtype)
        ours(tg.tensor(x))
        ref(torch.from_numpy(x))
        for k in ("running_mean", "running_var", "num_batches_tracked"):
            assert_close(tg_np(getattr(ours, k)), th_np(getattr(ref, k)), op="BatchNorm1d",
                         what=f"{k} after step {step} momentum={momentum}", dtype=dtype,
                         backend="numpy", check="buffer")
    ours.eval()
    ref.eval()
    x = rng.normal(size=shape).astype(dtype)
    assert_close(tg_np(ours(tg.tensor(x))), th_np(ref(torch.from_numpy(x))), op="BatchNorm1d",
                 what="eval output after 5 steps", dtype=dtype, backend="numpy")
    before = tg_np(ours.running_mean).copy()
    ours(tg.tensor(x))
    assert np.array_equal(before, tg_np(ours.running_mean)), "eval mode changed running_mean"
    assert int(ours.num_batches_tracked.item()) == 5


def test_batchnorm_errors():
    bn = tg.nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match="expected 2D or 3D input"):
        bn(tg.randn(2, 3, 4, 5))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        bn(tg.randn(1, 3))
    with pytest.raises(RuntimeError, match="layer_norm|normalized_shape"):
        tg.nn.LayerNorm(4)(tg.randn(2, 3))


# ---- Dropout --------------------------------------------------------------------------------
@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_dropout_statistics_and_modes(p):
    tg.manual_seed(0)
    d = tg.nn.Dropout(p)
    x = tg.ones(200, 500, requires_grad=True)
    y = d(x)
    a = tg_np(y)
    zero_frac = float((a == 0).mean())
    # 100000 Bernoulli draws: 5 standard deviations of the zero fraction
    assert abs(zero_frac - p) < 5 * np.sqrt(p * (1 - p) / a.size), (p, zero_frac)
    kept = a[a != 0]
    np.testing.assert_allclose(kept, 1 / (1 - p), rtol=1e-6)  # torch scales by 1/(1 − p)
    assert abs(float(a.mean()) - 1.0) < 0.02  # unbiased in expectation
    y.sum().backward()
    np.testing.assert_array_equal(tg_np(x.grad), a)  # the same mask scales the gradient
    # a seeded run draws the same mask
    tg.manual_seed(0)
    np.testing.assert_array_equal(tg_np(tg.nn.Dropout(p)(tg.ones(200, 500))), a)
    # eval: the identity (same values, torch returns the input itself)
    d.eval()
    z = tg.randn(3, 4)
    assert d(z) is z
    assert repr(d) == repr(torch.nn.Dropout(p))


def test_dropout_edges():
    x = tg.randn(4, 5)
    assert np.array_equal(tg_np(tg.nn.functional.dropout(x, 1.0)), np.zeros((4, 5), "float32"))
    assert tg.nn.functional.dropout(x, 0.3, training=False) is x
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        tg.nn.Dropout(1.5)
    with pytest.raises(ValueError, match="dropout probability"):
        torch.nn.Dropout(1.5)
