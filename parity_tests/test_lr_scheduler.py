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


# ------------------------------------------ warm-up, cyclic and composite schedulers ----
MORE = {  # name: (class, kwargs, optimizer)
    "MultiplicativeLR(0.95)": ("MultiplicativeLR", dict(lr_lambda=lambda e: 0.95), "SGD"),
    "MultiplicativeLR(per-group)": (
        "MultiplicativeLR", dict(lr_lambda=[lambda e: 0.9, lambda e: 1 - 1 / (e + 2)]), "SGD"),
    "ConstantLR(default)": ("ConstantLR", dict(), "SGD"),
    "ConstantLR(0.5,13)": ("ConstantLR", dict(factor=0.5, total_iters=13), "SGD"),
    "LinearLR(default)": ("LinearLR", dict(), "SGD"),
    "LinearLR(0.1->1,30)": ("LinearLR", dict(start_factor=0.1, total_iters=30), "SGD"),
    "LinearLR(1->0.05,60)": ("LinearLR", dict(start_factor=1.0, end_factor=0.05,
                                              total_iters=60), "SGD"),
    "PolynomialLR(default)": ("PolynomialLR", dict(), "SGD"),
    "PolynomialLR(40,2.5)": ("PolynomialLR", dict(total_iters=40, power=2.5), "SGD"),
    "WarmRestarts(10)": ("CosineAnnealingWarmRestarts", dict(T_0=10), "SGD"),
    "WarmRestarts(7,2,eta_min)": ("CosineAnnealingWarmRestarts",
                                  dict(T_0=7, T_mult=2, eta_min=1e-3), "SGD"),
    "CyclicLR(triangular)": ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=7),
                             "SGD"),
    "CyclicLR(triangular2,down)": ("CyclicLR", dict(base_lr=[0.01, 0.001], max_lr=0.2,
                                                    step_size_up=5, step_size_down=9,
                                                    mode="triangular2"), "SGD"),
    "CyclicLR(exp_range,Adam)": ("CyclicLR", dict(base_lr=0.001, max_lr=0.01, step_size_up=6,
                                                  mode="exp_range", gamma=0.97), "Adam"),
    "CyclicLR(no momentum)": ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=4,
                                               cycle_momentum=False), "Adagrad"),
    "OneCycleLR(cos)": ("OneCycleLR", dict(max_lr=0.5, total_steps=EPOCHS + 1), "SGD"),
    "OneCycleLR(linear,three_phase,Adam)": (
        "OneCycleLR", dict(max_lr=[0.5, 0.2], epochs=10, steps_per_epoch=11, pct_start=0.25,
                           anneal_strategy="linear", three_phase=True), "Adam"),
}


def _make_more(name):
    cls, kw, opt = MORE[name]
    ours, ref = _opts(opt=opt)
    return ours, ref, getattr(tg.optim.lr_scheduler, cls)(ours, **kw), getattr(
        torch.optim.lr_scheduler, cls)(ref, **kw)


def _momenta(opt):
    return [(g.get("momentum"), g.get("betas")) for g in opt.param_groups]


@pytest.mark.parametrize("name", list(MORE))
def test_more_schedulers_match_torch(name):
    """lr (and the cycled momentum / beta1) of every group after every epoch, exactly."""
    ours, ref, s, t = _make_more(name)
    assert s.get_last_lr() == t.get_last_lr()
    assert [g["initial_lr"] for g in ours.param_groups] == [
        g["initial_lr"] for g in ref.param_groups]
    for epoch in range(EPOCHS):
        ours.step()
        ref.step()
        s.step()
        t.step()
        got, want = s.get_last_lr(), t.get_last_lr()
        assert got == want, f"{name} epoch {epoch + 1}: lr {got} != torch {want}"
        assert [g["lr"] for g in ours.param_groups] == want
        assert _momenta(ours) == _momenta(ref), f"{name} epoch {epoch + 1}: momentum"
        assert s.last_epoch == t.last_epoch
    assert set(s.state_dict()) <= set(t.state_dict()) | {"_is_initial",
                                                          "_get_lr_called_within_step"}


@pytest.mark.parametrize("name", ["ConstantLR(0.5,13)", "LinearLR(0.1->1,30)",
                                  "PolynomialLR(40,2.5)", "WarmRestarts(7,2,eta_min)"])
def test_more_schedulers_step_with_epoch_match_torch(name):
    """step(epoch) uses the closed form (and warns, as torch)."""
    ours, ref, s, t = _make_more(name)
    ours.step()
    ref.step()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in (3, 8, 8, 20, 45, 12, 70):
            s.step(epoch)
            t.step(epoch)
            assert s.get_last_lr() == pytest.approx(t.get_last_lr(), rel=1e-12), epoch


def _composite(lib, kind):
    p = [lib.ones(2, dtype=lib.float64, requires_grad=True) for _ in range(2)]
    opt = lib.optim.SGD([{"params": [p[0]], "lr": 0.1}, {"params": [p[1]], "lr": 0.03}],
                        lr=0.1, momentum=0.9)
    ls = lib.optim.lr_scheduler
    if kind == "sequential":
        scheds = [ls.LinearLR(opt, start_factor=0.2, total_iters=8),
                  ls.CosineAnnealingLR(opt, T_max=30), ls.ExponentialLR(opt, gamma=0.9)]
        return opt, ls.SequentialLR(opt, scheds, milestones=[10, 45])
    if kind == "nested":
        inner = ls.SequentialLR(opt, [ls.ConstantLR(opt, factor=0.5, total_iters=4),
                                      ls.StepLR(opt, step_size=6, gamma=0.5)], milestones=[5])
        return opt, ls.SequentialLR(opt, [inner, ls.PolynomialLR(opt, total_iters=30)],
                                    milestones=[40])
    scheds = [ls.ConstantLR(opt, factor=0.3, total_iters=6), ls.ExponentialLR(opt, gamma=0.97),
              ls.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=5)]
    return opt, ls.ChainedScheduler(scheds)


@pytest.mark.filterwarnings("ignore:Detected call of `lr_scheduler.step")  # torch warns too
@pytest.mark.parametrize("kind", ["sequential", "nested", "chained"])
def test_composite_schedulers_match_torch(kind):
    ours, s = _composite(tg, kind)
    ref, t = _composite(torch, kind)
    assert s.get_last_lr() == t.get_last_lr()
    for epoch in range(EPOCHS):
        ours.step()
        ref.step()
        s.step()
        t.step()
        assert s.get_last_lr() == t.get_last_lr(), f"{kind} epoch {epoch + 1}"
        assert [g["lr"] for g in ours.param_groups] == [g["lr"] for g in ref.param_groups]
        assert _momenta(ours) == _momenta(ref)
    assert set(s.state_dict()) == set(t.state_dict())


def test_more_scheduler_errors_match_torch():
    ls = tg.optim.lr_scheduler
    ours, _ = _opts()
    cases = [
        (ValueError, "between 0 and 1", lambda: ls.ConstantLR(ours, factor=1.5)),
        (ValueError, "greater than 0", lambda: ls.LinearLR(ours, start_factor=0)),
        (ValueError, "Ending multiplicative", lambda: ls.LinearLR(ours, end_factor=2)),
        (TypeError, "should be a function", lambda: ls.MultiplicativeLR(ours, 0.9)),
        (ValueError, "Expected 2 lr_lambdas", lambda: ls.MultiplicativeLR(ours, [abs])),
        (ValueError, "positive integer T_0", lambda: ls.CosineAnnealingWarmRestarts(ours, 0)),
        (ValueError, "T_mult >= 1", lambda: ls.CosineAnnealingWarmRestarts(ours, 5, T_mult=0)),
        (ValueError, "mode is invalid", lambda: ls.CyclicLR(ours, 0.1, 1.0, mode="x")),
        (ValueError, "must support momentum", lambda: ls.CyclicLR(
            tg.optim.Adagrad([tg.ones(1, requires_grad=True)]), 0.1, 1.0)),
        (ValueError, "base_lr must have the same length", lambda: ls.CyclicLR(
            ours, [0.1, 0.2, 0.3], 1.0)),
        (ValueError, "either total_steps OR", lambda: ls.OneCycleLR(ours, 0.1)),
        (ValueError, "pct_start", lambda: ls.OneCycleLR(ours, 0.1, 10, pct_start=2.0)),
        (ValueError, "anneal_strategy", lambda: ls.OneCycleLR(ours, 0.1, 10,
                                                              anneal_strategy="exp")),
        (ValueError, "at least one scheduler", lambda: ls.SequentialLR(ours, [], [])),
        (ValueError, "one more than the number of milestone", lambda: ls.SequentialLR(
            ours, [ls.StepLR(ours, 2)], [3])),
        (ValueError, "does not support `ReduceLROnPlateau`", lambda: ls.ChainedScheduler(
            [ls.ReduceLROnPlateau(ours)])),
    ]
    for exc, msg, make in cases:
        with pytest.raises(exc, match=msg):
            make()
    sched = ls.OneCycleLR(ours, 0.1, total_steps=3)
    ours.step()
    for _ in range(3):
        sched.step()
    with pytest.raises(ValueError, match="Tried to step 4 times"):
        sched.step()
