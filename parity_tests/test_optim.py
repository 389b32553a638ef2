"""Optimizer parity with torch: 200 steps from the same parameters and the same pre-drawn
gradients, parameters AND optimizer state compared after every step (torch with foreach=False).

Each configuration's largest deviation is recorded in parity_tests/.results/optim_deviation.json
(and printed with ``pytest -s``).
"""

from __future__ import annotations

import json
import pathlib
import tracemalloc
import zlib

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu.backend import to_numpy

torch.set_num_threads(1)

STEPS = 200
SHAPES = [(5, 3), (7,), (), (2, 3, 4)]
RESULTS = pathlib.Path(__file__).parent / ".results"
_DEVIATIONS: dict[str, dict] = {}

# name -> (optimizer class name, kwargs)
CONFIGS = {
    "SGD-defaults": ("SGD", dict(lr=0.01)),
    "SGD-weight_decay": ("SGD", dict(lr=0.01, weight_decay=0.1)),
    "SGD-momentum": ("SGD", dict(lr=0.01, momentum=0.9)),
    "SGD-dampening": ("SGD", dict(lr=0.01, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    "SGD-nesterov": ("SGD", dict(lr=0.01, momentum=0.8, nesterov=True, weight_decay=0.01)),
    "SGD-maximize": ("SGD", dict(lr=0.01, momentum=0.5, weight_decay=0.05, maximize=True)),
    "Adam-defaults": ("Adam", dict()),
    "Adam-lr0.01-weight_decay": ("Adam", dict(lr=0.01, weight_decay=0.1)),
    "Adam-amsgrad": ("Adam", dict(lr=0.01, amsgrad=True)),
    "Adam-maximize": ("Adam", dict(lr=0.01, maximize=True, weight_decay=0.01)),
    "Adam-betas(0.3,0.5)": ("Adam", dict(lr=0.01, betas=(0.3, 0.5), eps=1e-6)),
    "AdamW-defaults": ("AdamW", dict()),
    "AdamW-amsgrad": ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    "RMSprop-defaults": ("RMSprop", dict()),
    "RMSprop-centered": ("RMSprop", dict(lr=0.001, centered=True)),
    "RMSprop-momentum": ("RMSprop", dict(lr=0.001, momentum=0.9, weight_decay=0.01)),
    "RMSprop-centered-momentum-maximize": (
        "RMSprop", dict(lr=0.001, alpha=0.9, momentum=0.5, centered=True, maximize=True),
    ),
    "Adagrad-defaults": ("Adagrad", dict()),
    "Adagrad-lr_decay": ("Adagrad", dict(lr=0.1, lr_decay=0.01)),
    "Adagrad-weight_decay-init_acc-maximize": (
        "Adagrad", dict(lr=0.05, weight_decay=0.1, initial_accumulator_value=0.5, maximize=True),
    ),
}
STATE_KEYS = (
    "exp_avg", "exp_avg_sq", "max_exp_avg_sq", "momentum_buffer", "square_avg", "grad_avg", "sum",
    "step",
)


def _tol(dtype, expected: np.ndarray) -> tuple[float, float]:
    """docs/design.md §4 tolerances: (rtol, atol)."""
    if dtype == np.float64:
        return 1e-7, 1e-7
    scale = max(1.0, float(np.max(np.abs(expected))) if expected.size else 1.0)
    return 1.3e-6, 1e-5 * scale


def _problem(dtype, seed=0, shapes=SHAPES, steps=STEPS, none_every=None):
    """Initial parameters and a pre-drawn gradient sequence (None where a grad is missing)."""
    rng = np.random.default_rng(seed)
    init = [rng.standard_normal(s).astype(dtype) for s in shapes]
    grads = []
    for k in range(steps):
        row = []
        for i, s in enumerate(shapes):
            if none_every and i == 1 and k % none_every == 1:
                row.append(None)
            else:
                row.append((rng.standard_normal(s) * (1 + k % 7)).astype(dtype))
        grads.append(row)
    return init, grads


def _pair(init):
    ours = [tg.tensor(a.copy(), requires_grad=True) for a in init]
    ref = [torch.tensor(a.copy(), requires_grad=True) for a in init]
    return ours, ref


def _make(cls_name, ours, ref, kwargs):
    kw_ref = dict(kwargs)
    kw_ref["foreach"] = False
    return getattr(tg.optim, cls_name)(ours, **kwargs), getattr(torch.optim, cls_name)(
        ref, **kw_ref
    )


def _set_grads(params, row, lib):
    for p, g in zip(params, row):
        p.grad = None if g is None else lib.tensor(g.copy())


class _Tracker:
    """Compares params and state with torch and remembers the largest deviations."""

    def __init__(self, name, gpu=False):
        self.name = name
        self.gpu = gpu
        self.max_abs = 0.0
        self.max_tol_ratio = 0.0  # largest err / (atol + rtol·|expected|): 1.0 = at tolerance
        self.compared = 0

    def compare(self, what, ours, ref, step, dtype):
        o = to_numpy(ours._data) if isinstance(ours, tg.Tensor) else np.asarray(ours)
        r = ref.detach().numpy()
        assert o.shape == r.shape and o.dtype == r.dtype, (
            f"{self.name} step {step}: {what} shape/dtype {o.shape}/{o.dtype} vs torch "
            f"{r.shape}/{r.dtype}"
        )
        err = np.abs(o.astype(np.float64) - r.astype(np.float64))
        rel = err / np.maximum(np.abs(r.astype(np.float64)), 1e-30)
        rtol, atol = _tol(o.dtype, r)
        if err.size:
            self.max_abs = max(self.max_abs, float(err.max()))
            ratio = err / (atol + rtol * np.abs(r.astype(np.float64)))
            self.max_tol_ratio = max(self.max_tol_ratio, float(ratio.max()))
        self.compared += 1
        if self.gpu:
            rtol, atol = rtol * 10, atol * 10  # docs/design.md §4: GPU float32 ×10
        if not np.allclose(o, r, rtol=rtol, atol=atol):
            raise AssertionError(
                f"{self.name} [{np.dtype(dtype).name}] step {step}: {what} deviates from torch: "
                f"max abs err {float(err.max()):.3g}, max rel err {float(rel.max()):.3g} "
                f"(rtol={rtol}, atol={atol:.3g})"
            )

    def compare_all(self, ours_p, ref_p, opt, ref_opt, step, dtype):
        for i, (p, q) in enumerate(zip(ours_p, ref_p)):
            self.compare(f"param {i}", p, q, step, dtype)
            st_o, st_r = opt.state.get(p, {}), ref_opt.state.get(q, {})
            assert set(st_o) == set(st_r), (
                f"{self.name} step {step}: param {i} state keys {sorted(st_o)} vs torch "
                f"{sorted(st_r)}"
            )
            for key in STATE_KEYS:
                if key in st_r:
                    self.compare(f"param {i} state[{key!r}]", st_o[key], st_r[key], step, dtype)


def _run(name, cls_name, kwargs, dtype, none_every=None, steps=STEPS):
    seed = zlib.crc32(name.encode()) % 1000
    init, grads = _problem(dtype, seed=seed, none_every=none_every, steps=steps)
    ours, ref = _pair(init)
    opt, ref_opt = _make(cls_name, ours, ref, kwargs)
    tr = _Tracker(f"{name}")
    for k, row in enumerate(grads):
        _set_grads(ours, row, tg)
        _set_grads(ref, row, torch)
        opt.step()
        ref_opt.step()
        tr.compare_all(ours, ref, opt, ref_opt, k + 1, dtype)
    return tr


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_optimizer_200_steps_match_torch(name, dtype):
    cls_name, kwargs = CONFIGS[name]
    tr = _run(name, cls_name, kwargs, dtype)
    assert tr.compared >= STEPS * len(SHAPES)
    _DEVIATIONS.setdefault(name, {})[np.dtype(dtype).name] = {
        "max_abs": tr.max_abs, "max_err_over_tol": tr.max_tol_ratio
    }


@pytest.mark.parametrize("name", ["SGD-momentum", "Adam-amsgrad", "RMSprop-centered",
                                  "Adagrad-lr_decay"])
def test_params_with_none_grad_are_skipped(name):
    cls_name, kwargs = CONFIGS[name]
    tr = _run(name + "+none-grads", cls_name, kwargs, np.float64, none_every=3, steps=60)
    assert tr.compared > 0


def test_params_with_none_grad_untouched_and_no_state():
    a = tg.tensor(np.ones(3), requires_grad=True)
    b = tg.tensor(np.ones(2), requires_grad=True)
    opt = tg.optim.Adam([a, b], lr=0.1, weight_decay=0.1)
    a.grad = tg.tensor(np.ones(3))
    opt.step()
    assert np.array_equal(b.detach().numpy(), np.ones(2))
    assert len(opt.state[b]) == 0 and float(opt.state[a]["step"]) == 1.0


@pytest.mark.parametrize("cls_name", ["SGD", "Adam", "RMSprop", "Adagrad"])
def test_param_groups_with_different_lrs(cls_name):
    init, grads = _problem(np.float64, seed=3, steps=50)
    ours, ref = _pair(init)
    extra = dict(momentum=0.9) if cls_name in ("SGD", "RMSprop") else {}
    opt = getattr(tg.optim, cls_name)(
        [{"params": ours[:2]}, {"params": ours[2:], "lr": 0.5}], lr=0.01, **extra
    )
    ref_opt = getattr(torch.optim, cls_name)(
        [{"params": ref[:2]}, {"params": ref[2:], "lr": 0.5}], lr=0.01, foreach=False, **extra
    )
    assert [g["lr"] for g in opt.param_groups] == [0.01, 0.5]
    tr = _Tracker(f"{cls_name}-param-groups")
    for k, row in enumerate(grads):
        _set_grads(ours, row, tg)
        _set_grads(ref, row, torch)
        opt.step()
        ref_opt.step()
        tr.compare_all(ours, ref, opt, ref_opt, k + 1, np.float64)


def test_add_param_group_and_group_errors():
    a, b = (tg.tensor(np.ones(2), requires_grad=True) for _ in range(2))
    opt = tg.optim.SGD([a], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": b, "lr": 0.01})
    assert opt.param_groups[1]["momentum"] == 0.9 and opt.param_groups[1]["lr"] == 0.01
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(TypeError, match="ordered collections"):
        tg.optim.SGD([{"params": {a}}], lr=0.1)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: tg.optim.SGD(p, lr=-1), "Invalid learning rate: -1"),
        (lambda p: tg.optim.Adam(p, lr=-1), "Invalid learning rate: -1"),
        (lambda p: tg.optim.AdamW(p, lr=-0.5), "Invalid learning rate: -0.5"),
        (lambda p: tg.optim.RMSprop(p, lr=-1), "Invalid learning rate: -1"),
        (lambda p: tg.optim.Adagrad(p, lr=-1), "Invalid learning rate: -1"),
        (lambda p: tg.optim.SGD(p, lr=0.1, momentum=-1), "Invalid momentum value: -1"),
        (lambda p: tg.optim.SGD(p, lr=0.1, nesterov=True), "Nesterov momentum requires"),
        (lambda p: tg.optim.Adam(p, betas=(1.0, 0.9)), "Invalid beta parameter at index 0"),
        (lambda p: tg.optim.Adam(p, betas=(0.9, -0.1)), "Invalid beta parameter at index 1"),
        (lambda p: tg.optim.Adam(p, eps=-1e-8), "Invalid epsilon value"),
        (lambda p: tg.optim.Adam(p, weight_decay=-1), "Invalid weight_decay value: -1"),
        (lambda p: tg.optim.RMSprop(p, alpha=-1), "Invalid alpha value: -1"),
        (lambda p: tg.optim.Adagrad(p, lr_decay=-1), "Invalid lr_decay value: -1"),
    ],
)
def test_bad_hyperparameters_raise_like_torch(make, message):
    p = [tg.tensor(np.ones(2), requires_grad=True)]
    with pytest.raises(ValueError, match=message):
        make(p)


def test_bad_parameter_lists():
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        tg.optim.Adam([])
    with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
        tg.optim.SGD(tg.tensor(np.ones(2), requires_grad=True), lr=0.1)
    x = tg.tensor(np.ones(2), requires_grad=True)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        tg.optim.SGD([x * 2], lr=0.1)
    with pytest.raises(TypeError, match="can only optimize Tensors"):
        tg.optim.SGD([np.ones(2)], lr=0.1)


def test_zero_grad_and_closure_and_version():
    w = tg.tensor(np.array([1.0, -2.0]), requires_grad=True)
    opt = tg.optim.SGD([w], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    v0 = w._version
    loss = opt.step(closure)
    assert float(loss) == 5.0 and w._version == v0 + 1
    np.testing.assert_array_equal(w.detach().numpy(), [0.8, -1.6])
    assert w.grad is not None
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(w.grad.numpy(), [0.0, 0.0])
    opt.zero_grad()
    assert w.grad is None
    assert not w.requires_grad or w.is_leaf  # step ran under no_grad: w is still a leaf


@pytest.mark.parametrize("name", ["SGD-nesterov", "Adam-amsgrad", "AdamW-amsgrad",
                                  "RMSprop-centered-momentum-maximize", "Adagrad-lr_decay"])
def test_optimizer_on_each_backend(backend, name):
    """The same update rules on NumPy and (with a GPU) CuPy arrays, vs torch on CPU."""
    device = "cuda" if backend == "cupy" else "cpu"
    cls_name, kwargs = CONFIGS[name]
    init, grads = _problem(np.float32, seed=11, steps=40)
    ours = [tg.tensor(a.copy(), device=device, requires_grad=True) for a in init]
    ref = [torch.tensor(a.copy(), requires_grad=True) for a in init]
    opt, ref_opt = _make(cls_name, ours, ref, kwargs)
    tr = _Tracker(f"{name}[{backend}]", gpu=backend == "cupy")
    for k, row in enumerate(grads):
        for p, g in zip(ours, row):
            p.grad = tg.tensor(g.copy(), device=device)
        _set_grads(ref, row, torch)
        opt.step()
        ref_opt.step()
        tr.compare_all(ours, ref, opt, ref_opt, k + 1, np.float32)
    assert all(str(p.device) == device for p in ours)
    assert all(str(v.device) == device for st in opt.state.values() for key, v in st.items()
               if key != "step")


def _run_steps(opt, params, grads):
    for row in grads:
        _set_grads(params, row, tg)
        opt.step()


@pytest.mark.parametrize("name", ["SGD-nesterov", "Adam-amsgrad", "AdamW-defaults",
                                  "RMSprop-centered-momentum-maximize", "Adagrad-lr_decay"])
def test_state_dict_round_trip_continues_identically(name):
    cls_name, kwargs = CONFIGS[name]
    init, grads = _problem(np.float32, seed=5, steps=40)
    a = [tg.tensor(x.copy(), requires_grad=True) for x in init]
    opt_a = getattr(tg.optim, cls_name)(a, **kwargs)
    _run_steps(opt_a, a, grads[:20])
    sd = opt_a.state_dict()
    assert set(sd) == {"state", "param_groups"} and sd["param_groups"][0]["params"] == [0, 1, 2, 3]
    b = [tg.tensor(p.detach().numpy().copy(), requires_grad=True) for p in a]
    opt_b = getattr(tg.optim, cls_name)(b, lr=123.0)  # hyperparameters come from the state_dict
    opt_b.load_state_dict(sd)
    assert opt_b.param_groups[0]["lr"] == opt_a.param_groups[0]["lr"]
    _run_steps(opt_a, a, grads[20:])
    _run_steps(opt_b, b, grads[20:])
    for p, q in zip(a, b):
        assert np.array_equal(p.detach().numpy(), q.detach().numpy()), name


@pytest.mark.parametrize("name", ["SGD-momentum", "Adam-amsgrad", "RMSprop-centered",
                                  "Adagrad-lr_decay"])
def test_loads_torch_optimizer_state_dict_and_back(name):
    cls_name, kwargs = CONFIGS[name]
    init, grads = _problem(np.float64, seed=7, steps=60)
    ours, ref = _pair(init)
    ref_opt = getattr(torch.optim, cls_name)(ref, foreach=False, **kwargs)
    for row in grads[:30]:
        _set_grads(ref, row, torch)
        ref_opt.step()
    with torch.no_grad():
        for p, q in zip(ours, ref):
            p._data[...] = q.numpy()
    opt = getattr(tg.optim, cls_name)(ours, **kwargs)
    opt.load_state_dict(ref_opt.state_dict())  # torch's layout, torch tensors as values
    # ... and ours back into a fresh torch optimizer
    ref2 = [torch.tensor(p.detach().numpy().copy(), requires_grad=True) for p in ours]
    ref_opt2 = getattr(torch.optim, cls_name)(ref2, foreach=False, **kwargs)
    ref_opt2.load_state_dict(tg.serialization.to_torch_state_dict(opt.state_dict()))
    tr = _Tracker(name + "-from-torch-state")
    for k, row in enumerate(grads[30:]):
        _set_grads(ours, row, tg)
        _set_grads(ref, row, torch)
        _set_grads(ref2, row, torch)
        opt.step()
        ref_opt.step()
        ref_opt2.step()
        tr.compare_all(ours, ref, opt, ref_opt, k + 31, np.float64)
        tr.compare_all(ours, ref2, opt, ref_opt2, k + 31, np.float64)


def test_load_state_dict_errors():
    a = [tg.tensor(np.ones(2), requires_grad=True)]
    opt = tg.optim.Adam(a)
    b = [tg.tensor(np.ones(2), requires_grad=True), tg.tensor(np.ones(2), requires_grad=True)]
    other = tg.optim.Adam(b)
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        opt.load_state_dict(other.state_dict())
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt.load_state_dict({"state": {}, "param_groups": []})
    with pytest.raises(ValueError, match="expected a dict with keys 'state' and 'param_groups'"):
        opt.load_state_dict({"lr": 1})


@pytest.mark.parametrize("name", ["SGD-nesterov", "Adam-amsgrad", "AdamW-amsgrad",
                                  "RMSprop-centered-momentum-maximize",
                                  "Adagrad-weight_decay-init_acc-maximize"])
def test_step_allocates_no_parameter_sized_arrays(name):
    cls_name, kwargs = CONFIGS[name]
    p = tg.tensor(np.zeros(20_000), requires_grad=True)  # 160 kB per array
    p.grad = tg.tensor(np.random.default_rng(0).standard_normal(20_000))
    opt = getattr(tg.optim, cls_name)([p], **kwargs)
    opt.step()
    opt.step()  # state and workspace exist now
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        opt.step()
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert peak < 40_000, f"{name}: a step allocated {peak} bytes (param is 160000 bytes)"


def test_write_deviation_table():
    """Runs last in this file: writes and prints the per-configuration deviation table."""
    if not _DEVIATIONS:
        pytest.skip("parity tests were deselected")
    RESULTS.mkdir(exist_ok=True)
    out = {"steps": STEPS, "shapes": [list(s) for s in SHAPES], "configs": _DEVIATIONS}
    (RESULTS / "optim_deviation.json").write_text(json.dumps(out, indent=2))
    nan = float("nan")
    lines = [
        f"{'configuration':40s} {'f64 max abs':>11s} {'f64 err/tol':>11s} {'f32 max abs':>11s} "
        f"{'f32 err/tol':>11s}"
    ]
    for name, d in _DEVIATIONS.items():
        f64, f32 = d.get("float64", {}), d.get("float32", {})
        lines.append(
            f"{name:40s} {f64.get('max_abs', nan):11.3g} {f64.get('max_err_over_tol', nan):11.3g} "
            f"{f32.get('max_abs', nan):11.3g} {f32.get('max_err_over_tol', nan):11.3g}"
        )
    print("\nlargest deviation from torch over 200 steps (params and state)\n" + "\n".join(lines))
