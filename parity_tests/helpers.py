"""Shared machinery of the parity tests: conversion, tolerant comparison with error records,
and a small central-difference gradient checker.

The parity error log
--------------------
Every comparison made through :func:`assert_close` records its measured error in ``ERRORS``;
``conftest.pytest_sessionfinish`` writes it to ``parity_tests/.results/parity_errors.json``::

    {
      "format": 1,
      "torch": "2.13.0", "numpy": "2.4.0", "hypothesis_profile": "ci",
      "tolerance": {"float64": {...}, "float32": {...}},      # the rules of docs/design.md §4
      "ops": {
        "<spec id>": {                                       # e.g. "add", "pow[scalar_exp]"
          "<dtype>": {                                       # "float32" | "float64"
            "<backend>": {                                   # "numpy" | "cupy"
              "<check>": {                                   # forward | grad | gradcheck |
                                                             # special
                "max_abs": float,        # max |ours - torch| over finite elements
                "max_rel": float,        # max |ours - torch| / max(|torch|, atol)
                "max_tol_ratio": float,  # max |ours - torch| / (atol + rtol |torch|); <= 1 passes
                "n": int                 # comparisons made (arrays, over all examples)
              }}}}}
    }

For ``gradcheck`` the reference is the finite-difference estimate, not torch.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

import tinygrad_edu as tg
from tinygrad_edu.backend import to_numpy

ERRORS: dict = {}

# docs/design.md §4 tolerances: (rtol, atol) before scaling atol by max(1, max|expected|)
# float16 only comes out of casts (``half()``), which round identically in NumPy and torch:
# it is compared bit for bit (no tolerance at all).
TOL = {"float64": (1e-7, 1e-7), "float32": (1.3e-6, 1e-5), "float16": (0.0, 0.0)}
GRAD_FACTOR = 10.0


# ------------------------------------------------------------------------------ conversion ---
def to_tg(x, backend: str = "numpy", requires_grad: bool = False):
    """A tinygrad_edu tensor holding a copy of ``x`` on ``backend``."""
    t = tg.tensor(np.array(x, copy=True))
    if backend == "cupy":
        t = t.to("cuda")
    if requires_grad:
        t.requires_grad_(True)
    return t


def to_torch(x, requires_grad: bool = False):
    t = torch.from_numpy(np.array(x, copy=True))
    if requires_grad:
        t.requires_grad_(True)
    return t


def tg_np(t) -> np.ndarray:
    """The value of a tinygrad_edu tensor (any device) as a host NumPy array."""
    return to_numpy(t._data)


def th_np(t) -> np.ndarray:
    return t.detach().cpu().numpy()


def flatten_outputs(out) -> list:
    """An op's result as a flat list (a tensor, or a tuple/list/namedtuple of them)."""
    if isinstance(out, (tuple, list)):
        res = []
        for o in out:
            res.extend(flatten_outputs(o))
        return res
    return [out]


# ------------------------------------------------------------------------------ comparison ---
def _dtype_name(a: np.ndarray) -> str:
    return str(a.dtype)


def measure(actual: np.ndarray, expected: np.ndarray, rtol: float, atol) -> dict:
    """Errors of ``actual`` vs ``expected`` over the elements finite in both."""
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    fin = np.isfinite(a) & np.isfinite(e)
    if not fin.any():
        return {"max_abs": 0.0, "max_rel": 0.0, "max_tol_ratio": 0.0}
    if np.ndim(atol):  # a per-element absolute tolerance (assert_close's ``bound``)
        atol = np.broadcast_to(atol, a.shape)[fin]
    d = np.abs(a[fin] - e[fin])
    ae = np.abs(e[fin])
    return {
        "max_abs": float(d.max()),
        "max_rel": float((d / np.maximum(ae, atol)).max()),
        "max_tol_ratio": float((d / (atol + rtol * ae)).max()),
    }


def record_error(op: str, dtype: str, backend: str, check: str, m: dict) -> None:
    slot = ERRORS.setdefault(op, {}).setdefault(dtype, {}).setdefault(backend, {})
    cur = slot.get(check)
    if cur is None:
        slot[check] = {**m, "n": 1}
    else:
        for k in ("max_abs", "max_rel", "max_tol_ratio"):
            cur[k] = max(cur[k], m[k])
        cur["n"] += 1


def write_errors(path: Path) -> None:
    import os

    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "format": 1,
        "torch": torch.__version__,
        "numpy": np.__version__,
        "hypothesis_profile": os.environ.get("HYPOTHESIS_PROFILE")
        or ("ci" if os.environ.get("CI") else "dev"),
        "tolerance": {
            k: {
                "rtol": r,
                "atol": a,
                "atol_scaled_by": "max(1, max|expected|)",
                "grad_factor": GRAD_FACTOR,
            }
            for k, (r, a) in TOL.items()
            if k != "float16"
        },
        "ops": ERRORS,
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, indent=1, sort_keys=True))
    tmp.replace(path)


def tolerances(dtype: str, expected: np.ndarray, factor: float = 1.0) -> tuple[float, float]:
    rtol, atol = TOL.get(dtype, TOL["float64"])
    e = np.asarray(expected)
    if e.dtype.kind in "fc" and e.size:
        fin = np.abs(e[np.isfinite(e)])
        scale = max(1.0, float(fin.max())) if fin.size else 1.0
    else:
        scale = 1.0
    return rtol * factor, atol * scale * factor


def assert_close(
    actual,
    expected,
    *,
    op: str,
    what: str,
    dtype: str,
    backend: str,
    check: str = "forward",
    factor: float = 1.0,
    exact_dtype: bool = True,
    record: bool = True,
    bound=None,
) -> None:
    """Assert ``actual`` (ours) matches ``expected`` (torch): shape, dtype, values (nan and inf
    in the same places), within docs/design.md §4 tolerances times ``factor``.

    ``bound`` (an array broadcastable to the output), when given, raises the absolute tolerance
    to it elementwise: the error bound of an ill-conditioned result (a dot product whose terms
    cancel, where every summation order gives another answer; OpSpec.special_bound).
    The message names the op, the output/input (``what``), dtype, backend and errors.
    """
    a, e = np.asarray(actual), np.asarray(expected)
    where = f"{op} [{what}] dtype={dtype} backend={backend} check={check}"
    ref = "finite-difference" if check == "gradcheck" else "torch"
    if a.shape != e.shape:
        raise AssertionError(f"{where}: shape {a.shape} != torch {e.shape}")
    if exact_dtype and a.dtype != e.dtype:
        raise AssertionError(f"{where}: dtype {a.dtype} != torch {e.dtype}")
    if e.dtype.kind not in "fc":
        if not np.array_equal(a, e):
            bad = np.argwhere(a != e)[:5].tolist()
            raise AssertionError(f"{where}: values differ at {bad}\nours={a}\ntorch={e}")
        return
    if e.dtype == np.float16:  # casts round identically: exact, nan and -0.0 included
        same = (a == e) | (np.isnan(a) & np.isnan(e))
        same &= (np.signbit(a) == np.signbit(e)) | np.isnan(e)
        if not same.all():
            bad = np.argwhere(~same)[:5].tolist()
            raise AssertionError(f"{where}: float16 values differ (exact comparison) at {bad}"
                                 f"\nours={a}\ntorch={e}")
        if record:
            record_error(op, dtype, backend, check, {"max_abs": 0.0, "max_rel": 0.0,
                                                     "max_tol_ratio": 0.0})
        return
    rtol, atol = tolerances(str(e.dtype) if exact_dtype else dtype, e, factor)
    if bound is not None:
        atol = np.maximum(atol, np.broadcast_to(np.asarray(bound, dtype=np.float64), e.shape))
    a64, e64 = a.astype(np.float64), e.astype(np.float64)
    nan_a, nan_e = np.isnan(a64), np.isnan(e64)
    if not np.array_equal(nan_a, nan_e):
        bad = np.argwhere(nan_a != nan_e)[:5].tolist()
        raise AssertionError(f"{where}: nan positions differ at {bad}\nours={a}\ntorch={e}")
    inf_a, inf_e = np.isinf(a64), np.isinf(e64)
    if not np.array_equal(np.where(inf_a, a64, 0), np.where(inf_e, e64, 0)):
        bad = np.argwhere((inf_a != inf_e) | (inf_a & (a64 != e64)))[:5].tolist()
        raise AssertionError(f"{where}: inf positions differ at {bad}\nours={a}\ntorch={e}")
    m = measure(a64, e64, rtol, atol)
    if record:
        record_error(op, dtype, backend, check, m)
    if m["max_tol_ratio"] > 1.0:
        fin = np.isfinite(a64) & np.isfinite(e64)
        d = np.where(fin, np.abs(a64 - e64) - (atol + rtol * np.abs(e64)), -np.inf)
        idx = np.unravel_index(int(np.argmax(d)), d.shape) if d.ndim else ()
        raise AssertionError(
            f"{where}: max abs err {m['max_abs']:.3g}, max rel err {m['max_rel']:.3g} "
            f"(rtol={rtol:.2g}, atol={float(np.max(atol)):.2g}); worst at {list(idx)}: "
            f"ours={a64[idx]!r} "
            f"{ref}={e64[idx]!r}\nours={a}\n{ref}={e}"
        )


# -------------------------------------------------------------------- finite differences -----
def numerical_grads(
    f, inputs: list[np.ndarray], upstream: list[np.ndarray], eps: float = 1e-6
) -> list[np.ndarray]:
    """Central differences of L(x) = Σ_k <f(x)_k, upstream_k> w.r.t. each float64 input.

    ``f(*inputs) -> list of arrays`` must be a pure function of the input arrays.
    """

    def loss(xs):
        outs = f(*xs)
        return float(sum(np.sum(o.astype(np.float64) * u) for o, u in zip(outs, upstream)))

    grads = []
    for i, x in enumerate(inputs):
        g = np.zeros_like(x, dtype=np.float64)
        flat = g.reshape(-1)
        for j in range(x.size):
            xs = [np.array(v, copy=True) for v in inputs]
            xp = xs[i].reshape(-1)
            h = eps * max(1.0, abs(float(xp[j])))
            orig = xp[j]
            xp[j] = orig + h
            fp = loss(xs)
            xp[j] = orig - h
            fm = loss(xs)
            flat[j] = (fp - fm) / (2 * h)
        grads.append(g)
    return grads


# ---- the op fuzzer's fixed kinds (test_fix17/19): torch's outcome against ours ----------------
def outcome(fn, m):
    """fn(m)'s result as (dtype, values), or its exception as (type, message)."""
    try:
        r = fn(m)
    except Exception as e:  # noqa: BLE001 - the exception is what is compared
        return type(e), str(e)
    if isinstance(r, tuple):
        r = r[0]
    return str(r.dtype).replace("torch.", ""), repr(r.tolist())  # (nan equals nan here)


def same_as_torch(fn, *words):
    """fn(tg) does what fn(torch) does: the same exception type (our message naming each of
    ``words``), or the same dtype and values."""
    want, got = outcome(fn, torch), outcome(fn, tg)
    if isinstance(want[0], type):
        assert got[0] is want[0], f"torch raised {want}, we gave {got}"
        for w in words:
            assert w in got[1], f"{w!r} not in our message {got[1]!r}"
    else:
        assert got == want
