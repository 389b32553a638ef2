"""Naming tensors for display: from a model's parameters, an explicit mapping, or the
variable names in the caller's frame (so ``a``, ``b``, ``z`` print as ``a``, ``b``, ``z``)."""

from __future__ import annotations

import numpy as np

from ..backend import to_numpy
from ..tensor import Tensor


def collect_names(model=None, params=None, names=None, frame=None) -> dict:
    """Map ``id(tensor)`` and ``id(node)`` to a display name.

    Priority: ``names`` ({name: tensor}) > ``params`` ({name: tensor} or named_parameters
    pairs) > ``model.named_parameters()`` > local variables of ``frame``.
    """
    out: dict = {}

    def add(name, t):
        if isinstance(t, Tensor):
            out.setdefault(id(t), name)
            if t._node is not None:
                out.setdefault(id(t._node), name)

    for name, t in (names or {}).items():
        add(name, t)
    if params is not None:
        items = params.items() if hasattr(params, "items") else params
        for name, t in items:
            add(name, t)
    if model is not None and hasattr(model, "named_parameters"):
        for name, t in model.named_parameters():
            add(name, t)
    if frame is not None:
        for name, t in list(frame.f_locals.items()):
            if not name.startswith("_"):
                add(name, t)
    return out


def fmt_array(a, max_numel: int = 16, precision: int = 4) -> str:
    """Small arrays in full (torch-like), big ones as a one-line summary."""
    if a is None:
        return "None"
    a = to_numpy(a)
    if a.size <= max_numel:
        if a.ndim == 0:
            return _num(a.item(), precision)
        return np.array2string(
            a,
            separator=", ",
            precision=precision,
            suppress_small=True,
            max_line_width=100,
            floatmode="maxprec",
        ).replace("\n", "")
    finite = a[np.isfinite(a)] if a.dtype.kind == "f" else a
    mean = float(finite.mean()) if finite.size else float("nan")
    amax = float(np.abs(finite).max()) if finite.size else float("nan")
    return f"<{list(a.shape)}: mean {mean:.4g}, max|·| {amax:.4g}>"


def _num(v, precision: int) -> str:
    if isinstance(v, float):
        s = f"{v:.{precision}f}".rstrip("0")
        return s + "0" if s.endswith(".") else s
    return str(v)
