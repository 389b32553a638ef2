"""Running one OptimizerInfo (``Adam``, ...) on tinygrad_edu.

Configurations are torch's own: ``optim_inputs_func`` expanded with the implementation flags
torch supports on the CPU (``differentiable``, ``fused``, ``foreach``; torch's
``_get_optim_inputs_including_global_cliquey_kwargs``), passed to both libraries as a torch user
passes them. A flag tinygrad_edu rejects is a failure to report, not a skip.

``steps`` (per dtype and configuration): the same parameters (shapes :data:`SHAPES`) and the same
seeded gradient sequence go into ``torch.optim.X`` and ``tg.optim.X`` for :data:`STEPS` steps;
after every step the parameters and every per-parameter state entry are compared. Then the
state_dict layouts must agree (the same keys per parameter group and per parameter state), and
torch's state_dict loaded into a fresh tinygrad_edu optimizer (and tinygrad_edu's into a fresh
torch one) must continue with the same next step. With ``differentiable=True`` the parameters
are non-leaf tensors (clones of leaves), as torch requires. LBFGS (``step_requires_closure``)
gets a closure computing a fixed quadratic loss and its gradient with each library's autograd.

``error``: ``optim_error_inputs_func`` entries raise (or warn) as torch does, at construction
or at ``step()``.
"""

from __future__ import annotations

import warnings

import torch

import tinygrad_edu as tg

from . import db
from .calls import call, first_line, raised, same_error
from .compare import Mismatch, Tolerances, assert_same
from .convert import ToTg, describe, has_complex
from .records import CheckResult

SHAPES = ((3, 4), (4,), (2, 1, 3))
SHAPES_2D = ((3, 4), (5, 2))  # optimizers torch restricts to matrices (Muon): wide and tall
STEPS = 20


def tg_class(oi):
    cls = getattr(tg.optim, oi.name, None)
    return cls if isinstance(cls, type) else None


def configs(oi) -> list:
    """torch's configurations with the CPU implementation flags (torch's own helper)."""
    from torch.testing._internal.common_optimizers import (
        _get_optim_inputs_including_global_cliquey_kwargs as with_flags,
    )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return list(with_flags(db.DEVICE, torch.float32, oi))


def shapes(oi) -> tuple:
    """The parameter shapes: :data:`SHAPES`, or :data:`SHAPES_2D` where torch's optimizer
    rejects a non-matrix parameter at construction (Muon)."""
    try:
        oi.optim_cls([torch.zeros(4, requires_grad=True)])
    except ValueError as e:
        if "2D" in str(e):
            return SHAPES_2D
    except Exception:
        pass
    return SHAPES


def _leaves(dtype, shapes):
    gen = torch.Generator().manual_seed(db.SEED)
    return [torch.randn(s, dtype=dtype, generator=gen).requires_grad_() for s in shapes]


def _grads(dtype, step: int, shapes):
    gen = torch.Generator().manual_seed(db.SEED + 1 + step)
    return [torch.randn(s, dtype=dtype, generator=gen) for s in shapes]


def _to_torch(obj):
    """tinygrad_edu state_dict values as torch objects (for the reverse checkpoint move)."""
    if isinstance(obj, tg.Tensor):
        return torch.from_numpy(obj.detach().numpy().copy())
    if isinstance(obj, dict):
        return {k: _to_torch(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_torch(v) for v in obj)
    return obj


class _Pair:
    """The two optimizers over twin parameters, stepped together."""

    def __init__(self, oi, kwargs, dtype):
        self.oi, self.dtype, self.kwargs = oi, dtype, kwargs
        self.closure = oi.step_requires_closure
        self.conv = ToTg()
        self.shapes = shapes(oi)
        self.p_t = _leaves(dtype, self.shapes)
        self.p_g = [self.conv(p) for p in self.p_t]
        if kwargs.get("differentiable"):  # torch requires non-leaf parameters then
            self.p_t, self.p_g = [p.clone() for p in self.p_t], [p.clone() for p in self.p_g]
        self.opt_t, self.opt_g = self.fresh()

    def fresh(self):
        """New torch and tg optimizers over the current parameters, same configuration."""
        return (
            self.oi.optim_cls(self.p_t, **self.kwargs),
            tg_class(self.oi)(self.p_g, **self.conv(dict(self.kwargs))),
        )

    def step(self, k: int, opt_t=None, opt_g=None) -> None:
        opt_t, opt_g = opt_t or self.opt_t, opt_g or self.opt_g
        grads = _grads(self.dtype, k, self.shapes)
        if self.closure:
            opt_t.step(_quadratic_closure(torch, self.p_t, grads))
            # not self.conv: its memo is keyed by id(), and these grads die after the step
            opt_g.step(_quadratic_closure(tg, self.p_g, [tg.tensor(g.numpy()) for g in grads]))
            return
        for pt, pg, g in zip(self.p_t, self.p_g, grads):
            pt.grad = g.clone()
            pg.grad = tg.tensor(g.numpy())
        opt_t.step()
        opt_g.step()

    def compare(self, tols, when: str) -> None:
        for i, (pt, pg) in enumerate(zip(self.p_t, self.p_g)):
            assert_same(pg, pt, tols, f"{when}: param {i}")
            st, sg = self.opt_t.state.get(pt, {}), self.opt_g.state.get(pg, {})
            if set(st) != set(sg):
                raise Mismatch(
                    "state keys",
                    f"{when}: state of param {i} has keys {sorted(sg)}, torch {sorted(st)}",
                )
            for key, value in st.items():
                assert_same(sg[key], value, tols, f"{when}: state[{i}][{key!r}]")


def _quadratic_closure(lib, params, targets):
    """loss = sum_i ||p_i - t_i||^2 / 2, whose gradient is p_i - t_i (same in both libs)."""

    def closure():
        for p in params:
            p.grad = None
        loss = sum(((p - t) * (p - t)).sum() for p, t in zip(params, targets)) / 2
        loss.backward()
        return loss

    return closure


def check_optimizer(oi, dtype) -> CheckResult:
    """The ``steps`` check of one OptimizerInfo in one dtype, over all its configurations."""
    dname = str(dtype).removeprefix("torch.")
    res = CheckResult(oi.name, "steps", dname)
    tols = Tolerances()
    for n, cfg in enumerate(configs(oi)):
        where, desc = f"config {n} ({cfg.desc})", describe(dict(cfg.kwargs))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            verdict = _run_config(oi, cfg.kwargs, dtype, tols)
        if verdict is None:
            res.ok(where)
        else:
            res.fail(where, desc, *verdict)
    return res


def _run_config(oi, kwargs, dtype, tols):
    try:
        pair = _Pair(oi, kwargs, dtype)
    except Exception as e:
        return raised(e), f"construction: {first_line(e)}"
    try:
        for k in range(STEPS):
            pair.step(k)
            pair.compare(tols, f"step {k + 1}")
        _same_layout(pair.opt_g.state_dict(), pair.opt_t.state_dict())
        _checkpoint_moves(pair, tols)
    except Mismatch as m:
        return m.kind, str(m)
    except Exception as e:
        return raised(e), first_line(e)
    return None


def _same_layout(sd_g: dict, sd_t: dict) -> None:
    groups_t, groups_g = sd_t["param_groups"], sd_g["param_groups"]
    if len(groups_t) != len(groups_g):
        raise Mismatch("state_dict", f"{len(groups_g)} param groups, torch {len(groups_t)}")
    for i, (gt, gg) in enumerate(zip(groups_t, groups_g)):
        if set(gt) != set(gg):
            raise Mismatch(
                "state_dict",
                f"param_groups[{i}] keys differ: only tg "
                f"{sorted(set(gg) - set(gt))}, only torch {sorted(set(gt) - set(gg))}",
            )
        if gg["params"] != gt["params"]:
            raise Mismatch(
                "state_dict", f"param_groups[{i}]['params'] = {gg['params']}, torch {gt['params']}"
            )
    if set(sd_t["state"]) != set(sd_g["state"]):
        raise Mismatch(
            "state_dict", f"state indices {sorted(sd_g['state'])}, torch {sorted(sd_t['state'])}"
        )


def _checkpoint_moves(pair: _Pair, tols) -> None:
    """torch's state_dict into a fresh tg optimizer (and tg's into a fresh torch one): the next
    step must be the same as the original optimizers' next step."""
    opt_t, opt_g = pair.fresh()
    opt_g.load_state_dict(ToTg()(pair.opt_t.state_dict()))
    opt_t.load_state_dict(_to_torch(pair.opt_g.state_dict()))
    pair.opt_t, pair.opt_g = opt_t, opt_g
    pair.step(STEPS)
    pair.compare(tols, "after exchanging state_dicts, next step")


def check_optimizer_errors(oi) -> CheckResult:
    """The ``error`` check: ``optim_error_inputs_func`` entries, at construction or step."""
    res = CheckResult(oi.name, "error")
    if oi.optim_error_inputs_func is None:
        return res
    db.seed_all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        errors = list(oi.optim_error_inputs_func(device=db.DEVICE, dtype=torch.float32))
    names = {oi.name, oi.name.lower()}
    for i, e in enumerate(errors):
        inp = e.optimizer_error_input
        if has_complex(inp.params, dict(inp.kwargs)):  # tinygrad_edu has no complex dtypes
            res.skipped_complex += 1
            continue
        where = f"error_input {i} ({e.error_on.name.lower()}: {inp.desc})"
        desc = f"params={describe(inp.params)}, kwargs={describe(dict(inp.kwargs))}"
        conv = ToTg()
        got = call(tg_class(oi), conv(inp.params), **conv(dict(inp.kwargs)))
        if got.ok and e.error_on.name == "STEP_ERROR":
            got = call(got.value.step)
        if issubclass(e.error_type, Warning):
            verdict = _warned_like(got, e)
        else:
            verdict = same_error(got.error, e.error_type, e.error_regex, names)
        if verdict is None:
            res.ok(where)
        else:
            res.fail(where, desc, *verdict)
    return res


def _warned_like(got, e):
    import re

    if not got.ok:
        return raised(got.error), f"{first_line(got.error)}; torch warns {e.error_type.__name__}"
    for w in got.caught:
        if issubclass(w.category, e.error_type) and re.search(e.error_regex, str(w.message)):
            return None
    return "no warning", f"torch warns {e.error_type.__name__} /{e.error_regex}/"
