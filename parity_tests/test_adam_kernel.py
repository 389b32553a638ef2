"""Adam's one-pass kernel (optim/_adam_kernel.py) gives the NumPy path's floats, bit for bit.

Three ways of one update are compared, several steps, every state array:
- ``optim.adam.reference`` (plain expressions, new arrays each line);
- ``Adam.step`` on its NumPy path (13 in-place passes);
- ``Adam.step`` on the compiled kernel (numba; skipped where numba is not installed), and the
  kernel's Python source run as plain Python on NumPy scalars (no numba needed), which is what
  numba compiles.
No timing here: speed lives in the benchmark.
"""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.optim import _adam_kernel
from tinygrad_edu.optim import adam as adam_mod

CASES = [
    {},
    {"weight_decay": 0.1},
    {"maximize": True},
    {"weight_decay": 0.1, "maximize": True},
    {"amsgrad": True},
    {"weight_decay": 0.05, "decoupled_weight_decay": True},
    {"weight_decay": 0.05, "decoupled_weight_decay": True, "amsgrad": True, "maximize": True},
    {"betas": (0.3, 0.9)},  # 1 - β1 >= 0.5: torch's other lerp branch
    {"betas": (0.3, 0.9), "amsgrad": True, "eps": 0.0},
]
IDS = [str(k) for k in CASES]
SHAPES = [(7, 5), (5,), (3, 4, 2), ()]


def _grads(dtype, steps=4, special=False):
    r = np.random.RandomState(0)
    gs = [[(np.asarray(r.randn(*s)) * 10.0 ** r.randint(-3, 3)).astype(dtype) for s in SHAPES]
          for _ in range(steps)]
    if special:  # zeros (0/eps, 0/0 with eps=0), a nan and an inf in the gradient
        gs[0][0][0, :2] = 0
        gs[1][0][1, 0] = np.nan
        gs[2][0][2, 1] = np.inf
        gs[1][2][0, 0, 0] = -np.inf
    return gs


def _run_adam(kw, dtype, path, monkeypatch, special=False):
    """Adam.step on the chosen path; returns [(p, m, v, vmax)] after each step."""
    if path == "numpy":
        monkeypatch.setattr(_adam_kernel, "_KERNELS", {"adam_elementwise": None})
    elif _adam_kernel.kernel() is None:
        pytest.skip("numba is not installed: the compiled kernel is not used")
    r = np.random.RandomState(1)
    params = [tg.tensor(np.asarray(r.randn(*s)).astype(dtype), requires_grad=True) for s in SHAPES]
    opt = tg.optim.Adam(params, lr=0.01, **kw)
    out = []
    with np.errstate(all="ignore"):
        for gs in _grads(dtype, special=special):
            for p, g in zip(params, gs):
                p.grad = tg.tensor(g)
            opt.step()
            out.append([(p._data.copy(), opt.state[p]["exp_avg"]._data.copy(),
                         opt.state[p]["exp_avg_sq"]._data.copy(),
                         opt.state[p]["max_exp_avg_sq"]._data.copy() if kw.get("amsgrad")
                         else None) for p in params])
    return out


def _run_reference(kw, dtype, special=False):
    r = np.random.RandomState(1)
    st = [[np.asarray(r.randn(*s)).astype(dtype)] for s in SHAPES]
    for s in st:
        s += [np.zeros_like(s[0]), np.zeros_like(s[0]),
              np.zeros_like(s[0]) if kw.get("amsgrad") else None]
    out = []
    with np.errstate(all="ignore"):
        for step, gs in enumerate(_grads(dtype, special=special), 1):
            for s, g in zip(st, gs):
                s[:] = adam_mod.reference(
                    s[0], g, s[1], s[2], s[3], step, 0.01, kw.get("betas", (0.9, 0.999)),
                    kw.get("eps", 1e-8), kw.get("weight_decay", 0), kw.get("amsgrad", False),
                    kw.get("maximize", False), kw.get("decoupled_weight_decay", False))
            out.append([tuple(np.asarray(a) if a is not None else None for a in s)
                        for s in st])
    return out


def _assert_same(got, want, what):
    for step, (gs, ws) in enumerate(zip(got, want), 1):
        for i, (g, w) in enumerate(zip(gs, ws)):
            for name, a, b in zip(("param", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"), g, w):
                if b is None:
                    continue
                assert a.dtype == b.dtype, f"{what}: {name} dtype {a.dtype} != {b.dtype}"
                np.testing.assert_array_equal(
                    a, b, err_msg=f"{what}: step {step}, param {i} {SHAPES[i]}, {name}")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kw", CASES, ids=IDS)
@pytest.mark.parametrize("path", ["numpy", "kernel"])
def test_adam_step_equals_reference_bitwise(kw, dtype, path, monkeypatch):
    _assert_same(_run_adam(kw, dtype, path, monkeypatch), _run_reference(kw, dtype),
                 f"Adam {path} path vs reference ({kw}, {dtype.__name__})")


@pytest.mark.parametrize("kw", [{}, {"amsgrad": True}, {"amsgrad": True, "eps": 0.0},
                                {"betas": (0.3, 0.9), "maximize": True}])
def test_kernel_equals_numpy_path_with_nan_inf_and_zeros(kw, monkeypatch):
    """nan/inf gradients and 0/0 (eps=0): the kernel's max and divisions behave as NumPy's."""
    want = _run_adam(kw, np.float32, "numpy", monkeypatch, special=True)
    monkeypatch.setattr(_adam_kernel, "_KERNELS", {})  # undo the NumPy-path patch
    got = _run_adam(kw, np.float32, "kernel", monkeypatch, special=True)
    _assert_same(got, want, f"kernel vs NumPy path with nan/inf ({kw})")


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "numba"])
@pytest.mark.parametrize("amsgrad,small", [(False, True), (True, True), (True, False)])
def test_kernel_source_equals_reference(amsgrad, small, compiled):
    """The loop numba compiles gives the reference's floats, run as plain Python on float32
    scalars (checked even where numba is not installed) and compiled. The state holds a nan in
    v at one element and in v̂max at another (np.maximum gives nan for either)."""
    fn = _adam_kernel.kernel() if compiled else _adam_kernel.adam_elementwise
    if fn is None:
        pytest.skip("numba is not installed")
    r = np.random.RandomState(2)
    n = 64
    p, d, m = (r.randn(n).astype(np.float32) for _ in range(3))
    v = np.abs(r.randn(n)).astype(np.float32)
    vmax = (v * r.uniform(0.5, 1.5, n)).astype(np.float32)
    d[:3] = [0, np.nan, np.inf]
    v[3] = np.nan
    vmax[4] = np.nan
    beta1, beta2, lr, eps, step = (0.9 if small else 0.3), 0.999, 0.01, 1e-8, 3
    with np.errstate(all="ignore"):
        want = adam_mod.reference(p, d, m, v, vmax if amsgrad else None, step, lr,
                                  (beta1, beta2), eps, amsgrad=amsgrad)
    f = np.float32
    w = 1 - beta1
    args = (amsgrad, small, f(w if small else 1 - w), f(beta2), f(1 - beta2),
            f(-lr / (1 - beta1**step)), f((1 - beta2**step) ** 0.5), f(eps))
    p2, m2, v2, vmax2 = p.copy(), m.copy(), v.copy(), vmax.copy()
    with np.errstate(all="ignore"):
        fn(p2, d, m2, v2, vmax2 if amsgrad else v2, *args)
    for name, a, b in zip(("param", "exp_avg", "exp_avg_sq", "max"), (p2, m2, v2, vmax2), want):
        if b is not None:
            np.testing.assert_array_equal(a, b, err_msg=f"adam_elementwise: {name}")


def test_kernel_skips_what_it_cannot_take():
    """Non-contiguous, mixed-dtype, float16, mis-sized or read-only arrays take the NumPy path."""
    a = np.zeros((4, 6), np.float32)
    assert _adam_kernel.flat_views(a, a.copy())[0].shape == (24,)
    assert np.shares_memory(_adam_kernel.flat_views(a, a.copy())[0], a)
    assert _adam_kernel.flat_views(a, a.T.copy().T) is None  # Fortran order
    assert _adam_kernel.flat_views(a, a.astype(np.float64)) is None
    assert _adam_kernel.flat_views(a.astype(np.float16), a.astype(np.float16)) is None
    assert _adam_kernel.flat_views(a, np.zeros(23, np.float32)) is None
    ro = a.copy()
    ro.flags.writeable = False
    assert _adam_kernel.flat_views(a, ro) is None


def test_noncontiguous_param_still_matches_reference(monkeypatch):
    """A parameter that is a transposed view takes the NumPy path and gives the same floats."""
    r = np.random.RandomState(3)
    base = r.randn(5, 7).astype(np.float32)
    p = tg.tensor(base.copy(), requires_grad=True)
    p._data = p._data.T  # (7, 5), not C-contiguous
    g = r.randn(7, 5).astype(np.float32)
    opt = tg.optim.Adam([p], lr=0.01)
    p.grad = tg.tensor(g)
    opt.step()
    want = adam_mod.reference(base.T, g, np.zeros_like(g), np.zeros_like(g), None, 1, 0.01,
                              (0.9, 0.999), 1e-8)
    np.testing.assert_array_equal(p._data, want[0])


def test_a_numba_that_cannot_compile_leaves_the_numpy_path(monkeypatch):
    """numba installed but failing (an unsupported version, say): a RuntimeWarning, kernel None,
    and Adam still steps (on its NumPy passes)."""
    import types

    def njit(**options):
        def deco(fn):
            def broken(*args):
                raise TypeError("cannot compile")
            return broken
        return deco

    monkeypatch.setitem(__import__("sys").modules, "numba", types.SimpleNamespace(njit=njit))
    monkeypatch.setattr(_adam_kernel, "_KERNELS", {})
    monkeypatch.delenv("TINYGRAD_EDU_NUMBA", raising=False)
    with pytest.warns(RuntimeWarning, match="could not compile the Adam kernel"):
        assert _adam_kernel.kernel() is None
    p = tg.tensor(np.ones(3, np.float32), requires_grad=True)
    p.grad = tg.tensor(np.ones(3, np.float32))
    tg.optim.Adam([p], lr=0.1).step()
    np.testing.assert_allclose(p.detach().numpy(), 0.9, rtol=1e-6)


def test_env_switch_turns_the_kernel_off(monkeypatch):
    monkeypatch.setenv("TINYGRAD_EDU_NUMBA", "0")
    monkeypatch.setattr(_adam_kernel, "_KERNELS", {})
    assert _adam_kernel.kernel() is None
