"""Whole-run parity: the seed workflows trained here and in torch from the same initial weights on
the same pre-drawn batches (no RNG inside the loop). The loss must agree at every step - to
1e-10 in float64 (the gate) and within a float32 tolerance - and the final weights too.

Each run's largest loss deviation is written to parity_tests/.results/training_parity.json.
"""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest
import torch
from sklearn.datasets import load_breast_cancer, load_digits, make_blobs, make_circles

import tinygrad_edu as tg
from tinygrad_edu.serialization import from_torch_state_dict

torch.set_num_threads(1)

RESULTS = pathlib.Path(__file__).parent / ".results"
_RUNS: dict[str, dict] = {}
TOL = {"float64": 1e-10, "float32": 2e-5}  # relative-or-absolute loss tolerance per step


# ------------------------------------------------------------------------------ workflows ----
def _two_clusters():
    rng = np.random.default_rng(0)
    a = rng.normal((-2.0, -2.0), 1.0, size=(100, 2))
    b = rng.normal((2.0, 2.0), 1.0, size=(100, 2))
    return np.concatenate([a, b]), np.r_[np.zeros(100), np.ones(100)][:, None]


def _xor():
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, size=(200, 2))
    return x, ((x[:, 0] > 0) ^ (x[:, 1] > 0)).astype(np.float64)[:, None]


def _circles():
    x, y = make_circles(n_samples=300, noise=0.05, factor=0.5, random_state=42)
    return x, y.astype(np.float64)[:, None]


def _blobs():
    x, y = make_blobs(n_samples=400, centers=4, n_features=2, cluster_std=1.5, random_state=42)
    return x, y.astype(np.int64)


def _breast_cancer():
    x, y = load_breast_cancer(return_X_y=True)
    x = (x - x.mean(0)) / x.std(0)
    return x, y.astype(np.float64)[:, None]


def _digits():
    x, y = load_digits(return_X_y=True)
    return x / 16.0, y.astype(np.int64)


def _mlp(nn, sizes, last=None):
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    if last:
        layers.append(getattr(nn, last)())
    return nn.Sequential(*layers)


def _dnn(nn):
    # No bias before BatchNorm: its gradient is exactly 0 in math but float32 rounding noise in
    # practice, which Adam's normalized step turns into lr-sized, implementation-specific moves
    # of the running mean (train loss unaffected, eval loss not comparable in float32).
    return nn.Sequential(
        nn.Linear(64, 32, bias=False), nn.BatchNorm1d(32), nn.ReLU(),
        nn.Linear(32, 16, bias=False), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 10),
    )


# name: (data, model builder, loss, optimizer, optimizer kwargs, batch size, steps, scheduler)
WORKFLOWS = {
    "perceptron-clusters-Adam-BCE": (
        _two_clusters, lambda nn: _mlp(nn, [2, 1], "Sigmoid"), "BCELoss", "Adam",
        dict(lr=0.01), 32, 150, None,
    ),
    "xor-mlp-SGD-BCE": (
        _xor, lambda nn: _mlp(nn, [2, 8, 1], "Sigmoid"), "BCELoss", "SGD",
        dict(lr=0.5, momentum=0.9), None, 150, None,
    ),
    "circles-BCEWithLogits-SGD": (
        _circles, lambda nn: _mlp(nn, [2, 10, 10, 1]), "BCEWithLogitsLoss", "SGD",
        dict(lr=0.3, momentum=0.9), None, 200, None,
    ),
    "blobs-CrossEntropy-SGD": (
        _blobs, lambda nn: _mlp(nn, [2, 8, 8, 4]), "CrossEntropyLoss", "SGD",
        dict(lr=0.1), 64, 150, None,
    ),
    "breast-cancer-logistic-SGD-BCE": (
        _breast_cancer, lambda nn: _mlp(nn, [30, 1], "Sigmoid"), "BCELoss", "SGD",
        dict(lr=0.1), 64, 150, None,
    ),
    "digits-DNN-BatchNorm1d-Adam-CE-plateau": (
        _digits, _dnn, "CrossEntropyLoss", "Adam", dict(lr=0.01), 128, 120,
        dict(mode="min", factor=0.5, patience=2),
    ),
}


def _batches(n, batch_size, steps, seed=0):
    """Pre-drawn index batches (epochs of a fixed permutation), or the full batch."""
    rng = np.random.default_rng(seed)
    if batch_size is None:
        return [np.arange(n)] * steps
    out = []
    while len(out) < steps:
        perm = rng.permutation(n)
        out.extend(perm[i:i + batch_size] for i in range(0, n, batch_size))
    return out[:steps]


def _rel_dev(a: float, b: float) -> float:
    return abs(a - b) / max(1.0, abs(b))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", list(WORKFLOWS))
def test_whole_run_loss_matches_torch_every_step(name, dtype):
    data, build, loss_name, opt_name, opt_kw, batch_size, steps, plateau = WORKFLOWS[name]
    x, y = data()
    x = x.astype(dtype)
    y = y.astype(dtype) if y.dtype.kind == "f" else y
    torch.manual_seed(0)
    tnet = build(torch.nn).to(getattr(torch, dtype))
    net = build(tg.nn).to(getattr(tg, dtype))
    net.load_state_dict(from_torch_state_dict(tnet.state_dict()))
    runs = []
    for lib, model in ((tg, net), (torch, tnet)):
        opt = getattr(lib.optim, opt_name)(model.parameters(), **opt_kw)
        sched = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, **plateau) if plateau else None
        runs.append((lib, model, opt, getattr(lib.nn, loss_name)(), sched))
    batches = _batches(len(x), batch_size, steps)
    x_eval, y_eval = x[::3], y[::3]
    losses = {"tg": [], "torch": []}
    eval_losses = {"tg": [], "torch": []}
    for k, idx in enumerate(batches):
        for key, (lib, model, opt, loss_fn, sched) in zip(("tg", "torch"), runs):
            model.train()
            opt.zero_grad()
            loss = loss_fn(model(lib.tensor(x[idx])), lib.tensor(y[idx]))
            loss.backward()
            opt.step()
            losses[key].append(loss.item())
            if sched is not None or k % 10 == 9:  # eval-mode forward (BatchNorm running stats)
                model.eval()
                with lib.no_grad():
                    ev = loss_fn(model(lib.tensor(x_eval)), lib.tensor(y_eval)).item()
                eval_losses[key].append(ev)
                if sched is not None:
                    sched.step(ev)
        a, b = losses["tg"][-1], losses["torch"][-1]
        assert _rel_dev(a, b) <= TOL[dtype], (
            f"{name} [{dtype}] step {k}: loss {a!r} vs torch {b!r} "
            f"(deviation {_rel_dev(a, b):.3g} > {TOL[dtype]})"
        )
    dev = max(_rel_dev(a, b) for a, b in zip(losses["tg"], losses["torch"]))
    eval_dev = max(_rel_dev(a, b) for a, b in zip(eval_losses["tg"], eval_losses["torch"]))
    assert eval_dev <= TOL[dtype], f"{name} [{dtype}]: eval-mode loss deviates by {eval_dev:.3g}"
    wdev = 0.0
    tsd = tnet.state_dict()
    for k, v in net.state_dict().items():
        ref = tsd[k].detach().numpy().astype(np.float64)
        wdev = max(wdev, float(np.max(np.abs(v.numpy().astype(np.float64) - ref), initial=0.0)))
    assert wdev <= (1e-9 if dtype == "float64" else 1e-3), f"{name}: final weights differ {wdev}"
    if runs[0][4] is not None:
        assert runs[0][4].get_last_lr() == runs[1][4].get_last_lr()
    # the run must actually learn, or the comparison proves little
    assert losses["torch"][-1] < 0.8 * losses["torch"][0], f"{name}: torch run did not learn"
    _RUNS.setdefault(name, {})[dtype] = {
        "steps": steps, "max_loss_deviation": dev, "max_eval_loss_deviation": eval_dev,
        "max_final_weight_abs_deviation": wdev, "first_loss": losses["torch"][0],
        "last_loss": losses["torch"][-1],
    }


def test_write_training_parity_table():
    if not _RUNS:
        pytest.skip("whole-run tests were deselected")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "training_parity.json").write_text(json.dumps(_RUNS, indent=2))
    lines = [f"{'workflow':40s} {'dtype':8s} {'steps':>5s} {'max loss dev':>13s} "
             f"{'eval dev':>10s} {'weights dev':>11s}"]
    for name, d in _RUNS.items():
        for dt, r in d.items():
            lines.append(
                f"{name:40s} {dt:8s} {r['steps']:5d} {r['max_loss_deviation']:13.3g} "
                f"{r['max_eval_loss_deviation']:10.3g} {r['max_final_weight_abs_deviation']:11.3g}"
            )
    print("\nwhole-run parity vs torch (loss deviation = |Δ| / max(1, |loss|))\n"
          + "\n".join(lines))
