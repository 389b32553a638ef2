"""Run a case's program with a library and compare torch's run with tinygrad_edu's.

``run(src, lib)`` executes the program with ``torch`` bound to ``lib`` and snapshots ``r`` (a
tensor, a tuple of tensors or a Python value), every input after the call (an in-place op or an
out= write must change exactly what torch's does) and, when there is a backward line, every
leaf's ``.grad``. A line that raises ends the run and records the exception's nearest built-in
class. ``compare(t, o)`` returns the first ``Mismatch`` between torch's snapshot ``t`` and ours:

- ``exception``: torch raised one type, we raised another; ``we-raise``: torch computed, we
  raised; ``no-raise``: torch raised, we computed (an in-place op whose result type cannot be
  cast to its destination must raise);
- ``dtype`` (exact), ``shape``, ``storage`` (our NumPy array's dtype is not the dtype we report);
- ``nan`` (nan positions), ``inf`` (±inf positions and signs), ``zero-sign`` (−0.0 vs 0.0 where
  both are zero), ``value``: torch.testing.assert_close's tolerances per dtype, exact for
  integers and bools (float16 rtol 1e-3 atol 1e-5; bfloat16 1.6e-2, 1e-5; float32 1.3e-6, 1e-5;
  float64 1e-7, 1e-7); gradients get ×10.
"""

from __future__ import annotations

import builtins
import math
import warnings
from dataclasses import dataclass

import numpy as np

from .values import np_dtype

PRELUDE = ("nan = float('nan'); inf = float('inf')\n"
           "W = lambda v: torch.arange(1, v.numel() + 1, dtype=v.dtype).reshape(v.shape).cos()")
TOL = {"float16": (1e-3, 1e-5), "bfloat16": (1.6e-2, 1e-5), "float32": (1.3e-6, 1e-5),
       "float64": (1e-7, 1e-7)}


@dataclass
class Mismatch:
    category: str
    where: str
    expected: str
    actual: str

    def __str__(self):
        return f"{self.category} at {self.where}: torch {self.expected} | ours {self.actual}"


def builtin_error(e: BaseException) -> str:
    for cls in type(e).__mro__:
        if getattr(builtins, cls.__name__, None) is cls:
            return cls.__name__
    return type(e).__name__


def _is_tensor(v) -> bool:
    return hasattr(v, "grad_fn") and hasattr(v, "dtype") and hasattr(v, "shape")


def _snap_tensor(t):
    dt = str(t.dtype).replace("torch.", "")
    t = t.detach()
    if type(t).__module__.startswith("torch"):   # torch: no bfloat16 NumPy, ZeroTensor grads
        raw, storage = None, None
        up = t.double() if dt.startswith("float") or dt == "bfloat16" else t
        raw = up.numpy(force=True)
    else:
        raw = t.numpy()
        storage = str(raw.dtype)
    if dt.startswith("float") or dt == "bfloat16":
        vals = raw.astype(np.float64)
    elif dt == "bool":
        vals = raw.astype(bool)
    elif dt.startswith("int") or dt.startswith("uint"):
        vals = raw.astype(np.int64)
    else:
        vals = raw
    return ("T", dt, tuple(int(s) for s in t.shape), np.array(vals, copy=True), storage)


def _snap(v):
    if _is_tensor(v):
        return _snap_tensor(v)
    if isinstance(v, (tuple, list)):
        return ("tuple", tuple(_snap(x) for x in v))
    if isinstance(v, (bool, int, float)):
        return ("py", type(v).__name__, v)
    return ("other", type(v).__name__)


def run(src: str, lib) -> dict:
    ns = {"torch": lib}
    exec(PRELUDE, ns)
    snap: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for line in src.split("\n"):
            try:
                exec(line, ns)
            except Exception as e:  # noqa: BLE001 - the exception type is what is compared
                snap["error"] = (builtin_error(e), line, f"{type(e).__name__}: {e}"[:300])
                break
    for k in sorted(ns):
        v = ns[k]
        if k == "r" or (len(k) <= 2 and _is_tensor(v)):
            snap[k] = _snap(v)
            if _is_tensor(v) and k.endswith("0") and v.grad is not None:
                snap[k + ".grad"] = _snap(v.grad)
    return snap


def _cmp_arrays(where, dt, e, a, scale=1.0, tol_dt=None):
    if e.dtype == bool or dt.startswith("int") or dt.startswith("uint") or dt == "bool":
        bad = np.flatnonzero(e.reshape(-1) != a.reshape(-1))
        if bad.size:
            i = bad[0]
            return Mismatch("value", where, f"{e.reshape(-1)[i]!r} at {i}", f"{a.reshape(-1)[i]!r}")
        return None
    e, a = e.reshape(-1), a.reshape(-1)
    en, an = np.isnan(e), np.isnan(a)
    if (en != an).any():
        i = np.flatnonzero(en != an)[0]
        return Mismatch("nan", where, f"{e[i]!r} at {i}", f"{a[i]!r}")
    ei, ai = np.isinf(e), np.isinf(a)
    if (ei != ai).any() or (e[ei] != a[ei]).any():
        i = np.flatnonzero((ei != ai) | (ei & (e != a)))[0]
        return Mismatch("inf", where, f"{e[i]!r} at {i}", f"{a[i]!r}")
    rtol, atol = TOL.get(tol_dt or dt, (1e-7, 1e-7))
    rtol, atol = rtol * scale, atol * scale
    fin = ~(en | ei)
    with np.errstate(all="ignore"):
        bad = fin & ~(np.abs(e - a) <= atol + rtol * np.abs(e))
    if bad.any():
        i = np.flatnonzero(bad)[0]
        return Mismatch("value", where, f"{e[i]!r} at {i}", f"{a[i]!r}")
    z = fin & (e == 0) & (a == 0) & (np.signbit(e) != np.signbit(a))
    if z.any():
        i = np.flatnonzero(z)[0]
        return Mismatch("zero-sign", where, f"{e[i]!r} at {i}", f"{a[i]!r}")
    return None


def _cmp(where, e, a, scale=1.0, tol_dt=None):
    if e[0] != a[0]:
        return Mismatch("type", where, e[0] + ":" + str(e[1]), a[0] + ":" + str(a[1]))
    if e[0] == "tuple":
        if len(e[1]) != len(a[1]):
            return Mismatch("type", where, f"{len(e[1])} items", f"{len(a[1])} items")
        for i, (x, y) in enumerate(zip(e[1], a[1])):
            m = _cmp(f"{where}[{i}]", x, y, scale)
            if m:
                return m
        return None
    if e[0] == "py":
        if e[1] != a[1]:
            return Mismatch("type", where, e[1], a[1])
        same = e[2] == a[2] or (isinstance(e[2], float) and math.isnan(e[2]) and math.isnan(a[2]))
        return None if same else Mismatch("value", where, repr(e[2]), repr(a[2]))
    if e[0] != "T":
        return None
    _, edt, eshape, evals, _ = e
    _, adt, ashape, avals, astorage = a
    if edt != adt:
        return Mismatch("dtype", where, edt, adt)
    if eshape != ashape:
        return Mismatch("shape", where, str(eshape), str(ashape))
    if astorage is not None and astorage != np.dtype(np_dtype(adt)).name:
        return Mismatch("storage", where, adt, astorage)
    return _cmp_arrays(where, edt, evals, avals, scale, tol_dt)


_ORDER = ["float64", "float32", "float16", "bfloat16"]


def _tol_dtype(t: dict, dt: str) -> str:
    """The loosest float dtype among a result's and the inputs' (x, y, z, c; int inputs count
    as float32, where a float result of them is computed): a float32 op written to a float64
    out= is float32-accurate."""
    worst = _ORDER.index(dt) if dt in _ORDER else -1
    for k in ("x0", "y0", "z0"):
        v = t.get(k)
        if v and v[0] == "T":
            d = v[1] if v[1] in _ORDER else "float32"
            worst = max(worst, _ORDER.index(d))
    return _ORDER[worst] if worst >= 0 else dt


def compare(t: dict, o: dict, loose: float = 1.0, zero_sign: bool = True) -> Mismatch | None:
    te, oe = t.get("error"), o.get("error")
    if te and oe:
        if te[1] != oe[1]:
            return Mismatch("exception", "line", te[1], oe[1])
        if te[0] != oe[0]:
            return Mismatch("exception", te[1], f"{te[0]} ({te[2]})", f"{oe[0]} ({oe[2]})")
        return None   # both raised the same type (torch may leave an out= tensor resized, unset)
    elif te:
        return Mismatch("no-raise", te[1], f"{te[0]} ({te[2]})", "computed")
    elif oe:
        return Mismatch("we-raise", oe[1], "computed", oe[2])
    keys = sorted(set(t) | set(o) - {"error"}, key=lambda k: (k != "r", k))
    for k in keys:
        if k == "error":
            continue
        if k not in t or k not in o:
            return Mismatch("missing", k, str(k in t), str(k in o))
        m = _cmp(k, t[k], o[k], (10.0 if k.endswith(".grad") else 1.0) * loose,
                 _tol_dtype(t, t[k][1]) if k in ("r", "o", "o0") and t[k][0] == "T" else None)
        if m and m.category == "zero-sign" and not zero_sign:
            continue
        if m:
            if k.endswith(".grad"):
                m.category = "grad-" + m.category
            return m
    return None


def run_pair(src: str, ours, loose: float = 1.0,
             zero_sign: bool = True) -> tuple[Mismatch | None, dict, dict]:
    """Run ``src`` with torch and with ``ours``; ``loose`` multiplies the value tolerances (the
    special functions: torch's Cephes float32 kernels are a few ulps from NumPy/SciPy's);
    ``zero_sign=False`` accepts 0.0 for -0.0 (a max/min tie of ±0, which torch resolves one way
    in its scalar loop and the other in its vector lanes: no oracle)."""
    import torch
    t = run(src, torch)
    o = run(src, ours)
    return compare(t, o, loose, zero_sign), t, o


def assert_like_torch(kind: str, src: str, word: str | None, ours) -> None:
    """The regression check of a fixed kind: ``src`` behaves under ``ours`` as under torch (the
    same exception type, or the same values); where torch raises, our message holds ``word``."""
    m, t, o = run_pair(src, ours)
    assert m is None, f"{kind}: {m}\n{src}"
    if word is not None:
        assert "error" in o, "torch raises here: so must ours"
        assert word in o["error"][2], o["error"][2]
