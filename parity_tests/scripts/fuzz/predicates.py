"""Predicates on program lines and mismatches that known.py's kinds use: which lines trip a
kind (for the generator's ``--avoid`` and the classifier), and last checks on the values."""

from __future__ import annotations

import re

import numpy as np


def _recv(src: str, method: str):
    """The variable names in front of ``.method(`` in ``src``."""
    return re.findall(r"(\w+)(?:\[[^\]]*\])?\." + method + r"\(", src)


def _dim(ns, name, default=99):
    v = ns.get(name)
    try:
        return v.dim()
    except Exception:
        return default


def _identity_view(src, ns):
    if any(_dim(ns, x) < 2 for x in _recv(src, "t")):
        return True
    if re.search(r"\.expand\((-1(, )?)+\)", src) or ".expand_as(" in src:
        return True
    return any(_dim(ns, x) == 1 for x in _recv(src, "flatten"))


def _empty_join(src, ns):
    m = re.search(r"torch\.(cat|stack)\(\[?\(?([\w, .()]+)", src)
    if not m:
        return False
    names = re.findall(r"\b([a-z]\w*)\b", m.group(2))
    return any(getattr(ns.get(n), "numel", lambda: 1)() == 0 for n in names)


def _int_dest(src, ns):
    m = re.match(r"(?:\w+ = )?(\w+)", src)
    v = ns.get(m.group(1)) if m else None
    try:
        return ("] = " in src or "_(" in src) and not v.is_floating_point()
    except Exception:
        return False


def _shares_storage(src, ns):
    """An in-place line (setitem or x.op_()) whose other operands share the target's memory."""
    m = re.match(r"(?:\w+ = )?(\w+)[^=]*(\] = |_\()", src)
    if not m or m.group(1) not in ns:
        return False
    target, others = m.group(1), re.findall(r"\b([a-z]\w*)\b", src[m.end(1) :])
    if target in others:
        return True
    try:
        ptr = ns[target].untyped_storage().data_ptr()
        return any(
            ns[o].untyped_storage().data_ptr() == ptr
            for o in others
            if hasattr(ns.get(o), "untyped_storage")
        )
    except Exception:
        return False


def _ours_nan_where_torch_not(m, lines=()):
    try:
        e, a = np.asarray(m.expected, dtype=float), np.asarray(m.actual, dtype=float)
        bad = np.isnan(a) & ~np.isnan(e)
        return bool(bad.any()) and bool(
            np.allclose(e[~bad], a[~bad], rtol=1e-5, atol=1e-6, equal_nan=True)
        )
    except Exception:
        return False


def _close(m, rtol, lines=()):
    try:
        return bool(
            np.allclose(
                np.asarray(m.expected, float),
                np.asarray(m.actual, float),
                rtol=rtol,
                atol=rtol,
                equal_nan=True,
            )
        )
    except Exception:
        return False


def _special_only(m, lines=()):
    """The values differ only where one side is nan or ±inf."""
    try:
        e, a = np.asarray(m.expected, dtype=float), np.asarray(m.actual, dtype=float)
        special = ~np.isfinite(e) | ~np.isfinite(a)
        return bool(np.allclose(e[~special], a[~special], rtol=1e-5, atol=1e-6))
    except Exception:
        return False


def _stride0(src, ns):
    return any(
        0 in getattr(ns.get(x), "stride", lambda: ())() for x in re.findall(r"median\((\w+)", src)
    )


def _nan_rule(m, lines):
    """Ours is nan where torch is not, or the program holds a nan literal and few entries differ
    (a NaN input takes another branch: hardtanh's gradient at nan is 0 in torch, g in ours)."""
    if _ours_nan_where_torch_not(m):
        return True
    try:
        e, a = np.asarray(m.expected, dtype=float), np.asarray(m.actual, dtype=float)
        differ = ~np.isclose(e, a, rtol=1e-6, atol=1e-9, equal_nan=True)
        return any("nan" in s for s in lines) and 0 < differ.sum() <= max(1, e.size // 3)
    except Exception:
        return False
