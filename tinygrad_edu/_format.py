"""Printing tensors exactly as torch does (a port of torch/_tensor_str.py for NumPy arrays).

Seed listings print tensors; matching torch's text (padding, 4 decimals, scientific mode,
``...`` summaries over 1000 elements) makes their output read the same on both.
"""

from __future__ import annotations

import math

import numpy as np

from . import dtype as _dt
from .backend import to_numpy
from .dtype import kind_of


class PrintOptions:
    """torch's PRINT_OPTS: digits after the point, the element count above which a tensor is
    summarized with "...", the items kept at each end when it is, the line width, and
    scientific notation (None: chosen per tensor, as torch's formatter does)."""

    precision, threshold, edgeitems, linewidth, sci_mode = 4, 1000, 3, 80, None


PRINT_OPTS = PrintOptions()
_PROFILES = {"default": (4, 1000, 3, 80), "short": (2, 1000, 2, 80),
             "full": (4, math.inf, 3, 80)}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None) -> None:
    """``torch.set_printoptions``: how tensors print from now on. ``profile`` ('default',
    'short', 'full') sets the first four at once, then any option given overrides it;
    ``sci_mode`` True/False forces scientific notation on or off (None: chosen per tensor).
    Raises KeyError for an unknown profile."""
    if profile is not None:
        (PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems,
         PRINT_OPTS.linewidth) = _PROFILES[profile]
    for name, value in (("precision", precision), ("threshold", threshold),
                        ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            setattr(PRINT_OPTS, name, value)
    PRINT_OPTS.sci_mode = sci_mode  # torch: None restores the automatic choice


class _Formatter:
    def __init__(self, a: np.ndarray):
        self.floating = kind_of(a.dtype) == "f"
        self.int_mode, self.sci_mode, self.max_width = True, False, 1
        flat = a.reshape(-1)
        if not self.floating:
            for v in flat.tolist():
                self.max_width = max(self.max_width, len(str(v)))
            return
        vals = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
        if vals.size == 0:
            return
        absv = np.abs(vals)
        vmin, vmax = absv.min(), absv.max()
        self.int_mode = bool(np.all(vals == np.ceil(vals)))
        self.sci_mode = vmax / vmin > 1000.0 or vmax > 1.0e8 or (
            not self.int_mode and vmin < 1.0e-4
        )
        if PRINT_OPTS.sci_mode is not None:
            self.sci_mode = PRINT_OPTS.sci_mode
        p = PRINT_OPTS.precision
        for v in vals.tolist():
            if self.sci_mode:
                s = f"{v:.{p}e}"
            elif self.int_mode:
                s = f"{v:.0f}" + "."
            else:
                s = f"{v:.{p}f}"
            self.max_width = max(self.max_width, len(s))

    def width(self) -> int:
        return self.max_width

    def format(self, value) -> str:
        if self.floating:
            p = PRINT_OPTS.precision
            if self.sci_mode:
                ret = f"{value:{self.max_width}.{p}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{value:.{p}f}"
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * " " + ret


def _summarized(a: np.ndarray) -> np.ndarray:
    e = PRINT_OPTS.edgeitems
    if a.ndim == 0:
        return a
    if a.ndim == 1:
        return np.concatenate([a[:e], a[-e:]]) if len(a) > 2 * e else a
    rows = list(range(e)) + list(range(len(a) - e, len(a))) if len(a) > 2 * e else range(len(a))
    return np.stack([_summarized(a[i]) for i in rows])


def _vector(a, indent, summarize, fmt) -> str:
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / (fmt.width() + 2)))
    if summarize and len(a) > 2 * PRINT_OPTS.edgeitems:
        data = [fmt.format(v) for v in a[:PRINT_OPTS.edgeitems].tolist()] + [" ..."] + [
            fmt.format(v) for v in a[-PRINT_OPTS.edgeitems:].tolist()]
    else:
        data = [fmt.format(v) for v in a.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _body(a, indent, summarize, fmt) -> str:
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _vector(a, indent, summarize, fmt)
    if summarize and len(a) > 2 * PRINT_OPTS.edgeitems:
        slices = [_body(a[i], indent + 1, summarize, fmt) for i in range(PRINT_OPTS.edgeitems)] + [
            "..."] + [_body(a[i], indent + 1, summarize, fmt)
                      for i in range(len(a) - PRINT_OPTS.edgeitems, len(a))]
    else:
        slices = [_body(a[i], indent + 1, summarize, fmt) for i in range(len(a))]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def tensor_str(a: np.ndarray, indent: int) -> str:
    if a.size == 0:
        return "[]"
    summarize = a.size > PRINT_OPTS.threshold
    fmt = _Formatter(_summarized(a) if summarize else a)
    return _body(a, indent, summarize, fmt)


def add_suffixes(body: str, suffixes: list, indent: int) -> str:
    out = [body]
    last = len(body) - body.rfind("\n") + 1
    for s in suffixes:
        if last + len(s) + 2 > PRINT_OPTS.linewidth:
            out.append(",\n" + " " * indent + s)
            last = indent + len(s)
        else:
            out.append(", " + s)
            last += len(s) + 2
    out.append(")")
    return "".join(out)


def format_tensor(a: np.ndarray, prefix: str, suffixes: list) -> str:
    indent = len(prefix)
    # torch measures the last line with the prefix on it ("tensor(" counts toward 80 columns)
    return add_suffixes(prefix + tensor_str(a, indent), suffixes, indent)


def tensor_repr(t) -> str:
    """``repr(t)`` in torch's style: the values, then device / size / dtype / grad_fn or
    requires_grad suffixes where torch prints them."""
    a = t._data if t.is_meta else to_numpy(t._data)
    suffixes = []
    if t.device.type != "cpu":
        suffixes.append("device='cuda:0'" if t.is_cuda else f"device='{t.device}'")
    meta = t.is_meta  # torch: no values, "..." and always the size
    if meta:
        suffixes.append(f"size={tuple(a.shape)}")
    elif a.size == 0 and a.ndim != 1:
        suffixes.append(f"size={tuple(a.shape)}")
    d, default = t.dtype, _dt.default_float()  # torch names every dtype but the default ones
    if d not in (default, _dt.int64, _dt.bool_) or ((meta or a.size == 0) and d is not default):
        suffixes.append(f"dtype={d!r}")
    if t._node is not None:
        suffixes.append(f"grad_fn=<{t._node.name()}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    if meta:
        return add_suffixes("tensor(...", suffixes, len("tensor("))
    return format_tensor(a, "tensor(", suffixes)
