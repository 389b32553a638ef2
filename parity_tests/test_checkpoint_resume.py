"""Checkpoint resume: train, tg.save a {model, optimizer, scheduler, epoch, ...} checkpoint,
tg.load it into a FRESH model/optimizer/scheduler and continue. The resumed trajectory (losses
and final weights) must equal the uninterrupted run exactly (bit for bit)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits

import tinygrad_edu as tg

SPLIT, TOTAL = 30, 70  # steps before the checkpoint, total steps


def _data():
    x, y = load_digits(return_X_y=True)
    return (x / 16.0).astype(np.float32), y.astype(np.int64)


def _model(seed):
    tg.manual_seed(seed)
    return tg.nn.Sequential(
        tg.nn.Linear(64, 32), tg.nn.BatchNorm1d(32), tg.nn.ReLU(), tg.nn.Linear(32, 10)
    )


SETUPS = {
    "Adam-amsgrad+StepLR": (
        lambda p: tg.optim.Adam(p, lr=0.01, amsgrad=True, weight_decay=1e-4),
        lambda o: tg.optim.lr_scheduler.StepLR(o, step_size=10, gamma=0.5),
    ),
    "SGD-nesterov+CosineAnnealingLR": (
        lambda p: tg.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
        lambda o: tg.optim.lr_scheduler.CosineAnnealingLR(o, T_max=25, eta_min=1e-3),
    ),
    "RMSprop-centered+ReduceLROnPlateau": (
        lambda p: tg.optim.RMSprop(p, lr=0.003, momentum=0.5, centered=True),
        lambda o: tg.optim.lr_scheduler.ReduceLROnPlateau(o, patience=1, factor=0.5),
    ),
    "AdamW+LambdaLR": (
        lambda p: tg.optim.AdamW(p, lr=0.01),
        lambda o: tg.optim.lr_scheduler.LambdaLR(o, lambda e: 1.0 / (1 + 0.1 * e)),
    ),
    "Adagrad+ExponentialLR": (
        lambda p: tg.optim.Adagrad(p, lr=0.05, lr_decay=1e-3),
        lambda o: tg.optim.lr_scheduler.ExponentialLR(o, gamma=0.97),
    ),
}


def _train(model, opt, sched, batches, x, y, start, stop, history):
    loss_fn = tg.nn.CrossEntropyLoss()
    for k in range(start, stop):
        idx = batches[k]
        model.train()
        opt.zero_grad()
        loss = loss_fn(model(tg.tensor(x[idx])), tg.tensor(y[idx]))
        loss.backward()
        opt.step()
        if isinstance(sched, tg.optim.lr_scheduler.ReduceLROnPlateau):
            sched.step(loss.item())
        else:
            sched.step()
        history.append(loss.item())


@pytest.mark.parametrize("name", list(SETUPS))
def test_resumed_run_equals_uninterrupted_run(tmp_path, name):
    make_opt, make_sched = SETUPS[name]
    x, y = _data()
    rng = np.random.default_rng(0)
    batches = [rng.choice(len(x), 64, replace=False) for _ in range(TOTAL)]

    # the uninterrupted run
    m = _model(0)
    opt = make_opt(m.parameters())
    sched = make_sched(opt)
    full: list[float] = []
    _train(m, opt, sched, batches, x, y, 0, TOTAL, full)

    # the same run, stopped after SPLIT steps and checkpointed
    m1 = _model(0)
    opt1 = make_opt(m1.parameters())
    sched1 = make_sched(opt1)
    first: list[float] = []
    _train(m1, opt1, sched1, batches, x, y, 0, SPLIT, first)
    path = tmp_path / "checkpoint.pt"
    tg.save({"model": m1.state_dict(), "optimizer": opt1.state_dict(),
             "scheduler": sched1.state_dict(), "epoch": SPLIT, "history": first}, path)
    del m1, opt1, sched1

    # a fresh process would do exactly this: new objects (different init), then load
    ck = tg.load(path, weights_only=True)
    m2 = _model(123)
    m2.load_state_dict(ck["model"])
    opt2 = make_opt(m2.parameters())
    sched2 = make_sched(opt2)
    opt2.load_state_dict(ck["optimizer"])
    sched2.load_state_dict(ck["scheduler"])
    resumed = list(ck["history"])
    assert ck["epoch"] == SPLIT
    _train(m2, opt2, sched2, batches, x, y, ck["epoch"], TOTAL, resumed)

    assert resumed == full, (
        f"{name}: resumed losses differ from the uninterrupted run, first at step "
        f"{next(i for i, (a, b) in enumerate(zip(resumed, full)) if a != b)}"
    )
    assert sched2.get_last_lr() == sched.get_last_lr()
    for (k, a), (k2, b) in zip(m.state_dict().items(), m2.state_dict().items()):
        assert k == k2 and np.array_equal(a.numpy(), b.numpy()), f"{name}: {k} differs"
    for p, q in zip(m.parameters(), m2.parameters()):
        for key, v in opt.state[p].items():
            assert np.array_equal(v.numpy(), opt2.state[q][key].numpy()), f"{name}: state {key}"
    assert full[-1] < full[0], f"{name}: the run did not learn"


def test_resume_detects_a_wrong_checkpoint(tmp_path):
    m = _model(0)
    tg.save({"model": m.state_dict()}, tmp_path / "ck.pt")
    other = tg.nn.Sequential(tg.nn.Linear(64, 16), tg.nn.ReLU(), tg.nn.Linear(16, 10))
    with pytest.raises(RuntimeError, match="Error\\(s\\) in loading state_dict"):
        other.load_state_dict(tg.load(tmp_path / "ck.pt")["model"])
    opt = tg.optim.Adam(other.parameters())
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        opt.load_state_dict(tg.optim.Adam(m.parameters()).state_dict())
