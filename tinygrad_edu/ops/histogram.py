"""Counting: bincount, histc, histogram, histogramdd. No gradient (torch has none either).

The binning follows torch's CPU kernel: an element outside [first edge, last edge] (or NaN) is
skipped; with evenly spaced edges its bin is ⌊(x − left)·bins / (right − left)⌋ computed in the
input's dtype (``histogram`` then checks the neighbouring edges, as torch does); with given
edges, the last edge ≤ x; the rightmost bin includes its right edge. Counts and weights add up
in the input's dtype, element by element in order.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from .._args import no_kernel, require_int, require_tensor
from ..backend import get_array_module, scatter_add, to_numpy
from ..dtype import kind_of
from ..tensor import Tensor
from ._out import honour_out


def _return_type(name):
    base = namedtuple(name, ["hist", "bin_edges"])

    def __repr__(self):
        return f"torch.return_types.{name}(\nhist={self.hist!r},\nbin_edges={self.bin_edges!r})"

    return type(name, (base,), {"__slots__": (), "__repr__": __repr__, "__str__": __repr__})


histogram_type, histogramdd_type = _return_type("histogram"), _return_type("histogramdd")


def bincount(input, weights=None, minlength=0):
    """``torch.bincount``: out[v] = how many times v occurs in the 1-D non-negative integer
    ``input`` (or the sum of ``weights`` at those positions); length max(input) + 1, at least
    ``minlength``. dtype: int64; with weights their float dtype (float64 for other weights).
    Raises RuntimeError for other inputs, NotImplementedError for a float or bool input.

    Shapes: input (N,) → (max(input) + 1,), at least ``minlength``; ``weights`` (N,).
    Raises TypeError when ``input`` or ``weights`` is not a Tensor, or ``minlength`` not an int.
    """
    require_tensor(input, "bincount")
    if weights is not None:
        require_tensor(weights, "bincount", "weights", 2)
    require_int(minlength, "bincount", "minlength", 3)
    a = input._data
    xp = get_array_module(a)
    no_kernel(input, "bincount_cpu", "fb")
    if a.ndim != 1 or kind_of(a.dtype) not in "iub" or (a.size and bool((a < 0).any())):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    n = max(int(a.max()) + 1 if a.size else 0, int(minlength))
    if weights is None:
        return Tensor._wrap(xp.bincount(a, minlength=n).astype(np.int64))
    w = weights._data
    if w.ndim != 1 or w.shape[0] != a.shape[0]:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    w = w if w.dtype == np.float32 else w.astype(np.float64)
    out = xp.zeros(n, w.dtype)
    scatter_add(out, (a.astype(np.int64),), w)  # in order, in the weights' dtype (torch)
    return Tensor._wrap(out)


def _linspace(left: float, right: float, n: int, dtype):
    """torch's CPU linspace: start + step·i for the first half, end − step·(n − 1 − i) for
    the second, with step = (end − start)/(n − 1), in ``dtype``."""
    t = np.dtype(dtype).type
    start, end = t(left), t(right)
    if n == 1:
        return np.array([start], dtype)
    i = np.arange(n)
    with np.errstate(all="ignore"):  # a range wider than the dtype: inf step, as torch's
        step = (end - start) / t(n - 1)
        return np.where(i < n // 2, start + step * i.astype(dtype),
                        end - step * (n - i - 1).astype(dtype)).astype(dtype)


def _bin_index(x, edges, algorithm):
    """Bin of each value of ``x`` (1-D) among ``edges`` (1-D); -1 for values outside."""
    nb = edges.shape[0]
    left, right = edges[0], edges[-1]
    inside = (x >= left) & (x <= right)
    if algorithm == "search":
        pos = np.searchsorted(edges, x, side="right") - 1
    else:
        with np.errstate(all="ignore"):
            lin = (x - left) * x.dtype.type(nb - 1) / (right - left)
            # (x − left)·(n − 1) overflows for edges near the dtype's largest: those values are
            # binned by search (torch casts inf to int64 there, undefined behaviour in C++)
            lin = np.where(np.isfinite(lin), lin, np.searchsorted(edges, x, side="right") - 1)
            pos = np.where(inside, lin, 0).astype(np.int64)
        if algorithm == "local":
            lo, hi = np.maximum(pos - 1, 0), np.minimum(pos + 2, nb)
            found = lo.copy()
            for k in range(3):  # upper_bound in edges[lo:hi]
                j = lo + k
                ok = (j < hi) & (edges[np.minimum(j, nb - 1)] <= x)
                found = np.where(ok, j + 1, found)
            pos = found - 1
    pos = np.where(pos == nb - 1, pos - 1, pos)
    return np.where(inside, pos, -1)


def _histogramdd(x, edges, weight, density, algorithm):
    """hist (len(e₀) − 1, ..., len(e_D) − 1) of the rows of ``x`` (N, D)."""
    shape = tuple(max(e.shape[0] - 1, 0) for e in edges)
    hist = np.zeros(shape, x.dtype)
    idx = [_bin_index(x[:, d], e, algorithm) for d, e in enumerate(edges)]
    keep = np.ones(x.shape[0], bool)
    for i in idx:
        keep &= i >= 0
    w = np.ones(x.shape[0], x.dtype) if weight is None else weight.astype(x.dtype)
    if all(shape):
        np.add.at(hist, tuple(i[keep] for i in idx), w[keep])
    if density:
        with np.errstate(all="ignore"):
            hist = hist / hist.sum()
            for d, e in enumerate(edges):
                lengths = np.diff(e).reshape([-1 if k == d else 1 for k in range(len(edges))])
                hist = hist / lengths
    return hist.astype(x.dtype)


def _outer_edges(x, ranges, dims: int):
    """(left, right) per dim: ``range`` or the data's min and max (or [0, 1] for no data); an
    empty range widened by 0.5 each way (NumPy's rule). Raises RuntimeError for non-finite or
    reversed ranges."""
    out = []
    for d in range(dims):
        if ranges is not None:
            lo, hi = float(ranges[2 * d]), float(ranges[2 * d + 1])
        elif x.shape[0]:
            lo, hi = float(x[:, d].min()), float(x[:, d].max())
        else:  # no data and no range: torch's default edges [0, 1]
            lo, hi = 0.0, 1.0
        if not (np.isfinite(lo) and np.isfinite(hi)):
            raise RuntimeError(f"torch.histogramdd: dimension {d}'s range [{lo}, {hi}] is not "
                               "finite")
        if lo > hi:
            raise RuntimeError(f"torch.histogramdd: min should not exceed max, but got min {lo} "
                               f"max {hi} for dimension {d}")
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        out.append((lo, hi))
    return out


def _check_float(input, op, kinds="biue"):
    no_kernel(input, op, kinds)  # bool, integers (and float16): no case in torch's kernel


def histogramdd(input, bins, *, range=None, weight=None, density=False):
    """``torch.histogramdd``: the D-dimensional histogram of the points in the rows of
    ``input`` (..., D). ``bins``: an int (bins per dim), D ints, or D 1-D tensors of
    increasing edges. ``range``: (min₀, max₀, min₁, ...) instead of the data's extent.
    ``weight``: one weight per point. ``density``: hist / (Σ hist · bin volume). Returns
    ``(hist, bin_edges)`` (a tuple of D edge tensors). Raises RuntimeError for bins that do
    not match D, bad edges or ranges.

    Shapes: input (..., D) → ``hist`` (bins₀, ..., bins_{D−1}) and D edge tensors (binsᵢ + 1,).
    Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "histogramdd")
    _check_float(input, "histogramdd")
    x = to_numpy(input._data)
    dims = x.shape[-1] if x.ndim else 1
    x = x.reshape(-1, dims)
    given = isinstance(bins, (list, tuple)) and bins and isinstance(bins[0], Tensor)
    if isinstance(bins, int):
        bins = [bins] * dims
    if isinstance(bins, Tensor):
        bins = [bins]
    if len(bins) != dims:
        raise RuntimeError("histogramdd: The size of bins must be equal to the innermost "
                           "dimension of the input.")
    if given:
        edges = []
        for d, b in enumerate(bins):
            if b.ndim != 1:
                raise RuntimeError(f"torch.histogramdd: bins tensor should have one dimension, "
                                   f"but got {b.ndim} dimensions in the bins tensor for "
                                   f"dimension {d}")
            edges.append(to_numpy(b._data).astype(x.dtype))
        algorithm = "search"
    else:
        for d, b in enumerate(bins):
            if int(b) <= 0:
                raise RuntimeError(f"torch.histogramdd(): bins must be > 0, but got {b} for "
                                   f"dimension {d}")
        edges = [_linspace(lo, hi, int(b) + 1, x.dtype)
                 for (lo, hi), b in zip(_outer_edges(x, range, dims), bins)]
        algorithm = "local"
    w = None if weight is None else to_numpy(weight._data).reshape(-1)
    hist = _histogramdd(x, edges, w, density, algorithm)
    xp = get_array_module(input._data)
    return histogramdd_type(Tensor._wrap(xp.asarray(hist)),
                            tuple(Tensor._wrap(xp.asarray(e)) for e in edges))


@honour_out("histogram")
def histogram(input, bins=100, *, range=None, weight=None, density=False, out=None):
    """``torch.histogram``: the histogram of every element of ``input``: ``bins`` equal bins
    over ``range`` (default: min to max) or the given 1-D ``bins`` edges. Returns ``(hist,
    bin_edges)`` in the input's dtype. ``weight``: one per element; ``density``: normalized
    to integrate to 1. ``bins`` defaults to 100 (torch's). Raises NotImplementedError for
    bool, integer and float16 inputs, RuntimeError for bad bins or ranges.

    Shapes: input any shape → ``hist`` (bins,) and ``bin_edges`` (bins + 1,).
    Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "histogram")
    _check_float(input, "histogramdd")
    flat = input.reshape(-1, 1)
    w = None if weight is None else weight.reshape(-1)
    if isinstance(bins, Tensor):
        res = histogramdd(flat, [bins], weight=w, density=density)
    else:
        if int(bins) <= 0:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for "
                               "dimension 0")
        res = histogramdd(flat, [int(bins)], range=range, weight=w, density=density)
    return histogram_type(res.hist, res.bin_edges[0])


@honour_out("histc")
def histc(input, bins=100, min=0, max=0, *, out=None):
    """``torch.histc``: counts of the elements in ``bins`` equal bins over [min, max] (both 0,
    or equal: the data's min and max; still equal: widened by 1); elements outside are
    ignored. dtype: the input's (floating only). Raises RuntimeError for bins ≤ 0, a
    non-finite range or max < min.

    Shapes: input any shape → (bins,). Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "histc")
    _check_float(input, "histogram_cpu", "biu")  # torch's histc takes float16
    if int(bins) <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    x = to_numpy(input._data).reshape(-1)
    lo, hi = float(min), float(max)
    if lo == hi and x.size:
        lo, hi = float(x.min()), float(x.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{lo:g}, {hi:g}] is not finite")
    if not lo < hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    edges = _linspace(lo, hi, int(bins) + 1, x.dtype)
    hist = _histogramdd(x.reshape(-1, 1), [edges], None, False, "linear")
    return Tensor._wrap(get_array_module(input._data).asarray(hist))


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["bincount", "histc", "histogram", "histogramdd"]

METHODS = {"bincount": bincount, "histc": histc, "histogram": histogram}
