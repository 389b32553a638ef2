"""Learning-rate schedulers vs torch: the lr of every group after every epoch for 100 epochs
must equal torch's (schedulers are pure Python float arithmetic in both, so exactly)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

import tinygrad_edu as tg

torch.set_num_threads(1)

EPOCHS = 100

SCHEDULERS = {
    "StepLR(7,0.5)": ("StepLR", dict(step_size=7, gamma=0.5)),
    "StepLR(1,default)": ("StepLR", dict(step_size=1)),
    "MultiStepLR([10,30,30,70])": ("MultiStepLR", dict(milestones=[10, 30, 30, 70], gamma=0.3)),
    "ExponentialLR(0.95)": ("ExponentialLR", dict(gamma=0.95)),
    "ExponentialLR(0.7)": ("ExponentialLR", dict(gamma=0.7)),
    "CosineAnnealingLR(T=30)": ("CosineAnnealingLR", dict(T_max=30)),
    "CosineAnnealingLR(T=17,eta_min)": ("CosineAnnealingLR", dict(T_max=17, eta_min=1e-3)),
    "CosineAnnealingLR(T=100)": ("CosineAnnealingLR", dict(T_max=100, eta_min=0.01)),
    "LambdaLR(0.97**e)": ("LambdaLR", dict(lr_lambda=lambda e: 0.97**e)),
    "LambdaLR(per-group)": (
        "LambdaLR", dict(lr_lambda=[lambda e: 1 / (1 + e), lambda e: 0.5 ** (e // 10)]),
    ),
}


def _opts(lrs=(0.1, 0.03), opt="SGD"):
    p = [tg.tensor(np.ones(2), requires_grad=True) for _ in lrs]
    q = [torch.ones(2, dtype=torch.float64, requires_grad=True) for _ in lrs]
    ours = getattr(tg.optim, opt)([{"params": [a], "lr": lr} for a, lr in zip(p, lrs)], lr=lrs[0])
    ref = getattr(torch.optim, opt)([{"params": [a], "lr": lr} for a, lr in zip(q, lrs)],
                                    lr=lrs[0])
    return ours, ref


def _make(name, ours, ref):
    cls, kw = SCHEDULERS[name]
    return getattr(tg.optim.lr_scheduler, cls)(ours, **kw), getattr(
        torch.optim.lr_scheduler, cls
    )(ref, **kw)


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_lr_sequence_matches_torch(name):
    ours, ref = _opts()
    s, t = _make(name, ours, ref)
    assert s.get_last_lr() == t.get_last_lr()
    assert [g["initial_lr"] for g in ours.param_groups] == [0.1, 0.03]
    for epoch in range(EPOCHS):
        ours.step()
        ref.step()
        s.step()
        t.step()
        got, want = s.get_last_lr(), t.get_last_lr()
        assert got == want, f"{name} epoch {epoch + 1}: lr {got} != torch {want}"
        assert [g["lr"] for g in ours.param_groups] == want
        assert s.last_epoch == t.last_epoch


@pytest.mark.parametrize("name", ["StepLR(7,0.5)", "MultiStepLR([10,30,30,70])",
                                  "CosineAnnealingLR(T=17,eta_min)", "LambdaLR(0.97**e)"])
def test_state_dict_round_trip_continues(name):
    ours, ref = _opts()
    s, _ = _make(name, ours, ref)
    for _ in range(25):
        ours.step()
        s.step()
    sd = s.state_dict()
    assert "optimizer" not in sd and sd["last_epoch"] == 25
    # resume: a fresh optimizer with the saved groups, a fresh scheduler with the saved state
    ours2, ref2 = _opts()
    ours2.load_state_dict(ours.state_dict())
    s2, _ = _make(name, ours2, ref2)
    s2.load_state_dict(sd)
    for _ in range(40):
        ours.step()
        ours2.step()
        s.step()
        s2.step()
        assert s.get_last_lr() == s2.get_last_lr()


def test_state_dict_keys_match_torch():
    ours, ref = _opts()
    for name in ("StepLR(7,0.5)", "CosineAnnealingLR(T=30)", "LambdaLR(0.97**e)"):
        s, t = _make(name, ours, ref)
        assert set(s.state_dict()) <= set(t.state_dict()) | {"_is_initial",
                                                              "_get_lr_called_within_step"}


# -------------------------------------------------------------------- ReduceLROnPlateau ----
_rng = np.random.default_rng(0)
_METRIC = list(
    np.concatenate([np.linspace(1.0, 0.5, 20), 0.5 + 0.01 * _rng.standard_normal(40),
                    np.linspace(0.5, 0.2, 20), np.full(20, 0.2)])
)
PLATEAU = {
    "min-defaults": dict(),
    "min-factor0.5-patience1": dict(mode="min", factor=0.5, patience=1),
    "min-abs-cooldown": dict(threshold=0.01, threshold_mode="abs", cooldown=3, patience=2),
    "max-rel": dict(mode="max", factor=0.3, patience=3, threshold=1e-3),
    "max-abs-min_lr": dict(mode="max", threshold_mode="abs", patience=0, min_lr=[0.01, 0.02]),
    "min-min_lr-eps": dict(patience=0, factor=0.9, min_lr=0.05, eps=1e-3),
}


@pytest.mark.parametrize("name", list(PLATEAU))
def test_reduce_lr_on_plateau_matches_torch(name):
    kw = PLATEAU[name]
    ours, ref = _opts(opt="Adam")
    s = tg.optim.lr_scheduler.ReduceLROnPlateau(ours, **kw)
    t = torch.optim.lr_scheduler.ReduceLROnPlateau(ref, **kw)
    metric = _METRIC if kw.get("mode", "min") == "min" else [-m for m in _METRIC]
    changes = 0
    for epoch, m in enumerate(metric):
        before = s.get_last_lr()
        # floats and one-element tensors are both accepted (a float32 tensor rounds the metric)
        s.step(tg.tensor(float(m)) if epoch % 2 else float(m))
        t.step(torch.tensor(float(m)) if epoch % 2 else float(m))
        assert s.get_last_lr() == t.get_last_lr(), f"{name} epoch {epoch}"
        assert (s.best, s.num_bad_epochs, s.cooldown_counter) == (
            t.best, t.num_bad_epochs, t.cooldown_counter
        ), f"{name} epoch {epoch}"
        changes += before != s.get_last_lr()
    assert changes > 0, f"{name}: the metric sequence never triggered a reduction"


def test_reduce_lr_on_plateau_state_dict_and_errors():
    ours, _ = _opts()
    s = tg.optim.lr_scheduler.ReduceLROnPlateau(ours, patience=2)
    for m in _METRIC[:30]:
        s.step(m)
    sd = s.state_dict()
    s2 = tg.optim.lr_scheduler.ReduceLROnPlateau(_opts()[0], patience=2)
    s2.load_state_dict(sd)
    assert (s2.best, s2.num_bad_epochs, s2.last_epoch) == (s.best, s.num_bad_epochs, 30)
    with pytest.raises(ValueError, match="Factor should be < 1.0"):
        tg.optim.lr_scheduler.ReduceLROnPlateau(ours, factor=1.0)
    with pytest.raises(ValueError, match="mode avg is unknown"):
        tg.optim.lr_scheduler.ReduceLROnPlateau(ours, mode="avg")
    with pytest.raises(ValueError, match="threshold mode x is unknown"):
        tg.optim.lr_scheduler.ReduceLROnPlateau(ours, threshold_mode="x")
    with pytest.raises(ValueError, match="expected 2 min_lrs, got 3"):
        tg.optim.lr_scheduler.ReduceLROnPlateau(ours, min_lr=[0, 0, 0])
    with pytest.raises(TypeError, match="is not an Optimizer"):
        tg.optim.lr_scheduler.StepLR(object(), step_size=2)


def test_cosine_recursive_form_and_closed_form_agree():
    ours, _ = _opts(lrs=(0.1,))
    s = tg.optim.lr_scheduler.CosineAnnealingLR(ours, T_max=10, eta_min=0.001)
    for e in range(1, 40):
        ours.step()
        s.step()
        closed = 0.001 + (0.1 - 0.001) * (1 + math.cos(math.pi * e / 10)) / 2
        assert s.get_last_lr()[0] == pytest.approx(closed, rel=1e-12, abs=1e-15)


def test_warns_when_scheduler_steps_before_optimizer():
    ours, _ = _opts()
    s = tg.optim.lr_scheduler.StepLR(ours, 3)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        s.step()
    ours2, _ = _opts()
    s2 = tg.optim.lr_scheduler.StepLR(ours2, 3)
    ours2.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s2.step()


def test_resume_with_last_epoch_requires_initial_lr():
    ours, _ = _opts()
    with pytest.raises(KeyError, match="initial_lr"):
        tg.optim.lr_scheduler.StepLR(ours, 3, last_epoch=5)
