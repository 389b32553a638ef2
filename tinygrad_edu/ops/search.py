"""Searching: searchsorted, bucketize, isin, argwhere, nonzero_static, unique,
unique_consecutive. None has a gradient (the results are indices, masks or counts; unique's
values are a selection torch does not differentiate either).
"""

from __future__ import annotations

import numpy as np

from .. import dtype as _dt
from .._args import require_bool, require_tensor
from ..backend import get_array_module
from ..dtype import widen_bfloat16
from ..tensor import Tensor, _wrap_dim
from ._reduction import write_out


def _binary_search(bd, vals, right: bool, sorter=None):
    """torch's ``cus_lower_bound``/``cus_upper_bound`` run on every value at once: for each
    row of ``bd`` (..., n) the first position whose boundary is >= (right: >) the value.
    ``vals`` (..., m) shares bd's leading dims (or bd is 1-D). A NaN value goes past the end;
    a NaN boundary counts as smaller (``!(b >= v)`` holds), exactly as torch's loop."""
    xp = get_array_module(bd)
    n = bd.shape[-1]
    rows_n = int(np.prod(bd.shape[:-1]))  # 1 for a 1-D sequence
    b2 = bd.reshape(rows_n, n)
    s2 = None if sorter is None else sorter.reshape(rows_n, n)
    v2 = vals.reshape(rows_n, vals.size // rows_n if rows_n else 0)
    lo = xp.zeros(v2.shape, np.int64)
    hi = xp.full(v2.shape, n, np.int64)
    rows = xp.arange(b2.shape[0])[:, None]
    with np.errstate(invalid="ignore"):
        while bool((lo < hi).any()):
            active = lo < hi
            mid = lo + ((hi - lo) >> 1)
            midc = xp.minimum(mid, n - 1)
            pos = midc if s2 is None else s2[rows, midc]
            mv = b2[rows, pos]
            go_right = ~(mv > v2) if right else ~(mv >= v2)
            lo = xp.where(active & go_right, mid + 1, lo)
            hi = xp.where(active & ~go_right, mid, hi)
    return lo.reshape(vals.shape)


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
                 sorter=None, out=None):
    """``torch.searchsorted``: for each value of ``input``, the index in ``sorted_sequence``
    (sorted along its last dim) where it would be inserted to keep the order: the first
    position whose boundary is >= the value (``right=True`` / ``side='right'``: >).

    Shapes: ``sorted_sequence`` (n,) searches every value; (*, n) searches the values (*, m)
    of the matching leading row. ``input`` may be a number (with a 1-D sequence).
    ``sorter``: int64 indices that sort an unsorted sequence. dtype: int64 (int32 with
    ``out_int32``). Raises RuntimeError for mismatched shapes, conflicting side/right, a
    bad sorter. No gradient. Raises TypeError when ``sorted_sequence`` is not a Tensor."""
    require_tensor(sorted_sequence, "searchsorted", "sorted_sequence", 1)
    op = "torch.searchsorted()"
    seq = sorted_sequence
    if seq.ndim == 0:
        raise RuntimeError(f"{op}: boundaries tensor should have positive dimension, but got 0 "
                           "dimension")
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"{op}: side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError(f"{op}: side and right can't be set to opposites, got side of "
                               "left while right was True")
        right = side == "right"
    scalar = not isinstance(input, Tensor)
    if scalar:
        if seq.ndim != 1:
            raise RuntimeError(f"{op}: input value can be a scalar only when boundaries tensor "
                               f"dimension is 1, but we got boundaries tensor dim({seq.ndim}) "
                               "and input value's dim(0) numel(1)")
        input = Tensor._wrap(get_array_module(seq._data).asarray(input))
    elif seq.ndim > 1 and (input.ndim != seq.ndim or input.shape[:-1] != seq.shape[:-1]):
        raise RuntimeError(
            f"{op}: boundaries tensor should be 1 dimension or the first N-1 dimensions of "
            f"boundaries tensor and input value tensor must match, but we got boundaries tensor "
            f"{list(seq.shape)} and input value tensor {list(input.shape)}")
    s = None
    if sorter is not None:
        if sorter.dtype != _dt.int64:
            raise RuntimeError(f"{op}: sorter must be a tensor of long dtype but got "
                               f"{sorter.dtype.name}")
        if sorter.shape != seq.shape:
            raise RuntimeError(f"{op}: boundary and sorter must have the same size, but got "
                               f"boundary tensor {list(seq.shape)}and got sorter tensor "
                               f"{list(sorter.shape)}")
        s = sorter._data
        if s.size and (bool((s < 0).any()) or bool((s >= seq.shape[-1]).any())):
            raise RuntimeError(f"{op}: sorter index out of range")
    common = _dt.result_type(seq, input).np
    vals = input._data.astype(common, copy=False)
    res = _binary_search(seq._data.astype(common, copy=False), vals.reshape(
        vals.shape if vals.ndim else (1,)), bool(right), s)
    res = res.reshape(vals.shape).astype(np.int32 if out_int32 else np.int64, copy=False)
    return write_out(Tensor._wrap(get_array_module(res).asarray(res)), out, "searchsorted")


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """``torch.bucketize``: the bucket of each value of ``input`` among the 1-D sorted
    ``boundaries``: ``searchsorted(boundaries, input, right=right)``. Raises RuntimeError for
    boundaries that are not 1-D.

    Shapes: ``input`` any shape, ``boundaries`` (B,) → the input's shape (int64).
    """
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    res = searchsorted(boundaries, input, out_int32=out_int32, right=right)
    return write_out(res, out, "bucketize")


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """``torch.isin``: for each element, whether it equals one of ``test_elements`` (bool, the
    shape of ``elements``; either may be a number; NaN is in nothing). ``invert``: the
    opposite. No gradient.

    Shapes: ``elements`` any shape, ``test_elements`` any shape → the shape of ``elements`` (bool).
    Raises TypeError for two non-Tensor arguments.
    """
    ref = elements if isinstance(elements, Tensor) else test_elements
    if not isinstance(ref, Tensor):
        raise TypeError("isin(): expected at least one Tensor argument")
    xp = get_array_module(ref._data)
    a = elements._data if isinstance(elements, Tensor) else xp.asarray(elements)
    b = test_elements._data if isinstance(test_elements, Tensor) else xp.asarray(test_elements)
    common = _dt.result_type(elements, test_elements).np
    res = xp.isin(a.astype(common, copy=False), b.astype(common, copy=False), invert=invert)
    return Tensor._wrap(xp.asarray(res))


def argwhere(input):
    """``torch.argwhere``: the indices of the non-zero elements, one row per element
    (n, ndim), int64; the same as ``nonzero(input)``.

    Shapes: input (d₁, ..., dₖ) → (Z, k) for its Z nonzero elements.
    Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "argwhere")
    xp = get_array_module(input._data)
    a = input._data
    if a.ndim == 0:
        return Tensor._wrap(xp.zeros((int(a != 0), 0), np.int64))
    return Tensor._wrap(xp.argwhere(a).astype(np.int64))


def nonzero_static(input, *, size, fill_value=-1):
    """``torch.nonzero_static``: :func:`argwhere` with exactly ``size`` rows: the first
    ``size`` indices, then rows of ``fill_value``. Raises RuntimeError for a negative size.

    Shapes: input (d₁, ..., dₖ) → (size, k).
    """
    if not isinstance(size, int) or size < 0:
        raise RuntimeError("nonzero_static: 'size' must be an non-negative integer")
    idx = argwhere(input)._data
    xp = get_array_module(idx)
    out = xp.full((size, idx.shape[1]), fill_value, dtype=np.int64)
    k = min(size, idx.shape[0])
    out[:k] = idx[:k]
    return Tensor._wrap(out)


def _unique_result(values, inverse, counts, return_inverse, return_counts):
    res = [Tensor._wrap(values)]
    if return_inverse:
        res.append(Tensor._wrap(inverse))
    if return_counts:
        res.append(Tensor._wrap(counts))
    return res[0] if len(res) == 1 else tuple(res)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """``torch.unique``: the distinct elements (or, with ``dim``, the distinct slices along
    it), in ascending order (torch's CPU kernel sorts even with ``sorted=False``; each NaN is
    distinct). ``return_inverse``: for each element (slice) the index of its value in the
    result (int64, input's shape; (size of dim,) with ``dim``); ``return_counts``: how often
    each value occurs. Returns a tensor, or a tuple when either is asked. Raises IndexError
    for a dim out of range (a 0-d input has none). No gradient.

    Shapes: input (*) → (U,) for U distinct elements (with ``dim``: the input's shape with ``dim``
    of size U); ``inverse``: the input's shape ((size of dim,) with ``dim``); ``counts``: (U,).
    Raises TypeError when ``input`` is not a Tensor or a flag is not a bool.
    """
    require_tensor(input, "unique")
    for arg, v in (("sorted", sorted), ("return_inverse", return_inverse),
                   ("return_counts", return_counts)):
        require_bool(v, "unique", arg)
    a = input._data
    xp = get_array_module(a)
    if dim is None:
        flat = a.reshape(-1)
        order = xp.argsort(widen_bfloat16(flat), kind="stable")  # bfloat16: NaN placed right
        s = flat[order]
        new = xp.ones(s.shape, bool)
        if s.size > 1:
            new[1:] = s[1:] != s[:-1]  # NaN != NaN: every NaN is its own value
        values = s[new]
        group = xp.cumsum(new) - 1
        inverse = xp.empty(flat.shape, np.int64)
        inverse[order] = group
        counts = xp.bincount(group, minlength=values.size).astype(np.int64) if s.size else \
            xp.zeros(0, np.int64)
        return _unique_result(values, inverse.reshape(a.shape), counts, return_inverse,
                              return_counts)
    if a.ndim == 0:
        raise IndexError(f"unique(): Dimension specified as {dim} but tensor has no dimensions")
    ax = _wrap_dim(dim, a.ndim, "unique")
    values, inverse, counts = xp.unique(widen_bfloat16(a), return_inverse=True,
                                        return_counts=True, axis=ax)
    values = values.astype(a.dtype, copy=False)
    return _unique_result(values, xp.asarray(inverse.reshape(-1), dtype=np.int64),
                          xp.asarray(counts, dtype=np.int64), return_inverse, return_counts)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """``torch.unique_consecutive``: each run of equal consecutive elements (or slices along
    ``dim``) collapsed to one; ``return_inverse`` gives each element's run index,
    ``return_counts`` each run's length (int64). No gradient.

    Shapes: input (*) → (R,) for R runs (with ``dim``: the input's shape with ``dim`` of size R);
    ``inverse``: the input's shape; ``counts``: (R,). Raises IndexError for ``dim`` out of range.
    Raises TypeError when ``input`` is not a Tensor or a flag is not a bool.
    """
    require_tensor(input, "unique_consecutive")
    require_bool(return_inverse, "unique_consecutive", "return_inverse")
    require_bool(return_counts, "unique_consecutive", "return_counts")
    a = input._data
    xp = get_array_module(a)
    if dim is None:
        flat = a.reshape(-1)
        new = xp.ones(flat.shape, bool)
        if flat.size > 1:
            new[1:] = flat[1:] != flat[:-1]
        values = flat[new]
        group = xp.cumsum(new) - 1
        counts = xp.bincount(group, minlength=values.size).astype(np.int64) if flat.size else \
            xp.zeros(0, np.int64)
        return _unique_result(values, group.reshape(a.shape).astype(np.int64), counts,
                              return_inverse, return_counts)
    if a.ndim == 0:
        raise IndexError(f"unique_consecutive(): Dimension specified as {dim} but tensor has no "
                         "dimensions")
    ax = _wrap_dim(dim, a.ndim, "unique_consecutive")
    rest = int(np.prod([n for d, n in enumerate(a.shape) if d != ax]))
    m = xp.moveaxis(a, ax, 0).reshape(a.shape[ax], rest)
    new = xp.ones(m.shape[0], bool)
    if m.shape[0] > 1:
        new[1:] = (m[1:] != m[:-1]).any(axis=1)
    values = xp.take(a, xp.nonzero(new)[0], axis=ax)
    group = (xp.cumsum(new) - 1).astype(np.int64)
    counts = xp.bincount(group, minlength=int(new.sum())).astype(np.int64) if m.shape[0] else \
        xp.zeros(0, np.int64)
    return _unique_result(values, group, counts, return_inverse, return_counts)


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["argwhere", "bucketize", "isin", "nonzero_static", "searchsorted", "unique",
           "unique_consecutive"]

METHODS = {"argwhere": argwhere, "nonzero_static": nonzero_static, "unique": unique,
           "unique_consecutive": unique_consecutive}
