"""Run one program against a library and compare two runs.

A program is run line by line in a namespace where ``torch`` is the library (torch itself, or
tinygrad_edu). After every line the runner snapshots every variable: a tensor's shape, dtype,
requires_grad, is_leaf, values, and (for leaves and retain_grad tensors) its ``.grad``. Since
every variable is looked at after every line, a write through a view that does not reach its
base (or reaches a tensor it should not) shows up on the line that made it. A line that raises
records the exception's nearest built-in type (RuntimeError, IndexError, ...) and the run goes on.

``compare`` returns the first difference, as a ``Mismatch``, with torch's and our snapshot.
Tolerances are torch.testing.assert_close's: float64 rtol = atol = 1e-7; float32 rtol 1.3e-6,
atol 1e-5·max(1, max|expected|); float16 1e-3; gradients ×10 (design §4).
"""

from __future__ import annotations

import builtins
import warnings
from dataclasses import dataclass

import numpy as np

PRELUDE = "W = lambda v: torch.arange(1, v.numel() + 1, dtype=v.dtype).reshape(v.shape).cos()"
_SKIP = {"torch", "W", "__builtins__"}
_TOL = {
    "float64": (1e-7, 1e-7),
    "float32": (1.3e-6, 1e-5),
    "float16": (1e-3, 1e-3),
    "bfloat16": (1.6e-2, 1e-2),
}


def namespace(mod) -> dict:
    ns = {"torch": mod}
    exec(PRELUDE, ns)
    return ns


def builtin_error(e: BaseException) -> str:
    """The nearest built-in exception class of ``e`` (torch's errors subclass RuntimeError etc.)."""
    for cls in type(e).__mro__:
        if getattr(builtins, cls.__name__, None) is cls:
            return cls.__name__
    return type(e).__name__


def _array(t) -> np.ndarray:
    t = t.detach()
    if hasattr(t, "cpu"):
        t = t.cpu()
    try:
        arr = t.numpy()
    except RuntimeError:  # torch's ZeroTensor (a create_graph gradient that is all zeros)
        arr = t.numpy(force=True)
    return np.array(arr, copy=True)


def _is_tensor(v) -> bool:
    return hasattr(v, "grad_fn") and hasattr(v, "dtype") and hasattr(v, "shape")


def snap(v):
    """A comparable snapshot of one variable (or the exception type that looking at it raises)."""
    try:
        return _snap(v)
    except Exception as e:  # torch refuses to show an invalidated multi-output view
        return {"unreadable": builtin_error(e)}


def _snap(v):
    if _is_tensor(v):
        leaf = bool(v.is_leaf)
        keep = leaf or bool(getattr(v, "retains_grad", False))
        g = v.grad if keep else None
        grad = None if g is None else (tuple(g.shape), str(g.dtype), _array(g))
        return {
            "shape": tuple(v.shape),
            "dtype": str(v.dtype),
            "requires_grad": bool(v.requires_grad),
            "is_leaf": leaf,
            "value": _array(v),
            "grad": grad,
        }
    if isinstance(v, (bool, int, float)):
        return {"number": (type(v).__name__, v)}
    return {"object": None}


def run(lines: list[str], mod) -> list[tuple]:
    """Run ``lines`` with ``torch`` bound to ``mod``: [(exception type, message, {name: "
    "snapshot})]."""
    ns = namespace(mod)
    codes = [compile(src, "<fuzz>", "exec") for src in lines]
    trace = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for code in codes:
            err = msg = None
            try:
                exec(code, ns)
            except Exception as e:  # the exception type is what is compared; the message is shown
                err, msg = builtin_error(e), str(e).split("\n")[0][:160]
            trace.append(
                (
                    err,
                    msg,
                    {
                        k: snap(v)
                        for k, v in ns.items()
                        if k not in _SKIP and not k.startswith("__")
                    },
                )
            )
    return trace


def close(
    expected: np.ndarray, actual: np.ndarray, dtype: str, factor: float = 1.0, floor: str = ""
) -> bool:
    """assert_close's rule for ``dtype``; ``floor``: a float dtype that bounds the tolerance below
    (a float64 tensor computed from float32 values carries float32 rounding)."""
    if expected.shape != actual.shape:
        return False
    name = dtype.replace("torch.", "")
    if name == "float64" and floor in _TOL:
        name = floor
    if name not in _TOL:
        return bool(np.array_equal(expected, actual))
    rtol, atol = _TOL[name]
    e, a = expected.astype(np.float64), actual.astype(np.float64)
    if name == "float32" and e.size:
        finite = np.abs(e[np.isfinite(e)])
        atol *= max(1.0, float(finite.max()) if finite.size else 1.0)
    return bool(np.allclose(a, e, rtol=rtol * factor, atol=atol * factor, equal_nan=True))


@dataclass
class Mismatch:
    category: (
        str  # exception, missing, shape, dtype, requires_grad, is_leaf, value, grad_none, grad, ...
    )
    line: int  # index of the line after which the difference first shows
    var: str  # the variable that differs ('' for an exception)
    expected: object  # torch's
    actual: object  # ours
    message: str = ""  # our exception's message (torch's where only torch raised; where both raised
    # the same type and a value differs: torch's, since a partial effect before the error differs)

    def describe(self) -> str:
        where = f"{self.category} at line {self.line} var {self.var or '-'}"
        return f"{where}: torch {self.expected!r} vs ours {self.actual!r}"


def _compare_snap(name: str, a: dict, b: dict, line: int, floor: str):
    if a.keys() != b.keys():
        unread = "unreadable" in a or "unreadable" in b
        return Mismatch("unreadable" if unread else "type", line, name, list(a), list(b))
    if "number" in a:
        (ta, va), (tb, vb) = a["number"], b["number"]
        ok = ta == tb and (
            va == vb or (isinstance(va, float) and np.isclose(va, vb, rtol=1e-6, equal_nan=True))
        )
        return None if ok else Mismatch("number", line, name, a["number"], b["number"])
    if "object" in a:
        return None
    if "unreadable" in a:
        return (
            None if a == b else Mismatch("unreadable", line, name, a["unreadable"], b["unreadable"])
        )
    for key in ("shape", "dtype", "requires_grad", "is_leaf"):
        if a[key] != b[key]:
            return Mismatch(key, line, name, a[key], b[key])
    if not close(a["value"], b["value"], a["dtype"], floor=floor):
        return Mismatch("value", line, name, a["value"], b["value"])
    ga, gb = a["grad"], b["grad"]
    if (ga is None) != (gb is None):
        return Mismatch("grad_none", line, name, ga and ga[2], gb and gb[2])
    if ga is not None:
        if ga[:2] != gb[:2]:
            return Mismatch(
                "grad_dtype" if ga[0] == gb[0] else "grad_shape", line, name, ga[:2], gb[:2]
            )
        if not close(ga[2], gb[2], ga[1], factor=10.0, floor=floor):
            return Mismatch("grad", line, name, ga[2], gb[2])
    return None


def compare(expected: list[tuple], actual: list[tuple]):
    """The first difference between torch's trace and ours, or None."""
    dtypes = {s.get("dtype") for _, _, snaps in expected for s in snaps.values()}
    floor = (
        "float16" if "torch.float16" in dtypes else "float32" if "torch.float32" in dtypes else ""
    )
    for i, ((ea, ma, sa), (eb, mb, sb)) in enumerate(zip(expected, actual)):
        if ea != eb:
            return Mismatch("exception", i, "", ea, eb, mb or ma or "")
        for name in sa:
            if name not in sb:
                return Mismatch("missing", i, name, "defined", "undefined")
            m = _compare_snap(name, sa[name], sb[name], i, floor)
            if m is not None:
                m.message = ma or ""  # both raised this (same type): what was done before differs
                return m
        for name in sb:
            if name not in sa:
                return Mismatch("missing", i, name, "undefined", "defined")
    return None


def run_pair(lines: list[str], ours):
    """Run ``lines`` with torch and with ``ours``; the first Mismatch, or None."""
    import torch

    return compare(run(lines, torch), run(lines, ours))
