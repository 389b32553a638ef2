"""Finite differences as the oracle where torch disowns its own derivative.

torch's OpInfo database marks some of its own gradient tests as expected failures or skips on
the CPU (``TestBwdGradients.test_fn_grad`` / ``test_fn_gradgrad``): as_strided_scatter's
backward is known wrong, ctc_loss has no double backward, scaled_dot_product_attention's CPU
flash kernel has none either. There torch's value is no oracle, so a tinygrad_edu derivative
that differs from it (or that exists where torch raises) is judged the way torch's own
``gradcheck(fast_mode=True)`` judges a derivative: against central finite differences of the
forward, in float64, along random directions.

For the scalar L(x) = Σₖ ⟨outₖ(x), uₖ⟩ with a random upstream u and a random direction d:

    ⟨∇L(x), d⟩  ≈  (L(x + h·d) − L(x − h·d)) / 2h,        h = 1e-6

must hold to gradcheck's tolerances (atol 1e-5, rtol 1e-3). For second derivatives the same is
done to M(x, u₁) = Σᵢ ⟨∂L/∂xᵢ, u₂ᵢ⟩ over (x, u₁), whose analytic gradient is the double
backward under test. A wrong derivative fails (its error is O(1)); three directions are drawn.
"""

from __future__ import annotations

import numpy as np
import torch

import tinygrad_edu as tg

from .autodiff import flat, grad_inputs, process_tg, tg_vjp
from .calls import seeded
from .convert import ToTg
from .referee import upcast

EPS, ATOL, RTOL, DIRECTIONS = 1e-6, 1e-5, 1e-3, 3


def disowned(op, check: str) -> bool:
    """Whether torch's OpInfo marks its own ``check`` gradient test (grad or gradgrad) as an
    expected failure or skip on the CPU in float64. A disowned first derivative disowns the
    second too: the double backward's derivative w.r.t. the upstream gradient *is* the first
    derivative."""
    tests = {"grad": ("test_fn_grad",), "gradgrad": ("test_fn_grad", "test_fn_gradgrad")}[check]
    for info in list(op.skips or ()) + list(op.decorators or ()):
        if getattr(info, "cls_name", None) != "TestBwdGradients":
            continue
        if getattr(info, "test_name", None) not in tests or info.device_type not in (None, "cpu"):
            continue
        if info.dtypes is not None and torch.float64 not in info.dtypes:
            continue
        if info.active_if is False:
            continue
        return True
    return False


def _vec(ts) -> np.ndarray:
    return np.concatenate([np.asarray(t.detach().numpy(), np.float64).ravel() for t in ts] or
                          [np.zeros(0)])


def fd_check(check: str, s, tg_fn, seed: int) -> tuple[str, str] | None:
    """None when tinygrad_edu's ``check`` derivative of sample ``s`` agrees with central finite
    differences (module docstring); else (kind, message)."""
    s64 = upcast(s)
    conv = ToTg()
    inp, args, kwargs = conv.sample(s64)
    xs = [conv.memo[id(t)] for t in grad_inputs(s64)]
    if not xs:
        return None
    fn = seeded(tg_fn, tg)  # random ops draw the same numbers at every evaluation

    def raw():
        return flat(process_tg(s64.output_process_fn_grad, fn(inp, *args, **kwargs)))

    every = raw()  # the differentiable outputs' positions, fixed by the first evaluation
    pos = [k for k, t in enumerate(every) if isinstance(t, tg.Tensor) and t.requires_grad]

    def outs():
        o = raw()
        return [o[k] for k in pos]

    rng = np.random.default_rng(seed)
    first = [every[k] for k in pos]
    u1 = [tg.tensor(rng.standard_normal(tuple(o.shape)), requires_grad=check == "gradgrad")
          for o in first]
    if check == "grad":
        analytic = tg_vjp(first, xs, u1)
        leaves = xs

        def value():
            with tg.no_grad():
                return sum(float((o * u).sum()) for o, u in zip(outs(), u1))
    else:
        g1 = list(tg_vjp(first, xs, u1, create_graph=True))
        keep = [i for i, g in enumerate(g1) if g is not None and g.requires_grad]
        if not keep:
            return None
        u2 = [tg.tensor(rng.standard_normal(tuple(g1[i].shape))) for i in keep]
        analytic = tg_vjp([g1[i] for i in keep], xs + u1, u2)
        leaves = xs + u1

        def value():
            g = tg_vjp(outs(), xs, u1)
            return sum(float((g[i] * u).sum()) for i, u in zip(keep, u2) if g[i] is not None)

    ana = _vec([a if a is not None else tg.zeros_like(x) for a, x in zip(analytic, leaves)])
    base = [x._data.copy() for x in leaves]
    for k in range(DIRECTIONS):
        d = [rng.standard_normal(b.shape) for b in base]
        vals = []
        for sign in (1.0, -1.0):
            for x, b, dx in zip(leaves, base, d):
                x._data[...] = b + sign * EPS * dx
            vals.append(value())
        for x, b in zip(leaves, base):
            x._data[...] = b
        num = (vals[0] - vals[1]) / (2 * EPS)
        got = float(ana @ np.concatenate([dx.ravel() for dx in d]))
        if not abs(got - num) <= ATOL + RTOL * abs(num):
            return "value", (f"{check} along random direction {k}: tg's derivative gives "
                             f"{got!r}, central finite differences {num!r} (torch disowns its "
                             f"own {check} here, so differences are the oracle)")
    return None
